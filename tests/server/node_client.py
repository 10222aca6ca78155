"""Run xlwings Server's browser-side client in Node (run_client.mjs) against a live server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).parent


def client_copy(folder: Path) -> Path:
    """xlwings Server's ``static/js`` (the modules the task pane loads) copied to ``folder``, marked as ES modules."""
    import xlwings_server

    target = folder / "js"
    if not target.exists():
        shutil.copytree(Path(xlwings_server.__file__).parent / "static" / "js", target)
        (target / "package.json").write_text('{"type": "module"}\n')
    return target


def run_client(origin: str, folder: Path, plan: dict, timeout: float = 300) -> dict:
    """Run ``plan`` (workbook, functions, ribbon actions) through the real client; the recorded results."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed; .ci/run installs it (apt-get install nodejs)")
    plan_path, out_path = folder / "plan.json", folder / "out.json"
    plan_path.write_text(json.dumps(plan))
    out_path.unlink(missing_ok=True)
    done = subprocess.run(
        [node, str(HERE / "run_client.mjs"), origin, str(client_copy(folder)), str(plan_path), str(out_path)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0 or not out_path.exists():
        raise RuntimeError(f"node run_client.mjs failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(out_path.read_text())
