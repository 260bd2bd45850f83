"""The monthly briefing (调度简报) as a PDF, laid out as an office issues it (desktop.report.document): the 版头
(red, or plain), sections 一、… 六、 in serif, the N worst projects in a table, the 版记, the charts (附图), and
the attachments (附件1 调度表 with 小计/合计 rows, 附件2 预警及滞后事项) on landscape pages.

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
from desktop.report import document as docmod
from desktop.report import sentences
from desktop.report.document import Column  # noqa: F401  (re-exported: bench and tests use it)

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


TABLE_COLUMNS = docmod.SCHEDULE_COLUMNS
STATUS_COLUMN = len(TABLE_COLUMNS) - 1
ALERT_COLUMNS = docmod.ALERT_COLUMNS
SERIF_FAMILY = "PolicyTrack Serif SC"
SERIF_FILES = ("PolicyTrackSerifSC-Regular.ttf", "PolicyTrackSerifSC-Bold.ttf")
RED = "#d0021b"

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

_yi_wan = docmod.yi_wan
_tenths = docmod.tenths


def table_rows(data: dict[str, Any]) -> list[tuple[list[str], str | None]]:
    """The 调度表's project rows (cells, status), without its section and 小计/合计 rows."""
    return [(cells, status) for cells, kind, status in docmod.schedule_table(data).rows if kind == "row"]


def alert_rows(data: dict[str, Any]) -> list[tuple[list[str], str | None]]:
    return [(cells, status) for cells, _kind, status in docmod.alert_table(data).rows]


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in ".%+-")


def register_serif() -> str:
    """The bundled serif faces (PolicyTrack Serif SC, an OFL Noto Serif CJK SC subset) in QFontDatabase."""
    from PySide6.QtGui import QFontDatabase

    import resources

    if not getattr(register_serif, "family", None):
        families: list[str] = []
        for name in SERIF_FILES:
            font_id = QFontDatabase.addApplicationFont(str(resources.path("fonts", name)))
            if font_id >= 0:
                families += QFontDatabase.applicationFontFamilies(font_id)
        register_serif.family = families[0] if families else SERIF_FAMILY
    return register_serif.family


