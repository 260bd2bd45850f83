"""重点项目: the key-project board — portfolio bands, the 调度表 with filters, the 按形象进度 view, the project detail.

Rows come from db.board (filtered and sorted in SQL); on a large database the load runs in a worker thread
(desktop.board_loader), so typing a search, sorting or changing the as-of date never freezes the window.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db import PolicyTrackError, board, clusters, plan, progress, projects, settings
from db.portfolios import LEVELS, by_level
from db.progress import STATUS_LABELS
from desktop import dialogs
from desktop import formatting as fmt
from desktop.app import AppContext
from desktop.board_loader import BoardLoader
from desktop.models.board import COL, PROJECT_ID_ROLE, RATE_ROLE, STATUS_ROLE, UNITS, BoardTableModel, money
from desktop.style import FittingLabel, ProgressWithMarker, StatusChip, paint_progress, status_ink
from desktop.tabs.board_detail import ProjectDetail
from desktop.tabs.board_stages import StageBoard
from desktop import operations

# Default column widths from what the column must show whole (numbers, level, stage, status and the two header
# lines) or, for free text, how many characters it shows before eliding (the tooltip has the rest).
FIT_SAMPLES = {"seq": "9999", "level": "区级重点", "total": "1,000.0", "plan": "1,000.0", "done": "1,000.0（6月）",
               "rate": "100.0%", "gap": "+100.0", "stage": "主体施工", "status": "未报送"}
TEXT_CHARS = {"name": 8, "cluster": 4.5, "location": 4, "unit": 4.5, "leader": 3, "milestone": 7}
CELL_PADDING = 22            # the style sheet pads cells by 6 px and header sections by 8 px a side, plus margins


def default_widths(fm) -> dict[str, int]:
    han = fm.horizontalAdvance("汉")
    out = {}
    for key, title in board.COLUMNS:
        lines = (title + "\n（亿元）" if key in ("total", "plan", "done") else title.replace("（", "\n（")).split("\n")
        header = max(fm.horizontalAdvance(line) for line in lines)
        if key in FIT_SAMPLES:
            body = fm.horizontalAdvance(FIT_SAMPLES[key]) + (40 if key == "rate" else 0)   # the bar beside 100.0%
        else:
            body = int(han * TEXT_CHARS[key])
        out[key] = max(header + SORT_ARROW, body) + CELL_PADDING
    return out


SORT_ARROW = 14              # the header's sort indicator sits right of the title: room so it never covers text
# The 调度表's default column order on screen: what is judged (完成率, 序时差, 预警) right beside the name, then the
# rest. The model keeps the 调度表's own order (export, sorting keys); only the header's visual order moves.
SCREEN_ORDER = ["seq", "name", "rate", "gap", "status", "stage", "done", "plan", "level", "unit", "cluster", "total",
                "milestone", "location", "leader"]
# When the window is too narrow for every column, these are hidden first (each can be shown again from the
# header's context menu); 项目名称, 完成率, 序时差 and 预警 are never hidden automatically.
HIDE_FIRST = ["leader", "location", "milestone", "total", "cluster", "level", "unit", "plan", "seq", "stage", "done"]
NAME_MIN_CHARS = 14          # 项目名称 keeps at least this many characters before columns are hidden
# Column order, widths and hidden columns in window.ini; a new key, so states saved before SCREEN_ORDER existed
# (the name at a fixed width, 完成率 far right) give way to the new layout once.
HEADER_KEY = "board/columns"


SEARCH_DELAY_MS = 250
DETAIL_WIDTH = 300


class ProgressDelegate(QStyledItemDelegate):
    """完成率: a bar with a marker at time progress, and the percentage right-aligned beside it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.time_progress: float | None = None

    def paint(self, painter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = QRectF(option.rect).adjusted(4, 0, -4, 0)
        text_width = option.fontMetrics.horizontalAdvance("100.0%") + 6
        bar = QRectF(rect.left(), rect.center().y() - 4, max(10.0, rect.width() - text_width), 8)
        rate = index.data(RATE_ROLE)
        if rate is not None:
            paint_progress(painter, bar, rate, self.time_progress, index.data(STATUS_ROLE))
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(option.palette.highlightedText().color() if selected else option.palette.text().color())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)
        painter.restore()


