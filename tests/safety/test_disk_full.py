"""Disk full while saving: the user is told the change was NOT saved, earlier data is intact, and the same
connection saves again once there is room — no restart."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from db import SaveFailed, open_database, seed, updates
from db.subjects import Subject

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, os, resource, signal, sys
sys.path.insert(0, {root!r})
from db import SaveFailed, open_database, updates
from db.subjects import Subject

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
db = open_database({path!r})
pid = db.scalar("SELECT id FROM project ORDER BY id LIMIT 1")
subject = Subject("project", pid)
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
wal = os.path.getsize({path!r} + "-wal")
resource.setrlimit(resource.RLIMIT_FSIZE, (wal + 64 * 1024, hard))   # room for a few saves, then "disk full"
value = 7_000_000
while True:
    value += 1
    try:
        uid = updates.record(db, subject, "completed", "2023-08-31", value=value, note="备注" * 400)
    except SaveFailed as exc:
        print(json.dumps({{"failed": str(exc), "value": value, "in_transaction": db.conn.in_transaction}}),
              flush=True)
        break
    print(json.dumps({{"saved": uid, "value": value}}), flush=True)
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))             # space freed
uid = updates.record(db, subject, "completed", "2023-08-31", value=value, note="空间腾出后再保存")
print(json.dumps({{"saved_after": uid, "value": value}}), flush=True)
db.close()
"""


@pytest.fixture
def seeded(tmp_path):
    path = tmp_path / "pt.db"
    db = open_database(path)
    seed.load_builtin(db)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path




def test_file_size_limit_reported_data_intact_and_next_save_works(seeded):
    before = open_database(seeded)
    n_before = before.scalar("SELECT count(*) FROM progress_update")
    before.close()
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), path=str(seeded))],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    saved = [x for x in lines if "saved" in x]
    failed = [x for x in lines if "failed" in x]
    after = [x for x in lines if "saved_after" in x]
    assert len(failed) == 1 and len(after) == 1 and saved, out.stdout
    assert "没有保存" in failed[0]["failed"] and not failed[0]["in_transaction"]
    db = open_database(seeded)
    try:
        assert db.scalar("PRAGMA integrity_check") == "ok"
        ids = {r["id"] for r in db.query("SELECT id FROM progress_update")}
        assert {x["saved"] for x in saved} <= ids          # everything saved before the failure is there
        assert after[0]["saved_after"] in ids
        rows = db.query("SELECT note FROM progress_update WHERE value = ?", (failed[0]["value"],))
        assert [r["note"] for r in rows] == ["空间腾出后再保存"]  # the failed attempt left nothing behind
        assert db.scalar("SELECT count(*) FROM progress_update") == n_before + len(saved) + 1
        # The audit log agrees: one entry per stored update, none for the failed one.
        assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'update.record' AND after LIKE ?",
                         ('%"value": ' + str(failed[0]["value"]) + ",%",)) == 1
    finally:
        db.close()


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs is not permitted here (the RLIMIT_FSIZE test covers this)")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=True)


def test_full_tmpfs_reported_and_saving_works_after_space_is_freed(seeded, small_disk):
    src = open_database(seeded)
    path = small_disk / "pt.db"
    src.backup_to(path)
    src.close()
    db = open_database(path)
    try:
        subject = Subject("project", db.scalar("SELECT id FROM project ORDER BY id LIMIT 1"))
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        filler = small_disk / "filler.bin"
        filler.write_bytes(b"\0" * max(0, free - 48 * 1024))
        saved, value = [], 8_000_000
        with pytest.raises(SaveFailed, match="磁盘空间不足.*没有保存"):
            while True:
                value += 1
                saved.append(updates.record(db, subject, "completed", "2023-08-31", value=value, note="满" * 1500))
        assert not db.conn.in_transaction
        filler.unlink()
        uid = updates.record(db, subject, "completed", "2023-08-31", value=value, note="腾出空间后")
        assert db.scalar("PRAGMA integrity_check") == "ok"
        ids = {r["id"] for r in db.query("SELECT id FROM progress_update")}
        assert set(saved) <= ids and uid in ids
        assert [r["note"] for r in db.query("SELECT note FROM progress_update WHERE value = ?", (value,))] \
            == ["腾出空间后"]
    finally:
        db.close()


def test_save_failed_is_a_clear_error_for_other_storage_errors():
    import sqlite3

    from db.connection import save_failure

    class Fake(sqlite3.OperationalError):
        pass

    for code, words in ((13, "磁盘空间不足"), (10, "读写出错"), (8, "只读"), (5, "其他程序")):
        exc = Fake("x")
        exc.sqlite_errorcode = code
        failure = save_failure(exc)
        assert isinstance(failure, SaveFailed) and words in str(failure) and "没有保存" in str(failure)
    exc = Fake("no such table: x")
    exc.sqlite_errorcode = 1
    assert save_failure(exc) is None
