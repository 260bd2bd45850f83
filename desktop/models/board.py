"""Thin item models over db.board rows: the 调度表 table (lazy: rows reach the view in batches) and the per-stage
card lists of the 按形象进度 view. Filtering and sorting happen in SQL; the models only format what they hold."""
from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from db import board
from db.portfolios import LEVELS
from db.progress import Thresholds
from desktop import formatting as fmt
from desktop.style import status_ink, status_tint

PROJECT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
RATE_ROLE = Qt.ItemDataRole.UserRole + 2          # completion rate as a float, for the progress delegate
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3        # 'green' / 'amber' / 'red' / None
ROW_ROLE = Qt.ItemDataRole.UserRole + 4           # the whole db.board.Row

COL = {key: i for i, key in enumerate(board.COLUMN_KEYS)}
MONEY_COLUMNS = {COL["total"], COL["plan"], COL["done"]}
RIGHT_COLUMNS = MONEY_COLUMNS | {COL["seq"], COL["rate"], COL["gap"]}
CENTER_COLUMNS = {COL["level"], COL["stage"], COL["status"]}
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
UNITS = {"yi": "亿元", "wan": "万元"}
BATCH = 500
DISPLAY, ALIGN, TOOLTIP = (int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.TextAlignmentRole),
                           int(Qt.ItemDataRole.ToolTipRole))
BACKGROUND, FOREGROUND = int(Qt.ItemDataRole.BackgroundRole), int(Qt.ItemDataRole.ForegroundRole)
STATUS_COL, GAP_COL, MILESTONE_COL = COL["status"], COL["gap"], COL["milestone"]
CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
PROJECT_MIME = "application/x-policytrack-project-ids"


def money(wan: int | None, unit: str) -> str:
    if wan is None:
        return ""
    return fmt.yi_from_wan(wan) if unit == "yi" else fmt.wan(wan)


rate_of = board.rate_of  # the rate is db's arithmetic; views only show it


def milestone_text(row: board.Row) -> str:
    if row.milestone_name is None:
        return ""
    date = row.milestone_date or ""
    if date and row.milestone_precision == "month":
        date = date[:7]
    elif date and row.milestone_precision == "year":
        date = date[:4] + "年"
    return (date + " " if date else "（未定）") + row.milestone_name + ("（逾期）" if row.milestone_overdue else "")



def shown_state(row: board.Row) -> str | None:
    """What the row's status shows for the 报告期: its status, or 'unreported' when its figure is older (未报送)."""
    return row.status if row.current else "unreported"


def gap_of(row: board.Row) -> Fraction | None:
    """The gap in 百分点 as db/board computed it (tenths, at the figure's own date, from the printed figures)."""
    return None if row.gap_tenths is None else Fraction(row.gap_tenths, 10)


def standing_tooltip(row: board.Row) -> str:
    rate = rate_of(row)
    if row.done_as_of is None:
        return "本报告期未报送，此前也没有完成投资数据"
    own = f"截至 {row.done_as_of}"
    if rate is None:
        return f"{own}；没有年度计划投资，不判断预警"
    text = f"{own}：完成率 {fmt.percent(rate)}，{fmt.gap_sentence(gap_of(row))}（按该月时序进度判断）"
    return text if row.current else f"本报告期未报送。{text}，{fmt.status_label(row.status)}"


def row_role_data(row: board.Row, role: int) -> Any:
    """The roles every board model answers the same way: id, numeric rate, status, the row itself."""
    if role == PROJECT_ID_ROLE:
        return row.id
    if role == RATE_ROLE:
        rate = rate_of(row)
        return None if rate is None else float(rate)
    if role == STATUS_ROLE:
        return shown_state(row)
    if role == ROW_ROLE:
        return row
    return None

