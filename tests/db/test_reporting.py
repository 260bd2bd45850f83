"""Figures judged at their own date, the default 报告期, 报送情况, cluster annual targets and dated target revisions."""
from __future__ import annotations

import datetime as dt

import pytest

from db import audit, clusters, indicators, plan, portfolios, projects, reporting, summary, targets, updates
from db.errors import ValidationError
from db.subjects import Subject


def _project(db, name):
    return projects.find(db, name)["id"]


def _pf(db, level):
    return portfolios.by_level(db, plan.current_plan_year(db)["id"], level)["id"]


def test_one_early_project_figure_does_not_move_the_default_period(builtin_db):
    updates.record(builtin_db, Subject("project", _project(builtin_db, "长安汽车渝北新工厂")), "completed",
                   "2023-09-30", value=150_000)
    period = reporting.default_period(builtin_db, plan.current_plan_year(builtin_db))
    assert period.as_of == dt.date(2023, 6, 30) and "各项目盘子合计" in period.reason
    assert summary.standing(builtin_db)["as_of"] == "2023-06-30"


def test_the_period_moves_when_every_total_has_reported(builtin_db):
    updates.record(builtin_db, Subject("portfolio", _pf(builtin_db, "district")), "completed", "2023-07-31",
                   value=2_600_000)
    py = plan.current_plan_year(builtin_db)
    assert reporting.default_period(builtin_db, py).as_of == dt.date(2023, 6, 30)   # one of two totals: not yet
    uid = updates.record(builtin_db, Subject("portfolio", _pf(builtin_db, "city")), "completed", "2023-07-31",
                         value=600_000)
    assert reporting.default_period(builtin_db, py).as_of == dt.date(2023, 7, 31)
    # Withdrawing July's city total takes July back.
    updates.record(builtin_db, Subject("portfolio", _pf(builtin_db, "city")), "completed", "2023-07-31",
                   retract=True)
    assert uid and reporting.default_period(builtin_db, py).as_of == dt.date(2023, 6, 30)


def test_majority_of_projects_decides_where_no_total_reports(empty_db):
    py = plan.create_plan_year(empty_db, year=2023, district="测试区")
    pf = portfolios.create(empty_db, plan_year_id=py, level="district", name="区级重点项目")
    ids = [projects.create(empty_db, portfolio_id=pf, name=f"项目{i}", annual_plan_wan=1000,
                           responsible_unit="甲镇" if i < 2 else "乙局") for i in range(3)]
    for pid in ids[:2]:
        updates.record(empty_db, Subject("project", pid), "completed", "2023-05-31", value=400)
    updates.record(empty_db, Subject("project", ids[0]), "completed", "2023-06-30", value=500)
    period = reporting.default_period(empty_db, plan.current_plan_year(empty_db))
    assert period.as_of == dt.date(2023, 5, 31) and "2/3" in period.reason
    status = reporting.status(empty_db, "2023-06-30", today=dt.date(2023, 7, 9))
    assert status.to_json() == {"period": "2023-06", "deadline": "2023-07-05",
                                "units": [{"unit": "甲镇", "projects": 2, "reported": 1, "missing": ["项目1"]},
                                          {"unit": "乙局", "projects": 1, "reported": 0, "missing": ["项目2"]}],
                                "portfolios_unreported": ["区级重点项目"]}
    assert status.days_overdue == 4 and [u.state for u in status.units] == ["part", "none"]
    reporting.set_deadline_day(empty_db, 10)
    later = reporting.status(empty_db, "2023-06-30", today=dt.date(2023, 7, 9))
    assert later.deadline == dt.date(2023, 7, 10) and later.days_overdue == 0
    assert audit.entries(empty_db, entity="setting")[0]["summary"] == "报送截止日：次月10日"
    with pytest.raises(ValidationError, match="报送截止日"):
        reporting.set_deadline_day(empty_db, 31)
    assert reporting.deadline_day(empty_db) == 10


def test_clusters_have_no_status_without_an_annual_target_and_june_is_unchanged(builtin_db):
    py = plan.current_plan_year(builtin_db)
    node = clusters.find_by_path(builtin_db, py["id"], ["“2335”现代制造业集群", "主导产业集群", "智能网联新能源汽车"])

    def car(as_of):
        return next(c for c in summary.standing(builtin_db, as_of)["clusters"] if c["id"] == node)

    assert all(c["status"] is None for c in summary.standing(builtin_db, "2023-08-31")["clusters"])
    june_before = car("2023-06-30")
    targets.revise(builtin_db, Subject("cluster", node), "annual_output", 11_000_000, reason="区政府确定年度产值目标",
                   doc_no="渝北府〔2023〕8号", effective_from="2023-08-01")
    aug = car("2023-08-31")
    assert aug["annual_output_target_yi"] == 1100.0 and aug["status"] is not None
    assert round(aug["completion_rate"] * 100, 1) == 45.9 and aug["current"] is False   # June's 505.2 of 1100
    assert car("2023-06-30") == june_before                                             # June's view unchanged
    log = audit.entries(builtin_db, entity="cluster", entity_id=node)[0]
    assert "年度产值目标：（无） → 1100.0 亿元（2023-08-01 起生效）" in log["summary"]


