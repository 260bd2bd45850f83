"""Time saving a 10,000-row month through db.recording.save_month against a bare executemany baseline.

    python bench/bench_save_month.py [--projects 10000] [--repeat 3]

Builds a database with bench.generate (built-in dataset + N projects with January–November figures), copies
it,
then on identical copies times:
  * baseline: the same progress_update rows inserted with one executemany in one BEGIN IMMEDIATE … COMMIT
    (no checks, no audit, no supersede lookup — the floor for writing those rows at all);
  * check_month: the plausibility checks alone (reads only);
  * save_month: checks + validated writes + audit entries, in one transaction.
Prints each median and the ratio save_month / baseline. Figures go in bench/README.md.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from db import open_database, plan, recording, targets, updates  # noqa: E402
from db.recording import ProjectEntry  # noqa: E402

AS_OF = "2023-12-31"


def month_entries(db, limit: int | None = None) -> list[ProjectEntry]:
    """December for every generated project: last month's YTD plus a plausible month, a stage move for ~10%."""
    rng = random.Random(7)
    stages = plan.stages(db)
    nov = updates.as_of(db, "project", "completed", "2023-11-30", since="2023-01-01")
    stage_now = updates.as_of(db, "project", "stage", "2023-11-30")
    plans = targets.as_of(db, "project", "annual_plan", AS_OF)
    ids = [r[0] for r in db.conn.execute("SELECT id FROM project WHERE active = 1 AND id IN"
                                         " (SELECT project_id FROM progress_update WHERE recorded_by = 'bench')"
                                         " ORDER BY id")]
    entries = []
    for pid in ids[:limit]:
        plan_wan = plans[pid]["value"]
        month = max(1, int(plan_wan / 12 * rng.uniform(0.5, 1.5)))
        entry = ProjectEntry(pid, completed_wan=nov[pid]["value"] + month)
        current = stage_now.get(pid, {}).get("text_value")
        if current in stages and stages.index(current) < len(stages) - 1 and rng.random() < 0.1:
            entry.stage = stages[stages.index(current) + 1]
        entries.append(entry)
    return entries


def accept_warnings(db, entries: list[ProjectEntry]) -> int:
    """Accept whatever the checks flag (as a user would, with a reason) so every row is saved."""
    flagged = 0
    for report, entry in zip(recording.check_month(db, AS_OF, entries), entries):
        if report.errors:
            raise SystemExit(f"generator produced a bad row: {report.label}: {report.message()}")
        if report.warnings:
            flagged += 1
            entry.accepted = {w.code: "基准数据：核实无误" for w in report.warnings}
    return flagged


def baseline_rows(db, entries: list[ProjectEntry]) -> list[tuple]:
    now, user = db.now(), db.user
    rows = []
    for e in entries:
        rows.append((e.project_id, "completed", AS_OF, e.completed_wan, None, now, user))
        if e.stage:
            rows.append((e.project_id, "stage", AS_OF, None, e.stage, now, user))
    return rows


def time_baseline(path: Path, entries: list[ProjectEntry]) -> float:
    db = open_database(path)
    try:
        rows = baseline_rows(db, entries)
        t = time.perf_counter()
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.executemany(
            "INSERT INTO progress_update (project_id, metric, as_of, value, text_value, source_kind, recorded_at,"
            " recorded_by) VALUES (?, ?, ?, ?, ?, 'typed', ?, ?)", rows)
        db.conn.execute("COMMIT")
        return time.perf_counter() - t
    finally:
        db.close()


def time_save(path: Path, entries: list[ProjectEntry]) -> tuple[float, float, int]:
    db = open_database(path)
    try:
        t = time.perf_counter()
        recording.check_month(db, AS_OF, entries)
        check = time.perf_counter() - t
        t = time.perf_counter()
        result = recording.save_month(db, AS_OF, entries)
        save = time.perf_counter() - t
        return check, save, len(result.written)
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--projects", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        t = time.perf_counter()
        generate(base, projects=args.projects, months=11)
        gen = time.perf_counter() - t
        db = open_database(base)
        entries = month_entries(db)
        flagged = accept_warnings(db, entries)
        n_updates = db.scalar("SELECT count(*) FROM progress_update")
        db.close()
        print(f"database: {args.projects} generated projects, {n_updates} updates (Jan–Nov), "
              f"generated in {gen:.1f} s")
        print(f"month: {len(entries)} rows for {AS_OF}, {sum(1 for e in entries if e.stage)} with a stage move, "
              f"{flagged} with warnings accepted")
        base_t, check_t, save_t, written = [], [], [], 0
        for i in range(args.repeat):
            for name in ("a.db", "b.db"):
                src = open_database(base)
                src.backup_to(Path(tmp) / f"{i}{name}")
                src.close()
            base_t.append(time_baseline(Path(tmp) / f"{i}a.db", entries))
            c, s, written = time_save(Path(tmp) / f"{i}b.db", entries)
            check_t.append(c)
            save_t.append(s)
        b, c, s = (statistics.median(x) for x in (base_t, check_t, save_t))
        src = open_database(base)
        small = month_entries(src, 200)
        accept_warnings(src, small)
        n_rows = len(baseline_rows(src, entries))
        src.backup_to(Path(tmp) / "small.db")
        src.close()
        _, s200, _ = time_save(Path(tmp) / "small.db", small)
        print(f"baseline executemany, one transaction: {b * 1000:8.1f} ms  ({n_rows} progress_update rows)")
        print(f"check_month (checks only):             {c * 1000:8.1f} ms")
        print(f"save_month (checks + writes + audit):  {s * 1000:8.1f} ms  ({written} rows written incl. audit links)")
        print(f"save_month 200 rows (grid-sized):      {s200 * 1000:8.1f} ms")
        print(f"ratio save_month / baseline:           {s / b:8.1f}x  (median of {args.repeat})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
