"""Data-safety figures for docs/data-safety.md: crash kills, concurrent writers, backup/restore/check costs.

    python -m bench.data_safety [--kills 100] [--per-writer 1000] [--projects 10000]

Every timing comes with a baseline doing the same work measured in the same run (this machine is shared), warmed
once and interleaved in A/B pairs, reported as the median ratio with its spread: concurrent writers against one
writer doing the same number of updates; a backup against a plain file copy of the same file (which the app never
does: it would lose the -wal); the full check against quick_check; opening with lock + checks against a bare
sqlite3 connect + quick_check. The restore has no baseline (its seconds are printed).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from db import backups, check, open_database
from tests.safety import harness


def _median(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _paired(fn_a, fn_b, pairs: int = 5) -> dict:
    """A against its baseline B: one warm-up of each, then ``pairs`` interleaved A/B runs (wall seconds: the work
    is file I/O and waiting). Medians of each side, the median of the pair ratios A/B and their spread."""
    fn_a()
    fn_b()
    a_s, b_s, ratios = [], [], []
    for _ in range(pairs):
        t = time.perf_counter()
        fn_a()
        a = time.perf_counter() - t
        t = time.perf_counter()
        fn_b()
        b = time.perf_counter() - t
        a_s.append(a)
        b_s.append(b)
        ratios.append(a / b)
    return {"a_s": round(statistics.median(a_s), 3), "b_s": round(statistics.median(b_s), 3),
            "ratio": round(statistics.median(ratios), 2), "spread": [round(min(ratios), 2), round(max(ratios), 2)]}


def crash(work: Path, kills: int) -> dict:
    path = work / "crash.db"
    harness.prepare(path)
    return harness.crash_rounds(path, kills).as_dict()


def writers(work: Path, per_writer: int, pairs: int = 3) -> dict:
    """Two processes writing ``per_writer`` updates each against one writing them all, on fresh databases,
    interleaved pairs."""
    runs = iter(range(10_000))

    def run(n_writers: int) -> dict:
        path = work / f"writers-{next(runs)}.db"
        harness.prepare(path)
        return harness.concurrent_writers(path, writers=n_writers, per_writer=2 * per_writer // n_writers) \
            | {"path": path}

    last: dict = {}

    def two() -> None:
        last.update(run(2))

    timing = _paired(two, lambda: run(1), pairs)
    db = open_database(last["path"])
    try:
        findings = check.run(db)
        stored = db.scalar("SELECT count(*) FROM progress_update WHERE note LIKE '进程%'")
    finally:
        db.close()
    errors = sum(r["n_errors"] for r in last["results"])
    return {"updates": 2 * per_writer, "stored": stored, "errors_reaching_user": errors,
            "check_findings": len(findings), "two_writers_s": timing["a_s"],
            "one_writer_same_updates_s": timing["b_s"], "ratio": timing["ratio"], "spread": timing["spread"]}


def large(work: Path, projects: int) -> dict:
    from bench.generate import generate

    path = work / "large.db"
    generate(path, projects=projects)
    size = path.stat().st_size
    db = open_database(path, lock=True)
    try:
        backup = _paired(lambda: backups.backup_now(db, "manual"),
                         lambda: shutil.copyfile(path, work / "plain-copy.db"))
        newest = backups.list_backups(path)[0].path
        restore_s = _median(lambda: backups.restore_into(db, newest), runs=3)
        full = _paired(lambda: check.run(db), lambda: db.conn.execute("PRAGMA quick_check").fetchall(), 3)
    finally:
        db.close()

    def bare_open() -> None:
        c = sqlite3.connect(path)
        c.execute("PRAGMA quick_check").fetchall()
        c.close()

    def app_open() -> None:
        open_database(path, lock=True).close()

    opening = _paired(app_open, bare_open)
    return {"projects": projects, "file_mb": round(size / 2**20, 1),
            "backup_s": backup["a_s"], "plain_copy_s": backup["b_s"], "backup_ratio": backup["ratio"],
            "backup_spread": backup["spread"], "restore_s": round(restore_s, 3),
            "check_s": full["a_s"], "quick_check_s": full["b_s"], "check_ratio": full["ratio"],
            "check_spread": full["spread"],
            "open_s": opening["a_s"], "bare_open_s": opening["b_s"], "open_ratio": opening["ratio"],
            "open_spread": opening["spread"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--per-writer", type=int, default=1000)
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--only", choices=["crash", "writers", "large"], help="run one part")
    args = ap.parse_args()
    parts = {"crash": lambda w: crash(w, args.kills), "writers": lambda w: writers(w, args.per_writer),
             "large": lambda w: large(w, args.projects)}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in parts.items():
            if args.only in (None, name):
                out[name] = run(Path(tmp))
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
