"""Writes from files: importing a 调度表 or a 交换包, restoring a backup.

These are not undo steps, and the UI says so when they finish: an import writes many rows in one transaction
through a background connection, and a restore replaces the whole file. Each takes a checked backup first
(db.backups.backup_before / restore_into), so the way back is 文件 → 备份与恢复. An import does not clear the undo
history: the earlier steps stay, and undoing one refuses (db.undo) when the import wrote newer figures over it.
A restore clears the undo history, since its steps describe data that is no longer there.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from db import backups

NOT_UNDOABLE = ("导入不能用“撤销”撤回（一次写入的行很多）。导入前已自动备份；如需撤回整次导入，"
                "请在“文件 → 备份与恢复”中恢复导入前的备份。")


def import_xlsx(*, ctx: Any, parent: QWidget | None, path: str | None = None) -> Any | None:
    """File dialog → read → preview → apply (desktop.exchange_ui); returns what was written, or None."""
    from desktop import exchange_ui
    return exchange_ui.import_xlsx(parent, ctx, path)


def import_exchange(*, ctx: Any, parent: QWidget | None, path: str | None = None) -> Any | None:
    from desktop import exchange_ui
    return exchange_ui.import_exchange(parent, ctx, path)


def restore(*, db: Any, path: Any) -> backups.RestoreResult:
    """Replace the data with a backup (a safety backup of the current data first). The caller reloads the context,
    which clears the undo history."""
    return backups.restore_into(db, path)
