"""The briefing's 存在问题 section: open problems grouped by 责任单位, units with overdue problems first, each unit's
overdue problems first (db.problems.open_by_unit, judged at the briefing's date)."""
from __future__ import annotations

from typing import Any

from desktop.report.briefing import Column

PROBLEM_COLUMNS = (
    Column("序号", 10, "right"),
    Column("责任单位", 28),
    Column("项目名称", 56),
    Column("类别", 14, "center"),
    Column("存在问题", 93),
    Column("责任单位/责任人", 30),
    Column("整改时限", 24, "center"),
    Column("逾期", 22, "center"),
)


def gather_problems(db, as_of) -> list[dict[str, Any]]:
    """Plain rows for the briefing data (no Qt): unit, project, category, text, owner, due, overdue_days."""
    from db import problems

    out = []
    for unit, rows in problems.open_by_unit(db, as_of):
        out += [{"unit": unit, "project": r["project"], "category": r["category"], "text": r["text"],
                 "owner": r["owner"], "due": r["due"], "overdue_days": r["overdue_days"]} for r in rows]
    return out


def problem_rows(data: dict[str, Any]) -> list[tuple[list[str], str | None]]:
    rows = []
    for n, r in enumerate(data.get("problems") or [], 1):
        late = f"逾期 {r['overdue_days']} 天" if r["overdue_days"] else ""
        rows.append(([str(n), r["unit"], r["project"], r["category"], r["text"], r["owner"], r["due"] or "",
                      late], "red" if r["overdue_days"] else None))
    return rows
