"""退回说明 as a printable PDF: one A4 page (continued when the warnings run long), drawn like the 催报通知."""
from __future__ import annotations

import datetime as dt
import os
from typing import Any

from desktop.report.briefing import RESOLUTION, write_atomically
from desktop.report.notice import ITEMS_PER_PAGE, _Notice


class _ReturnNotice(_Notice):
    @property
    def doc_title(self) -> str:
        return f"{self.data['district']}{self.data['plan_year']}年重点项目填报表退回说明"

    def run(self) -> dict[str, Any]:
        from PySide6.QtGui import QPainter

        heading, paras = self.data["heading"], self.data["paragraphs"]
        head, items = [p for p in paras if not p[:1].isdigit()], [p for p in paras if p[:1].isdigit()]
        chunks = [items[k:k + ITEMS_PER_PAGE] for k in range(0, len(items), ITEMS_PER_PAGE)] or [[]]
        pages = [(heading if k == 0 else heading + "（续）", (head if k == 0 else head[:1]) + chunk)
                 for k, chunk in enumerate(chunks)]
        layout = self.layouts["portrait"]
        self.writer.setPageLayout(layout)
        painter = QPainter(self.writer)
        if not painter.isActive():
            raise OSError("无法写入 PDF 文件")
        try:
            for n, (title, body) in enumerate(pages, 1):
                if n > 1:
                    self.writer.newPage()
                rect = layout.fullRectPixels(RESOLUTION)
                self.paint_page_title(painter, rect, title, self.data.get("organization", ""))
                self._paint_body(painter, self.content_rect(rect), body)
                self.paint_footer(painter, rect, n, len(pages))
        finally:
            painter.end()
        return {"pages": len(pages)}


def build_return_notice(data: dict[str, Any], out_path: str | os.PathLike, *,
                        made_on: dt.date | None = None) -> dict[str, Any]:
    """``data``: district, plan_year, as_of, organization, heading and paragraphs (db.cycle.return_notice_parts)."""
    return write_atomically(out_path, lambda tmp: _ReturnNotice(data, tmp, made_on or dt.date.today()).run())
