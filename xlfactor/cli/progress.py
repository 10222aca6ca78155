"""Progress on stderr: a tqdm bar on a terminal, plain lines otherwise (logs, pipes, CI).

A bar redraws itself with carriage returns, which in a log file becomes one long line of
half-drawn bars; where stderr is not a terminal each step is one line instead.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

ProgressFn = Callable[[str, int, int], None]


@contextmanager
def progress_reporter(name: str, unit: str = "step") -> Iterator[ProgressFn]:
    """``progress(step, done, total)`` for the duration of the block, shown as a bar or as lines."""
    stream = sys.stderr
    if not stream.isatty():

        def line(step: str, done: int, total: int) -> None:
            print(f"{name}: {step} ({done}/{total})", file=stream, flush=True)

        yield line
        return

    import shutil

    from tqdm import tqdm

    bar = tqdm(
        total=1,
        unit=unit,
        leave=False,
        file=stream,
        # a terminal that reports no size (0 x 0) would get an empty bar: take 80 x 24 then
        ncols=shutil.get_terminal_size((80, 24)).columns,
        nrows=shutil.get_terminal_size((80, 24)).lines,
        bar_format="{desc:<34}{bar:20} {n_fmt}/{total_fmt} [{elapsed}]",
    )

    def update(step: str, done: int, total: int) -> None:
        bar.total = total
        bar.set_description_str(f"{name}: {step}")
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()
