"""The selected project: every field editable (validated by db.projects, undoable), its figures, milestones as a
small timeline with overdue flags, its update history and its sources."""
from __future__ import annotations

import datetime as dt
import html
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db import PolicyTrackError, auditlog, board, clusters, money, plan, progress, projects, settings, targets, updates
from db.portfolios import LEVELS
from db.subjects import METRIC_LABELS, Subject
from db.updates import SOURCE_KINDS
from db.validate import parse_money_wan
from desktop import dialogs
from desktop import formatting as fmt
from desktop.app import AppContext
from desktop.style import STATUS_SOLID, TIME_MARKER, ProgressWithMarker, StatusChip
from desktop.models.board import shown_state, standing_tooltip
from desktop.target_dialog import default_effective_date
from desktop import operations

TEXT_FIELDS = ("name", "location", "responsible_unit", "responsible_leader", "start_year", "finish_year")
LONG_FIELDS = ("description", "note")
GREY = "#5f6368"


def exact_money(wan: int | None, unit: str) -> str:
    """Money for an editor: exact (亿元 up to four decimals), so saving an untouched field changes nothing."""
    if wan is None:
        return ""
    return money.yi_plain(wan) if unit == "yi" else str(wan)


def milestone_state(m: dict[str, Any], as_of: dt.date) -> tuple[str, str]:
    """('done' | 'overdue' | 'upcoming' | 'undated', words): overdue = planned before the as-of date, not done by it."""
    d = as_of.isoformat()
    if m["actual_date"] and m["actual_date"] <= d:
        return "done", "已完成"
    if m["planned_date"] and m["planned_date"] < d:
        late = (as_of - dt.date.fromisoformat(m["planned_date"])).days
        return "overdue", f"逾期 {late} 天"
    if not m["planned_date"]:
        return "undated", "未定日期"
    return "upcoming", "未到期"


MILESTONE_COLOURS = {"done": STATUS_SOLID["green"], "overdue": STATUS_SOLID["red"], "upcoming": "#90a4ae",
                     "undated": "#cfd8dc"}


