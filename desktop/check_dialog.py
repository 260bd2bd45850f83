"""检查数据库: runs db.check and shows what it found — or which checks passed — in plain Chinese."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from db import Database, check

SEVERITY_LABELS = {check.ERROR: "错误", check.WARNING: "提醒"}
SEVERITY_INK = {check.ERROR: "#b71c1c", check.WARNING: "#7a5200"}
OK_INK = "#1b5e20"


class CheckDialog(QDialog):
    """The findings of one check run. ``restore_requested`` asks the main window to open 备份与恢复."""

    restore_requested = Signal()

    def __init__(self, findings: list[check.Finding], parent: QWidget | None = None, *, db_path: str = ""):
        super().__init__(parent)
        self.findings = findings
        self.setWindowTitle("检查数据库")
        self.resize(720, 520)
        lay = QVBoxLayout(self)

        self.summary_label = QLabel(check.summary_text(findings))
        ink = OK_INK if not findings else SEVERITY_INK[check.ERROR if any(
            f.severity == check.ERROR for f in findings) else check.WARNING]
        self.summary_label.setStyleSheet(f"font-size: 15px; font-weight: bold; color: {ink};")
        lay.addWidget(self.summary_label)
        if db_path:
            where = QLabel(f"数据库：{db_path}")
            where.setStyleSheet("color: #5f6368;")
            where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lay.addWidget(where)

        self.table = QTableWidget(0, 3)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        if findings:
            self.table.setHorizontalHeaderLabels(["级别", "检查项", "说明"])
            self.table.setRowCount(len(findings))
            for row, f in enumerate(findings):
                level = QTableWidgetItem(SEVERITY_LABELS.get(f.severity, f.severity))
                level.setForeground(QColor(SEVERITY_INK.get(f.severity, "#000000")))
                self.table.setItem(row, 0, level)
                self.table.setItem(row, 1, QTableWidgetItem(check.CHECK_LABELS.get(f.code, f.code)))
                self.table.setItem(row, 2, QTableWidgetItem(f.message))
        else:
            self.table.setHorizontalHeaderLabels(["结果", "检查项", "说明"])
            labels = check.checks_run()
            self.table.setRowCount(len(labels))
            for row, label in enumerate(labels):
                ok = QTableWidgetItem("通过")
                ok.setForeground(QColor(OK_INK))
                self.table.setItem(row, 0, ok)
                self.table.setItem(row, 1, QTableWidgetItem(label))
                self.table.setItem(row, 2, QTableWidgetItem("未发现问题"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        self.table.setCurrentItem(None)
        lay.addWidget(self.table, 1)

        self.damaged = any(f.code == "integrity" for f in findings)
        self.advice_label = QLabel()
        self.advice_label.setWordWrap(True)
        if self.damaged:
            self.advice_label.setText("数据库文件已损坏。请不要继续修改，用“备份与恢复”恢复最近一份完好的备份。")
        elif findings:
            self.advice_label.setText("这些问题不影响已保存的数据的读取。请把本窗口内容发给管理员处理"
                                      "（可以全选后复制）。")
        self.advice_label.setVisible(bool(findings))
        lay.addWidget(self.advice_label)

        buttons = QHBoxLayout()
        self.restore_button = QPushButton("备份与恢复…")
        self.restore_button.setVisible(self.damaged)
        self.restore_button.clicked.connect(self._restore)
        self.copy_button = QPushButton("复制结果")
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        close.setDefault(True)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(close)
        lay.addLayout(buttons)

    def text(self) -> str:
        lines = [self.summary_label.text()]
        lines += [f"[{SEVERITY_LABELS.get(f.severity, f.severity)}] {check.CHECK_LABELS.get(f.code, f.code)}："
                  f"{f.message}" for f in self.findings]
        return "\n".join(lines)

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.text())

    def _restore(self) -> None:
        self.restore_requested.emit()
        self.accept()


def run_check(db: Database, parent: QWidget | None = None) -> CheckDialog:
    """Run every check (a wait cursor meanwhile) and return the dialog showing the result."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        findings = check.run(db)
    finally:
        QGuiApplication.restoreOverrideCursor()
    return CheckDialog(findings, parent, db_path=db.path)
