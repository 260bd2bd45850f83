"""Backups: SQLite's backup API into the backups folder, checked, thinned; restore backs the current data up first."""
from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from db import DatabaseLocked, backups, backups_dir, open_database, projects, seed, updates
from db.backups import BackupRefused
from db.subjects import Subject

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path):
    d = open_database(tmp_path / "pt.db", lock=True)
    seed.load_builtin(d)
    yield d
    d.close()


def a_project(db) -> int:
    return db.scalar("SELECT id FROM project ORDER BY id LIMIT 1")


def read(path, sql):
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return c.execute(sql).fetchone()[0]
    finally:
        c.close()


def test_backup_is_a_checked_owner_only_single_file_with_every_commit(db):
    pid = a_project(db)
    projects.edit(db, pid, note="写在备份之前")
    info = backups.backup_now(db, "manual")
    assert info.path.parent == backups_dir(db.path)
    assert info.size == info.path.stat().st_size > 0
    assert info.reason_label == "手动备份"
    # Everything committed is in it, although the live database keeps recent commits in its -wal file.
    assert read(info.path, "SELECT note FROM project WHERE id = " + str(pid)) == "写在备份之前"
    assert read(info.path, "PRAGMA quick_check") == "ok"
    assert not Path(str(info.path) + "-wal").exists()
    if os.name == "posix":
        assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(info.path.parent.stat().st_mode) == 0o700


def test_daily_backup_at_most_once_a_day(db):
    path = db.path
    db.close()
    db = open_database(path)  # a database opened again, not the one just created
    day = dt.datetime(2023, 7, 31, 9, 0)
    first = backups.on_open(db, now=day)
    assert first is not None and first.reason == "daily"
    assert backups.on_open(db, now=day + dt.timedelta(hours=5)) is None
    assert backups.on_open(db, now=day + dt.timedelta(days=1)) is not None
    assert len(backups.list_backups(db.path)) == 2
    db.close()


def test_new_and_memory_databases_are_not_backed_up_on_open(tmp_path):
    fresh = open_database(tmp_path / "new.db")
    assert backups.on_open(fresh) is None
    fresh.close()
    mem = open_database(":memory:")
    assert backups.on_open(mem) is None and backups.backup_before(mem, "import") is None
    assert backups.backup_if_changed(mem) is None


def test_periodic_backup_only_when_something_changed(db):
    first = backups.backup_if_changed(db)
    assert first is not None and first.reason == "periodic"
    assert backups.backup_if_changed(db) is None  # nothing written since
    updates.record(db, Subject("project", a_project(db)), "completed", "2023-07-31", value=12345)
    second = backups.backup_if_changed(db)
    assert second is not None and second.path != first.path
    assert read(second.path, "SELECT max(value) FROM progress_update WHERE value = 12345") == 12345
    assert backups.backup_if_changed(db) is None


def test_periodic_backup_notices_changes_after_a_restart(tmp_path, db):
    backups.backup_if_changed(db)
    path = db.path
    projects.edit(db, a_project(db), note="重启前最后一次修改")
    db.close()
    again = open_database(path)
    try:
        assert backups.backup_if_changed(again) is not None
    finally:
        again.close()


def test_backup_before_import_always_taken(db):
    a = backups.backup_before(db, "import")
    b = backups.backup_before(db, "exchange")
    assert a.reason == "import" and b.reason == "exchange" and a.path != b.path
    assert [x.path for x in backups.list_backups(db.path)] == [b.path, a.path]  # newest first


def test_backup_refused_inside_a_transaction(db):
    with pytest.raises(RuntimeError, match="transaction"):
        with db.transaction("project"):
            backups.backup_now(db, "manual")


def _make_backup_at(db, when: dt.datetime):
    return backups.backup_now(db, "periodic", now=when)


def test_thinning_keeps_today_one_per_day_for_a_month_then_one_per_month(db):
    now = dt.datetime(2023, 12, 20, 18, 0)
    made = []
    for when in [now - dt.timedelta(hours=h) for h in (1, 3, 5)]:                 # today: all kept
        made.append(_make_backup_at(db, when))
    for days in (1, 1, 2, 29, 29):                                                    # this month: 1 per day
        made.append(_make_backup_at(db, now - dt.timedelta(days=days, hours=days % 2)))
    for when in (dt.datetime(2023, 9, 3), dt.datetime(2023, 9, 27), dt.datetime(2023, 5, 1)):  # older: 1 per month
        made.append(_make_backup_at(db, when))
    removed = backups.thin(db.path, now=now)
    kept = backups.list_backups(db.path)
    kept_times = [b.taken_at for b in kept]
    assert sum(t.date() == now.date() for t in kept_times) == 3
    for days in (1, 2, 29):
        assert sum(t.date() == (now - dt.timedelta(days=days)).date() for t in kept_times) == 1
    assert sum((t.year, t.month) == (2023, 9) for t in kept_times) == 1
    assert dt.datetime(2023, 9, 27) in kept_times  # the newest of the month stays
    assert dt.datetime(2023, 5, 1) in kept_times
    assert len(removed) == 3 and all(not p.exists() for p in removed)
    assert len(kept) + len(removed) == len(made)


