"""Fixtures of the safety tests."""
from __future__ import annotations

import pytest

from db import open_database, seed


@pytest.fixture
def db_path(tmp_path):
    """A database file holding the built-in dataset, closed (commands open it themselves)."""
    path = tmp_path / "pt.db"
    db = open_database(path)
    seed.load_builtin(db)
    db.close()
    return path
