"""历史记录: every figure recorded for a project, portfolio, indicator or cluster node, and a small chart by month.

The table lists every row ever written (corrections and retractions included): the reporting date, the figure,
whether it is the one that counts, where it came from (typed, imported file, exchange file, undo, command
line), who recorded it and when, its note and any warning accepted with it. The chart shows the figure standing
at each month end — the same answer the as-of date gives everywhere else — with a marker at the as-of date.
matplotlib is imported only when a chart is first drawn.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QCompleter, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from db import history, indicators, plan, portfolios, projects
from db.money import WAN_PER_YI
from db.subjects import BASIS_POINT_METRICS, METRIC_LABELS, MONEY_METRICS, Subject
from desktop.models import RowsTableModel
from desktop import dialogs, formatting as fmt
from desktop.app import AppContext

KIND_LABELS = {"portfolio": "项目盘子", "project": "重点项目", "indicator": "指标", "cluster": "产业集群"}
COLUMNS = ["报告期", "数据项", "数值", "状态", "来源", "录入人", "录入时间", "备注", "确认的提示"]
(COL_AS_OF, COL_METRIC, COL_VALUE, COL_STATE, COL_SOURCE, COL_BY, COL_AT, COL_NOTE, COL_ACCEPTED) = range(len(COLUMNS))
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
SUPERSEDED_INK = QColor("#80868b")


def value_text(subject: Subject, metric: str, value: int | None, text: str | None,
               indicator: dict | None = None) -> str:
    """A stored figure in its unit: 亿元 for money, % for ratios, the indicator's own unit."""
    if text is not None:
        return text
    if value is None:
        return ""
    if subject.kind == "indicator" and indicator is not None:
        return f"{Decimal(value).scaleb(-indicator['decimals']):f}{indicator['unit']}"
    if metric in MONEY_METRICS:
        return f"{fmt.yi_from_wan(value)} 亿元"
    if metric in BASIS_POINT_METRICS:
        return fmt.percent_bp(value)
    return str(value)


class HistoryModel(RowsTableModel):
    headers = COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole \
                and section == COL_VALUE:
            return RIGHT
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = r["cells"][col]
            if role == Qt.ItemDataRole.ToolTipRole:
                return text if len(text) > 12 or col == COL_SOURCE and r.get("source") else None
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_VALUE:
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and not r["counts"]:
            return SUPERSEDED_INK
        return None


