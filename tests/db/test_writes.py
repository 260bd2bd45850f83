"""Writes: validated first, one transaction, logged, append-only; a refused write changes nothing."""
from __future__ import annotations

import datetime as dt
import itertools
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from db import NotFoundError, ValidationError, audit, clusters, indicators, plan, portfolios, projects, settings
from db import targets, updates
from db.progress import Reading, value_as_of
from db.subjects import Subject


def counts(db) -> dict[str, int]:
    return {t: db.scalar("SELECT count(*) FROM " + t) for t in
            ("project", "target", "progress_update", "audit_log", "cluster", "milestone", "indicator")}


@pytest.fixture
def year(empty_db):
    py = plan.create_plan_year(empty_db, year=2023, district="测试区")
    pf = portfolios.create(empty_db, plan_year_id=py, level="district", name="区级重点项目", declared_count=3)
    return py, pf


def test_project_create_writes_project_target_and_log_together(empty_db, year):
    py, pf = year
    pid = projects.create(empty_db, portfolio_id=pf, name="测试项目", annual_plan_wan=50_000,
                          responsible_unit="区经信委", total_investment_wan=200_000)
    assert targets.value(empty_db, Subject("project", pid), "annual_plan") == 50_000
    actions = [e["action"] for e in audit.entries(empty_db, entity="project", entity_id=pid)]
    assert actions == ["target.revise", "project.create"]


def test_refused_write_changes_nothing(empty_db, year):
    py, pf = year
    projects.create(empty_db, portfolio_id=pf, name="测试项目")
    before = counts(empty_db)
    with pytest.raises(ValidationError, match="同名"):
        projects.create(empty_db, portfolio_id=pf, name=" 测试项目 ", annual_plan_wan=10)
    with pytest.raises(ValidationError, match="「总投资」"):
        projects.create(empty_db, portfolio_id=pf, name="另一个", total_investment_wan=-1)
    with pytest.raises(ValidationError, match="「竣工年份」"):
        projects.create(empty_db, portfolio_id=pf, name="另一个", start_year=2024, finish_year=2023)
    with pytest.raises(ValidationError, match="「项目名称」"):
        projects.create(empty_db, portfolio_id=pf, name="   ")
    assert counts(empty_db) == before


def test_failure_inside_transaction_rolls_back_everything(empty_db, year):
    py, pf = year
    before = counts(empty_db)
    with pytest.raises(RuntimeError):
        with empty_db.transaction("project"):
            projects.create(empty_db, portfolio_id=pf, name="会被回滚的项目", annual_plan_wan=1)
            raise RuntimeError("boom")
    assert counts(empty_db) == before
    assert not empty_db.conn.in_transaction


def test_listeners_hear_committed_writes_only(empty_db, year):
    py, pf = year
    heard = []
    unsubscribe = empty_db.subscribe(heard.append)
    projects.create(empty_db, portfolio_id=pf, name="甲", annual_plan_wan=1)
    assert len(heard) == 1 and {"project", "target"} <= heard[0]
    with pytest.raises(ValidationError):
        projects.create(empty_db, portfolio_id=pf, name="甲")
    assert len(heard) == 1
    unsubscribe()
    projects.create(empty_db, portfolio_id=pf, name="乙")
    assert len(heard) == 1


