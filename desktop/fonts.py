"""The bundled CJK font (PolicyTrack Sans SC, an OFL Noto Sans CJK SC subset), registered with Qt and matplotlib.

Registering it makes Chinese render the same on every PC, including ones without any Chinese system font.
"""
from __future__ import annotations

import functools

import resources

FAMILY = "PolicyTrack Sans SC"
FILES = ("PolicyTrackSansSC-Regular.ttf", "PolicyTrackSansSC-Bold.ttf")


def font_paths() -> list[str]:
    return [str(resources.path("fonts", name)) for name in FILES]


@functools.lru_cache(maxsize=1)
def register_qt_fonts() -> str:
    """Add the bundled faces to QFontDatabase (needs a QGuiApplication); returns the family name Qt knows."""
    from PySide6.QtGui import QFontDatabase

    families: list[str] = []
    for path in font_paths():
        font_id = QFontDatabase.addApplicationFont(path)
        if font_id < 0:
            raise RuntimeError(f"Qt could not load the bundled font {path}")
        families += QFontDatabase.applicationFontFamilies(font_id)
    return families[0] if families else FAMILY


def apply_app_font(app, point_size: float = 10) -> None:
    """Make the bundled family the application's default font, with system fonts only as fallback."""
    from PySide6.QtGui import QFont

    family = register_qt_fonts()
    font = QFont(family)
    font.setPointSizeF(point_size)
    font.setFamilies([family])
    app.setFont(font)


@functools.lru_cache(maxsize=1)
def register_matplotlib_fonts() -> str:
    """Add the bundled faces to matplotlib and make them the default sans-serif (imported only when charts are)."""
    import matplotlib
    from matplotlib import font_manager

    for path in font_paths():
        font_manager.fontManager.addfont(path)
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [FAMILY, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212; use ASCII minus
    matplotlib.rcParams["pdf.fonttype"] = 42            # embed TrueType, text stays searchable
    matplotlib.rcParams["ps.fonttype"] = 42
    return FAMILY
