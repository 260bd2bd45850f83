"""Plan years and definitions in the GUI: 文件 → 新建数据库… / 年度结账…（重新打开年度…）, and 编辑 → 区县名称… /
新增项目盘子… / 新增指标…. 新建年度… is desktop/year_dialog.py. Every write goes through db/ (validated, one
transaction, logged in the audit log); a refusal keeps the form open with the reason and changes nothing."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from db import PolicyTrackError, define, indicators, plan, portfolios, years
from desktop import dialogs


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("formError")
    label.setStyleSheet("color: #b71c1c;")
    label.setWordWrap(True)
    label.hide()
    return label


class _FormDialog(QDialog):
    """A form with 确定/取消; ``save()`` writes and returns True, or shows the refusal and keeps the form open."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = _error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addLayout(self.form)
        column.addWidget(self.error)
        column.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def _ok(self) -> None:
        if self.save():
            self.accept()

    def write(self) -> None:  # overridden
        raise NotImplementedError

    def save(self) -> bool:
        try:
            self.write()
        except (PolicyTrackError, OSError) as exc:
            self.error.setText(str(exc))
            self.error.show()
            return False
        return True


class PortfolioDialog(_FormDialog):
    """项目盘子: a new one, or filling in the one the year already has at that level (a carried portfolio, or the
    two an empty database starts with): declared count, annual plan and total investment (亿元)."""

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(f"项目盘子（{ctx.year}年）", parent)
        self.ctx = ctx
        self.level = QComboBox()
        for key, label in portfolios.LEVELS.items():
            self.level.addItem(label, key)
        self.name = QLineEdit()
        self.name.setPlaceholderText("如 区级重点项目")
        self.declared = QLineEdit()
        self.declared.setPlaceholderText("申报项目个数")
        self.plan = QLineEdit()
        self.plan.setPlaceholderText("亿元，如 120.5")
        self.total = QLineEdit()
        self.total.setPlaceholderText("亿元，可不填")
        self.source = QLineEdit()
        self.source.setPlaceholderText("文件名称或文号，可不填")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #5f6368;")
        for label, w in (("级别", self.level), ("名称", self.name), ("申报项目数", self.declared),
                         ("年度计划投资（亿元）", self.plan), ("总投资（亿元）", self.total), ("来源", self.source)):
            self.form.addRow(label, w)
        self.form.addRow(self.note)
        self.level.currentIndexChanged.connect(self._level_chosen)
        self._level_chosen()

    def existing(self) -> dict[str, Any] | None:
        """The year's portfolio at the chosen level, if it has one (then the dialog fills it in)."""
        for row in portfolios.list_for(self.ctx.db, self.ctx.plan_year["id"]):
            if row["level"] == self.level.currentData():
                return row
        return None

    def _level_chosen(self, *_: object) -> None:
        row = self.existing()
        self.name.setReadOnly(row is not None)
        if row is not None:
            self.name.setText(row["name"])
            self.note.setText(f"本年度已有{portfolios.LEVELS[row['level']]}项目盘子“{row['name']}”：填写或修改它的"
                              "申报项目数、年度计划和总投资（空着的项不变；年度计划的修改保留历史）。")
        else:
            self.name.clear()
            self.note.setText("新增一个项目盘子。")

    def write(self) -> None:
        row = self.existing()
        if row is not None:
            define.update_portfolio(self.ctx.db, row["id"], declared_count=self.declared.text(),
                                    total_investment=self.total.text(), annual_plan=self.plan.text(),
                                    source=self.source.text())
        else:
            define.add_portfolio(self.ctx.db, plan_year_id=self.ctx.plan_year["id"], level=self.level.currentData(),
                                 name=self.name.text(), declared_count=self.declared.text(),
                                 annual_plan=self.plan.text(), total_investment=self.total.text(),
                                 source=self.source.text())


