"""Data-safety figures for docs/data-safety.md: crash kills, concurrent writers, backup/restore/check costs.

    python -m bench.data_safety [--kills 100] [--per-writer 1000] [--projects 10000]

Every timing comes with a baseline measured in the same run (this machine is shared): concurrent writers against
one writer doing the same number of updates; a backup against a plain file copy of the same file (which the app
never does: it would lose the -wal); the full check against quick_check; opening with lock + checks against a
bare sqlite3 connect + quick_check.
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


def crash(work: Path, kills: int) -> dict:
    path = work / "crash.db"
    harness.prepare(path)
    return harness.crash_rounds(path, kills).as_dict()


def writers(work: Path, per_writer: int) -> dict:
    one = work / "one.db"
    harness.prepare(one)
    single = harness.concurrent_writers(one, writers=1, per_writer=2 * per_writer)
    two = work / "two.db"
    harness.prepare(two)
    double = harness.concurrent_writers(two, writers=2, per_writer=per_writer)
    db = open_database(two)
    try:
        findings = check.run(db)
        stored = db.scalar("SELECT count(*) FROM progress_update WHERE note LIKE '进程%'")
    finally:
        db.close()
    errors = sum(r["n_errors"] for r in double["results"])
    return {"updates": 2 * per_writer, "stored": stored, "errors_reaching_user": errors,
            "check_findings": len(findings), "two_writers_s": round(double["seconds"], 2),
            "one_writer_same_updates_s": round(single["seconds"], 2),
            "ratio": round(double["seconds"] / single["seconds"], 2)}


def large(work: Path, projects: int) -> dict:
    from bench.generate import generate

    path = work / "large.db"
    generate(path, projects=projects)
    size = path.stat().st_size
    db = open_database(path, lock=True)
    try:
        copy_s = _median(lambda: shutil.copyfile(path, work / "plain-copy.db"))
        backup_s = _median(lambda: backups.backup_now(db, "manual"))
        newest = backups.list_backups(path)[0].path
        restore_s = _median(lambda: backups.restore_into(db, newest), runs=3)
        quick_s = _median(lambda: db.conn.execute("PRAGMA quick_check").fetchall())
        full_s = _median(lambda: check.run(db), runs=3)
    finally:
        db.close()

    def bare_open() -> None:
        c = sqlite3.connect(path)
        c.execute("PRAGMA quick_check").fetchall()
        c.close()

    def app_open() -> None:
        open_database(path, lock=True).close()

    bare_s = _median(bare_open)
    app_s = _median(app_open)
    return {"projects": projects, "file_mb": round(size / 2**20, 1),
            "backup_s": round(backup_s, 3), "plain_copy_s": round(copy_s, 3),
            "backup_ratio": round(backup_s / copy_s, 1), "restore_s": round(restore_s, 3),
            "check_s": round(full_s, 3), "quick_check_s": round(quick_s, 3),
            "check_ratio": round(full_s / quick_s, 1),
            "open_s": round(app_s, 3), "bare_open_s": round(bare_s, 3), "open_ratio": round(app_s / bare_s, 2)}


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
