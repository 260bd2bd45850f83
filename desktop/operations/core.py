"""The one way an operation writes (through the undo stack) and the one way it reports a refusal."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QWidget

from db import PolicyTrackError
from desktop import dialogs
from desktop.undo import push_db_command


def refuse(parent: QWidget | None, exc: Exception, title: str = "未保存") -> None:
    """Show why nothing was written (a db refusal, or input that did not parse)."""
    dialogs.show_error(parent, title, str(exc))


def push(ctx: Any, parent: QWidget | None, label: str, redo: Callable[[], Any], undo: Callable[[], Any], *,
         title: str = "未保存") -> Any | None:
    """Perform ``redo`` as one undo step; on refusal show the reason and return None (the stack unchanged)."""
    try:
        return push_db_command(ctx.undo_stack, label, redo, undo)
    except PolicyTrackError as exc:
        refuse(parent, exc, title)
        return None