class MilestoneTimeline(QWidget):
    """The plan year as a strip: month ticks, the as-of date, and a numbered dot per milestone."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.milestones: list[dict[str, Any]] = []
        self.as_of = dt.date.today()
        self.year = self.as_of.year
        self.setMinimumHeight(64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(360, 64)

    def set_milestones(self, milestones: list[dict[str, Any]], as_of: dt.date, year: int) -> None:
        self.milestones, self.as_of, self.year = milestones, as_of, year
        self.update()

    def _x(self, d: dt.date, left: float, width: float) -> float:
        start, end = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        d = min(max(d, start), end)
        return left + width * (d - start).days / (end - start).days

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        left, width = 14.0, self.width() - 28.0
        y = 26.0
        p.setPen(QPen(QColor("#b0bec5"), 2))
        p.drawLine(QPointF(left, y), QPointF(left + width, y))
        fm = p.fontMetrics()
        p.setPen(QColor(GREY))
        for month in range(1, 13):
            x = self._x(dt.date(self.year, month, 1), left, width)
            p.drawLine(QPointF(x, y - 3), QPointF(x, y + 3))
            if month % 2 == 1 or width > 420:
                label = f"{month}月"
                p.drawText(QRectF(x - 20, y + 6, 40, fm.height()), Qt.AlignmentFlag.AlignCenter, label)
        ax = self._x(self.as_of, left, width)
        p.setPen(QPen(QColor(TIME_MARKER), 2))
        p.drawLine(QPointF(ax, y - 14), QPointF(ax, y + 8))
        p.drawText(QRectF(ax - 40, 0, 80, 12), Qt.AlignmentFlag.AlignCenter, "报告期")
        for i, m in enumerate(self.milestones, 1):
            state, _ = milestone_state(m, self.as_of)
            when = m["actual_date"] if state == "done" else m["planned_date"]
            if not when:
                continue
            x = self._x(dt.date.fromisoformat(when), left, width)
            p.setPen(QPen(QColor("white"), 1.5))
            p.setBrush(QColor(MILESTONE_COLOURS[state]))
            p.drawEllipse(QPointF(x, y), 8, 8)
            p.setPen(QColor("white"))
            p.drawText(QRectF(x - 8, y - 8, 16, 16), Qt.AlignmentFlag.AlignCenter, str(i))
        p.end()


class ProjectDetail(QWidget):
    """Shows one project (``show_project``); edits go through the undo stack as db writes."""

    stage_move_requested = Signal(list, str)   # handled by the tab (asks for a note, records, undo)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.project_id: int | None = None
        self.project: dict[str, Any] | None = None
        self.unit = "yi"
        self._loading = False
        self.dirty = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 0, 0, 0)
        self.heading = QLabel("在左侧选择一个项目")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold;")
        lay.addWidget(self.heading)
        self.tabs = QTabWidget()
        lay.addWidget(self.tabs, 1)
        self._build_info()
        self._build_milestones()
        self.history = QTextBrowser()
        self.tabs.addTab(self.history, "历史记录")
        self.sources = QTextBrowser()
        self.tabs.addTab(self.sources, "来源")
        from desktop.photo_strip import PhotoStrip
        self.photos = PhotoStrip(ctx)
        self.tabs.addTab(self.photos, "现场照片")
        self.setEnabled(False)

    # -- building -------------------------------------------------------------------------------------
    def _build_info(self) -> None:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 4, 0, 0)
        figures = QFrame()
        figures.setObjectName("figures")
        figures.setStyleSheet("#figures { background: #f8f9fa; border: 1px solid #e0e0e0; border-radius: 6px; }")
        grid = QGridLayout(figures)
        grid.setContentsMargins(8, 6, 8, 6)
        self.fig: dict[str, QLabel] = {}
        for r, (key, label) in enumerate([("level", "级别"), ("plan", "年度计划投资"), ("done", "累计完成投资"),
                                          ("rate", "完成率"), ("bar", ""), ("stage", "形象进度")]):
            if key == "bar":
                continue
            name = QLabel(label)
            name.setStyleSheet(f"color: {GREY};")
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fig[key] = value
            grid.addWidget(name, r, 0)
            grid.addWidget(value, r, 1)
        self.plan_button = QPushButton("修改…")
        self.plan_button.setToolTip("修改年度计划投资（需填写理由，可撤销）")
        self.done_button = QPushButton("记录…")
        self.done_button.setToolTip("记录更新：待报月份的完成投资、形象进度、节点和问题（Ctrl+R，可撤销）")
        grid.addWidget(self.plan_button, 1, 2)
        grid.addWidget(self.done_button, 2, 2)
        self.chip = StatusChip()
        self.chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        grid.addWidget(self.chip, 3, 2, Qt.AlignmentFlag.AlignCenter)
        self.bar = ProgressWithMarker()
        grid.addWidget(self.bar, 4, 1, 1, 2)
        stage_row = QHBoxLayout()
        self.stage_combo = QComboBox()
        self.stage_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.stage_combo.setMinimumContentsLength(5)
        self.stage_button = QPushButton("调整")
        self.stage_button.setToolTip("把项目调整到所选形象进度（记录一条进度更新，需填写说明，可撤销）")
        stage_row.addWidget(self.stage_combo, 1)
        stage_row.addWidget(self.stage_button)
        move_label = QLabel("调整到")
        move_label.setStyleSheet(f"color: {GREY};")
        grid.addWidget(move_label, 6, 0)
        grid.addLayout(stage_row, 6, 1, 1, 2)
        grid.setColumnStretch(1, 1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        form_host = QWidget()
        host_lay = QVBoxLayout(form_host)
        host_lay.setContentsMargins(0, 0, 4, 0)
        host_lay.addWidget(figures)
        self.form = QFormLayout()
        host_lay.addLayout(self.form)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.editors: dict[str, QWidget] = {}
        for col, (label, _kind) in projects.FIELDS.items():
            if col == "cluster_id":
                editor: QWidget = QComboBox()
                # Deep tree entries must not widen the pane; the open list shows them whole.
                editor.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                editor.setMinimumContentsLength(8)
                editor.currentIndexChanged.connect(self._changed)
            elif col in LONG_FIELDS:
                editor = QPlainTextEdit()
                editor.setFixedHeight(54)
                editor.setTabChangesFocus(True)     # Tab / Shift+Tab move to the next field
                editor.textChanged.connect(self._changed)
            else:
                editor = QLineEdit()
                editor.textEdited.connect(self._changed)
            self.editors[col] = editor
            if col == "total_investment_wan":
                self.money_unit = QLabel("亿元")
                row = QHBoxLayout()
                row.addWidget(editor, 1)
                row.addWidget(self.money_unit)
                self.form.addRow(label, row)
            else:
                self.form.addRow(label, editor)
        host_lay.addStretch(1)          # spare height below the form, not inside a row
        scroll.setWidget(form_host)
        outer.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        self.message = QLabel()
        self.message.setStyleSheet(f"color: {GREY};")
        self.save_button = QPushButton("保存修改")
        self.save_button.setToolTip("保存对项目信息的修改（Ctrl+S，可撤销）")
        self.revert_button = QPushButton("还原")
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.reload)
        self.plan_button.clicked.connect(self.edit_plan)
        self.done_button.clicked.connect(self.record_update)
        self.stage_button.clicked.connect(self._stage_clicked)
        save_shortcut = QShortcut(QKeySequence.StandardKey.Save, page)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_shortcut.activated.connect(self.save)
        self.tabs.addTab(page, "基本信息")
        self._set_dirty(False)

    def _build_milestones(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 6, 0, 0)
        self.timeline = MilestoneTimeline()
        lay.addWidget(self.timeline)
        self.milestone_list = QTreeWidget()
        self.milestone_list.setRootIsDecorated(False)
        self.milestone_list.setHeaderLabels(["序", "节点", "计划日期", "实际日期", "状态"])
        self.milestone_list.setAlternatingRowColors(True)
        self.milestone_list.setMinimumHeight(30)
        lay.addWidget(self.milestone_list, 1)
        self.milestone_hint = QLabel()
        self.milestone_hint.setWordWrap(True)
        self.milestone_hint.setStyleSheet(f"color: {GREY};")
        lay.addWidget(self.milestone_hint)
        self.tabs.addTab(page, "节点")

    # -- showing --------------------------------------------------------------------------------------
    def set_unit(self, unit: str) -> None:
        self.unit = unit
        self.money_unit.setText("亿元" if unit == "yi" else "万元")
        if self.project is not None and not self.dirty:
            self.reload()

    def resolve_unsaved(self, title: str) -> bool:
        """Before edited fields would be lost (closing, a restore): ask 保存 / 放弃 / 取消; False on 取消 or when
        saving was refused."""
        if self.project is None or not self.dirty:
            return True
        choice = dialogs.ask_unsaved(self, title, f"项目“{self.project['name']}”的修改尚未保存。")
        if choice == "cancel":
            return False
        if choice == "save":
            return self.save()
        self.reload()
        return True

    def show_project(self, project_id: int | None) -> None:
        if project_id != self.project_id and self.dirty and self.project is not None:
            if dialogs.confirm(self, "未保存的修改", f"保存对“{self.project['name']}”的修改吗？", default_yes=True):
                self.save()
        self.project_id = project_id
        self.reload()

    def reload(self) -> None:
        db = self.ctx.db
        self.project = None
        if self.project_id is not None:
            try:
                self.project = projects.get(db, self.project_id)
            except PolicyTrackError:
                self.project_id = None
        self.setEnabled(self.project is not None)
        if self.project is None:
            self.heading.setText("在左侧选择一个项目")
            for w in (self.history, self.sources):
                w.clear()
            self.milestone_list.clear()
            self.timeline.set_milestones([], self.ctx.as_of, self.ctx.year)
            self._fill_form({})
            self.photos.show_project(None)
            return
        self.heading.setText(self.project["name"])
        self.photos.show_project(self.project_id)
        self._fill_figures()
        self._fill_form(self.project)
        self._fill_milestones()
        self._fill_history()
        self._fill_sources()

    def _fill_form(self, p: dict[str, Any]) -> None:
        self._loading = True
        try:
            combo: QComboBox = self.editors["cluster_id"]  # type: ignore[assignment]
            combo.clear()
            combo.addItem("（无）", None)
            for root in clusters.tree(self.ctx.db, self.ctx.plan_year["id"]):
                for path, node in root.walk():
                    combo.addItem("　" * (len(path) - 1) + node.name, node.id)
            combo.setCurrentIndex(max(0, combo.findData(p.get("cluster_id"))))
            for col in projects.FIELDS:
                editor = self.editors[col]
                if col == "cluster_id":
                    continue
                value = p.get(col)
                text = exact_money(value, self.unit) if col == "total_investment_wan" else (
                    "" if value is None else str(value))
                if isinstance(editor, QPlainTextEdit):
                    editor.setPlainText(text)
                else:
                    editor.setText(text)
        finally:
            self._loading = False
        self._set_dirty(False)
        self.message.clear()

    def _row(self) -> board.Row:
        """The selected project's figures at the as-of date, computed as the board computes them."""
        assert self.project is not None
        q = board.Query(self.ctx.plan_year["id"], self.ctx.year, self.ctx.as_of)
        row = board.project_row(self.ctx.db, q, self.project["id"])
        assert row is not None
        return row

    def _fill_figures(self) -> None:
        db = self.ctx.db
        q = board.Query(self.ctx.plan_year["id"], self.ctx.year, self.ctx.as_of)
        row = self._row()
        self.fig["level"].setText(LEVELS.get(row.level, row.level))
        unit = "亿元" if self.unit == "yi" else "万元"
        show = fmt.yi_from_wan if self.unit == "yi" else fmt.wan
        self.fig["plan"].setText(f"{show(row.plan_wan)} {unit}" if row.plan_wan is not None else "（未设）")
        self.fig["done"].setText(f"{show(row.done_wan)} {unit}（截至 {row.done_as_of}）" if row.done_wan is not None
                                 else "（未填报）")
        # The standing db/board computed, judged at the figure's own date (未报送 when older than the 报告期).
        a = progress.judge(row.done_wan, row.plan_wan, row.done_as_of, q.as_of, q.year,
                           mode=settings.time_progress_mode(db), thresholds=settings.thresholds(db))
        self.fig["rate"].setText(standing_tooltip(row) if a.rate is not None else "—")
        self.chip.set_status(shown_state(row))
        self.bar.set_values(None if a.rate is None else float(a.rate), float(a.time_progress), shown_state(row))
        self.fig["stage"].setText(f"{row.stage}（截至 {row.stage_as_of}）" if row.stage else "（未填报）")
        self.stage_combo.clear()
        for s in plan.stages(db):
            self.stage_combo.addItem(s)
        if row.stage:
            self.stage_combo.setCurrentText(row.stage)

    def _fill_milestones(self) -> None:
        assert self.project is not None
        ms = projects.milestones(self.ctx.db, self.project["id"])
        self.timeline.set_milestones(ms, self.ctx.as_of, self.ctx.year)
        self.milestone_list.clear()
        overdue = 0
        for i, m in enumerate(ms, 1):
            state, words = milestone_state(m, self.ctx.as_of)
            overdue += state == "overdue"
            planned = m["planned_date"] or ""
            if planned and m["planned_precision"] == "month":
                planned = planned[:7]
            elif planned and m["planned_precision"] == "year":
                planned = planned[:4] + "年"
            item = QTreeWidgetItem([str(i), m["name"], planned, m["actual_date"] or "", words])
            item.setForeground(4, QColor(MILESTONE_COLOURS[state] if state != "upcoming" else GREY))
            item.setToolTip(1, m["name"] + (f"\n{m['note']}" if m["note"] else "")
                            + (f"\n来源：{m['source']}" if m["source"] else ""))
            self.milestone_list.addTopLevelItem(item)
        for c in range(5):
            self.milestone_list.resizeColumnToContents(c)
        self.milestone_hint.setText(("没有节点。" if not ms else f"共 {len(ms)} 个节点")
                                    + (f"，其中 {overdue} 个逾期（计划日期早于报告期且未完成）" if overdue else ""))

    def _fill_history(self) -> None:
        db, p = self.ctx.db, self.project
        assert p is not None
        e = html.escape
        subject = Subject("project", p["id"])
        parts = ["<h4>进度更新（新的在前）</h4>"]
        hist = updates.history(db, subject)
        for h in reversed(hist):
            label = e(METRIC_LABELS.get(h["metric"], h["metric"]))
            if h["retracted"]:
                value = "撤回该日数据"
            elif h["metric"] == "stage":
                value = e(h["text_value"] or "")
            elif h["metric"] == "physical_progress":
                value = fmt.percent_bp(h["value"])
            else:
                value = fmt.yi_from_wan(h["value"]) + " 亿元"
            colour = "#202124" if h["standing"] else "#9e9e9e"
            replaced = "" if h["standing"] else "（已被同日更新取代）"
            note = f"　{e(h['note'])}" if h["note"] else ""
            parts.append(
                f"<p style='margin:2px 0; color:{colour}'><b>{e(h['as_of'])}</b>　{label}：<b>{value}</b>{replaced}"
                f"{note}<br><span style='color:#80868b'>{e(SOURCE_KINDS.get(h['source_kind'], h['source_kind']))}"
                f" · {e(h['recorded_by'])} · 录入于 {e(h['recorded_at'][:16])}</span></p>")
        if not hist:
            parts.append("<p>（无）</p>")
        parts.append("<h4>年度计划投资调整</h4>")
        th = targets.history(db, subject)
        for t in reversed(th):
            doc = f"（{e(t['doc_no'])}）" if t["doc_no"] else ""
            parts.append(f"<p style='margin:2px 0'><b>{e(t['effective_from'])} 起生效</b>　"
                         f"{fmt.yi_from_wan(t['previous_value'])}"
                         f" → <b>{fmt.yi_from_wan(t['value'])} 亿元</b>　{e(t['reason'])}{doc}<br>"
                         f"<span style='color:#80868b'>{e(t['revised_by'])} · {e(t['revised_at'][:16])}</span></p>")
        if not th:
            parts.append("<p>（无）</p>")
        parts.append("<h4>修改记录</h4>")
        log = auditlog.search(db, entity="project", entity_id=p["id"], limit=200)
        parts.append("<ul>" + "".join(f"<li>{e(a['at'])}　{e(a['user'])}　{e(a['action_label'])}："
                                      f"{e(a['summary_text'])}</li>" for a in log)
                     + "</ul>" if log else "<p>（无）</p>")
        self.history.setHtml("".join(parts))

    def _fill_sources(self) -> None:
        assert self.project is not None
        seen = board.project_sources(self.ctx.db, self.project["id"])
        self.sources.setHtml("<h4>数据来源</h4>" + ("".join(f"<p>“{html.escape(s)}”</p>" for s in seen) if seen
                                                    else "<p>（没有记录来源）</p>"))

    # -- editing --------------------------------------------------------------------------------------
    def _changed(self, *_args) -> None:
        if not self._loading:
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)

    def _editor_value(self, col: str) -> Any:
        editor = self.editors[col]
        if isinstance(editor, QComboBox):
            return editor.currentData()
        text = editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()
        if col == "total_investment_wan":
            return None if not text.strip() else parse_money_wan(
                text, projects.FIELDS[col][0], default_unit="亿元" if self.unit == "yi" else "万元")
        if col in ("start_year", "finish_year"):
            return None if not text.strip() else text.strip()
        if col == "code":
            return text.strip() or None
        return text

    def pending_changes(self) -> dict[str, Any]:
        """The fields whose editor differs from the stored project (raises ValidationError on bad money)."""
        assert self.project is not None
        changes = {}
        for col in projects.FIELDS:
            value = self._editor_value(col)
            stored = self.project[col]
            if col in ("start_year", "finish_year"):
                if (value or None) != (None if stored is None else str(stored)):
                    changes[col] = value
            elif col in TEXT_FIELDS + LONG_FIELDS:
                if value.strip() != (stored or "").strip():
                    changes[col] = value
            elif value != stored:
                changes[col] = value
        return changes

    def save(self) -> bool:
        """Write the edited fields as one undoable edit; a refusal shows the reason and changes nothing."""
        if self.project is None:
            return False
        project_id, name = self.project["id"], self.project["name"]
        try:
            changes = self.pending_changes()
        except PolicyTrackError as exc:
            dialogs.show_error(self, "未保存", str(exc))
            return False
        if not changes:
            self._set_dirty(False)
            return True
        if operations.edit_project(ctx=self.ctx, parent=self, project_id=project_id, changes=changes,
                                   label=f"修改项目“{name}”") is None:
            return False
        self._set_dirty(False)
        self.reload()
        self.message.setText("已保存，可撤销")
        return True

    def edit_plan(self) -> None:
        """Revise the annual planned investment (a target revision with its reason; undo revises back)."""
        if self.project is None:
            return
        p = self.project
        subject = Subject("project", p["id"])
        old = self._row().plan_wan
        unit = "亿元" if self.unit == "yi" else "万元"
        answer = dialogs.ask_target(self, "修改年度计划投资", p["name"], exact_money(old, self.unit), unit,
                                    effective=default_effective_date(self.ctx.year, self.ctx.as_of), year=self.ctx.year)
        if answer is None:
            return
        value_text, reason, doc_no, effective = answer
        try:
            new = parse_money_wan(value_text, "年度计划投资", default_unit=unit)
        except PolicyTrackError as exc:
            operations.refuse(self, exc)
            return
        operations.set_target(ctx=self.ctx, parent=self, subject=subject, metric="annual_plan", value=new,
                              reason=reason, doc_no=doc_no, effective=effective,
                              label=f"修改“{p['name']}”年度计划投资")

    def record_update(self) -> None:
        """The 记录更新 dialog (desktop.record_dialog: checks, plausibility warnings, undo) for this project."""
        if self.project is None:
            return
        from desktop.record_dialog import open_record_dialog
        open_record_dialog(self.ctx, "project", self.project["id"], self)   # opens on the month to report

    def _stage_clicked(self) -> None:
        if self.project is not None and self.stage_combo.currentText():
            self.stage_move_requested.emit([self.project["id"]], self.stage_combo.currentText())
