"""Define a year's parts in the app: portfolios (with their plan) and indicators (with their target).

Each definition is one validated, logged transaction: the row and its first target together, or nothing.
"""
from __future__ import annotations

from typing import Any

from db import audit, indicators, plan, portfolios, targets
from db.connection import Database
from db.errors import ValidationError
from db.subjects import Subject
from db.validate import check_stored_int, parse_money_wan, parse_text

REASON = "年初计划"


def _money(value: object, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_money_wan(value, field)


def _count(value: object, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(field, value, "应为不小于 0 的整数")
    check_stored_int(value, field)
    return value


def add_portfolio(db: Database, *, plan_year_id: int, level: str, name: str, declared_count: object = None,
                  annual_plan: object = None, total_investment: object = None, source: str = "") -> int:
    """A portfolio (项目盘子) with its declared count, total investment and annual plan (亿元 text or 万元 int)."""
    count = _count(declared_count, "申报项目数")
    plan_wan = _money(annual_plan, "年度计划投资")
    total_wan = _money(total_investment, "总投资")
    src = parse_text(source, "来源")
    with db.transaction("portfolio", "target"):
        plan.check_open(db, plan_year_id)
        pid = portfolios.create(db, plan_year_id=plan_year_id, level=level, name=name, declared_count=count,
                                total_investment_wan=total_wan, source=src)
        if plan_wan is not None:
            targets.revise(db, Subject("portfolio", pid), "annual_plan", plan_wan, reason=REASON, source=src)
    return pid


def update_portfolio(db: Database, portfolio_id: int, *, declared_count: object = None,
                     total_investment: object = None, annual_plan: object = None, source: str = "") -> None:
    """Fill in or change a portfolio's declared count, total investment and annual plan (a new year's carried
    portfolios, or the two an empty database starts with). A blank field keeps what is there; the plan is a
    target revision (its history kept), the counts are logged with their previous values."""
    count = _count(declared_count, "申报项目数")
    total_wan = _money(total_investment, "总投资")
    plan_wan = _money(annual_plan, "年度计划投资")
    src = parse_text(source, "来源")
    with db.transaction("portfolio", "target"):
        before = portfolios.get(db, portfolio_id)
        plan.check_open(db, before["plan_year_id"])
        new_count = before["declared_count"] if count is None else count
        new_total = before["total_investment_wan"] if total_wan is None else total_wan
        if (new_count, new_total) != (before["declared_count"], before["total_investment_wan"]):
            db.conn.execute("UPDATE portfolio SET declared_count = ?, total_investment_wan = ? WHERE id = ?",
                            (new_count, new_total, portfolio_id))
            audit.log(db, action="portfolio.update", entity="portfolio", entity_id=portfolio_id,
                      summary=f"{before['name']}：申报项目数 {before['declared_count']} → {new_count}，"
                              f"总投资 {before['total_investment_wan']} → {new_total} 万元",
                      before={"declared_count": before["declared_count"],
                              "total_investment_wan": before["total_investment_wan"]},
                      after={"declared_count": new_count, "total_investment_wan": new_total})
        if plan_wan is not None:
            targets.revise(db, Subject("portfolio", portfolio_id), "annual_plan", plan_wan, reason=REASON,
                           source=src)


def add_indicator(db: Database, *, plan_year_id: int, campaign: str, name: str, unit: str, decimals: int = 0,
                  direction: str = "higher", accumulation: str = "cumulative", target: object = None,
                  source: str = "") -> int:
    """An indicator of a campaign (行动) with its target (in the indicator's unit), in one transaction."""
    src = parse_text(source, "来源")
    with db.transaction("indicator", "target"):
        plan.check_open(db, plan_year_id)
        iid = indicators.create(db, plan_year_id=plan_year_id, campaign=campaign, name=name, unit=unit,
                                decimals=decimals, direction=direction, accumulation=accumulation, source=src)
        if target is not None and not (isinstance(target, str) and not target.strip()):
            row: dict[str, Any] = indicators.get(db, iid)
            targets.revise(db, Subject("indicator", iid), "value", indicators.parse_value(row, target, "目标"),
                           reason=REASON, source=src)
    return iid
