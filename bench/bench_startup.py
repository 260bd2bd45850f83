"""Time from process start to the first painted main window, beside a bare PySide6 window, in one run.

    python -m bench.bench_startup [--runs 7]

Cases: a bare QApplication + empty QMainWindow (the baseline); PolicyTrack on the built-in dataset; PolicyTrack on
a 10,000-project database (bench.generate). Each case runs in a fresh process ``--runs`` times, interleaved so
machine noise hits all cases alike; the median is reported with the ratio to the baseline.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def once(mode: str, db: str = "") -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    start = time.time()
    out = subprocess.run([sys.executable, "-m", "bench.startup_child", mode, db], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    return float(out.stdout.strip().splitlines()[-1]) - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    from bench.generate import generate
    from db import open_database, seed

    with tempfile.TemporaryDirectory() as tmp:
        builtin = Path(tmp) / "builtin.db"
        db = open_database(builtin)
        seed.load_builtin(db)
        db.close()
        big = generate(Path(tmp) / "big.db", 10_000, 12)
        cases = {"bare PySide6 window": ("bare", ""), "PolicyTrack, built-in dataset": ("app", str(builtin)),
                 "PolicyTrack, 10,000 projects": ("app", str(big))}
        for mode, path in cases.values():  # warm the OS file cache once
            once(mode, path)
        times: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(args.runs):
            for name, (mode, path) in cases.items():
                times[name].append(once(mode, path))
    base = statistics.median(times["bare PySide6 window"])
    print(f"{'case':34} {'median s':>9} {'min s':>7} {'ratio':>6}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:34} {med:9.3f} {min(ts):7.3f} {med / base:6.2f}")


if __name__ == "__main__":
    main()
