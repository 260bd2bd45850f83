"""Load a dataset (the built-in 渝北 2023 one by default) through the same validated writes as a person's edits."""
from __future__ import annotations

import json
from typing import Any

import resources
from db import clusters, indicators, plan, portfolios, projects, targets, updates
from db.connection import Database
from db.errors import ValidationError
from db.subjects import Subject
from db.validate import parse_decimal, parse_money_wan, to_scaled_int

BUILTIN = "yubei-2023.json"
SEED_USER = "内置数据"


def builtin_data() -> dict[str, Any]:
    with open(resources.path("seed", BUILTIN), encoding="utf-8") as f:
        return json.load(f)


def load_builtin(db: Database) -> int:
    return load(db, builtin_data())


def _basis_points(value: str, field: str) -> int:
    number = parse_decimal(value, field, allow_negative=True, percent=True)
    return to_scaled_int(number, 4, field, value)


def load(db: Database, data: dict[str, Any]) -> int:
    """Write a whole dataset in one transaction; returns the new plan year's id. All or nothing."""
    if data.get("format") != "policytrack-seed" or data.get("version") != 1:
        raise ValidationError("数据集格式", data.get("format"), "不是 PolicyTrack 数据集（version 1）")
    as_of = data["as_of"]
    user, db.user = db.user, SEED_USER
    try:
        with db.transaction("seed", "cluster", "portfolio", "project", "indicator", "target", "update"):
            py = data["plan_year"]
            plan_year_id = plan.create_plan_year(db, year=py["year"], district=py["district"],
                                                 title=py.get("title", ""), source=py.get("source", ""))
            reason = "年初计划（内置数据）"

            def add_nodes(nodes: list[dict], parent_id: int | None) -> None:
                for n in nodes:
                    nid = clusters.add_node(db, plan_year_id=plan_year_id, parent_id=parent_id, name=n["name"],
                                            kind=n["kind"], scale_label=n.get("scale_label", ""),
                                            note=n.get("note", ""), source=n.get("source", ""))
                    subject = Subject("cluster", nid)
                    if "scale" in n:
                        targets.revise(db, subject, "scale", parse_money_wan(n["scale"], "规模目标"),
                                       reason=reason, source=n.get("scale_source", ""))
                    if "output" in n:
                        updates.record(db, subject, "output", as_of, value=parse_money_wan(n["output"], "产值"),
                                       note=n.get("output_note", ""), source=n.get("output_source", ""),
                                       source_kind="seed")
                    if "growth" in n:
                        updates.record(db, subject, "growth", as_of, value=_basis_points(n["growth"], "同比增长"),
                                       source=n.get("growth_source", ""), source_kind="seed")
                    add_nodes(n.get("children", []), nid)

            add_nodes(data.get("clusters", []), None)

            level_ids = {}
            for p in data.get("portfolios", []):
                pid = portfolios.create(
                    db, plan_year_id=plan_year_id, level=p["level"], name=p["name"],
                    declared_count=p.get("declared_count"),
                    total_investment_wan=parse_money_wan(p["total_investment"], "总投资")
                    if "total_investment" in p else None, source=p.get("source", ""))
                level_ids[p["level"]] = pid
                subject = Subject("portfolio", pid)
                if "annual_plan" in p:
                    targets.revise(db, subject, "annual_plan", parse_money_wan(p["annual_plan"], "年度计划投资"),
                                   reason=reason, source=p.get("source", ""))
                if "completed" in p:
                    updates.record(db, subject, "completed", as_of, value=parse_money_wan(p["completed"], "完成投资"),
                                   source=p.get("completed_source", ""), source_kind="seed")

            for p in data.get("projects", []):
                fields = {k: p[k] for k in ("location", "responsible_unit", "responsible_leader", "start_year",
                                            "finish_year", "description", "note") if k in p}
                if "total_investment" in p:
                    fields["total_investment_wan"] = parse_money_wan(p["total_investment"], "总投资")
                if "cluster" in p:
                    fields["cluster_id"] = clusters.find_by_path(db, plan_year_id, p["cluster"])
                project_id = projects.create(
                    db, portfolio_id=level_ids[p["portfolio"]], name=p["name"], source=p.get("source", ""),
                    annual_plan_wan=parse_money_wan(p["annual_plan"], "年度计划投资") if "annual_plan" in p else None,
                    reason=reason, **fields)
                subject = Subject("project", project_id)
                if "stage" in p:
                    updates.record(db, subject, "stage", as_of, text_value=p["stage"], source=p.get("source", ""),
                                   source_kind="seed")
                if "completed" in p:
                    updates.record(db, subject, "completed", as_of, value=parse_money_wan(p["completed"], "完成投资"),
                                   source=p.get("source", ""), source_kind="seed")
                if "physical_progress" in p:
                    updates.record(db, subject, "physical_progress", as_of,
                                   value=_basis_points(p["physical_progress"], "工程量完成比例"),
                                   source=p.get("source", ""), source_kind="seed")
                for m in p.get("milestones", []):
                    projects.add_milestone(db, project_id, name=m["name"], planned_date=m.get("planned_date"),
                                           planned_precision=m.get("planned_precision", "day"),
                                           actual_date=m.get("actual_date"), note=m.get("note", ""),
                                           source=m.get("source", ""))

            for i in data.get("indicators", []):
                iid = indicators.create(db, plan_year_id=plan_year_id, campaign=i["campaign"], name=i["name"],
                                        unit=i["unit"], decimals=i.get("decimals", 0),
                                        direction=i.get("direction", "higher"),
                                        accumulation=i.get("accumulation", "cumulative"), note=i.get("note", ""),
                                        source=i.get("source", ""))
                ind = indicators.get(db, iid)
                subject = Subject("indicator", iid)
                if "target" in i:
                    targets.revise(db, subject, "value", indicators.parse_value(ind, i["target"], "目标值"),
                                   reason=i.get("target_note") or reason, source=i.get("target_source", ""))
                if "actual" in i:
                    updates.record(db, subject, "value", as_of, value=indicators.parse_value(ind, i["actual"], "实际值"),
                                   note=i.get("note", ""), source=i.get("source", ""), source_kind="seed")
    finally:
        db.user = user
    return plan_year_id
