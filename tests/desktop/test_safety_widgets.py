"""备份与恢复, 检查数据库, the read-only banner and the "in use" prompt, driven as a user would."""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from db import backups, check, lock, open_database, projects, seed
from desktop import dialogs, lock_prompt
from desktop.auto_backup import AutoBackup
from desktop.backup_dialog import COL_KIND, COL_SIZE, COL_TIME, BackupDialog
from desktop.banners import ReadOnlyBanner, StorageWarningBanner
from desktop.check_dialog import CheckDialog, run_check
from desktop.lock_prompt import LockedPrompt, open_interactively


@pytest.fixture
def db(tmp_path):
    d = open_database(tmp_path / "pt.db", lock=True)
    seed.load_builtin(d)
    yield d
    d.close()


@pytest.fixture
def answers(monkeypatch):
    """The dialog service answered by the test; every message shown is kept."""
    shown = {"confirm": [], "error": [], "info": [], "yes": True}

    def confirm(parent, title, text, **kw):
        shown["confirm"].append(text)
        return shown["yes"]

    monkeypatch.setattr(dialogs, "confirm", confirm)
    monkeypatch.setattr(dialogs, "show_error", lambda p, t, text: shown["error"].append(text))
    monkeypatch.setattr(dialogs, "show_info", lambda p, t, text: shown["info"].append(text))
    return shown


def first_note(db):
    return db.scalar("SELECT note FROM project ORDER BY id LIMIT 1")


def set_note(db, note):
    projects.edit(db, db.scalar("SELECT min(id) FROM project"), note=note)


def test_backup_dialog_lists_time_kind_size_and_backs_up_now(app, qtbot, db):
    backups.backup_now(db, "daily", now=dt.datetime(2023, 7, 30, 8, 15, 0))
    dialog = BackupDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, COL_TIME).text() == "2023-07-30 08:15:00"
    assert dialog.table.item(0, COL_KIND).text() == "每日自动备份"
    assert dialog.table.item(0, COL_SIZE).text().endswith("KB")
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, COL_KIND).text() == "手动备份"  # newest first
    assert "共 2 份" in dialog.folder_label.text()
    used = sum(b.size for b in backups.list_backups(db.path)) // 1024
    assert f"占用 {used} KB" in dialog.folder_label.text() and "上限 20.0 MB" in dialog.folder_label.text()


def test_restore_asks_first_then_restores_and_keeps_the_current_data(app, qtbot, db, answers):
    set_note(db, "上午的数据")
    backups.backup_now(db, "manual", now=dt.datetime.now() - dt.timedelta(minutes=10))
    set_note(db, "下午改错了")
    dialog = BackupDialog(db)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)

    answers["yes"] = False
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert answers["confirm"] and "先把当前数据备份" in answers["confirm"][0]
    assert first_note(db) == "下午改错了"  # said no: nothing happened
    assert dialog.table.rowCount() == 1

    answers["yes"] = True
    with qtbot.waitSignal(dialog.restored) as signal:
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert first_note(db) == "上午的数据"
    assert answers["info"] and signal.args[0].safety_backup.name in answers["info"][0]
    kinds = [dialog.table.item(r, COL_KIND).text() for r in range(dialog.table.rowCount())]
    assert "恢复备份前的数据" in kinds


def test_restore_button_disabled_when_read_only(app, qtbot, db):
    backups.backup_now(db, "manual")
    ro = open_database(db.path, read_only=True)
    try:
        dialog = BackupDialog(ro)
        qtbot.addWidget(dialog)
        dialog.table.selectRow(0)
        assert not dialog.restore_button.isEnabled()
        assert "只读" in dialog.restore_button.toolTip()
    finally:
        ro.close()


def test_check_dialog_all_passed(app, qtbot, db):
    dialog = run_check(db)
    qtbot.addWidget(dialog)
    assert dialog.summary_label.text().startswith("检查通过")
    assert dialog.table.rowCount() == len(check.CHECK_LABELS)
    assert {dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())} == {"通过"}
    assert not dialog.restore_button.isVisible()


def test_check_dialog_shows_findings_and_offers_restore_when_damaged(app, qtbot, tmp_path):
    path = tmp_path / "pt.db"
    d = open_database(path)
    seed.load_builtin(d)
    d.close()
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA foreign_keys = OFF")
    c.execute("INSERT INTO progress_update (project_id, metric, as_of, value, source_kind, recorded_at, recorded_by)"
              " VALUES (9999, 'completed', '2023-07-31', 5, 'typed', 'x', 'y')")
    c.close()
    d = open_database(path)
    dialog = run_check(d)
    d.close()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.summary_label.text().startswith("检查发现")
    texts = [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())]
    assert any("#9999" in t for t in texts)
    assert dialog.table.item(0, 0).text() == "错误"
    assert not dialog.restore_button.isVisible()

    damaged = CheckDialog([check.Finding("integrity", "数据库文件已损坏：row 3 missing from index x")])
    qtbot.addWidget(damaged)
    damaged.show()
    assert damaged.restore_button.isVisible() and "恢复" in damaged.advice_label.text()
    with qtbot.waitSignal(damaged.restore_requested):
        qtbot.mouseClick(damaged.restore_button, Qt.MouseButton.LeftButton)
    assert "row 3 missing" in damaged.text()


