"""帮助: the Chinese user guide shown inside the app, and 关于 (version, folders, licences)."""
from __future__ import annotations

import os
import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

import resources
from desktop import APP_NAME, APP_NAME_CN, __version__
from desktop.paths import data_dir


def guide_markdown() -> str:
    return resources.path("guide", "user-guide.md").read_text(encoding="utf-8")


class _TextDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, size: tuple[int, int]):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(*size)
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        lay.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


class GuideDialog(_TextDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, "使用指南", (820, 720))
        self.browser.setMarkdown(guide_markdown())


class AboutDialog(_TextDialog):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent, "关于", (640, 520))
        db_path = os.path.abspath(ctx.db.path) if ctx.db.path != ":memory:" else "（内存）"
        licence = resources.path("fonts", "OFL.txt").read_text(encoding="utf-8")
        self.browser.setMarkdown(
            f"# {APP_NAME_CN} {APP_NAME} {__version__}\n\n"
            f"- 数据文件夹：`{data_dir()}`\n- 当前数据库：`{db_path}`\n"
            f"- 数据库版本：{ctx.db.schema_version}\n"
            f"- 运行环境：Python {platform.python_version()}，PySide6 {pyside_version}，{platform.system()}\n\n"
            "## 字体许可\n\n界面、图表和 PDF 使用随程序附带的 PolicyTrack Sans SC 字体（Noto Sans CJK SC 的 GBK 子集），"
            "按 SIL Open Font License 1.1 授权：\n\n```\n" + licence + "\n```\n")
