"""Child process of bench_startup: show a window and print the wall-clock time of its first paint."""
from __future__ import annotations

import sys
import time


def main() -> None:
    mode, db_path = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                print(f"{time.time():.6f}", flush=True)
                QTimer.singleShot(0, QApplication.quit)
                obj.removeEventFilter(self)
            return False

    if mode == "bare":
        app = QApplication(sys.argv[:1])
        window = QMainWindow()
    else:
        from desktop.app import AppContext
        from desktop.gui import make_app, open_or_seed
        from desktop.main_window import MainWindow
        from pathlib import Path
        app = make_app(sys.argv[:1])
        window = MainWindow(AppContext(open_or_seed(Path(db_path))), restore_state=False)
    watcher = FirstPaint()
    window.installEventFilter(watcher)
    window.resize(1280, 800)
    window.show()
    app.exec()


if __name__ == "__main__":
    main()
