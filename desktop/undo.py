"""Undo that writes: every command's redo and undo call db/ functions, so undo is itself a logged write."""
from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QUndoCommand

from db import PolicyTrackError


class DbCommand(QUndoCommand):
    """A QUndoCommand from two callables. The first redo (on push) performs the action.

    If the first redo raises a db error (validation), the error propagates from ``push`` and the caller
    should not keep the command; ``push_db_command`` below handles that.
    """

    def __init__(self, label: str, redo: Callable[[], object], undo: Callable[[], object]):
        super().__init__(label)
        self._redo = redo
        self._undo = undo
        self.error: Exception | None = None
        self.result: object = None

    def redo(self) -> None:
        self.error = None
        try:
            self.result = self._redo()
        except PolicyTrackError as exc:
            self.error = exc
            self.setObsolete(True)

    def undo(self) -> None:
        self._undo()


def push_db_command(stack, label: str, redo: Callable[[], object], undo: Callable[[], object]) -> object:
    """Perform ``redo`` through the undo stack; raise its db error (leaving the stack unchanged) if refused."""
    cmd = DbCommand(label, redo, undo)
    stack.push(cmd)
    if cmd.error is not None:
        raise cmd.error
    return cmd.result
