"""Child process of bench_startup: start a window and print the wall-clock time of its first paint.

    python -m bench.startup_child bare
    python -m bench.startup_child app DB [--visit]

``bare``: QApplication + a QMainWindow holding one QLabel, shown. ``app``: PolicyTrack's real entry
(``desktop.cli.main(["--db", DB])``: argument parsing, the writer's lock, the backup check, the window), with one
hook added: an application-wide event filter that notes the first paint of a top-level window. With ``--visit``
every tab is shown once after the first paint (and its background loading waited for) before the resident memory
is printed. Prints two lines: the time of the first paint (time.time()) with the process's CPU seconds until then
(all threads), and VmRSS in KiB at the end.
"""
from __future__ import annotations

import sys
import time


def rss_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    mode = sys.argv[1]
    db_path = sys.argv[2] if len(sys.argv) > 2 else ""
    visit = "--visit" in sys.argv
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    painted: list[float] = []

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if not painted and event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
                painted.append(time.time())
                painted.append(time.process_time())
                QTimer.singleShot(0, after_paint)
            return False

    watcher = FirstPaint()

    def after_paint() -> None:
        app = QApplication.instance()
        app.removeEventFilter(watcher)
        if visit:
            from desktop.commands.screenshot import settle
            window = next(w for w in app.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible())
            for i in range(window.tabs.count()):
                window.tabs.setCurrentIndex(i)
                settle(app, window.tabs.widget(i), 60)
        print(f"{painted[0]:.6f} {painted[1]:.6f}", flush=True)
        print(rss_kib(), flush=True)
        app.quit()

    if mode == "bare":
        app = QApplication(sys.argv[:1])
        app.installEventFilter(watcher)
        window = QMainWindow()
        window.setCentralWidget(QLabel("PolicyTrack"))
        window.resize(1280, 800)
        window.show()
        app.exec()
        return
    import desktop.gui
    real_make_app = desktop.gui.make_app

    def make_app(argv=None):
        app = real_make_app(argv)
        app.installEventFilter(watcher)
        return app

    desktop.gui.make_app = make_app
    from desktop.cli import run
    run(["--db", db_path])


if __name__ == "__main__":
    main()
