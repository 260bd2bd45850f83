"""报送情况: which month is the 报告期 by default, and for a 报告期 who has reported and who has not.

A figure counts as reported for a 报告期 when a live (not withdrawn) year-to-date completed investment is
recorded for a date inside that month. The default 报告期 is the latest month reported *as a whole*, so one
figure typed early for a later month never moves it.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from db import plan, portfolios, projects, settings
from db.connection import Database
from db.errors import NotFoundError, ValidationError
from db.validate import month_end, parse_date

UNKNOWN_UNIT = "（未填写责任单位）"
DEADLINE_KEY = "reporting_deadline_day"
DEFAULT_DEADLINE_DAY = 5

# Per subject and reporting date, the newest row decides (a retraction withdraws that date's figure).
_LIVE_DATES = """
    SELECT u.{col} AS subject_id, u.as_of FROM progress_update u
    WHERE u.{col} IS NOT NULL AND u.metric = 'completed' AND u.as_of BETWEEN :start AND :end AND u.retracted = 0
      AND u.id = (SELECT max(v.id) FROM progress_update v
                  WHERE v.{col} = u.{col} AND v.metric = 'completed' AND v.as_of = u.as_of)
"""
_LIVE_PORTFOLIO_DATES = _LIVE_DATES.replace("{col}", "portfolio_id")
_LIVE_PROJECT_DATES = _LIVE_DATES.replace("{col}", "project_id")


@dataclass(frozen=True)
class Period:
    """A 报告期 (its month-end) and, in Chinese, why it was chosen."""

    as_of: dt.date
    reason: str


def _months(db: Database, sql: str, year: int, ids: set[int]) -> dict[int, set[int]]:
    """Per subject among ``ids``: the months of the year with a live completed figure."""
    out: dict[int, set[int]] = {i: set() for i in ids}
    for r in db.query(sql, {"start": f"{year:04d}-01-01", "end": f"{year:04d}-12-31"}):
        if r["subject_id"] in out:
            out[r["subject_id"]].add(dt.date.fromisoformat(r["as_of"]).month)
    return out


def default_year_period(db: Database) -> tuple[dict[str, Any], Period]:
    """The default 报告期 across plan years: the latest year with a month reported as a whole, and that month; a
    new year with only a few early figures does not move it. Without any, the latest year's default_period."""
    years = plan.plan_years(db)
    if not years:
        raise NotFoundError("数据库中还没有计划年度")
    for py in reversed(years):
        whole = _whole_months(db, py)
        if whole:
            return py, max(whole, key=lambda p: p.as_of)
    return years[-1], default_period(db, years[-1])


def default_period(db: Database, plan_year: dict[str, Any]) -> Period:
    """The latest month reported as a whole: every portfolio total that reports at all, or more than half of the
    active projects (whichever is later); without either, the latest reporting date, else the last month-end."""
    candidates = _whole_months(db, plan_year)
    if candidates:
        return max(candidates, key=lambda p: p.as_of)
    return _fallback_period(db, plan_year["year"])


def _whole_months(db: Database, plan_year: dict[str, Any]) -> list[Period]:
    year = plan_year["year"]
    candidates: list[Period] = []
    pf_months = _months(db, _LIVE_PORTFOLIO_DATES, year, {p["id"] for p in portfolios.list_for(db, plan_year["id"])})
    reporting_pf = [m for m in pf_months.values() if m]
    if reporting_pf:
        common = set.intersection(*reporting_pf)
        if common:
            m = max(common)
            candidates.append(Period(month_end(year, m), f"{m}月：各项目盘子合计均已报送的最近月份"))
    active = db.scalar(_ACTIVE_PROJECTS, (plan_year["id"],))
    m, count = _latest_majority_month(db, plan_year, active) if active else (None, 0)
    if m is not None:
        candidates.append(Period(month_end(year, m), f"{m}月：多数项目（{count}/{active} 个）已报送的最近月份"))
    return candidates


