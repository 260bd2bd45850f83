"""修改目标: the new value, the reason (required), optionally the 文号 of the decision, and the 生效日期 (the first day
the new value counts; months before it keep the target then in force)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)


def default_effective_date(year: int, as_of: dt.date, today: dt.date | None = None) -> dt.date:
    """The date of the revision (today) when it falls in the plan year, else the first day of the 报告期's month."""
    today = today or dt.date.today()
    return today if today.year == year else as_of.replace(day=1)


class TargetDialog(QDialog):
    def __init__(self, parent: QWidget | None, *, title: str, subject: str, current: str, unit: str,
                 effective: dt.date | None = None, year: int | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        lay = QVBoxLayout(self)
        info = QLabel(f"<b>{subject}</b><br>当前目标：{current} {unit}")
        info.setWordWrap(True)
        lay.addWidget(info)
        form = QFormLayout()
        self.value_edit = QLineEdit()
        self.value_edit.setPlaceholderText(f"新的目标值（{unit}）")
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("必填，例如：区政府常务会议调整年度目标")
        self.doc_edit = QLineEdit()
        self.doc_edit.setPlaceholderText("可选，例如：渝北府发〔2023〕12号")
        form.addRow(f"新目标（{unit}）：", self.value_edit)
        form.addRow("调整理由：", self.reason_edit)
        form.addRow("文号：", self.doc_edit)
        effective = effective or dt.date.today()
        self.date_edit = QDateEdit(QDate(effective.year, effective.month, effective.day))
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setCalendarPopup(True)
        if year is not None:
            self.date_edit.setDateRange(QDate(year, 1, 1), QDate(year, 12, 31))
        self.date_edit.setToolTip("新目标从这一天起生效；此前各月仍按原目标评价")
        form.addRow("生效日期：", self.date_edit)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def values(self) -> tuple[str, str, str, str]:
        """(value, reason, 文号, 生效日期 as YYYY-MM-DD)."""
        return (self.value_edit.text(), self.reason_edit.text(), self.doc_edit.text(),
                self.date_edit.date().toString("yyyy-MM-dd"))
