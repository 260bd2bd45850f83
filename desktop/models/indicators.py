"""指标 grouped by campaign: a two-level model (campaign → indicator) over db.summary figures."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from db.indicators import ACCUMULATIONS, DIRECTIONS
from desktop import formatting as fmt
from desktop.style import status_ink, status_tint

COLUMNS = ["指标", "单位", "年度目标", "实际", "截至", "完成率", "序时差（百分点）", "预警", "统计方式", "来源"]
(COL_NAME, COL_UNIT, COL_TARGET, COL_ACTUAL, COL_AS_OF, COL_RATE, COL_GAP, COL_STATUS, COL_KIND,
 COL_SOURCE) = range(len(COLUMNS))
NUMERIC = {COL_TARGET, COL_ACTUAL, COL_RATE, COL_GAP}
INDICATOR_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)

# internalId 0 marks a campaign row; an indicator row stores its campaign row + 1.


class IndicatorModel(QAbstractItemModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._campaigns: list[str] = []
        self._rows: list[list[dict[str, Any]]] = []

    def set_indicators(self, indicators: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._campaigns, self._rows = [], []
        for ind in indicators:
            if ind["campaign"] not in self._campaigns:
                self._campaigns.append(ind["campaign"])
                self._rows.append([])
            self._rows[self._campaigns.index(ind["campaign"])].append(ind)
        self.endResetModel()

    def indicator_at(self, index: QModelIndex) -> dict[str, Any] | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return self._rows[index.internalId() - 1][index.row()]

    def index_of(self, indicator_id: int) -> QModelIndex:
        for c, rows in enumerate(self._rows):
            for r, ind in enumerate(rows):
                if ind["id"] == indicator_id:
                    return self.createIndex(r, 0, c + 1)
        return QModelIndex()

    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self._campaigns)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._rows[parent.row()])
        return 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in NUMERIC:
                return RIGHT
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = index.column()
        if index.internalId() == 0:
            campaign = self._campaigns[index.row()]
            if role == Qt.ItemDataRole.DisplayRole and col == COL_NAME:
                return f"{campaign}（{len(self._rows[index.row()])} 项）"
            if role == Qt.ItemDataRole.FontRole:
                from PySide6.QtGui import QFont
                f = QFont()
                f.setBold(True)
                return f
            if role == SORT_ROLE:
                return index.row()
            return None
        ind = self._rows[index.internalId() - 1][index.row()]
        status = fmt.shown_status(ind) if ind["actual"] is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(ind, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if col in NUMERIC else (CENTER if col in (COL_STATUS, COL_AS_OF) else None)
        if role == Qt.ItemDataRole.BackgroundRole and col in (COL_STATUS, COL_GAP):
            return status_tint(status)
        if role == Qt.ItemDataRole.ForegroundRole and col in (COL_STATUS, COL_GAP) and status:
            return status_ink(status)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_SOURCE or col == COL_NAME:
                return ind["source"] + (f"\n备注：{ind['note']}" if ind["note"] else "")
            if col == COL_TARGET and ind.get("target_derived"):
                return "推算：原文未直接给出全年目标，由完成数和完成比例推算"
            if col == COL_GAP and ind["gap_points"] is not None:
                bench = "时序进度" if ind["accumulation"] == "cumulative" else "全年目标（时点指标）"
                return f"与{bench}相比：{fmt.gap_sentence(ind['gap_points']).replace('序时进度', '')}"
        if role == INDICATOR_ID_ROLE:
            return ind["id"]
        if role == SORT_ROLE:
            return {COL_TARGET: ind["target"], COL_ACTUAL: ind["actual"], COL_RATE: ind["completion_rate"],
                    COL_GAP: ind["gap_points"]}.get(col, self._display(ind, col))
        return None

    @staticmethod
    def _display(ind: dict[str, Any], col: int) -> str:
        if col == COL_NAME:
            return ind["name"]
        if col == COL_UNIT:
            return ind["unit"]
        if col == COL_TARGET:
            return "" if ind["target"] is None else (fmt.plain(ind["target"])
                                                     + fmt.derived_mark(ind.get("target_derived", False)))
        if col == COL_ACTUAL:
            return "" if ind["actual"] is None else fmt.plain(ind["actual"])
        if col == COL_AS_OF:
            return ind["as_of"] or ""
        if col == COL_RATE:
            return "" if ind["completion_rate"] is None else fmt.percent(ind["completion_rate"])
        if col == COL_GAP:
            return "" if ind["gap_points"] is None else fmt.points(ind["gap_points"])
        if col == COL_STATUS:
            if ind["actual"] is not None and not ind["current"]:
                return fmt.UNREPORTED + (f"（{fmt.month_cn(ind['as_of'])}：{fmt.status_label(ind['status'])}）"
                                         if ind["status"] else "")
            return "" if ind["status"] is None else fmt.status_label(ind["status"])
        if col == COL_KIND:
            return f"{ACCUMULATIONS[ind['accumulation']]}·{DIRECTIONS[ind['direction']]}"
        if col == COL_SOURCE:
            return ind["source"]
        return ""
