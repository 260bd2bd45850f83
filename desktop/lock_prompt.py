"""Opening the database as a person would want: who holds it, read-only on request, restore when damaged.

``open_interactively`` is what the GUI start-up calls; the questions go through ``ask_when_locked`` and the
dialog service, so tests answer them without clicking.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QStyle, QVBoxLayout, QWidget

from db import Database, DatabaseLocked, DatabaseRefused, backups, open_database
from db.lock import LockInfo
from desktop import dialogs

READ_ONLY, QUIT = "read_only", "quit"


class LockedPrompt(QDialog):
    """数据库正在被 张三（电脑 PC-01）使用，自 10:32 起 — 以只读方式打开 / 退出."""

    def __init__(self, holder: LockInfo, db_path: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.choice = QUIT
        self.setWindowTitle("数据库正在使用中")
        outer = QVBoxLayout(self)
        row = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(40, 40))
        row.addWidget(icon, 0)
        self.message = QLabel(holder.describe() + "。\n\n同一时间只能有一个人修改数据库。"
                              "您可以以只读方式打开查看数据，或者退出，等对方关闭后再打开。")
        self.message.setWordWrap(True)
        self.message.setMinimumWidth(380)
        row.addWidget(self.message, 1)
        outer.addLayout(row)
        where = QLabel(f"数据库：{db_path}")
        where.setStyleSheet("color: #5f6368;")
        where.setWordWrap(True)
        outer.addWidget(where)
        buttons = QDialogButtonBox()
        self.read_only_button = buttons.addButton("以只读方式打开", QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = buttons.addButton("退出", QDialogButtonBox.ButtonRole.RejectRole)
        self.read_only_button.clicked.connect(self._read_only)
        self.quit_button.clicked.connect(self.reject)
        self.read_only_button.setDefault(True)
        outer.addWidget(buttons)

    def _read_only(self) -> None:
        self.choice = READ_ONLY
        self.accept()


def ask_when_locked(parent: QWidget | None, holder: LockInfo, db_path: str | Path) -> bool:
    """True when the person chooses to open read-only (tests replace this function)."""
    prompt = LockedPrompt(holder, db_path, parent)
    prompt.exec()
    return prompt.choice == READ_ONLY


def open_interactively(path: str | Path, parent: QWidget | None = None) -> Database | None:
    """Open for writing with the lock; when someone else holds it, offer read-only; when the file is damaged and a
    good backup exists, offer to restore it. None when the person chose to quit (the reason was shown)."""
    path = Path(path)
    try:
        db = open_database(path, lock=True)
    except DatabaseLocked as exc:
        if not ask_when_locked(parent, exc.holder, path):
            return None
        db = open_database(path, read_only=True)
        db.read_only_reason = exc.holder.describe()
        return db
    except DatabaseRefused as exc:
        if exc.backup is None:
            dialogs.show_error(parent, "无法打开数据库", str(exc))
            return None
        question = (f"无法打开数据库 {path}：{exc.reason}。\n\n最近一份完好的备份是 {exc.backup_label}。"
                    "要从这份备份恢复吗？（原文件不会删除，会移到备份文件夹中。）")
        if not dialogs.confirm(parent, "无法打开数据库", question, default_yes=True):
            return None
        try:
            backups.restore_file(path, exc.backup)
            db = open_database(path, lock=True)
        except DatabaseRefused as again:
            dialogs.show_error(parent, "无法恢复", str(again))
            return None
    if not db.read_only:
        try:
            backups.on_open(db)
        except OSError as exc:
            dialogs.show_error(parent, "自动备份失败", f"今天的自动备份没有成功（{exc}）。数据库仍可正常使用。")
    return db
