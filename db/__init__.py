"""PolicyTrack's data and domain layer: pure Python, no Qt, no matplotlib, no desktop/."""
from db.connection import Database, backups_dir, open_database, save_failure
from db.errors import (DatabaseLocked, DatabaseRefused, NotFoundError, PolicyTrackError, ReadOnlyError, SaveFailed,
                       ValidationError)

__all__ = ["Database", "open_database", "backups_dir", "DatabaseRefused", "DatabaseLocked", "NotFoundError",
           "PolicyTrackError", "ReadOnlyError", "SaveFailed", "ValidationError", "save_failure"]
