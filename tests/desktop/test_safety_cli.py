"""`policytrack backup / restore / check`: what they print, their exit codes, and that refusals change nothing."""
from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from db import backups, open_database, projects, seed

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "pt.db"
    db = open_database(path)
    seed.load_builtin(db)
    db.close()
    return path


def note_of_first_project(path):
    db = open_database(path)
    try:
        return db.scalar("SELECT note FROM project ORDER BY id LIMIT 1")
    finally:
        db.close()


def set_note(path, note):
    db = open_database(path)
    try:
        projects.edit(db, db.scalar("SELECT min(id) FROM project"), note=note)
    finally:
        db.close()


def test_backup_then_restore_round_trip(db_path, tmp_path):
    set_note(db_path, "备份时的备注")
    out = tmp_path / "copy.db"
    r = run("backup", str(out), "--db", str(db_path))
    assert r.returncode == 0, r.stderr
    assert "已备份到" in r.stdout and "KB" in r.stdout and "检查通过" in r.stdout
    assert note_of_first_project(out) == "备份时的备注"
    set_note(db_path, "之后改错了")
    r = run("restore", str(out), "--db", str(db_path))
    assert r.returncode == 0, r.stderr
    assert note_of_first_project(db_path) == "备份时的备注"
    safety = [line for line in r.stdout.splitlines() if line.startswith("恢复前的数据已备份到")]
    assert safety and note_of_first_project(safety[0].split("到 ", 1)[1].strip()) == "之后改错了"


def test_backup_replaces_an_older_backup_only_with_force_and_never_another_file(db_path, tmp_path):
    out = tmp_path / "copy.db"
    assert run("backup", str(out), "--db", str(db_path)).returncode == 0
    r = run("backup", str(out), "--db", str(db_path))  # yesterday's backup: replaced only when asked
    assert r.returncode == 2 and "--force" in r.stderr
    assert run("backup", str(out), "--db", str(db_path), "--force").returncode == 0
    precious = tmp_path / "报表.db"
    precious.write_bytes(b"PK\x03\x04 not ours")
    before = sha(precious)
    r = run("backup", str(precious), "--db", str(db_path))
    assert r.returncode == 2 and "不会覆盖" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert sha(precious) == before
    r = run("backup", str(db_path), "--db", str(db_path), "--force")
    assert r.returncode == 2 and "数据库本身" in r.stderr
    r = run("backup", str(tmp_path / "nope" / "x.db"), "--db", str(db_path))
    assert r.returncode == 2 and "文件夹不存在" in r.stderr


def test_backup_of_a_missing_database_is_refused_and_creates_nothing(tmp_path):
    r = run("backup", str(tmp_path / "out.db"), "--db", str(tmp_path / "missing.db"))
    assert r.returncode == 2 and "不存在" in r.stderr
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "out.db").exists()


def test_restore_refuses_a_bad_backup_and_changes_nothing(db_path, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"")
    before = sha(db_path)
    r = run("restore", str(bad), "--db", str(db_path))
    assert r.returncode == 2 and "0 字节" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert sha(db_path) == before and backups.list_backups(db_path) == []


def test_restore_refused_while_the_database_is_in_use(db_path, tmp_path):
    good = tmp_path / "good.db"
    assert run("backup", str(good), "--db", str(db_path)).returncode == 0
    holder = open_database(db_path, lock=True)
    try:
        set_note(db_path, "正在编辑")
        r = run("restore", str(good), "--db", str(db_path))
        assert r.returncode == 2 and "正在被" in r.stderr and holder.user in r.stderr
        assert note_of_first_project(db_path) == "正在编辑"
    finally:
        holder.close()


def test_check_clean_database_exits_zero(db_path):
    r = run("check", "--db", str(db_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "检查通过" in r.stdout


def test_check_prints_findings_and_exits_one(db_path):
    c = sqlite3.connect(db_path, isolation_level=None)
    c.execute("PRAGMA foreign_keys = OFF")
    c.execute("INSERT INTO progress_update (project_id, metric, as_of, value, source_kind, recorded_at,"
              " recorded_by) VALUES (9999, 'completed', '2023-07-31', 5, 'typed', 'x', 'y')")
    c.close()
    r = run("check", "--db", str(db_path))
    assert r.returncode == 1
    assert "#9999" in r.stdout and "[错误]" in r.stdout and "检查发现" in r.stdout


def test_check_of_a_damaged_file_is_a_refusal_offering_the_backup(db_path):
    db = open_database(db_path)
    good = backups.backup_now(db, "daily")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(db_path.read_bytes())
    data[0:16] = b"Not a database!!"
    db_path.write_bytes(bytes(data))
    r = run("check", "--db", str(db_path))
    assert r.returncode == 2 and good.path.name in r.stderr and "恢复" in r.stderr


def test_summary_takes_the_daily_backup(db_path):
    assert backups.list_backups(db_path) == []
    assert run("summary", "--db", str(db_path)).returncode == 0
    assert [b.reason for b in backups.list_backups(db_path)] == ["daily"]
    assert run("summary", "--db", str(db_path)).returncode == 0
    assert len(backups.list_backups(db_path)) == 1
