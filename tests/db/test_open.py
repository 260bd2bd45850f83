"""open_database: new files, existing files, migrations, and files it must refuse without touching them."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import zipfile

import pytest

from db import DatabaseRefused, open_database, schema, seed
from db.connection import APPLICATION_ID


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_file_gets_schema_wal_and_owner_only(tmp_path):
    path = tmp_path / "new.db"
    db = open_database(path)
    assert db.created
    assert db.schema_version == schema.SCHEMA_VERSION
    assert db.scalar("PRAGMA application_id") == APPLICATION_ID
    assert db.scalar("PRAGMA journal_mode") == "wal"
    assert db.scalar("PRAGMA foreign_keys") == 1
    assert db.scalar("PRAGMA busy_timeout") >= 5000
    tables = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"plan_year", "cluster", "portfolio", "project", "milestone", "indicator", "target",
            "progress_update", "audit_log", "setting", "stage"} <= tables
    db.close()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_memory_database():
    db = open_database(":memory:")
    assert db.schema_version == schema.SCHEMA_VERSION
    seed.load_builtin(db)
    assert db.scalar("SELECT count(*) FROM portfolio") == 2


def test_existing_file_reopens_with_data_and_no_migration(tmp_path):
    path = tmp_path / "a.db"
    db = open_database(path)
    seed.load_builtin(db)
    n = db.scalar("SELECT count(*) FROM progress_update")
    db.close()
    db = open_database(path)
    assert not db.created and db.migrated_from is None
    assert db.scalar("SELECT count(*) FROM progress_update") == n
    assert not (tmp_path / "a-backups").exists()
    db.close()


def test_older_file_is_backed_up_then_migrated(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    db = open_database(path)
    seed.load_builtin(db)
    db.close()

    def v2(db):
        db.conn.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY) STRICT")

    current = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "_MIGRATIONS", schema._MIGRATIONS + [(current + 1, "test step", v2)])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)
    db = open_database(path)
    assert db.migrated_from == current and db.schema_version == current + 1
    assert db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'extra'") == 1
    backup = db.migration_backup
    assert backup is not None and backup.exists() and backup.parent.name == "old-backups"
    db.close()
    # The backup is a complete, checked copy of the file as it was before the step.
    b = sqlite3.connect(backup)
    assert b.execute("PRAGMA user_version").fetchone()[0] == current
    assert b.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert b.execute("SELECT count(*) FROM portfolio").fetchone()[0] == 2
    b.close()


def test_failed_migration_leaves_version_and_data(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    db = open_database(path)
    seed.load_builtin(db)
    db.close()

    def broken(db):
        db.conn.execute("CREATE TABLE half_done (id INTEGER PRIMARY KEY)")
        raise RuntimeError("power cut")

    current = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "_MIGRATIONS", schema._MIGRATIONS + [(current + 1, "broken", broken)])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)
    with pytest.raises(RuntimeError):
        open_database(path)
    monkeypatch.undo()
    db = open_database(path)
    assert db.schema_version == current
    assert db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'") == 0
    db.close()


def _make_newer(path):
    db = open_database(path)
    db.close()
    c = sqlite3.connect(path)
    c.execute("PRAGMA user_version = 99")
    c.commit()
    c.close()


def _make_foreign(path):
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    c.execute("INSERT INTO notes (body) VALUES ('hello')")
    c.commit()
    c.close()


def _make_xlsx(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")


def _make_garbled_header(path):
    db = open_database(path)
    seed.load_builtin(db)
    db.close()
    data = bytearray(path.read_bytes())
    data[0:16] = b"Not a database!!"
    path.write_bytes(bytes(data))


def _make_truncated(path):
    db = open_database(path)
    seed.load_builtin(db)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _make_garbled_page(path):
    db = open_database(path)
    seed.load_builtin(db)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    page = 4096
    # Scribble over the middle of every page after the first: b-tree pages become nonsense.
    for start in range(page, len(data), page):
        data[start + 8: start + 200] = os.urandom(192)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("maker,message", [
    (lambda p: p.write_bytes(b""), "0 字节"),
    (lambda p: p.write_bytes(os.urandom(5000)), "不是 SQLite"),
    (lambda p: p.write_text("项目名称,总投资\n长安,100\n", encoding="utf-8"), "不是 SQLite"),
    (_make_xlsx, "Excel"),
    (_make_foreign, "其他软件"),
    (_make_newer, "更新版本"),
    (_make_garbled_header, "不是 SQLite"),
    (_make_truncated, "截断"),
    (_make_garbled_page, "损坏"),
])
def test_bad_files_refused_and_untouched(tmp_path, maker, message):
    path = tmp_path / "bad.db"
    maker(path)
    for suffix in ("-wal", "-shm"):
        (tmp_path / ("bad.db" + suffix)).unlink(missing_ok=True)
    before = sha(path)
    with pytest.raises(DatabaseRefused) as e:
        open_database(path)
    assert message in str(e.value)
    assert str(path) in str(e.value)
    assert sha(path) == before


def test_directory_and_missing_folder_refused(tmp_path):
    with pytest.raises(DatabaseRefused, match="文件夹"):
        open_database(tmp_path)
    with pytest.raises(DatabaseRefused, match="文件夹不存在"):
        open_database(tmp_path / "nope" / "x.db")


def test_empty_sqlite_file_is_adopted(tmp_path):
    """An SQLite file with no tables and no application id (made by a sqlite3 shell) becomes ours."""
    path = tmp_path / "blank.db"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE t (x)")
    c.execute("DROP TABLE t")
    c.commit()
    c.close()
    assert path.stat().st_size > 0
    db = open_database(path)
    assert db.schema_version == schema.SCHEMA_VERSION
    assert db.scalar("PRAGMA application_id") == APPLICATION_ID
    db.close()
