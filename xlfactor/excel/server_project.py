"""``xlfactor server init DIR``: an xlwings Server project that serves xlfactor.

xlwings Server (the ``xlwings-server`` package) is the web server; xlfactor adds no server
code. :func:`init_project` runs ``xlwings-server init DIR`` and then wires xlfactor into the
files that command creates, the way xlwings Server documents a project:

- ``custom_functions/__init__.py`` re-exports the FM_ functions as served by
  :mod:`xlfactor.excel.server_functions` (off the event loop, time-limited; the sample
  ``functions.py`` is removed);
- ``custom_scripts/__init__.py`` re-exports the five ribbon scripts of
  :mod:`xlfactor.excel.scripts` (the sample ``scripts.py`` is removed);
- ``templates/manifest.xml`` (the project's copy of the manifest template) gets an
  "xlfactor" ribbon tab: one button per script plus the task pane button;
- ``static/js/ribbon.js`` (a project file overrides the package's) binds each button to
  ``xlwings.runPython({scriptName, auth, headers})``, the client API of xlwings Server 1.x;
- ``templates/taskpane.html``: the same five actions as ``xw-click`` buttons;
- sign-in is on: ``.env`` sets ``XLWINGS_AUTH_PROVIDERS=["custom"]`` and
  ``auth/custom/__init__.py`` is xlwings Server's custom auth provider checking xlfactor's
  tokens (:mod:`xlfactor.excel.server_auth`); ``static/js/auth.js`` is the ``getAuth`` hook
  sending the token the user saved through the task pane's sign-in field; Refresh data needs
  the admin role (:mod:`xlfactor.excel.server_scripts`), and ``models/user.py`` (xlwings Server's
  user model, from ``xlwings-server add model user``) answers a missing role 403 for every provider
  (:mod:`xlfactor.excel.server_roles`); CORS grants no foreign origin
  (``XLWINGS_CORS_ALLOW_ORIGINS=[]``);
- ``xlwings-server add auth custom``, ``add model user``, ``add docker`` and ``add lifespan``
  are run, and their files filled in for xlfactor (the token provider above; the
  Docker files, :mod:`xlfactor.excel.server_docker`; ``lifespan.py``, the startup hook that
  sets the request body limit and signs calls in before their body is read,
  :mod:`xlfactor.excel.server_lifespan`);
- ``pyproject.toml`` ``[tool.xlwings_server]`` sets ``functions_namespace = "XLFACTOR"``, so
  the functions appear in Excel as ``XLFACTOR.FM_BETA`` (``XLFACTOR_DEV.FM_BETA`` while the
  project's ``.env`` says ``XLWINGS_ENVIRONMENT="dev"``).

Every edit of a file made by ``xlwings-server init`` checks that the file still has the
shape this module expects and raises :class:`~xlfactor.XLFactorError` otherwise, so a new
xlwings-server template fails loudly instead of producing a half-wired project.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from xlfactor.errors import XLFactorError
from xlfactor.excel.server_docker import wire_docker

NAMESPACE = "XLFACTOR"

# (script in xlfactor.excel.scripts, ribbon action id, button label, tooltip)
BUTTONS = (
    ("xlfactor_refresh", "xlfactor-refresh", "Refresh data", "Download the latest factor data, then recalculate"),
    ("xlfactor_recalculate", "xlfactor-recalculate", "Recalculate", "Recalculate every FM_ formula"),
    ("xlfactor_report", "xlfactor-report", "Build report", "Factor risk report from the Returns and Weights tables"),
    ("xlfactor_status", "xlfactor-status", "Data status", "Where the factor data come from: origin, vintage, dates"),
    ("xlfactor_help", "xlfactor-help", "Help", "List the FM_ functions and their arguments"),
)

CUSTOM_FUNCTIONS = '''\
"""xlfactor's FM_ functions for this xlwings Server project (written by `xlfactor server init`).

