"""Start the desktop application: QApplication, fonts, crash handler, database, main window."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def skip_pyside_source_scan() -> bool:
    """Stop PySide6 reading the source of every module imported after it; True when stopped.

    PySide6 replaces ``__import__`` to support its opt-in ``from __feature__ import snake_case`` syntax, and for
    every module imported later calls ``shibokensupport.feature._mod_uses_pyside``, which reads the module's
    whole source with ``inspect.getsource`` (kept by ``linecache``) to look for the word "PySide6". We never
    opt in, and for a module without that word (or without a source: extension modules, a frozen build) the
    answer is already "no", so answering "no" for all changes nothing but the cost: 22 MiB of cached source
    lines once the tabs and matplotlib are loaded, and a file read per import. The function is private to
    PySide6: when it is not there (another version), nothing is changed (tests/desktop/test_main_window.py
    notices)."""
    try:
        from shibokensupport import feature   # present once PySide6 is imported
    except ImportError:
        return False
    if not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = lambda module: False
    return True


skip_pyside_source_scan()

from db import PolicyTrackError, open_database  # noqa: E402  (after the scan is stopped)
from desktop import APP_NAME, APP_NAME_CN, fonts  # noqa: E402
from desktop.translations import install_translations  # noqa: E402
from desktop.paths import default_db_path  # noqa: E402


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
        from db import seed
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
            from db import seed
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
