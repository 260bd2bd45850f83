"""Crash and concurrency harness shared by the safety tests and bench/data_safety.py.

A child process writes through db/ exactly as the application does and prints what it saved only after the
write returned (i.e. after COMMIT). The parent kills it at random moments and then checks that everything
printed is in the file, nothing is half-written, and the file is sound.
"""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BATCH = 5  # updates written together in one transaction (as an import does): all of them or none

WRITER = r"""
import json, random, sys
sys.path.insert(0, {root!r})
from db import open_database, projects, targets, updates
from db.subjects import Subject

rng = random.Random({seed})
db = open_database({path!r}, lock=True)
project_ids = [r["id"] for r in db.query("SELECT id FROM project WHERE active = 1")]
stages = [r["name"] for r in db.query("SELECT name FROM stage")]
print("ready", flush=True)
n = 0
while True:
    n += 1
    pid = rng.choice(project_ids)
    subject = Subject("project", pid)
    as_of = "2023-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28))
    op = rng.random()
    if op < 0.55:
        value = rng.randint(0, 10**7)
        uid = updates.record(db, subject, "completed", as_of, value=value, note="第%d次" % n)
        print(json.dumps({{"n": n, "update": uid, "value": value}}), flush=True)
    elif op < 0.65:
        stage = rng.choice(stages)
        uid = updates.record(db, subject, "stage", as_of, text_value=stage)
        print(json.dumps({{"n": n, "update": uid, "text": stage}}), flush=True)
    elif op < 0.75:
        value = rng.randint(0, 10**7)
        rid = targets.revise(db, subject, "annual_plan", value, reason="调整%d" % n)
        print(json.dumps({{"n": n, "target": rid, "value": value}}), flush=True)
    elif op < 0.85:
        note = "备注%d-%d" % ({seed}, n)
        projects.edit(db, pid, note=note)
        print(json.dumps({{"n": n, "project": pid, "note": note}}), flush=True)
    else:
        tag = "批次%d-%d" % ({seed}, n)
        ids = []
        with db.transaction("update"):
            for k in range({batch}):
                ids.append(updates.record(db, Subject("project", rng.choice(project_ids)), "completed", as_of,
                                          value=rng.randint(0, 10**7), note=tag))
        print(json.dumps({{"n": n, "batch": tag, "ids": ids}}), flush=True)
"""


@dataclass
class CrashStats:
    kills: int = 0
    updates_saved: int = 0      # distinct updates the writers reported as saved
    targets_saved: int = 0
    updates_checked: int = 0    # update look-ups after kills (each saved update is checked after every later kill)
    targets_checked: int = 0
    batches_checked: int = 0
    edits_checked: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    reopen_seconds: list[float] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"kills": self.kills, "updates_saved": self.updates_saved, "targets_saved": self.targets_saved,
                "updates_checked": self.updates_checked, "targets_checked": self.targets_checked,
                "batches_checked": self.batches_checked, "edits_checked": self.edits_checked,
                "problems": self.problems, "seconds": round(self.seconds, 1),
                "max_reopen_seconds": round(max(self.reopen_seconds, default=0), 3)}


def prepare(path: Path) -> None:
    from db import open_database, seed

    db = open_database(path)
    seed.load_builtin(db)
    db.close()


def _verify(path: Path, printed: list[dict], edits: dict[int, tuple[int, str]], inflight: dict[str, int],
            stats: CrashStats) -> None:
    """Open as the next start would (taking the dead writer's lock over) and check everything printed."""
    from db import check, open_database

    started = time.monotonic()
    db = open_database(path, lock=True)
    stats.reopen_seconds.append(time.monotonic() - started)
    try:
        found = check.run(db, full=False)
        stats.problems += [f"check: {f.message}" for f in found]
        updates = {r["id"]: r for r in db.query("SELECT id, value, text_value, note FROM progress_update")}
        revisions = {r["id"]: r["value"] for r in db.query("SELECT id, value FROM target")}
        for item in printed:
            if "update" in item:
                row = updates.get(item["update"])
                expected = item.get("value", item.get("text"))
                if row is None or expected not in (row["value"], row["text_value"]):
                    stats.problems.append(f"update {item} missing or different: {row}")
                stats.updates_checked += 1
            elif "target" in item:
                if revisions.get(item["target"]) != item["value"]:
                    stats.problems.append(f"target revision {item} missing")
                stats.targets_checked += 1
            elif "batch" in item:
                if any(i not in updates for i in item["ids"]):
                    stats.problems.append(f"batch {item['batch']} incomplete")
                stats.updates_checked += len(item["ids"])
                stats.batches_checked += 1
        # All or nothing, also for the batch the kill interrupted (printed or not).
        for tag, n in db.conn.execute("SELECT note, count(*) FROM progress_update WHERE note LIKE '批次%'"
                                      " GROUP BY note"):
            if n != BATCH:
                stats.problems.append(f"batch {tag} half-written: {n} of {BATCH} rows")
        # The newest printed edit of each project stands, unless the edit in flight when a later kill came
        # committed without being printed (then that one stands).
        for pid, (order, note) in edits.items():
            current = db.scalar("SELECT note FROM project WHERE id = ?", (pid,))
            if current != note and inflight.get(current, -1) < order:
                stats.problems.append(f"project {pid}: note {current!r}, expected {note!r}")
            stats.edits_checked += 1
    finally:
        db.close()


