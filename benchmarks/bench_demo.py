"""Wall time of ``xlfactor demo`` from a fresh process (target: under 15 s).

Each run starts a new Python process (``python -m xlfactor demo -o <tmp>``), so
the figure includes interpreter start-up, imports, reading the shipped data, the
analysis and writing the workbook, as a user sees it.

    python benchmarks/bench_demo.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 15.0


def time_demo(runs: int = 3) -> list[float]:
    """Seconds per run of ``xlfactor demo`` in a fresh process, each with an empty data directory."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, XLFACTOR_DATA_DIR=str(Path(tmp) / "data"))
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "xlfactor", "demo", "-o", str(Path(tmp) / "demo.xlsx")],
                check=True,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - start)
    return times


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    times = time_demo(runs)
    median = statistics.median(times)
    print(f"xlfactor demo, fresh process, {runs} runs: " + ", ".join(f"{t:.2f} s" for t in times))
    print(f"median {median:.2f} s (target < {TARGET_SECONDS:.0f} s): {'OK' if median < TARGET_SECONDS else 'TOO SLOW'}")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
