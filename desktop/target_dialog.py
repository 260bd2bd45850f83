"""修改目标: the new value, the reason (required) and, optionally, the 文号 of the decision."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget)


class TargetDialog(QDialog):
    def __init__(self, parent: QWidget | None, *, title: str, subject: str, current: str, unit: str):
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
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def values(self) -> tuple[str, str, str]:
        return self.value_edit.text(), self.reason_edit.text(), self.doc_edit.text()
