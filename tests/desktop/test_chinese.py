"""Qt's own dialogs, buttons and menus and argparse's help and errors speak Chinese."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QFileDialog, QLabel, QLineEdit, QMessageBox, QPushButton

from desktop.translations import install_translations

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")   # '是(&Y)' keeps its one-letter accelerator


def run(*args):
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_translator_loads_qt_chinese_catalogue(app):
    loaded = install_translations(app)
    assert any(Path(f).name == "qtbase_zh_CN.qm" for f in loaded)


def test_message_box_buttons_are_chinese(app):
    install_translations(app)
    box = QMessageBox(QMessageBox.Icon.Question, "确认", "是否继续？",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                      | QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    texts = {b.text() for b in box.buttons()}
    assert texts == {"是(&Y)", "否(&N)", "确定", "取消"}
    box.deleteLater()


def test_file_dialog_is_chinese(app, tmp_path):
    install_translations(app)
    for mode, accept in ((QFileDialog.AcceptMode.AcceptOpen, "打开"), (QFileDialog.AcceptMode.AcceptSave, "保存")):
        d = QFileDialog(None, "选择文件", str(tmp_path), "Excel 工作簿 (*.xlsx)")
        d.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        d.setAcceptMode(mode)
        buttons = [b.text() for b in d.findChild(QDialogButtonBox).findChildren(QPushButton)]
        labels = [w.text() for w in d.findChildren(QLabel)]
        assert any(t.startswith(accept) for t in buttons) and "取消" in buttons, buttons
        assert any("查找范围" in t for t in labels) and any("文件类型" in t for t in labels), labels
        tips = [w.toolTip() for w in d.findChildren(QAbstractButton) if w.toolTip()]
        for text in buttons + labels + tips:
            assert not ENGLISH_WORD.search(text.replace("Excel", "")), text
        d.deleteLater()


def test_text_field_context_menu_is_chinese(app):
    install_translations(app)
    field = QLineEdit()
    menu = field.createStandardContextMenu()
    texts = [a.text().split("\t")[0] for a in menu.actions() if a.text()]
    assert "剪切(&T)" in texts and "复制(&C)" in texts and "粘贴(&P)" in texts
    assert not any(ENGLISH_WORD.search(t) for t in texts), texts


def test_gui_start_up_path_installs_the_translator(app):
    from desktop.gui import make_app
    from desktop import translations
    make_app()
    assert translations._installed   # the same QApplication: make_app called install_translations on it


def test_help_is_chinese():
    for args in (["--help"], ["report", "--help"], ["record", "--help"]):
        out = run(*args)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("用法：policytrack")
        for english in ("usage:", "positional arguments", "options:", "show this help"):
            assert english not in out.stdout, (args, english)
        assert "显示本帮助并退出" in out.stdout


def test_argparse_errors_are_chinese_one_line_exit_2():
    cases = {("report", "x.pdf", "--paper", "A5"): "无效的取值：'A5'（可选：'A4', 'A3'）",
             ("frobnicate",): "无效的取值：'frobnicate'",
             ("summary", "--bogus"): "无法识别的参数：--bogus",
             ("record",): "缺少必需的参数：--as-of"}
    for args, expected in cases.items():
        out = run(*args)
        assert out.returncode == 2, args
        assert out.stdout == ""
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], out.stderr
        for english in ("usage:", "invalid choice", "unrecognized arguments", "required", "error:"):
            assert english not in out.stderr, (args, english)
