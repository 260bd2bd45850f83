"""Where things live on this PC: the default database in the per-user data folder, logs beside it."""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from desktop import APP_NAME

DB_ENV = "POLICYTRACK_DB"


def data_dir() -> Path:
    d = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    d.mkdir(parents=True, exist_ok=True)
    return d


def default_db_path() -> Path:
    """``$POLICYTRACK_DB`` when set, else policytrack.db in the per-user data folder (never the install folder)."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return data_dir() / "policytrack.db"


def log_dir() -> Path:
    d = data_dir() / "logs"
    d.mkdir(parents=True, exist_ok=True)
    return d
