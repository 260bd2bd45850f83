"""Undo that writes: every command's redo and undo call db/ functions, so undo is itself a logged write.

Undo and redo refuse rather than overwrite: the db/ functions they call raise (db.undo.UndoRefused) when a newer
figure was written since. A refused undo or redo shows the message, writes nothing, and marks the command
obsolete, so QUndoStack drops it: redo can never write the stale figures later.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication

from db import PolicyTrackError


def _report(title: str, exc: Exception) -> None:
    from desktop import dialogs
    dialogs.show_error(QApplication.activeWindow(), title, str(exc))


class DbCommand(QUndoCommand):
    """A QUndoCommand from two callables. The first redo (on push) performs the action.

    If the first redo raises a db error (validation), the error propagates from ``push`` and the caller
    should not keep the command; ``push_db_command`` below handles that. A later redo or an undo that raises
    is reported ("无法重做" / "无法撤销") and makes the command obsolete.
    """

    def __init__(self, label: str, redo: Callable[[], object], undo: Callable[[], object]):
        super().__init__(label)
        self._redo = redo
        self._undo = undo
        self._pushed = False
        self.error: Exception | None = None
        self.result: object = None

    def redo(self) -> None:
        self.error = None
        try:
            self.result = self._redo()
        except PolicyTrackError as exc:
            self.error = exc
            self.setObsolete(True)
            if self._pushed:
                _report("无法重做", exc)
        self._pushed = True

    def undo(self) -> None:
        self.error = None
        try:
            self._undo()
        except PolicyTrackError as exc:
            self.error = exc
            self.setObsolete(True)
            _report("无法撤销", exc)


def push_db_command(stack, label: str, redo: Callable[[], object], undo: Callable[[], object]) -> object:
    """Perform ``redo`` through the undo stack; raise its db error (leaving the stack unchanged) if refused."""
    cmd = DbCommand(label, redo, undo)
    stack.push(cmd)
    if cmd.error is not None:
        raise cmd.error
    return cmd.result
