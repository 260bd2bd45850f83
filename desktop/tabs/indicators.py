"""指标: indicators grouped by campaign with target, actual, completion, gap and status; target edits with undo."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHeaderView, QLabel, QToolBar, QTreeView, QVBoxLayout, QWidget

from db import PolicyTrackError, indicators, targets
from db.subjects import Subject
from desktop import dialogs, formatting as fmt
from desktop.app import AppContext
from desktop.models.indicators import (COL_KIND, COL_NAME, COL_SOURCE, INDICATOR_ID_ROLE, IndicatorModel)
from desktop.target_dialog import default_effective_date
from desktop import operations


class IndicatorTab(QWidget):
    key = "indicators"
    title = "指标"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        bar = QToolBar()
        self.target_action = QAction("修改目标…", self, triggered=self.edit_target, shortcut=QKeySequence("Ctrl+E"))
        self.target_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        bar.addAction(self.target_action)
        lay.addWidget(bar)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: #5f6368;")
        lay.addWidget(self.legend)
        self.model = IndicatorModel(self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        lay.addWidget(self.view)
        self.view.doubleClicked.connect(lambda *_: self.edit_target())
        ctx.as_of_changed.connect(self.refresh)
        ctx.data_changed.connect(self._on_data_changed)
        self.refresh()
        self.view.setColumnWidth(COL_NAME, 360)
        for col in range(1, COL_SOURCE):
            self.view.resizeColumnToContents(col)
        self.view.setColumnWidth(COL_KIND, max(self.view.columnWidth(COL_KIND), 110))

    def _on_data_changed(self, kinds) -> None:
        if kinds & {"indicator", "target", "update", "seed", "setting"}:
            self.refresh()

    def refresh(self, *_args) -> None:
        selected = self.selected_id()
        data = self.ctx.standing()
        self.model.set_indicators(data["indicators"])
        self.view.expandAll()
        self.legend.setText(f"截至{fmt.date_cn(data['as_of'])}，时序进度 {fmt.percent(data['time_progress'])}。"
                            "累计指标与时序进度比较，时点指标与全年目标比较；越低越好的指标低于目标为超前。")
        if selected is not None:
            idx = self.model.index_of(selected)
            if idx.isValid():
                self.view.setCurrentIndex(idx)

    def selected_id(self) -> int | None:
        idx = self.view.currentIndex()
        return idx.siblingAtColumn(0).data(INDICATOR_ID_ROLE) if idx.isValid() else None

    def select(self, indicator_id: int) -> None:
        self.view.setCurrentIndex(self.model.index_of(indicator_id))

    def edit_target(self) -> None:
        indicator_id = self.selected_id()
        if indicator_id is None:
            dialogs.show_info(self, "修改目标", "请先选择一个指标。")
            return
        db = self.ctx.db
        ind = indicators.get(db, indicator_id)
        subject = Subject("indicator", indicator_id)
        old = targets.value(db, subject, "value")
        shown = "（无）" if old is None else fmt.plain(float(indicators.to_number(ind, old)))
        answer = dialogs.ask_target(self, "修改指标目标", ind["name"], shown, ind["unit"],
                                    effective=default_effective_date(self.ctx.year, self.ctx.as_of), year=self.ctx.year)
        if answer is None:
            return
        value_text, reason, doc_no, effective = answer
        try:
            new = indicators.parse_value(ind, value_text, "目标值")
        except PolicyTrackError as exc:
            operations.refuse(self, exc)
            return
        operations.set_target(ctx=self.ctx, parent=self, subject=subject, metric="value", value=new, reason=reason,
                              doc_no=doc_no, effective=effective, label=f"修改“{ind['name']}”目标")
