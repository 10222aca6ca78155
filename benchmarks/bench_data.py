"""Factor data layer timings: cold and warm load_factors("FF5", "D"), parsing, first-use seeding.

    python benchmarks/bench_data.py

Targets (issue 3): warm load < 5 ms; first call in a fresh process < 100 ms
(measured after ``import xlfactor.data``, so pandas' own import is not counted).
Uses a temporary XLFACTOR_DATA_DIR; never touches the user's cache or the network.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

COLD = """
import time
import xlfactor.data as xd
t0 = time.perf_counter()
xd.load_factors("FF5", "D")
print(time.perf_counter() - t0)
"""


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f} ms"


def main() -> None:
    folder = tempfile.mkdtemp(prefix="xlfactor-bench-")
    os.environ["XLFACTOR_DATA_DIR"] = folder
    os.environ.pop("XLFACTOR_FRENCH_BASE_URL", None)

    import xlfactor.data as xd
    from xlfactor.data.french import parse_french_csv
    from xlfactor.data.snapshot import read_snapshot_bytes

    text = read_snapshot_bytes("F-F_Research_Data_5_Factors_2x3_daily.csv").decode("ascii")
    parse = []
    for _ in range(5):
        t0 = time.perf_counter()
        parse_french_csv(text)
        parse.append(time.perf_counter() - t0)
    print(f"parse daily five-factor file (1.0 MB, 15,709 rows), median of 5: {_ms(statistics.median(parse))}")

    t0 = time.perf_counter()
    xd.load_factors("FF5", "M")  # opens the empty folder: creates and seeds the cache
    print(f"first use: create + seed the cache from the snapshot (6 files):  {_ms(time.perf_counter() - t0)}")
    xd.reset_state()

    colds = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True, env=os.environ)
        colds.append(float(out.stdout.strip()))
    print(
        f"cold load_factors('FF5','D') in a fresh process, median of 5:    {_ms(statistics.median(colds))}"
        f"   (target < 100 ms; max {_ms(max(colds)).strip()})"
    )

    xd.load_factors("FF5", "D")
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        xd.load_factors("FF5", "D")
    warm = (time.perf_counter() - t0) / n
    print(f"warm load_factors('FF5','D'), mean of {n}:                      {_ms(warm)}   (target < 5 ms)")
    t0 = time.perf_counter()
    for _ in range(n):
        xd.data_vintage("FF5", "D")
    print(f"data_vintage('FF5','D'), mean of {n}:                           {_ms((time.perf_counter() - t0) / n)}")
    t0 = time.perf_counter()
    xd.load_factors("FF6", "W")
    print(f"first load_factors('FF6','W') in this process (decode + compound):{_ms(time.perf_counter() - t0)}")
    size = os.path.getsize(os.path.join(folder, "xlfactor.sqlite"))
    print(f"cache file size: {size / 1e6:.2f} MB (six French datasets)")


if __name__ == "__main__":
    main()
