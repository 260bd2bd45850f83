"""Start the desktop application: QApplication, fonts, crash handler, database, main window."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from db import PolicyTrackError, open_database, seed
from desktop import APP_NAME, APP_NAME_CN, fonts
from desktop.translations import install_translations
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
    install_translations(app)   # Qt's own buttons, dialogs and menus in Chinese
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

    from desktop.auto_backup import AutoBackup
    from desktop.lock_prompt import open_interactively

    app = make_app()
    window: list = []
    install_excepthook(lambda: window[0] if window else None)
    path = Path(db_path).expanduser() if db_path else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Takes the writer's lock; offers read-only when someone else holds it, restore when the file is damaged.
        db = open_interactively(path)
        if db is None:
            return 2
        if db.created:
            seed.load_builtin(db)
    except PolicyTrackError as exc:
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 2
    ctx = AppContext(db)
    main = MainWindow(ctx)
    window.append(main)
    auto_backup = AutoBackup(db, app)
    auto_backup.failed.connect(lambda text: main.statusBar().showMessage(text, 15_000))
    auto_backup.backed_up.connect(lambda info: main.statusBar().showMessage(f"已自动备份：{info.label}", 8_000))
    auto_backup.start()
    main.show()
    QTimer.singleShot(0, main.fit_to_screen)   # again once the real title bar and borders are known
    code = app.exec()
    auto_backup.stop()
    ctx.close()
    db.close()   # also releases the writer's lock
    return code
