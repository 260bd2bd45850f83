"""The application context every tab and dialog shares: the database, the as-of date, the undo stack, signals."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from db import Database, plan, reporting, settings, summary


class AppContext(QObject):
    """Owns the one database handle of the GUI thread and tells views when to refresh.

    Views listen to ``as_of_changed`` and ``data_changed``; they never call each other to refresh.
    """

    as_of_changed = Signal(object)     # datetime.date
    data_changed = Signal(object)      # frozenset of changed kinds ('project', 'target', 'update', ...)
    standing_ready = Signal()          # a standing computed off the GUI thread is in (see request_standing)

    # From this many active projects the standing is computed in a worker thread when a view asks for it
    # before the window is painted (the board's loader uses the same threshold): the window paints first.
    BACKGROUND_FROM = 2000

    def __init__(self, db: Database, *, as_of: dt.date | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.db = db
        # The name written into the audit log: the OS user unless overridden in the database's settings.
        db.user = settings.user_name(db)
        self._default_period: tuple[int, Any] | None = None
        if as_of is None:   # the default 报告期, in whichever year it falls (that year's default_period)
            self.plan_year, period = reporting.default_year_period(db)
            as_of = period.as_of
            self._default_period = (self.plan_year["id"], period)
        else:
            self.plan_year = plan.for_date(db, as_of)
        self.as_of: dt.date = as_of
        self.undo_stack = QUndoStack(self)
        self._standing: dict[str, Any] | None = None
        self._generation = 0                  # bumped when the date or the data change: older results are stale
        self._pending: int | None = None      # the generation a worker is computing
        self._relay = _Relay()
        self._relay.done.connect(self._standing_computed)
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
            self._generation += 1
            self.as_of_changed.emit(as_of)

    def standing(self) -> dict[str, Any]:
        """db.summary.standing at the current as-of date, computed once and shared by every view until the
        date or the data change."""
        if self._standing is None:
            self._standing = summary.standing(self.db, self.as_of, self.year, itemised=False)
        return self._standing

    def standing_now(self) -> dict[str, Any] | None:
        """The standing if it costs nothing to have now: cached, or a small database (computed on the spot);
        None for a large one not computed yet — then call ``request_standing`` and wait for ``standing_ready``."""
        if self._standing is None and self._large():
            return None
        return self.standing()

    def request_standing(self) -> None:
        """Compute the standing in a worker thread on a read-only connection of its own; ``standing_ready`` is
        emitted when it is in (a result overtaken by a change of date or data is dropped, and asked again)."""
        if self._standing is not None or self._pending == self._generation:
            return
        self._pending = generation = self._generation
        as_of, year, path, relay = self.as_of, self.year, self.db.path, self._relay

        def work() -> None:
            try:
                from db.board import open_reader
                reader = open_reader(path)
                try:
                    result = summary.standing(reader, as_of, year, itemised=False)
                finally:
                    reader.close()
            except Exception:   # the GUI thread computes it itself (and shows any error the usual way)
                result = None
            relay.done.emit(generation, result)

        threading.Thread(target=work, name="standing", daemon=True).start()

    def _standing_computed(self, generation: int, result: dict[str, Any] | None) -> None:
        if generation == self._pending:
            self._pending = None
        if generation != self._generation or self.signalsBlocked():   # stale, or the context was closed
            return
        if self._standing is None:
            self._standing = (result if result is not None
                              else summary.standing(self.db, self.as_of, self.year, itemised=False))
        self.standing_ready.emit()

    def _large(self) -> bool:
        if self.db.path == ":memory:":
            return False
        from db import board
        return board.active_projects(self.db) >= self.BACKGROUND_FROM

    def default_period(self) -> "reporting.Period":
        """db.reporting.default_period of the current plan year, computed once until the data change."""
        key = self.plan_year["id"]
        if self._default_period is None or self._default_period[0] != key:
            self._default_period = (key, reporting.default_period(self.db, self.plan_year))
        return self._default_period[1]

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
        self._generation += 1
        self._default_period = None
        if "plan_year" in kinds:
            self.plan_year = plan.current_plan_year(self.db, self.year)
        self.data_changed.emit(kinds)

    def close(self) -> None:
        """Stop listening and stop talking: after this no view hears from this context (the db may close)."""
        self._unsubscribe()
        self.undo_stack.clear()
        self.undo_stack.blockSignals(True)
        self.blockSignals(True)


class _Relay(QObject):
    # Lives in the GUI thread; a worker's emit reaches the context through a queued connection.
    done = Signal(int, object)
