"""What the charts and the briefing show, gathered from db/ as plain dicts and lists (no Qt, no matplotlib).

One call, ``gather(db, as_of)``, reads the standing (db.summary), every itemised project with its plan,
completion, stage and next milestone, the month-by-month completed investment of each portfolio and the
报送情况 (db.reporting). Every rate, gap and status comes from db.summary: nothing is recomputed here. The
figure builders and the briefing only ever see this data, so they are easy to test and safe to hand to a
worker thread.
"""
from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from db import Database, NotFoundError, plan, reporting, settings, summary
from db.progress import Thresholds, months_elapsed, time_progress
from db.summary import LEVEL_NAMES, UNKNOWN_UNIT  # noqa: F401  (re-exported for the figure builders)

UNFILLED_STAGE = "未填报"


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
    data["projects"] = summary.project_standings(db, d, py["year"])
    data["monthly"] = _monthly(db, d, py["year"], standing["portfolios"])
    data["reporting"] = reporting.status(db, d, py["year"]).details()
    from desktop.report.problem_section import gather_problems
    data["problems"] = gather_problems(db, d)
    return data


def _monthly(db: Database, d: dt.date, year: int, portfolios: list[dict]) -> list[dict[str, Any]]:
    """Per portfolio, the cumulative completed investment reported in each month up to the as-of date."""
    values = summary.monthly_completed(db, d, year)
    last_month = d.month if d.year == year else (12 if d.year > year else 0)
    elapsed = months_elapsed(d, year)
    return [{"id": p["id"], "name": p["name"], "annual_plan_yi": p["annual_plan_yi"],
             "completed_yi": p["completed_yi"], "completion_rate": p["completion_rate"], "status": p["status"],
             "current": p.get("current", True), "completed_as_of": p.get("completed_as_of"),
             "months": values.get(p["id"], [None] * 12), "as_of_month": last_month, "months_elapsed": elapsed,
             "catch_up_yi_per_month": p.get("catch_up_yi_per_month")} for p in portfolios]


def group_projects(data: dict[str, Any], by: str) -> list[dict[str, Any]]:
    """Itemised projects summed per level, cluster or responsible unit (db.summary.group_standings)."""
    tp = data.get("time_progress_exact", data.get("time_progress"))
    th = data.get("thresholds", {})
    thresholds = Thresholds(Fraction(str(th.get("green_from", 0))), Fraction(str(th.get("amber_from", -10))))
    return summary.group_standings(data.get("projects", []), by, Fraction(str(tp)) if isinstance(tp, float)
                                   else Fraction(tp or 0), thresholds)
