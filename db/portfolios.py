"""Portfolios (项目盘子): declared sets of key projects with declared count and totals."""
from __future__ import annotations

from typing import Any

from db import audit
from db.connection import Database
from db.errors import NotFoundError, ValidationError
from db.validate import check_stored_int, parse_name

LEVELS = {"district": "区级重点", "city": "市级重大"}
LEVEL_BY_LABEL = {v: k for k, v in LEVELS.items()}


def create(db: Database, *, plan_year_id: int, level: str, name: str, declared_count: int | None = None,
           total_investment_wan: int | None = None, source: str = "") -> int:
    if level not in LEVELS:
        raise ValidationError("级别", level, "只能是区级重点或市级重大")
    clean = parse_name(name, "项目盘子名称")
    for field, v in (("申报项目数", declared_count), ("总投资", total_investment_wan)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            raise ValidationError(field, v, "应为不小于 0 的整数")
        if v is not None:
            check_stored_int(v, field)
    with db.transaction("portfolio"):
        if db.scalar("SELECT 1 FROM portfolio WHERE plan_year_id = ? AND level = ?", (plan_year_id, level)):
            raise ValidationError("级别", LEVELS[level], "本年度已有这一级别的项目盘子")
        position = db.scalar("SELECT count(*) FROM portfolio WHERE plan_year_id = ?", (plan_year_id,))
        cur = db.conn.execute(
            "INSERT INTO portfolio (plan_year_id, level, name, declared_count, total_investment_wan, position, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (plan_year_id, level, clean, declared_count, total_investment_wan, position, source))
        pid = int(cur.lastrowid)
        audit.log(db, action="portfolio.create", entity="portfolio", entity_id=pid, summary=f"新建项目盘子：{clean}",
                  after={"level": level, "name": clean, "declared_count": declared_count,
                         "total_investment_wan": total_investment_wan})
    return pid


def list_for(db: Database, plan_year_id: int) -> list[dict[str, Any]]:
    return db.query("SELECT id, level, name, declared_count, total_investment_wan, position, source FROM portfolio"
                    " WHERE plan_year_id = ? ORDER BY position, id", (plan_year_id,))


def get(db: Database, portfolio_id: int) -> dict[str, Any]:
    row = db.query_one("SELECT * FROM portfolio WHERE id = ?", (portfolio_id,))
    if row is None:
        raise NotFoundError(f"找不到项目盘子 #{portfolio_id}")
    return row


def by_level(db: Database, plan_year_id: int, level: str) -> dict[str, Any]:
    row = db.query_one("SELECT * FROM portfolio WHERE plan_year_id = ? AND level = ?", (plan_year_id, level))
    if row is None:
        raise NotFoundError(f"本年度没有{LEVELS.get(level, level)}项目盘子")
    return row