def _latest_majority_month(db: Database, plan_year: dict[str, Any], active: int) -> tuple[int | None, int]:
    """The latest month in which more than half of the ``active`` projects have a live completed figure, and
    how many do. Usually it is the month of the latest figure: that month is counted alone (index look-ups per
    project, 0.02 s at 10,000 projects); otherwise every month is counted in one pass."""
    year = plan_year["year"]
    params = {"plan_year": plan_year["id"], "start": f"{year:04d}-01-01", "end": f"{year:04d}-12-31"}
    latest = db.scalar(_LATEST_PROJECT_DATE, params)
    if latest is None:
        return None, 0
    last_month = int(latest[5:7])
    n = db.scalar(_PROJECTS_IN_MONTH, {**params, "start": f"{year:04d}-{last_month:02d}-01",
                                       "end": month_end(year, last_month).isoformat()})
    if n * 2 > active:
        return last_month, n
    per_month = [0] * 13
    for r in db.query(_PROJECTS_PER_MONTH, params):
        per_month[r["month"]] = r["n"]
    full = [m for m in range(1, 13) if per_month[m] * 2 > active]
    return (full[-1], per_month[full[-1]]) if full else (None, 0)


_ACTIVE_PROJECTS = ("SELECT count(*) FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
                    " WHERE pf.plan_year_id = ? AND p.active = 1")

_LATEST_PROJECT_DATE = ("SELECT max(as_of) FROM progress_update WHERE project_id IS NOT NULL AND metric = 'completed'"
                        " AND as_of BETWEEN :start AND :end")

# How many of the year's active projects have a live completed figure dated between :start and :end (the newest
# row of its date not a retraction, as in _LIVE_DATES).
_PROJECTS_IN_MONTH = """
    SELECT count(*) FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id
    WHERE pf.plan_year_id = :plan_year AND p.active = 1 AND EXISTS (
        SELECT 1 FROM progress_update u
        WHERE u.project_id = p.id AND u.metric = 'completed' AND u.as_of BETWEEN :start AND :end
          AND u.retracted = 0
          AND NOT EXISTS (SELECT 1 FROM progress_update n WHERE n.project_id = u.project_id
                          AND n.metric = 'completed' AND n.as_of = u.as_of AND n.id > u.id))
"""

# Per month, how many of the year's active projects have a live completed figure dated in it. SQLite's bare
# columns beside max(): ``retracted`` is that of the newest row for the (project, date), as in _LIVE_DATES.
_PROJECTS_PER_MONTH = """
    SELECT CAST(substr(as_of, 6, 2) AS INTEGER) AS month, count(DISTINCT project_id) AS n FROM (
        SELECT u.project_id, u.as_of, u.retracted, max(u.id) FROM progress_update u
        WHERE u.project_id IS NOT NULL AND u.metric = 'completed' AND u.as_of BETWEEN :start AND :end
          AND u.project_id IN (SELECT p.id FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id
                               WHERE pf.plan_year_id = :plan_year AND p.active = 1)
        GROUP BY u.project_id, u.as_of)
    WHERE retracted = 0 GROUP BY month
"""


def _fallback_period(db: Database, year: int) -> Period:
    latest = db.scalar("SELECT max(as_of) FROM progress_update WHERE retracted = 0 AND as_of BETWEEN ? AND ?",
                       (f"{year:04d}-01-01", f"{year:04d}-12-31"))
    if latest:
        d = dt.date.fromisoformat(latest)
        return Period(d, f"{d.month}月：尚无整月报送，取最近的填报日期")
    today = dt.date.today()
    if today.year > year:
        return Period(dt.date(year, 12, 31), "尚无报送数据，取年末")
    if today.year < year or today.month == 1:
        return Period(month_end(year, 1), "尚无报送数据，取1月")
    return Period(month_end(year, today.month - 1), "尚无报送数据，取上月末")


def deadline_day(db: Database) -> int:
    raw = settings.get(db, DEADLINE_KEY)
    try:
        day = int(raw) if raw is not None else DEFAULT_DEADLINE_DAY
    except ValueError:
        return DEFAULT_DEADLINE_DAY
    return day if 1 <= day <= 28 else DEFAULT_DEADLINE_DAY