def crash_rounds(path: Path, kills: int, *, seed: int = 20231026, max_run: float = 0.4,
                 timeout: float = 60) -> CrashStats:
    """Start a writer, SIGKILL it after a random moment, verify; ``kills`` times."""
    rng = random.Random(seed)
    stats = CrashStats()
    printed: list[dict] = []
    edits: dict[int, tuple[int, str]] = {}
    inflight: dict[str, int] = {}
    started = time.monotonic()
    for round_no in range(kills):
        code = WRITER.format(root=str(ROOT), path=str(path), seed=seed * 1000 + round_no, batch=BATCH)
        # Unbuffered: a buffered readline() could swallow lines printed right after "ready", which communicate()
        # (reading the pipe itself) would then never see.
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                bufsize=0)
        try:
            line = proc.stdout.readline()
            if line.strip() != b"ready":
                stats.problems.append(f"writer did not start: {line!r} {proc.stderr.read()[-2000:]!r}")
                proc.kill()
                proc.wait(timeout)
                break
            time.sleep(rng.uniform(0.0, max_run))
            proc.send_signal(signal.SIGKILL)
            rest, err = proc.communicate(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout)
        if proc.returncode != -signal.SIGKILL:
            stats.problems.append(f"writer ended by itself ({proc.returncode}): {err[-2000:]!r}")
        stats.kills += 1
        text = rest.decode("utf-8", "replace")
        lines = text.split("\n")
        last_n = 0
        for line in lines[:-1]:  # the last piece may be a line cut by the kill
            item = json.loads(line)
            printed.append(item)
            last_n = item["n"]
            if "project" in item:
                edits[item["project"]] = (len(printed), item["note"])
        # What the writer was doing when it was killed may have committed: that note is allowed to stand.
        inflight["备注%d-%d" % (seed * 1000 + round_no, last_n + 1)] = len(printed)
        _verify(path, printed, edits, inflight, stats)
        if stats.problems:
            break
    stats.seconds = time.monotonic() - started
    stats.updates_saved = sum(1 for i in printed if "update" in i) + sum(len(i["ids"]) for i in printed if "batch" in i)
    stats.targets_saved = sum(1 for i in printed if "target" in i)
    return stats


CONCURRENT = r"""
import json, sys
sys.path.insert(0, {root!r})
from db import open_database, updates
from db.subjects import Subject

db = open_database({path!r})
ids = [r["id"] for r in db.query("SELECT id FROM indicator WHERE active = 1 ORDER BY id")]
print("ready", flush=True)
sys.stdin.readline()  # start together
errors = []
done = 0
for i in range({n}):
    value = {writer} * 1000000 + i
    try:
        updates.record(db, Subject("indicator", ids[i % len(ids)]), "value",
                       "2023-%02d-%02d" % (1 + i % 12, 1 + i % 28), value=value, note="进程{writer}")
        done += 1
    except Exception as exc:  # anything at all that would reach the user
        errors.append(type(exc).__name__ + ": " + str(exc))
db.close()
print(json.dumps({{"done": done, "errors": errors[:20], "n_errors": len(errors)}}), flush=True)
"""


def concurrent_writers(path: Path, writers: int, per_writer: int, timeout: float = 600) -> dict:
    """``writers`` processes recording ``per_writer`` updates each at the same time; returns what they report."""
    procs = []
    for w in range(1, writers + 1):
        code = CONCURRENT.format(root=str(ROOT), path=str(path), n=per_writer, writer=w)
        procs.append(subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    started = time.monotonic()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        if p.returncode != 0:
            results.append({"done": 0, "errors": [err[-2000:]], "n_errors": 1})
        else:
            results.append(json.loads(out.strip().splitlines()[-1]))
    return {"results": results, "seconds": time.monotonic() - started}

