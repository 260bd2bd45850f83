"""What the charts and the briefing show, gathered from db/ as plain dicts and lists (no Qt, no matplotlib).

One call, ``gather(db, as_of)``, reads the standing (db.summary), every itemised project with its plan,
completion, stage and next milestone, and the month-by-month completed investment of each portfolio. The
figure builders and the briefing only ever see this data, so they are easy to test and safe to hand to a
worker thread.
"""
from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from db import Database, NotFoundError, clusters, plan, projects, settings, summary, targets, updates
from db.progress import Thresholds, assess, months_elapsed, status_for_gap, time_progress
from db.validate import WAN_PER_YI, month_end

UNFILLED_STAGE = "未填报"
UNKNOWN_UNIT = "（未填写责任单位）"
LEVEL_NAMES = {"district": "区级重点", "city": "市级重大"}


def _yi(wan: int | None) -> float | None:
    return None if wan is None else wan / WAN_PER_YI  # int / int: the correctly rounded float


def _f(x: Fraction | None, digits: int = 6) -> float | None:
    return None if x is None else round(float(x), digits)


def empty(reason: str = "数据库中还没有计划年度") -> dict[str, Any]:
    """The data of a database with nothing to show: every chart draws “暂无数据”."""
    return {"empty": True, "reason": reason, "district": "", "plan_year": None, "as_of": None,
            "time_progress": None, "portfolios": [], "indicators": [], "clusters": [], "projects": [],
            "stages": [], "monthly": [], "thresholds": {"green_from": 0.0, "amber_from": -10.0}}


