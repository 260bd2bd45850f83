"""Start the desktop application: QApplication, fonts, crash handler, database, main window."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from db import PolicyTrackError, open_database, seed
from desktop import APP_NAME, APP_NAME_CN, fonts
from desktop.paths import default_db_path


# Room around header and cell text so numbers and Chinese headings never touch their neighbours.
APP_STYLE = """
QHeaderView::section { padding: 3px 8px; }
QTableView::item, QTreeView::item { padding: 1px 6px; }
QToolBar { spacing: 4px; }
"""


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME_CN)
    app.setOrganizationName(APP_NAME)
    fonts.apply_app_font(app)
    app.setStyleSheet(APP_STYLE)
    return app


def open_or_seed(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(path)
    if db.created:
        seed.load_builtin(db)
    return db


def run(db_path: str | None) -> int:
    from desktop.app import AppContext
    from desktop.crash import install_excepthook
    from desktop.main_window import MainWindow

    app = make_app()
    window: list = []
    install_excepthook(lambda: window[0] if window else None)
    path = Path(db_path).expanduser() if db_path else default_db_path()
    try:
        db = open_or_seed(path)
    except PolicyTrackError as exc:
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 2
    ctx = AppContext(db)
    main = MainWindow(ctx)
    window.append(main)
    main.show()
    code = app.exec()
    ctx.close()
    db.close()
    return code
