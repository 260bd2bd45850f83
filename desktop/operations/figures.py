"""Writes of figures: a target revision, a month's figures (the grid or 记录更新), a stage move."""
from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from PySide6.QtWidgets import QWidget

from db import PolicyTrackError, board, recording, undo
from db.subjects import Subject
from desktop.operations.core import push, refuse


def set_target(*, ctx: Any, parent: QWidget | None, subject: Subject, metric: str, value: int | None, reason: str,
               doc_no: str, effective: dt.date | str, label: str) -> undo.TargetReceipt | None:
    """One dated target revision (生效日期 ``effective``). Undo revises back to the value in force before, unless
    a newer revision was written since (then refused, naming it); redo writes the same revision again."""
    state: dict[str, undo.TargetReceipt] = {}

    def do() -> undo.TargetReceipt:
        if "done" not in state:
            state["done"] = undo.set_target(ctx.db, subject, metric, value, reason=reason, doc_no=doc_no,
                                            effective=effective)
        else:
            state["done"] = undo.redo_target(ctx.db, state["done"], state["undone"])
        return state["done"]

    def back() -> None:
        state["undone"] = undo.undo_target(ctx.db, state["done"])

    return push(ctx, parent, label, do, back)


def save_month(*, ctx: Any, parent: QWidget | None, as_of: dt.date, entries: Sequence[Any],
               label: str | None = None) -> recording.SaveResult | None:
    """A month's figures in one transaction, as one undo step (db.recording.save_month). Undo writes superseding
    rows unless a newer figure was recorded since; redo writes the figures again with their accepted-warning
    reasons and original source, unless something newer was written over the undo."""
    try:
        if label is None:
            label = recording.describe(as_of, recording.check_month(ctx.db, as_of, list(entries)))
    except PolicyTrackError as exc:
        refuse(parent, exc)
        return None
    state: dict[str, Any] = {}

    def do() -> recording.SaveResult:
        if "result" not in state:
            state["result"] = recording.save_month(ctx.db, as_of, list(entries))
        else:
            state["result"] = recording.redo_save(ctx.db, state["result"], state.get("undone", ()))
        return state["result"]

    def back() -> None:
        state["undone"] = recording.undo_save(ctx.db, state["result"])

    return push(ctx, parent, label, do, back)


def move_stage(*, ctx: Any, parent: QWidget | None, project_ids: Sequence[int], stage: str, as_of: dt.date,
               note: str, label: str) -> int | None:
    """Move projects to ``stage`` at ``as_of`` (one update each, one undo step); returns how many moved."""
    moved: list[dict[str, Any]] = []
    undone: list[tuple[dict[str, Any], int]] = []

    def do() -> int:
        with ctx.db.transaction("update"):
            for m, uid in undone:   # redo: refused when a newer stage was recorded over the undo
                undo.check_newest_update(ctx.db, Subject("project", m["project"]), "stage", m["as_of"], uid, "重做")
            moved.clear()
            for pid in project_ids:
                moved.append(board.move_stage(ctx.db, pid, stage, as_of, note=note))
        undone.clear()
        return len(moved)

    def back() -> None:
        with ctx.db.transaction("update"):
            done = [(m, board.undo_stage(ctx.db, m)) for m in reversed(moved)]
        undone[:] = done

    return push(ctx, parent, label, do, back)
