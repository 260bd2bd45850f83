"""Qt's own Chinese: the standard buttons (确定/取消/是/否), file and print dialogs, text-field context menus.

Qt ships its translations as .qm files beside the library: in PySide6's ``Qt/translations`` folder from a wheel
or a source checkout, and in the PyInstaller bundle at the same place under ``_internal/PySide6`` (the spec keeps
the ``*_zh_CN.qm`` files and drops the other languages).
"""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

LOCALE = "zh_CN"
# QDialogButtonBox, QMessageBox, QFileDialog, QLineEdit's menu, QPrintDialog… all live in qtbase.
CATALOGUES = ("qtbase",)
_installed: list[QTranslator] = []   # the translators must live as long as the application

# The few labels Qt's own zh_CN catalogue leaves in English (checked with Qt 6.11): asked for by source text.
MISSING = {
    "&Look in:": "查找范围(&L)：",
    "Look in:": "查找范围：",
    "Files of &type:": "文件类型(&T)：",
    "Files of type:": "文件类型：",
    "Page &Set:": "打印页面(&S)：",
}


class _Supplement(QTranslator):
    """Answers only the source texts in MISSING; everything else falls through to Qt's catalogue."""

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D102 (Qt override)
        return MISSING.get(source_text, "")

    def isEmpty(self) -> bool:  # noqa: N802 (Qt override)
        return False


def translation_dirs() -> list[Path]:
    """Where Qt's .qm files can be, most specific first (frozen bundle, Qt's own idea, PySide6's folder)."""
    dirs: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        dirs.append(Path(frozen_root) / "PySide6" / "Qt" / "translations")
    dirs.append(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)))
    import PySide6
    dirs.append(Path(PySide6.__file__).resolve().parent / "Qt" / "translations")
    seen, out = set(), []
    for d in dirs:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def install_translations(app: QApplication) -> list[str]:
    """Load Qt's zh_CN translations into ``app`` once; returns the files loaded (empty if none was found).

    Also makes zh_CN the default locale, so dates in the file dialog and numbers in spin boxes read Chinese.
    """
    if _installed:
        return [t.filePath() for t in _installed if t.filePath()]
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    supplement = _Supplement(app)
    app.installTranslator(supplement)      # searched last: installed first
    for name in CATALOGUES:
        for folder in translation_dirs():
            t = QTranslator(app)
            if (folder / f"{name}_{LOCALE}.qm").is_file() and t.load(f"{name}_{LOCALE}", str(folder)):
                app.installTranslator(t)
                _installed.append(t)
                break
    if _installed:
        _installed.append(supplement)
    return [t.filePath() for t in _installed if t.filePath()]
