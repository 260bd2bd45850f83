"""Shared fixtures: offscreen Qt before anything imports it, a fresh database per test."""
from __future__ import annotations

import os
import sys
from pathlib import Path

# Qt must see this before it loads, or pytest aborts on a machine with no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db import Database, open_database, seed  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_user_data(tmp_path_factory, monkeypatch):
    """Keep every test away from the real per-user data folder and the real default database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("POLICYTRACK_DB", str(home / "default.db"))


@pytest.fixture
def empty_db(tmp_path) -> Database:
    """A new database file with the schema and nothing in it."""
    db = open_database(tmp_path / "empty.db")
    yield db
    db.close()


@pytest.fixture
def builtin_db(tmp_path) -> Database:
    """A new database file holding the built-in 渝北 2023 dataset."""
    db = open_database(tmp_path / "yubei.db")
    seed.load_builtin(db)
    yield db
    db.close()


@pytest.fixture
def app(qapp):
    """The one QApplication of the run, with the bundled font as its default."""
    from desktop import fonts
    fonts.apply_app_font(qapp)
    return qapp


@pytest.fixture
def ctx(app, builtin_db):
    from desktop.app import AppContext
    c = AppContext(builtin_db)
    yield c
    c.close()


@pytest.fixture
def window(ctx, qtbot):
    from desktop.main_window import MainWindow
    w = MainWindow(ctx, restore_state=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()