class PortfolioBand(QFrame):
    """One portfolio at the as-of date: declared count and plan, completion against time progress, coverage."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("portfolioBand")
        self.setStyleSheet("#portfolioBand { background: white; border: 1px solid #dadce0; border-radius: 8px; }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.setSpacing(2)
        head = QHBoxLayout()
        self.name_label = QLabel()
        self.name_label.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.declared_label = FittingLabel()
        self.chip = StatusChip()
        head.addWidget(self.name_label)
        head.addSpacing(8)
        head.addWidget(self.declared_label, 1)
        head.addWidget(self.chip)
        lay.addLayout(head)
        rate_row = QHBoxLayout()
        self.rate_label = QLabel()
        self.rate_label.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.gap_label = QLabel()
        self.bar = ProgressWithMarker()
        rate_row.addWidget(self.rate_label)
        rate_row.addSpacing(6)
        rate_row.addWidget(self.gap_label)
        rate_row.addSpacing(10)
        rate_row.addWidget(self.bar, 1)
        lay.addLayout(rate_row)
        self.itemised_label = QLabel()
        self.itemised_label.setStyleSheet("color: #5f6368;")
        lay.addWidget(self.itemised_label)
        # Long figures (万元) are cut at the band's edge rather than widening the window; the tooltip has all.
        self.itemised_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.itemised_label.setMinimumWidth(40)
        self.gap_label.setMinimumWidth(40)
        self.bar.setMinimumWidth(30)

    def show_band(self, b: board.Band, time_progress, unit: str, mode: str = "month") -> None:
        u = UNITS[unit]
        self.name_label.setText(b.name)
        declared = "—" if b.declared_count is None else f"{b.declared_count} 个"
        parts = [declared, f"年度计划 {money(b.annual_plan_wan, unit) or '—'} {u}"]
        if b.total_investment_wan is not None:
            parts.insert(1, f"总投资 {money(b.total_investment_wan, unit)} {u}")
        done = f"累计完成 {money(b.completed_wan, unit) or '—'} {u}"
        full = " · ".join([*parts, done + (f"（截至 {b.completed_as_of}）" if b.completed_as_of else "")])
        # narrower bands: the month instead of the date, then without 总投资, then without the plan; never a date
        # cut in half
        month = f"（截至{int(b.completed_as_of[5:7])}月）" if b.completed_as_of else ""
        short = " · ".join([*parts, done + month])
        shorter = " · ".join([p for p in parts if not p.startswith("总投资")] + [done + month])
        shortest = " · ".join([declared, done + month])   # the plan stays in the tooltip and the itemised line
        self.declared_label.set_choices(full, short, shorter, shortest)
        state = b.status if b.current else "unreported"
        if state != self.chip.status or not self.rate_label.text():
            # Style sheets are costly to re-apply: only when the colour changes.
            self.chip.set_status(state)
            self.rate_label.setStyleSheet(f"font-size: 15pt; font-weight: bold; color: {status_ink(state).name()};")
        self.rate_label.setText(fmt.percent(b.rate))
        if b.current:
            self.gap_label.setText(f"时序进度 {fmt.percent(time_progress)}，{fmt.gap_sentence(b.gap)}")
        else:
            self.gap_label.setText(f"本月{fmt.UNREPORTED}；{fmt.last_standing(b.completed_as_of, b.gap, b.status)}")
        self.gap_label.setToolTip(self.gap_label.text())
        own_tp = (progress.time_progress(dt.date.fromisoformat(b.completed_as_of), int(b.completed_as_of[:4]), mode)
                  if b.completed_as_of else time_progress)
        self.bar.set_values(None if b.rate is None else float(b.rate), float(own_tp), state)
        of = "—" if b.declared_count is None else str(b.declared_count)
        self.itemised_label.setText(
            f"已录入 {b.itemised_projects} / {of} 个项目"
            f" · 已录入项目年度计划 {money(b.itemised_plan_wan, unit)} / {money(b.annual_plan_wan, unit) or '—'} {u}"
            f" · 已录入项目累计完成 {money(b.itemised_completed_wan, unit)}"
            f" / {money(b.completed_wan, unit) or '—'} {u}")
        self.itemised_label.setToolTip(self.itemised_label.text())


def _combo(tooltip: str, chars: int) -> QComboBox:
    c = QComboBox()
    c.setToolTip(tooltip)
    # As wide as its longest choice when there is room, down to a few characters when the window is narrow.
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    c.setMinimumWidth(c.fontMetrics().horizontalAdvance("汉") * chars + 24)
    c.setMaxVisibleItems(25)
    return c


class BoardTab(QWidget):
    key = "board"
    title = "重点项目"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, async_from: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result: board.Result | None = None
        self.selected_id: int | None = None
        self._pending_select: int | None = None
        self._sort: tuple[str, bool] = ("seq", False)
        self._filling = False
        self._stages_stale = True
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(6)

        self.bands_row = QHBoxLayout()
        self.bands_row.setSpacing(8)
        self.bands: list[PortfolioBand] = []
        lay.addLayout(self.bands_row)
        lay.addLayout(self._build_filters())
        lay.addWidget(self._build_toolbar())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.views = QTabWidget()
        self.views.setDocumentMode(True)
        self.model = BoardTableModel(self)
        self.table = self._build_table()
        self.views.addTab(self.table, "调度表")
        self.stages = StageBoard()
        self.views.addTab(self.stages, "按形象进度")
        self.views.currentChanged.connect(lambda *_: self._show_stages())
        self.detail = ProjectDetail(ctx)
        self.splitter.addWidget(self.views)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)      # a wider window widens the table, not the detail pane
        self._splitter_placed = False
        self._widths_restored = False
        lay.addWidget(self.splitter, 1)

        self.loader = BoardLoader(ctx.db, self, async_from=async_from)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(lambda msg: self.status_label.setText(f"无法读取：{msg}"))
        self.loader.busy_changed.connect(self._on_busy)
        self.model.sort_requested.connect(self._on_sort)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current)
        self.stages.selected.connect(self._select_from_stage_view)
        self.stages.move_requested.connect(self.move_stage)
        self.detail.stage_move_requested.connect(self.move_stage)
        ctx.as_of_changed.connect(self.refresh)
        ctx.data_changed.connect(self._on_data_changed)
        self._fill_filter_choices()
        self.refresh()

    # -- building -------------------------------------------------------------------------------------
    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.level_combo = _combo("级别", 5)
        self.cluster_combo = _combo("所属产业集群（含下级）", 7)
        self.stage_combo = _combo("形象进度", 6)
        self.unit_combo = _combo("责任单位", 6)
        self.status_combo = _combo("预警", 5)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索项目名称、责任单位、包联领导、地点、备注…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        self.clear_button = QToolButton()
        self.clear_button.setText("清除筛选")
        self.money_combo = _combo("金额单位：亿元或万元", 3)
        for key, label in UNITS.items():
            self.money_combo.addItem(label, key)
        for w in (self.level_combo, self.cluster_combo, self.stage_combo, self.unit_combo, self.status_combo):
            row.addWidget(w)
        row.addWidget(self.search, 1)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda *_: self._search_timer.start())
        for c in (self.level_combo, self.cluster_combo, self.stage_combo, self.unit_combo, self.status_combo):
            c.currentIndexChanged.connect(self._filters_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.money_combo.currentIndexChanged.connect(lambda *_: self.set_unit(self.money_combo.currentData()))
        return row

    def _build_toolbar(self) -> QToolBar:
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.add_menu = QMenu("新增项目", self)
        self.add_district_action = self.add_menu.addAction("新增区级重点项目…", lambda: self.add_project("district"))
        self.add_city_action = self.add_menu.addAction("新增市级重大项目…", lambda: self.add_project("city"))
        add_button = QToolButton()
        add_button.setText("新增项目")
        add_button.setMenu(self.add_menu)
        add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bar.addWidget(add_button)
        self.remove_action = QAction("删除项目", self, triggered=self.remove_project)
        self.remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.stage_menu = QMenu("调整形象进度", self)
        stage_button = QToolButton()
        stage_button.setText("调整形象进度")
        stage_button.setMenu(self.stage_menu)
        stage_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.plan_action = QAction("修改年度计划…", self, triggered=self.edit_target)
        self.done_action = QAction("记录更新…", self, triggered=self.record_update)
        self.done_action.setToolTip("记录所选项目待报月份的完成投资、形象进度、节点和问题（Ctrl+R）")
        self.search_action = QAction("搜索", self, triggered=lambda: (self.search.setFocus(), self.search.selectAll()))
        self.search_action.setShortcut(QKeySequence.StandardKey.Find)
        for a in (self.remove_action, self.search_action):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(a)
        bar.addAction(self.remove_action)
        bar.addWidget(stage_button)
        bar.addAction(self.plan_action)
        bar.addAction(self.done_action)
        bar.addSeparator()
        self.count_label = QLabel()
        self.status_label = QLabel()
        self.status_label.setStyleSheet("color: #5f6368;")
        bar.addWidget(self.clear_button)
        bar.addSeparator()
        bar.addWidget(self.count_label)
        gap = QWidget()
        gap.setMinimumWidth(12)
        bar.addWidget(gap)
        bar.addWidget(self.status_label)
        stretch = QWidget()
        stretch.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(stretch)
        bar.addWidget(QLabel("金额单位："))
        bar.addWidget(self.money_combo)
        return bar

    def _build_table(self) -> QTableView:
        t = QTableView()
        t.setModel(self.model)
        t.setSortingEnabled(True)
        t.setAlternatingRowColors(True)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setWordWrap(False)
        t.setTextElideMode(Qt.TextElideMode.ElideRight)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 10)
        h = t.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        h.setStretchLastSection(False)
        h.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self._default_widths = default_widths(t.fontMetrics())
        for key, width in self._default_widths.items():
            t.setColumnWidth(COL[key], width)
        for visual, key in enumerate(SCREEN_ORDER):
            h.moveSection(h.visualIndex(COL[key]), visual)
        h.setSectionResizeMode(COL["name"], QHeaderView.ResizeMode.Stretch)   # the spare width goes to the name
        h.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        h.customContextMenuRequested.connect(self._header_menu)
        self.progress_delegate = ProgressDelegate(t)
        t.setItemDelegateForColumn(COL["rate"], self.progress_delegate)
        t.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        t.customContextMenuRequested.connect(self._table_menu)
        return t

    # -- filters --------------------------------------------------------------------------------------
    def _fill_filter_choices(self) -> None:
        """Level, cluster, stage and status choices (units arrive with each load); keeps what was chosen."""
        self._filling = True
        try:
            self._refill(self.level_combo, [("全部级别", None)] + [(v, k) for k, v in LEVELS.items()])
            items = [("全部产业集群", None)]
            for root in clusters.tree(self.ctx.db, self.ctx.plan_year["id"]):
                for path, node in root.walk():
                    items.append(("　" * (len(path) - 1) + node.name, node.id))
            self._refill(self.cluster_combo, items)
            stages = plan.stages(self.ctx.db)
            self._refill(self.stage_combo, [("全部形象进度", None)] + [(s, s) for s in stages]
                         + [("未填报", board.NO_STAGE)])
            self._refill(self.status_combo, [("全部预警", None)] + [(STATUS_LABELS[s], s) for s in STATUS_LABELS]
                         + [("本月未报送", board.UNREPORTED), ("无计划或未填报", board.NO_STATUS)])
            self.stage_menu.clear()
            for s in stages:
                self.stage_menu.addAction(s, lambda s=s: self._move_selected(s))
        finally:
            self._filling = False

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for label, data in items:
            combo.addItem(label, data)
        i = combo.findData(current)
        combo.setCurrentIndex(max(i, 0))
        combo.blockSignals(False)

    def _fill_units(self, units: list[str]) -> None:
        current = self.unit_combo.currentData()
        if current is not None and current not in units:
            units = [*units, current]        # still the filter in force, even if no project has it any more
        self._refill(self.unit_combo, [("全部责任单位", None)] + [(u or "（未填责任单位）", u) for u in units])

    def filters(self) -> board.Filters:
        return board.Filters(level=self.level_combo.currentData(), cluster_id=self.cluster_combo.currentData(),
                             stage=self.stage_combo.currentData(), responsible_unit=self.unit_combo.currentData(),
                             status=self.status_combo.currentData(), text=self.search.text())

    def set_filters(self, f: board.Filters) -> None:
        """Show exactly these filters (choices not on offer fall back to 全部) and load once."""
        self._filling = True
        try:
            for combo, value in ((self.level_combo, f.level), (self.cluster_combo, f.cluster_id),
                                 (self.stage_combo, f.stage), (self.status_combo, f.status)):
                combo.setCurrentIndex(max(0, combo.findData(value)))
            if f.responsible_unit is not None and self.unit_combo.findData(f.responsible_unit) < 0:
                self.unit_combo.addItem(f.responsible_unit or "（未填责任单位）", f.responsible_unit)
            self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(f.responsible_unit)))
            self.search.blockSignals(True)
            self.search.setText(f.text)
            self.search.blockSignals(False)
        finally:
            self._filling = False
        self.reload()

    def clear_filters(self) -> None:
        self.set_filters(board.Filters())

    def _filters_changed(self, *_args) -> None:
        if not self._filling:
            self.reload()

    def set_unit(self, unit: str) -> None:
        if unit not in UNITS:
            return
        i = self.money_combo.findData(unit)
        if self.money_combo.currentIndex() != i:
            self.money_combo.setCurrentIndex(i)   # comes back here through the signal
            return
        self.model.set_unit(unit)
        self.stages.set_unit(unit)
        self.detail.set_unit(unit)
        self._show_bands()

    # -- loading --------------------------------------------------------------------------------------
    def query(self) -> board.Query:
        return board.Query(self.ctx.plan_year["id"], self.ctx.year, self.ctx.as_of, self.filters(), *self._sort)

    def reload(self) -> None:
        self._search_timer.stop()
        self.loader.request(self.query())

    def refresh(self, *_args) -> None:
        self.reload()
        self.detail.reload()

    def _on_data_changed(self, kinds) -> None:
        if kinds & {"cluster", "stage", "seed", "plan_year", "restore"}:
            self._fill_filter_choices()
        if kinds & {"project", "target", "update", "recording", "cluster", "stage", "setting", "seed", "portfolio",
                    "restore"}:
            self.reload()
            if not self.detail.dirty:
                self.detail.reload()

    def _on_sort(self, key: str, descending: bool) -> None:
        if (key, descending) != self._sort:
            self._sort = (key, descending)
            self.reload()

    def is_loading(self) -> bool:
        """True until the first rows arrived and while a load runs in the worker thread (screenshots wait)."""
        return self.result is None or self.loader.busy

    def _on_busy(self, busy: bool) -> None:
        self.status_label.setText("正在计算…" if busy else "")

    def _on_loaded(self, result: board.Result) -> None:
        self.result = result
        self._fill_units(result.units)
        keep = self._pending_select or self.selected_id
        self._pending_select = None
        self.progress_delegate.time_progress = float(result.time_progress)
        self.model.set_rows(result.rows, result.time_progress, result.thresholds)
        self._stages_stale = True
        if self.views.currentWidget() is self.stages:
            self._show_stages()
        self._show_bands()
        total = sum(b.itemised_projects for b in result.bands)
        self.count_label.setText(f"显示 {len(result.rows):,} 个项目（共 {total:,} 个）"
                                 + ("，已筛选" if result.query.filters.active else ""))
        if keep is not None and self.model.row_of(keep) < 0 and not self.detail.dirty:
            keep = None                       # the filters hide it: the detail pane follows the table
        if keep is None and result.rows:
            keep = result.rows[0].id          # something to show in the detail pane from the start
        if keep is not None:
            self.select(keep)
        else:
            self._set_selected(None)

    def _show_stages(self) -> None:
        """The 按形象进度 view is filled when it is in view (grouping 10,000 cards costs the GUI thread time)."""
        if self.result is not None and self._stages_stale:
            self._stages_stale = False
            self.stages.set_rows(self.result.rows, self.result.stages, self.result.time_progress, self.model.unit)
            if self.selected_id is not None:
                self.stages.select(self.selected_id)

    def _show_bands(self) -> None:
        if self.result is None:
            return
        bands = self.result.bands
        while len(self.bands) < len(bands):
            band = PortfolioBand()
            self.bands.append(band)
            self.bands_row.addWidget(band, 1)
        for band, b in zip(self.bands, bands):
            band.show_band(b, self.result.time_progress, self.model.unit, settings.time_progress_mode(self.ctx.db))
            band.show()
        for band in self.bands[len(bands):]:
            band.hide()

    # -- selection ------------------------------------------------------------------------------------
    def _on_table_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._set_selected(current.data(PROJECT_ID_ROLE))

    def _select_from_stage_view(self, project_id: int) -> None:
        self._set_selected(project_id)
        self._select_table_row(project_id)

    def _set_selected(self, project_id: int | None) -> None:
        if project_id != self.selected_id:
            self.selected_id = project_id
            self.detail.show_project(project_id)

    def _select_table_row(self, project_id: int) -> bool:
        row = self.model.row_of(project_id)
        if row < 0:
            return False
        idx = self.model.index(row, COL["name"])
        sm = self.table.selectionModel()
        sm.blockSignals(True)
        sm.setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
                           | QItemSelectionModel.SelectionFlag.Rows)
        sm.blockSignals(False)
        self.table.viewport().update()
        self.table.scrollTo(idx)
        return True

    def select(self, project_id: int) -> None:
        """Select a project in both views and show it in the detail pane."""
        self._select_table_row(project_id)
        if not self._stages_stale:
            self.stages.select(project_id)
        self._set_selected(project_id)

    def current_project(self) -> dict[str, Any] | None:
        if self.selected_id is None:
            return None
        try:
            return projects.get(self.ctx.db, self.selected_id)
        except PolicyTrackError:
            return None

    def _table_menu(self, pos) -> None:
        idx = self.table.indexAt(pos)
        if not idx.isValid():
            return
        self.select(idx.data(PROJECT_ID_ROLE))
        menu = QMenu(self)
        menu.addMenu(self.stage_menu)
        menu.addAction(self.plan_action)
        menu.addAction(self.done_action)
        menu.addSeparator()
        menu.addAction(self.remove_action)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # -- writing (each through the undo stack, each a logged db write) ---------------------------------
    def resolve_unsaved(self, title: str) -> bool:
        """Edited, unsaved project fields: ask 保存 / 放弃 / 取消 (desktop.tabs.board_detail)."""
        return self.detail.resolve_unsaved(title)

    def _move_selected(self, stage: str) -> None:
        if self.selected_id is None:
            dialogs.show_info(self, "调整形象进度", "请先选择一个项目。")
            return
        self.move_stage([self.selected_id], stage)

    def move_stage(self, project_ids: list[int], stage: str) -> None:
        """Move projects to a stage at the as-of date: asks for a note, records one update each, one undo step."""
        db, as_of = self.ctx.db, self.ctx.as_of
        names = {pid: projects.get(db, pid)["name"] for pid in project_ids}
        who = "、".join(list(names.values())[:3]) + (f" 等 {len(names)} 个项目" if len(names) > 3 else "")
        note = dialogs.ask_text(self, "调整形象进度",
                                f"{who} → {stage}\n截至 {as_of.isoformat()}，请填写说明（如：主体结构已封顶）：")
        if note is None:
            return
        if operations.move_stage(ctx=self.ctx, parent=self, project_ids=project_ids, stage=stage, as_of=as_of,
                                 note=note, label=f"形象进度：{who} → {stage}") is not None:
            self._pending_select = project_ids[0]

    def add_project(self, level: str) -> None:
        db = self.ctx.db
        try:
            pf = by_level(db, self.ctx.plan_year["id"], level)
        except PolicyTrackError as exc:
            dialogs.show_error(self, "无法新增", str(exc))
            return
        name = dialogs.ask_text(self, "新增项目", f"{LEVELS[level]}项目名称：")
        if name is None:
            return
        new_id = operations.add_project(ctx=self.ctx, parent=self, portfolio_id=pf["id"], name=name,
                                        label=f"新增项目“{name.strip()}”")
        if new_id is not None:
            self._pending_select = int(new_id)
            if self.filters().active:
                self.clear_filters()      # so that the new project is in view
            else:
                self.select(int(new_id))

    def remove_project(self) -> None:
        p = self.current_project()
        if p is None:
            dialogs.show_info(self, "删除项目", "请先选择一个项目。")
            return
        if not dialogs.confirm(self, "删除项目", f"删除“{p['name']}”？\n\n"
                               "它的进度更新、计划调整和修改记录都保留在数据库中，删除可以撤销。"):
            return
        if operations.remove_project(ctx=self.ctx, parent=self, project_id=p["id"],
                                     label=f"删除项目“{p['name']}”") is not None:
            self.selected_id = None
            self.detail.show_project(None)

    def record_update(self) -> None:
        """The main window's 记录更新 (Ctrl+R) on this tab: the 记录更新 dialog for the selected project."""
        if self.selected_id is None:
            dialogs.show_info(self, "记录更新", "请先在重点项目表中选择一个项目。")
            return
        from desktop.record_dialog import open_record_dialog
        open_record_dialog(self.ctx, "project", self.selected_id, self)   # opens on the month to report

    def edit_target(self) -> None:
        """The main window's 修改目标 (Ctrl+T) on this tab: the selected project's annual planned investment."""
        if self.selected_id is None:
            dialogs.show_info(self, "修改目标", "请先在重点项目表中选择一个项目。")
            return
        self.detail.edit_plan()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._splitter_placed:       # first shown at its real width: the detail pane gets about 300 px
            self._splitter_placed = True
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([total - DETAIL_WIDTH, DETAIL_WIDTH])
            QTimer.singleShot(0, self.fit_columns)

    def fit_columns(self) -> None:
        """First shown without remembered columns: hide the least needed ones until the rest fit without
        scrolling sideways, 项目名称 keeping at least NAME_MIN_CHARS characters (it takes the spare width)."""
        if self._widths_restored:
            return
        t, h = self.table, self.table.horizontalHeader()
        room = t.viewport().width() or t.width()
        need = t.fontMetrics().horizontalAdvance("汉") * NAME_MIN_CHARS + CELL_PADDING
        shown = [k for k in board.COLUMN_KEYS if k != "name" and not h.isSectionHidden(COL[k])]
        used = sum(h.sectionSize(COL[k]) for k in shown) + need
        for key in HIDE_FIRST:
            if used <= room:
                break
            if key in shown:
                used -= h.sectionSize(COL[key])
                h.setSectionHidden(COL[key], True)

    def _header_menu(self, pos) -> None:
        """Right-click on the header: show or hide each column (remembered with the window)."""
        h = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for key, title in board.COLUMNS:
            if key == "name":
                continue
            act = menu.addAction(title)
            act.setCheckable(True)
            act.setChecked(not h.isSectionHidden(COL[key]))
            act.toggled.connect(lambda on, key=key: self.show_column(key, on))
        menu.addSeparator()
        menu.addAction("显示全部列", lambda: [self.show_column(k, True) for k in board.COLUMN_KEYS])
        self._column_menu = menu          # kept for tests
        menu.popup(h.mapToGlobal(pos))

    def show_column(self, key: str, shown: bool) -> None:
        h = self.table.horizontalHeader()
        h.setSectionHidden(COL[key], not shown)
        if shown and h.sectionSize(COL[key]) < 20:
            self.table.setColumnWidth(COL[key], self._default_widths[key])
        self._widths_restored = True      # the person chose: no more automatic hiding

    # -- window state ----------------------------------------------------------------------------------
    def save_state(self, settings) -> None:
        f = self.filters()
        settings.setValue("board/filters", json.dumps({
            "level": f.level, "cluster_id": f.cluster_id, "stage": f.stage, "responsible_unit": f.responsible_unit,
            "status": f.status, "text": f.text}, ensure_ascii=False))
        settings.setValue(HEADER_KEY, self.table.horizontalHeader().saveState())
        settings.setValue("board/splitter", self.splitter.saveState())
        settings.setValue("board/unit", self.model.unit)
        settings.setValue("board/view", self.views.currentIndex())

    def restore_state(self, settings) -> None:
        header = settings.value(HEADER_KEY)
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
            self._widths_restored = True
            h = self.table.horizontalHeader()
            h.setSectionResizeMode(COL["name"], QHeaderView.ResizeMode.Stretch)   # also for states saved before
            self._sort = (board.COLUMN_KEYS[h.sortIndicatorSection()] if 0 <= h.sortIndicatorSection()
                          < len(board.COLUMN_KEYS) else "seq",
                          h.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder)
        splitter = settings.value("board/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
            self._splitter_placed = True
        unit = settings.value("board/unit")
        if unit in UNITS:
            self.set_unit(unit)
        view = settings.value("board/view")
        if view is not None and str(view).isdigit():
            self.views.setCurrentIndex(int(view))
        raw = settings.value("board/filters")
        try:
            saved = json.loads(raw) if raw else {}
        except (TypeError, ValueError):
            saved = {}
        if not isinstance(saved, dict):
            saved = {}
        fields = {k: saved.get(k) for k in ("level", "cluster_id", "stage", "responsible_unit", "status")}
        self.set_filters(board.Filters(**fields, text=str(saved.get("text") or "")))
