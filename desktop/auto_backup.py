"""The periodic backup: every 30 minutes, only when something was written since the newest backup."""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from db import Database, PolicyTrackError, backups


class AutoBackup(QObject):
    """Owns the QTimer; ``backed_up(BackupInfo)`` after a backup, ``failed(str)`` when one could not be made."""

    backed_up = Signal(object)
    failed = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None, *,
                 interval_ms: int = backups.PERIODIC_MINUTES * 60 * 1000):
        super().__init__(parent)
        self.db = db
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.run_once)

    def start(self) -> None:
        if not self.db.read_only and self.db.path != ":memory:":
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def run_once(self) -> None:
        if self.db.in_transaction:
            return  # never in the middle of a write; the next tick will do
        try:
            info = backups.backup_if_changed(self.db)
        except (PolicyTrackError, OSError) as exc:
            self.failed.emit(f"自动备份失败：{exc}")
            return
        if info is not None:
            self.backed_up.emit(info)
