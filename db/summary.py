"""The standing as of a date: portfolios, indicators and the cluster tree, as plain data (no formatting)."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from db import clusters, indicators, plan, portfolios, settings, targets, updates
from db.connection import Database
from db.progress import assess, catch_up, time_progress
from db.validate import WAN_PER_YI, month_end, parse_date


def default_as_of(db: Database, plan_year: dict[str, Any]) -> dt.date:
    """The latest reporting date in the plan year; without any, the last month-end reached (or January)."""
    latest = updates.latest_as_of(db, plan_year["id"])
    if latest:
        return dt.date.fromisoformat(latest)
    today = dt.date.today()
    year = plan_year["year"]
    if today.year > year:
        return dt.date(year, 12, 31)
    if today.year < year or today.month == 1:
        return month_end(year, 1)
    return month_end(year, today.month - 1)


def resolve_as_of(db: Database, as_of: object | None, year: int | None = None) -> tuple[dict[str, Any], dt.date]:
    py = plan.current_plan_year(db, year)
    if as_of is None:
        return py, default_as_of(db, py)
    return py, parse_date(as_of, "截至日期", year=py["year"])


def _yi(wan: int | None) -> float | None:
    return None if wan is None else wan / WAN_PER_YI


def _f(x: Fraction | None, digits: int = 6) -> float | None:
    return None if x is None else round(float(x), digits)


def standing(db: Database, as_of: object | None = None, year: int | None = None) -> dict[str, Any]:
    """Everything the overview and `summary --json` show, computed exactly and returned as plain numbers.

    Money is in 亿元 (floats made from exact 万元 integers); rates are fractions (0.556), gaps percentage points.
    """
    py, d = resolve_as_of(db, as_of, year)
    mode = settings.time_progress_mode(db)
    thresholds = settings.thresholds(db)
    tp = time_progress(d, py["year"], mode)
    year_start = dt.date(py["year"], 1, 1)

    pf_rows = portfolios.list_for(db, py["id"])
    pf_plan = targets.as_of(db, "portfolio", "annual_plan", d)
    pf_done = updates.as_of(db, "portfolio", "completed", d, since=year_start)
    proj_plan = targets.as_of(db, "project", "annual_plan", d)
    proj_done = updates.as_of(db, "project", "completed", d, since=year_start)
    active = db.query("SELECT p.id, p.portfolio_id FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
                      " WHERE p.active = 1 AND pf.plan_year_id = ?", (py["id"],))
    out_portfolios = []
    for pf in pf_rows:
        plan_wan = pf_plan.get(pf["id"], {}).get("value")
        done_row = pf_done.get(pf["id"])
        done_wan = done_row["value"] if done_row else None
        a = assess(done_wan, plan_wan, tp, thresholds=thresholds)
        members = [p["id"] for p in active if p["portfolio_id"] == pf["id"]]
        it_plan = sum(proj_plan[i]["value"] for i in members if i in proj_plan and proj_plan[i]["value"] is not None)
        it_done = sum(proj_done[i]["value"] for i in members if i in proj_done)
        cu = catch_up(plan_wan, done_wan or 0, d, py["year"]) if plan_wan else None
        entry = {
            "id": pf["id"],
            "name": pf["name"],
            "level": pf["level"],
            "projects": pf["declared_count"],
            "annual_plan_yi": _yi(plan_wan),
            "completed_yi": _yi(done_wan),
            "completed_as_of": done_row["as_of"] if done_row else None,
            "completion_rate": _f(a.rate),
            "gap_points": _f(a.gap, 4),
            "status": a.status,
            "catch_up_yi_per_month": _f(cu.per_month / WAN_PER_YI, 4) if cu and cu.per_month is not None else None,
            "itemised_projects": len(members),
            "itemised_annual_plan_yi": _yi(it_plan),
            "itemised_completed_yi": _yi(it_done),
            "source": pf["source"],
        }
        if pf["total_investment_wan"] is not None:
            entry["total_investment_yi"] = _yi(pf["total_investment_wan"])
        out_portfolios.append(entry)

    ind_target = targets.as_of(db, "indicator", "value", d)
    ind_actual = updates.as_of(db, "indicator", "value", d, since=year_start)
    out_indicators = []
    for ind in indicators.list_for(db, py["id"]):
        t_row = ind_target.get(ind["id"])
        a_row = ind_actual.get(ind["id"])
        t_val = t_row["value"] if t_row else None
        a_val = a_row["value"] if a_row else None
        a = assess(a_val, t_val, tp, direction=ind["direction"], accumulation=ind["accumulation"],
                   thresholds=thresholds)
        num = indicators.to_number
        out_indicators.append({
            "id": ind["id"],
            "campaign": ind["campaign"],
            "name": ind["name"],
            "unit": ind["unit"],
            "direction": ind["direction"],
            "accumulation": ind["accumulation"],
            "target": None if t_val is None else float(num(ind, t_val)),
            "actual": None if a_val is None else float(num(ind, a_val)),
            "as_of": a_row["as_of"] if a_row else None,
            "completion_rate": _f(a.rate),
            "gap_points": _f(a.gap, 4),
            "status": a.status,
            "note": ind["note"],
            "source": ind["source"],
        })

    scale = targets.as_of(db, "cluster", "scale", d)
    output = updates.as_of(db, "cluster", "output", d, since=year_start)
    growth = updates.as_of(db, "cluster", "growth", d, since=year_start)
    linked = dict(db.conn.execute("SELECT cluster_id, count(*) FROM project WHERE active = 1"
                                  " AND cluster_id IS NOT NULL GROUP BY cluster_id").fetchall())
    out_clusters = []
    for root in clusters.tree(db, py["id"]):
        for path, node in root.walk():
            s_val = scale.get(node.id, {}).get("value")
            o_row = output.get(node.id)
            g_row = growth.get(node.id)
            a = assess(o_row["value"] if o_row else None, s_val, tp, thresholds=thresholds)
            tier_scale = s_val
            if s_val is None and node.kind == "tier":
                # A tier's scale is the one its clusters share (千亿级 -> 1000 亿元 each), when they share one.
                shared = {scale.get(c.id, {}).get("value") for c in node.children}
                tier_scale = shared.pop() if len(shared) == 1 else None
            out_clusters.append({
                "id": node.id,
                "path": list(path),
                "kind": node.kind,
                "scale_label": node.scale_label,
                "tier_scale_yi": _yi(tier_scale),
                "output_yi": _yi(o_row["value"]) if o_row else None,
                "growth": g_row["value"] / 10000 if g_row else None,
                "completion_rate": _f(a.rate),
                "status": a.status,
                "linked_projects": linked.get(node.id, 0),
            })

    return {
        "district": py["district"],
        "plan_year": py["year"],
        "as_of": d.isoformat(),
        "time_progress": _f(tp),
        "time_progress_mode": mode,
        "portfolios": out_portfolios,
        "indicators": out_indicators,
        "clusters": out_clusters,
    }
