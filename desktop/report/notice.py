"""催报通知: one printable page per 责任单位 that has not reported all its projects for the 报告期, then one page
for the portfolio totals not reported. Drawn with the briefing's page machinery (fonts, page title, footer,
line wrapping, atomic write), so the text is real, searchable text in the bundled font.
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Any, Callable

from desktop import formatting as fmt
from desktop.report.briefing import RESOLUTION, _Briefing, write_atomically

BODY_PT = 12.0
LINE_GAP = 1.7
ITEMS_PER_PAGE = 24   # a longer list continues on the next page under "（续）"


def _paged(heading: str, intro: list[str], names: list[str]) -> list[tuple[str, list[str]]]:
    items = [f"{i}. {name}" for i, name in enumerate(names, 1)]
    chunks = [items[k:k + ITEMS_PER_PAGE] for k in range(0, len(items), ITEMS_PER_PAGE)] or [[]]
    return [(heading if k == 0 else heading + "（续）", (intro if k == 0 else intro[:1]) + chunk)
            for k, chunk in enumerate(chunks)]


def notice_pages(status: dict[str, Any], district: str, year: int, made_on: dt.date) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) per page, from ``db.reporting.Status.details()`` (pure text: tests read it)."""
    y, m = (int(x) for x in status["period"].split("-"))
    deadline = fmt.date_cn(status["deadline"])
    overdue = f"，已逾期 {status['days_overdue']} 天" if status.get("days_overdue") else ""
    pages = []
    for u in status["units"]:
        if not u["missing"]:
            continue
        intro = [f"{u['unit']}：",
                 f"按照{district}{year}年重点项目月度调度安排，{y}年{m}月的项目进展数据应于{deadline}前报送。"
                 f"截至{fmt.date_cn(made_on)}，贵单位负责的 {u['projects']} 个项目中尚有 {len(u['missing'])} 个"
                 f"未报送{m}月数据{overdue}，请尽快报送："]
        if u.get("dispatched_at"):  # the 填报表 sent for the month (db.cycle.annotate)
            when = fmt.date_cn(u["dispatched_at"][:10])
            intro[1] += f"（{m}月填报表已于{when}下发：{u.get('file_name', '')}，请填写后交回。）"
        pages += _paged(f"催报通知（{y}年{m}月）", intro, u["missing"])
    if status["portfolios_unreported"]:
        pages += _paged(f"催报通知（{y}年{m}月）",
                        [f"下列项目盘子的{m}月合计数尚未报送（报送截止 {deadline}{overdue}），请牵头单位尽快报送："],
                        status["portfolios_unreported"])
    if not pages:
        pages.append((f"报送情况（{y}年{m}月）", [f"{y}年{m}月的数据各单位均已报送，无需催报。"]))
    return pages


class _Notice(_Briefing):
    def __init__(self, data: dict[str, Any], path: str, made_on: dt.date):
        super().__init__(data, path, "A4", made_on, None)

    @property
    def doc_title(self) -> str:
        return f"{self.data['district']}{self.data['plan_year']}年重点项目催报通知"

    def pages(self) -> list[tuple[str, list[str]]]:
        """(heading, paragraphs) per page; the other notices (督办通知, 退回说明) give their own."""
        return notice_pages(self.data["reporting"], self.data["district"], self.data["plan_year"], self.made_on)

    def run(self) -> dict[str, Any]:
        from PySide6.QtGui import QPainter

        pages = self.pages()
        layout = self.layouts["portrait"]
        self.writer.setPageLayout(layout)
        painter = QPainter(self.writer)
        if not painter.isActive():
            raise OSError("无法写入 PDF 文件")
        try:
            for n, (heading, paras) in enumerate(pages, 1):
                if n > 1:
                    self.writer.newPage()
                rect = layout.fullRectPixels(RESOLUTION)
                self.paint_page_title(painter, rect, heading, self.data.get("organization", ""))
                self._paint_body(painter, self.content_rect(rect), paras)
                self.paint_footer(painter, rect, n, len(pages))
        finally:
            painter.end()
        return {"pages": len(pages)}

    def _paint_body(self, p, area, paras: list[str]) -> None:
        from PySide6.QtCore import QRectF, Qt
        from PySide6.QtGui import QColor

        p.setPen(QColor("#111111"))
        p.setFont(self.font(BODY_PT))
        line_h = self.pt(BODY_PT * LINE_GAP)
        y = area.top() + self.pt(8)
        for k, text in enumerate(paras):
            indent = "" if k == 0 or text[:1].isdigit() else "\u3000\u3000"
            for line in self.wrap_lines(indent + text, area.width(), BODY_PT, 40):
                if y + line_h > area.bottom():
                    return
                p.drawText(QRectF(area.left(), y, area.width(), line_h),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
                y += line_h
            y += self.pt(4)
        p.drawText(QRectF(area.left(), y + self.pt(24), area.width(), line_h),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   f"{self.data.get('organization', '')}　{fmt.date_cn(self.made_on)}")


def build_notice(data: dict[str, Any], out_path: str | os.PathLike, *, made_on: dt.date | None = None,
                 progress: Callable | None = None) -> dict[str, Any]:
    """Write the 催报通知 PDF for ``data`` (``desktop.charts.data.gather``, or any dict with district, plan_year,
    as_of, organization and reporting) to ``out_path``; returns {"pages": n}."""
    return write_atomically(out_path, lambda tmp: _Notice(data, tmp, made_on or dt.date.today()).run())
