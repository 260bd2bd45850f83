"""Long work off the UI thread, with a progress dialog that can cancel it; the result comes back on the UI thread.

The worker never touches a widget and never uses the GUI's database connection (a SQLite connection belongs to the
thread that made it): work that needs the database opens its own with ``worker_database``.
"""
from __future__ import annotations

import gc
import threading
from typing import Any, Callable

from PySide6.QtCore import QEventLoop, QObject, QThread, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from db import Database, open_database

# fn(progress, cancelled) -> result; progress(done, total, message); cancelled() -> bool
Work = Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any]


class _Worker(QObject):
    progressed = Signal(int, int, str)
    done = Signal(object, object)  # (result, exception)

    def __init__(self, fn: Work):
        super().__init__()
        self.fn = fn
        self.cancel_event = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(lambda d, t, m: self.progressed.emit(int(d), int(t), str(m)), self.cancel_event.is_set)
        except BaseException as exc:  # handed to the UI thread, which re-raises it
            self.done.emit(None, exc)
            return
        self.done.emit(result, None)


class _Receiver(QObject):
    """Lives on the UI thread, so the worker's signals are delivered there (a plain function would run on the
    worker's thread and touch widgets from it)."""

    def __init__(self, dialog: QProgressDialog, label: str, loop: QEventLoop):
        super().__init__()
        self.dialog = dialog
        self.label = label
        self.loop = loop
        self.outcome: dict[str, Any] = {}

    @Slot(int, int, str)
    def progressed(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))
        if message and not self.dialog.wasCanceled():
            self.dialog.setLabelText(f"{self.label}\n{message}")

    @Slot(object, object)
    def finished(self, result: Any, exc: Any) -> None:
        self.outcome["result"], self.outcome["error"] = result, exc
        self.loop.quit()


def run_in_background(parent: QWidget | None, title: str, label: str, fn: Work, *,
                      cancel_text: str = "取消") -> Any:
    """Run ``fn`` on a worker thread behind a modal, cancellable progress dialog; return its result or raise
    what it raised. Pressing 取消 asks the work to stop at its next check; the work decides what that means (an
    import rolls back)."""
    dialog = QProgressDialog(label, cancel_text, 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(420)
    thread = QThread()
    worker = _Worker(fn)
    worker.moveToThread(thread)
    loop = QEventLoop()
    receiver = _Receiver(dialog, label, loop)

    def on_cancel() -> None:
        worker.cancel_event.set()
        dialog.setLabelText("正在取消…")

    worker.progressed.connect(receiver.progressed, Qt.ConnectionType.QueuedConnection)
    worker.done.connect(receiver.finished, Qt.ConnectionType.QueuedConnection)
    dialog.canceled.connect(on_cancel)
    thread.started.connect(worker.run)
    # The cyclic garbage collector runs on whichever thread allocates when it triggers: on the worker it would
    # destroy unreachable Qt objects (closed windows, dialogs) off the UI thread, which crashes. Collect here
    # first and keep it off while the worker runs.
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    thread.start()
    try:
        if not receiver.outcome:
            loop.exec()
    finally:
        thread.quit()
        thread.wait()
        if gc_was_enabled:
            gc.enable()
        dialog.close()
        dialog.deleteLater()
        worker.deleteLater()
    outcome = receiver.outcome
    if outcome.get("error") is not None:
        raise outcome["error"]
    return outcome.get("result")


def worker_database(db: Database) -> Database:
    """A second connection to the GUI's database file, for use on the worker thread that opens it."""
    if db.path == ":memory:":
        raise RuntimeError("an in-memory database cannot be shared with a worker thread")
    # Never more than the GUI may do: a database the GUI holds read-only stays read-only for its workers too.
    other = open_database(db.path, migrate=False, read_only=bool(getattr(db, "read_only", False)))
    other.user = db.user
    return other
