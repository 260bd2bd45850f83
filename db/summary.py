"""The standing as of a date: portfolios, indicators and the cluster tree, as plain data (no formatting)."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from db import clusters, indicators, money, plan, portfolios, projects, settings, targets, updates
from db.connection import Database
from db.progress import Standing as Judged, Thresholds, catch_up, gap_points, judge, status_for_gap, time_progress
from db.targets import is_derived
from db.validate import month_end, parse_date


def default_as_of(db: Database, plan_year: dict[str, Any]) -> dt.date:
    """The default 报告期: the latest month reported as a whole (see ``db.reporting.default_period``)."""
    from db import reporting
    return reporting.default_period(db, plan_year).as_of


def resolve_as_of(db: Database, as_of: object | None, year: int | None = None) -> tuple[dict[str, Any], dt.date]:
    if as_of is not None and year is None:
        d = parse_date(as_of, "截至日期")
        return plan.for_date(db, d), d          # the date names its plan year
    if as_of is None and year is None:
        from db import reporting
        py, period = reporting.default_year_period(db)
        return py, period.as_of
    py = plan.current_plan_year(db, year)
    if as_of is None:
        return py, default_as_of(db, py)
    return py, parse_date(as_of, "截至日期", year=py["year"])


_yi = money.yi_float


def _f(x: Fraction | None, digits: int = 6) -> float | None:
    return None if x is None else round(float(x), digits)


def _standing_fields(j: Judged) -> dict[str, Any]:
    return {"completion_rate": _f(j.rate), "gap_points": _f(j.gap, 4), "status": j.status, "current": j.current,
            "time_progress_at_own_date": _f(j.time_progress)}


def standing(db: Database, as_of: object | None = None, year: int | None = None, *,
             itemised: bool = True) -> dict[str, Any]:
    """Everything the overview and `summary --json` show, computed exactly and returned as plain numbers.

    ``itemised=False`` leaves out the ``projects`` list (one entry per project: what `summary --json` gives
    scripts); the window's views never read it, and at 10,000 projects it is most of the memory.

    Money is in 亿元 (floats made from exact 万元 integers); rates are fractions (0.556), gaps percentage points
    (from the figures as printed, see ``db.progress.gap_points``). Every figure is judged at its own date:
    ``current`` is false when it is older than the 报告期's month, and its status is then the one it had.
    """
    py, d = resolve_as_of(db, as_of, year)
    mode = settings.time_progress_mode(db)
    thresholds = settings.thresholds(db)
    tp = time_progress(d, py["year"], mode)
    year_start = dt.date(py["year"], 1, 1)

    def at_own_date(actual, target, figure_date, **kw) -> Judged:
        return judge(actual, target, figure_date, d, py["year"], mode=mode, thresholds=thresholds, **kw)

    pf_rows = portfolios.list_for(db, py["id"])
    pf_plan = targets.as_of(db, "portfolio", "annual_plan", d)
    pf_done = updates.as_of(db, "portfolio", "completed", d, since=year_start)
    # Each project's plan and completed investment at the date, as targets.as_of / updates.as_of give them,
    # read lean (a value or a tuple per project, not a row dict): the window asks for this at every date change.
    proj_plan = targets.values_at(db, "project", "annual_plan", d)
    proj_done = updates.standing_values(db, "project", "completed", d, since=year_start)
    active = projects.list_for(db, py["id"]) if itemised else projects.memberships(db, py["id"])
    sums: dict[int, tuple[int, int, int]] = {}
    for p in active:
        n, it_plan, it_done = sums.get(p["portfolio_id"], (0, 0, 0))
        done = proj_done.get(p["id"])
        sums[p["portfolio_id"]] = (n + 1, it_plan + (proj_plan.get(p["id"]) or 0),
                                   it_done + ((done[0] or 0) if done else 0))
    out_portfolios = []
    for pf in pf_rows:
        plan_wan = pf_plan.get(pf["id"], {}).get("value")
        done_row = pf_done.get(pf["id"])
        done_wan = done_row["value"] if done_row else None
        j = at_own_date(done_wan, plan_wan, done_row["as_of"] if done_row else None)
        n_itemised, it_plan, it_done = sums.get(pf["id"], (0, 0, 0))
        own_date = j.as_of or d
        cu = catch_up(plan_wan, done_wan or 0, own_date, py["year"]) if plan_wan else None
        entry = {
            "id": pf["id"],
            "name": pf["name"],
            "level": pf["level"],
            "projects": pf["declared_count"],
            "annual_plan_yi": _yi(plan_wan),
            "completed_yi": _yi(done_wan),
            "completed_as_of": done_row["as_of"] if done_row else None,
            **_standing_fields(j),
            "catch_up_yi_per_month": _f(money.to_yi(cu.per_month), 4) if cu and cu.per_month is not None else None,
            "itemised_projects": n_itemised,
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
        j = at_own_date(a_val, t_val, a_row["as_of"] if a_row else None, direction=ind["direction"],
                        accumulation=ind["accumulation"])
        num = indicators.to_number
        out_indicators.append({
            "id": ind["id"],
            "campaign": ind["campaign"],
            "name": ind["name"],
            "unit": ind["unit"],
            "direction": ind["direction"],
            "accumulation": ind["accumulation"],
            "target": None if t_val is None else float(num(ind, t_val)),
            "target_derived": bool(t_row and is_derived(t_row)),
            "actual": None if a_val is None else float(num(ind, a_val)),
            "as_of": a_row["as_of"] if a_row else None,
            **_standing_fields(j),
            "note": ind["note"],
            "source": ind["source"],
        })

    scale = targets.as_of(db, "cluster", "scale", d)
    annual = targets.as_of(db, "cluster", "annual_output", d)
    output = updates.as_of(db, "cluster", "output", d, since=year_start)
    growth = updates.as_of(db, "cluster", "growth", d, since=year_start)
    linked = clusters.linked_project_counts(db, py["id"])
    out_clusters = []
    for root in clusters.tree(db, py["id"]):
        for path, node in root.walk():
            s_val = scale.get(node.id, {}).get("value")
            target_wan = annual.get(node.id, {}).get("value")
            o_row = output.get(node.id)
            g_row = growth.get(node.id)
            # The tier's scale is a level (千亿级), never a target: only a user-set annual output target judges.
            j = at_own_date(o_row["value"] if o_row else None, target_wan, o_row["as_of"] if o_row else None)
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
                "annual_output_target_yi": _yi(target_wan),
                "output_yi": _yi(o_row["value"]) if o_row else None,
                "output_as_of": o_row["as_of"] if o_row else None,
                "growth": g_row["value"] / 10000 if g_row else None,
                **_standing_fields(j),
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
        # Added with several plan years: the year's status (年度结账) and its projects itemised, each with the
        # lineage it shares with its rows in other years.
        "year_status": "closed" if plan.is_closed(db, py["id"]) else "open",
        **({} if not itemised else {"projects": [
            {"id": p["id"], "name": p["name"], "code": p.get("code"), "portfolio_id": p["portfolio_id"],
             "level": p["level"],
             "annual_plan_yi": _yi(proj_plan[p["id"]]) if p["id"] in proj_plan else None,
             "completed_yi": _yi(proj_done[p["id"]][0]) if p["id"] in proj_done else None,
             "completed_as_of": proj_done[p["id"]][2] if p["id"] in proj_done else None,
             "lineage": p.get("lineage")} for p in active]}),
    }


# -- projects and groups of projects (the charts, the briefing and the board's detail read these) ---------------

LEVEL_NAMES = portfolios.LEVELS
UNKNOWN_UNIT = "（未填写责任单位）"
UNLINKED_CLUSTER = "（未关联集群）"


def project_standings(db: Database, as_of: object | None = None, year: int | None = None) -> list[dict[str, Any]]:
    """Every active project at the 报告期 with its plan, completion, stage and next milestone, each completion
    judged at its own date (``current`` false when older than the 报告期's month)."""
    py, d = resolve_as_of(db, as_of, year)
    mode = settings.time_progress_mode(db)
    th = settings.thresholds(db)
    year_start = dt.date(py["year"], 1, 1)
    rows = projects.list_for(db, py["id"])
    plans = targets.as_of(db, "project", "annual_plan", d)
    done = updates.as_of(db, "project", "completed", d, since=year_start)
    stages = updates.as_of(db, "project", "stage", d)
    physical = updates.as_of(db, "project", "physical_progress", d)
    nxt = projects.next_milestones(db, py["id"])
    names = clusters.names_by_node(db, py["id"])
    portfolio_names = {p["id"]: p["name"] for p in portfolios.list_for(db, py["id"])}
    out = []
    for r in rows:
        pid = r["id"]
        plan_wan = plans[pid]["value"] if pid in plans else None
        done_row = done.get(pid)
        done_wan = done_row["value"] if done_row else None
        j = judge(done_wan, plan_wan, done_row["as_of"] if done_row else None, d, py["year"], mode=mode,
                  thresholds=th)
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
            "completed_as_of": done_row["as_of"] if done_row else None,
            **_standing_fields(j),
            "stage": stage_row["text_value"] if stage_row else None,
            "physical_progress": phys["value"] / 10000 if phys and phys["value"] is not None else None,
            "next_milestone": m["name"] if m else None,
            "next_milestone_date": m["planned_date"] if m else None,
            "note": "；".join(notes),
        })
    return out


