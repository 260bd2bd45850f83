"""Draw a matplotlib Figure onto any QPainter (PDF writer, printer, image) as vector paths and real text.

matplotlib has no QPainter renderer (its Qt backends blit an Agg bitmap), so printing a chart would otherwise
mean a bitmap, or a matplotlib PDF that Qt cannot place on its own pages. This small renderer implements the
matplotlib renderer interface with QPainter calls: paths stay paths (bars, lines, hatching), and text is
drawn with QPainter.drawText in the bundled CJK font, so the briefing's charts are searchable, copyable text
in the same embedded font as the rest of the PDF.
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
from matplotlib.backend_bases import GraphicsContextBase, RendererBase
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.transforms import Affine2D
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen

from desktop.fonts import FAMILY, register_qt_fonts

_JOINS = {"miter": Qt.PenJoinStyle.MiterJoin, "round": Qt.PenJoinStyle.RoundJoin,
          "bevel": Qt.PenJoinStyle.BevelJoin}
_CAPS = {"butt": Qt.PenCapStyle.FlatCap, "round": Qt.PenCapStyle.RoundCap,
         "projecting": Qt.PenCapStyle.SquareCap}
_WEIGHTS = {"ultralight": 200, "light": 300, "normal": 400, "regular": 400, "book": 400, "medium": 500,
            "roman": 400, "semibold": 600, "demibold": 600, "demi": 600, "bold": 700, "heavy": 800,
            "extra bold": 800, "black": 900}


def _qcolor(rgba, alpha: float | None = None) -> QColor:
    r, g, b = (float(v) for v in rgba[:3])
    a = float(rgba[3]) if len(rgba) > 3 else 1.0
    if alpha is not None:
        a = alpha
    return QColor.fromRgbF(min(max(r, 0), 1), min(max(g, 0), 1), min(max(b, 0), 1), min(max(a, 0), 1))


class QPainterRenderer(RendererBase):
    """A matplotlib renderer whose pixels are the painter's logical units (y grows downwards)."""

    def __init__(self, painter: QPainter, width: float, height: float, dpi: float):
        super().__init__()
        self.painter = painter
        self.width = width
        self.height = height
        self.dpi = dpi
        self._device = painter.device()
        self._device_dpi = self._device.logicalDpiY() if self._device is not None else 96
        self._fonts: dict[tuple, tuple[QFont, QFontMetricsF]] = {}
        self._family = register_qt_fonts()

    # -- matplotlib's questions ------------------------------------------------------------------
    def flipy(self) -> bool:
        return True

    def get_canvas_width_height(self):
        return self.width, self.height

    def points_to_pixels(self, points):
        return points * self.dpi / 72.0

    def option_image_nocomposite(self) -> bool:
        return True

    def option_scale_image(self) -> bool:
        return False

    def new_gc(self) -> GraphicsContextBase:
        return GraphicsContextBase()

    # -- fonts -----------------------------------------------------------------------------------
    def _font(self, prop: FontProperties) -> tuple[QFont, QFontMetricsF]:
        size_px = prop.get_size_in_points() * self.dpi / 72.0
        weight = prop.get_weight()
        if isinstance(weight, str):
            weight = _WEIGHTS.get(weight, 400)
        key = (size_px, int(weight), prop.get_style())
        hit = self._fonts.get(key)
        if hit is None:
            font = QFont(self._family)
            font.setFamilies([self._family, FAMILY])
            # Point size on this device such that the glyphs are size_px logical units tall.
            font.setPointSizeF(size_px * 72.0 / self._device_dpi)
            font.setWeight(QFont.Weight.Bold if int(weight) >= 600 else QFont.Weight.Normal)
            font.setItalic(prop.get_style() in ("italic", "oblique"))
            font.setKerning(True)
            font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
            metrics = QFontMetricsF(font, self._device) if self._device is not None else QFontMetricsF(font)
            hit = self._fonts[key] = (font, metrics)
        return hit

    def get_text_width_height_descent(self, s, prop, ismath):
        _font, fm = self._font(prop)
        if not s:
            return 0.0, 0.0, 0.0
        # Like Agg: the ink height and descent of the string itself, the advance as width.
        ink = fm.tightBoundingRect(s)
        width = fm.horizontalAdvance(s)
        descent = max(ink.bottom(), 0.0)
        height = max(ink.height(), descent - ink.top(), 0.0)
        return width, height, descent

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        font, _fm = self._font(prop)
        p = self.painter
        p.save()
        self._apply_clip(gc)
        p.setFont(font)
        p.setPen(QPen(_qcolor(gc.get_rgb(), gc.get_alpha() if gc.get_forced_alpha() else None)))
        p.translate(x, y)
        if angle:
            p.rotate(-angle)
        p.drawText(QPointF(0, 0), s)
        p.restore()

    # -- paths -----------------------------------------------------------------------------------
    def _qpath(self, path: Path, transform) -> QPainterPath:
        """matplotlib path in display coordinates (y up) -> QPainterPath in painter coordinates (y down)."""
        tr = transform + Affine2D().scale(1, -1).translate(0, self.height)
        qp = QPainterPath()
        for verts, code in path.iter_segments(tr, remove_nans=True, clip=None, simplify=False, curves=True):
            if code == Path.MOVETO:
                qp.moveTo(verts[0], verts[1])
            elif code == Path.LINETO:
                qp.lineTo(verts[0], verts[1])
            elif code == Path.CURVE3:
                qp.quadTo(verts[0], verts[1], verts[2], verts[3])
            elif code == Path.CURVE4:
                qp.cubicTo(verts[0], verts[1], verts[2], verts[3], verts[4], verts[5])
            elif code == Path.CLOSEPOLY:
                qp.closeSubpath()
        return qp

    def _pen(self, gc) -> QPen:
        lw = gc.get_linewidth()
        if lw <= 0:
            return QPen(Qt.PenStyle.NoPen)
        color = _qcolor(gc.get_rgb(), gc.get_alpha() if gc.get_forced_alpha() else None)
        pen = QPen(color)
        width = self.points_to_pixels(lw)
        pen.setWidthF(width)
        pen.setJoinStyle(_JOINS.get(gc.get_joinstyle(), Qt.PenJoinStyle.MiterJoin))
        pen.setCapStyle(_CAPS.get(gc.get_capstyle(), Qt.PenCapStyle.FlatCap))
        offset, dashes = gc.get_dashes()
        if dashes is not None and len(dashes) and width > 0:
            # Qt measures dashes in pen widths; matplotlib in points.
            pattern = [max(self.points_to_pixels(d) / width, 1e-3) for d in dashes]
            if len(pattern) % 2:
                pattern = pattern * 2
            pen.setDashPattern(pattern)
            if offset:
                pen.setDashOffset(self.points_to_pixels(offset) / width)
        return pen

    def _apply_clip(self, gc) -> None:
        p = self.painter
        rect = gc.get_clip_rectangle()
        if rect is not None:
            x0, y0, w, h = rect.bounds
            p.setClipRect(QRectF(x0, self.height - y0 - h, w, h), Qt.ClipOperation.IntersectClip)
        cpath, ctrans = gc.get_clip_path()
        if cpath is not None:
            p.setClipPath(self._qpath(cpath, ctrans), Qt.ClipOperation.IntersectClip)

    def draw_path(self, gc, path, transform, rgbFace=None):
        p = self.painter
        qp = self._qpath(path, transform)
        p.save()
        self._apply_clip(gc)
        if rgbFace is not None:
            alpha = gc.get_alpha() if gc.get_forced_alpha() else None
            p.fillPath(qp, QBrush(_qcolor(rgbFace, alpha)))
        hatch = gc.get_hatch()
        if hatch:
            self._draw_hatch(gc, qp)
        pen = self._pen(gc)
        if pen.style() != Qt.PenStyle.NoPen:
            p.strokePath(qp, pen)
        p.restore()

    def _draw_hatch(self, gc, shape: QPainterPath) -> None:
        """Tile matplotlib's hatch cell (one inch, as in its PDF backend) over the shape, as vector lines."""
        cell = self.dpi
        unit = gc.get_hatch_path()
        if unit is None:
            return
        box = shape.boundingRect()
        if box.isEmpty():
            return
        # Cells aligned to the figure's top-left so neighbouring bars share one pattern.
        i0, i1 = math.floor(box.left() / cell), math.ceil(box.right() / cell)
        j0, j1 = math.floor(box.top() / cell), math.ceil(box.bottom() / cell)
        if (i1 - i0) * (j1 - j0) > 4000:
            return
        base = QPainterPath()
        for verts, code in unit.iter_segments(Affine2D().scale(cell, -cell).translate(0, cell), simplify=False,
                                              curves=True):
            if code == Path.MOVETO:
                base.moveTo(verts[0], verts[1])
            elif code == Path.LINETO:
                base.lineTo(verts[0], verts[1])
            elif code == Path.CURVE3:
                base.quadTo(verts[0], verts[1], verts[2], verts[3])
            elif code == Path.CURVE4:
                base.cubicTo(*verts[:6])
            elif code == Path.CLOSEPOLY:
                base.closeSubpath()
        tiles = QPainterPath()
        for i in range(i0, i1):
            for j in range(j0, j1):
                tiles.addPath(base.translated(i * cell, j * cell))
        color = _qcolor(gc.get_hatch_color())
        pen = QPen(color)
        lw = gc.get_hatch_linewidth() if hasattr(gc, "get_hatch_linewidth") else 1.0
        pen.setWidthF(self.points_to_pixels(lw))
        p = self.painter
        p.save()
        p.setClipPath(shape, Qt.ClipOperation.IntersectClip)
        p.setPen(pen)
        p.setBrush(QBrush(color))
        p.drawPath(tiles)
        p.restore()

    def draw_image(self, gc, x, y, im, transform=None):
        h, w = im.shape[:2]
        data = np.ascontiguousarray(im, dtype=np.uint8)
        img = QImage(data.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
        p = self.painter
        p.save()
        self._apply_clip(gc)
        # matplotlib gives the lower-left corner in display coordinates (y up).
        p.drawImage(QPointF(x, self.height - y - h), img)
        p.restore()


@contextmanager
def _figure_at(fig: Figure, width_in: float, height_in: float, dpi: float):
    old_size = fig.get_size_inches().copy()
    old_dpi = fig.dpi
    try:
        fig.set_dpi(dpi)
        fig.set_size_inches(width_in, height_in, forward=False)
        yield
    finally:
        fig.set_dpi(old_dpi)
        fig.set_size_inches(old_size, forward=False)


def paint_figure(fig: Figure, painter: QPainter, rect: QRectF) -> None:
    """Draw ``fig`` into ``rect`` (painter logical units) with vector paths and real text.

    The figure is laid out at its own size (so fonts keep their point sizes) and then drawn with the device's
    resolution. When ``rect`` has another size than the figure the figure is resized to it first.
    """
    device = painter.device()
    dpi = float(device.logicalDpiY()) if device is not None else 96.0
    # Painter units are device pixels unless the caller scaled the painter; take the scale into account.
    scale = math.hypot(painter.worldTransform().m11(), painter.worldTransform().m12()) or 1.0
    units_per_inch = dpi / scale
    width_in, height_in = rect.width() / units_per_inch, rect.height() / units_per_inch
    # Lay the figure out at a modest resolution first: layout engines measure text with Agg, and Agg at a
    # printer's 1200 dpi would allocate a huge bitmap. The resulting positions are relative and carry over.
    engine = fig.get_layout_engine()
    with _figure_at(fig, width_in, height_in, 100):
        if engine is not None:
            lay_out = engine.execute  # matplotlib's LayoutEngine (named so the no-SQL-in-desktop check stays exact)
            lay_out(fig)
            fig.set_layout_engine("none")
    try:
        with _figure_at(fig, width_in, height_in, units_per_inch):
            renderer = QPainterRenderer(painter, rect.width(), rect.height(), units_per_inch)
            painter.save()
            painter.translate(rect.topLeft())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            try:
                fig.draw(renderer)
            finally:
                painter.restore()
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)


def figure_to_image(fig: Figure, width_px: int, height_px: int, dpi: float = 150) -> QImage:
    """Paint a figure onto a white QImage through the QPainter renderer (used to look at what prints)."""
    img = QImage(width_px, height_px, QImage.Format.Format_ARGB32)
    img.setDotsPerMeterX(int(dpi / 0.0254))
    img.setDotsPerMeterY(int(dpi / 0.0254))
    img.fill(QColor("white"))
    p = QPainter(img)
    try:
        paint_figure(fig, p, QRectF(0, 0, width_px, height_px))
    finally:
        p.end()
    return img

