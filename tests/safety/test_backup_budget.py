"""Backups keep what matters within a budget; stale half-written backups are removed; a future-dated backup is
flagged and not offered before today's."""
from __future__ import annotations

import datetime as dt
import os
import time

from db import backups, open_database

NOW = dt.datetime(2026, 6, 15, 12, 0, 0)


def make(db, when: dt.datetime, reason="manual"):
    return db.backup_to(backups._new_path(db.path, reason, when))


def test_retention_recent_daily_monthly(db_path):
    db = open_database(db_path)
    try:
        for h in range(20):  # 20 in the last day
            make(db, NOW - dt.timedelta(hours=h, minutes=1))
        for d in range(2, 40):  # two per day for older days
            make(db, NOW - dt.timedelta(days=d, hours=1))
            make(db, NOW - dt.timedelta(days=d, hours=3))
    finally:
        db.close()
    backups.thin(db_path, now=NOW, budget=10 ** 12)
    left = backups.list_backups(db_path)
    recent = [b for b in left if b.taken_at > NOW - dt.timedelta(hours=24)]
    newest = sorted(recent, key=lambda b: b.taken_at, reverse=True)[:backups.RECENT_MAX]
    assert [b.taken_at for b in newest] == [NOW - dt.timedelta(hours=h, minutes=1) for h in range(12)]
    beyond = [b for b in recent if b not in newest]  # past the count: one a day like older ones
    assert len(beyond) == len({b.taken_at.date() for b in beyond}) <= 2
    recent = newest
    days = {b.taken_at.date() for b in left if NOW - dt.timedelta(days=30) < b.taken_at <= NOW - dt.timedelta(days=1)}
    per_day = [b for b in left if b.taken_at.date() in days and b not in recent]
    assert len(per_day) == len(days)  # one a day
    old = [b for b in left if b.taken_at < NOW - dt.timedelta(days=31)]
    assert len({(b.taken_at.year, b.taken_at.month) for b in old}) == len(old)  # one a month


def test_size_budget_never_exceeded_and_newest_kept(db_path, monkeypatch):
    db = open_database(db_path)
    try:
        for h in range(8):
            make(db, NOW - dt.timedelta(hours=h))
    finally:
        db.close()
    one = backups.list_backups(db_path)[0].size
    monkeypatch.setenv("POLICYTRACK_BACKUP_BUDGET_MB", "1")
    assert backups.budget_bytes(db_path) == 1024 * 1024
    backups.thin(db_path, now=NOW)
    left = backups.list_backups(db_path)
    assert backups.space_used(db_path) <= 1024 * 1024 and left
    assert len(left) == (1024 * 1024) // one
    assert left[0].taken_at == NOW  # the newest survives
    monkeypatch.delenv("POLICYTRACK_BACKUP_BUDGET_MB")
    assert backups.budget_bytes(db_path) == 20 * max(os.path.getsize(db_path), 1024 * 1024)


def test_stale_part_files_removed_at_start(db_path):
    folder = backups.backups_dir(db_path)
    folder.mkdir(exist_ok=True)
    stale, fresh = folder / "pt-20260101-000000-daily.db.part", folder / "pt-20260102-000000-daily.db.part"
    stale.write_bytes(b"x" * 1000)
    fresh.write_bytes(b"x")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    db = open_database(db_path)
    try:
        backups.on_open(db)
    finally:
        db.close()
    assert not stale.exists() and fresh.exists()


def test_future_dated_backup_flagged_and_not_offered_first(db_path):
    db = open_database(db_path)
    try:
        now = dt.datetime.now()
        future = make(db, now + dt.timedelta(days=300))
        today = make(db, now - dt.timedelta(minutes=1))
    finally:
        db.close()
    infos = {b.path: b for b in backups.list_backups(db_path)}
    assert infos[future].future and "日期在未来" in infos[future].label
    assert not infos[today].future
    assert backups.newest_good(db_path).path == today


def test_newest_backup_is_chosen_by_the_changes_it_holds_not_by_its_name(db_path):
    """A backup whose file name is later (a copy renamed, a clock set wrong when it was written) but whose content
    stops earlier is not offered before the one that holds the later changes."""
    from db import settings

    db = open_database(db_path)
    try:
        now = dt.datetime.now().replace(microsecond=0)
        # (changes after the file was created, whose own audit rows carry the real time)
        db.clock = lambda: now + dt.timedelta(minutes=1)
        settings.put(db, "reporting_deadline_day", "6", "报送截止日 6")
        stale = make(db, now - dt.timedelta(minutes=5))            # named later, holds changes until now + 1 min
        db.clock = lambda: now + dt.timedelta(minutes=2)
        settings.put(db, "reporting_deadline_day", "7", "报送截止日 7")
        fresh = make(db, now - dt.timedelta(minutes=30))           # named earlier, holds the later change
    finally:
        db.close()
    infos = {b.path: b for b in backups.list_backups(db_path)}
    assert infos[stale].content_at == now + dt.timedelta(minutes=1)
    assert infos[fresh].content_at == now + dt.timedelta(minutes=2)
    assert not infos[stale].future and not infos[fresh].future
    assert backups.newest_good(db_path).path == fresh


def test_backup_dialog_shows_when_each_backups_data_ends(db_path, qtbot):
    from db import settings
    from desktop.backup_dialog import COL_HOLDS, COL_TIME, BackupDialog

    db = open_database(db_path)
    try:
        now = dt.datetime.now().replace(microsecond=0)
        db.clock = lambda: now + dt.timedelta(minutes=2)
        settings.put(db, "reporting_deadline_day", "6", "报送截止日 6")
        make(db, now - dt.timedelta(minutes=1))
        d = BackupDialog(db)
        qtbot.addWidget(d)
        assert d.table.horizontalHeaderItem(COL_HOLDS).text() == "数据截至"
        assert d.table.item(0, COL_HOLDS).text() == (now + dt.timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M:%S")
        assert d.table.item(0, COL_TIME).text() == (now - dt.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S")
    finally:
        db.close()