def _in_window(qtbot, banner):
    """Banners live at the top of the main window: show them inside one."""
    window = QWidget()
    QVBoxLayout(window).addWidget(banner)
    qtbot.addWidget(window)
    window.show()
    _windows.append(window)  # keep it (and so the banner) alive for the test
    return banner


_windows: list = []


def test_read_only_banner_shows_the_reason_and_hides_when_writable(app, qtbot, db):
    writable = _in_window(qtbot, ReadOnlyBanner.for_database(db))
    assert not writable.isVisible()
    ro = open_database(db.path, read_only=True)
    try:
        banner = _in_window(qtbot, ReadOnlyBanner.for_database(ro))
        assert banner.isVisible() and ro.read_only_reason in banner.label.text() and "不能保存" in banner.label.text()
        banner.set_reason(None)
        assert not banner.isVisible()
    finally:
        ro.close()
    storage = _in_window(qtbot, StorageWarningBanner.for_database(db))
    assert not storage.isVisible()
    storage.set_message("数据库位于OneDrive同步文件夹中")
    assert storage.isVisible()


def _holder():
    now = dt.datetime.now().astimezone()
    return lock.LockInfo(user="张三", host="PC-01", pid=1234, since=now.replace(hour=10, minute=32),
                         heartbeat=now, token="t")


@pytest.mark.parametrize("button,choice", [("read_only_button", "read_only"), ("quit_button", "quit")])
def test_locked_prompt_names_the_holder_and_offers_read_only_or_quit(app, qtbot, tmp_path, button, choice):
    prompt = LockedPrompt(_holder(), tmp_path / "pt.db")
    qtbot.addWidget(prompt)
    prompt.show()
    text = prompt.message.text()
    assert "张三" in text and "PC-01" in text and "10:32" in text
    assert prompt.read_only_button.text() == "以只读方式打开" and prompt.quit_button.text() == "退出"
    qtbot.mouseClick(getattr(prompt, button), Qt.MouseButton.LeftButton)
    assert prompt.choice == choice


def _lock_from_other_pc(path):
    now = dt.datetime.now().astimezone()
    lock.lock_path(path).write_text(json.dumps({"user": "张三", "host": "PC-01", "pid": 1234,
                                                "since": now.isoformat(), "heartbeat": now.isoformat(),
                                                "token": "t"}, ensure_ascii=False), encoding="utf-8")


def test_open_interactively_when_in_use(app, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "pt.db"
    d = open_database(path)
    seed.load_builtin(d)
    d.close()
    _lock_from_other_pc(path)
    asked = []
    monkeypatch.setattr(lock_prompt, "ask_when_locked", lambda parent, holder, p: asked.append(holder) or False)
    assert open_interactively(path) is None
    assert asked[0].user == "张三"
    monkeypatch.setattr(lock_prompt, "ask_when_locked", lambda parent, holder, p: True)
    ro = open_interactively(path)
    try:
        assert ro.read_only and "张三" in ro.read_only_reason
        assert ro.scalar("SELECT count(*) FROM portfolio") == 2
    finally:
        ro.close()
    assert lock.read(path).user == "张三"  # a reader never touches the holder's lock


def test_open_interactively_offers_the_backup_of_a_damaged_file(app, qtbot, tmp_path, answers):
    path = tmp_path / "pt.db"
    d = open_database(path)
    seed.load_builtin(d)
    backups.backup_now(d, "daily")
    d.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    d.close()
    path.write_bytes(b"")
    answers["yes"] = False
    assert open_interactively(path) is None and path.read_bytes() == b""
    answers["yes"] = True
    db = open_interactively(path)
    try:
        assert db is not None and db.lock is not None and db.scalar("SELECT count(*) FROM portfolio") == 2
        assert "每日自动备份" in answers["confirm"][-1]
    finally:
        db.close()


def test_open_interactively_without_backup_shows_the_reason(app, qtbot, tmp_path, answers):
    path = tmp_path / "pt.db"
    path.write_bytes(b"")
    assert open_interactively(path) is None
    assert answers["error"] and "0 字节" in answers["error"][0]


def test_auto_backup_only_after_changes(app, qtbot, db):
    auto = AutoBackup(db, interval_ms=60_000)
    with qtbot.waitSignal(auto.backed_up):
        auto.run_once()
    fired = []
    auto.backed_up.connect(fired.append)
    auto.run_once()
    assert fired == []
    set_note(db, "改了一处")
    auto.run_once()
    assert len(fired) == 1 and fired[0].reason == "periodic"
    auto.start()
    assert auto.timer.isActive() and auto.timer.interval() == 60_000
    auto.stop()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_dialog_backup_failure_is_reported_not_raised(app, qtbot, db, answers, monkeypatch):
    def fail(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "backup_now", fail)
    dialog = BackupDialog(db)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    assert answers["error"] and "没有备份成功" in answers["error"][0]
