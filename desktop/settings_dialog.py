"""设置: the user's choices about the data (status thresholds, time-progress mode, reporting deadline), stored in the
database."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

from db import reporting, settings
from desktop import operations
from desktop.app import AppContext


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("设置")
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        t = settings.thresholds(ctx.db)
        self.green_edit = QLineEdit(str(float(t.green_from)).removesuffix(".0"))
        self.amber_edit = QLineEdit(str(float(t.amber_from)).removesuffix(".0"))
        self.mode_combo = QComboBox()
        for key, label in settings.TIME_PROGRESS_MODES.items():
            self.mode_combo.addItem(label, key)
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(settings.time_progress_mode(ctx.db)))
        form.addRow("绿色（正常）：序时差 ≥", self.green_edit)
        form.addRow("黄色（预警）：序时差 ≥", self.amber_edit)
        form.addRow("时序进度计算方式：", self.mode_combo)
        self.deadline_edit = QLineEdit(str(reporting.deadline_day(ctx.db)))
        self.deadline_edit.setToolTip("每月数据应在次月的这一天之前报送（1–28，默认 5 日），用于报送情况和催报通知")
        form.addRow("报送截止日：次月", self.deadline_edit)
        self.user_edit = QLineEdit(settings.get(ctx.db, "user_name") or "")
        self.user_edit.setPlaceholderText(f"留空则使用系统用户名（{ctx.db.user}）")
        form.addRow("录入人（写入变更记录）：", self.user_edit)
        lay.addLayout(form)
        hint = QLabel("序时差 = 完成率 − 时序进度（百分点）。低于黄色阈值为红色（滞后）。这些设置保存在数据库中，"
                      "所有使用该数据库的电脑一致。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5f6368;")
        lay.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def save(self) -> None:
        green, amber = self.green_edit.text(), self.amber_edit.text()
        mode, deadline, user = self.mode_combo.currentData(), self.deadline_edit.text(), self.user_edit.text()

        def write(db) -> None:
            settings.set_thresholds(db, green_from=green, amber_from=amber)
            settings.set_time_progress_mode(db, mode)
            if deadline.strip() != str(reporting.deadline_day(db)):
                reporting.set_deadline_day(db, deadline)
            if user.strip() != (settings.get(db, "user_name") or ""):
                settings.set_user_name(db, user)

        if operations.save_settings(ctx=self.ctx, parent=self, write=write) is None:
            return
        self.accept()
