"""导入调度表 / 导出调度表 / 导出交换包 / 导入交换包: the dialogs and the actions the main window's 文件 menu offers.

Reading a file and applying it run off the UI thread behind a cancellable progress dialog (desktop/tasks.py);
the preview shows every row, every unreadable cell and, for exchange files, every conflict side by side.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget,
                               QPushButton, QSplitter, QTableView, QTableWidget, QTabWidget, QTextBrowser, QVBoxLayout,
                               QWidget)

from db import PolicyTrackError, exchange, ledger, outputs, portfolios, projects, xlsx_export, xlsx_import
from db.exchange import ExchangePreview, Group
from db.errors import printable
from db.xlsx_import import ImportPreview, RowPlan
from desktop.models import RowsTableModel
from desktop import dialogs, import_text
from desktop.operations.files import NOT_UNDOABLE
from desktop.tasks import run_in_background, worker_database

NEW_TINT = QColor("#e3f2fd")
SKIP_TINT = QColor("#fde4e2")
CONFLICT_TINT = QColor("#fff4d6")
MUTED = QColor("#5f6368")
XLSX_FILTER = "Excel 工作簿 (*.xlsx);;CSV 文本 (*.csv);;所有文件 (*)"
PTX_FILTER = "PolicyTrack 交换包 (*.ptx);;所有文件 (*)"
CHANGED_KINDS = frozenset({"import", "project", "update", "target", "exchange"})


# -- file choosers (tests replace these) ---------------------------------------------------------------------

def ask_open_path(parent: QWidget | None, title: str, file_filter: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
    return path or None


def _apply_in_worker(ctx: Any, apply: Callable[..., Any], preview: Any) -> Callable[[Any, Any], Any]:
    """The background job that applies a preview through the worker's own connection (one per thread)."""
    def work(progress, cancelled):
        wdb = worker_database(ctx.db)
        try:
            return apply(wdb, preview, progress=progress, cancelled=cancelled)
        finally:
            wdb.close()
    return work


