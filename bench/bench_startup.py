"""Start-up and memory: process start to the first painted main window, beside a bare PySide6 window, in one run.

    python -m bench.bench_startup [--runs 7] [--projects 10000]

Cases, each a fresh ``python -m bench.startup_child`` process (bytecode cached after the warm-up run, as in an
installed copy; offscreen platform; a temporary HOME so no window state of the user's is read):
  * bare: QApplication + a QMainWindow with one QLabel, shown (the baseline);
  * PolicyTrack through its real entry (``policytrack --db FILE``: argument parsing, writer's lock, backup check)
    on the built-in dataset, and on a database with ``--projects`` projects × 12 months (bench.generate).
Each case is run once to warm the OS file cache and the bytecode, then the cases are interleaved ``--runs``
times so machine noise hits all alike. Reported, for wall time and for the child's CPU time until the first paint
(steadier on a shared machine): the median, the median of the per-round ratios to the bare window and their
spread (min–max); then resident memory (VmRSS) after the first paint (bare window)
and after visiting every tab (PolicyTrack), medians of three interleaved rounds.

Measured 2026-12-08 05:47 UTC, load average 0.6, ``--runs 9`` (CPU to first paint, median pair ratio, spread):
built-in 1.87× (1.47–2.14), 10,000 projects 2.37× (1.75–3.33); resident memory 146.4 MiB (2.42×) and 206.5 MiB
(3.41×) against the bare window's 60.5 MiB. The code at the session's start (cc64c17), same bench: 4.55× and
13.44× (wall), 180.1 and 250.4 MiB. bench/README.md has what changed and the floors.
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


def once(env: dict, mode: str, db: str = "", *extra: str) -> tuple[float, float, int]:
    """(wall seconds from launch to first paint, CPU seconds of the child until then, VmRSS KiB at the end)."""
    start = time.time()
    out = subprocess.run([sys.executable, "-m", "bench.startup_child", mode, db, *extra], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=True)
    lines = out.stdout.strip().splitlines()
    painted, cpu = (float(x) for x in lines[-2].split())
    return painted - start, cpu, int(lines[-1])


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--projects", type=int, default=10_000)
    args = ap.parse_args()
    from bench.generate import generate
    from db import open_database, seed

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(HOME=tmp, XDG_DATA_HOME=str(Path(tmp) / "data"), XDG_CONFIG_HOME=str(Path(tmp) / "config"),
                   QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        builtin = Path(tmp) / "builtin.db"
        db = open_database(builtin)
        seed.load_builtin(db)
        db.close()
        big = generate(Path(tmp) / "big.db", args.projects, 12)
        cases = {"bare PySide6 window": ("bare", ""), "PolicyTrack, built-in dataset": ("app", str(builtin)),
                 f"PolicyTrack, {args.projects:,} projects": ("app", str(big))}
        for mode, path in cases.values():  # warm the OS file cache and write the bytecode once
            once(env, mode, path)
        times: dict[str, list[float]] = {k: [] for k in cases}
        cpu: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(args.runs):
            for name, (mode, path) in cases.items():
                wall, used, _rss = once(env, mode, path)
                times[name].append(wall)
                cpu[name].append(used)
        memory: dict[str, list[int]] = {k: [] for k in cases}
        for _ in range(3):
            for name, (mode, path) in cases.items():
                memory[name].append(once(env, mode, path, *(["--visit"] if mode == "app" else []))[2])
    for title, table in (("start-up to first paint, wall", times), ("same, CPU seconds of the process", cpu)):
        bare = table["bare PySide6 window"]
        print(f"{title:34} {'median s':>9} {'ratio':>6} {'pair ratios':>11}")
        for name, ts in table.items():
            ratios = [t / b for t, b in zip(ts, bare)]
            print(f"{name:34} {statistics.median(ts):9.3f} {statistics.median(ratios):6.2f} {spread(ratios):>11}")
        print()
    mbase = statistics.median(memory["bare PySide6 window"])
    print(f"{'resident memory (all tabs visited)':34} {'MiB':>9} {'ratio':>6}")
    for name, kib in memory.items():
        print(f"{name:34} {statistics.median(kib) / 1024:9.1f} {statistics.median(kib) / mbase:6.2f}")


if __name__ == "__main__":
    main()