def test_a_revision_in_august_keeps_junes_standing(builtin_db):
    sme = indicators.find(builtin_db, "新培育科技型中小企业")
    subject = Subject("indicator", sme["id"])
    targets.revise(builtin_db, subject, "value", 380, reason="年中调增", effective_from="2023-08-01")

    def rate(as_of):
        i = next(i for i in summary.standing(builtin_db, as_of)["indicators"] if i["id"] == sme["id"])
        return round(i["completion_rate"] * 100, 1), i["target"]

    assert rate("2023-06-30") == (101.7, 353.0)
    assert rate("2023-08-31") == (94.5, 380.0)
    history = targets.history(builtin_db, subject)
    assert [(h["value"], h["effective_from"]) for h in history] == [(353, "2023-01-01"), (380, "2023-08-01")]


def test_derived_target_is_marked(builtin_db):
    sme = next(i for i in summary.standing(builtin_db, "2023-06-30")["indicators"] if i["name"] == "新培育科技型中小企业")
    assert sme["target_derived"] is True


def test_audit_log_reads_targets_in_yi_and_actions_in_chinese(builtin_db):
    from db import auditlog
    pid = _project(builtin_db, "长安汽车渝北新工厂")
    targets.revise(builtin_db, Subject("project", pid), "annual_plan", 200_000, reason="补录年度计划",
                   effective_from="2023-08-01")
    (entry,) = [r for r in auditlog.search(builtin_db, entity="project", entity_id=pid) if r["action"] == "target.revise"]
    assert entry["action_label"] == "修改目标"
    assert entry["summary_text"] == "年度计划投资：（无） → 20.0 亿元（2023-08-01 起生效）；理由：补录年度计划"
    assert "200000" not in entry["summary_text"]
    assert auditlog.ACTION_LABELS["import.xlsx"] == "导入调度表"


def test_rebuilt_target_table_stays_append_only_with_uids(builtin_db):
    import sqlite3
    from db import schema
    assert builtin_db.schema_version >= 4 and schema.SCHEMA_VERSION >= 4
    node = clusters.find_by_path(builtin_db, plan.current_plan_year(builtin_db)["id"],
                                 ["“2335”现代制造业集群", "主导产业集群", "智能网联新能源汽车"])
    rid = targets.revise(builtin_db, Subject("cluster", node), "annual_output", 11_000_000, reason="设定")
    uid = builtin_db.scalar("SELECT uid FROM target WHERE id = ?", (rid,))
    assert uid and len(uid) == 32
    for sql in ("UPDATE target SET value = 1 WHERE id = ?", "DELETE FROM target WHERE id = ?"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            builtin_db.conn.execute(sql, (rid,))
    # The seed's earlier revisions were copied unchanged (scale levels of the tiers' clusters are still there).
    assert targets.value(builtin_db, Subject("cluster", node), "scale") == 10_000_000
    with pytest.raises(ValidationError, match="指标项"):
        targets.revise(builtin_db, Subject("project", _project(builtin_db, "长安汽车渝北新工厂")), "annual_output", 1,
                       reason="x")


def test_the_latest_month_most_projects_reported_even_when_a_few_reported_later(builtin_db):
    db = builtin_db
    py = plan.current_plan_year(db)
    active = projects.list_for(db, py["id"])
    for p in active:   # every project reports July …
        updates.record(db, Subject("project", p["id"]), "completed", "2023-07-31", value=1_000)
    first = Subject("project", active[0]["id"])
    updates.record(db, first, "completed", "2023-08-31", value=2_000)   # … and one of them August already
    period = reporting.default_period(db, py)
    assert period.as_of == dt.date(2023, 7, 31)
    assert period.reason == f"7月：多数项目（{len(active)}/{len(active)} 个）已报送的最近月份"
    updates.record(db, first, "completed", "2023-07-31", retract=True)   # a withdrawn figure no longer counts
    assert f"（{len(active) - 1}/{len(active)} 个）" in reporting.default_period(db, py).reason
