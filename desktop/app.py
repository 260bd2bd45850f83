"""The application context every tab and dialog shares: the database, the as-of date, the undo stack, signals."""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from db import Database, plan, settings, summary


class AppContext(QObject):
    """Owns the one database handle of the GUI thread and tells views when to refresh.

    Views listen to ``as_of_changed`` and ``data_changed``; they never call each other to refresh.
    """

    as_of_changed = Signal(object)     # datetime.date
    data_changed = Signal(object)      # frozenset of changed kinds ('project', 'target', 'update', ...)

    def __init__(self, db: Database, *, as_of: dt.date | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.db = db
        # The name written into the audit log: the OS user unless overridden in the database's settings.
        db.user = settings.user_name(db)
        if as_of is None:   # the default 报告期, in whichever year it falls
            self.plan_year, as_of = summary.resolve_as_of(db, None)
        else:
            self.plan_year = plan.for_date(db, as_of)
        self.as_of: dt.date = as_of
        self.undo_stack = QUndoStack(self)
        self._standing: dict[str, Any] | None = None
        self._unsubscribe = db.subscribe(self._on_db_write)

    @property
    def year(self) -> int:
        return int(self.plan_year["year"])

    def set_as_of(self, as_of: dt.date) -> None:
        if as_of != self.as_of:
            if as_of.year != self.year:                       # the date names its plan year
                self.plan_year = plan.for_date(self.db, as_of)
            self.as_of = as_of
            self._standing = None
            self.as_of_changed.emit(as_of)

    def standing(self) -> dict[str, Any]:
        """db.summary.standing at the current as-of date, computed once and shared by every view until the
        date or the data change."""
        if self._standing is None:
            self._standing = summary.standing(self.db, self.as_of, self.year)
        return self._standing

    ALL_KINDS = frozenset({"plan_year", "cluster", "portfolio", "project", "indicator", "target", "update",
                           "setting", "stage", "seed", "restore"})

    def reload(self) -> None:
        """After the file changed under us (a backup restored): forget cached state and refresh every view.

        The undo history is cleared: its commands describe a database that no longer exists.
        """
        self.undo_stack.clear()
        self._on_db_write(self.ALL_KINDS)

    def notify(self, kinds: frozenset[str]) -> None:
        """Tell every view that another connection (a worker thread's) committed a write of ``kinds``."""
        self._on_db_write(frozenset(kinds))

    def _on_db_write(self, kinds: frozenset[str]) -> None:
        self._standing = None
        if "plan_year" in kinds:
            self.plan_year = plan.current_plan_year(self.db, self.year)
        self.data_changed.emit(kinds)

    def close(self) -> None:
        """Stop listening and stop talking: after this no view hears from this context (the db may close)."""
        self._unsubscribe()
        self.undo_stack.clear()
        self.undo_stack.blockSignals(True)
        self.blockSignals(True)
