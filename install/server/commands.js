// FunctionFile commands for the xlfactor ribbon (manifest_snippet.xml) on xlwings Server.
// Each command runs the @xw.script of the same name in scripts.py through the xlwings
// Office.js client (xlwings.js served by xlwings Server). Not verified here (no Excel on Linux).
const XLFACTOR_SCRIPTS = [
  "xlfactor_refresh",
  "xlfactor_recalculate",
  "xlfactor_report",
  "xlfactor_status",
  "xlfactor_help",
];

for (const name of XLFACTOR_SCRIPTS) {
  const command = async (event) => {
    try {
      await xlwings.runPython(`${window.location.origin}/xlwings/custom-scripts-call/${name}`);
    } finally {
      event.completed();
    }
  };
  Office.actions.associate(name, command);
}
