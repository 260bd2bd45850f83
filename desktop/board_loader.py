"""Board loads off the UI thread: a worker thread with its own read-only SQLite connection, results back by signal.

Small databases are loaded on the spot (a few milliseconds, and what is shown never lags behind an edit); from
``ASYNC_FROM`` active projects on, a load goes to a worker thread that keeps a ``db.board.Reader`` (a connection
of its own: a connection belongs to the thread that made it). Requests that pile up while it works are
coalesced: only the newest one runs, and a result that is no longer the newest is dropped.
"""
from __future__ import annotations

import queue
import threading
import weakref

from PySide6.QtCore import QObject, Signal

from db import Database, board

ASYNC_FROM = 2000


class _Emitter(QObject):
    # Lives in the GUI thread; emitting from the worker makes a queued connection to the loader.
    done = Signal(int, object)
    failed = Signal(int, str)


def _work(path: str, jobs: queue.Queue[tuple[int, board.Query] | None], emitter: _Emitter) -> None:
    reader = None
    try:
        while True:
            job = jobs.get()
            while job is not None and not jobs.empty():   # coalesce: only the newest request counts
                job = jobs.get_nowait()
            if job is None:
                return
            seq, q = job
            try:
                if reader is None:
                    reader = board.Reader(path)
                result = reader.load(q)
            except Exception as exc:  # reported to the GUI, which shows it; the thread keeps serving
                emitter.failed.emit(seq, str(exc))
                continue
            emitter.done.emit(seq, result)
    finally:
        if reader is not None:
            reader.close()


class BoardLoader(QObject):
    """``request(query)`` → ``loaded(result)`` (or ``failed(message)``), on the spot or from the worker."""

    loaded = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, db: Database, parent: QObject | None = None, *, async_from: int | None = None):
        super().__init__(parent)
        self.db = db
        self.async_from = ASYNC_FROM if async_from is None else async_from
        self._seq = 0
        self._busy = False
        self._jobs: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._emitter = _Emitter()           # no parent: the worker may still hold it after the loader is gone
        self._emitter.done.connect(self._on_done)
        self._emitter.failed.connect(self._on_failed)

    @property
    def busy(self) -> bool:
        return self._busy

    def uses_worker(self) -> bool:
        if self.db.path == ":memory:":
            return False
        return board.active_projects(self.db) >= self.async_from

    def request(self, q: board.Query) -> None:
        self._seq += 1
        if not self.uses_worker():
            try:
                result = board.load(self.db, q)
            except Exception as exc:
                self.failed.emit(str(exc))
                return
            self._set_busy(False)
            self.loaded.emit(result)
            return
        self._ensure_worker()
        self._set_busy(True)
        assert self._jobs is not None
        self._jobs.put((self._seq, q))

    def _ensure_worker(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._jobs = queue.Queue()
        self._thread = threading.Thread(target=_work, args=(self.db.path, self._jobs, self._emitter),
                                        name="board-loader", daemon=True)
        self._thread.start()
        # When the loader goes, tell its worker to close the connection and end.
        weakref.finalize(self, self._jobs.put, None)

    def close(self) -> None:
        """End the worker (it closes its connection in its own thread) and wait for it."""
        if self._jobs is not None:
            self._jobs.put(None)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None
        self._jobs = None

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def _on_done(self, seq: int, result: board.Result) -> None:
        if seq != self._seq:
            return        # a newer request is on its way
        self._set_busy(False)
        self.loaded.emit(result)

    def _on_failed(self, seq: int, message: str) -> None:
        if seq != self._seq:
            return
        self._set_busy(False)
        self.failed.emit(message)