Served off the event loop with a time limit (XLFACTOR_TIME_LIMIT, XLFACTOR_THREADS) and at most
XLFACTOR_MAX_CELLS cells per argument; see the README's operator section.
"""

from xlfactor.excel.server_functions import *  # noqa: F403
'''

CUSTOM_SCRIPTS = '''\
"""xlfactor's ribbon actions as custom scripts (written by `xlfactor server init`).

Refresh data writes the factor data every user shares: on a server it needs the admin role
and runs one at a time, at most once per XLFACTOR_REFRESH_INTERVAL seconds.
"""

from xlfactor.excel.scripts import *  # noqa: F403
from xlfactor.excel.server_scripts import xlfactor_refresh  # noqa: F401
'''

LIFESPAN = '''\
"""xlfactor's request bounds, through xlwings Server's startup hook (written by `xlfactor server init`).

At each worker's start: a request over XLFACTOR_MAX_BODY_MB gets 413 before it is read, and function and
script calls are signed in before their body is read; see the README's operator section.
"""

from xlfactor.excel.server_lifespan import lifespan  # noqa: F401
'''

CUSTOM_AUTH = '''\
"""Sign-in with xlfactor tokens, xlwings Server's "custom" auth provider (written by `xlfactor server init`).

Tokens are made with `xlfactor server token create NAME [--admin]`; see the README's operator section.
"""

from xlfactor.excel.server_auth import validate_token  # noqa: F401
'''

USER_MODEL = '''\
"""The user model of this server, xlwings Server's hook (written by `xlfactor server init`): every auth
provider (xlfactor's tokens, Entra ID) returns this User; a missing role is answered 403 with what to do."""

from xlwings_server.models.user import User as _User

from xlfactor.excel.server_roles import has_required_roles


class User(_User):
    has_required_roles = has_required_roles
'''

AUTH_JS = """\
// xlfactor sign-in (written by `xlfactor server init`). xlwings Server's client calls
// globalThis.getAuth() before every function and script call and sends the token it returns
// as the Authorization header. With Entra ID (XLWINGS_AUTH_PROVIDERS=["entraid"]) that is
// Microsoft's access token; otherwise the xlfactor token the user pasted in the task pane's
// sign-in field, kept in Office's storage (OfficeRuntime.storage, shared by the task pane and
// the functions; localStorage where that does not exist).
const XLFACTOR_TOKEN_KEY = "xlfactor-token";

function xlfactorStorage() {
  return globalThis.OfficeRuntime && globalThis.OfficeRuntime.storage
    ? globalThis.OfficeRuntime.storage
    : globalThis.localStorage;
}

globalThis.xlfactorSignIn = async function (token) {
  await xlfactorStorage().setItem(XLFACTOR_TOKEN_KEY, String(token).trim());
};

globalThis.xlfactorSignOut = async function () {
  await xlfactorStorage().setItem(XLFACTOR_TOKEN_KEY, "");
};

globalThis.getAuth = async function () {
  const providers = (globalThis.config && globalThis.config.authProviders) || [];
  const token = (await xlfactorStorage().getItem(XLFACTOR_TOKEN_KEY)) || "";
  if (providers.includes("entraid") && !(token && providers.includes("custom"))) {
    return { token: await xlwings.getAccessToken(), provider: "entraid" };
  }
  return { token: token ? "Bearer " + token : "", provider: "custom" };
};

// The task pane's sign-in form (templates/taskpane.html): store the token, clear the field.
document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("xlfactor-signin");
  if (!form) return;
  const field = document.getElementById("xlfactor-token");
  const state = document.getElementById("xlfactor-signin-state");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    await globalThis.xlfactorSignIn(field.value);
    field.value = "";
    state.textContent = "Token saved: the functions and buttons now use it.";
  });
  document.getElementById("xlfactor-signout").addEventListener("click", async function () {
    await globalThis.xlfactorSignOut();
    state.textContent = "Signed out.";
  });
});
"""

RIBBON_JS_HEAD = """\
// xlfactor ribbon buttons (written by `xlfactor server init`). Each ExecuteFunction button of
// templates/manifest.xml is associated with a command that runs the custom script of the same
// name through xlwings Server's client, xlwings.runPython({scriptName, auth, headers}).
function xlfactorCommand(scriptName) {
  return async function (event) {
    try {
      const authResult =
        typeof globalThis.getAuth === "function"
          ? await globalThis.getAuth()
          : { token: "", provider: "" };
      await xlwings.runPython({
        scriptName: scriptName,
        auth: authResult.token,
        headers: { "Auth-Provider": authResult.provider },
      });
    } finally {
      event.completed();
    }
  };
}
"""

TASKPANE_HTML = """\
{% extends "base.html" %}

{% block content %}
<div class="container-fluid pt-3 ps-3">
  <h1>xlfactor</h1>
  <p>Factor risk models as Excel functions: type <code>=__NAMESPACE__.FM_</code> to list them.</p>
  <form id="xlfactor-signin" class="mb-3" autocomplete="off">
    <label for="xlfactor-token" class="form-label">Sign in: paste the token your administrator gave you</label>
    <div class="input-group input-group-sm">
      <input id="xlfactor-token" type="password" class="form-control" placeholder="xlf_..." required>
      <button class="btn btn-outline-primary" type="submit">Sign in</button>
      <button id="xlfactor-signout" class="btn btn-outline-secondary" type="button">Sign out</button>
    </div>
    <div id="xlfactor-signin-state" class="form-text"></div>
  </form>
  <div class="d-grid gap-2">
__BUTTONS__
  </div>
</div>
{% endblock content %}
"""

_CUSTOM_TAB = re.compile(r"<CustomTab id=\"MyTab\">.*?</CustomTab>", re.S)
_SAMPLE_BUTTON = re.compile(r"\s*<!-- Ribbon button that calls a function -->\s*<Control .*?</Control>", re.S)
_SHORT_STRINGS = re.compile(r"(<bt:ShortStrings>)(.*?)(</bt:ShortStrings>)", re.S)
_LONG_STRINGS = re.compile(r"(<bt:LongStrings>)(.*?)(</bt:LongStrings>)", re.S)
_SAMPLE_STRING = re.compile(r"\s*<bt:String id=\"MyFunctionButton\.[A-Za-z]+\" DefaultValue=\"[^\"]*\" />")


def _key(action_id: str) -> str:
    """Manifest control and resource id of a ribbon action (``xlfactor-help`` -> ``xlfactor.help``)."""
    return action_id.replace("-", ".")


def _button_xml(action_id: str) -> str:
    key = _key(action_id)
    icons = "".join(f'<bt:Image size="{s}" resid="Icon.{s}x{s}" />' for s in (16, 32, 80))
    return (
        f'\n                <Control xsi:type="Button" id="{key}">'
        f'\n                  <Label resid="{key}.Label" />'
        f'\n                  <Supertip><Title resid="{key}.Label" /><Description resid="{key}.Tooltip" /></Supertip>'
        f"\n                  <Icon>{icons}</Icon>"
        f'\n                  <Action xsi:type="ExecuteFunction"><FunctionName>{action_id}</FunctionName></Action>'
        f"\n                </Control>"
    )


def _one(pattern: re.Pattern, text: str, what: str) -> re.Match:
    matches = list(pattern.finditer(text))
    if len(matches) != 1:
        raise XLFactorError(
            f"templates/manifest.xml: expected one {what} in the manifest written by xlwings-server init, "
            f"found {len(matches)}; this xlwings-server version is not supported by `xlfactor server init`"
        )
    return matches[0]


def wire_manifest(text: str) -> str:
    """The xlwings-server manifest template with the sample ribbon button replaced by xlfactor's tab.

    The tab keeps the template's task pane button; its label resources become "xlfactor" and
    "Factor risk".
    """
    tab = _one(_CUSTOM_TAB, text, '<CustomTab id="MyTab">').group(0)
    sample = _one(_SAMPLE_BUTTON, tab, "sample function button")
    buttons = "".join(_button_xml(action) for _, action, _, _ in BUTTONS)
    tab = tab[: sample.start()] + buttons + tab[sample.end() :]
    tab = tab.replace('<CustomTab id="MyTab">', '<CustomTab id="xlfactor.Tab">')
    text = _CUSTOM_TAB.sub(lambda _: tab, text)

    short = _one(_SHORT_STRINGS, text, "<bt:ShortStrings>")
    strings = _SAMPLE_STRING.sub("", short.group(2)).rstrip()
    strings = strings.replace('DefaultValue="MyGroup"', 'DefaultValue="Factor risk"')
    strings += "".join(
        f'\n        <bt:String id="{_key(a)}.Label" DefaultValue="{label}" />' for _, a, label, _ in BUTTONS
    )
    text = text[: short.start(2)] + strings + "\n      " + text[short.end(2) :]

    long = _one(_LONG_STRINGS, text, "<bt:LongStrings>")
    strings = _SAMPLE_STRING.sub("", long.group(2)).rstrip()
    strings += "".join(
        f'\n        <bt:String id="{_key(a)}.Tooltip" DefaultValue="{tip}" />' for _, a, _, tip in BUTTONS
    )
    return text[: long.start(2)] + strings + "\n      " + text[long.end(2) :]


def ribbon_js() -> str:
    """``static/js/ribbon.js``: one ``Office.actions.associate`` per ribbon button."""
    lines = [f'Office.actions.associate("{action}", xlfactorCommand("{script}"));' for script, action, _, _ in BUTTONS]
    return RIBBON_JS_HEAD + "\n".join(lines) + "\n"


def taskpane_html(namespace: str = NAMESPACE) -> str:
    """``templates/taskpane.html``: the five actions as xlwings Server ``xw-click`` buttons."""
    buttons = "\n".join(
        f'    <button xw-click="{script}" class="btn btn-primary btn-sm" type="button" title="{tip}">{label}</button>'
        for script, _, label, tip in BUTTONS
    )
    return TASKPANE_HTML.replace("__NAMESPACE__", namespace).replace("__BUTTONS__", buttons)


#: Settings of the project's ``.env`` that ``server init`` sets (xlwings Server reads them), with why.
ENV_SETTINGS = {
    "XLWINGS_AUTH_PROVIDERS": (
        '["custom"]',
        "Sign-in is on: every function and script call needs a token from `xlfactor server token create`\n"
        '# (the "custom" provider is auth/custom/__init__.py). For Microsoft 365 sign-in use ["entraid"],\n'
        '# or ["custom", "entraid"] for both (see the README, "Operating the server").',
    ),
    "XLWINGS_CORS_ALLOW_ORIGINS": (
        "[]",
        "The add-in's pages and functions are served from this server's own origin, which needs no CORS\n"
        '# grant. Add only an origin you trust (e.g. a company portal), never "*".',
    ),
}


def configure_env(text: str) -> str:
    """The ``.env`` written by ``xlwings-server init`` with :data:`ENV_SETTINGS` set (each setting's
    line, commented out or not, replaced by the value under xlfactor's comment)."""
    for name, (value, why) in ENV_SETTINGS.items():
        pattern = re.compile(rf"^#? ?{name}=.*$", re.M)
        if len(pattern.findall(text)) != 1:
            raise XLFactorError(
                f".env: expected one {name} line in the file written by xlwings-server init; this "
                "xlwings-server version is not supported by `xlfactor server init`"
            )
        line = f"# xlfactor: {why}\n{name}={value}"
        text = pattern.sub(lambda _, line=line: line, text)
    return text


def _set_namespace(pyproject: Path, namespace: str) -> None:
    import tomlkit  # installed with xlwings-server (it writes this file with it)

    doc = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
    table = doc.get("tool", {}).get("xlwings_server")
    if table is None:
        raise XLFactorError(f"{pyproject}: no [tool.xlwings_server] table; run `xlwings-server init` first")
    table["functions_namespace"] = namespace
    pyproject.write_text(tomlkit.dumps(doc), encoding="utf-8")


def xlwings_server_command() -> list[str]:
    """The ``xlwings-server`` command of the Python running xlfactor (or the one on PATH)."""
    beside = Path(sys.executable).with_name("xlwings-server")
    for candidate in (beside, beside.with_suffix(".exe")):
        if candidate.is_file():
            return [str(candidate)]
    found = shutil.which("xlwings-server")
    if found is None:
        raise XLFactorError("xlwings-server is not installed; run `pip install xlwings-server`, then try again")
    return [found]


def init_project(folder: Path, namespace: str = NAMESPACE) -> Path:
    """Create an xlwings Server project in ``folder`` with xlfactor wired in; returns the folder.

    Runs ``xlwings-server init <folder>``, then writes the files listed in the module docstring.
    ``folder`` must not already hold an xlwings Server project (nothing is overwritten).
    """
    folder = Path(folder).resolve()
    if (folder / "custom_functions").exists() or (folder / "custom_scripts").exists():
        raise XLFactorError(f"DIR: {folder} already holds an xlwings Server project; give a new folder")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", namespace):
        raise XLFactorError(f"--namespace: {namespace!r} is not a name Excel accepts; use letters, digits and _")
    done = subprocess.run([*xlwings_server_command(), "init", str(folder)], capture_output=True, text=True)
    if done.returncode != 0 or not (folder / "templates" / "manifest.xml").is_file():
        raise XLFactorError(f"xlwings-server init {folder} failed: {(done.stderr or done.stdout).strip()}")

    # xlwings Server's auth provider, user model, Docker files and startup hook
    for extra in (["auth", "custom"], ["model", "user"], ["docker"], ["lifespan"]):
        added = subprocess.run([*xlwings_server_command(), "add", *extra], cwd=folder, capture_output=True, text=True)
        if added.returncode != 0:
            reason = (added.stderr or added.stdout).strip()
            raise XLFactorError(f"xlwings-server add {' '.join(extra)} failed: {reason}")
    wire_docker(folder)
    for sample in ("custom_functions/functions.py", "custom_scripts/scripts.py"):
        (folder / sample).unlink(missing_ok=True)
    (folder / "custom_functions" / "__init__.py").write_text(CUSTOM_FUNCTIONS, encoding="utf-8")
    (folder / "custom_scripts" / "__init__.py").write_text(CUSTOM_SCRIPTS, encoding="utf-8")
    manifest = folder / "templates" / "manifest.xml"
    manifest.write_text(wire_manifest(manifest.read_text(encoding="utf-8")), encoding="utf-8")
    (folder / "static" / "js").mkdir(parents=True, exist_ok=True)
    (folder / "static" / "js" / "ribbon.js").write_text(ribbon_js(), encoding="utf-8")
    (folder / "templates" / "taskpane.html").write_text(taskpane_html(namespace), encoding="utf-8")
    (folder / "static" / "js" / "auth.js").write_text(AUTH_JS, encoding="utf-8")
    (folder / "auth" / "custom" / "__init__.py").write_text(CUSTOM_AUTH, encoding="utf-8")
    (folder / "models" / "user.py").write_text(USER_MODEL, encoding="utf-8")
    (folder / "lifespan.py").write_text(LIFESPAN, encoding="utf-8")
    env = folder / ".env"
    env.write_text(configure_env(env.read_text(encoding="utf-8")), encoding="utf-8")
    _set_namespace(folder / "pyproject.toml", namespace)
    return folder
