"""督办通知: a printable page per 责任单位 (its open problems) or per problem, asking for 整改 by the deadline.

Drawn with the 催报通知's page machinery (bundled font embedded, page title, footer, wrapping, atomic write).
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Any, Callable

from desktop import formatting as fmt
from desktop.report.briefing import write_atomically
from desktop.report.notice import _Notice, _paged


def problem_item(row: dict[str, Any], made_on: dt.date) -> str:
    """One problem as a line of the notice (pure text: tests read it)."""
    parts = [f"提出日期 {fmt.date_cn(row['raised'])}"]
    if row.get("owner"):
        parts.insert(0, f"责任单位/责任人：{row['owner']}")
    if row.get("due"):
        late = ""
        if row["status_code"] == "open":
            days = (made_on - dt.date.fromisoformat(row["due"])).days
            late = f"，已逾期 {days} 天" if days > 0 else ""
        parts.append(f"整改时限 {fmt.date_cn(row['due'])}{late}")
    return f"［{row['category']}］{row['project']}：{row['text']}（{'；'.join(parts)}）"


def supervision_pages(groups: list[tuple[str, list[dict[str, Any]]]], district: str, year: int,
                      made_on: dt.date) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) per page: one 督办通知 per (unit, problems) group."""
    pages = []
    for unit, rows in groups:
        late = sum(1 for r in rows if r["status_code"] == "open" and r.get("due")
                   and dt.date.fromisoformat(r["due"]) < made_on)
        late_text = f"，其中 {late} 个已超过整改时限" if late else ""
        intro = [f"{unit}：",
                 f"按照{district}{year}年重点项目调度安排，截至{fmt.date_cn(made_on)}，贵单位负责的项目尚有"
                 f" {len(rows)} 个问题未解决{late_text}。请按整改时限抓紧推进整改，整改完成后及时报送整改情况；"
                 f"确有困难的，请书面说明原因和下一步措施。"]
        pages += _paged("督办通知", intro, [problem_item(r, made_on) for r in rows])
    if not pages:
        pages.append(("督办通知", ["目前没有未解决的问题，无需督办。"]))
    return pages


class _Supervision(_Notice):
    @property
    def doc_title(self) -> str:
        return f"{self.data['district']}{self.data['plan_year']}年重点项目督办通知"

    def pages(self) -> list[tuple[str, list[str]]]:
        return supervision_pages(self.data["groups"], self.data["district"], self.data["plan_year"], self.made_on)


def group_by_unit(rows: list[dict[str, Any]], *, per_problem: bool = False) -> list[tuple[str, list[dict]]]:
    """Problems (``db.problems.register`` rows) as notice groups: one per unit, or one per problem."""
    from db.reporting import UNKNOWN_UNIT

    if per_problem:
        return [(r["unit"] or UNKNOWN_UNIT, [r]) for r in rows]
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["unit"] or UNKNOWN_UNIT, []).append(r)
    for items in groups.values():
        items.sort(key=lambda r: (-r["overdue_days"], r["due"] or "9999-12-31", r["id"]))
    return list(groups.items())


def build_supervision(data: dict[str, Any], out_path: str | os.PathLike, *, made_on: dt.date | None = None,
                      progress: Callable | None = None) -> dict[str, Any]:
    """Write the 督办通知 PDF: ``data`` has district, plan_year, organization and groups
    (``group_by_unit``); returns {"pages": n}."""
    day = made_on or dt.date.today()
    data = {"as_of": day.isoformat(), **data}  # the footer's 数据截至
    return write_atomically(out_path, lambda tmp: _Supervision(data, tmp, day).run())