def test_thinning_never_touches_files_it_did_not_make(db):
    folder = backups_dir(db.path)
    backups.backup_now(db, "manual")
    mine = folder / "我自己放的副本.db"
    mine.write_bytes(b"x")
    old = dt.datetime(2020, 1, 1)
    _make_backup_at(db, old)
    _make_backup_at(db, old + dt.timedelta(hours=1))
    backups.thin(db.path)
    assert mine.exists()


def test_restore_backs_up_the_current_data_first_and_tells_listeners(db):
    pid = a_project(db)
    projects.edit(db, pid, note="旧")
    good = backups.backup_now(db, "manual")
    projects.edit(db, pid, note="备份之后的修改")
    heard = []
    db.subscribe(heard.append)
    result = backups.restore_into(db, good.path)
    assert db.scalar("SELECT note FROM project WHERE id = ?", (pid,)) == "旧"
    assert result.safety_backup is not None
    assert read(result.safety_backup, "SELECT note FROM project WHERE id = " + str(pid)) == "备份之后的修改"
    assert heard and "restore" in heard[-1]
    assert db.scalar("PRAGMA journal_mode") == "wal"
    assert db.scalar("PRAGMA quick_check") == "ok"
    log = db.query_one("SELECT action, summary FROM audit_log ORDER BY id DESC LIMIT 1")
    assert log["action"] == "backup.restore" and good.path.name in log["summary"]
    # Restoring is itself undoable: the safety backup brings the later edit back.
    backups.restore_into(db, result.safety_backup)
    assert db.scalar("SELECT note FROM project WHERE id = ?", (pid,)) == "备份之后的修改"


HOLD = """
import sys
sys.path.insert(0, {root!r})
from db import open_database
db = open_database({path!r}, lock=True)
print("held", flush=True)
sys.stdin.readline()
"""


def test_restore_refused_while_another_process_holds_the_database(tmp_path):
    path = tmp_path / "pt.db"
    db = open_database(path)
    seed.load_builtin(db)
    good = backups.backup_now(db, "manual")
    db.close()
    proc = subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT), path=str(path))],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        before = len(backups.list_backups(path))
        with pytest.raises(DatabaseLocked):
            backups.restore_file(path, good.path)
        reader = open_database(path, read_only=True)
        try:
            with pytest.raises(Exception, match="只读"):
                backups.restore_into(reader, good.path)
        finally:
            reader.close()
        assert len(backups.list_backups(path)) == before  # nothing was done, not even the safety backup
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    # The holder crashed: its stale lock no longer stands in the way.
    result = backups.restore_file(path, good.path)
    assert result.safety_backup is not None


def test_restore_file_replaces_a_damaged_database_and_keeps_the_damaged_one(tmp_path):
    path = tmp_path / "pt.db"
    db = open_database(path)
    seed.load_builtin(db)
    good = backups.backup_now(db, "manual")
    n = db.scalar("SELECT count(*) FROM progress_update")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    data[0:16] = b"garbage garbage!"
    path.write_bytes(bytes(data))
    damaged = bytes(data)
    result = backups.restore_file(path, good.path)
    assert result.damaged_moved_to is not None and result.damaged_moved_to.read_bytes() == damaged
    assert result.damaged_moved_to not in [b.path for b in backups.list_backups(path)]  # never offered
    db = open_database(path)
    try:
        assert db.scalar("SELECT count(*) FROM progress_update") == n
    finally:
        db.close()


@pytest.mark.parametrize("make,reason", [
    (lambda p: p.write_bytes(b""), "0 字节"),
    (lambda p: p.write_bytes(b"PK\x03\x04" + os.urandom(200)), "Excel"),
    (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)").connection.commit(), "其他软件"),
])
def test_restore_refuses_a_file_that_is_not_a_good_backup(db, tmp_path, make, reason):
    bad = tmp_path / "bad-backup.db"
    make(bad)
    pid = a_project(db)
    projects.edit(db, pid, note="现在的数据")
    count = len(backups.list_backups(db.path))
    with pytest.raises(BackupRefused, match=reason):
        backups.restore_into(db, bad)
    assert db.scalar("SELECT note FROM project WHERE id = ?", (pid,)) == "现在的数据"
    assert len(backups.list_backups(db.path)) == count


def test_newest_good_skips_damaged_backups(db):
    older = backups.backup_now(db, "manual", now=dt.datetime.now() - dt.timedelta(minutes=5))
    newer = backups.backup_now(db, "manual")
    newer.path.write_bytes(b"\x00" * 4096)
    assert backups.newest_good(db.path).path == older.path
