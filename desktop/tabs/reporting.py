"""报送情况: for the 报告期, which 责任单位 have reported all, part or none of their projects, which totals are
missing, the deadline and days overdue; one click shows the missing projects on the board, another prints the
催报通知."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from db import PolicyTrackError, board, cycle, reporting, settings
from desktop import dialogs, formatting as fmt
from desktop.app import AppContext
from desktop.style import status_ink, status_tint

STATE_WORDS = {"all": "已全部报送", "part": "部分报送", "none": "未报送"}
STATE_COLOURS = {"all": "green", "part": "amber", "none": "unreported"}
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


CYCLE_COLOURS = {"未下发": "unreported", "已下发": "amber", "已报送": "amber", "已退回": "red", "已通过": "green"}


def cycle_item(c, days_overdue: int) -> QTableWidgetItem:
    """The unit's place in the monthly cycle: 未下发 / 已下发 (when, which file) / 已报送 / 已退回 / 已通过."""
    state = c.state if c else "未下发"
    text = state
    if c and state == "已下发":
        text += f"（{c.dispatched_at[:10]}）"
        if days_overdue:
            text += f"，逾期 {days_overdue} 天"
    if c and c.submission_id is not None:
        text += f"（报送 #{c.submission_id}）"
    item = QTableWidgetItem(text)
    item.setForeground(status_ink(CYCLE_COLOURS[state]))
    if c and c.file_name:
        item.setToolTip(f"{c.file_name}，{c.dispatched_at} 下发")
    return item


class ReportingTab(QWidget):
    key = "reporting"
    title = "报送情况"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.status: reporting.Status | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        self.totals_label = QLabel()
        self.totals_label.setWordWrap(True)
        lay.addWidget(self.totals_label)
        buttons = QHBoxLayout()
        self.missing_button = QPushButton("在重点项目中只看未报送项目")
        self.missing_button.setToolTip("切换到“重点项目”，筛选本报告期没有完成投资数据的项目（所选单位优先）")
        self.missing_button.clicked.connect(self.show_missing)
        self.notice_button = QPushButton("生成催报通知…")
        self.notice_button.setToolTip("每个未报齐的责任单位一页：未报送的项目、报送截止日、逾期天数（PDF，可打印）")
        self.notice_button.clicked.connect(self.write_notice)
        buttons.addWidget(self.missing_button)
        buttons.addWidget(self.notice_button)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.table = QTableWidget(0, 7)
        self.table.setHorizontalHeaderLabels(["责任单位", "项目数", "已报送", "未报送", "报送状态",
                                              "未报送的项目", "填报表（下发与审核）"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda *_: self.show_missing())
        lay.addWidget(self.table, 1)
        ctx.as_of_changed.connect(self.refresh)
        ctx.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        try:
            self.status = st = reporting.status(self.ctx.db, self.ctx.as_of, self.ctx.year)
        except PolicyTrackError as exc:
            self.heading.setText(f"无法计算报送情况：{exc}")
            return
        p = st.period
        overdue = f" · 已逾期 {st.days_overdue} 天" if st.days_overdue else ""
        self.heading.setText(f"报告期 {p.year}年{p.month}月 · 报送截止 {fmt.date_cn(st.deadline)}{overdue}"
                             f" · 已报送 {st.reported_count} / {st.project_count} 个项目")
        self.totals_label.setText("项目盘子合计数：" + (
            f"{'、'.join(st.portfolios_unreported)} {p.month}月未报送" if st.portfolios_unreported else "均已报送"))
        self.totals_label.setStyleSheet(f"color: {status_ink('red' if st.portfolios_unreported else 'green').name()};")
        self.table.setRowCount(len(st.units))
        try:
            cycles = cycle.cycle_status(self.ctx.db, st.period)
        except PolicyTrackError:
            cycles = {}
        for r, u in enumerate(st.units):
            colour = STATE_COLOURS[u.state]
            cells = [QTableWidgetItem(u.unit), QTableWidgetItem(str(u.projects)), QTableWidgetItem(str(u.reported)),
                     QTableWidgetItem(str(len(u.missing))), QTableWidgetItem(STATE_WORDS[u.state]),
                     QTableWidgetItem("、".join(u.missing)), cycle_item(cycles.get(u.unit), st.days_overdue)]
            for c in (1, 2, 3):
                cells[c].setTextAlignment(RIGHT)
            cells[4].setBackground(status_tint(colour))
            cells[4].setForeground(status_ink(colour))
            cells[4].setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            cells[5].setToolTip("\n".join(u.missing))
            for c, item in enumerate(cells):
                self.table.setItem(r, c, item)
        self.missing_button.setEnabled(st.missing_count > 0)

    def selected_unit(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or self.status is None:
            return None
        unit = self.status.units[rows[0].row()].unit
        return "" if unit == reporting.UNKNOWN_UNIT else unit

    def show_missing(self) -> None:
        """The board, filtered to the projects with no figure for the 报告期 (of the selected unit, if any)."""
        window = self.window()
        tab = getattr(window, "tab_widgets", {}).get("board")
        if tab is None:
            return
        tab.set_filters(board.Filters(status=board.UNREPORTED, responsible_unit=self.selected_unit()))
        window.tabs.setCurrentWidget(tab)

    def write_notice(self) -> None:
        if self.status is None:
            return
        from desktop.exchange_ui import ask_save_path
        from desktop.report.notice import build_notice

        p = self.status.period
        path = ask_save_path(self, "生成催报通知", str(Path.home() / f"催报通知-{p.year}年{p.month}月.pdf"),
                             "PDF 文件 (*.pdf)")
        if not path:
            return
        py = self.ctx.plan_year
        data = {"district": py["district"], "plan_year": py["year"], "as_of": p.isoformat(),
                "organization": settings.get(self.ctx.db, "organization") or f"{py['district']}发展和改革委员会",
                "reporting": cycle.annotate(self.ctx.db, self.status.details(), p)}
        try:
            result = build_notice(data, path)
        except OSError as exc:
            dialogs.show_error(self, "未能生成催报通知", f"无法写入 {path}：{exc.strerror or exc}")
            return
        dialogs.show_info(self, "催报通知", f"已生成 {path}（共 {result['pages']} 页）")
