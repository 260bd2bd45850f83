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
    assert {p.name for p in written} >= {"overview.png", "clusters.png", "indicators.png", "board.png",
                                         "dialog-record.png", "dialog-target.png", "dialog-import-preview.png"}
    for p in written:
        if p.name.startswith("dialog-"):
            assert p.parent == tmp_path / "shots" and QImage(str(p)).width() > 300
            continue
        img = QImage(str(p))
        assert (img.width(), img.height()) == (1280, 800)
        # Not blank: many distinct colours in a sample of pixels.
        colours = {img.pixel(x, y) for x in range(0, 1280, 37) for y in range(0, 800, 23)}
        assert len(colours) > 5, p


def test_screenshot_of_the_import_preview_stores_nothing(tmp_path):
    import sqlite3

    db = tmp_path / "s.db"
    out = subprocess.run([sys.executable, "-m", "desktop", "screenshot", str(tmp_path / "shots"), "--db", str(db),
                          "--size", "1024x700"], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    con = sqlite3.connect(db)
    # The preview's sheet carries 3.5 亿元 for 金康赛力斯龙兴工厂; it is only read, never imported.
    assert con.execute("SELECT count(*) FROM progress_update u JOIN project p ON p.id = u.project_id"
                       " WHERE p.name = '金康赛力斯龙兴工厂' AND u.metric = 'completed'").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM audit_log WHERE action LIKE 'import%'").fetchone() == (0,)
    assert not list((tmp_path / "shots").glob("*.xlsx")) and [p for p in (tmp_path / "shots").iterdir()
                                                               if p.is_dir()] == []


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


def test_screenshot_waits_for_the_board_loaded_in_a_worker_thread(app, builtin_db, tmp_path, monkeypatch):
    """As at 10,000 projects: the board's rows come from a worker thread; the picture is taken once they are in."""
    import datetime as dt

    from desktop import board_loader
    from desktop.commands import screenshot

    import time

    from db import board as db_board

    monkeypatch.setattr(board_loader, "ASYNC_FROM", 0)     # every load goes to the worker, as on a city database
    real_load = db_board.Reader.load

    def slow_load(self, query):                             # and takes its time, as 10,000 projects do
        time.sleep(1.5)
        return real_load(self, query)

    monkeypatch.setattr(db_board.Reader, "load", slow_load)
    seen = {}
    real_save = screenshot._save

    def spy(widget, path):
        board = getattr(widget, "tab_widgets", {}).get("board")
        if board is not None and path.name == "board.png":
            seen["rows"] = board.model.rowCount()
            seen["worker"] = board.loader.uses_worker()
            seen["count"] = board.count_label.text()
        return real_save(widget, path)

    monkeypatch.setattr(screenshot, "_save", spy)
    written = screenshot.render_tabs(builtin_db, tmp_path, dt.date(2023, 6, 30), (1366, 768), dialogs=False)
    assert seen == {"rows": 13, "worker": True, "count": "显示 13 个项目（共 13 个）"}
    assert (tmp_path / "board.png") in written