def ask_save_path(parent: QWidget | None, title: str, suggested: str, file_filter: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


def _announce(ctx: Any, kinds: frozenset[str] = CHANGED_KINDS) -> None:
    """A worker wrote through its own connection: tell the views, as a write on ctx.db would have."""
    ctx.notify(kinds)


def _table(view: QTableView) -> QTableView:
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    return view


# -- 调度表 import preview --------------------------------------------------------------------------------------

class ImportRowsModel(RowsTableModel):
    """One line per project row of the file: where, which project, what it will record."""

    HEADERS = ["工作表", "行", "项目名称", "处理", "级别", "截至日期", "将记录的内容", "提醒"]
    COL_ROW, COL_STATUS, COL_CHANGES = 1, 3, 6

    def __init__(self, rows: list[RowPlan], parent: QWidget | None = None):
        super().__init__(parent)
        self.headers = self.HEADERS
        self.rows = rows

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return r.sheet
            if col == 1:
                return str(r.row)
            if col == 2:
                return r.name if not r.project_name or r.project_name == r.name else f"{r.name}（{r.project_name}）"
            if col == 3:
                return import_text.row_status(r)
            if col == 4:
                return portfolios.LEVELS.get(r.level or "", "")
            if col == 5:
                return r.as_of.isoformat() if r.as_of else ""
            if col == 6:
                if r.status == "skipped":
                    return r.reason
                return "；".join(import_text.change_text(c) for c in r.changes if c.kind != "create") or "与数据库一致"
            if col == 7:
                return "；".join([f"［{w.label}］{w.message}" for w in r.checks] + r.warnings)
        if role == Qt.ItemDataRole.ToolTipRole and col in (6, 7):
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.status == "skipped":
                return QBrush(SKIP_TINT)
            if r.checks and r.changes:
                return QBrush(CONFLICT_TINT)
            if r.status == "new":
                return QBrush(NEW_TINT)
        if role == Qt.ItemDataRole.ForegroundRole and r.status == "matched" and not r.changes:
            return QBrush(MUTED)
        return None


class ProblemsModel(RowsTableModel):
    HEADERS = ["工作表", "行", "列", "数据项", "单元格内容", "原因"]

    def __init__(self, problems: list[tuple[str, Any]], parent: QWidget | None = None):
        super().__init__(parent)
        self.headers = self.HEADERS
        self.rows = problems

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        sheet, p = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return [sheet, str(p.row), p.column, p.field, p.value, p.reason][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ImportPreviewDialog(QDialog):
    """导入调度表 — 预览: every row with what it will record, the unreadable cells, the cross-checks."""

    def __init__(self, ctx: Any, preview: ImportPreview, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview = preview
        self.setWindowTitle(f"导入调度表 — {preview.file_name}")
        self.resize(1200, 720)
        lay = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.header)

        opts = QHBoxLayout()
        self.only_changes = QCheckBox("只显示有变化或有问题的行")
        self.only_changes.toggled.connect(self._refresh_rows)
        opts.addWidget(self.only_changes)
        opts.addStretch(1)
        self.level_question = QLabel("级别不明的新项目放入：")
        opts.addWidget(self.level_question)
        self.level_combo = QComboBox()
        self.level_combo.addItem("不导入（跳过）", None)
        for level, label in portfolios.LEVELS.items():
            self.level_combo.addItem(label + "项目盘子", level)
        self.level_combo.currentIndexChanged.connect(self._level_chosen)
        opts.addWidget(self.level_combo)
        lay.addLayout(opts)

        self.tabs = QTabWidget()
        self.rows_model = ImportRowsModel([], self)
        self.rows_view = _table(QTableView())
        self.rows_view.setModel(self.rows_model)
        self.rows_view.selectionModel().currentRowChanged.connect(self._show_detail)
        self.detail = QTextBrowser()
        self.detail.setPlaceholderText("选择一行，查看它将记录的全部内容")
        rows_page = QSplitter(Qt.Orientation.Vertical)
        rows_page.addWidget(self.rows_view)
        rows_page.addWidget(self.detail)
        rows_page.setStretchFactor(0, 3)
        rows_page.setStretchFactor(1, 1)
        self.problems_model = ProblemsModel([], self)
        self.problems_view = _table(QTableView())
        self.problems_view.setModel(self.problems_model)
        self.warnings_list = QListWidget()
        self.warnings_list.setWordWrap(True)
        self.tabs.addTab(rows_page, "各行")
        self.tabs.addTab(self.problems_view, "无法读取的单元格")
        self.tabs.addTab(self.warnings_list, "提醒")
        lay.addWidget(self.tabs, 1)

        # Refusals and plausibility warnings: the first blocks the import, the second needs a reason.
        self.blockers = QLabel()
        self.blockers.setWordWrap(True)
        self.blockers.setTextFormat(Qt.TextFormat.PlainText)
        self.blockers.setStyleSheet("color: #b3261e;")
        lay.addWidget(self.blockers)
        reason_row = QHBoxLayout()
        self.reason_label = QLabel("确认理由：")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("核实无误后写明理由，将记录在每个被提醒的数字旁")
        self.reason.textChanged.connect(self._reason_changed)
        reason_row.addWidget(self.reason_label)
        reason_row.addWidget(self.reason, 1)
        lay.addLayout(reason_row)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        lay.addWidget(self.totals)
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        lay.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        p = self.preview
        lines = [f"调度表 {p.file_name}"]
        for s in p.sheets:
            lay = s.layout
            h0, h1 = lay.header_rows
            as_of = f"截至 {lay.as_of.isoformat()}（{lay.as_of_source}）" if lay.as_of else "截至日期未知"
            level = portfolios.LEVELS[lay.level] if lay.level else "级别未写明"
            lines.append(f"工作表“{s.name}”：表头第 {h0}{'' if h0 == h1 else f'–{h1}'} 行，{as_of}，"
                         f"单位 {lay.unit or '万元（未注明）'}，{level}，{len(s.rows)} 个项目行；{lay.completed_source}")
        lines += [f"工作表“{n}”未导入：{why}" for n, why in p.skipped_sheets]
        if p.earlier_imports:
            e = p.earlier_imports[0]
            lines.append(f"注意：这个文件已于 {e['imported_at']} 由 {e['imported_by']} 导入过，"
                         "只会记录与数据库不同的数字")
        self.header.setText("\n".join(lines))
        self._refresh_rows()
        problems = p.problems
        self.problems_model.set_rows(problems)
        self.tabs.setTabText(1, f"无法读取的单元格（{len(problems)}）")
        self.warnings_list.clear()
        checks = [f"需核实：工作表“{r.sheet}” 第 {r.row} 行 {r.name}：［{w.label}］{w.message}" for r, w in p.checks]
        self.warnings_list.addItems(checks + p.warnings)
        self.tabs.setTabText(2, f"提醒（{len(checks) + len(p.warnings)}）")
        unknown = p.level_unknown_rows
        if unknown and self.level_combo.currentData() is None:
            said = sorted({f"“{r.reason.split('“')[1].split('”')[0]}”" for r in unknown if "项目级别“" in r.reason})
            self.level_question.setText(f"{len(unknown)} 个新项目级别不明" + (f"（表中写{'、'.join(said)}）" if said else "")
                                        + "，放入：")
            self.level_question.setStyleSheet("color: #b3261e; font-weight: bold;")
        else:
            self.level_question.setText("级别不明的新项目放入：")
            self.level_question.setStyleSheet("")
        self.totals.setText(import_text.xlsx_totals(p))
        self._reason_changed()
        for view in (self.rows_view, self.problems_view):
            view.resizeColumnsToContents()
            for c in range(view.model().columnCount()):
                view.setColumnWidth(c, min(view.columnWidth(c), 420))
        header = self.rows_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(ImportRowsModel.COL_CHANGES, QHeaderView.ResizeMode.Stretch)
        self.rows_view.setColumnWidth(len(ImportRowsModel.HEADERS) - 1, 220)
        if self.rows_model.rowCount():
            self.rows_view.selectRow(0)

    def _refresh_rows(self) -> None:
        rows = self.preview.rows
        if self.only_changes.isChecked():
            rows = [r for r in rows if r.changes or r.status == "skipped" or r.problems or r.warnings]
        self.rows_model.set_rows(rows)
        self.tabs.setTabText(0, f"各行（{len(self.preview.rows)}）")

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if not current.isValid():
            self.detail.clear()
            return
        r = self.rows_model.rows[current.row()]
        lines = [f"工作表“{r.sheet}” 第 {r.row} 行：{r.name}"]
        if r.status == "skipped":
            lines.append(f"跳过：{r.reason}")
        elif r.status == "new":
            lines.append(f"新项目，放入{portfolios.LEVELS.get(r.level or '', '')}项目盘子（{r.level_source}）")
        else:
            lines.append(f"对应数据库中的项目：{r.project_name}")
        if r.status != "skipped":
            lines += [f"　· {import_text.change_text(c)}" for c in r.changes if c.kind != "create"]
            if r.same:
                lines.append("　与数据库一致（不记录）：" + "、".join(r.same))
            if r.note:
                lines.append(f"　备注：{r.note}")
        lines += [f"　无法读取：{p.column} 列（{p.field}）“{p.value}”——{p.reason}" for p in r.problems]
        lines += [f"　需核实：［{w.label}］{w.message}" for w in r.checks]
        lines += [f"　提醒：{w}" for w in r.warnings]
        self.detail.setPlainText("\n".join(lines))

    def _reason_changed(self) -> None:
        """The 导入 button: never with a refusal, and with warnings only once a reason is written."""
        p = self.preview
        p.accept_reason = self.reason.text().strip()
        refusals, checks = p.refusals, p.checks
        lines = [f"无法导入：{why}" for why in refusals]
        if checks:
            lines.append(f"有 {len(checks)} 条提醒需要核实（见“提醒”页）" + ("，已写明确认理由" if p.accept_reason else
                                                                          "：核实无误后在下方写明确认理由才能导入"))
        self.blockers.setText("\n".join(lines))
        self.blockers.setVisible(bool(lines))
        self.reason_label.setVisible(bool(checks))
        self.reason.setVisible(bool(checks))
        self.apply_button.setEnabled(not p.nothing_to_do and not refusals and (not checks or bool(p.accept_reason)))

    def _level_chosen(self, _index: int) -> None:
        xlsx_import.choose_level(self.ctx.db, self.preview, self.level_combo.currentData())
        self.refresh()


# -- exchange preview and the conflict resolver --------------------------------------------------------------

class ExchangeChangesModel(RowsTableModel):
    """Field by field: what the file holds, what this PC holds, what will happen."""

    HEADERS = ["对象", "数据项", "月份", "处理", "本机现在", "交换包", "交换包来源"]

    def __init__(self, groups: list[Group], parent: QWidget | None = None):
        super().__init__(parent)
        self.headers = self.HEADERS
        self.rows = groups

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        g = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            status = import_text.STATUS_CN[g.status]
            if g.create_project and g.status in ("new", "update"):
                status += "（新建项目）"
            if g.status == "conflict" and g.choice:
                status += "：" + {"mine": "保留本机", "theirs": "采用交换包"}[g.choice]
            return [g.label, g.metric_label, g.period or "—", status,
                    import_text.side_value(g, g.mine) if g.mine or g.status in ("new", "update", "conflict") else "",
                    import_text.side_value(g, g.theirs) if g.theirs else "",
                    g.reason if g.status in ("unresolved", "out_of_scope")
                    else import_text.side_origin(g.theirs, g)][col]
        if role == Qt.ItemDataRole.BackgroundRole:
            if g.status == "conflict":
                return QBrush(CONFLICT_TINT)
            if g.status in ("unresolved", "out_of_scope"):
                return QBrush(SKIP_TINT)
            if g.status in ("new", "update"):
                return QBrush(NEW_TINT)
        if role == Qt.ItemDataRole.ForegroundRole and g.status in ("same", "known"):
            return QBrush(MUTED)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ConflictResolver(QWidget):
    """Each conflict side by side — 本机 on the left, 交换包 on the right — with a choice per line."""

    HEADERS = ["冲突", "本机", "交换包", "采用"]
    CHOICES = [("请选择…", None), ("保留本机", "mine"), ("采用交换包", "theirs")]

    def __init__(self, preview: ExchangePreview, parent: QWidget | None = None):
        super().__init__(parent)
        self.preview = preview
        self.conflicts = preview.conflicts
        lay = QVBoxLayout(self)
        note = QLabel("下列对象在同一月份有两个来源的不同数字。请逐项选择采用哪一个，未选择完不能导入；"
                      "两边的数字都会留在历史记录中。")
        note.setWordWrap(True)
        lay.addWidget(note)
        bar = QHBoxLayout()
        self.all_mine = QPushButton("全部保留本机")
        self.all_theirs = QPushButton("全部采用交换包")
        self.all_mine.clicked.connect(lambda: self.choose_all("mine"))
        self.all_theirs.clicked.connect(lambda: self.choose_all("theirs"))
        bar.addWidget(self.all_mine)
        bar.addWidget(self.all_theirs)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.table = QTableWidget(len(self.conflicts), len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.combos: list[QComboBox] = []
        line = self.fontMetrics().lineSpacing()
        for i, g in enumerate(self.conflicts):
            what = QLabel(f"<b>{_html(g.label)}</b><br>{_html(g.metric_label)}"
                          f"{'（' + g.period + '）' if g.period else ''}")
            self.table.setCellWidget(i, 0, _cell(what))
            for col, side, tint in ((1, g.mine, "#eef3fb"), (2, g.theirs, "#fff4d6")):
                origin = import_text.side_origin(side, g)
                source = f"；来源：{side.source}" if side is not None and side.source else ""
                label = QLabel(f"<span style='font-size:115%'><b>{_html(import_text.side_value(g, side))}</b></span>"
                               f"<br><span style='color:#5f6368'>{_html(origin + source)}</span>")
                label.setToolTip(origin + source)
                self.table.setCellWidget(i, col, _cell(label, tint))
            combo = QComboBox()
            for text, data in self.CHOICES:
                combo.addItem(text, data)
            combo.setCurrentIndex([d for _, d in self.CHOICES].index(g.choice))
            combo.currentIndexChanged.connect(lambda _i, g=g, combo=combo: self._chosen(g, combo))
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(6, 4, 6, 4)
            hl.addWidget(combo)
            self.table.setCellWidget(i, 3, holder)
            self.combos.append(combo)
            self.table.setRowHeight(i, line * 4 + 12)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(0, 260)
        self.table.setColumnWidth(3, 140)
        lay.addWidget(self.table, 1)
        self.on_change = lambda: None

    def _chosen(self, g: Group, combo: QComboBox) -> None:
        g.choice = combo.currentData()
        self.on_change()

    def choose(self, row: int, choice: str) -> None:
        combo = self.combos[row]
        combo.setCurrentIndex([d for _, d in self.CHOICES].index(choice))

    def choose_all(self, choice: str) -> None:
        for row in range(len(self.combos)):
            self.choose(row, choice)

    @property
    def open_count(self) -> int:
        return sum(1 for g in self.conflicts if g.choice not in ("mine", "theirs"))


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(label: QLabel, tint: str | None = None) -> QLabel:
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    label.setContentsMargins(8, 4, 8, 4)
    if tint:
        label.setStyleSheet(f"QLabel {{ background: {tint}; }}")
    return label


class ExchangePreviewDialog(QDialog):
    """导入交换包 — 预览: who sent it, field by field what changes, and the conflicts to decide."""

    def __init__(self, ctx: Any, preview: ExchangePreview, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview = preview
        self.setWindowTitle(f"导入交换包 — {preview.file_name}")
        self.resize(1240, 700)
        lay = QVBoxLayout(self)
        report = import_text.exchange_report(preview)
        self.header = QLabel("\n".join(line for line in report[:3] if not line.startswith(("将写入", "  "))))
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.header)
        self.tabs = QTabWidget()
        shown = [g for g in preview.groups if g.status != "known"]
        self.changes_model = ExchangeChangesModel(shown, self)
        self.changes_view = _table(QTableView())
        self.changes_view.setModel(self.changes_model)
        self.changes_view.resizeColumnsToContents()
        self.tabs.addTab(self.changes_view, f"逐项比对（{len(shown)}）")
        self.resolver = ConflictResolver(preview)
        self.resolver.on_change = self._update
        if preview.conflicts:
            self.tabs.addTab(self.resolver, f"冲突（{len(preview.conflicts)}）")
            self.tabs.setCurrentWidget(self.resolver)
        lay.addWidget(self.tabs, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        # The plausibility checks typing runs: listed, and importing needs a reason (as `--accept-warnings`).
        self.warnings_label = QLabel()
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("核实无误后填写理由（如“单位核实：确为新增产能”），才能导入")
        self.reason_edit.textChanged.connect(lambda _t: self._update())
        lay.addWidget(self.warnings_label)
        lay.addWidget(self.reason_edit)
        self.warnings: list[str] = []
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        lay.addWidget(buttons)
        self._update()

    def accept(self) -> None:
        self.preview.accepted_reason = self.reason_edit.text().strip() if self.warnings else ""
        super().accept()

    def _update(self) -> None:
        p = self.preview
        writes = len(p.changes)
        open_conflicts = self.resolver.open_count
        parts = [f"将写入 {writes} 项", f"相同 {p.count('same')} 项", f"已导入过 {p.count('known')} 项"]
        if p.conflicts:
            chosen = f"未选择 {open_conflicts} 处" if open_conflicts else "已全部选择"
            parts.append(f"冲突 {len(p.conflicts)} 处（{chosen}）")
        if p.unresolvable:
            parts.append(f"无法对应 {len(p.unresolvable)} 项（不导入）")
        if p.out_of_scope:
            parts.append(f"超出发送单位范围 {len(p.out_of_scope)} 项（不导入）")
        if p.new_projects:
            parts.append(f"新建项目 {len(p.new_projects)} 个")
        if p.new_problems:
            parts.append(f"存在问题 {len(p.new_problems)} 条")
        if p.new_photos:
            parts.append(f"现场照片 {len(p.new_photos)} 张")
        self.summary.setText("，".join(parts) + ("。请先在“冲突”页逐项选择。" if open_conflicts else "。"))
        self.changes_model.layoutChanged.emit()
        kept = sum(1 for g in p.conflicts if g.choice == "mine")
        self.warnings = exchange.plausibility_warnings(self.ctx.db, p)
        self.warnings_label.setVisible(bool(self.warnings))
        self.reason_edit.setVisible(bool(self.warnings))
        if self.warnings:
            self.warnings_label.setText(printable(f"合理性提示（{len(self.warnings)} 条，与手工录入相同的检查）：\n"
                                                  + "\n".join(self.warnings)))
        reason_ok = not self.warnings or bool(self.reason_edit.text().strip())
        self.apply_button.setEnabled(open_conflicts == 0 and reason_ok
                                     and (writes > 0 or kept > 0 or p.count("same") > 0 or bool(p.new_problems)
                                          or bool(p.new_photos)))


class ExchangeExportDialog(QDialog):
    """导出交换包: whose projects (责任单位, or 全部) and since when."""

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("导出交换包")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        info = QLabel("把本机录入的进度更新和目标调整导出为一个文件，交给区发改委（或其他单位）导入。")
        info.setWordWrap(True)
        lay.addWidget(info)
        form = QFormLayout()
        self.unit_combo = QComboBox()
        self.unit_combo.setEditable(True)
        self.unit_combo.addItem("全部")
        units = projects.responsible_units(ctx.db)
        self.unit_combo.addItems(units)
        form.addRow("责任单位：", self.unit_combo)
        self.since_check = QCheckBox("只导出这一天及以后录入的")
        self.since_edit = QDateEdit(QDate.currentDate().addMonths(-1))
        self.since_edit.setCalendarPopup(True)
        self.since_edit.setDisplayFormat("yyyy-MM-dd")
        self.since_edit.setEnabled(False)
        self.since_check.toggled.connect(self.since_edit.setEnabled)
        row = QHBoxLayout()
        row.addWidget(self.since_check)
        row.addWidget(self.since_edit)
        form.addRow("起始日期：", row)
        self.sender_edit = QLineEdit(ledger.site_name(ctx.db))
        self.sender_edit.setPlaceholderText("如：区经信委（可不填）")
        self.sender_edit.setToolTip("交换包上署的发送方名称；不填则用所选的责任单位或电脑名。填写后本机会记住。")
        form.addRow("发送方（本机单位）：", self.sender_edit)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("导出…")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def values(self) -> tuple[str, dt.date | None, str]:
        since = self.since_edit.date().toPython() if self.since_check.isChecked() else None
        return self.unit_combo.currentText().strip(), since, self.sender_edit.text().strip()


# -- the four flows ---------------------------------------------------------------------------------------------

def _title_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    dialogs.show_error(parent, title, str(exc))


def import_xlsx(parent: QWidget | None, ctx: Any, path: str | None = None) -> xlsx_import.ApplyResult | None:
    """File dialog → read (worker) → preview → apply (worker). Returns what was written, or None."""
    path = path or ask_open_path(parent, "导入调度表", XLSX_FILTER)
    if not path:
        return None
    from db import cycle
    if cycle.is_fill_form(path):  # a returned 填报表 becomes a submission, not figures
        from desktop.cycle_ui import import_fill_form
        import_fill_form(parent, ctx, path)
        return None

    def read(progress, cancelled):
        wdb = worker_database(ctx.db)
        try:
            return xlsx_import.read(wdb, path, progress=progress, cancelled=cancelled)
        finally:
            wdb.close()

    try:
        preview = run_in_background(parent, "导入调度表", f"正在读取 {Path(path).name}…", read)
    except xlsx_import.ImportCancelled:
        return None
    except PolicyTrackError as exc:
        _title_error(parent, "无法导入", exc)
        return None
    dialog = ImportPreviewDialog(ctx, preview, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None

    work = _apply_in_worker(ctx, xlsx_import.apply, preview)

    try:
        result = run_in_background(parent, "导入调度表", "正在写入数据库（全部成功或全部不写入）…", work)
    except (xlsx_import.ImportCancelled, PolicyTrackError) as exc:
        _title_error(parent, "导入未完成", exc if not isinstance(exc, xlsx_import.ImportCancelled)
                     else Exception("已取消，数据库没有任何改动"))
        return None
    _announce(ctx)
    if result.nothing_new:
        dialogs.show_info(parent, "导入调度表", "没有新的数据，未记录任何内容。")
    else:
        dialogs.show_info(parent, "导入调度表",
                          f"已导入 {preview.file_name}：新建项目 {result.projects_created} 个，记录更新 "
                          f"{result.updates_recorded} 条，调整年度计划 {result.targets_revised} 个，"
                          f"修改项目信息 {result.fields_changed} 项，本月进展 {result.notes_recorded} 条。\n\n"
                          + NOT_UNDOABLE)
    return result


def export_xlsx(parent: QWidget | None, ctx: Any, path: str | None = None) -> xlsx_export.ExportResult | None:
    as_of = ctx.as_of
    suggested = f"{ctx.plan_year['district']}{ctx.year}年重点项目调度表（截至{as_of.isoformat()}）.xlsx"
    path = path or ask_save_path(parent, "导出调度表", suggested, "Excel 工作簿 (*.xlsx)")
    if not path:
        return None
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    try:  # the file dialog asked before replacing; the guard still never replaces a database or another kind
        outputs.check_output(path, outputs.XLSX, force=True, open_db=ctx.db.path)
    except PolicyTrackError as exc:
        _title_error(parent, "无法导出", exc)
        return None

    def work(progress, cancelled):
        wdb = worker_database(ctx.db)
        try:
            return xlsx_export.export(wdb, path, as_of=as_of, progress=progress, cancelled=cancelled)
        finally:
            wdb.close()

    try:
        result = run_in_background(parent, "导出调度表", "正在生成调度表…", work)
    except xlsx_export.ExportCancelled:
        return None
    except (PolicyTrackError, OSError) as exc:
        _title_error(parent, "无法导出", exc)
        return None
    dialogs.show_info(parent, "导出调度表", f"已导出 {result.projects} 个项目（截至 {result.as_of.isoformat()}）：\n"
                                          f"{result.path}")
    return result


def export_exchange(parent: QWidget | None, ctx: Any) -> exchange.ExportSummary | None:
    form = ExchangeExportDialog(ctx, parent)
    if form.exec() != QDialog.DialogCode.Accepted:
        return None
    unit, since, sender = form.values()
    try:
        if sender and sender != ledger.site_name(ctx.db):
            ledger.set_site_name(ctx.db, sender)  # remembered: this PC signs its files with it from now on
    except PolicyTrackError as exc:
        _title_error(parent, "无法导出", exc)
        return None
    name = sender or (unit if unit and unit != "全部" else "全部")
    stamp = dt.date.today().strftime("%Y%m%d")
    path = ask_save_path(parent, "导出交换包", f"交换包-{name}-{stamp}{exchange.SUFFIX}", PTX_FILTER)
    if not path:
        return None
    try:
        outputs.check_output(path, outputs.EXCHANGE, force=True, open_db=ctx.db.path)
        summary = exchange.export(ctx.db, path, unit=unit or "全部", since=since, sender_name=sender or None)
    except (PolicyTrackError, OSError) as exc:
        _title_error(parent, "无法导出", exc)
        return None
    dialogs.show_info(parent, "导出交换包", f"已导出：更新 {summary.updates} 条，目标调整 {summary.targets} 条，"
                                          f"涉及项目 {summary.projects} 个。\n{summary.path}")
    return summary


def ask_unenrolled_reason(parent: QWidget | None, exc: exchange.UnenrolledSigner) -> str | None:
    """A file signed by a key not in the 单位名册: the reason for taking it this once (logged), or None."""
    from PySide6.QtWidgets import QInputDialog

    reason, ok = QInputDialog.getText(
        parent, "签名者未登记",
        f"{exc.reason}\n\n只有在电话核实发送方后才应接受。接受这一次的理由（记入变更记录）：")
    return reason.strip() if ok and reason.strip() else None


def import_exchange(parent: QWidget | None, ctx: Any, path: str | None = None) -> exchange.ExchangeResult | None:
    path = path or ask_open_path(parent, "导入交换包", PTX_FILTER)
    if not path:
        return None

    accepted: list[str] = []   # the reason for taking a file from a signer not in the 单位名册, once asked

    def read(progress, cancelled):
        wdb = worker_database(ctx.db)
        try:
            return exchange.read(wdb, path, accept_unenrolled=accepted[0] if accepted else None)
        finally:
            wdb.close()

    try:
        try:
            preview = run_in_background(parent, "导入交换包", f"正在检查并比对 {Path(path).name}…", read)
        except exchange.UnenrolledSigner as exc:
            reason = ask_unenrolled_reason(parent, exc)
            if not reason:
                return None
            accepted.append(reason)
            preview = run_in_background(parent, "导入交换包", f"正在检查并比对 {Path(path).name}…", read)
    except PolicyTrackError as exc:
        _title_error(parent, "无法导入", exc)
        return None
    dialog = ExchangePreviewDialog(ctx, preview, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None

    work = _apply_in_worker(ctx, exchange.apply, preview)

    try:
        result = run_in_background(parent, "导入交换包", "正在写入数据库（全部成功或全部不写入）…", work)
    except exchange.ExchangeCancelled:
        dialogs.show_info(parent, "导入交换包", "已取消，数据库没有任何改动。")
        return None
    except PolicyTrackError as exc:
        _title_error(parent, "导入未完成", exc)
        return None
    _announce(ctx)
    dialogs.show_info(parent, "导入交换包", "没有新的数据，未记录任何内容。" if result.nothing_new else
                      f"已导入：记录更新 {result.recorded_updates} 条，目标调整 {result.recorded_targets} 条，"
                      f"新建项目 {result.projects_created} 个，冲突保留本机 {result.kept_mine} 处"
                      + (f"，存在问题 {result.recorded_problems} 条" if result.recorded_problems else "")
                      + (f"，现场照片 {result.recorded_photos} 张" if result.recorded_photos else "") + "。\n\n"
                      + NOT_UNDOABLE)
    return result