def ensure_qt() -> None:
    """A QGuiApplication for fonts and the PDF writer; headless (offscreen) when the command line needs one."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        ensure_qt.app = QGuiApplication(["policytrack"])  # kept alive for the process


# -- painting ---------------------------------------------------------------------------------------------

def build_briefing(data: dict[str, Any], out_path: str | os.PathLike, *, paper: str = "A4",
                   made_on: dt.date | None = None, progress: Progress | None = None,
                   document: "docmod.Document | None" = None, charts: bool = True) -> dict[str, Any]:
    """Write the briefing PDF for ``data`` (from ``desktop.charts.data.gather``) to ``out_path``.

    Returns what was written: pages, table pages, rows per page, alert rows. Writes to a temporary file
    beside the target and renames it into place, so a failed or cancelled build leaves no half file.
    """
    if paper not in PAPERS:
        raise ValueError(f"unknown paper size: {paper}")
    if data.get("empty"):
        raise ValueError(data.get("reason") or "no data")
    doc = document or docmod.compose(data, made_on=made_on)
    doc.charts = charts and doc.charts
    return write_atomically(out_path, lambda tmp: _Briefing(data, tmp, paper, doc.date, progress, doc).run())


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
    def __init__(self, data, path, paper, made_on, progress, doc=None):
        from PySide6.QtCore import QMarginsF
        from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

        from desktop.fonts import register_qt_fonts

        self.data = data
        self.paper = paper
        self.scale = PAPERS[paper]["scale"]
        self.made_on = made_on
        self.progress = progress
        self.family = register_qt_fonts()
        self.serif = register_serif()
        self.doc = doc
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
        return self.doc.doc_title

    # units and fonts
    def pt(self, points: float) -> float:
        return points * RESOLUTION / 72.0

    def mm(self, millimetres: float) -> float:
        return millimetres * RESOLUTION / 25.4

    def font(self, size_pt: float, bold: bool = False, serif: bool = False):
        from PySide6.QtGui import QFont

        key = (size_pt, bold, serif)
        f = self._fonts.get(key)
        if f is None:
            f = QFont(self.serif if serif else self.family)
            f.setFamilies([self.serif, self.family] if serif else [self.family])
            f.setPointSizeF(size_pt)
            f.setBold(bold)
            f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
            self._fonts[key] = f
        return f

    def metrics(self, size_pt: float, bold: bool = False, serif: bool = False):
        from PySide6.QtGui import QFontMetricsF

        return QFontMetricsF(self.font(size_pt, bold, serif), self.writer)

    def measure(self, size_pt: float, bold: bool = False, serif: bool = False) -> Callable[[str], float]:
        """A fast text-width function for one font: cached per-character advances summed, and whole strings
        cached (the table repeats units, stages and statuses thousands of times). The bundled font kerns only
        Latin pairs, so the sum matches Qt's own width to a fraction of a point."""
        key = (size_pt, bold, serif)
        hit = self._measures.get(key)
        if hit is not None:
            return hit
        chars = self._advances.setdefault(key, {})
        fm = self.metrics(size_pt, bold, serif)
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
        chars = self._advances[(size_pt, bold, False)]
        used = 0.0
        for i, ch in enumerate(text):
            used += chars.get(ch) or measure(ch)
            if used > room:
                return text[:i] + "…"
        return text

    def wrap_lines(self, text: str, width: float, size_pt: float, max_lines: int, bold: bool = False,
                   serif: bool = False) -> list[str]:
        """Greedy line breaking by characters; no line starts with closing punctuation (it moves up)."""
        measure = self.measure(size_pt, bold, serif)
        lines, line, used = [], [], 0.0
        for ch in text.replace("\n", " "):
            w = measure(ch)
            if used + w > width and line and ch in "，。、；：？！）》”’%":
                line.append(ch)
                lines.append("".join(line))
                line, used = [], 0.0
                continue
            if used + w > width and line:
                carry: list[str] = []
                if _ascii_word(ch):  # keep a number (505.2, 55.6%) on one line
                    while line and _ascii_word(line[-1]) and len(carry) < 12:
                        carry.insert(0, line.pop())
                    if not line:
                        line, carry = carry, []
                lines.append("".join(line))
                line, used = carry, sum(measure(c) for c in carry)
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

        pages: list[tuple[str, Callable, str]] = []
        flow = self.plan_flow()
        for k, chunk in enumerate(flow):
            pages.append(("portrait", lambda p, r, c=chunk, k=k: self.paint_flow(p, r, c, k == 0), "正文"))
        body_pages = len(pages)
        charts = [spec for spec in CHARTS if spec.in_briefing] if self.doc.charts else []
        for i, spec in enumerate(charts, 1):
            pages.append(("landscape", lambda p, r, s=spec, i=i: self.paint_chart(p, r, s, f"附图{i}"),
                          "附图：" + spec.title))
        n_table = n_alert = 0
        rpp = rows_per_page(self.paper)
        arpp = alert_rows_per_page(self.paper)
        project_rows = alert_count = 0
        for a, (title, table) in enumerate(self.doc.attachments, 1):
            per = arpp if table.note_column >= 0 else rpp
            row_pt = ALERT_ROW_PT if table.note_column >= 0 else TABLE_ROW_PT
            n = max(1, math.ceil(len(table.rows) / per))
            if table.columns is docmod.SCHEDULE_COLUMNS:
                n_table = n
                project_rows = sum(1 for r in table.rows if r[1] == "row")
            else:
                n_alert = n
                alert_count = len(table.rows)
            for k in range(n):
                chunk = table.rows[k * per:(k + 1) * per]
                pages.append(("landscape", lambda p, r, c=chunk, k=k, t=table, a=a, title=title, row_pt=row_pt:
                              self.paint_table(p, r, f"附件{a}　{title}", t, c, row_pt, k), f"附件{a}"))
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
        return {"pages": total, "body_pages": body_pages, "table_pages": n_table, "rows_per_page": rpp,
                "table_rows": project_rows, "alert_rows": alert_count, "alert_pages": n_alert,
                "attachments": len(self.doc.attachments), "warnings": list(self.doc.warnings)}

    # the body: 版头 on the first page, then headings, paragraphs and tables flowed line by line
    STYLES = {  # kind: (size pt, bold, serif, line height factor, space before pt)
        "h1": (15.0, True, False, 1.75, 6.0),
        "sub": (14.0, True, True, 1.75, 2.0),
        "para": (14.0, False, True, 1.75, 0.0),
        "imprint": (12.0, False, True, 1.9, 0.0),
    }

    def style(self, kind: str) -> tuple[float, bool, bool, float, float]:
        size, bold, serif, lh, before = self.STYLES[kind]
        s = self.scale
        return size * s, bold, serif, lh, before * s

    def body_rect(self, rect, first: bool):
        from PySide6.QtCore import QRectF

        s = self.scale
        left, top = self.mm(26.0 if self.paper == "A4" else 34.0), self.mm(24.0) * s
        if first:
            top += self.header_height()
        return QRectF(left, top, rect.width() - 2 * left,
                      rect.height() - top - self.mm(MARGIN_BOTTOM_MM) - self.mm(FOOTER_MM) * s - self.mm(6))

    def header_height(self) -> float:
        return self.pt(150 * self.scale)

    def plan_flow(self) -> list[list[tuple]]:
        """Pages of placed items: ("line", kind, text, y) and ("trow", table, row, y) / ("thead", table, y)."""
        portrait = self.layouts["portrait"].fullRectPixels(RESOLUTION)
        pages: list[list[tuple]] = [[]]
        first = True
        area = self.body_rect(portrait, True)
        y = 0.0

        def new_page():
            nonlocal area, y, first
            pages.append([])
            first = False
            area = self.body_rect(portrait, False)
            y = 0.0

        def place_lines(kind: str, text: str, indent: bool, keep_with_next: float = 0.0):
            nonlocal y
            size, bold, serif, lh, before = self.style(kind)
            line_h = self.pt(size * lh)
            text = ("\u3000\u3000" if indent else "") + text
            lines = self.wrap_lines(text, area.width(), size, 10_000, bold, serif)
            if y > 0:
                y += self.pt(before)
            need = line_h * min(len(lines), 2) + keep_with_next
            if y + need > area.height() and pages[-1]:
                new_page()
            for line in lines:
                if y + line_h > area.height():
                    new_page()
                pages[-1].append(("line", kind, line, y))
                y += line_h

        for section in self.doc.sections:
            place_lines("h1", section.title, True, keep_with_next=self.pt(60 * self.scale))
            for block in section.blocks:
                if block.kind == "table":
                    table = block.table
                    row_h = self.pt(ALERT_ROW_PT * self.scale)
                    head_h = self.pt(TABLE_HEADER_PT * self.scale)
                    y += self.pt(4 * self.scale)
                    if y + head_h + 2 * row_h > area.height():
                        new_page()
                    pages[-1].append(("thead", table, y))
                    y += head_h
                    for row in table.rows:
                        if y + row_h > area.height():
                            new_page()
                            pages[-1].append(("thead", table, y))
                            y += head_h
                        pages[-1].append(("trow", table, row, y))
                        y += row_h
                    y += self.pt(6 * self.scale)
                else:
                    place_lines(block.kind, block.text, True,
                                keep_with_next=self.pt(30 * self.scale) if block.kind == "sub" else 0.0)
        # the 版记: two rules with the 报/送 lines between, the 印发 line under, at the foot of the last page
        _size, _b, _s, lh, _before = self.style("imprint")
        lines = self.doc.imprint()
        imprint_h = self.pt(12 * self.scale * lh) * (len(lines) + 1) + self.pt(10 * self.scale)
        if y + imprint_h + self.pt(20) > area.height():
            new_page()
        pages[-1].append(("imprint", area.height() - imprint_h))
        return pages

    def paint_flow(self, p, rect, items, first: bool) -> None:
        from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
        from PySide6.QtGui import QColor, QPen

        area = self.body_rect(rect, first)
        if first:
            self.paint_masthead(p, rect, area)
        for item in items:
            if item[0] == "line":
                _tag, kind, text, y = item
                size, bold, serif, lh, _before = self.style(kind)
                fm = self.metrics(size, bold, serif)
                line_h = self.pt(size * lh)
                p.setFont(self.font(size, bold, serif))
                p.setPen(QColor("#111111"))
                base = area.top() + y + (line_h - fm.height()) / 2 + fm.ascent()
                p.drawText(QPointF(area.left(), base), text)
            elif item[0] == "thead":
                _tag, table, y = item
                self.paint_rows(p, area.left(), area.top() + y, area.width(), table, [], ALERT_ROW_PT, header=True)
            elif item[0] == "trow":
                _tag, table, row, y = item
                self.paint_rows(p, area.left(), area.top() + y, area.width(), table, [row], ALERT_ROW_PT,
                                header=False)
            elif item[0] == "imprint":
                size, _b, _serif, lh, _before = self.style("imprint")
                line_h = self.pt(size * lh)
                y = area.top() + item[1]
                left, right = area.left(), area.right()
                p.setPen(QPen(QColor("#111111"), self.pt(0.9 * self.scale)))
                p.drawLine(QLineF(left, y, right, y))
                p.setFont(self.font(size, False, True))
                flags = Qt.AlignmentFlag.AlignVCenter
                for line in self.doc.imprint():
                    p.drawText(QRectF(left + self.pt(size), y, area.width() - self.pt(2 * size), line_h),
                               flags | Qt.AlignmentFlag.AlignLeft, line)
                    y += line_h
                    p.setPen(QPen(QColor("#111111"), self.pt(0.5 * self.scale)))
                    p.drawLine(QLineF(left, y, right, y))
                who, when = self.doc.printed_line
                p.drawText(QRectF(left + self.pt(size), y, area.width() - self.pt(2 * size), line_h),
                           flags | Qt.AlignmentFlag.AlignLeft, who)
                p.drawText(QRectF(left + self.pt(size), y, area.width() - self.pt(2 * size), line_h),
                           flags | Qt.AlignmentFlag.AlignRight, when)
                y += line_h
                p.setPen(QPen(QColor("#111111"), self.pt(0.9 * self.scale)))
                p.drawLine(QLineF(left, y, right, y))

    def paint_masthead(self, p, rect, area) -> None:
        """The 版头: the title in large red serif, 第N期 under it, the issuing unit left and the date right
        over a red rule (black, and a thin rule, in the plain variant)."""
        from PySide6.QtCore import QLineF, QRectF, Qt
        from PySide6.QtGui import QColor, QPen

        s = self.scale
        doc = self.doc
        color = QColor("#111111" if doc.plain else RED)
        top = area.top() - self.header_height()
        center = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        title_pt = 30 * s
        while self.measure(title_pt, True, True)(doc.title) > area.width() and title_pt > 16 * s:
            title_pt -= 1
        p.setPen(color)
        p.setFont(self.font(title_pt, True, True))
        p.drawText(QRectF(area.left(), top, area.width(), self.pt(60 * s)), center, doc.title)
        p.setPen(QColor("#111111"))
        p.setFont(self.font(16 * s, False, True))
        p.drawText(QRectF(area.left(), top + self.pt(62 * s), area.width(), self.pt(26 * s)), center,
                   f"{doc.year}年{doc.issue_label}" if doc.issue else "")
        row = QRectF(area.left(), top + self.pt(100 * s), area.width(), self.pt(24 * s))
        p.setFont(self.font(14 * s, False, True))
        p.drawText(row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, doc.issuer)
        p.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, fmt.date_cn(doc.date))
        p.setPen(QPen(color, self.pt((2.2 if not doc.plain else 1.0) * s)))
        y = row.bottom() + self.pt(6 * s)
        p.drawLine(QLineF(area.left(), y, area.right(), y))

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

    def paint_chart(self, p, rect, spec, heading: str) -> None:
        from desktop.charts import build
        from desktop.charts.qtpainter import paint_figure

        self.paint_page_title(p, rect, f"{heading}　{spec.title}", f"截至{fmt.date_cn(self.data['as_of'])}")
        body = self.content_rect(rect)
        fig = build(spec.key, self.data, figsize=(body.width() / RESOLUTION, body.height() / RESOLUTION))
        paint_figure(fig, p, body)

    def paint_table(self, p, rect, title, table, rows, row_pt, k) -> None:
        """One attachment page: “续表” only from the second page on, the header row repeated on each."""
        cont = "（续表）" if k > 0 else ""
        unit = f"　{table.unit}" if table.unit else ""
        self.paint_page_title(p, rect, title + cont, f"截至 {self.data['as_of']}{unit}")
        body = self.content_rect(rect)
        self.paint_rows(p, body.left(), body.top(), body.width(), table, rows, row_pt, header=True)

    def paint_rows(self, p, left, top, width, table, rows, row_pt, *, header: bool) -> None:
        """A header row (when ``header``) and then ``rows`` at fixed heights: stripes and status fills first,
        then text, then rules, so the cost is linear in rows. Section, group and 小计/合计 rows span the
        table in bold."""
        from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
        from PySide6.QtGui import QColor, QPen

        s = self.scale
        columns = table.columns
        total_w = sum(c.weight for c in columns)
        xs = [left]
        for c in columns:
            xs.append(xs[-1] + width * c.weight / total_w)
        header_h = self.pt(TABLE_HEADER_PT * s) if header else 0.0
        row_h = self.pt(row_pt * s)
        font_pt = TABLE_FONT_PT * s
        pad = self.pt(2.2 * s)
        if header:
            p.fillRect(QRectF(left, top, width, header_h), QColor("#dfe5ee"))
            p.setPen(QColor("#111111"))
            p.setFont(self.font(font_pt, True))
            for i, c in enumerate(columns):
                p.drawText(QRectF(xs[i] + pad / 2, top, xs[i + 1] - xs[i] - pad, header_h),
                           int(Qt.AlignmentFlag.AlignCenter), c.title)
        y0 = top + header_h
        fills = {k2: QColor(v) for k2, v in STATUS_FILL.items()}
        kind_fill = {"section": QColor("#e8ecf2"), "group": QColor("#f3f5f8"), "subtotal": QColor("#f7f1e1"),
                     "total": QColor("#f0e2bf")}
        sc = table.status_column
        for r, (_cells, kind, status) in enumerate(rows):
            y = y0 + r * row_h
            if kind in kind_fill:
                p.fillRect(QRectF(left, y, width, row_h), kind_fill[kind])
            elif status in fills and sc >= 0:
                p.fillRect(QRectF(xs[sc], y, xs[sc + 1] - xs[sc], row_h), fills[status])
        fm = self.metrics(font_pt)
        ascent, line_h = fm.ascent(), fm.ascent() + fm.descent()
        p.setPen(QColor("#111111"))
        note_col = table.note_column
        widths = [xs[i + 1] - xs[i] - 2 * pad for i in range(len(columns))]
        lefts = [x + pad for x in xs[:-1]]
        rights = [x - pad for x in xs[1:]]
        centers = [(xs[i] + xs[i + 1]) / 2 for i in range(len(columns))]
        aligns = [{"left": 0, "right": 1, "center": 2}[c.align] for c in columns]
        measure = self.measure(font_pt)
        bold_measure = self.measure(font_pt, True)
        draw = p.drawText
        current_bold = None
        for r, (cells, kind, _status) in enumerate(rows):
            y = y0 + r * row_h
            base = y + (row_h - line_h) / 2 + ascent
            bold = kind != "row"
            if bold != current_bold:
                p.setFont(self.font(font_pt, bold))
                current_bold = bold
            if kind in ("section", "group"):
                draw(QPointF(lefts[0] + (0 if kind == "section" else pad * 2), base), cells[0])
                continue
            m = bold_measure if bold else measure
            for i, text in enumerate(cells):
                if not text:
                    continue
                if i == note_col and not bold:
                    lines = self.wrap_lines(text, widths[i], font_pt, 2)
                    ly = y + (row_h - line_h * len(lines)) / 2 + ascent
                    for line in lines:
                        draw(QPointF(lefts[i], ly), line)
                        ly += line_h
                    continue
                w = m(text)
                if w > widths[i]:
                    text = self.elide(text, widths[i], font_pt, bold)
                    w = m(text)
                align = aligns[i] if not (bold and i == 1) else 2
                if align == 0:
                    draw(QPointF(lefts[i], base), text)
                elif align == 1:
                    draw(QPointF(rights[i] - w, base), text)
                else:
                    draw(QPointF(centers[i] - w / 2, base), text)
        bottom = y0 + len(rows) * row_h
        p.setPen(QPen(QColor("#c4c9d0"), self.pt(0.3 * s)))
        if len(rows) > 1:
            p.drawLines([QLineF(left, y0 + r * row_h, left + width, y0 + r * row_h) for r in range(1, len(rows))])
        p.setPen(QPen(QColor("#7d8590"), self.pt(0.5 * s)))
        spans = [r for r, row in enumerate(rows) if row[1] in ("section", "group")]
        if header:
            p.drawLines([QLineF(x, top, x, y0) for x in xs])
        # column rules, interrupted by the spanning rows
        segments, start = [], 0
        for r in spans + [len(rows)]:
            if r > start:
                segments.append((y0 + start * row_h, y0 + r * row_h))
            start = r + 1
        p.drawLines([QLineF(x, a, x, b) for a, b in segments for x in xs] +
                    [QLineF(x, y0 + r * row_h, x, y0 + (r + 1) * row_h) for r in spans for x in (xs[0], xs[-1])])
        p.setPen(QPen(QColor("#333333"), self.pt(0.9 * s)))
        lines = [QLineF(left, bottom, left + width, bottom)]
        if header:
            lines += [QLineF(left, top, left + width, top), QLineF(left, y0, left + width, y0)]
        p.drawLines(lines)