def test_updates_targets_and_log_are_append_only(builtin_db):
    for table in ("progress_update", "target", "audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            builtin_db.conn.execute("UPDATE " + table + " SET id = id WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            builtin_db.conn.execute("DELETE FROM " + table)


def test_strict_columns_refuse_text_and_nan(builtin_db):
    pid = builtin_db.scalar("SELECT id FROM project LIMIT 1")
    base = ("INSERT INTO progress_update (project_id, metric, as_of, value, source_kind, recorded_at, recorded_by)"
            " VALUES (?, 'completed', '2023-07-31', ?, 'typed', 'x', 'y')")
    for bad in ("abc", float("nan"), 1.5, -3):
        with pytest.raises(sqlite3.IntegrityError):
            builtin_db.conn.execute(base, (pid, bad))
    with pytest.raises(sqlite3.IntegrityError):  # 2023-02-30 is not a date even though it looks like one
        builtin_db.conn.execute(base.replace("2023-07-31", "2023-02-30"), (pid, 5))


def test_target_revisions_keep_old_values(builtin_db):
    pf = builtin_db.scalar("SELECT id FROM portfolio WHERE level = 'district'")
    s = Subject("portfolio", pf)
    targets.revise(builtin_db, s, "annual_plan", 4_100_000, reason="年中调整", doc_no="渝北发改〔2023〕12号")
    assert targets.value(builtin_db, s, "annual_plan") == 4_100_000
    hist = targets.history(builtin_db, s)
    assert [h["value"] for h in hist] == [3_990_000, 4_100_000]
    assert hist[-1]["previous_value"] == 3_990_000 and hist[-1]["reason"] == "年中调整"
    assert hist[-1]["doc_no"] == "渝北发改〔2023〕12号"
    with pytest.raises(ValidationError, match="「调整理由」"):
        targets.revise(builtin_db, s, "annual_plan", 1, reason="  ")
    log = audit.entries(builtin_db, entity="portfolio", entity_id=pf)[0]
    assert log["action"] == "target.revise" and "399.0 亿元 → 410.0 亿元" in log["summary"]


def test_target_effective_date_time_travels(builtin_db):
    pf = builtin_db.scalar("SELECT id FROM portfolio WHERE level = 'district'")
    s = Subject("portfolio", pf)
    targets.revise(builtin_db, s, "annual_plan", 4_200_000, reason="9月起调整", effective_from="2023-09-01")
    assert targets.value(builtin_db, s, "annual_plan", "2023-06-30") == 3_990_000
    assert targets.value(builtin_db, s, "annual_plan", "2023-09-30") == 4_200_000
    with pytest.raises(ValidationError, match="「生效日期」"):
        targets.revise(builtin_db, s, "annual_plan", 1, reason="x", effective_from="2024-01-01")


def test_updates_supersede_and_retract(builtin_db):
    pid = projects.find(builtin_db, "长安汽车渝北新工厂")["id"]
    s = Subject("project", pid)
    a = updates.record(builtin_db, s, "completed", "2023-07-31", value=100_000)
    b = updates.record(builtin_db, s, "completed", "2023-07-31", value=120_000, note="更正")
    assert updates.standing(builtin_db, s, "completed", "2023-07-31")["value"] == 120_000
    hist = updates.history(builtin_db, s, "completed")
    assert [(h["id"], h["value"], h["standing"]) for h in hist] == [(a, 100_000, 0), (b, 120_000, 1)]
    assert hist[-1]["supersedes_id"] == a
    updates.record(builtin_db, s, "completed", "2023-07-31", retract=True)
    assert updates.standing(builtin_db, s, "completed", "2023-07-31") is None
    assert len(updates.history(builtin_db, s, "completed")) == 3
    with pytest.raises(ValidationError, match="没有可撤回"):
        updates.record(builtin_db, s, "completed", "2023-08-31", retract=True)


@pytest.mark.parametrize("kwargs,field", [
    ({"metric": "completed", "as_of": "2024-01-31", "value": 5}, "截至日期"),
    ({"metric": "completed", "as_of": "2023-02-29", "value": 5}, "截至日期"),
    ({"metric": "completed", "as_of": "2023-07-31", "value": -5}, "累计完成投资"),
    ({"metric": "completed", "as_of": "2023-07-31", "value": "5"}, "累计完成投资"),
    ({"metric": "stage", "as_of": "2023-07-31", "text_value": "竣工验收了"}, "形象进度"),
    ({"metric": "output", "as_of": "2023-07-31", "value": 5}, "更新项"),
])
def test_update_refusals_name_the_field(builtin_db, kwargs, field):
    pid = projects.find(builtin_db, "长安汽车渝北新工厂")["id"]
    before = counts(builtin_db)
    metric = kwargs.pop("metric")
    as_of = kwargs.pop("as_of")
    with pytest.raises(ValidationError) as e:
        updates.record(builtin_db, Subject("project", pid), metric, as_of, **kwargs)
    assert e.value.field == field
    assert counts(builtin_db) == before


def test_unknown_entities(builtin_db):
    with pytest.raises(NotFoundError):
        updates.record(builtin_db, Subject("project", 99999), "completed", "2023-07-31", value=1)
    with pytest.raises(NotFoundError):
        projects.find(builtin_db, "不存在的项目")
    with pytest.raises(ValidationError, match="所属集群"):
        projects.create(builtin_db, portfolio_id=1, name="新项目", cluster_id=99999)


def test_find_by_normalised_name(builtin_db):
    assert projects.find(builtin_db, " 长安汽车渝北新工厂 ")["name"] == "长安汽车渝北新工厂"
    assert indicators.find(builtin_db, "新培育科技型中小企业")["unit"] == "家"


def test_project_edit_remove_restore(builtin_db):
    p = projects.find(builtin_db, "洛碛物流项目")
    diff = projects.edit(builtin_db, p["id"], responsible_unit="区发展改革委", total_investment_wan=1_000_000)
    assert diff["responsible_unit"] == ("", "区发展改革委")
    assert projects.edit(builtin_db, p["id"], responsible_unit="区发展改革委") == {}
    projects.remove(builtin_db, p["id"])
    with pytest.raises(NotFoundError):
        projects.find(builtin_db, "洛碛物流项目")
    # Its history stays in the file.
    assert updates.history(builtin_db, Subject("project", p["id"]))
    projects.restore(builtin_db, p["id"])
    assert projects.find(builtin_db, "洛碛物流项目")["responsible_unit"] == "区发展改革委"
    actions = [e["action"] for e in audit.entries(builtin_db, entity="project", entity_id=p["id"])]
    assert actions[:3] == ["project.restore", "project.remove", "project.edit"]


def test_cluster_tree_edits(builtin_db):
    py = plan.current_plan_year(builtin_db)["id"]
    auto = clusters.find_by_path(builtin_db, py, ["“2335”现代制造业集群", "主导产业集群", "智能网联新能源汽车"])
    with pytest.raises(ValidationError, match="请确认"):
        clusters.remove(builtin_db, auto)
    assert clusters.dependants(builtin_db, auto) == {"children": 3, "projects": 5}
    removed = clusters.remove(builtin_db, auto, confirmed=True)
    assert len(removed["nodes"]) == 4 and len(removed["unlinked"]) == 5
    assert builtin_db.scalar("SELECT count(*) FROM project WHERE cluster_id = ?", (auto,)) == 0
    assert builtin_db.scalar("SELECT count(*) FROM project WHERE active = 1") == 13  # projects kept
    tier = clusters.find_by_path(builtin_db, py, ["“2335”现代制造业集群", "主导产业集群"])
    names = [c.name for c in clusters.tree(builtin_db, py)[0].children[0].children]
    assert names == ["新一代电子信息制造业"]
    new = clusters.add_node(builtin_db, plan_year_id=py, parent_id=tier, name="新增集群", kind="cluster")
    clusters.move(builtin_db, new, -1)
    names = [c.name for c in clusters.tree(builtin_db, py)[0].children[0].children]
    assert names == ["新增集群", "新一代电子信息制造业"]
    with pytest.raises(ValidationError, match="最前"):
        clusters.move(builtin_db, new, -1)
    clusters.restore(builtin_db, removed)
    assert clusters.dependants(builtin_db, auto) == {"children": 3, "projects": 5}
    clusters.rename(builtin_db, new, "改名集群")
    with pytest.raises(ValidationError, match="同名"):
        clusters.rename(builtin_db, new, "新一代电子信息制造业")


def test_settings_round_trip(empty_db):
    t = settings.set_thresholds(empty_db, green_from="-1", amber_from="-5.5")
    assert settings.thresholds(empty_db) == t
    with pytest.raises(ValidationError, match="不能高于"):
        settings.set_thresholds(empty_db, green_from="-5", amber_from="0")
    settings.set_time_progress_mode(empty_db, "day")
    assert settings.time_progress_mode(empty_db) == "day"
    with pytest.raises(ValidationError, match="时序进度"):
        settings.set_time_progress_mode(empty_db, "week")


def test_stage_list(builtin_db):
    assert plan.stages(builtin_db)[0] == "前期"
    with pytest.raises(ValidationError, match="已被项目使用"):
        plan.set_stages(builtin_db, ["前期", "开工"])
    plan.set_stages(builtin_db, ["前期", "开工", "主体施工", "设备安装", "试生产", "投产", "竣工验收"])
    assert plan.stages(builtin_db)[-1] == "竣工验收"


dates = st.sampled_from(["2023-01-31", "2023-03-31", "2023-06-30", "2023-07-31", "2023-09-30", "2023-12-31"])
ops = st.lists(st.tuples(dates, st.one_of(st.none(), st.integers(0, 10**6))), min_size=1, max_size=12)


_names = itertools.count()


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=ops, probe=dates)
def test_sql_as_of_agrees_with_the_rule(builtin_db, ops, probe):
    """Whatever sequence of records, corrections and retractions, SQL gives what the domain rule says."""
    s = Subject("project", projects.create(builtin_db, portfolio_id=1, name=f"性质测试{next(_names)}"))
    readings = []
    for as_of, value in ops:
        try:
            uid = updates.record(builtin_db, s, "completed", as_of, value=value, retract=value is None)
        except ValidationError:
            continue
        readings.append(Reading(uid, dt.date.fromisoformat(as_of), value, value is None))
    expected = value_as_of(readings, dt.date.fromisoformat(probe))
    got = updates.standing(builtin_db, s, "completed", probe)
    assert (got and got["id"]) == (expected and expected.id)
