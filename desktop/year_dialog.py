"""文件 → 新建年度…: roll the plan over into the next year (db.years.new_year), saying first what carries over."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout,
                               QWidget)

from db import PolicyTrackError, plan, years

CARRIED = ("将结转：集群体系（含规模层级）、项目盘子（个数和年度计划待填）、指标（目标待填）、"
           "尚未投产的项目（名称、代码、责任单位、包联领导、总投资、所属集群和未完成的节点）。\n"
           "不结转：上一年的任何数字（完成投资、形象进度、指标实际值、目标）。已投产的项目留在原年度。\n"
           "原年度仍可补录（如 12 月数据），直到“年度结账”。")


class NewYearDialog(QDialog):
    def __init__(self, db, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.result_info: years.NewYearResult | None = None
        self.setWindowTitle("新建年度")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        held = [py["year"] for py in plan.plan_years(db)]
        self.from_combo = QComboBox()
        for y in reversed(held):
            self.from_combo.addItem(f"{y} 年", y)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue((max(held) + 1) if held else 2024)
        self.year_spin.setSuffix(" 年")
        form.addRow("新年度：", self.year_spin)
        form.addRow("结转自：", self.from_combo)
        lay.addLayout(form)
        note = QLabel(CARRIED)
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6368;")
        lay.addWidget(note)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b71c1c;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        lay.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("新建年度")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(600)
        note.setMinimumHeight(note.heightForWidth(580))   # word-wrapped: room for every line

    def create(self) -> None:
        """Make the year; on refusal the reason stays in the dialog (nothing was changed)."""
        try:
            self.result_info = years.new_year(self.db, self.year_spin.value(), from_year=self.from_combo.currentData())
        except PolicyTrackError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        self.accept()
