"""Plan years that follow one another: the year a date belongs to, 新建年度 (roll over), 年度结账 (close), reopen.

One database holds many plan years. A date names its year (2024-01-31 is in 2024), so every view, command and write
picks the plan year from the date it is about. An earlier year stays open for late figures (December's arrive in
January) until it is closed; a closed year is read-only (still shown and printed) and can be reopened with a reason.

新建年度 copies what carries over and nothing that belongs to the old year's figures: the district, the cluster tree
(with its scale levels), the portfolios (declared counts and plans left to fill in), the indicators (targets left to
fill in), and every project not yet 投产 (its identity, unit, leader, total investment, code, cluster and the
milestones still open), each continuing the lineage of its predecessor so its history runs across years.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from db import audit, clusters, indicators, plan, portfolios, projects, targets, updates
from db.connection import Database
from db.errors import ValidationError
from db.subjects import Subject
from db.validate import parse_name, parse_text

COMPLETED_STAGE = "投产"   # a project at this stage (the last of the stage list) stays in its year


@dataclass(frozen=True)
class YearInfo:
    id: int
    year: int
    district: str
    status: str        # 'open' | 'closed'
    projects: int

    @property
    def status_label(self) -> str:
        return "已结账" if self.status == "closed" else "进行中"


@dataclass(frozen=True)
class NewYearResult:
    plan_year_id: int
    year: int
    from_year: int
    projects: int
    completed_left: int
    indicators: int
    portfolios: int
    clusters: int
    milestones: int


def year_list(db: Database) -> list[YearInfo]:
    out = []
    for py in plan.plan_years(db):
        n = db.scalar("SELECT count(*) FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
                      " WHERE pf.plan_year_id = ? AND p.active = 1", (py["id"],))
        status = "closed" if plan.is_closed(db, py["id"]) else "open"
        out.append(YearInfo(py["id"], py["year"], py["district"], status, int(n)))
    return out


def _year_row(db: Database, year: object, field: str = "年度") -> dict[str, Any]:
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValidationError(field, year, "应为年份（如 2024）")
    row = db.query_one("SELECT id, year, district, title, source FROM plan_year WHERE year = ?", (year,))
    if row is None:
        raise ValidationError(field, year, "数据库中没有这个计划年度")
    return row


def close(db: Database, year: int, *, reason: object = "") -> None:
    """年度结账: the year becomes read-only (logged)."""
    why = parse_text(reason, "结账说明")
    with db.transaction("plan_year"):
        py = _year_row(db, year)
        if plan.is_closed(db, py["id"]):
            raise ValidationError("年度", year, "已经结账")
        db.conn.execute("INSERT INTO plan_year_event (plan_year_id, action, reason, at, by)"
                        " VALUES (?, 'close', ?, ?, ?)", (py["id"], why, db.now(), db.user))
        audit.log(db, action="plan_year.close", entity="plan_year", entity_id=py["id"],
                  summary=f"{year} 年度结账" + (f"：{why}" if why else ""), after={"status": "closed"})


def reopen(db: Database, year: int, *, reason: object) -> None:
    """Reopen a closed year for corrections; the reason is required and logged."""
    why = parse_text(reason, "重新打开的理由")
    if not why:
        raise ValidationError("重新打开的理由", reason, "不能为空")
    with db.transaction("plan_year"):
        py = _year_row(db, year)
        if not plan.is_closed(db, py["id"]):
            raise ValidationError("年度", year, "没有结账，不需要重新打开")
        db.conn.execute("INSERT INTO plan_year_event (plan_year_id, action, reason, at, by)"
                        " VALUES (?, 'reopen', ?, ?, ?)", (py["id"], why, db.now(), db.user))
        audit.log(db, action="plan_year.reopen", entity="plan_year", entity_id=py["id"],
                  summary=f"重新打开 {year} 年度：{why}", after={"status": "open"})


def _copy_clusters(db: Database, old_py: int, new_py: int, new_year: int) -> tuple[dict[int, int], int]:
    """The tree, node by node, with each node's scale level (a level, not a figure). Returns old id -> new id."""
    mapping: dict[int, int] = {}
    start = dt.date(new_year, 1, 1)
    scale = targets.as_of(db, "cluster", "scale", dt.date(new_year - 1, 12, 31))

    def copy(node: clusters.Node, parent: int | None) -> None:
        nid = clusters.add_node(db, plan_year_id=new_py, parent_id=parent, name=node.name, kind=node.kind,
                                scale_label=node.scale_label, note=node.note, source=node.source)
        mapping[node.id] = nid
        level = scale.get(node.id)
        if level is not None and level.get("value") is not None:
            targets.revise(db, Subject("cluster", nid), "scale", level["value"],
                           reason=f"沿用 {new_year - 1} 年规模层级", effective_from=start)
        for child in node.children:
            copy(child, nid)

    for root in clusters.tree(db, old_py):
        copy(root, None)
    return mapping, len(mapping)


