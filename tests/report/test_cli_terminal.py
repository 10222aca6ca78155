"""The command line as a person and a log see it: a bar on a terminal, plain lines in a log, quiet on a closed
pipe (``xlfactor demo | head``). Each runs ``python -m xlfactor`` in a fresh process."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time

from xlfactor.report.build import _TOTAL_STEPS


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "xlfactor", *args]


def test_progress_is_plain_lines_when_stderr_is_not_a_terminal(tmp_path):
    done = subprocess.run(_command("demo", "-o", str(tmp_path / "d.xlsx")), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    n = _TOTAL_STEPS
    assert f"report: Loading factor data (0/{n})" in lines and f"report: Writing Summary (3/{n})" in lines
    assert f"report: Done ({n}/{n})" in lines


def test_progress_is_a_bar_on_a_terminal(tmp_path):
    master, slave = pty.openpty()
    proc = subprocess.Popen(_command("demo", "-o", str(tmp_path / "d.xlsx")), stdout=slave, stderr=slave)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=60)
    os.close(master)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "\r" in text and "report: Writing" in text  # redrawn in place
    assert f"report: Writing Summary (3/{_TOTAL_STEPS})" not in text  # no log lines on a terminal
    assert "total volatility" in text


def test_a_closed_pipe_ends_quietly(tmp_path):
    proc = subprocess.Popen(
        _command("demo", "-o", str(tmp_path / "d.xlsx")), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # the reader is gone before the headline is printed, as `| head -0` would do
    err = proc.stderr.read().decode()
    proc.wait(timeout=300)
    assert proc.returncode == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err
