"""Writes of structure: project fields, adding and removing projects, the 产业集群 tree, the settings."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QWidget

from db import clusters, projects, undo
from desktop.operations.core import push


def edit_project(*, ctx: Any, parent: QWidget | None, project_id: int, changes: dict[str, Any],
                 label: str) -> dict[str, tuple[Any, Any]] | None:
    """Edit project fields as one undo step; undo and redo refuse when a field was edited again since."""
    state: dict[str, Any] = {}

    def do() -> dict[str, tuple[Any, Any]]:
        if "diff" not in state:
            state["diff"] = undo.edit_project(ctx.db, project_id, changes)
        else:
            undo.redo_edit_project(ctx.db, project_id, state["diff"])
        return state["diff"]

    return push(ctx, parent, label, do, lambda: undo.undo_edit_project(ctx.db, project_id, state["diff"]))


def add_project(*, ctx: Any, parent: QWidget | None, portfolio_id: int, name: str, label: str) -> int | None:
    """A new project; undo removes it (its rows stay in the file), redo brings the same project back."""
    state: dict[str, int] = {}

    def do() -> int:
        if "id" in state:
            projects.restore(ctx.db, state["id"])
        else:
            state["id"] = projects.create(ctx.db, portfolio_id=portfolio_id, name=name)
        return state["id"]

    return push(ctx, parent, label, do, lambda: projects.remove(ctx.db, state["id"]))


def remove_project(*, ctx: Any, parent: QWidget | None, project_id: int, label: str) -> bool | None:
    return push(ctx, parent, label, lambda: projects.remove(ctx.db, project_id) or True,
                lambda: projects.restore(ctx.db, project_id))


def add_cluster(*, ctx: Any, parent: QWidget | None, parent_id: int | None, name: str, kind: str,
                label: str) -> int | None:
    state: dict[str, Any] = {}

    def do() -> int:
        if "removed" in state:
            clusters.restore(ctx.db, state["removed"])
            return state["id"]
        state["id"] = clusters.add_node(ctx.db, plan_year_id=ctx.plan_year["id"], parent_id=parent_id, name=name,
                                        kind=kind)
        return state["id"]

    def back() -> None:
        state["removed"] = clusters.remove(ctx.db, state["id"], confirmed=True)

    return push(ctx, parent, label, do, back)


def rename_cluster(*, ctx: Any, parent: QWidget | None, node_id: int, old: str, name: str,
                   label: str) -> bool | None:
    """Rename a node; undo and redo refuse when the name was changed again since."""
    state: dict[str, str] = {}

    def do() -> bool:
        undo.rename_cluster(ctx.db, node_id, name, expected=old, doing="重做" if state else "")
        state["stored"] = clusters.get(ctx.db, node_id)["name"]   # as db/ cleaned it
        return True

    def back() -> None:
        undo.rename_cluster(ctx.db, node_id, old, expected=state["stored"], doing="撤销")

    return push(ctx, parent, label, do, back)


def remove_cluster(*, ctx: Any, parent: QWidget | None, node_id: int, label: str) -> bool | None:
    state: dict[str, Any] = {}

    def do() -> bool:
        state["removed"] = clusters.remove(ctx.db, node_id, confirmed=True)
        return True

    return push(ctx, parent, label, do, lambda: clusters.restore(ctx.db, state["removed"]))


def move_cluster(*, ctx: Any, parent: QWidget | None, node_id: int, offset: int, label: str) -> bool | None:
    return push(ctx, parent, label, lambda: clusters.move(ctx.db, node_id, offset) or True,
                lambda: clusters.move(ctx.db, node_id, -offset))


def save_settings(*, ctx: Any, parent: QWidget | None, write: Callable[[Any], None]) -> undo.SettingsReceipt | None:
    """The 设置 dialog's writes (``write(db)`` calls db.settings / db.reporting setters) as one undo step; undo and
    redo refuse when a setting was changed again since."""
    state: dict[str, undo.SettingsReceipt] = {}

    def do() -> undo.SettingsReceipt:
        if "receipt" not in state:
            state["receipt"] = undo.save_settings(ctx.db, write)
        else:
            undo.redo_settings(ctx.db, state["receipt"])
        return state["receipt"]

    return push(ctx, parent, "修改设置", do, lambda: undo.undo_settings(ctx.db, state["receipt"]))