def new_year(db: Database, year: object, *, from_year: object = None) -> NewYearResult:
    """新建年度 ``year`` from ``from_year`` (default: the latest held), all in one transaction (see module doc).

    Refused, changing nothing: a year already held, a year not after the latest one held, a ``from_year`` not
    held."""
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError("新年度", year, "应为 2000 到 2100 之间的年份")
    held = [py["year"] for py in plan.plan_years(db)]
    if not held:
        raise ValidationError("新年度", year, "数据库中还没有任何计划年度，请用 policytrack init 新建")
    if year in held:
        raise ValidationError("新年度", year, "已存在")
    if year <= max(held):
        raise ValidationError("新年度", year, f"应在已有的最新年度 {max(held)} 年之后")
    source_year = max(held) if from_year is None else from_year
    if source_year not in held:
        raise ValidationError("--from", from_year, "数据库中没有这个计划年度")
    old = plan.current_plan_year(db, source_year)
    year_end = dt.date(source_year, 12, 31)
    with db.transaction("plan_year", "cluster", "portfolio", "project", "indicator", "target"):
        new_py = plan.create_plan_year(db, year=year, district=old["district"],
                                       title=f"{old['district']}{year}年政策跟踪", source=f"由 {source_year} 年度结转")
        cluster_map, n_clusters = _copy_clusters(db, old["id"], new_py, year)
        pf_map = {}
        for pf in portfolios.list_for(db, old["id"]):
            pf_map[pf["id"]] = portfolios.create(db, plan_year_id=new_py, level=pf["level"], name=pf["name"],
                                                 source=f"由 {source_year} 年度结转（个数、计划待填）")
        n_ind = 0
        for ind in db.query("SELECT campaign, name, unit, decimals, direction, accumulation, note, source"
                            " FROM indicator WHERE plan_year_id = ? AND active = 1 ORDER BY position, id",
                            (old["id"],)):
            indicators.create(db, plan_year_id=new_py, campaign=ind["campaign"], name=ind["name"], unit=ind["unit"],
                              decimals=ind["decimals"], direction=ind["direction"],
                              accumulation=ind["accumulation"], note=ind["note"],
                              source=f"由 {source_year} 年度结转（目标待填）")
            n_ind += 1
        stages = updates.as_of(db, "project", "stage", year_end)
        carried = left = n_ms = 0
        for p in projects.list_for(db, old["id"]):
            stage = (stages.get(p["id"]) or {}).get("text_value")
            if stage == COMPLETED_STAGE:
                left += 1
                continue
            fields = {f: p[f] for f in ("code", "location", "responsible_unit", "responsible_leader",
                                        "total_investment_wan", "start_year", "finish_year", "description")
                      if p.get(f) not in (None, "")}
            if p.get("cluster_id") in cluster_map:
                fields["cluster_id"] = cluster_map[p["cluster_id"]]
            new_id = projects.create(db, portfolio_id=pf_map[p["portfolio_id"]], name=p["name"],
                                     source=f"由 {source_year} 年度结转", lineage=p["lineage"], **fields)
            for m in db.query("SELECT name, planned_date, planned_precision, note, source FROM milestone"
                              " WHERE project_id = ? AND actual_date IS NULL ORDER BY position, id", (p["id"],)):
                projects.add_milestone(db, new_id, name=m["name"], planned_date=m["planned_date"],
                                       planned_precision=m["planned_precision"], note=m["note"], source=m["source"])
                n_ms += 1
            carried += 1
        audit.log(db, action="plan_year.roll", entity="plan_year", entity_id=new_py,
                  summary=f"新建 {year} 年度（由 {source_year} 年结转）：项目 {carried} 个（已投产留在 {source_year} 年"
                          f" {left} 个），指标 {n_ind} 个，集群节点 {n_clusters} 个",
                  after={"year": year, "from": source_year, "projects": carried})
    return NewYearResult(new_py, year, source_year, carried, left, n_ind, len(pf_map), n_clusters, n_ms)


def create_empty(db: Database, *, district: object, year: object) -> int:
    """A plan year in an empty database (policytrack init): the district and the two portfolios, nothing else."""
    if plan.plan_years(db):
        raise ValidationError("数据库", db.path, "已有计划年度，不是空数据库")
    with db.transaction("plan_year", "portfolio"):
        py = plan.create_plan_year(db, year=year, district=district, title="", source="policytrack init")
        for level, name in (("district", "区级重点项目"), ("city", "市级重大项目")):
            portfolios.create(db, plan_year_id=py, level=level, name=name, source="新建")
    return py


def set_district(db: Database, year: object, name: object) -> None:
    """Rename the district (区县名称) of a plan year (logged); refused when the year is closed."""
    clean = parse_name(name, "区县")
    with db.transaction("plan_year"):
        py = _year_row(db, year)
        plan.check_open(db, py["id"])
        if clean == py["district"]:
            return
        db.conn.execute("UPDATE plan_year SET district = ? WHERE id = ?", (clean, py["id"]))
        audit.log(db, action="plan_year.district", entity="plan_year", entity_id=py["id"],
                  summary=f"{year} 年度区县名称：{py['district']} → {clean}",
                  before={"district": py["district"]}, after={"district": clean})
