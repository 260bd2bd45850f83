"""Key projects (重点项目) and their milestones."""
from __future__ import annotations

import datetime as dt
import os
from typing import Any

from db import audit, targets
from db.connection import Database
from db.errors import NotFoundError, ValidationError
from db.subjects import Subject
from db.validate import check_stored_int, name_key, parse_date, parse_name, parse_project_code, parse_text

# Editable fields: column -> (label, kind)
FIELDS: dict[str, tuple[str, str]] = {
    "name": ("项目名称", "name"),
    "code": ("项目代码", "code"),
    "cluster_id": ("所属集群", "cluster"),
    "location": ("建设地点", "text"),
    "responsible_unit": ("责任单位", "text"),
    "responsible_leader": ("包联领导", "text"),
    "total_investment_wan": ("总投资", "money"),
    "start_year": ("开工年份", "year"),
    "finish_year": ("竣工年份", "year"),
    "description": ("建设内容", "text"),
    "note": ("备注", "text"),
}


def get(db: Database, project_id: int, *, include_removed: bool = False) -> dict[str, Any]:
    row = db.query_one("SELECT * FROM project WHERE id = ?", (project_id,))
    if row is None or (not row["active"] and not include_removed):
        raise NotFoundError(f"找不到重点项目 #{project_id}")
    return row


def find(db: Database, name_or_id: str | int, *, plan_year_id: int | None = None) -> dict[str, Any]:
    """By id, or by name compared the normalised way (NFKC, trimmed, case-folded)."""
    if isinstance(name_or_id, int) or (isinstance(name_or_id, str) and name_or_id.strip().isdigit()):
        return get(db, int(name_or_id))
    rows = db.query("SELECT p.* FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
                    " WHERE p.active = 1 AND p.name_key = ? AND (? IS NULL OR pf.plan_year_id = ?)",
                    (name_key(str(name_or_id)), plan_year_id, plan_year_id))
    if not rows:
        raise NotFoundError(f"找不到重点项目：{name_or_id}")
    if len(rows) > 1:
        raise NotFoundError(f"有 {len(rows)} 个项目叫“{name_or_id}”，请用编号")
    return rows[0]


def _clean_field(db: Database, column: str, value: Any, *, year_window: tuple[int, int] = (1990, 2100)) -> Any:
    label, kind = FIELDS[column]
    if kind == "name":
        return parse_name(value, label)
    if kind == "code":
        return parse_project_code(value, label)
    if kind == "text":
        return parse_text(value, label, max_length=2000 if column in ("description", "note") else 200)
    if kind == "money":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(label, value, "应为不小于 0 的金额（万元）")
        return check_stored_int(value, label)
    if kind == "year":
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not year_window[0] <= value <= year_window[1]:
            raise ValidationError(label, value, f"应为 {year_window[0]} 到 {year_window[1]} 之间的年份")
        return value
    if kind == "cluster":
        if value is None:
            return None
        if not db.scalar("SELECT 1 FROM cluster WHERE id = ? AND active = 1", (value,)):
            raise ValidationError(label, value, "找不到这个产业集群节点")
        return value
    raise AssertionError(kind)


def find_for_date(db: Database, name_or_id: str | int, date: dt.date | str | None = None) -> dict[str, Any]:
    """By id, or by name in the plan year ``date`` falls in (a project carried into the next year has one row a
    year); without a date, or when that year does not hold the name, the latest year that does."""
    if isinstance(name_or_id, int) or (isinstance(name_or_id, str) and name_or_id.strip().isdigit()):
        return get(db, int(name_or_id))
    rows = db.query("SELECT p.*, py.year AS plan_year FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
                    " JOIN plan_year py ON py.id = pf.plan_year_id WHERE p.active = 1 AND p.name_key = ?"
                    " ORDER BY py.year DESC, p.id", (name_key(str(name_or_id)),))
    if not rows:
        raise NotFoundError(f"找不到重点项目：{name_or_id}")
    try:
        year = parse_date(date, "日期").year if date else None
    except ValidationError:    # the caller validates the date itself and says so in its own words
        year = None
    in_year = [r for r in rows if r["plan_year"] == year] if year is not None else []
    pick = in_year or [r for r in rows if r["plan_year"] == rows[0]["plan_year"]]
    if len(pick) > 1:
        raise NotFoundError(f"有 {len(pick)} 个项目叫“{name_or_id}”，请用编号")
    row = dict(pick[0])
    row.pop("plan_year", None)
    return row


