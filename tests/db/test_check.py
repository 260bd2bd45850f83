"""检查数据库: a sound database has no findings; each kind of damage is found and named."""
from __future__ import annotations

import sqlite3

import pytest

from db import check, open_database, seed


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "pt.db"
    db = open_database(p)
    seed.load_builtin(db)
    db.close()
    return p


def tamper(path, *statements, params=()):
    """Write behind the data layer's back (as a broken tool or a bad disk would), bypassing its checks."""
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA foreign_keys = OFF")
    c.execute("PRAGMA ignore_check_constraints = ON")
    for sql in statements:
        c.execute(sql, params)
    c.close()


def findings(path, **kw):
    db = open_database(path)
    try:
        return check.run(db, **kw)
    finally:
        db.close()


def codes(found):
    return sorted({f.code for f in found})


def test_builtin_dataset_is_sound(path):
    assert findings(path) == []
    db = open_database(path)
    assert check.summary_text([]).startswith("检查通过")
    db.close()


UPDATE = ("INSERT INTO progress_update (project_id, metric, as_of, value, source_kind, recorded_at, recorded_by)"
          " VALUES (?, 'completed', ?, ?, 'typed', '2023-08-01 10:00:00', '测试员')")


def test_update_for_a_missing_project(path):
    tamper(path, UPDATE, params=(9999, "2023-07-31", 100))
    found = findings(path)
    refs = [f for f in found if f.code == "reference"]
    assert len(refs) == 1 and refs[0].table == "progress_update" and "#9999" in refs[0].message
    assert "重点项目" in refs[0].message
    # SQLite's foreign_key_check sees the same row; it is reported once, in our words.
    assert not any(f.code == "foreign_key" and f.row_id == refs[0].row_id for f in found)


def test_every_declared_reference_is_checked(path):
    """The references come from the schema (sqlite-utils introspection), so newer tables are covered too."""
    db = open_database(path)
    try:
        declared = check.references(db)
        assert ("progress_note", "project_id", "project", "id") in declared
        assert ("progress_update", "project_id", "project", "id") in declared
        assert not db.conn.in_transaction
        assert db.scalar("PRAGMA recursive_triggers") == 0   # the connection's own settings are untouched
    finally:
        db.close()
    tamper(path, "INSERT INTO progress_note (project_id, as_of, text, source_kind, recorded_at, recorded_by)"
                 " VALUES (9999, '2023-07-31', '开工', 'typed', '2023-08-01 10:00:00', '测试员')")
    refs = [f for f in findings(path) if f.code == "reference"]
    assert len(refs) == 1 and refs[0].table == "progress_note"
    assert refs[0].message.startswith("本月进展 #") and "所属的重点项目 #9999 不存在" in refs[0].message


def test_negative_year_to_date(path):
    db = open_database(path)
    iid, name = db.query_one("SELECT id, name FROM indicator WHERE accumulation = 'cumulative'"
                             " AND unit NOT IN ('%', '百分点') ORDER BY id LIMIT 1").values()
    db.close()
    tamper(path, "INSERT INTO progress_update (indicator_id, metric, as_of, value, source_kind, recorded_at,"
                 " recorded_by) VALUES (?, 'value', '2023-07-31', -5, 'typed', 'x', 'y')", params=(iid,))
    found = [f for f in findings(path) if f.code == "negative"]
    assert len(found) == 1 and name in found[0].message and "-5" in found[0].message


def test_target_without_reason_and_without_audit_entry(path):
    tamper(path, "INSERT INTO target (plan_year_id, portfolio_id, metric, value, effective_from, reason, revised_at,"
                 " revised_by) VALUES (1, 1, 'annual_plan', 5, '2023-01-01', '  ', '2023-09-09 09:09:09', 'x')")
    found = findings(path)
    assert codes(found) == ["audit", "target_reason"]
    assert all(f.table == "target" for f in found)


def test_update_without_audit_entry(path):
    db = open_database(path)
    pid = db.scalar("SELECT id FROM project ORDER BY id LIMIT 1")
    db.close()
    tamper(path, UPDATE, params=(pid, "2023-07-31", 500))
    found = findings(path)
    assert codes(found) == ["audit"] and found[0].table == "progress_update"


def test_update_outside_its_plan_year_and_unknown_stage(path):
    db = open_database(path)
    pid = db.scalar("SELECT id FROM project ORDER BY id LIMIT 1")
    db.close()
    tamper(path, "INSERT INTO progress_update (project_id, metric, as_of, text_value, source_kind, recorded_at,"
                 " recorded_by) VALUES (?, 'stage', '2024-03-31', '烂尾', 'typed', 'x', 'y')", params=(pid,))
    found = findings(path)
    assert {"date_in_year", "stage"} <= set(codes(found))
    assert any("2024-03-31" in f.message for f in found if f.code == "date_in_year")


def test_cluster_cycle_and_name_key(path):
    db = open_database(path)
    a, b = [r["id"] for r in db.query("SELECT id FROM cluster WHERE parent_id IS NOT NULL ORDER BY id LIMIT 2")]
    db.close()
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("UPDATE cluster SET parent_id = ? WHERE id = ?", (b, a))
    c.execute("UPDATE cluster SET parent_id = ? WHERE id = ?", (a, b))
    c.execute("UPDATE project SET name_key = 'wrong' WHERE id = (SELECT min(id) FROM project)")
    c.close()
    assert {"cluster_tree", "name_key"} <= set(codes(findings(path)))


def test_bad_settings(path):
    tamper(path, "UPDATE setting SET value = 'abc' WHERE key = 'status_green_from'",
           "UPDATE setting SET value = 'week' WHERE key = 'time_progress_mode'")
    found = [f for f in findings(path) if f.code == "setting"]
    assert len(found) == 2


def test_damaged_index_found_by_full_integrity_check(path):
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("CREATE INDEX damaged_index ON project(name)")
    version = c.execute("PRAGMA schema_version").fetchone()[0]
    c.execute("PRAGMA writable_schema = ON")
    # The index now claims to sort by another column than the one it holds: only a full check notices.
    c.execute("UPDATE sqlite_master SET sql = replace(sql, 'project(name)', 'project(created_at)')"
              " WHERE name = 'damaged_index'")
    c.execute("PRAGMA schema_version = " + str(int(version) + 1))
    c.close()
    assert findings(path, full=False) == []  # quick_check does not look inside indexes
    found = findings(path)
    assert found and all(f.code == "integrity" for f in found)
    assert "damaged_index" in found[0].message
    assert check.summary_text(found).startswith("检查发现")


def test_row_breaking_a_check_constraint_opens_but_is_found(path):
    """A row written behind the constraints' back (a broken tool) does not lock the office out of its data:
    the database opens (the read-only quick_check on open looks at the file's structure), and the check finds it."""
    db = open_database(path)
    pid = db.scalar("SELECT id FROM project ORDER BY id LIMIT 1")
    db.close()
    tamper(path, UPDATE, params=(pid, "2023-07-31", -500))
    found = findings(path)
    constraint = [f for f in found if f.code == "constraint"]
    assert len(constraint) == 1 and "进度更新" in constraint[0].message and "CHECK" in constraint[0].message
    assert not any(f.code == "integrity" for f in found)
    assert any(f.code == "negative" and "-500" in f.message for f in found)  # named in the domain's words too