def gather(db: Database, as_of: object | None = None, year: int | None = None, *,
           standing: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the charts and the briefing need, as of a date (default: the latest reporting date).

    ``standing`` may pass in db.summary.standing for the same date when the caller already has it (the GUI
    shares one per as-of date).
    """
    if standing is None:
        try:
            standing = summary.standing(db, as_of, year)
        except NotFoundError as exc:
            return empty(str(exc))
    py = plan.current_plan_year(db, standing["plan_year"])
    d = dt.date.fromisoformat(standing["as_of"])
    tp = time_progress(d, py["year"], standing["time_progress_mode"])
    th = settings.thresholds(db)
    data: dict[str, Any] = dict(standing)
    data["time_progress_exact"] = tp
    data["empty"] = False
    data["reason"] = ""
    data["organization"] = settings.get(db, "organization") or f"{standing['district']}发展和改革委员会"
    data["stages"] = plan.stages(db)
    data["thresholds"] = {"green_from": float(th.green_from), "amber_from": float(th.amber_from)}
    data["projects"] = _projects(db, py, d, tp, th)
    data["monthly"] = _monthly(db, py, d, standing["portfolios"])
    return data


def _cluster_names(db: Database, plan_year_id: int) -> dict[int, dict[str, str]]:
    """Per cluster node: its own name, the enclosing cluster (kind 'cluster') and tier."""
    out: dict[int, dict[str, str]] = {}
    for root in clusters.tree(db, plan_year_id):
        stack = [(root, None, None)]
        while stack:
            node, tier, cluster = stack.pop()
            tier = node.name if node.kind == "tier" else tier
            cluster = node.name if node.kind == "cluster" else cluster
            out[node.id] = {"name": node.name, "cluster": cluster or node.name, "tier": tier or ""}
            stack.extend((c, tier, cluster) for c in node.children)
    return out


def _projects(db: Database, py: dict[str, Any], d: dt.date, tp: Fraction, th) -> list[dict[str, Any]]:
    year_start = dt.date(py["year"], 1, 1)
    rows = projects.list_for(db, py["id"])
    plans = targets.as_of(db, "project", "annual_plan", d)
    done = updates.as_of(db, "project", "completed", d, since=year_start)
    stages = updates.as_of(db, "project", "stage", d)
    physical = updates.as_of(db, "project", "physical_progress", d)
    nxt = projects.next_milestones(db, py["id"])
    names = _cluster_names(db, py["id"])
    portfolio_names = {p["id"]: p["name"] for p in db.query("SELECT id, name FROM portfolio WHERE plan_year_id = ?",
                                                            (py["id"],))}
    out = []
    for r in rows:
        pid = r["id"]
        plan_wan = plans[pid]["value"] if pid in plans else None
        done_row = done.get(pid)
        done_wan = done_row["value"] if done_row else None
        a = assess(done_wan, plan_wan, tp, thresholds=th)
        cl = names.get(r["cluster_id"]) if r["cluster_id"] is not None else None
        m = nxt.get(pid)
        stage_row = stages.get(pid)
        phys = physical.get(pid)
        notes = [n for n in (done_row["note"] if done_row else "", r["note"]) if n]
        out.append({
            "id": pid,
            "name": r["name"],
            "portfolio": portfolio_names.get(r["portfolio_id"], ""),
            "level": r["level"],
            "level_name": LEVEL_NAMES.get(r["level"], r["level"]),
            "cluster": cl["cluster"] if cl else "",
            "tier": cl["tier"] if cl else "",
            "responsible_unit": r["responsible_unit"],
            "location": r["location"],
            "total_investment_yi": _yi(r["total_investment_wan"]),
            "total_investment_wan": r["total_investment_wan"],
            "annual_plan_yi": _yi(plan_wan),
            "completed_yi": _yi(done_wan),
            "plan_wan": plan_wan,
            "completed_wan": done_wan,
            "completion_rate": _f(a.rate),
            "gap_points": _f(a.gap, 4),
            "status": a.status,
            "stage": stage_row["text_value"] if stage_row else None,
            "physical_progress": phys["value"] / 10000 if phys and phys["value"] is not None else None,
            "next_milestone": m["name"] if m else None,
            "next_milestone_date": m["planned_date"] if m else None,
            "note": "；".join(notes),
        })
    return out


def _monthly(db: Database, py: dict[str, Any], d: dt.date, portfolios: list[dict]) -> list[dict[str, Any]]:
    """Per portfolio, the cumulative completed investment reported in each month up to the as-of date.

    A month without a report of its own stays empty (None) rather than repeating an older figure.
    """
    year = py["year"]
    last_month = d.month if d.year == year else (12 if d.year > year else 0)
    values: dict[int, list[float | None]] = {p["id"]: [None] * 12 for p in portfolios}
    for m in range(1, last_month + 1):
        start = dt.date(year, m, 1)
        end = min(month_end(year, m), d)
        rows = updates.as_of(db, "portfolio", "completed", end, since=start)
        for pid, row in rows.items():
            if pid in values:
                values[pid][m - 1] = _yi(row["value"])
    elapsed = months_elapsed(d, year)
    out = []
    for p in portfolios:
        out.append({
            "id": p["id"],
            "name": p["name"],
            "annual_plan_yi": p["annual_plan_yi"],
            "completed_yi": p["completed_yi"],
            "completion_rate": p["completion_rate"],
            "status": p["status"],
            "months": values[p["id"]],
            "as_of_month": last_month,
            "months_elapsed": elapsed,
            "catch_up_yi_per_month": p.get("catch_up_yi_per_month"),
        })
    return out


def group_projects(data: dict[str, Any], by: str) -> list[dict[str, Any]]:
    """Itemised projects summed per level, cluster or responsible unit, with completion, gap and status.

    Only projects with both an annual plan and a reported completion count towards a group's rate (a project
    without figures would otherwise pull its group down); ``projects`` counts all of them.
    """
    key = {"level": "level_name", "cluster": "cluster", "unit": "responsible_unit"}[by]
    tp = data.get("time_progress")
    tp = data.get("time_progress_exact", tp)
    th = data.get("thresholds", {})
    thresholds = Thresholds(Fraction(str(th.get("green_from", 0))), Fraction(str(th.get("amber_from", -10))))
    groups: dict[str, dict[str, Any]] = {}
    for p in data.get("projects", []):
        name = p[key] or (UNKNOWN_UNIT if by == "unit" else "（未关联集群）" if by == "cluster" else "")
        g = groups.setdefault(name, {"name": name, "projects": 0, "measured": 0, "plan_wan": 0, "completed_wan": 0,
                                     "red": 0, "amber": 0, "green": 0})
        g["projects"] += 1
        if p["status"]:
            g[p["status"]] += 1
        if p["plan_wan"] and p["completed_wan"] is not None:
            g["measured"] += 1
            g["plan_wan"] += p["plan_wan"]
            g["completed_wan"] += p["completed_wan"]
    out = []
    for g in groups.values():
        rate = Fraction(g["completed_wan"], g["plan_wan"]) if g["plan_wan"] else None
        gap = (rate - Fraction(tp)) * 100 if rate is not None and tp is not None else None
        out.append({**g, "annual_plan_yi": _yi(g["plan_wan"]) if g["plan_wan"] else None,
                    "completed_yi": _yi(g["completed_wan"]) if g["plan_wan"] else None,
                    "completion_rate": _f(rate), "gap_points": _f(gap, 4),
                    "status": status_for_gap(gap, thresholds) if gap is not None else None})
    return out
