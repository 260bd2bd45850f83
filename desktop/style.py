"""Colours and small painted widgets shared by the tabs: status chips and progress bars with a time marker."""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from desktop.formatting import status_label

# Solid colours for chips and bars; tints for table cells. Chosen to stay distinct in greyscale print too:
# the word (正常/预警/滞后) always travels with the colour.
# 'unreported' (未报送) is the grey, distinct state of a figure older than the 报告期: never red for being old.
STATUS_SOLID = {"green": "#2e7d32", "amber": "#e0a100", "red": "#c62828", "unreported": "#6b7178"}
STATUS_TEXT_ON_SOLID = {"green": "#ffffff", "amber": "#1f1f1f", "red": "#ffffff", "unreported": "#ffffff"}
STATUS_TINT = {"green": "#e6f4ea", "amber": "#fff4d6", "red": "#fde4e2", "unreported": "#eceff1"}
STATUS_INK = {"green": "#1b5e20", "amber": "#7a5200", "red": "#b71c1c", "unreported": "#455a64"}
NEUTRAL_INK = "#5f6368"
TIME_MARKER = "#1a237e"


def status_tint(status: str | None) -> QColor | None:
    return QColor(STATUS_TINT[status]) if status in STATUS_TINT else None


def status_ink(status: str | None) -> QColor:
    return QColor(STATUS_INK.get(status, NEUTRAL_INK))


class StatusChip(QLabel):
    """A rounded label carrying both the colour and the word of a status."""

    def __init__(self, status: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_status(status)

    def set_status(self, status: str | None) -> None:
        self.status = status
        self.setText(status_label(status))
        bg = STATUS_SOLID.get(status, "#e0e0e0")
        fg = STATUS_TEXT_ON_SOLID.get(status, "#424242")
        self.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; border-radius: 9px; padding: 2px 10px;"
                           f" font-weight: bold; }}")


def paint_progress(painter: QPainter, rect: QRectF, rate: float | None, time_progress: float | None,
                   status: str | None) -> None:
    """A bar for completion (capped at 100%) with a vertical marker at time progress."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor("#eceff1")))
    painter.drawRoundedRect(rect, 3, 3)
    if rate is not None:
        filled = QRectF(rect)
        filled.setWidth(rect.width() * max(0.0, min(rate, 1.0)))
        painter.setBrush(QBrush(QColor(STATUS_SOLID.get(status, "#90a4ae"))))
        painter.drawRoundedRect(filled, 3, 3)
    if time_progress is not None:
        x = rect.left() + rect.width() * max(0.0, min(time_progress, 1.0))
        painter.setPen(QPen(QColor(TIME_MARKER), 2))
        painter.drawLine(int(x), int(rect.top()) - 2, int(x), int(rect.bottom()) + 2)
    painter.restore()


class ProgressWithMarker(QWidget):
    """Completion against time progress, visible at a glance."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rate: float | None = None
        self.time_progress: float | None = None
        self.status: str | None = None
        self.setMinimumHeight(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, rate: float | None, time_progress: float | None, status: str | None) -> None:
        self.rate, self.time_progress, self.status = rate, time_progress, status
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, 14)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        paint_progress(painter, QRectF(self.rect()).adjusted(1, 3, -1, -3), self.rate, self.time_progress,
                       self.status)
        painter.end()


class FittingLabel(QLabel):
    """A one-line label given several wordings, longest first: it shows the longest that fits its width, and the
    shortest elided with "…" when none does. A figure is never cut in the middle; the tooltip has the full text."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._choices: list[str] = []
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def set_choices(self, *choices: str) -> None:
        self._choices = [c for c in choices if c] or [""]
        self.setToolTip(self._choices[0])
        self._fit()

    def full_text(self) -> str:
        return self._choices[0] if self._choices else ""

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if not self._choices:
            return
        fm = self.fontMetrics()
        room = self.contentsRect().width()
        text = next((c for c in self._choices if fm.horizontalAdvance(c) <= room), None)
        if text is None:
            text = fm.elidedText(self._choices[-1], Qt.TextElideMode.ElideRight, room)
        if text != self.text():
            self.setText(text)
