"""变更记录: every write — updates, target revisions, edits, imports, undo — with time, user, entity, before and
after; filters by date, user and entity; export to xlsx."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from db import PolicyTrackError, auditlog
from desktop import dialogs
from desktop.app import AppContext

COLUMNS = [("at", "时间"), ("user", "用户"), ("action_label", "操作"), ("entity_label", "对象类别"),
           ("entity_name", "对象"), ("summary_text", "摘要"), ("before_text", "修改前"), ("after_text", "修改后")]
COL_AT, COL_USER, COL_ACTION, COL_KIND, COL_ENTITY, COL_SUMMARY, COL_BEFORE, COL_AFTER = range(len(COLUMNS))
SHOWN_LIMIT = 5000


class AuditModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            v = r.get(COLUMNS[index.column()][0])
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (COL_SUMMARY, COL_BEFORE, COL_AFTER, COL_ENTITY):
            v = r.get(COLUMNS[index.column()][0])
            return v or None
        return None


class AuditTab(QWidget):
    key = "audit"
    title = "变更记录"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.total = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        self.date_check = QCheckBox("日期：")
        top.addWidget(self.date_check)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addMonths(-1))
        self.date_to = QDateEdit(today)
        for w in (self.date_from, self.date_to):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.setEnabled(False)
        top.addWidget(self.date_from)
        top.addWidget(QLabel("至"))
        top.addWidget(self.date_to)
        top.addSpacing(12)
        top.addWidget(QLabel("用户："))
        self.user_combo = QComboBox()
        self.user_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        top.addWidget(self.user_combo)
        top.addWidget(QLabel("对象："))
        self.entity_combo = QComboBox()
        self.entity_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        top.addWidget(self.entity_combo)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索对象名称或摘要")
        self.search.setClearButtonEnabled(True)
        top.addWidget(self.search, 1)
        lay.addLayout(top)
        self.model = AuditModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        fm = self.view.fontMetrics()
        for col, chars in ((COL_AT, 11), (COL_USER, 6), (COL_ACTION, 7), (COL_KIND, 6), (COL_ENTITY, 14),
                           (COL_SUMMARY, 30), (COL_BEFORE, 18)):
            self.view.setColumnWidth(col, fm.horizontalAdvance("汉") * chars + 16)
        lay.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        self.export_button = QPushButton("导出 xlsx…")
        self.export_button.setToolTip("把当前筛选出的全部变更记录导出为 Excel 工作簿")
        bottom.addWidget(self.export_button)
        lay.addLayout(bottom)

        self.date_check.toggled.connect(self._dates_toggled)
        for w in (self.date_from, self.date_to):
            w.dateChanged.connect(self.refresh)
        self.user_combo.currentIndexChanged.connect(self.refresh)
        self.entity_combo.currentIndexChanged.connect(self.refresh)
        self.search.textChanged.connect(self.refresh)
        self.export_button.clicked.connect(self.export)
        ctx.data_changed.connect(self._on_data_changed)
        self._stale = True   # read when first shown, so start-up does not wait for the log

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.refresh(refill=True)

    def _on_data_changed(self, *_args) -> None:
        if self.isVisible():
            self.refresh(refill=True)
        else:
            self._stale = True

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.refresh()

    def _refill_filters(self) -> None:
        db = self.ctx.db
        for combo, values, labels in (
                (self.user_combo, auditlog.users(db), None),
                (self.entity_combo, auditlog.entities(db), auditlog.ENTITY_LABELS)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("全部", None)
            for v in values:
                combo.addItem(labels.get(v, v) if labels else v, v)
            i = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(0, i))
            combo.blockSignals(False)

    def filters(self) -> dict[str, Any]:
        f: dict[str, Any] = {"user": self.user_combo.currentData(), "entity": self.entity_combo.currentData(),
                             "text": self.search.text()}
        if self.date_check.isChecked():
            f["date_from"] = self.date_from.date().toString("yyyy-MM-dd")
            f["date_to"] = self.date_to.date().toString("yyyy-MM-dd")
        return f

    def set_date_range(self, start: dt.date, end: dt.date) -> None:
        self.date_from.setDate(QDate(start.year, start.month, start.day))
        self.date_to.setDate(QDate(end.year, end.month, end.day))
        self.date_check.setChecked(True)

    def refresh(self, *_args, refill: bool = False) -> None:
        self._stale = False
        if refill:
            self._refill_filters()
        rows = auditlog.search(self.ctx.db, limit=SHOWN_LIMIT + 1, **self.filters())
        more = len(rows) > SHOWN_LIMIT
        self.model.set_rows(rows[:SHOWN_LIMIT])
        shown = f"共 {len(rows[:SHOWN_LIMIT])} 条"
        if more:
            shown += f"（仅显示最新的 {SHOWN_LIMIT} 条，请缩小范围；导出包含全部）"
        self.status.setText(shown + "。每次写入（记录、目标调整、修改、导入、撤销）都会留下一条，不能修改或删除。")

    def ask_export_path(self) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, "导出变更记录", str(Path.home() / "变更记录.xlsx"),
                                              "Excel 工作簿 (*.xlsx)")
        return path or None

    def export(self) -> Path | None:
        path = self.ask_export_path()
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        try:
            rows = auditlog.search(self.ctx.db, limit=10_000_000, **self.filters())
            out = auditlog.export_xlsx(rows, path)
        except (OSError, PolicyTrackError) as exc:
            dialogs.show_error(self, "导出失败", str(exc))
            return None
        dialogs.show_info(self, "导出完成", f"已导出 {len(rows)} 条变更记录到\n{out}")
        return out
