"""The built-in 渝北 2023 dataset reproduces the article's figures, each with its source sentence."""
from __future__ import annotations

import pytest

from db import audit, projects, seed, summary
from db.validate import round_half_up
from fractions import Fraction


def article() -> str:
    import resources
    return resources.path("seed", "yubei-2023-article.txt").read_text(encoding="utf-8")


@pytest.fixture
def standing(builtin_db):
    return summary.standing(builtin_db, "2023-06-30")


def pct(x, digits=1):
    return float(round_half_up(Fraction(repr(x)) * 100, digits))


def test_portfolios_match_the_article(standing):
    by_name = {p["name"]: p for p in standing["portfolios"]}
    d, c = by_name["区级重点项目"], by_name["市级重大项目"]
    assert (d["projects"], d["annual_plan_yi"], d["completed_yi"]) == (197, 399.0, 222.0)
    assert pct(d["completion_rate"]) == 55.6
    assert round(d["gap_points"], 1) == 5.6 and d["status"] == "green"
    assert (c["projects"], c["total_investment_yi"], c["annual_plan_yi"], c["completed_yi"]) == (35, 719.0, 88.3, 50.5)
    assert pct(c["completion_rate"], 0) == 57.0
    assert c["status"] == "green"
    assert standing["time_progress"] == 0.5
    # Only what the article names is itemised; the declared totals stand beside it.
    assert (d["itemised_projects"], c["itemised_projects"]) == (8, 5)
    assert d["itemised_annual_plan_yi"] == 0.0 and d["itemised_completed_yi"] == 0.0


def test_indicators_match_the_article(standing):
    ind = {i["name"]: i for i in standing["indicators"]}
    sme = ind["新培育科技型中小企业"]
    assert (sme["actual"], sme["target"], sme["unit"]) == (359.0, 353.0, "家")
    assert pct(sme["completion_rate"]) == 101.7 and sme["status"] == "green"
    assert ind["科技型企业总量"]["actual"] == 2246
    assert ind["国家高新技术企业（2023年第一批通过）"]["actual"] == 105
    assert ind["有自主研发活动的规上工业企业占比"]["actual"] == 65
    assert ind["新培育市级研发平台"]["actual"] == 32
    assert ind["市级以上研发平台总数"]["actual"] == 401
    assert ind["全社会研发投入"]["actual"] == 100 and "突破" in ind["全社会研发投入"]["note"]
    assert ind["数字经济新签约重大项目"]["actual"] == 28
    assert ind["数字经济新签约项目合同投资"]["actual"] == 300
    assert ind["新引进现代服务业项目"]["actual"] == 9
    assert ind["现代服务业项目合同金额"]["actual"] == 100
    # No invented targets: only the one the article implies.
    assert [i["name"] for i in standing["indicators"] if i["target"] is not None] == ["新培育科技型中小企业"]


def test_cluster_tree_2335(standing):
    nodes = {tuple(c["path"][1:]): c for c in standing["clusters"]}
    tiers = [p for p, c in nodes.items() if c["kind"] == "tier"]
    assert [p[0] for p in tiers] == ["主导产业集群", "支柱产业", "特色优势产业集群", "战略性新星产业集群"]
    counts = [sum(1 for p, c in nodes.items() if c["kind"] == "cluster" and p[0] == t[0]) for t in tiers]
    assert counts == [2, 3, 3, 5]
    auto = nodes[("主导产业集群", "智能网联新能源汽车")]
    assert (auto["tier_scale_yi"], auto["output_yi"]) == (1000.0, 505.2)
    elec = nodes[("主导产业集群", "新一代电子信息制造业")]
    assert (elec["output_yi"], elec["growth"]) == (855.8, 0.02)
    assert nodes[("主导产业集群", "新一代电子信息制造业", "OPPO")]["growth"] == 0.086
    assert nodes[("支柱产业",)]["tier_scale_yi"] == 500.0
    assert nodes[("特色优势产业集群", "先进材料")]["tier_scale_yi"] == 100.0
    assert nodes[("战略性新星产业集群", "元宇宙")]["tier_scale_yi"] is None
    assert auto["linked_projects"] == 5


def test_named_projects_with_stage_and_milestones(builtin_db):
    from db.subjects import Subject
    from db import updates
    changan = projects.find(builtin_db, "长安汽车渝北新工厂")
    stage = updates.standing(builtin_db, Subject("project", changan["id"]), "stage", "2023-06-30")
    assert stage["text_value"] == "设备安装"
    ms = projects.milestones(builtin_db, changan["id"])
    assert [(m["name"], m["planned_date"]) for m in ms] == [
        ("完成车辆试制", "2023-09-30"), ("投产，形成28万台新能源整车产能", "2023-12-31")]
    assert "28万台" in changan["description"]
    line = projects.find(builtin_db, "金山—明月山500千伏线路工程")
    pp = updates.standing(builtin_db, Subject("project", line["id"]), "physical_progress", "2023-06-30")
    assert pp["value"] == 5600
    assert projects.milestones(builtin_db, line["id"])[0]["planned_date"] == "2024-07-31"
    hami = projects.find(builtin_db, "哈密—重庆±800千伏特高压直流输电工程")
    assert hami["finish_year"] == 2025


def test_every_figure_keeps_a_source_sentence_from_the_article(builtin_db):
    text = article()
    rows = builtin_db.query("SELECT source FROM progress_update UNION ALL SELECT source FROM target")
    assert rows and all(r["source"] for r in rows)
    for r in rows:
        for sentence in r["source"].split(" "):
            assert sentence in text, sentence
    for p in projects.list_for(builtin_db, 1):
        assert p["source"] and all(s in text for s in p["source"].split(" "))


def test_seed_is_all_or_nothing(empty_db):
    data = seed.builtin_data()
    data["projects"][-1]["stage"] = "不存在的阶段"
    with pytest.raises(Exception):
        seed.load(empty_db, data)
    assert empty_db.scalar("SELECT count(*) FROM plan_year") == 0
    assert empty_db.scalar("SELECT count(*) FROM audit_log") == 0


def test_seed_writes_are_logged(builtin_db):
    log = audit.entries(builtin_db, limit=100000)
    assert len(log) == builtin_db.scalar("SELECT count(*) FROM audit_log") > 50
    assert {e["user"] for e in log} == {seed.SEED_USER}


def test_empty_database_standing(empty_db):
    from db import NotFoundError
    with pytest.raises(NotFoundError):
        summary.standing(empty_db)
