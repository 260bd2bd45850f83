"""The monthly briefing (调度简报) as a PDF: cover, summary sentences, charts, the 调度表 and the red/amber list.

Drawn page by page with QPainter on a QPdfWriter, with our own pagination: every page is planned first (so
“第 N 页 共 M 页” is known), then painted. The big table is drawn row by row with fixed row heights, so its
cost grows with the number of rows and nothing else (QTextDocument, by contrast, measured 394 s for 10,000
rows). Charts are the same matplotlib figures the GUI shows, painted as vector paths and real text through
desktop.charts.qtpainter, so every word in the PDF — charts included — is searchable text in the one
embedded bundled font.

Safe to run off the GUI thread (QPdfWriter, QPainter and fonts are; widgets are not): give it plain data
from ``desktop.charts.data.gather`` and a ``progress(done, total, message)`` callback; a callback that
returns False cancels (``Cancelled``), and nothing is left at the output path.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from db import money
from desktop import formatting as fmt
from desktop.report import sentences

Progress = Callable[[int, int, str], object]

PT_PER_MM = 72 / 25.4
RESOLUTION = 1200  # QPdfWriter's default; coordinates are device units, see Painter.pt()

# Page geometry in millimetres (A4; A3 scales type and rules by PAPERS[...]["scale"]).
MARGIN_X_MM = 12.0
MARGIN_TOP_MM = 12.0
MARGIN_BOTTOM_MM = 10.0
PAGE_TITLE_MM = 10.0   # band at the top of every content page
FOOTER_MM = 7.0        # band at the bottom of every content page

# The 调度表: fixed heights so the page count is plain arithmetic.
TABLE_FONT_PT = 7.0
TABLE_ROW_PT = 8.6
TABLE_HEADER_PT = 20.0
ALERT_ROW_PT = 17.0    # two lines: the notes wrap once

PAPERS: dict[str, dict[str, Any]] = {
    "A4": {"size_mm": (210.0, 297.0), "scale": 1.0},
    "A3": {"size_mm": (297.0, 420.0), "scale": 1.25},
}


class Cancelled(Exception):
    """The progress callback asked to stop; no file was written."""


@dataclass(frozen=True)
class Column:
    title: str
    weight: float          # share of the table width
    align: str = "left"    # left, right or center


TABLE_COLUMNS = (
    Column("序号", 10, "right"),
    Column("项目名称", 62),
    Column("级别", 14, "center"),
    Column("所属集群", 26),
    Column("责任单位", 28),
    Column("总投资\n（亿元）", 15, "right"),
    Column("年度计划\n（亿元）", 15, "right"),
    Column("累计完成\n（亿元）", 15, "right"),
    Column("完成率", 13, "right"),
    Column("偏差\n（百分点）", 14, "right"),
    Column("形象进度", 15, "center"),
    Column("下一节点", 38),
    Column("状态", 12, "center"),
)
STATUS_COLUMN = len(TABLE_COLUMNS) - 1

ALERT_COLUMNS = (
    Column("序号", 10, "right"),
    Column("类别", 16, "center"),
    Column("名称", 70),
    Column("责任单位", 30),
    Column("完成率", 16, "right"),
    Column("偏差\n（百分点）", 18, "right"),
    Column("状态", 14, "center"),
    Column("说明", 103),
)

UNREPORTED = "unreported"
STATUS_FILL = {"red": "#f4cdc9", "amber": "#fbe6b8", UNREPORTED: "#e6e6e6"}


# -- arithmetic that needs no Qt (tests use it to predict the page count) --------------------------------

def _landscape_mm(paper: str) -> tuple[float, float]:
    w, h = PAPERS[paper]["size_mm"]
    return h, w


def _table_body_pt(paper: str) -> float:
    scale = PAPERS[paper]["scale"]
    _w, h = _landscape_mm(paper)
    body_mm = h - MARGIN_TOP_MM - MARGIN_BOTTOM_MM - (PAGE_TITLE_MM + FOOTER_MM) * scale
    return body_mm * PT_PER_MM - TABLE_HEADER_PT * scale


def rows_per_page(paper: str = "A4") -> int:
    """Rows of the 调度表 on one landscape page (under its repeated header row)."""
    return int(_table_body_pt(paper) // (TABLE_ROW_PT * PAPERS[paper]["scale"]))


def alert_rows_per_page(paper: str = "A4") -> int:
    return int(_table_body_pt(paper) // (ALERT_ROW_PT * PAPERS[paper]["scale"]))


def table_pages(n_rows: int, paper: str = "A4") -> int:
    """Pages the 调度表 takes: at least one (an empty table says so)."""
    return max(1, math.ceil(n_rows / rows_per_page(paper)))


# -- cell text ------------------------------------------------------------------------------------------

# The table's hot path formats in integers (db.money): 万元 -> 亿元 with one decimal, and num/den in tenths.
_yi_wan = money.yi_tenths
_tenths = money.tenths


def table_rows(data: dict[str, Any]) -> list[tuple[list[str], str | None]]:
    """The 调度表 as text cells per project, with the status for the row's colour.

    Rates come from the exact integers (万元), gaps and statuses from db.summary (each judged at the figure's own
    date); a figure older than the 报告期 reads 未报送 (grey) and its completion says “截至N月”.
    """
    status_text = {s: fmt.status_label(s) for s in ("green", "amber", "red", None)}
    rows = []
    for n, p in enumerate(data.get("projects", []), 1):
        nxt = ""
        if p["next_milestone"]:
            nxt = p["next_milestone"] + (f"（{p['next_milestone_date']}）" if p["next_milestone_date"] else "")
        plan, done = p["plan_wan"], p["completed_wan"]
        rate = _tenths(1000 * done, plan) + "%" if plan and done is not None else fmt.DASH
        gap = fmt.points(p["gap_points"])
        done_text = _yi_wan(done)
        if p.get("current", True):
            state, label = p["status"], status_text[p["status"]]
        else:
            state, label = UNREPORTED, fmt.UNREPORTED
            if p.get("completed_as_of"):
                done_text = f"{done_text}（{fmt.as_of_note(p['completed_as_of'])}）"
        rows.append(([
            str(n), p["name"], p["level_name"], p["cluster"] or "", p["responsible_unit"] or "",
            _yi_wan(p["total_investment_wan"]), _yi_wan(plan), done_text, rate, gap,
            p["stage"] or "", nxt, label,
        ], state))
    return rows


def alert_rows(data: dict[str, Any]) -> list[tuple[list[str], str | None]]:
    rows = []
    for n, a in enumerate(sentences.alert_items(data), 1):
        rows.append(([str(n), a["kind"], a["name"], a["unit"] or "", fmt.percent(a["rate"]), fmt.points(a["gap"]),
                      fmt.status_label(a["status"]), a["note"] or ""], a["status"]))
    return rows


def ensure_qt() -> None:
    """A QGuiApplication for fonts and the PDF writer; headless (offscreen) when the command line needs one."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        ensure_qt.app = QGuiApplication(["policytrack"])  # kept alive for the process


