// Use xlfactor's add-in as Excel would, with xlwings Server's own client code.
//
//   node run_client.mjs ORIGIN CLIENT_DIR PLAN_JSON OUT_JSON
//
// ORIGIN: the live server. CLIENT_DIR: a copy of xlwings Server's static/js folder (its ES
// modules; custom-scripts/index.js defines xlwings.runPython). The task pane's config, the
// project's static/js/ribbon.js and the generated custom-functions code are fetched from the
// live server: what the add-in loads. PLAN_JSON: {"workbook": {...}, "functions": [{"name",
// "args"}], "ribbon": [action ids], "taskpane": [script names], "token": sign-in token}. Each function is called
// through the function that CustomFunctions.associate registered, with Excel's invocation
// object; each ribbon action through the handler ribbon.js associated with it, with an event
// like Office's. The results, the requests made, the dialogs shown and the workbook
// afterwards go to OUT_JSON.
// Each task pane script is run by clicking the served taskpane.html's xw-click button after
// the client's init() wired it (task pane errors go to its error banner, so the requests'
// statuses and the workbook are what to check).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

import { installOffice } from "./office_stub.mjs";

const [origin, clientDir, planPath, outPath] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planPath, "utf8"));

const taskpane = await (await fetch(`${origin}/taskpane.html`)).text();
const configJson = /<script id="config" type="application\/json">([\s\S]*?)<\/script>/.exec(taskpane)[1];
// the task pane's xw-click buttons, as served
const buttons = [...taskpane.matchAll(/<button\b([^>]*)>/g)]
  .map((m) => Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])))
  .filter((attributes) => "xw-click" in attributes);
// the task pane's elements with an id (its sign-in form), as served
const elements = [...taskpane.matchAll(/<(?:form|input|div|button)\b([^>]*\bid="[^"]*"[^>]*)>/g)].map((m) =>
  Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
);
const { workbook, record } = installOffice({ origin, configJson, workbookSpec: plan.workbook, buttons, elements });

// Console output of the client (API versions, errors) goes to stderr; stdout stays clean.
console.log = console.info = (...args) => process.stderr.write(args.join(" ") + "\n");

await import(pathToFileURL(join(clientDir, "custom-scripts", "index.js")).href);
// the project's auth.js (getAuth and the sign-in of its task pane), as base.html loads it
const authJs = await (await fetch(`${origin}/static/js/auth.js`)).text();
vm.runInThisContext(authJs, { filename: "auth.js" });
await record.loaded(); // DOMContentLoaded: auth.js wires the sign-in form
let signIn = null;
if (plan.token) {
  // sign in as a user does: type the token in the task pane's field and submit the form
  const form = record.byId.get("xlfactor-signin");
  record.byId.get("xlfactor-token").value = plan.token;
  await form.submit();
  signIn = {
    field_after: record.byId.get("xlfactor-token").value,
    state: record.byId.get("xlfactor-signin-state").textContent,
    stored: globalThis.localStorage.getItem("xlfactor-token"),
  };
}
const ribbonJs = await (await fetch(`${origin}/static/js/ribbon.js`)).text();
vm.runInThisContext(ribbonJs, { filename: "ribbon.js" });

const functions = new Map();
globalThis.CustomFunctions = { associate: (name, fn) => functions.set(name, fn) };
const functionsJs = await (await fetch(`${origin}/xlwings/custom-functions-code.js`)).text();
vm.runInThisContext(functionsJs, { filename: "custom-functions-code.js" });

const results = { functions: [], ribbon: {} };
for (const { name, args } of plan.functions ?? []) {
  const before = record.requests.length;
  const invocation = { address: "Sheet1!H2", setResult: () => {} };
  let value;
  try {
    value = await functions.get(name)(...args, invocation);
  } catch (error) {
    value = { error: String(error?.message ?? error) };
  }
  results.functions.push({ name, value, requests: record.requests.slice(before) });
}
for (const id of plan.ribbon ?? []) {
  const handler = record.actions.get(id);
  if (!handler) {
    results.ribbon[id] = { error: `no Office.actions.associate("${id}") in ribbon.js` };
    continue;
  }
  const before = { requests: record.requests.length, dialogs: record.dialogs.length };
  let completed = false;
  await Promise.race([
    new Promise((resolve) =>
      handler({
        completed: () => {
          completed = true;
          resolve();
        },
      }),
    ),
    new Promise((resolve) => setTimeout(resolve, 60000)),
  ]);
  results.ribbon[id] = {
    completed,
    requests: record.requests.slice(before.requests),
    dialogs: record.dialogs.slice(before.dialogs),
    workbook: workbook.snapshot(),
  };
}
results.taskpane = {};
if ((plan.taskpane ?? []).length) {
  await globalThis.xlwings.init(); // what DOMContentLoaded runs in the task pane: wires the xw-click buttons
  for (const script of plan.taskpane) {
    const button = record.buttons.find((b) => b.getAttribute("xw-click") === script);
    if (!button) {
      results.taskpane[script] = { error: `no xw-click="${script}" button in taskpane.html` };
      continue;
    }
    const before = record.requests.length;
    await button.click();
    results.taskpane[script] = { requests: record.requests.slice(before), workbook: workbook.snapshot() };
  }
}
results.associated = [...record.actions.keys()];
results.sign_in = signIn;
results.custom_functions = [...functions.keys()];
writeFileSync(outPath, JSON.stringify(results));
process.exit(0);
