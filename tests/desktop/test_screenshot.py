"""`policytrack screenshot`: every tab to PNG, Chinese drawn with the bundled font (no system CJK font needed)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QAbstractItemView, QLabel

from desktop import fonts

ROOT = Path(__file__).resolve().parents[2]


def test_screenshot_writes_every_tab(tmp_path):
    out = subprocess.run([sys.executable, "-m", "desktop", "screenshot", str(tmp_path / "shots"), "--db",
                          str(tmp_path / "s.db"), "--size", "1280x800"], cwd=ROOT, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr
    written = [Path(line) for line in out.stdout.split()]
    assert {p.name for p in written} >= {"overview.png", "clusters.png", "indicators.png"}
    for p in written:
        img = QImage(str(p))
        assert (img.width(), img.height()) == (1280, 800)
        # Not blank: many distinct colours in a sample of pixels.
        colours = {img.pixel(x, y) for x in range(0, 1280, 37) for y in range(0, 800, 23)}
        assert len(colours) > 5, p


def test_bad_size_is_refused(tmp_path):
    out = subprocess.run([sys.executable, "-m", "desktop", "screenshot", str(tmp_path), "--size", "big"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--size" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def _render(text: str, font) -> QImage:
    img = QImage(200, 40, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setFont(font)
    p.drawText(5, 30, text)
    p.end()
    return img


def test_chinese_renders_as_glyphs_not_boxes(app):
    family = fonts.register_qt_fonts()
    assert family == fonts.FAMILY
    assert app.font().family() == fonts.FAMILY
    assert "Bold" in QFontDatabase.styles(family)
    font = app.font()
    # Two different characters must not draw the same picture (a missing glyph draws the same box for both).
    assert _render("渝", font) != _render("网", font)
    assert _render("渝北区", font) != _render("\ue000\ue001\ue002", font)


def test_every_text_on_screen_is_in_the_bundled_font(window):
    metrics = QFontMetrics(window.font())
    texts = [w.text() for w in window.findChildren(QLabel)]
    for view in window.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        texts += [str(model.headerData(c, Qt.Orientation.Horizontal) or "")
                  for c in range(model.columnCount())]

        def walk(parent):
            for r in range(model.rowCount(parent)):
                for c in range(model.columnCount(parent)):
                    idx = model.index(r, c, parent)
                    texts.append(str(idx.data() or ""))
                walk(model.index(r, 0, parent))
        walk(view.rootIndex())
    chars = {ch for t in texts for ch in t if ord(ch) > 0x2000 and not ch.isspace()}
    assert len(chars) > 200
    missing = sorted(ch for ch in chars if not metrics.inFontUcs4(ord(ch)))
    assert missing == []