# -- painting ---------------------------------------------------------------------------------------------

def build_briefing(data: dict[str, Any], out_path: str | os.PathLike, *, paper: str = "A4",
                   made_on: dt.date | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Write the briefing PDF for ``data`` (from ``desktop.charts.data.gather``) to ``out_path``.

    Returns what was written: pages, table pages, rows per page, alert rows. Writes to a temporary file
    beside the target and renames it into place, so a failed or cancelled build leaves no half file.
    """
    if paper not in PAPERS:
        raise ValueError(f"unknown paper size: {paper}")
    if data.get("empty"):
        raise ValueError(data.get("reason") or "no data")
    return write_atomically(out_path, lambda tmp: _Briefing(data, tmp, paper, made_on or dt.date.today(),
                                                             progress).run())


def write_atomically(out_path: str | os.PathLike, write: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """Run ``write(temporary path)`` beside the target, then rename it into place: no half file is ever left."""
    out = Path(out_path)
    fd, tmp_name = tempfile.mkstemp(prefix=".briefing-", suffix=".pdf", dir=str(out.parent))
    os.close(fd)
    try:
        result = write(tmp_name)
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return result


class _Briefing:
    def __init__(self, data, path, paper, made_on, progress):
        from PySide6.QtCore import QMarginsF
        from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

        from desktop.fonts import register_qt_fonts

        self.data = data
        self.paper = paper
        self.scale = PAPERS[paper]["scale"]
        self.made_on = made_on
        self.progress = progress
        self.family = register_qt_fonts()
        self.writer = QPdfWriter(str(path))
        self.writer.setResolution(RESOLUTION)
        self.writer.setCreator("PolicyTrack 政策跟踪")
        self.writer.setTitle(self.doc_title)
        size = QPageSize(QPageSize.PageSizeId.A4 if paper == "A4" else QPageSize.PageSizeId.A3)
        self.layouts = {
            "portrait": QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)),
            "landscape": QPageLayout(size, QPageLayout.Orientation.Landscape, QMarginsF(0, 0, 0, 0)),
        }
        self._fonts: dict[tuple[float, bool], Any] = {}
        self._advances: dict[tuple[float, bool], dict[str, float]] = {}
        self._measures: dict[tuple[float, bool], Callable[[str], float]] = {}

    @property
    def doc_title(self) -> str:
        return f"{self.data['district']}{self.data['plan_year']}年重点工作调度简报"

    # units and fonts
    def pt(self, points: float) -> float:
        return points * RESOLUTION / 72.0

    def mm(self, millimetres: float) -> float:
        return millimetres * RESOLUTION / 25.4

    def font(self, size_pt: float, bold: bool = False):
        from PySide6.QtGui import QFont

        key = (size_pt, bold)
        f = self._fonts.get(key)
        if f is None:
            f = QFont(self.family)
            f.setFamilies([self.family])
            f.setPointSizeF(size_pt)
            f.setBold(bold)
            f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
            self._fonts[key] = f
        return f

    def metrics(self, size_pt: float, bold: bool = False):
        from PySide6.QtGui import QFontMetricsF

        return QFontMetricsF(self.font(size_pt, bold), self.writer)

    def measure(self, size_pt: float, bold: bool = False) -> Callable[[str], float]:
        """A fast text-width function for one font: cached per-character advances summed, and whole strings
        cached (the table repeats units, stages and statuses thousands of times). The bundled font kerns only
        Latin pairs, so the sum matches Qt's own width to a fraction of a point."""
        key = (size_pt, bold)
        hit = self._measures.get(key)
        if hit is not None:
            return hit
        chars = self._advances.setdefault(key, {})
        fm = self.metrics(size_pt, bold)
        cache: dict[str, float] = {}

        def width(text: str) -> float:
            w = cache.get(text)
            if w is None:
                try:
                    w = sum(map(chars.__getitem__, text))
                except KeyError:
                    for ch in text:
                        if ch not in chars:
                            chars[ch] = fm.horizontalAdvance(ch)
                    w = sum(map(chars.__getitem__, text))
                if len(cache) < 100_000:
                    cache[text] = w
            return w

        self._measures[key] = width
        return width

    def advance(self, text: str, size_pt: float, bold: bool = False) -> float:
        return self.measure(size_pt, bold)(text)

    def elide(self, text: str, width: float, size_pt: float, bold: bool = False) -> str:
        measure = self.measure(size_pt, bold)
        if not text or measure(text) <= width:
            return text
        room = width - measure("…")
        chars = self._advances[(size_pt, bold)]
        used = 0.0
        for i, ch in enumerate(text):
            used += chars.get(ch) or measure(ch)
            if used > room:
                return text[:i] + "…"
        return text

    def wrap_lines(self, text: str, width: float, size_pt: float, max_lines: int) -> list[str]:
        lines, line, used = [], [], 0.0
        for ch in text.replace("\n", " "):
            w = self.advance(ch, size_pt)
            if used + w > width and line:
                lines.append("".join(line))
                line, used = [], 0.0
            line.append(ch)
            used += w
        if line:
            lines.append("".join(line))
        if len(lines) > max_lines:
            rest = "".join(lines[max_lines - 1:])
            lines = lines[:max_lines - 1] + [self.elide(rest + "…", width, size_pt)]
        return lines

    # plan, then paint
    def run(self) -> dict[str, Any]:
        from PySide6.QtGui import QPainter

        from desktop.charts import CHARTS

        pages: list[tuple[str, Callable, str]] = [("portrait", self.paint_cover, "封面")]
        for chunk in self.plan_summary():
            pages.append(("portrait", lambda p, r, c=chunk: self.paint_summary(p, r, c), "综述"))
        charts = [spec for spec in CHARTS if spec.in_briefing]
        for i, spec in enumerate(charts, 1):
            pages.append(("landscape", lambda p, r, s=spec, i=i: self.paint_chart(p, r, s, f"图表 {i}/{len(charts)}"),
                          "图表：" + spec.title))
        rows = table_rows(self.data)
        rpp = rows_per_page(self.paper)
        n_table = table_pages(len(rows), self.paper)
        for k in range(n_table):
            chunk = rows[k * rpp:(k + 1) * rpp]
            pages.append(("landscape", lambda p, r, c=chunk, k=k: self.paint_table(
                p, r, "重点项目调度表", TABLE_COLUMNS, c, TABLE_ROW_PT, k, n_table, "暂无已录入的重点项目"),
                "调度表"))
        alerts = alert_rows(self.data)
        arpp = alert_rows_per_page(self.paper)
        n_alert = max(1, math.ceil(len(alerts) / arpp))
        for k in range(n_alert):
            chunk = alerts[k * arpp:(k + 1) * arpp]
            pages.append(("landscape", lambda p, r, c=chunk, k=k: self.paint_table(
                p, r, "预警及滞后事项", ALERT_COLUMNS, c, ALERT_ROW_PT, k, n_alert, "本期没有滞后或预警事项"),
                "预警及滞后事项"))
        from desktop.report.problem_section import PROBLEM_COLUMNS, problem_rows

        open_problems = problem_rows(self.data)  # 存在问题: only when there are open problems
        n_problem = math.ceil(len(open_problems) / arpp)
        for k in range(n_problem):
            chunk = open_problems[k * arpp:(k + 1) * arpp]
            pages.append(("landscape", lambda p, r, c=chunk, k=k: self.paint_table(
                p, r, "存在问题", PROBLEM_COLUMNS, c, ALERT_ROW_PT, k, n_problem, ""), "存在问题"))
        total = len(pages)
        painter = None
        try:
            for n, (orientation, paint, label) in enumerate(pages, 1):
                message = f"正在生成第 {n} 页（共 {total} 页）：{label}"
                if self.progress is not None and self.progress(n - 1, total, message) is False:
                    raise Cancelled()
                self.writer.setPageLayout(self.layouts[orientation])
                if painter is None:
                    painter = QPainter(self.writer)
                    if not painter.isActive():
                        raise OSError("无法写入 PDF 文件")
                else:
                    self.writer.newPage()
                rect = self.layouts[orientation].fullRectPixels(RESOLUTION)
                paint(painter, rect)
                if n > 1:
                    self.paint_footer(painter, rect, n, total)
        finally:
            if painter is not None:
                painter.end()
        if self.progress is not None:
            self.progress(total, total, "完成")
        return {"pages": total, "table_pages": n_table, "rows_per_page": rpp, "table_rows": len(rows),
                "alert_rows": len(alerts), "alert_pages": n_alert}

    # common furniture
    def content_rect(self, rect):
        from PySide6.QtCore import QRectF

        s = self.scale
        top = self.mm(MARGIN_TOP_MM) + self.mm(PAGE_TITLE_MM) * s
        return QRectF(self.mm(MARGIN_X_MM), top, rect.width() - 2 * self.mm(MARGIN_X_MM),
                      rect.height() - top - self.mm(MARGIN_BOTTOM_MM) - self.mm(FOOTER_MM) * s)

    def paint_page_title(self, p, rect, title: str, right: str = "") -> None:
        from PySide6.QtCore import QLineF, QRectF, Qt
        from PySide6.QtGui import QColor, QPen

        s = self.scale
        band = QRectF(self.mm(MARGIN_X_MM), self.mm(MARGIN_TOP_MM), rect.width() - 2 * self.mm(MARGIN_X_MM),
                      self.mm(PAGE_TITLE_MM) * s * 0.8)
        p.setPen(QColor("#111111"))
        p.setFont(self.font(13 * s, True))
        p.drawText(band, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        if right:
            p.setFont(self.font(9 * s))
            p.drawText(band, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, right)
        p.setPen(QPen(QColor("#333333"), self.pt(0.8 * s)))
        p.drawLine(QLineF(band.left(), band.bottom() + self.pt(2), band.right(), band.bottom() + self.pt(2)))

    def paint_footer(self, p, rect, n: int, total: int) -> None:
        from PySide6.QtCore import QLineF, QRectF, Qt
        from PySide6.QtGui import QColor, QPen

        s = self.scale
        band = QRectF(self.mm(MARGIN_X_MM), rect.height() - self.mm(MARGIN_BOTTOM_MM) - self.mm(FOOTER_MM) * s * 0.75,
                      rect.width() - 2 * self.mm(MARGIN_X_MM), self.mm(FOOTER_MM) * s * 0.75)
        p.setPen(QPen(QColor("#999999"), self.pt(0.5)))
        p.drawLine(QLineF(band.left(), band.top(), band.right(), band.top()))
        p.setPen(QColor("#444444"))
        p.setFont(self.font(8 * s))
        flags = Qt.AlignmentFlag.AlignVCenter
        p.drawText(band, flags | Qt.AlignmentFlag.AlignLeft, f"数据截至{fmt.date_cn(self.data['as_of'])}")
        p.drawText(band, flags | Qt.AlignmentFlag.AlignHCenter, f"第 {n} 页 共 {total} 页")
        p.drawText(band, flags | Qt.AlignmentFlag.AlignRight, self.doc_title)

    # the pages
    def paint_cover(self, p, rect) -> None:
        from PySide6.QtCore import QLineF, QRectF, Qt
        from PySide6.QtGui import QColor, QPen

        s = self.scale
        w, h = rect.width(), rect.height()
        center = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        p.setPen(QColor("#b3261e"))
        p.setFont(self.font(15 * s, True))
        p.drawText(QRectF(0, h * 0.17, w, self.pt(30 * s)), center, "政策跟踪 · 月度调度")
        p.setPen(QPen(QColor("#b3261e"), self.pt(2 * s)))
        p.drawLine(QLineF(w * 0.12, h * 0.24, w * 0.88, h * 0.24))
        p.setPen(QColor("#111111"))
        p.setFont(self.font(26 * s, True))
        p.drawText(QRectF(0, h * 0.28, w, self.pt(46 * s)), center,
                   f"{self.data['district']}{self.data['plan_year']}年")
        p.drawText(QRectF(0, h * 0.28 + self.pt(46 * s), w, self.pt(46 * s)), center, "重点工作调度简报")
        p.setFont(self.font(13 * s))
        p.drawText(QRectF(0, h * 0.28 + self.pt(104 * s), w, self.pt(24 * s)), center,
                   "重点项目 · 产业集群 · 政策指标")
        lines = [
            ("数据截至", fmt.date_cn(self.data["as_of"])),
            ("计划年度", f"{self.data['plan_year']}年"),
            ("编制单位", self.data.get("organization") or f"{self.data['district']}发展和改革委员会"),
            ("编制日期", fmt.date_cn(self.made_on)),
        ]
        p.setFont(self.font(13 * s))
        y = h * 0.62
        for label, value in lines:
            p.drawText(QRectF(w * 0.22, y, w * 0.2, self.pt(24 * s)),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label + "：")
            p.drawText(QRectF(w * 0.38, y, w * 0.5, self.pt(24 * s)),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, value)
            y += self.pt(30 * s)

    # summary: measured paragraphs flowed over as many pages as they need
    def _summary_items(self) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = []
        for section in sentences.draft(self.data):
            items.append(("heading", section.title))
            items += [("para", "\u3000\u3000" + text) for text in section.paragraphs]
        return items

    def _summary_style(self, kind: str) -> tuple[float, bool, float]:
        """(font size, bold, space after) in points."""
        s = self.scale
        return (12.5 * s, True, 6 * s) if kind == "heading" else (11 * s, False, 7 * s)

    def plan_summary(self) -> list[list[tuple[str, str, float]]]:
        from PySide6.QtCore import QRectF, Qt

        rect = self.content_rect(self.layouts["portrait"].fullRectPixels(RESOLUTION))
        pages: list[list[tuple[str, str, float]]] = [[]]
        used = 0.0
        for kind, text in self._summary_items():
            size, bold, after = self._summary_style(kind)
            fm = self.metrics(size, bold)
            box = fm.boundingRect(QRectF(0, 0, rect.width(), 1e9), int(Qt.TextFlag.TextWordWrap), text)
            height = box.height() * (1.12 if kind == "para" else 1.0)
            # Keep a heading with at least the start of its first paragraph.
            need = height + (self.pt(40) if kind == "heading" else 0)
            if used + need > rect.height() and pages[-1]:
                pages.append([])
                used = 0.0
            pages[-1].append((kind, text, height))
            used += height + self.pt(after)
        return pages

    def paint_summary(self, p, rect, chunk) -> None:
        from PySide6.QtCore import QRectF, Qt
        from PySide6.QtGui import QColor

        self.paint_page_title(p, rect, "综述", f"截至{fmt.date_cn(self.data['as_of'])}")
        body = self.content_rect(rect)
        y = body.top()
        for kind, text, height in chunk:
            size, bold, after = self._summary_style(kind)
            p.setFont(self.font(size, bold))
            p.setPen(QColor("#111111"))
            p.drawText(QRectF(body.left(), y, body.width(), height + self.pt(2)),
                       int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignTop),
                       text)
            y += height + self.pt(after)

    def paint_chart(self, p, rect, spec, heading: str) -> None:
        from desktop.charts import build
        from desktop.charts.qtpainter import paint_figure

        self.paint_page_title(p, rect, f"{heading}　{spec.title}", f"截至{fmt.date_cn(self.data['as_of'])}")
        body = self.content_rect(rect)
        fig = build(spec.key, self.data, figsize=(body.width() / RESOLUTION, body.height() / RESOLUTION))
        paint_figure(fig, p, body)

    def paint_table(self, p, rect, title, columns, rows, row_pt, k, n_pages, empty_text) -> None:
        from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
        from PySide6.QtGui import QColor, QPen

        s = self.scale
        cont = f"（续表 {k + 1}/{n_pages}）" if n_pages > 1 else ""
        unit = "　金额单位：亿元" if columns is TABLE_COLUMNS else ""
        self.paint_page_title(p, rect, title + cont, f"截至 {self.data['as_of']}{unit}")
        body = self.content_rect(rect)
        total_w = sum(c.weight for c in columns)
        xs = [body.left()]
        for c in columns:
            xs.append(xs[-1] + body.width() * c.weight / total_w)
        header_h = self.pt(TABLE_HEADER_PT * s)
        row_h = self.pt(row_pt * s)
        top = body.top()
        font_pt = TABLE_FONT_PT * s
        pad = self.pt(2.2 * s)
        # header row (repeated on every page)
        p.fillRect(QRectF(body.left(), top, body.width(), header_h), QColor("#dfe5ee"))
        p.setPen(QColor("#111111"))
        p.setFont(self.font(font_pt, True))
        for i, c in enumerate(columns):
            p.drawText(QRectF(xs[i] + pad / 2, top, xs[i + 1] - xs[i] - pad, header_h),
                       int(Qt.AlignmentFlag.AlignCenter), c.title)
        y0 = top + header_h
        if not rows:
            p.setFont(self.font(font_pt * 1.3))
            p.drawText(QRectF(body.left(), y0, body.width(), row_h * 3), int(Qt.AlignmentFlag.AlignCenter), empty_text)
        # stripes and status fills first, then text, then rules: few state changes, linear in rows
        stripe = QColor("#f3f5f8")
        fills = {k2: QColor(v) for k2, v in STATUS_FILL.items()}
        status_col = len(columns) - 2 if columns is ALERT_COLUMNS else min(STATUS_COLUMN, len(columns) - 1)
        for r, (_cells, status) in enumerate(rows):
            y = y0 + r * row_h
            if r % 2:
                p.fillRect(QRectF(body.left(), y, body.width(), row_h), stripe)
            if status in fills:
                p.fillRect(QRectF(xs[status_col], y, xs[status_col + 1] - xs[status_col], row_h), fills[status])
        fm = self.metrics(font_pt)
        ascent, descent = fm.ascent(), fm.descent()
        line_h = ascent + descent
        p.setFont(self.font(font_pt))
        p.setPen(QColor("#111111"))
        note_col = len(columns) - 1 if columns is ALERT_COLUMNS else -1
        widths = [xs[i + 1] - xs[i] - 2 * pad for i in range(len(columns))]
        lefts = [x + pad for x in xs[:-1]]
        rights = [x - pad for x in xs[1:]]
        centers = [(xs[i] + xs[i + 1]) / 2 for i in range(len(columns))]
        aligns = [{"left": 0, "right": 1, "center": 2}[c.align] for c in columns]
        measure = self.measure(font_pt)
        draw = p.drawText
        for r, (cells, _status) in enumerate(rows):
            y = y0 + r * row_h
            base = y + (row_h - line_h) / 2 + ascent
            for i, text in enumerate(cells):
                if not text:
                    continue
                if i == note_col:
                    lines = self.wrap_lines(text, widths[i], font_pt, 2)
                    ly = y + (row_h - line_h * len(lines)) / 2 + ascent
                    for line in lines:
                        draw(QPointF(lefts[i], ly), line)
                        ly += line_h
                    continue
                w = measure(text)
                if w > widths[i]:
                    text = self.elide(text, widths[i], font_pt)
                    w = measure(text)
                align = aligns[i]
                if align == 0:
                    draw(QPointF(lefts[i], base), text)
                elif align == 1:
                    draw(QPointF(rights[i] - w, base), text)
                else:
                    draw(QPointF(centers[i] - w / 2, base), text)
        # rules (an empty table keeps its column rules to the header, under it one box with the message)
        bottom = y0 + (len(rows) if rows else 3) * row_h
        p.setPen(QPen(QColor("#c4c9d0"), self.pt(0.3 * s)))
        if len(rows) > 1:
            p.drawLines([QLineF(body.left(), y0 + r * row_h, body.right(), y0 + r * row_h)
                         for r in range(1, len(rows))])
        p.setPen(QPen(QColor("#7d8590"), self.pt(0.5 * s)))
        p.drawLines([QLineF(x, top, x, bottom if rows else y0) for x in xs])
        if not rows:
            p.drawLines([QLineF(xs[0], y0, xs[0], bottom), QLineF(xs[-1], y0, xs[-1], bottom)])
        p.setPen(QPen(QColor("#333333"), self.pt(0.9 * s)))
        p.drawLines([QLineF(body.left(), top, body.right(), top), QLineF(body.left(), y0, body.right(), y0),
                     QLineF(body.left(), bottom, body.right(), bottom)])