class BoardTableModel(QAbstractTableModel):
    """The rows of one board load. ``sort()`` asks for a new load (the view's header calls it)."""

    sort_requested = Signal(str, bool)     # column key, descending

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[board.Row] = []
        self._shown = 0
        self._unit = "yi"
        self._text: dict[tuple[int, int], str] = {}
        self.time_progress: Fraction = Fraction(0)
        self.thresholds = Thresholds()

    # -- feeding -----------------------------------------------------------------------------------
    def set_rows(self, rows: list[board.Row], time_progress: Fraction, thresholds: Thresholds) -> None:
        self.beginResetModel()
        self._rows = rows
        self._text = {}
        self._shown = min(len(rows), BATCH)
        self.time_progress = time_progress
        self.thresholds = thresholds
        self.endResetModel()

    def set_unit(self, unit: str) -> None:
        if unit not in UNITS or unit == self._unit:
            return
        self._unit = unit
        self._text = {}
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self._shown:
            for col in sorted(MONEY_COLUMNS):
                self.dataChanged.emit(self.index(0, col), self.index(self._shown - 1, col),
                                      [Qt.ItemDataRole.DisplayRole])

    @property
    def unit(self) -> str:
        return self._unit

    @property
    def total(self) -> int:
        """All rows of the load, fetched into the view or not."""
        return len(self._rows)

    def rows(self) -> list[board.Row]:
        return self._rows

    def row_of(self, project_id: int) -> int:
        """The row of a project (fetching up to it), or -1."""
        for i, r in enumerate(self._rows):
            if r.id == project_id:
                if i >= self._shown:
                    self.beginInsertRows(QModelIndex(), self._shown, i)
                    self._shown = i + 1
                    self.endInsertRows()
                return i
        return -1

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self._shown < len(self._rows)

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid():
            return
        more = min(BATCH, len(self._rows) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    # -- the contract ------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(board.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(board.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            title = board.COLUMNS[section][1]
            if section in MONEY_COLUMNS:
                return f"{title}\n（{UNITS[self._unit]}）"
            return title.replace("（", "\n（")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if section in RIGHT_COLUMNS else (CENTER if section in CENTER_COLUMNS else LEFT)
        if role == Qt.ItemDataRole.ToolTipRole and section == COL["gap"]:
            return "完成率减时序进度，单位：百分点（正数为超序时进度）"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return CELL_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(board.COLUMNS):
            self.sort_requested.emit(board.COLUMN_KEYS[column], order == Qt.SortOrder.DescendingOrder)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        # Called for every role of every visible cell at each repaint: plain int comparisons, cached text.
        r = index.row()
        if not 0 <= r < self._shown or not index.isValid():
            return None
        col = index.column()
        if role == DISPLAY:
            key = (r, col)
            text = self._text.get(key)
            if text is None:
                text = self._text[key] = self.text(self._rows[r], col, r)
            return text
        if role == ALIGN:
            return RIGHT if col in RIGHT_COLUMNS else (CENTER if col in CENTER_COLUMNS else LEFT)
        row = self._rows[r]
        if role == BACKGROUND:
            return status_tint(shown_state(row)) if col == STATUS_COL else None
        if role == FOREGROUND:
            if (col == STATUS_COL or col == GAP_COL) and shown_state(row):
                return status_ink(shown_state(row))
            if col == MILESTONE_COL and row.milestone_overdue:
                return status_ink("red")
            return None
        if role == TOOLTIP:
            return self._tooltip(row, col)
        return row_role_data(row, role)

    def text(self, row: board.Row, col: int, position: int = 0) -> str:
        key = board.COLUMN_KEYS[col]
        if key == "seq":
            return str(position + 1)
        if key == "name":
            return row.name
        if key == "level":
            return LEVELS.get(row.level, row.level)
        if key == "cluster":
            return row.cluster_path.split(" / ")[-1] if row.cluster_path else ""
        if key == "location":
            return row.location
        if key == "unit":
            return row.responsible_unit
        if key == "leader":
            return row.responsible_leader
        if key == "done" and row.done_wan is not None and not row.current:
            return f"{money(row.done_wan, self._unit)}（{fmt.month_cn(row.done_as_of)}）"   # 截至 in the tooltip
        if key in ("total", "plan", "done"):
            return money({"total": row.total_investment_wan, "plan": row.plan_wan, "done": row.done_wan}[key],
                         self._unit)
        if key == "rate":
            rate = rate_of(row)
            return "" if rate is None else fmt.percent(rate)
        if key == "gap":
            return "" if row.gap_tenths is None else fmt.points(gap_of(row))
        if key == "stage":
            return row.stage or ""
        if key == "milestone":
            return milestone_text(row)
        if key == "status":
            state = shown_state(row)
            return "" if state is None else fmt.status_label(state)
        return ""

    def _tooltip(self, row: board.Row, col: int) -> str | None:
        key = board.COLUMN_KEYS[col]
        if key == "name":
            return row.name + (f"\n备注：{row.note}" if row.note else "")
        if key == "cluster" and row.cluster_path:
            return row.cluster_path
        if key == "done" and row.done_as_of:
            return f"截至 {row.done_as_of}" + ("" if row.current else "（本报告期未报送）")
        if key == "stage" and row.stage_as_of:
            return f"截至 {row.stage_as_of}"
        if key in ("rate", "gap", "status"):
            return standing_tooltip(row)
        if key == "milestone" and row.milestone_name:
            return milestone_text(row) + (f"\n计划日期 {row.milestone_date} 已过，尚未完成" if row.milestone_overdue
                                          else "")
        return None


class StageListModel(QAbstractListModel):
    """The cards of one stage column (or of projects with no stage, ``stage`` None). Drop a card here to move it."""

    move_requested = Signal(list, str)     # project ids, the stage of this column

    def __init__(self, stage: str | None, parent=None):
        super().__init__(parent)
        self.stage = stage
        self._rows: list[board.Row] = []
        self.time_progress: Fraction = Fraction(0)
        self.unit = "yi"

    def set_rows(self, rows: Iterable[board.Row], time_progress: Fraction) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.time_progress = time_progress
        self.endResetModel()

    def rows(self) -> list[board.Row]:
        return self._rows

    def row_of(self, project_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == project_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role == Qt.ItemDataRole.ToolTipRole:
            rate = rate_of(row)
            lines = [row.name, f"{LEVELS.get(row.level, row.level)}　{row.responsible_unit}".rstrip()]
            if rate is not None:
                lines.append(standing_tooltip(row))
            if row.stage_as_of:
                lines.append(f"形象进度截至 {row.stage_as_of}")
            return "\n".join(lines)
        return row_role_data(row, role)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled if self.stage is not None else Qt.ItemFlag.NoItemFlags
        return CELL_FLAGS if index.isValid() else base

    # -- drag and drop: a drop asks for a stage move; the rows change when the database says so ----------
    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [PROJECT_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802
        mime = QMimeData()
        ids = sorted({self._rows[i.row()].id for i in indexes if i.isValid()})
        mime.setData(PROJECT_MIME, ",".join(map(str, ids)).encode("ascii"))
        return mime

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                        parent: QModelIndex | QPersistentModelIndex) -> bool:
        return self.stage is not None and data is not None and data.hasFormat(PROJECT_MIME)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                     parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        raw = bytes(data.data(PROJECT_MIME).data()).decode("ascii")
        ids = [int(x) for x in raw.split(",") if x.strip().isdigit()]
        moving = [i for i in ids if self.row_of(i) < 0]   # cards already in this column stay
        if moving:
            self.move_requested.emit(moving, self.stage)
        # False: the source view must not remove rows itself; the next load shows where each card stands.
        return False