def set_deadline_day(db: Database, day: object) -> int:
    """The day of the following month by which a month's figures are due (1–28; default the 5th)."""
    try:
        value = int(str(day).strip())
    except ValueError:
        raise ValidationError("报送截止日", day, "必须是 1 到 28 之间的整数") from None
    if not 1 <= value <= 28:
        raise ValidationError("报送截止日", day, "必须是 1 到 28 之间的整数")
    settings.put(db, DEADLINE_KEY, str(value), f"报送截止日：次月{value}日")
    return value


def deadline_for(period: dt.date, day: int) -> dt.date:
    """The deadline of a 报告期: ``day`` of the month after it."""
    y, m = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return dt.date(y, m, min(day, calendar.monthrange(y, m)[1]))


@dataclass
class UnitStatus:
    unit: str
    projects: int
    reported: int
    missing: list[str]
    missing_ids: list[int] = field(default_factory=list)

    @property
    def state(self) -> str:
        """'all' / 'part' / 'none' reported."""
        if not self.missing:
            return "all"
        return "none" if self.reported == 0 else "part"


@dataclass
class Status:
    """报送情况 for one 报告期."""

    period: dt.date                   # the 报告期's month-end
    deadline: dt.date
    days_overdue: int                 # days past the deadline while something is missing (0 otherwise)
    units: list[UnitStatus]
    portfolios_unreported: list[str]
    project_count: int
    reported_count: int

    @property
    def missing_count(self) -> int:
        return self.project_count - self.reported_count

    def to_json(self) -> dict[str, Any]:
        """The stable shape of `reporting --json` (and of `summary --json`'s ``reporting``)."""
        return {"period": f"{self.period.year:04d}-{self.period.month:02d}",
                "deadline": self.deadline.isoformat(),
                "units": [{"unit": u.unit, "projects": u.projects, "reported": u.reported, "missing": u.missing}
                          for u in self.units],
                "portfolios_unreported": self.portfolios_unreported}

    def details(self) -> dict[str, Any]:
        """``to_json`` plus what a page says around it: days overdue, counts, the missing projects' ids."""
        return {**self.to_json(), "days_overdue": self.days_overdue, "project_count": self.project_count,
                "reported_count": self.reported_count,
                "missing_ids": [i for u in self.units for i in u.missing_ids]}


def status(db: Database, as_of: object | None = None, year: int | None = None, *,
           today: dt.date | None = None) -> Status:
    """Who has reported for the 报告期 of ``as_of`` (default: the default 报告期), per 责任单位.

    Units are listed with the most missing projects first (then in the order of their first project).
    """
    if as_of is not None and year is None:
        d = parse_date(as_of, "截至日期")
        py = plan.for_date(db, d)                # the date names its plan year
    elif as_of is None and year is None:
        py, p = default_year_period(db)
        d = p.as_of
    else:
        py = plan.current_plan_year(db, year)
        d = default_period(db, py).as_of if as_of is None else parse_date(as_of, "截至日期", year=py["year"])
    period = month_end(d.year, d.month)
    start = dt.date(d.year, d.month, 1)
    params = {"start": start.isoformat(), "end": period.isoformat()}
    reported_projects = {r["subject_id"] for r in db.query(_LIVE_PROJECT_DATES, params)}
    reported_pf = {r["subject_id"] for r in db.query(_LIVE_PORTFOLIO_DATES, params)}
    units: dict[str, UnitStatus] = {}
    rows = projects.list_for(db, py["id"])
    for p in rows:
        name = (p["responsible_unit"] or "").strip() or UNKNOWN_UNIT
        u = units.setdefault(name, UnitStatus(name, 0, 0, []))
        u.projects += 1
        if p["id"] in reported_projects:
            u.reported += 1
        else:
            u.missing.append(p["name"])
            u.missing_ids.append(p["id"])
    ordered = sorted(units.values(), key=lambda u: -len(u.missing))  # stable: first appearance breaks ties
    unreported = [pf["name"] for pf in portfolios.list_for(db, py["id"]) if pf["id"] not in reported_pf]
    deadline = deadline_for(period, deadline_day(db))
    today = today or dt.date.today()
    reported_count = sum(u.reported for u in ordered)
    something_missing = reported_count < len(rows) or bool(unreported)
    overdue = max((today - deadline).days, 0) if something_missing else 0
    return Status(period, deadline, overdue, ordered, unreported, len(rows), reported_count)
