"""问题督办 register: filed, edited, resolved, closed, undone; refusals change nothing."""
from __future__ import annotations

import pytest

from db import problems, projects
from db.errors import ValidationError


def _count(db):
    return (db.scalar("SELECT count(*) FROM project_issue"), db.scalar("SELECT count(*) FROM problem_detail"),
            db.scalar("SELECT count(*) FROM audit_log"))


@pytest.fixture
def pid(builtin_db):
    return projects.find(builtin_db, "长安汽车渝北新工厂")["id"]


def test_a_problem_is_listed_with_its_fields_and_overdue_days(builtin_db, pid):
    w = problems.add(builtin_db, project_id=pid, text="用地指标未落实", category="用地", owner="区规划自然资源局",
                     due="2023-07-31", raised="2023-06-30")
    [row] = problems.register(builtin_db, today="2023-08-10")
    assert problems.to_json(row) == {
        "id": w.problem_id, "project": "长安汽车渝北新工厂", "unit": row["unit"], "text": "用地指标未落实",
        "category": "用地", "owner": "区规划自然资源局", "raised": "2023-06-30", "due": "2023-07-31",
        "status": "未解决", "overdue_days": 10}
    assert problems.register(builtin_db, today="2023-07-31")[0]["overdue_days"] == 0
    entry = builtin_db.query_one("SELECT action, summary FROM audit_log ORDER BY id DESC LIMIT 1")
    assert entry["action"] == "problem.add" and "用地指标未落实" in entry["summary"]


def test_resolve_then_close_keeps_every_version(builtin_db, pid):
    w = problems.add(builtin_db, project_id=pid, text="环评批复未取得", category="环评", due="2023-09-30",
                     raised="2023-06-30")
    problems.resolve(builtin_db, w.problem_id, "已取得环评批复", on="2023-08-15")
    assert problems.register(builtin_db, status="open") == []
    [row] = problems.register(builtin_db, status="resolved")
    assert row["note"] == "已取得环评批复" and row["overdue_days"] == 0
    problems.close(builtin_db, w.problem_id)
    assert problems.get(builtin_db, w.problem_id)["status"] == "已销号"
    assert [h["status"] for h in problems.history(builtin_db, w.problem_id)] == ["open", "resolved", "resolved"]
    # the register as it stood on the reporting date before the resolution: still open
    assert [r["id"] for r in problems.register(builtin_db, as_of="2023-07-31", status="open")] == [w.problem_id]


def test_edit_changes_category_and_undo_restores(builtin_db, pid):
    w = problems.add(builtin_db, project_id=pid, text="资金未到位", category="资金", due="2023-09-30",
                     raised="2023-06-30")
    e = problems.edit(builtin_db, w.problem_id, category="手续", owner="区财政局")
    row = problems.get(builtin_db, w.problem_id)
    assert (row["category"], row["owner"]) == ("手续", "区财政局")
    problems.undo(builtin_db, e)
    row = problems.get(builtin_db, w.problem_id)
    assert (row["category"], row["owner"]) == ("资金", "")
    with pytest.raises(ValidationError):  # something newer than the edit: refused
        problems.undo(builtin_db, e)
    w2 = problems.add(builtin_db, project_id=pid, text="拆迁未完成", due="2023-09-30", raised="2023-06-30")
    problems.undo(builtin_db, w2)
    assert [r["text"] for r in problems.register(builtin_db)] == ["资金未到位"]


@pytest.mark.parametrize("kwargs", [
    {"text": "  "}, {"category": "天气"}, {"due": "2023-02-30"}, {"due": "2023-05-01"},
    {"owner": "x" * 101},
])
def test_refusals_change_nothing(builtin_db, pid, kwargs):
    args = {"project_id": pid, "text": "拆迁未完成", "category": "拆迁", "due": "2023-09-30",
            "raised": "2023-06-30", **kwargs}
    before = _count(builtin_db)
    with pytest.raises(ValidationError):
        problems.add(builtin_db, **args)
    assert _count(builtin_db) == before


def test_resolving_twice_is_refused(builtin_db, pid):
    w = problems.add(builtin_db, project_id=pid, text="手续未办", due="2023-09-30", raised="2023-06-30")
    problems.resolve(builtin_db, w.problem_id, "已办")
    before = _count(builtin_db)
    with pytest.raises(ValidationError):
        problems.resolve(builtin_db, w.problem_id, "再办")
    assert _count(builtin_db) == before


def test_category_list_is_editable(builtin_db, pid):
    problems.add_category(builtin_db, "安全")
    assert problems.categories(builtin_db)[-1] == "安全"
    problems.add(builtin_db, project_id=pid, text="安全检查", category="安全", due="2023-09-30", raised="2023-06-30")
    problems.remove_category(builtin_db, "安全")
    assert "安全" not in problems.categories(builtin_db)
    assert problems.register(builtin_db)[0]["category"] == "安全"


def test_open_by_unit_puts_overdue_first(builtin_db):
    rows = builtin_db.query("SELECT id FROM project WHERE active = 1 ORDER BY id LIMIT 2")
    projects.edit(builtin_db, rows[0]["id"], responsible_unit="乙单位")
    projects.edit(builtin_db, rows[1]["id"], responsible_unit="甲单位")
    a, b = (projects.get(builtin_db, r["id"]) for r in rows)
    problems.add(builtin_db, project_id=a["id"], text="未逾期", due="2023-12-31", raised="2023-06-30")
    problems.add(builtin_db, project_id=b["id"], text="已逾期", due="2023-06-30", raised="2023-05-31")
    groups = problems.open_by_unit(builtin_db, "2023-07-31")
    assert [g[0] for g in groups] == [b["responsible_unit"], a["responsible_unit"]]
    assert groups[0][1][0]["overdue_days"] == 31
    # problems raised after the reporting date are not in it
    assert problems.open_by_unit(builtin_db, "2023-05-31")[0][1][0]["text"] == "已逾期"
    assert len(problems.open_by_unit(builtin_db, "2023-05-31")) == 1