class HistoryChart(QWidget):
    """A small line chart of the figure standing at each month end; matplotlib is loaded on first draw."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = None
        self.figure = None
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.setMinimumHeight(200)
        self.points: list[tuple[int, float | None]] = []
        self._pending: tuple | None = None

    def plot(self, series: list[dict[str, Any]], *, scale: float, unit: str, title: str, as_of: dt.date,
             stages: list[str] | None = None) -> None:
        """Draw now if shown, else when first shown (so a hidden tab never loads matplotlib)."""
        self._pending = (series, scale, unit, title, as_of, stages)
        if self.isVisible():
            self._draw()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._pending is not None:
            self._draw()

    def _draw(self) -> None:
        series, scale, unit, title, as_of, stages = self._pending
        self._pending = None
        from desktop import fonts
        fonts.register_matplotlib_fonts()
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        if self.canvas is None:
            self.figure = Figure(figsize=(6, 2.4), dpi=100, layout="constrained")
            self.canvas = FigureCanvasQTAgg(self.figure)
            self.lay.addWidget(self.canvas)
        fig = self.figure
        fig.clear()
        ax = fig.add_subplot(111)
        months = [s["month"] for s in series]
        if stages is not None:
            ys = [stages.index(s["text_value"]) if s["text_value"] in stages else None for s in series]
            ax.set_yticks(range(len(stages)), stages)
            ax.set_ylim(-0.5, len(stages) - 0.5)
        else:
            ys = [None if s["value"] is None else s["value"] / scale for s in series]
        # Months after the last report only repeat it: leave them out rather than draw a flat line into the future.
        last = max((s["month"] for s in history.months_with_data(series)), default=0)
        ys = [y if m <= last else None for m, y in zip(months, ys)]
        self.points = list(zip(months, ys))
        known = [(m, y) for m, y in self.points if y is not None]
        upto = [(m, y) for m, y in known if m <= as_of.month]
        after = [(m, y) for m, y in known if m >= as_of.month]
        if known:
            style = dict(marker="o", linewidth=2, drawstyle="steps-post" if stages else "default")
            if upto:
                ax.plot(*zip(*upto), color="#1a73e8", **style)
            if len(after) > (1 if upto and upto[-1][0] == as_of.month else 0):
                # Recorded after the as-of date: shown lighter, the way the as-of views do not count it yet.
                ax.plot(*zip(*after), color="#9aa0a6", linestyle="--", **style)
            if stages is None:
                for x, y in known:
                    ax.annotate(fmt.plain(y, 1), (x, y), textcoords="offset points", xytext=(0, 6), ha="center",
                                fontsize=8, color="#3c4043" if x <= as_of.month else "#9aa0a6")
                if all(y >= 0 for _, y in known):
                    ax.set_ylim(bottom=0, top=max(y for _, y in known) * 1.15 or 1)
        else:
            ax.text(0.5, 0.5, "该年度尚无数据", transform=ax.transAxes, ha="center", va="center", color="#80868b")
        ax.axvline(as_of.month, color="#1a237e", linestyle="--", linewidth=1)
        ax.set_xticks(range(1, 13), [f"{m}月" for m in range(1, 13)])
        ax.set_xlim(0.5, 12.5)
        ax.set_title(title, fontsize=10)
        if unit and stages is None:
            ax.set_ylabel(unit)
        ax.grid(True, axis="y", color="#e0e0e0")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        self.canvas.draw_idle()


class HistoryWidget(QWidget):
    """Table and chart for one subject; follows the as-of date and every write."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.subject: Subject | None = None
        self.metric: str | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 12pt; font-weight: bold;")
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("图表数据项："))
        self.metric_combo = QComboBox()
        top.addWidget(self.metric_combo)
        lay.addLayout(top)
        split = QSplitter(Qt.Orientation.Vertical)
        self.chart = HistoryChart()
        split.addWidget(self.chart)
        self.model = HistoryModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        split.addWidget(self.table)
        split.setSizes([260, 400])
        lay.addWidget(split, 1)
        self.metric_combo.currentIndexChanged.connect(self._metric_chosen)
        ctx.as_of_changed.connect(lambda *_: self.refresh())
        ctx.data_changed.connect(self._on_data_changed)

    def _on_data_changed(self, kinds) -> None:
        if kinds & {"update", "recording", "project", "indicator", "cluster", "portfolio", "seed"}:
            self.refresh()

    def set_subject(self, subject: Subject) -> None:
        from db.subjects import UPDATE_METRICS
        self.subject = subject
        order = [history.MAIN_METRIC[subject.kind]] + sorted(UPDATE_METRICS[subject.kind] - {
            history.MAIN_METRIC[subject.kind]})
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        for m in order:
            label = "实际值" if subject.kind == "indicator" else METRIC_LABELS[m]
            self.metric_combo.addItem(label, m)
        self.metric_combo.blockSignals(False)
        self.metric = order[0]
        self.refresh()

    def show_metric(self, metric: str) -> None:
        i = self.metric_combo.findData(metric)
        if i >= 0:
            self.metric_combo.setCurrentIndex(i)    # redraws through _metric_chosen

    def _metric_chosen(self, index: int) -> None:
        if index >= 0:
            self.metric = self.metric_combo.itemData(index)
            self.refresh()

    def _name(self) -> tuple[str, dict | None]:
        s = self.subject
        row = history.subject_row(self.ctx.db, s)
        return (row["name"] if row else f"#{s.id}"), (row if s.kind == "indicator" else None)

    def refresh(self) -> None:
        if self.subject is None:
            return
        s = self.subject
        name, indicator = self._name()
        self.title.setText(f"{KIND_LABELS[s.kind]}：{name}")
        rows = []
        for r in history.timeline(self.ctx.db, s):
            if r["kind"] == "update":
                value = "撤回" if r["retracted"] else value_text(s, r["metric"], r["value"], r["text_value"], indicator)
                label = "实际值" if s.kind == "indicator" and r["metric"] == "value" else r["metric_label"]
            else:
                value = "撤回" if r["retracted"] and r["kind"] == "note" else (r["text_value"] or "")
                label = r["metric_label"]
            counts = bool(r["standing"]) and not r["retracted"]
            state = ("有效" if counts else ("撤回" if r["retracted"] else "已被更正")) if r["kind"] != "issue" \
                else r["note"]
            source = r["source_kind_label"] + (f"：{r['source']}" if r.get("source") and r["kind"] == "update"
                                               and r["source_kind"] in ("import", "exchange") else "")
            note = r["note"] if r["kind"] == "update" else ""
            rows.append({"counts": counts or r["kind"] == "issue", "source": r.get("source"),
                         "cells": [r["as_of"], label, value, state, source, r["recorded_by"], r["recorded_at"],
                                   note, "；".join(r["accepted"])]})
        rows.reverse()  # newest first: what a person checks after recording
        self.model.set_rows(rows)
        fm = self.table.fontMetrics()
        for col, chars in ((COL_AS_OF, 7), (COL_METRIC, 7), (COL_VALUE, 9), (COL_STATE, 5), (COL_SOURCE, 8),
                           (COL_BY, 6), (COL_AT, 10), (COL_NOTE, 16)):
            self.table.setColumnWidth(col, fm.horizontalAdvance("汉") * chars + 16)
        self._plot(name, indicator)

    def _plot(self, name: str, indicator: dict | None) -> None:
        s, metric = self.subject, self.metric
        series = history.monthly_series(self.ctx.db, s, metric, self.ctx.year)
        stages = plan.stages(self.ctx.db) if metric == "stage" else None
        if s.kind == "indicator" and indicator is not None:
            scale, unit = 10 ** indicator["decimals"], indicator["unit"]
        elif metric in MONEY_METRICS:
            scale, unit = WAN_PER_YI, "亿元"
        elif metric in BASIS_POINT_METRICS:
            scale, unit = 100, "%"
        else:
            scale, unit = 1, ""
        label = self.metric_combo.currentText()
        self.chart.plot(series, scale=scale, unit=unit, title=f"{name} {label}（各月末）", as_of=self.ctx.as_of,
                        stages=stages)


