"""Bars across the top of the main window: read-only (yellow, with the reason) and a network/sync-folder warning."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from db import Database

YELLOW = ("#fff4d6", "#7a5200", "#e0a100")   # background, text, border
ORANGE = ("#fde8d7", "#8a3b00", "#e65100")


class Banner(QFrame):
    """A coloured bar with one message; hidden while it has none."""

    def __init__(self, colours: tuple[str, str, str] = YELLOW, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        bg, ink, border = colours
        self.setStyleSheet(f"QFrame#banner {{ background: {bg}; border-bottom: 1px solid {border}; }}"
                           f" QFrame#banner QLabel {{ color: {ink}; }}")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 6, 12, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.label, 1)
        self.set_message("")

    def set_message(self, text: str) -> None:
        self.label.setText(text)
        self.setVisible(bool(text))


class ReadOnlyBanner(Banner):
    """只读: why the database is read-only; nothing typed can be saved while it shows."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(YELLOW, parent)

    def set_reason(self, reason: str | None) -> None:
        self.reason = reason or ""
        self.set_message(f"只读方式打开：{reason}。可以查看数据，但不能保存修改。" if reason else "")

    @classmethod
    def for_database(cls, db: Database, parent: QWidget | None = None) -> "ReadOnlyBanner":
        banner = cls(parent)
        banner.set_reason(db.read_only_reason if db.read_only else None)
        return banner


class StorageWarningBanner(Banner):
    """The database lives on a network share or in a sync folder (db.location)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(ORANGE, parent)

    @classmethod
    def for_database(cls, db: Database, parent: QWidget | None = None) -> "StorageWarningBanner":
        banner = cls(parent)
        banner.set_message(db.storage_warning or "")
        return banner
