"""Policy indicators (指标): unit, direction, cumulative or point-in-time, target and actuals."""
from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from db import audit
from db.connection import Database
from db.errors import NotFoundError, ValidationError
from db.validate import name_key, parse_name, parse_scaled, parse_text

DIRECTIONS = {"higher": "越高越好", "lower": "越低越好"}
ACCUMULATIONS = {"cumulative": "累计", "point": "时点"}


def create(db: Database, *, plan_year_id: int, campaign: str, name: str, unit: str, decimals: int = 0,
           direction: str = "higher", accumulation: str = "cumulative", note: str = "", source: str = "") -> int:
    clean = parse_name(name, "指标名称")
    camp = parse_name(campaign, "所属行动")
    unit_text = parse_text(unit, "单位", max_length=20)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
        raise ValidationError("小数位", decimals, "应为 0 到 4")
    if direction not in DIRECTIONS:
        raise ValidationError("方向", direction, "只能是越高越好或越低越好")
    if accumulation not in ACCUMULATIONS:
        raise ValidationError("统计方式", accumulation, "只能是累计或时点")
    with db.transaction("indicator"):
        if db.scalar("SELECT 1 FROM indicator WHERE plan_year_id = ? AND name_key = ? AND active = 1",
                     (plan_year_id, name_key(clean))):
            raise ValidationError("指标名称", name, "已有同名指标")
        position = db.scalar("SELECT count(*) FROM indicator WHERE plan_year_id = ?", (plan_year_id,))
        cur = db.conn.execute(
            "INSERT INTO indicator (plan_year_id, campaign, name, name_key, unit, decimals, direction, accumulation,"
            " position, note, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (plan_year_id, camp, clean, name_key(clean), unit_text, decimals, direction, accumulation, position,
             parse_text(note, "备注"), source))
        iid = int(cur.lastrowid)
        audit.log(db, action="indicator.create", entity="indicator", entity_id=iid, summary=f"新增指标：{clean}",
                  after={"campaign": camp, "name": clean, "unit": unit_text, "direction": direction,
                         "accumulation": accumulation})
    return iid


def get(db: Database, indicator_id: int) -> dict[str, Any]:
    row = db.query_one("SELECT * FROM indicator WHERE id = ? AND active = 1", (indicator_id,))
    if row is None:
        raise NotFoundError(f"找不到指标 #{indicator_id}")
    return row


def find(db: Database, name_or_id: str | int, *, plan_year_id: int | None = None) -> dict[str, Any]:
    if isinstance(name_or_id, int) or (isinstance(name_or_id, str) and name_or_id.strip().isdigit()):
        return get(db, int(name_or_id))
    rows = db.query("SELECT * FROM indicator WHERE active = 1 AND name_key = ? AND (? IS NULL OR plan_year_id = ?)",
                    (name_key(str(name_or_id)), plan_year_id, plan_year_id))
    if not rows:
        raise NotFoundError(f"找不到指标：{name_or_id}")
    return rows[0]


def active_named(db: Database, name: str) -> list[dict[str, Any]]:
    """Every active indicator (of any plan year) whose name reads as ``name``: more than one means ambiguous."""
    return db.query("SELECT id FROM indicator WHERE active = 1 AND name_key = ?", (name_key(name),))


def list_for(db: Database, plan_year_id: int) -> list[dict[str, Any]]:
    return db.query("SELECT * FROM indicator WHERE plan_year_id = ? AND active = 1 ORDER BY position, id",
                    (plan_year_id,))


def parse_value(indicator: dict[str, Any], value: object, field: str = "数值") -> int:
    """A typed indicator value in the indicator's unit, as its stored integer (scaled by its decimals)."""
    is_ratio = indicator["unit"] in ("%", "百分点")
    if is_ratio and isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip().removesuffix("%")
    return parse_scaled(value, field, indicator["decimals"], allow_negative=is_ratio)


def to_number(indicator: dict[str, Any], stored: int | None) -> Decimal | None:
    """The stored integer back in the indicator's unit (exact)."""
    if stored is None:
        return None
    return Decimal(stored).scaleb(-indicator["decimals"])