class HistoryDialog(QDialog):
    def __init__(self, ctx: AppContext, subject: Subject, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("历史记录")
        self.resize(980, 680)
        lay = QVBoxLayout(self)
        self.view = HistoryWidget(ctx, self)
        self.view.set_subject(subject)
        lay.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


class HistoryTab(QWidget):
    """历史记录: choose a project, portfolio, indicator or cluster node and see its history."""

    key = "history"
    title = "历史记录"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        top.addWidget(QLabel("类别："))
        self.kind_combo = QComboBox()
        for kind in ("project", "portfolio", "indicator", "cluster"):
            self.kind_combo.addItem(KIND_LABELS[kind], kind)
        top.addWidget(self.kind_combo)
        top.addWidget(QLabel("对象："))
        self.subject_combo = QComboBox()
        self.subject_combo.setEditable(True)
        self.subject_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.subject_combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.subject_combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        top.addWidget(self.subject_combo, 1)
        self.record_button = QPushButton("记录更新…")
        top.addWidget(self.record_button)
        lay.addLayout(top)
        self.view = HistoryWidget(ctx, self)
        lay.addWidget(self.view, 1)
        self.kind_combo.currentIndexChanged.connect(self._fill_subjects)
        self.subject_combo.activated.connect(self._chosen)
        self.record_button.clicked.connect(self.record_update)
        ctx.data_changed.connect(self._on_data_changed)
        self._filled = False   # the subject list is read when the tab is first shown

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._filled:
            self._fill_subjects()

    def _on_data_changed(self, kinds) -> None:
        if not self._filled:
            return
        if kinds & {"project", "indicator", "cluster", "portfolio", "seed"}:
            current = self.view.subject
            self._fill_subjects()
            if current is not None:
                self.show_subject(current)

    def _fill_subjects(self, *_args) -> None:
        self._filled = True
        kind = self.kind_combo.currentData()
        db, py = self.ctx.db, self.ctx.plan_year["id"]
        if kind == "project":
            rows = projects.list_for(db, py)
        elif kind == "portfolio":
            rows = portfolios.list_for(db, py)
        elif kind == "indicator":
            rows = [{"id": i["id"], "name": i["name"]} for i in indicators.list_for(db, py)]
        else:
            from db import clusters
            rows = []
            for root in clusters.tree(db, py):
                for path, node in root.walk():
                    rows.append({"id": node.id, "name": " / ".join(path[1:]) or node.name})
        self.subject_combo.blockSignals(True)
        self.subject_combo.clear()
        for r in rows:
            self.subject_combo.addItem(r["name"], r["id"])
        self.subject_combo.blockSignals(False)
        if rows:
            # Start on what was recorded last, charting a figure it has: what a person checks after entering it.
            first = history.first_to_show(db, kind, self.ctx.year)
            i = max(0, self.subject_combo.findData(first[0])) if first is not None else 0
            self.subject_combo.setCurrentIndex(i)
            self._chosen(i)
            if first is not None and self.subject_combo.itemData(i) == first[0]:
                self.view.show_metric(first[1])

    def _chosen(self, index: int) -> None:
        if index >= 0 and self.subject_combo.itemData(index) is not None:
            self.view.set_subject(Subject(self.kind_combo.currentData(), self.subject_combo.itemData(index)))

    def show_subject(self, subject: Subject) -> None:
        self.kind_combo.blockSignals(True)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(subject.kind))
        self.kind_combo.blockSignals(False)
        self._fill_subjects()
        i = self.subject_combo.findData(subject.id)
        if i >= 0:
            self.subject_combo.setCurrentIndex(i)
            self._chosen(i)

    def record_update(self) -> None:
        s = self.view.subject
        if s is None or s.kind == "cluster":
            dialogs.show_info(self, "记录更新", "请选择一个重点项目、项目盘子或指标。")
            return
        from desktop.record_dialog import open_record_dialog
        open_record_dialog(self.ctx, s.kind, s.id, self)
