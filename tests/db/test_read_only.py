"""Read-only files, folders and media open read-only with a reason to show, never a traceback."""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess

import pytest

from db import DatabaseRefused, ReadOnlyError, open_database, plan, seed, summary
from db.connection import READ_ONLY_CHOSEN


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def read_only(path):
    """Make a file or folder unwritable for this process: chmod for users, the immutable flag for root."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        pytest.skip("running as root where chattr +i is not available: cannot make a file read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture
def seeded(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "pt.db"
    db = open_database(path)
    seed.load_builtin(db)
    db.close()
    return path


def assert_reads_but_refuses_writes(db):
    assert db.read_only
    data = summary.standing(db, "2023-06-30", 2023)
    assert data["portfolios"][0]["annual_plan_yi"] == 399.0
    with pytest.raises(ReadOnlyError) as e:
        plan.create_plan_year(db, year=2030, district="测试区")
    assert "只读" in str(e.value) and db.read_only_reason in str(e.value)


def test_read_only_file_opens_read_only_with_reason(seeded):
    before = sha(seeded)
    with read_only(seeded):
        db = open_database(seeded, lock=True)
        try:
            assert db.read_only_reason == "文件是只读的"
            assert db.lock is None  # a reader does not keep others out
            assert_reads_but_refuses_writes(db)
        finally:
            db.close()
    assert sha(seeded) == before


def test_read_only_folder_opens_read_only_with_reason(seeded):
    before = sha(seeded)
    with read_only(seeded.parent):
        db = open_database(seeded, lock=True)
        try:
            assert db.read_only_reason == "文件所在的文件夹没有写入权限"
            assert_reads_but_refuses_writes(db)
        finally:
            db.close()
    assert sha(seeded) == before


def test_read_only_medium_opens_read_only_with_reason(seeded, tmp_path):
    mnt = tmp_path / "medium"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a file system is not permitted here")
    try:
        target = mnt / "pt.db"
        src = open_database(seeded)
        src.backup_to(target)
        src.close()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        db = open_database(target)
        try:
            assert db.read_only_reason == "文件所在的磁盘或介质是只读的"
            assert_reads_but_refuses_writes(db)
        finally:
            db.close()
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_chosen_read_only_sees_the_writers_newest_commits(seeded):
    writer = open_database(seeded, lock=True)
    reader = open_database(seeded, read_only=True)
    try:
        assert reader.read_only_reason == READ_ONLY_CHOSEN
        assert reader.scalar("PRAGMA query_only") == 1
        plan.create_plan_year(writer, year=2024, district="渝北区")
        assert reader.scalar("SELECT count(*) FROM plan_year WHERE year = 2024") == 1
        assert_reads_but_refuses_writes(reader)
    finally:
        reader.close()
        writer.close()


def test_read_only_never_creates_and_never_migrates(tmp_path, seeded, monkeypatch):
    with pytest.raises(DatabaseRefused, match="不存在"):
        open_database(tmp_path / "missing.db", read_only=True)
    assert not (tmp_path / "missing.db").exists()
    from db import schema
    monkeypatch.setattr(schema, "_MIGRATIONS", schema._MIGRATIONS + [(99, "later", lambda db: None)])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 99)
    before = sha(seeded)
    with pytest.raises(DatabaseRefused, match="需要升级"):
        open_database(seeded, read_only=True)
    assert sha(seeded) == before
