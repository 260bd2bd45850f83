"""Every write the GUI makes, one small keyword-only function each.

An operation calls db/, pushes one undoable command on the context's QUndoStack (desktop.undo.DbCommand) and
reports a refusal the same way everywhere: a "未保存" message naming the reason, nothing written, None returned.
Undo and redo go through db.undo, which refuses rather than overwrites a newer figure. Widgets call these and
never db/ write functions or the undo stack themselves.

Imports (调度表, 交换包) and a restored backup are not undo steps: see desktop.operations.files for why and what
the user is told instead.
"""
from desktop.operations.core import refuse
from desktop.operations.figures import move_stage, save_month, set_target
from desktop.operations.files import import_exchange, import_xlsx, restore
from desktop.operations.structure import (add_cluster, add_project, edit_project, move_cluster, remove_cluster,
                                          remove_project, rename_cluster, save_settings)

__all__ = ["refuse", "set_target", "save_month", "move_stage", "edit_project", "add_project", "remove_project",
           "add_cluster", "rename_cluster", "remove_cluster", "move_cluster", "import_xlsx", "import_exchange",
           "restore", "save_settings"]
