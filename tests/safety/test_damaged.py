"""Damaged or wrong files are refused with a clear message, left byte-for-byte as they were, and the newest good
backup is offered — and restoring it brings the data back."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import zipfile

import pytest

from db import DatabaseRefused, backups, backups_dir, open_database, seed


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _zero(path):
    path.write_bytes(b"")


def _truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbled_header(path):
    data = bytearray(path.read_bytes())
    data[0:16] = b"Not a database!!"
    path.write_bytes(bytes(data))


def _garbled_page(path):
    data = bytearray(path.read_bytes())
    for start in range(4096, len(data), 4096):
        data[start + 8: start + 200] = os.urandom(192)
    path.write_bytes(bytes(data))


def _xlsx(path):
    path.unlink()
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")


def _foreign(path):
    path.unlink()
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    c.execute("INSERT INTO notes (body) VALUES ('hello')")
    c.commit()
    c.close()


def _newer(path):
    c = sqlite3.connect(path)
    c.execute("PRAGMA user_version = 99")
    c.commit()
    c.close()


DAMAGES = [
    (_zero, "0 字节"),
    (_truncated, "截断"),
    (_garbled_header, "不是 SQLite"),
    (_garbled_page, "损坏"),
    (_xlsx, "Excel"),
    (_foreign, "其他软件"),
    (_newer, "更新版本"),
]


@pytest.mark.parametrize("damage,words", DAMAGES, ids=[d.__name__.strip("_") for d, _ in DAMAGES])
def test_damaged_file_refused_untouched_and_backup_offered(tmp_path, damage, words):
    path = tmp_path / "pt.db"
    db = open_database(path)
    seed.load_builtin(db)
    n_updates = db.scalar("SELECT count(*) FROM progress_update")
    good = backups.backup_now(db, "daily")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    # An older backup that is itself damaged must not be the one offered (neither would a newer damaged one).
    bad_backup = backups_dir(path) / (path.stem + "-20000101-000000-daily.db")
    bad_backup.write_bytes(b"\x00" * 8192)
    damage(path)
    for suffix in ("-wal", "-shm"):
        (tmp_path / ("pt.db" + suffix)).unlink(missing_ok=True)
    before = sha(path)
    folder_before = {p.name: sha(p) for p in backups_dir(path).iterdir()}

    with pytest.raises(DatabaseRefused) as e:
        open_database(path, lock=True)
    message = str(e.value)
    assert words in message and str(path) in message
    assert e.value.backup == good.path and "可以从备份恢复" in message and good.path.name in message
    assert sha(path) == before                                              # the file is untouched
    assert {p.name: sha(p) for p in backups_dir(path).iterdir()} == folder_before   # and so are the backups
    assert not (tmp_path / "pt.db.lock").exists()                           # no lock left behind
    assert not (tmp_path / "pt.db-wal").exists()

    # Taking the offer brings the data back; the damaged file is kept aside, not deleted.
    result = backups.restore_file(path, e.value.backup)
    db = open_database(path)
    try:
        assert db.scalar("SELECT count(*) FROM progress_update") == n_updates
    finally:
        db.close()
    if result.damaged_moved_to is not None:
        assert sha(result.damaged_moved_to) == before


def test_no_backup_no_offer(tmp_path):
    path = tmp_path / "pt.db"
    path.write_bytes(b"")
    with pytest.raises(DatabaseRefused) as e:
        open_database(path)
    assert e.value.backup is None and "备份" not in str(e.value)