def group_standings(items: list[dict[str, Any]], by: str, time_progress: Fraction,
                    thresholds: Thresholds) -> list[dict[str, Any]]:
    """Projects (as ``project_standings`` returns them) summed per level, cluster or responsible unit.

    A group's rate counts only projects reported for the 报告期 with an annual plan (``measured``): a project
    without figures, or with an older figure (``unreported``), would otherwise pull its group down or be judged
    against the wrong month. ``projects`` counts all of them; red/amber/green count the current ones.
    """
    key = {"level": "level_name", "cluster": "cluster", "unit": "responsible_unit"}[by]
    groups: dict[str, dict[str, Any]] = {}
    for p in items:
        name = p[key] or (UNKNOWN_UNIT if by == "unit" else UNLINKED_CLUSTER if by == "cluster" else "")
        g = groups.setdefault(name, {"name": name, "projects": 0, "measured": 0, "unreported": 0, "plan_wan": 0,
                                     "completed_wan": 0, "red": 0, "amber": 0, "green": 0})
        g["projects"] += 1
        if not p.get("current", True):
            g["unreported"] += 1
            continue
        if p["status"]:
            g[p["status"]] += 1
        if p["plan_wan"] and p["completed_wan"] is not None:
            g["measured"] += 1
            g["plan_wan"] += p["plan_wan"]
            g["completed_wan"] += p["completed_wan"]
    out = []
    for g in groups.values():
        rate = Fraction(g["completed_wan"], g["plan_wan"]) if g["plan_wan"] else None
        gap = gap_points(rate, time_progress) if rate is not None else None
        out.append({**g, "annual_plan_yi": _yi(g["plan_wan"]) if g["plan_wan"] else None,
                    "completed_yi": _yi(g["completed_wan"]) if g["plan_wan"] else None,
                    "completion_rate": _f(rate), "gap_points": _f(gap, 4),
                    "status": status_for_gap(gap, thresholds)})
    return out


def monthly_completed(db: Database, as_of: object | None = None, year: int | None = None) -> dict[int, list]:
    """Per portfolio, the year-to-date completed investment (亿元) reported in each month up to the 报告期;
    a month without a report of its own stays None rather than repeating an older figure."""
    py, d = resolve_as_of(db, as_of, year)
    y = py["year"]
    last_month = d.month if d.year == y else (12 if d.year > y else 0)
    values: dict[int, list[float | None]] = {p["id"]: [None] * 12 for p in portfolios.list_for(db, py["id"])}
    for m in range(1, last_month + 1):
        rows = updates.as_of(db, "portfolio", "completed", min(month_end(y, m), d), since=dt.date(y, m, 1))
        for pid, row in rows.items():
            if pid in values:
                values[pid][m - 1] = _yi(row["value"])
    return values