class IndicatorDialog(_FormDialog):
    """新增指标: campaign (行动), name, unit, direction, cumulative or point-in-time, target, source."""

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(f"新增指标（{ctx.year}年）", parent)
        self.ctx = ctx
        self.campaign = QComboBox()
        self.campaign.setEditable(True)
        seen: list[str] = []
        for row in indicators.list_for(ctx.db, ctx.plan_year["id"]):
            if row["campaign"] not in seen:
                seen.append(row["campaign"])
        self.campaign.addItems(seen)
        self.campaign.setCurrentText(seen[0] if seen else "")
        line = self.campaign.lineEdit()
        if line is not None:
            line.setPlaceholderText("所属行动，如 全力拼科技创新")
        self.name = QLineEdit()
        self.unit = QLineEdit()
        self.unit.setPlaceholderText("如 家、亿元、%")
        self.decimals = QSpinBox()
        self.decimals.setRange(0, 4)
        self.direction = QComboBox()
        for key, label in indicators.DIRECTIONS.items():
            self.direction.addItem(label, key)
        self.accumulation = QComboBox()
        for key, label in indicators.ACCUMULATIONS.items():
            self.accumulation.addItem(label, key)
        self.target = QLineEdit()
        self.target.setPlaceholderText("按指标的单位，可稍后填写")
        self.source = QLineEdit()
        self.source.setPlaceholderText("文件名称或文号，可不填")
        for label, w in (("所属行动", self.campaign), ("指标名称", self.name), ("单位", self.unit),
                         ("小数位", self.decimals), ("方向", self.direction), ("统计方式", self.accumulation),
                         ("年度目标", self.target), ("来源", self.source)):
            self.form.addRow(label, w)

    def write(self) -> None:
        define.add_indicator(self.ctx.db, plan_year_id=self.ctx.plan_year["id"], campaign=self.campaign.currentText(),
                             name=self.name.text(), unit=self.unit.text(), decimals=self.decimals.value(),
                             direction=self.direction.currentData(), accumulation=self.accumulation.currentData(),
                             target=self.target.text(), source=self.source.text())


class NewDatabaseDialog(_FormDialog):
    """新建数据库: an empty database for a district and a year (no built-in 渝北 data); never over a file."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("新建数据库", parent)
        self.district = QLineEdit()
        self.district.setPlaceholderText("如 江北区")
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(dt.date.today().year)
        self.year.setSuffix(" 年")
        self.path = QLineEdit()
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        holder = QWidget()
        holder.setLayout(row)
        self.form.addRow("区县名称", self.district)
        self.form.addRow("计划年度", self.year)
        self.form.addRow("数据库文件", holder)
        note = QLabel("新数据库是空的（区级重点项目、市级重大项目两个项目盘子待填写）：之后在“编辑”菜单中填写项目盘子、"
                      "新增指标，或导入调度表。不会覆盖已有文件。")
        note.setWordWrap(True)
        self.form.addRow(note)
        self.created: Path | None = None

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "新数据库文件", "", "PolicyTrack 数据库 (*.db)")
        if path:
            self.path.setText(path if path.endswith(".db") else path + ".db")

    def write(self) -> None:
        from desktop.cli import Refused
        from desktop.commands.init import create
        if not self.path.text().strip():
            raise PolicyTrackError("「数据库文件」请选择新数据库文件的位置")
        try:
            self.created = create(self.path.text().strip(), district=self.district.text(), year=self.year.value())
        except Refused as exc:
            raise PolicyTrackError(str(exc)) from None


# -- actions (wired in desktop/main_window.py) -----------------------------------------------------------------

def close_action_text(ctx: Any) -> str:
    return "重新打开年度…" if plan.is_closed(ctx.db, ctx.plan_year["id"]) else "年度结账…"


def close_or_reopen(window: QWidget, ctx: Any) -> None:
    """年度结账 the year shown (after a confirmation), or reopen it when it is closed (a reason is required)."""
    y = ctx.year
    try:
        if plan.is_closed(ctx.db, ctx.plan_year["id"]):
            reason = dialogs.ask_text(window, "重新打开年度", f"{y} 年度已结账。重新打开的理由（记入操作日志）：")
            if reason is not None:
                years.reopen(ctx.db, y, reason=reason)
        elif dialogs.confirm(window, "年度结账",
                             f"结账后 {y} 年度的数据只能查看和打印，不能再补录或修改（可说明理由后重新打开）。"
                             f"\n\n确定为 {y} 年度结账吗？"):
            years.close(ctx.db, y)
    except PolicyTrackError as exc:
        dialogs.show_error(window, "年度结账", str(exc))


def new_database(window: QWidget) -> None:
    dialog = NewDatabaseDialog(window)
    if dialog.exec() and dialog.created is not None:
        dialogs.show_info(window, "新建数据库",
                          f"已新建空数据库：{dialog.created}\n\n用 policytrack --db \"{dialog.created}\" 打开它"
                          "（当前窗口仍是原来的数据库）。")


def rename_district(window: QWidget, ctx: Any) -> None:
    name = dialogs.ask_text(window, "区县名称", f"{ctx.year} 年度的区县名称：", ctx.plan_year["district"])
    if name is not None:
        try:
            years.set_district(ctx.db, ctx.year, name)
        except PolicyTrackError as exc:
            dialogs.show_error(window, "区县名称", str(exc))


def define_portfolio(window: QWidget, ctx: Any) -> None:
    PortfolioDialog(ctx, window).exec()


def define_indicator(window: QWidget, ctx: Any) -> None:
    IndicatorDialog(ctx, window).exec()
