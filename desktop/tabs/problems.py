"""问题清单: every 存在问题 across projects with its 类别, 责任单位/责任人, 整改时限, status and days overdue;
filters (unit, category, status, overdue), search and sorting; add/edit/resolve/销号 (undoable, logged) and a
督办通知 PDF for the selected problem or unit."""
from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMenu, QPlainTextEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from db import PolicyTrackError, problems, projects, settings
from db.reporting import UNKNOWN_UNIT
from desktop import dialogs
from desktop.app import AppContext
from desktop.style import status_ink, status_tint
from desktop.undo import push_db_command

ALL = "全部"
COLUMNS = ["编号", "项目", "责任单位", "问题", "类别", "责任单位/责任人", "提出日期", "整改时限", "状态", "逾期天数"]
STATUS_COLOURS = {"open": "amber", "resolved": "green", "closed": None}
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _resolve(db, problem_id: int, note: str) -> problems.Written:
    return problems.resolve(db, problem_id, note)


def _close(db, problem_id: int, note: str) -> problems.Written:
    return problems.close(db, problem_id, note)


class _SortItem(QTableWidgetItem):
    """A cell that sorts by a key (numbers as numbers, empty dates last) rather than by its text."""

    def __init__(self, text: str, key: Any):
        super().__init__(text)
        self.key = key

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, _SortItem):
            return self.key < other.key
        return super().__lt__(other)


def _qdate(iso: str | None) -> QDate:
    d = dt.date.fromisoformat(iso) if iso else dt.date.today()
    return QDate(d.year, d.month, d.day)


def _iso(edit: QDateEdit) -> str:
    return edit.date().toString("yyyy-MM-dd")


