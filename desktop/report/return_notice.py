"""退回说明 as a printable PDF: one A4 page (continued when the warnings run long), drawn like the 催报通知."""
from __future__ import annotations

import datetime as dt
import os
from typing import Any

from desktop.report.briefing import write_atomically
from desktop.report.notice import ITEMS_PER_PAGE, _Notice


class _ReturnNotice(_Notice):
    @property
    def doc_title(self) -> str:
        return f"{self.data['district']}{self.data['plan_year']}年重点项目填报表退回说明"

    def pages(self) -> list[tuple[str, list[str]]]:
        """The 退回说明, continued on further pages when the rows run long (the first line repeats on each)."""
        heading, paras = self.data["heading"], self.data["paragraphs"]
        head, items = [p for p in paras if not p[:1].isdigit()], [p for p in paras if p[:1].isdigit()]
        chunks = [items[k:k + ITEMS_PER_PAGE] for k in range(0, len(items), ITEMS_PER_PAGE)] or [[]]
        return [(heading if k == 0 else heading + "（续）", (head if k == 0 else head[:1]) + chunk)
                for k, chunk in enumerate(chunks)]


def build_return_notice(data: dict[str, Any], out_path: str | os.PathLike, *,
                        made_on: dt.date | None = None) -> dict[str, Any]:
    """``data``: district, plan_year, as_of, organization, heading and paragraphs (db.cycle.return_notice_parts)."""
    return write_atomically(out_path, lambda tmp: _ReturnNotice(data, tmp, made_on or dt.date.today()).run())
