"""The Qt binding itself: PySide6 6.12.0 on Python 3.11 dropped a reference to None on every void call, so a
session that painted long enough died with "deallocating None". pyproject.toml excludes it; this catches it."""
from __future__ import annotations

import gc
import sys

from PySide6.QtGui import QImage, QPainter


def test_void_calls_keep_none_alive(app):
    image = QImage(40, 40, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        gc.collect()
        before = sys.getrefcount(None)
        for _ in range(2000):
            painter.save()
            painter.drawLine(0, 0, 5, 5)
            painter.restore()
        gc.collect()
        after = sys.getrefcount(None)
    finally:
        painter.end()
    assert after >= before - 50, f"None lost {before - after} references: a broken PySide6 build (6.12.0?)"