def create(db: Database, *, portfolio_id: int, name: str, annual_plan_wan: int | None = None,
           source: str = "", reason: str = "新增项目", lineage: str | None = None, **fields: Any) -> int:
    """Create a project (fields from FIELDS) and, when given, its annual planned investment target.

    ``lineage``: the lineage of the project it continues from an earlier plan year (db.years.new_year); a new
    project starts its own."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError("字段", ", ".join(sorted(unknown)), "不是项目字段")
    values = {"name": name, **fields}
    clean = {col: _clean_field(db, col, v) for col, v in values.items()}
    _check_years(clean.get("start_year"), clean.get("finish_year"))
    with db.transaction("project"):
        pf = db.query_one("SELECT id, plan_year_id FROM portfolio WHERE id = ?", (portfolio_id,))
        if pf is None:
            raise ValidationError("项目盘子", portfolio_id, "不存在")
        key = name_key(clean["name"])
        if db.scalar("SELECT 1 FROM project WHERE portfolio_id = ? AND name_key = ? AND active = 1",
                     (portfolio_id, key)):
            raise ValidationError("项目名称", name, "本项目盘子中已有同名项目")
        _check_code_free(db, clean.get("code"), pf["plan_year_id"])
        position = db.scalar("SELECT coalesce(max(position), -1) + 1 FROM project WHERE portfolio_id = ?",
                             (portfolio_id,))
        cols = ["portfolio_id", "name_key", "source", "position", "created_at", *clean]
        params = [portfolio_id, key, source, position, db.now(), *clean.values()]
        if db.schema_version >= 6:     # (a file written before migration 6 gets its lineage when migrated)
            cols.append("lineage")
            params.append(lineage or os.urandom(8).hex())
        cur = db.conn.execute("INSERT INTO project (" + ", ".join(cols) + ") VALUES ("
                              + ", ".join("?" * len(cols)) + ")", params)
        project_id = int(cur.lastrowid)
        audit.log(db, action="project.create", entity="project", entity_id=project_id,
                  summary=f"新增项目：{clean['name']}", after={**clean, "portfolio_id": portfolio_id})
        if annual_plan_wan is not None:
            targets.revise(db, Subject("project", project_id), "annual_plan", annual_plan_wan, reason=reason,
                           source=source)
    return project_id


def _check_code_free(db: Database, code: str | None, plan_year_id: int, project_id: int | None = None) -> None:
    """A 项目代码 names one active project per plan year (called inside the write transaction)."""
    if code is None:
        return
    other = db.query_one("SELECT p.name FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
                         " WHERE p.code = ? AND p.active = 1 AND pf.plan_year_id = ? AND p.id IS NOT ?",
                         (code, plan_year_id, project_id))
    if other is not None:
        raise ValidationError("项目代码", code, f"已是项目“{other['name']}”的代码")


def by_code(db: Database, code: str, plan_year_id: int) -> dict[str, Any] | None:
    """The active project of a plan year with this 项目代码, or None."""
    return db.query_one("SELECT p.*, pf.level FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
                        " WHERE p.code = ? AND p.active = 1 AND pf.plan_year_id = ?", (code, plan_year_id))


def _check_years(start: int | None, finish: int | None) -> None:
    if start is not None and finish is not None and finish < start:
        raise ValidationError("竣工年份", finish, f"早于开工年份 {start}")


def edit(db: Database, project_id: int, **changes: Any) -> dict[str, tuple[Any, Any]]:
    """Change fields of a project; returns {column: (before, after)} for what really changed."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError("字段", ", ".join(sorted(unknown)), "不是项目字段")
    clean = {col: _clean_field(db, col, v) for col, v in changes.items()}
    with db.transaction("project"):
        row = get(db, project_id)
        merged = {**row, **clean}
        _check_years(merged["start_year"], merged["finish_year"])
        diff = {c: (row[c], v) for c, v in clean.items() if row[c] != v}
        if not diff:
            return {}
        if "name" in diff:
            key = name_key(clean["name"])
            if db.scalar("SELECT 1 FROM project WHERE portfolio_id = ? AND name_key = ? AND active = 1 AND id <> ?",
                         (row["portfolio_id"], key, project_id)):
                raise ValidationError("项目名称", clean["name"], "本项目盘子中已有同名项目")
            db.conn.execute("UPDATE project SET name_key = ? WHERE id = ?", (key, project_id))
        if diff.get("code", (None, None))[1] is not None:
            plan_year_id = db.scalar("SELECT plan_year_id FROM portfolio WHERE id = ?", (row["portfolio_id"],))
            _check_code_free(db, clean["code"], plan_year_id, project_id)
        for col, (_, new) in diff.items():
            # Column names come from the fixed FIELDS table, never from the caller.
            db.conn.execute("UPDATE project SET " + col + " = ? WHERE id = ?", (new, project_id))
        audit.log(db, action="project.edit", entity="project", entity_id=project_id,
                  summary="修改项目：" + "，".join(f"{FIELDS[c][0]} {b} → {a}" for c, (b, a) in diff.items()),
                  before={c: b for c, (b, _) in diff.items()}, after={c: a for c, (_, a) in diff.items()})
    return diff


