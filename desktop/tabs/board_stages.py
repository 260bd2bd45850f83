"""按形象进度: the filtered projects as cards in one column per stage; drop a card on another column to move it."""
from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from db import board
from db.portfolios import LEVELS
from desktop import formatting as fmt
from desktop.models.board import PROJECT_ID_ROLE, ROW_ROLE, StageListModel, money, rate_of, shown_state
from desktop.style import NEUTRAL_INK, STATUS_SOLID, paint_progress, status_ink

CARD_HEIGHT = 82
COLUMN_WIDTH = 230
CARD_WIDTH = COLUMN_WIDTH - 34    # column margins and a vertical scroll bar
NO_STAGE_TITLE = "未填报"


class CardDelegate(QStyledItemDelegate):
    """A project card: a status stripe, the name, level and unit, the money line and a completion bar."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.unit = "yi"
        self.time_progress: float | None = None

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(CARD_WIDTH, CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        row: board.Row | None = index.data(ROW_ROLE)
        if row is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        r = QRectF(option.rect).adjusted(2, 3, -2, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(QPen(QColor("#1a73e8") if selected else QColor("#dadce0"), 2 if selected else 1))
        painter.setBrush(QColor("#e8f0fe") if selected else QColor("white"))
        painter.drawRoundedRect(r, 6, 6)
        stripe = QRectF(r.left(), r.top(), 5, r.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(STATUS_SOLID.get(shown_state(row), "#cfd8dc")))
        painter.drawRoundedRect(stripe, 2, 2)

        inner = r.adjusted(12, 5, -8, -5)
        fm = option.fontMetrics
        line = fm.height()
        painter.setPen(QColor("#202124"))
        bold = option.font
        bold.setBold(True)
        painter.setFont(bold)
        name = painter.fontMetrics().elidedText(row.name, Qt.TextElideMode.ElideRight, int(inner.width()))
        painter.drawText(QRectF(inner.left(), inner.top(), inner.width(), line), Qt.AlignmentFlag.AlignLeft, name)
        painter.setFont(option.font)
        painter.setPen(QColor(NEUTRAL_INK))
        who = f"{LEVELS.get(row.level, row.level)}　{row.responsible_unit}".strip()
        painter.drawText(QRectF(inner.left(), inner.top() + line, inner.width(), line), Qt.AlignmentFlag.AlignLeft,
                         fm.elidedText(who, Qt.TextElideMode.ElideRight, int(inner.width())))
        rate = rate_of(row)
        y = inner.top() + 2 * line
        painter.setPen(status_ink(shown_state(row)) if shown_state(row) else QColor(NEUTRAL_INK))
        painter.drawText(QRectF(inner.left(), y, inner.width(), line), Qt.AlignmentFlag.AlignLeft,
                         fmt.percent(rate) if rate is not None else "—")
        unit = "亿元" if self.unit == "yi" else "万元"
        figures = f"{money(row.done_wan, self.unit) or '—'} / {money(row.plan_wan, self.unit) or '—'} {unit}"
        painter.setPen(QColor(NEUTRAL_INK))
        painter.drawText(QRectF(inner.left(), y, inner.width(), line), Qt.AlignmentFlag.AlignRight,
                         fm.elidedText(figures, Qt.TextElideMode.ElideLeft, int(inner.width() * 0.7)))
        bar = QRectF(inner.left(), inner.bottom() - 6, inner.width(), 6)
        paint_progress(painter, bar, None if rate is None else float(rate), self.time_progress, shown_state(row))
        painter.restore()


class StageColumn(QFrame):
    def __init__(self, stage: str | None, delegate: CardDelegate, parent=None):
        super().__init__(parent)
        self.setObjectName("stageColumn")
        self.setStyleSheet("#stageColumn { background: #f1f3f4; border-radius: 8px; }")
        self.setFixedWidth(COLUMN_WIDTH)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; padding: 2px 4px;")
        lay.addWidget(self.title)
        self.model = StageListModel(stage, self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(delegate)
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(stage is not None)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        palette = self.view.palette()
        palette.setColor(palette.ColorRole.Base, QColor("#f1f3f4"))
        self.view.setPalette(palette)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        lay.addWidget(self.view, 1)
        self.stage = stage

    def set_rows(self, rows: list[board.Row], time_progress: Fraction) -> None:
        self.model.set_rows(rows, time_progress)
        self.title.setText(f"{self.stage or NO_STAGE_TITLE}（{len(rows)}）")


class StageBoard(QWidget):
    """One column per stage of the configurable list, plus 未填报 for projects with no stage recorded."""

    selected = Signal(int)                 # project id
    move_requested = Signal(list, str)     # project ids, target stage

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(self.scroll)
        self.body = QWidget()
        self.row = QHBoxLayout(self.body)
        self.row.setContentsMargins(6, 6, 6, 6)
        self.row.setSpacing(8)
        self.row.addStretch(1)
        self.scroll.setWidget(self.body)
        self.delegate = CardDelegate(self)
        self.columns: list[StageColumn] = []
        self._stages: list[str] | None = None

    def column_for(self, stage: str | None) -> StageColumn | None:
        return next((c for c in self.columns if c.stage == stage), None)

    def _build(self, stages: list[str]) -> None:
        for c in self.columns:
            self.row.removeWidget(c)
            c.deleteLater()
        self.columns = []
        for i, stage in enumerate([None, *stages]):
            col = StageColumn(stage, self.delegate, self.body)
            col.model.move_requested.connect(self.move_requested)
            col.view.selectionModel().currentChanged.connect(
                lambda cur, _prev, col=col: self._picked(col, cur))
            self.row.insertWidget(i, col)
            self.columns.append(col)
        self._stages = list(stages)

    def _picked(self, col: StageColumn, index: QModelIndex) -> None:
        if not index.isValid():
            return
        for other in self.columns:
            if other is not col:
                other.view.clearSelection()
        self.selected.emit(index.data(PROJECT_ID_ROLE))

    def set_rows(self, rows: list[board.Row], stages: list[str], time_progress: Fraction, unit: str) -> None:
        if stages != self._stages:
            self._build(stages)
        self.delegate.unit = unit
        self.delegate.time_progress = float(time_progress)
        groups: dict[str | None, list[board.Row]] = {s: [] for s in [None, *stages]}
        for r in rows:
            groups[r.stage if r.stage in groups else None].append(r)
        for col in self.columns:
            col.set_rows(groups[col.stage], time_progress)
        # 未填报 only when some project has no stage: it is not a stage one can move a project to.
        self.columns[0].setVisible(bool(groups[None]))

    def set_unit(self, unit: str) -> None:
        self.delegate.unit = unit
        for col in self.columns:
            col.view.viewport().update()

    def select(self, project_id: int) -> bool:
        for col in self.columns:
            r = col.model.row_of(project_id)
            if r >= 0:
                idx = col.model.index(r)
                col.view.setCurrentIndex(idx)
                col.view.scrollTo(idx)
                return True
        return False

    def card_rect(self, project_id: int) -> tuple[StageColumn, QRect] | None:
        """Where a project's card is drawn (for tests and for the screenshot)."""
        for col in self.columns:
            r = col.model.row_of(project_id)
            if r >= 0:
                return col, col.view.visualRect(col.model.index(r))
        return None
