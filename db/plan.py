"""Plan years (年度) and the configurable stage list (形象进度)."""
from __future__ import annotations

from typing import Any

from db import audit
from db.connection import Database
from db.errors import NotFoundError, PolicyTrackError, ValidationError
from db.validate import parse_name, parse_text


def create_plan_year(db: Database, *, year: int, district: str, title: str = "", source: str = "") -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError("计划年度", year, "应为 2000 到 2100 之间的年份")
    district_name = parse_name(district, "区县")
    with db.transaction("plan_year"):
        if db.scalar("SELECT 1 FROM plan_year WHERE year = ?", (year,)):
            raise ValidationError("计划年度", year, "已存在")
        cur = db.conn.execute("INSERT INTO plan_year (year, district, title, source) VALUES (?, ?, ?, ?)",
                              (year, district_name, parse_text(title, "标题"), source))
        pid = int(cur.lastrowid)
        audit.log(db, action="plan_year.create", entity="plan_year", entity_id=pid,
                  summary=f"新建计划年度 {year}（{district_name}）", after={"year": year, "district": district_name})
    return pid


def plan_years(db: Database) -> list[dict[str, Any]]:
    return db.query("SELECT id, year, district, title, source FROM plan_year ORDER BY year")


def current_plan_year(db: Database, year: int | None = None) -> dict[str, Any]:
    """The plan year asked for, or the latest one; NotFoundError on an empty database."""
    if year is None:
        row = db.query_one("SELECT id, year, district, title, source FROM plan_year ORDER BY year DESC LIMIT 1")
    else:
        row = db.query_one("SELECT id, year, district, title, source FROM plan_year WHERE year = ?", (year,))
    if row is None:
        raise NotFoundError("数据库中还没有计划年度" if year is None else f"没有 {year} 年的计划年度")
    return row


class YearClosed(PolicyTrackError):
    """A write into a plan year that was closed (年度结账); nothing was changed."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"{year} 年度已结账，不能再修改（如需补录，请先重新打开该年度并说明理由）")


def is_closed(db: Database, plan_year_id: int) -> bool:
    """Closed (年度结账) when the year's latest close/reopen event is a close (db.years)."""
    if db.schema_version < 6:      # a file being migrated from before plan_year_event (migration 6)
        return False
    last = db.scalar("SELECT action FROM plan_year_event WHERE plan_year_id = ? ORDER BY id DESC LIMIT 1",
                     (plan_year_id,))
    return last == "close"


def check_open(db: Database, plan_year_id: int) -> None:
    """Raise YearClosed when the plan year is closed: every write into a year calls this first."""
    if is_closed(db, plan_year_id):
        raise YearClosed(int(db.scalar("SELECT year FROM plan_year WHERE id = ?", (plan_year_id,))))


def for_date(db: Database, date: Any) -> dict[str, Any]:
    """The plan year a date belongs to (2024-01-31 is in 2024); NotFoundError naming the year when none."""
    row = db.query_one("SELECT id, year, district, title, source FROM plan_year WHERE year = ?", (date.year,))
    if row is None:
        raise ValidationError("截至日期", date.isoformat(), f"不在数据库已有的计划年度内：没有 {date.year} 年的计划年度"
                                                            f"（可用“文件 → 新建年度”或 policytrack year new {date.year} 新建）")
    return row


def stages(db: Database) -> list[str]:
    return [r[0] for r in db.conn.execute("SELECT name FROM stage ORDER BY position")]


def set_stages(db: Database, names: list[str]) -> None:
    """Replace the stage list (order matters: earlier is less advanced). Stages in use cannot be dropped."""
    clean = [parse_name(n, "形象进度", max_length=20) for n in names]
    if len(set(clean)) != len(clean):
        raise ValidationError("形象进度", names, "有重复")
    if not clean:
        raise ValidationError("形象进度", names, "至少需要一个阶段")
    before = stages(db)
    with db.transaction("stage"):
        used = {r[0] for r in db.conn.execute(
            "SELECT DISTINCT text_value FROM progress_update WHERE metric = 'stage' AND text_value IS NOT NULL")}
        missing = used - set(clean)
        if missing:
            raise ValidationError("形象进度", "、".join(sorted(missing)), "已被项目使用，不能删除")
        db.conn.execute("DELETE FROM stage")
        db.conn.executemany("INSERT INTO stage (name, position) VALUES (?, ?)",
                            [(n, i) for i, n in enumerate(clean)])
        audit.log(db, action="stage.set", entity="stage", entity_id=None,
                  summary="形象进度列表：" + " → ".join(clean), before=before, after=clean)
