"""图表: the chart list on the left, the chart on the right; print preview, print, PDF/PNG export, the briefing.

matplotlib is imported only when this tab is first shown (the canvas is built in showEvent), so starting the
application and visiting the other tabs never loads it. Printing draws the figure through the QPainter
renderer (vector paths and real text on the printer); 导出简报 builds the briefing PDF on a worker thread with
its own SQLite connection and a progress dialog.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRectF, Qt, QThread, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListView, QProgressDialog, QPushButton, QSplitter, QVBoxLayout,
                               QWidget)

from desktop import dialogs, formatting as fmt
from desktop.app import AppContext
from desktop.charts import CHARTS

KEY_ROLE = Qt.ItemDataRole.UserRole
PRINT_SIZE = (10.9, 6.6)   # inches: an A4 landscape page inside its margins


class ChartsTab(QWidget):
    key = "charts"
    title = "图表"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._data: dict[str, Any] | None = None
        self.canvas = None
        self.figure = None
        self._dirty = True
        self.worker: BriefingWorker | None = None

        self.model = QStandardItemModel(self)
        for spec in CHARTS:
            item = QStandardItem(spec.title)
            item.setData(spec.key, KEY_ROLE)
            item.setEditable(False)
            self.model.appendRow(item)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setCurrentIndex(self.model.index(0, 0))
        self.list.setMinimumWidth(190)
        self.list.selectionModel().currentChanged.connect(lambda *_: self.redraw())

        buttons = QHBoxLayout()
        self.preview_button = QPushButton("打印预览…")
        self.print_button = QPushButton("打印…")
        self.pdf_button = QPushButton("导出 PDF…")
        self.png_button = QPushButton("导出 PNG…")
        self.briefing_button = QPushButton("导出简报…")
        self.briefing_button.setToolTip("生成月度调度简报 PDF：封面、综述、全部图表、重点项目调度表、预警事项")
        self.preview_button.clicked.connect(self.print_preview)
        self.print_button.clicked.connect(self.print_chart)
        self.pdf_button.clicked.connect(lambda: self.ask_and_export("pdf"))
        self.png_button.clicked.connect(lambda: self.ask_and_export("png"))
        self.briefing_button.clicked.connect(self.ask_and_export_briefing)
        for b in (self.preview_button, self.print_button, self.pdf_button, self.png_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.briefing_button)

        self.chart_area = QWidget()
        self.chart_layout = QVBoxLayout(self.chart_area)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        self.placeholder = QLabel("图表加载中…")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart_layout.addWidget(self.placeholder)

        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        rlay.addLayout(buttons)
        rlay.addWidget(self.chart_area, 1)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 1100])
        self.splitter = splitter
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(splitter)

        ctx.as_of_changed.connect(self._invalidate)
        ctx.data_changed.connect(self._on_data_changed)

    # -- data and drawing ----------------------------------------------------------------------------
    def _on_data_changed(self, kinds) -> None:
        if kinds & {"project", "target", "update", "indicator", "cluster", "portfolio", "seed", "setting", "stage",
                    "plan_year"}:
            self._invalidate()

    def _invalidate(self, *_args) -> None:
        self._data = None
        self._dirty = True
        if self.isVisible():
            self.redraw()

    def data(self) -> dict[str, Any]:
        """The charts' data at the context's as-of date, gathered once per date and change."""
        if self._data is None:
            from desktop.charts.data import gather

            self._data = gather(self.ctx.db, self.ctx.as_of, self.ctx.year, standing=self.ctx.standing())
        return self._data

    def current_key(self) -> str:
        idx = self.list.currentIndex()
        return idx.data(KEY_ROLE) if idx.isValid() else CHARTS[0].key

    def current_title(self) -> str:
        idx = self.list.currentIndex()
        return idx.data() if idx.isValid() else CHARTS[0].title

    def select(self, key: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.item(row).data(KEY_ROLE) == key:
                self.list.setCurrentIndex(self.model.index(row, 0))
                return
        raise KeyError(key)

    def build_figure(self, figsize: tuple[float, float] | None = None):
        from desktop.charts import build

        return build(self.current_key(), self.data(), figsize=figsize)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self.canvas is None or self._dirty:
            self.redraw()

    def redraw(self) -> None:
        if not self.isVisible() and self.canvas is None:
            return  # built on first show
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        size = self.chart_area.size()
        dpi = 100.0
        figsize = (max(size.width(), 400) / dpi, max(size.height(), 300) / dpi)
        fig = self.build_figure(figsize)
        fig.set_dpi(dpi)
        canvas = FigureCanvasQTAgg(fig)
        canvas.setMinimumSize(400, 300)
        old = self.canvas
        if old is not None:
            self.chart_layout.replaceWidget(old, canvas)
            old.deleteLater()
        else:
            self.chart_layout.replaceWidget(self.placeholder, canvas)
            self.placeholder.deleteLater()
        self.canvas, self.figure = canvas, fig
        self._dirty = False
        canvas.draw_idle()

    # -- printing and export ---------------------------------------------------------------------------
    def make_printer(self):
        from PySide6.QtGui import QPageLayout, QPageSize
        from PySide6.QtPrintSupport import QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
        printer.setDocName(f"{self.current_title()}（截至{fmt.date_cn(self.ctx.as_of)}）")
        return printer

    def paint_on(self, printer) -> None:
        """Draw the current chart onto a printer (or preview) page, as vectors and text."""
        from PySide6.QtGui import QPainter

        from desktop.charts.qtpainter import paint_figure

        rect = printer.pageLayout().paintRectPixels(printer.resolution())
        painter = QPainter(printer)
        try:
            dpi = printer.resolution()
            fig = self.build_figure((rect.width() / dpi, rect.height() / dpi))
            paint_figure(fig, painter, QRectF(0, 0, rect.width(), rect.height()))
        finally:
            painter.end()

    def preview_dialog(self):
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        printer = self.make_printer()
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle(f"打印预览 — {self.current_title()}")
        dialog.paintRequested.connect(self.paint_on)
        dialog.printer_ = printer  # keep the printer alive as long as the dialog
        return dialog

    def print_preview(self) -> None:
        self.preview_dialog().exec()

    def print_chart(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog

        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.paint_on(printer)

    def suggested_name(self, suffix: str) -> str:
        title = self.current_title().replace("：", "-").replace("（", "-").replace("）", "")
        return f"{title}-{self.ctx.as_of.isoformat()}.{suffix}"

    def export(self, path: str | Path, kind: str) -> Path:
        """Write the current chart to a PDF (vector, text embedded) or a PNG (200 dpi)."""
        path = Path(path)
        fig = self.build_figure(PRINT_SIZE)
        if kind == "pdf":
            fig.savefig(path, format="pdf", metadata={"Title": self.current_title(),
                                                      "Creator": "PolicyTrack 政策跟踪"})
        else:
            fig.savefig(path, format="png", dpi=200, facecolor="white")
        return path

    def ask_and_export(self, kind: str) -> None:
        label = {"pdf": "PDF 文件 (*.pdf)", "png": "PNG 图片 (*.png)"}[kind]
        path = dialogs.ask_save_path(self, "导出图表", self.suggested_name(kind), label)
        if not path:
            return
        try:
            self.export(path, kind)
        except OSError as exc:
            dialogs.show_error(self, "导出失败", f"无法写入 {path}：{exc.strerror or exc}")

    # -- the briefing -----------------------------------------------------------------------------------
    def ask_and_export_briefing(self) -> None:
        suggested = f"{self.ctx.plan_year['district']}{self.ctx.year}年调度简报-{self.ctx.as_of.isoformat()}.pdf"
        path = dialogs.ask_save_path(self, "导出简报", suggested, "PDF 文件 (*.pdf)")
        if path:
            self.export_briefing(path)

    def export_briefing(self, path: str | Path, paper: str = "A4") -> "BriefingWorker":
        """Build the briefing on a worker thread; a progress dialog shows the pages and can cancel."""
        db_path = self.ctx.db.path
        data = None if db_path != ":memory:" else self.data()   # an in-memory database cannot be reopened
        worker = BriefingWorker(db_path, self.ctx.as_of, self.ctx.year, Path(path), paper, data)
        self.export_job = BriefingExport(worker, Path(path), self)
        self.worker = worker
        self.progress_dialog = self.export_job.dialog
        worker.start()
        return worker

    def shutdown(self) -> None:
        """Called when the window closes: stop a running briefing export and wait for its thread."""
        if self.worker is not None and self.worker.isRunning():
            self.worker.cancel()
            self.worker.wait(30000)


class BriefingExport(QObject):
    """The GUI side of one briefing export: the progress dialog and the messages at the end. Its slots belong to
    this object, so nothing is called once the tab (its parent) is gone."""

    def __init__(self, worker: "BriefingWorker", path: Path, parent: QWidget):
        super().__init__(parent)
        self.path = path
        self.widget = parent
        self.dialog = QProgressDialog("正在准备数据…", "取消", 0, 0, parent)
        self.dialog.setWindowTitle("导出简报")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.canceled.connect(worker.cancel)
        worker.progressed.connect(self.on_progress)
        worker.succeeded.connect(self.on_done)
        worker.failed.connect(self.on_failed)

    @Slot(int, int, str)
    def on_progress(self, done: int, total: int, text: str) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(text)

    @Slot(dict)
    def on_done(self, result: dict) -> None:
        self.dialog.reset()
        text = (f"已生成 {self.path}\n共 {result['pages']} 页"
                f"（调度表 {result['table_rows']} 个项目，{result['table_pages']} 页）。")
        dialogs.show_info(self.widget, "导出简报", text)

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self.dialog.reset()
        if message:
            dialogs.show_error(self.widget, "导出简报失败", message)


class BriefingWorker(QThread):
    """Builds the briefing PDF off the GUI thread. It opens its own connection to the database file (a SQLite
    connection belongs to the thread that made it) and never touches a widget; results come back by signal."""

    progressed = Signal(int, int, str)
    succeeded = Signal(dict)
    failed = Signal(str)   # empty text: cancelled

    def __init__(self, db_path: str, as_of: dt.date, year: int, out: Path, paper: str,
                 data: dict[str, Any] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path, self.as_of, self.year, self.out, self.paper = db_path, as_of, year, out, paper
        self.data = data
        self._cancelled = False
        self.result: dict | None = None
        self.error: str | None = None

    def cancel(self) -> None:
        self._cancelled = True

    def _progress(self, done: int, total: int, text: str) -> bool:
        self.progressed.emit(done, total, text)
        return not self._cancelled

    def run(self) -> None:
        from db import PolicyTrackError, open_database
        from desktop.charts.data import gather
        from desktop.report.briefing import Cancelled, build_briefing

        try:
            data = self.data
            if data is None:
                # Read-only: a reader needs no writer's lock (the window holds it) and must never write.
                db = open_database(self.db_path, migrate=False, read_only=True)
                try:
                    data = gather(db, self.as_of, self.year)
                finally:
                    db.close()
            if data.get("empty"):
                raise ValueError(data.get("reason") or "没有数据")
            self.result = build_briefing(data, self.out, paper=self.paper, progress=self._progress)
            self.succeeded.emit(self.result)
        except Cancelled:
            self.error = ""
            self.failed.emit("")
        except (OSError, PolicyTrackError, ValueError) as exc:
            self.error = f"无法生成简报：{getattr(exc, 'strerror', None) or exc}"
            self.failed.emit(self.error)