class ProblemDialog(QDialog):
    """Add (row None) or edit a problem: project, 问题, 类别, 责任单位/责任人, 提出日期 (add only), 整改时限."""

    def __init__(self, ctx: AppContext, row: dict[str, Any] | None = None, parent: QWidget | None = None,
                 project_id: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.setWindowTitle("修改问题" if row else "新增问题")
        form = QFormLayout(self)
        self.project = QComboBox()
        for p in projects.list_for(ctx.db, ctx.plan_year["id"]):
            self.project.addItem(p["name"], p["id"])
        want = row["project_id"] if row else project_id
        if want is not None:
            self.project.setCurrentIndex(max(0, self.project.findData(want)))
        self.project.setEnabled(row is None)
        self.text = QPlainTextEdit(row["text"] if row else "")
        self.text.setPlaceholderText("存在问题（如：用地指标未落实）")
        self.text.setFixedHeight(80)
        self.category = QComboBox()
        self.category.addItems(problems.categories(ctx.db))
        if row and self.category.findText(row["category"]) < 0:
            self.category.addItem(row["category"])
        self.category.setCurrentText(row["category"] if row else problems.FALLBACK_CATEGORY)
        self.owner = QLineEdit(row["owner"] if row else "")
        self.owner.setPlaceholderText("责任单位/责任人")
        self.raised = QDateEdit(_qdate(row["raised"] if row else None))
        self.raised.setCalendarPopup(True)
        self.raised.setDisplayFormat("yyyy-MM-dd")
        self.raised.setEnabled(row is None)
        self.due = QDateEdit(_qdate(row["due"] if row and row["due"] else None))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        form.addRow("项目", self.project)
        form.addRow("问题", self.text)
        form.addRow("类别", self.category)
        form.addRow("责任单位/责任人", self.owner)
        form.addRow("提出日期", self.raised)
        form.addRow("整改时限", self.due)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {status_ink('red').name()};")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, self.sizeHint().height())

    def save(self) -> None:
        db = self.ctx.db
        text, category, owner, due = (self.text.toPlainText(), self.category.currentText(), self.owner.text(),
                                      _iso(self.due))
        if self.row is None:
            pid, raised = self.project.currentData(), _iso(self.raised)
            action: Callable[[], problems.Written] = lambda: problems.add(  # noqa: E731
                db, project_id=pid, text=text, category=category, owner=owner, due=due, raised=raised)
            label = f"新增问题：{text.strip()[:20]}"
        else:
            problem_id = self.row["id"]
            action = lambda: problems.edit(db, problem_id, text=text, category=category, owner=owner,  # noqa: E731
                                           due=due)
            label = f"修改问题 #{problem_id}"
        try:
            push_problem_command(self.ctx, label, action)
        except PolicyTrackError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def push_problem_command(ctx: AppContext, label: str, action: Callable[[], problems.Written]) -> None:
    """Run a problem write through the undo stack: undo writes the version before; redo undoes that undo."""
    state: dict[str, problems.Written] = {}

    def redo() -> None:
        if "undone" in state:
            state["written"] = problems.undo(ctx.db, state.pop("undone"))
        else:
            state["written"] = action()

    def undo() -> None:
        state["undone"] = problems.undo(ctx.db, state["written"])

    push_db_command(ctx.undo_stack, label, redo, undo)


class ProblemsTab(QWidget):
    key = "problems"
    title = "问题清单"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today: dt.date | None = None  # None: the real date judges overdue (tests set one)
        self.rows: list[dict[str, Any]] = []
        self.shown: list[dict[str, Any]] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        lay.addWidget(self.heading)

        filters = QHBoxLayout()
        self.unit_filter = QComboBox()
        self.category_filter = QComboBox()
        self.status_filter = QComboBox()
        self.status_filter.addItems(["未解决", "已解决", "已销号", ALL])
        self.overdue_only = QCheckBox("只看逾期")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索项目、问题、责任人…")
        self.search.setMinimumWidth(80)
        self.search.setClearButtonEnabled(True)
        for label, w in (("责任单位", self.unit_filter), ("类别", self.category_filter),
                         ("状态", self.status_filter)):
            filters.addWidget(QLabel(label))
            filters.addWidget(w)
        filters.addWidget(self.overdue_only)
        filters.addWidget(self.search, 1)
        lay.addLayout(filters)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("新增…")
        self.add_button.setToolTip("新增一个问题")
        self.edit_button = QPushButton("修改…")
        self.resolve_button = QPushButton("已解决…")
        self.resolve_button.setToolTip("把所选问题标为已解决，写明解决情况")
        self.close_button = QPushButton("销号…")
        self.close_button.setToolTip("核实后给已解决的问题销号")
        self.notice_menu = QMenu(self)
        self.notice_action = self.notice_menu.addAction("所选问题…")
        self.unit_notice_action = self.notice_menu.addAction("按责任单位（所选问题的单位，或筛选出的全部单位）…")
        self.notice_button = QPushButton("督办通知")
        self.notice_button.setToolTip("生成督办通知 PDF：所选问题一页，或每个责任单位一页")
        self.notice_button.setMenu(self.notice_menu)
        self.category_button = QPushButton("类别…")
        self.category_button.setToolTip("编辑问题类别列表")
        for b in (self.add_button, self.edit_button, self.resolve_button, self.close_button, self.notice_button,
                  self.category_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.add_button.clicked.connect(self.add_problem)
        self.edit_button.clicked.connect(self.edit_problem)
        self.resolve_button.clicked.connect(self.resolve_problem)
        self.close_button.clicked.connect(self.close_problem)
        self.notice_action.triggered.connect(self.write_problem_notice)
        self.unit_notice_action.triggered.connect(self.write_unit_notice)
        self.category_button.clicked.connect(self.edit_categories)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(self.table, 1)
        self.empty_label = QLabel()
        lay.addWidget(self.empty_label)

        for combo in (self.unit_filter, self.category_filter, self.status_filter):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.overdue_only.toggled.connect(self.apply_filters)
        self.search.textChanged.connect(self.apply_filters)
        ctx.data_changed.connect(self.refresh)
        self.refresh()

    # -- reading --------------------------------------------------------------------------------

    def refresh(self, *_args) -> None:
        try:
            self.rows = problems.register(self.ctx.db, today=self.today)
            cats = problems.categories(self.ctx.db)
        except PolicyTrackError as exc:
            self.heading.setText(f"无法读取问题清单：{exc}")
            return
        units = sorted({r["unit"] or UNKNOWN_UNIT for r in self.rows})
        cats += sorted({r["category"] for r in self.rows} - set(cats))
        for combo, items in ((self.unit_filter, units), (self.category_filter, cats)):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([ALL, *items])
            combo.setCurrentIndex(max(0, combo.findText(current)))
            combo.blockSignals(False)
        open_rows = [r for r in self.rows if r["status_code"] == "open"]
        late = sum(1 for r in open_rows if r["overdue"])
        self.heading.setText(f"问题清单 · 未解决 {len(open_rows)} 个" + (f"，其中逾期 {late} 个" if late else "")
                             + f" · 已解决 {len(self.rows) - len(open_rows)} 个")
        self.apply_filters()

    def set_filters(self, *, unit: str | None = None, category: str | None = None, status: str | None = None,
                    overdue: bool | None = None, search: str | None = None) -> None:
        for combo, value in ((self.unit_filter, unit), (self.category_filter, category),
                             (self.status_filter, status)):
            if value is not None:
                combo.setCurrentIndex(max(0, combo.findText(value)))
        if overdue is not None:
            self.overdue_only.setChecked(overdue)
        if search is not None:
            self.search.setText(search)
        self.apply_filters()

    def _matches(self, r: dict[str, Any]) -> bool:
        unit, cat, status = (self.unit_filter.currentText(), self.category_filter.currentText(),
                             self.status_filter.currentText())
        if unit not in ("", ALL) and (r["unit"] or UNKNOWN_UNIT) != unit:
            return False
        if cat not in ("", ALL) and r["category"] != cat:
            return False
        if status not in ("", ALL) and r["status"] != status:
            return False
        if self.overdue_only.isChecked() and not r["overdue"]:
            return False
        words = self.search.text().strip().casefold().split()
        hay = " ".join(str(r[k]) for k in ("project", "unit", "text", "category", "owner", "note")).casefold()
        return all(w in hay for w in words)

    def apply_filters(self, *_args) -> None:
        self.shown = [r for r in self.rows if self._matches(r)]
        self.table.setSortingEnabled(False)
        self.table.clearContents()
        self.table.setRowCount(len(self.shown))
        for n, r in enumerate(self.shown):
            status_colour = "red" if r["overdue"] else STATUS_COLOURS[r["status_code"]]
            cells = [_SortItem(str(r["id"]), r["id"]), QTableWidgetItem(r["project"]),
                     QTableWidgetItem(r["unit"] or UNKNOWN_UNIT), QTableWidgetItem(r["text"]),
                     QTableWidgetItem(r["category"]), QTableWidgetItem(r["owner"]),
                     _SortItem(r["raised"], r["raised"]), _SortItem(r["due"] or "", r["due"] or "9999-12-31"),
                     QTableWidgetItem(r["status"]),
                     _SortItem(str(r["overdue_days"]) if r["overdue"] else "", r["overdue_days"])]
            cells[0].setData(Qt.ItemDataRole.UserRole, r["id"])
            cells[3].setToolTip(r["text"] + (f"\n解决情况：{r['note']}" if r["note"] else ""))
            for c in (0, 9):
                cells[c].setTextAlignment(RIGHT)
            tint = status_tint(status_colour)
            if tint is not None:
                cells[8].setBackground(tint)
            cells[8].setForeground(status_ink(status_colour))
            if r["overdue"]:
                cells[9].setForeground(status_ink("red"))
                cells[7].setForeground(status_ink("red"))
            for c, item in enumerate(cells):
                self.table.setItem(n, c, item)
        self.table.setSortingEnabled(True)
        self.empty_label.setText("" if self.shown else ("没有符合筛选条件的问题" if self.rows else
                                                        "还没有登记问题：点“新增问题…”登记一个"))
        self._update_buttons()

    def selected(self) -> dict[str, Any] | None:
        items = self.table.selectedItems()
        if not items:
            return None
        cell = self.table.item(items[0].row(), 0)
        pid = cell.data(Qt.ItemDataRole.UserRole) if cell else None
        return next((r for r in self.rows if r["id"] == pid), None)

    def select_problem(self, problem_id: int) -> None:
        for n in range(self.table.rowCount()):
            if self.table.item(n, 0).data(Qt.ItemDataRole.UserRole) == problem_id:
                self.table.selectRow(n)
                return

    def _update_buttons(self) -> None:
        r = self.selected()
        self.edit_button.setEnabled(r is not None)
        self.resolve_button.setEnabled(r is not None and r["status_code"] == "open")
        self.close_button.setEnabled(r is not None and r["status_code"] == "resolved")
        self.notice_action.setEnabled(r is not None and r["status_code"] == "open")
        self.unit_notice_action.setEnabled(any(x["status_code"] == "open" for x in self.shown))

    # -- writing --------------------------------------------------------------------------------

    def _double_clicked(self, _index) -> None:
        self.edit_problem()

    def _run_dialog(self, row: dict[str, Any] | None) -> None:
        d = ProblemDialog(self.ctx, row, self)
        d.exec()
        d.deleteLater()

    def add_problem(self) -> None:
        self._run_dialog(None)

    def edit_problem(self) -> None:
        r = self.selected()
        if r is not None:
            self._run_dialog(r)

    def write_problem_notice(self, *_args) -> None:
        self.write_notice(per_problem=True)

    def write_unit_notice(self, *_args) -> None:
        self.write_notice(per_problem=False)

    def _note_write(self, title: str, prompt: str, label: str, write: Callable[[str], problems.Written],
                    required: bool) -> None:
        note = dialogs.ask_text(self, title, prompt)
        if note is None:
            return
        if required and not note.strip():
            dialogs.show_error(self, title, "请写明问题如何解决")
            return
        try:
            push_problem_command(self.ctx, label, partial(write, note))
        except PolicyTrackError as exc:
            dialogs.show_error(self, title, str(exc))

    def resolve_problem(self) -> None:
        r = self.selected()
        if r is None:
            return
        self._note_write("标为已解决", f"问题：{r['text']}\n解决情况：", f"问题已解决 #{r['id']}",
                         partial(_resolve, self.ctx.db, r["id"]), True)

    def close_problem(self) -> None:
        r = self.selected()
        if r is None:
            return
        self._note_write("销号", f"问题：{r['text']}\n销号说明（可不填）：", f"问题销号 #{r['id']}",
                         partial(_close, self.ctx.db, r["id"]), False)

    def edit_categories(self) -> None:
        current = problems.categories(self.ctx.db)
        text = dialogs.ask_text(self, "类别列表", "问题类别（用“/”分隔；删除的类别不影响已登记的问题）：",
                                "/".join(current))
        if text is None:
            return
        wanted = [t.strip() for t in text.replace("／", "/").split("/") if t.strip()]
        try:
            for name in wanted:
                if name not in current:
                    problems.add_category(self.ctx.db, name)
            for name in current:
                if name not in wanted:
                    problems.remove_category(self.ctx.db, name)
        except PolicyTrackError as exc:
            dialogs.show_error(self, "类别列表", str(exc))
        self.refresh()

    def notice_data(self, per_problem: bool) -> dict[str, Any]:
        from desktop.report.supervision import group_by_unit

        if per_problem:
            r = self.selected()
            rows = [r] if r is not None and r["status_code"] == "open" else []
        else:
            rows = [r for r in self.shown if r["status_code"] == "open"]
            r = self.selected()
            if r is not None:
                rows = [x for x in rows if x["unit"] == r["unit"]]
        py = self.ctx.plan_year
        return {"district": py["district"], "plan_year": py["year"],
                "organization": settings.get(self.ctx.db, "organization") or f"{py['district']}发展和改革委员会",
                "groups": group_by_unit(rows, per_problem=per_problem)}

    def write_notice(self, per_problem: bool) -> None:
        from desktop.exchange_ui import ask_save_path
        from desktop.report.supervision import build_supervision

        data = self.notice_data(per_problem)
        if not data["groups"]:
            return
        name = data["groups"][0][0] if len(data["groups"]) == 1 else "各责任单位"
        path = ask_save_path(self, "生成督办通知", str(Path.home() / f"督办通知-{name}.pdf"), "PDF 文件 (*.pdf)")
        if not path:
            return
        try:
            result = build_supervision(data, path, made_on=self.today)
        except OSError as exc:
            dialogs.show_error(self, "未能生成督办通知", f"无法写入 {path}：{exc.strerror or exc}")
            return
        dialogs.show_info(self, "督办通知", f"已生成 {path}（共 {result['pages']} 页）")