def remove(db: Database, project_id: int) -> None:
    """Mark a project removed; its updates, targets and milestones stay in the file and the log."""
    with db.transaction("project"):
        row = get(db, project_id)
        db.conn.execute("UPDATE project SET active = 0 WHERE id = ?", (project_id,))
        audit.log(db, action="project.remove", entity="project", entity_id=project_id,
                  summary=f"删除项目：{row['name']}", before=row)


def restore(db: Database, project_id: int) -> None:
    with db.transaction("project"):
        row = get(db, project_id, include_removed=True)
        if db.scalar("SELECT 1 FROM project WHERE portfolio_id = ? AND name_key = ? AND active = 1 AND id <> ?",
                     (row["portfolio_id"], row["name_key"], project_id)):
            raise ValidationError("项目名称", row["name"], "已有同名项目，不能恢复")
        plan_year_id = db.scalar("SELECT plan_year_id FROM portfolio WHERE id = ?", (row["portfolio_id"],))
        _check_code_free(db, row["code"], plan_year_id, project_id)
        db.conn.execute("UPDATE project SET active = 1 WHERE id = ?", (project_id,))
        audit.log(db, action="project.restore", entity="project", entity_id=project_id,
                  summary=f"恢复项目：{row['name']}", after={"active": 1})


def list_for(db: Database, plan_year_id: int) -> list[dict[str, Any]]:
    return db.query("SELECT p.*, pf.level FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
                    " WHERE pf.plan_year_id = ? AND p.active = 1 ORDER BY pf.position, p.position, p.id",
                    (plan_year_id,))


def memberships(db: Database, plan_year_id: int) -> list[dict[str, Any]]:
    """list_for() reduced to each active project's id and portfolio_id (the same projects)."""
    return db.query("SELECT p.id, p.portfolio_id FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
                    " WHERE pf.plan_year_id = ? AND p.active = 1", (plan_year_id,))


def in_cluster(db: Database, cluster_id: int) -> list[dict[str, Any]]:
    """The active projects linked to one cluster node, in their order."""
    return db.query("SELECT id, name FROM project WHERE active = 1 AND cluster_id = ? ORDER BY position",
                    (cluster_id,))


def responsible_units(db: Database) -> list[str]:
    """Every responsible unit named by an active project, sorted."""
    return sorted({r["responsible_unit"] for r in db.query(
        "SELECT DISTINCT responsible_unit FROM project WHERE active = 1 AND responsible_unit <> ''")})


# -- milestones ------------------------------------------------------------------------------------

def add_milestone(db: Database, project_id: int, *, name: str, planned_date: dt.date | str | None = None,
                  planned_precision: str = "day", actual_date: dt.date | str | None = None, note: str = "",
                  source: str = "") -> int:
    clean_name = parse_name(name, "节点名称")
    if planned_precision not in ("day", "month", "year"):
        raise ValidationError("计划日期精度", planned_precision, "只能是 day、month 或 year")
    planned = None if planned_date in (None, "") else parse_date(planned_date, "计划日期")
    actual = None if actual_date in (None, "") else parse_date(actual_date, "实际日期")
    for label, d in (("计划日期", planned), ("实际日期", actual)):
        if d is not None and not 1990 <= d.year <= 2100:
            raise ValidationError(label, d.isoformat(), "年份超出范围")
    with db.transaction("project"):
        row = get(db, project_id)
        position = db.scalar("SELECT count(*) FROM milestone WHERE project_id = ?", (project_id,))
        cur = db.conn.execute(
            "INSERT INTO milestone (project_id, name, planned_date, planned_precision, actual_date, position, note,"
            " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (project_id, clean_name, planned and planned.isoformat(), planned_precision,
             actual and actual.isoformat(), position, parse_text(note, "备注"), source))
        mid = int(cur.lastrowid)
        audit.log(db, action="milestone.add", entity="project", entity_id=project_id,
                  summary=f"{row['name']}：新增节点 {clean_name}",
                  after={"milestone": mid, "name": clean_name, "planned_date": planned and planned.isoformat(),
                         "actual_date": actual and actual.isoformat()})
    return mid


def milestones(db: Database, project_id: int) -> list[dict[str, Any]]:
    return db.query("SELECT * FROM milestone WHERE project_id = ? ORDER BY position, id", (project_id,))


def next_milestones(db: Database, plan_year_id: int) -> dict[int, dict[str, Any]]:
    """Per project, the first milestone not yet reached (by planned date)."""
    rows = db.query(
        "SELECT * FROM (SELECT m.*, ROW_NUMBER() OVER (PARTITION BY m.project_id"
        " ORDER BY m.planned_date IS NULL, m.planned_date, m.position) AS rn"
        " FROM milestone m JOIN project p ON p.id = m.project_id JOIN portfolio pf ON pf.id = p.portfolio_id"
        " WHERE pf.plan_year_id = ? AND m.actual_date IS NULL) WHERE rn = 1", (plan_year_id,))
    return {r["project_id"]: r for r in rows}
