"""db.undo: undo and redo refuse rather than overwrite a newer figure, and write nothing when they refuse."""
from __future__ import annotations

import pytest

from db import plan, portfolios, projects, targets, undo
from db.subjects import Subject
from db.undo import UndoRefused

TABLES = ("target", "project", "audit_log")


def snapshot(db) -> dict:
    return {t: db.query("SELECT * FROM " + t + " ORDER BY id") for t in TABLES}


@pytest.fixture
def project(empty_db):
    py = plan.create_plan_year(empty_db, year=2023, district="测试区")
    pf = portfolios.create(empty_db, plan_year_id=py, level="district", name="区级重点项目", declared_count=3)
    return projects.create(empty_db, portfolio_id=pf, name="测试项目", annual_plan_wan=30_000,
                           responsible_unit="区经信委")


def test_target_undo_and_redo_keep_reason_doc_no_and_date(empty_db, project):
    s = Subject("project", project)
    done = undo.set_target(empty_db, s, "annual_plan", 40_000, reason="年中调整", doc_no="渝北府〔2023〕8号",
                           effective="2023-07-01")
    assert targets.value(empty_db, s, "annual_plan") == 40_000
    undone = undo.undo_target(empty_db, done)
    assert targets.value(empty_db, s, "annual_plan") == 30_000
    assert targets.value(empty_db, s, "annual_plan", "2023-06-30") == 30_000
    undo.redo_target(empty_db, done, undone)
    last = targets.history(empty_db, s)[-1]
    assert (last["value"], last["reason"], last["doc_no"], last["effective_from"]) == \
        (40_000, "年中调整", "渝北府〔2023〕8号", "2023-07-01")


def test_target_undo_refused_over_a_newer_revision_and_writes_nothing(empty_db, project):
    s = Subject("project", project)
    done = undo.set_target(empty_db, s, "annual_plan", 40_000, reason="年中调整", effective="2023-07-01")
    targets.revise(empty_db, s, "annual_plan", 45_000, reason="交换包", source="交换包 区发改委.ptx",
                   action="target.exchange", effective_from="2023-08-01")
    before = snapshot(empty_db)
    with pytest.raises(UndoRefused, match="不能撤销：“测试项目”的年度计划投资之后又改为 4.5 亿元.*交换包 区发改委.ptx"):
        undo.undo_target(empty_db, done)
    assert snapshot(empty_db) == before


def test_target_redo_refused_over_a_revision_newer_than_the_undo(empty_db, project):
    s = Subject("project", project)
    done = undo.set_target(empty_db, s, "annual_plan", 40_000, reason="年中调整")
    undone = undo.undo_target(empty_db, done)
    targets.revise(empty_db, s, "annual_plan", 35_000, reason="再次调整")
    before = snapshot(empty_db)
    with pytest.raises(UndoRefused, match="不能重做"):
        undo.redo_target(empty_db, done, undone)
    assert snapshot(empty_db) == before and targets.value(empty_db, s, "annual_plan") == 35_000


def test_project_edit_undo_refused_when_the_field_was_edited_again(empty_db, project):
    diff = undo.edit_project(empty_db, project, {"responsible_unit": "区商务委"})
    projects.edit(empty_db, project, responsible_unit="区科技局")
    before = snapshot(empty_db)
    with pytest.raises(UndoRefused, match="责任单位之后又改为 区科技局"):
        undo.undo_edit_project(empty_db, project, diff)
    assert snapshot(empty_db) == before
    projects.edit(empty_db, project, responsible_unit="区商务委")
    undo.undo_edit_project(empty_db, project, diff)
    assert projects.get(empty_db, project)["responsible_unit"] == "区经信委"
