"""The 调度 menu: 下发填报表… (choose units and a folder), 审核报送 (the 审核 tab), and filing a returned 填报表
chosen through 导入调度表 as a submission."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from db import PolicyTrackError, cycle
from desktop import dialogs, formatting as fmt


class DispatchDialog(QDialog):
    """Which 责任单位 get a 填报表 for the 报告期, and into which folder."""

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        p = ctx.as_of
        self.setWindowTitle("下发填报表")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"报告期 {p.year}年{p.month}月：为所选责任单位各生成一份填报表（.xlsx），"
                             "发给各单位用 Excel 或 WPS 填写后交回，再用“导入调度表”收回。"))
        self.units = QListWidget()
        states = cycle.cycle_status(ctx.db, p)
        for unit, rows in cycle.units(ctx.db, ctx.year).items():
            state = states.get(unit)
            item = QListWidgetItem(f"{unit}（{len(rows)} 个项目；{state.state if state else '未下发'}）")
            item.setData(Qt.ItemDataRole.UserRole, unit)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.units.addItem(item)
        lay.addWidget(self.units, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("保存到文件夹："))
        self.folder = QLineEdit(str(Path.home() / f"{p.year}年{p.month}月填报表"))
        row.addWidget(self.folder, 1)
        browse = QPushButton("选择…")
        browse.clicked.connect(self._browse)
        row.addWidget(browse)
        lay.addLayout(row)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("生成")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.resize(560, 420)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "选择保存填报表的文件夹", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def chosen_units(self) -> list[str]:
        out = []
        for i in range(self.units.count()):
            item = self.units.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out


def dispatch_forms(parent: QWidget | None, ctx: Any, *, dialog: DispatchDialog | None = None) -> list | None:
    dialog = dialog or DispatchDialog(ctx, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    units = dialog.chosen_units()
    if not units:
        dialogs.show_error(parent, "下发填报表", "没有选择责任单位")
        return None
    try:
        files = cycle.dispatch(ctx.db, ctx.as_of, dialog.folder.text().strip(), units, force=True)
    except (PolicyTrackError, OSError) as exc:
        dialogs.show_error(parent, "未能生成填报表", str(exc))
        return None
    deadline = files[0].deadline if files else None
    dialogs.show_info(parent, "下发填报表",
                      f"已生成 {len(files)} 份填报表（报送截止 {fmt.date_cn(deadline) if deadline else ''}）：\n"
                      + "\n".join(str(f.path) for f in files))
    return files


def import_fill_form(parent: QWidget | None, ctx: Any, path: str) -> cycle.Submission | None:
    """A returned 填报表 chosen through 导入调度表: check it, show its warnings, file it as a submission."""
    try:
        form = cycle.read_form(ctx.db, path)
    except PolicyTrackError as exc:
        dialogs.show_error(parent, "无法导入填报表", str(exc))
        return None
    p = form.period
    text = f"填报表：{form.unit}，{p.year}年{p.month}月，填写 {len(form.rows)} 个项目。"
    if form.warnings:
        text += "\n\n提醒（审核时核实）：\n" + "\n".join(form.warnings[:20])
    text += "\n\n作为报送存档，审核通过后数据才入库。继续？"
    if not dialogs.confirm(parent, "收到填报表", text, default_yes=True):
        return None
    try:
        sub, replaced = cycle.submit(ctx.db, form)
    except PolicyTrackError as exc:
        dialogs.show_error(parent, "无法导入填报表", str(exc))
        return None
    again = f"（替换了待审核的报送 #{'、#'.join(map(str, replaced))}）" if replaced else ""
    dialogs.show_info(parent, "收到填报表", f"已收到报送 #{sub.id}{again}：{sub.status}。")
    show_review(parent, sub.id)
    return sub


def show_review(window: Any, submission_id: int | None = None) -> None:
    window = window.window() if isinstance(window, QWidget) else window
    tab = getattr(window, "tab_widgets", {}).get("review")
    if tab is not None:
        window.tabs.setCurrentWidget(tab)
        if submission_id is not None:
            tab.refresh()
            tab.select_submission(submission_id)
