"""月度调度录入: the monthly entry grid — keyboard-only entry, paste from a spreadsheet, one 保存 for all rows.

Enter moves down, Tab moves right (over the typed columns only), Ctrl+V pastes a tab-separated block at the
current cell. Every edited row is checked at once; rows with errors or unconfirmed warnings are tinted with the
reason. 保存 writes every ready row in one transaction through db.recording.save_month, as one undoable step,
and only when no row is left with a problem (fix it, write a 确认理由, or tick 跳过).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QEvent, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemDelegate, QAbstractItemView, QApplication, QComboBox, QCompleter,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QStyledItemDelegate,
                               QTableView, QVBoxLayout, QWidget)

from db import PolicyTrackError, plan, progress, recording
from db.portfolios import LEVELS
from desktop import dialogs
from desktop.app import AppContext
from desktop.style import STATUS_INK
from desktop.models.month_grid import (COL_CHECK, COL_LEVEL, COL_NAME, COL_NO, COL_SKIP, COL_STAGE, COL_UNIT, COLUMNS,
                                       EDITABLE, NUMERIC, STATE_ROLE, SUBJECT_ROLE, MonthGridModel)
from desktop import operations

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class GridDelegate(QStyledItemDelegate):
    """Line editors; Enter commits and moves down (Tab keeps Qt's commit-and-edit-next)."""

    def __init__(self, view: "GridView", stages: list[str]):
        super().__init__(view)
        self.view = view
        self.stages = stages

    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QLineEdit(parent)
        editor.setFrame(False)
        if index.column() == COL_STAGE:
            completer = QCompleter(self.stages, editor)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            editor.setCompleter(completer)
        return editor

    def eventFilter(self, editor, event):  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() in ENTER_KEYS:
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.view.move_down()
            return True
        return super().eventFilter(editor, event)


class GridView(QTableView):
    """A table that walks like a spreadsheet: Enter down, Tab right over the typed columns, Ctrl+V a block."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.paste_handler = None

    def _editable_cols(self, row: int) -> list[int]:
        idx = self.model().index(row, 0)
        return [c for c in EDITABLE if self.model().flags(idx.siblingAtColumn(c)) & Qt.ItemFlag.ItemIsEditable]

    def moveCursor(self, action, modifiers):  # noqa: N802
        cur = self.currentIndex()
        model = self.model()
        if cur.isValid() and action in (QAbstractItemView.CursorAction.MoveNext,
                                        QAbstractItemView.CursorAction.MovePrevious):
            forward = action == QAbstractItemView.CursorAction.MoveNext
            row, col = cur.row(), cur.column()
            for _ in range(model.rowCount() + 1):
                cols = self._editable_cols(row)
                later = [c for c in cols if (c > col if forward else c < col)]
                if later:
                    return model.index(row, later[0] if forward else later[-1])
                row += 1 if forward else -1
                if not 0 <= row < model.rowCount():
                    return cur
                col = -1 if forward else len(COLUMNS)
            return cur
        return super().moveCursor(action, modifiers)

    def move_down(self) -> None:
        cur = self.currentIndex()
        if cur.isValid() and cur.row() + 1 < self.model().rowCount():
            self.setCurrentIndex(cur.siblingAtRow(cur.row() + 1))

    def keyPressEvent(self, event):  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Paste) and self.paste_handler:
            self.paste_handler()
            return
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() in ENTER_KEYS:
                self.move_down()
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                for idx in self.selectedIndexes() or [self.currentIndex()]:
                    if self.model().flags(idx) & Qt.ItemFlag.ItemIsEditable:
                        self.model().setData(idx, "", Qt.ItemDataRole.EditRole)
                return
        super().keyPressEvent(event)


class GridFilter(QSortFilterProxyModel):
    """Level, responsible unit and text (name or unit), plus 'only rows needing attention'."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.level = ""
        self.unit = ""
        self.text = ""
        self.only_problems = False

    def set_filter(self, *, level: str = "", unit: str = "", text: str = "", only_problems: bool = False) -> None:
        self.level, self.unit, self.text, self.only_problems = level, unit, text.strip().casefold(), only_problems
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # noqa: N802
        m = self.sourceModel()
        row = m.rows[source_row]
        if self.only_problems and row.state not in ("error", "warning"):
            return False
        if self.level and row.level != self.level:
            return False
        if self.unit and row.kind == "project" and row.unit != self.unit:
            return False
        if self.text and self.text not in row.name.casefold() and self.text not in row.unit.casefold():
            return False
        return True


class MonthEntryTab(QWidget):
    key = "entry"
    title = "月度调度录入"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, project_ids: list[int] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.project_ids = project_ids
        self.last_result: recording.SaveResult | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)

        top = QHBoxLayout()
        top.addWidget(QLabel("录入月份："))
        self.month_combo = QComboBox()
        self._fill_months()
        top.addWidget(self.month_combo)
        top.addSpacing(12)
        top.addWidget(QLabel("级别："))
        self.level_combo = QComboBox()
        self.level_combo.addItems(["全部", *LEVELS.values()])
        top.addWidget(self.level_combo)
        top.addWidget(QLabel("责任单位："))
        self.unit_combo = QComboBox()
        self.unit_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit_combo.setMinimumContentsLength(8)
        top.addWidget(self.unit_combo)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索项目名称或责任单位")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        top.addWidget(self.search, 1)
        lay.addLayout(top)
        actions = QHBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        actions.addWidget(self.status, 1)
        self.problems_button = QPushButton("只看待处理的行")
        self.problems_button.setCheckable(True)
        actions.addWidget(self.problems_button)
        self.skip_button = QPushButton("跳过有问题的行")
        self.skip_button.setToolTip("把有错误或待确认提示的行标为“跳过”，其余的行照常保存")
        actions.addWidget(self.skip_button)
        self.save_button = QPushButton("保存")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("把所有可保存的行在一个事务中写入（Ctrl+S）；可撤销")
        actions.addWidget(self.save_button)
        lay.addLayout(actions)

        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #5f6368;")
        lay.addWidget(self.hint)

        self.model = MonthGridModel(ctx.db, self)
        self.proxy = GridFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = GridView()
        self.view.setModel(self.proxy)
        self.view.paste_handler = self.paste
        self.view.setItemDelegate(GridDelegate(self.view, plan.stages(ctx.db)))
        self.view.setAlternatingRowColors(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        lay.addWidget(self.view, 1)

        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.detail)

        save_action = QAction("保存", self, triggered=self.save, shortcut=QKeySequence.StandardKey.Save)
        save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(save_action)
        self.save_button.clicked.connect(self.save)
        self.skip_button.clicked.connect(self.skip_problems)
        self.month_combo.currentIndexChanged.connect(self._month_chosen)
        for w in (self.level_combo, self.unit_combo):
            w.currentIndexChanged.connect(self._apply_filter)
        self.search.textChanged.connect(self._apply_filter)
        self.problems_button.toggled.connect(self._apply_filter)
        self.model.dataChanged.connect(lambda *_: self._update_status())
        self.view.selectionModel().currentChanged.connect(lambda *_: self._show_detail())
        self.model.dataChanged.connect(lambda *_: self._show_detail())
        self.model.modelReset.connect(self._update_status)
        ctx.data_changed.connect(self._on_data_changed)

        # Loaded when first shown: a 10,000-project grid must not slow the window's start.
        self.month: dt.date | None = None
        self._stale = True

    def _fill_months(self) -> None:
        """The months of every plan year held, oldest first: late figures for a year not yet closed (December's
        arrive in January) go in that year's month, and a new year's months appear once it is made."""
        self.month_combo.blockSignals(True)
        self.month_combo.clear()
        for py in plan.plan_years(self.ctx.db):
            for d in progress.month_ends(py["year"]):
                self.month_combo.addItem(f"{d.year}年{d.month}月", d.isoformat())
        if getattr(self, "month", None) is not None:
            self.month_combo.setCurrentIndex(max(0, self.month_combo.findData(self.month.isoformat())))
        self.month_combo.blockSignals(False)

    def month_plan_year(self) -> dict:
        """The plan year of the month being entered (the year follows from the date), else the one shown."""
        if self.month is not None and self.month.year != self.ctx.year:
            try:
                return plan.for_date(self.ctx.db, self.month)
            except PolicyTrackError:
                pass
        return self.ctx.plan_year

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self.month is None:
            self.month = self._default_month()
            self.month_combo.blockSignals(True)
            self.month_combo.setCurrentIndex(max(0, self.month_combo.findData(self.month.isoformat())))
            self.month_combo.blockSignals(False)
            self.reload()
        elif self._stale and self.model.dirty_rows():
            self.model.refresh_recorded()
        elif self._stale:
            self.reload()
        self._stale = False

    # -- state ---------------------------------------------------------------------------------------
    def _default_month(self) -> dt.date:
        """The month after the latest reported one (the month the office is collecting now)."""
        from db import updates
        return updates.next_month_to_report(self.ctx.db, self.ctx.year)

    def focus_first_input(self) -> None:
        """Keyboard focus in the grid, on the first typed cell (unless the cursor already sits on one)."""
        if self.month is None:
            self.reload()
        cur = self.view.currentIndex()
        if not cur.isValid() or not self.proxy.flags(cur) & Qt.ItemFlag.ItemIsEditable:
            for r in range(self.proxy.rowCount()):
                first = next((self.proxy.index(r, c) for c in EDITABLE
                              if self.proxy.flags(self.proxy.index(r, c)) & Qt.ItemFlag.ItemIsEditable), None)
                if first is not None:
                    self.view.setCurrentIndex(first)
                    self.view.scrollTo(first)
                    break
        self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def reload(self) -> None:
        if self.month is None:
            self.month = self._default_month()
        self._stale = False
        self.model.load(self.month_plan_year()["id"], self.month, self.project_ids)
        units = sorted({r.unit for r in self.model.rows if r.kind == "project" and r.unit})
        current = self.unit_combo.currentText()
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        self.unit_combo.addItems(["全部", *units])
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findText(current)))
        self.unit_combo.blockSignals(False)
        self._apply_filter()
        self._size_columns()
        prev = self.month.replace(day=1) - dt.timedelta(days=1)
        before = f"上月（截至 {prev.isoformat()}）" if prev.year == self.month.year else "上年末（不计入今年累计）"
        self.hint.setText(
            f"录入 {self.month.year}年{self.month.month}月（截至 {self.month.isoformat()}）的数据，左侧为{before}的数。"
            "“本月累计”与“本月完成”填一个，另一个自动推算；Enter 下移，Tab 右移，Ctrl+V 粘贴表格中复制的数据块。"
            "有错误或提示的行标色并写明原因：修正、填写确认理由，或勾选“跳过”后才能保存。")

    def _size_columns(self) -> None:
        fm = self.view.fontMetrics()
        widths = {COL_NO: 3, COL_NAME: 17, COL_LEVEL: 5, COL_UNIT: 10, COL_CHECK: 15}
        for col, title in enumerate(COLUMNS):
            chars = widths.get(col, max(7, len(title) + 1))
            self.view.setColumnWidth(col, fm.horizontalAdvance("汉") * chars + 16)

    def _month_chosen(self, index: int) -> None:
        d = dt.date.fromisoformat(self.month_combo.itemData(index))
        if self.month is None or d == self.month:
            return
        if not self.resolve_unsaved("切换录入月份"):
            self.month_combo.blockSignals(True)
            self.month_combo.setCurrentIndex(self.month_combo.findData(self.month.isoformat()))
            self.month_combo.blockSignals(False)
            return
        self.month = d
        self.reload()

    def _apply_filter(self, *_args) -> None:
        level = self.level_combo.currentText()
        unit = self.unit_combo.currentText()
        self.proxy.set_filter(level="" if level == "全部" else level, unit="" if unit in ("全部", "") else unit,
                              text=self.search.text(), only_problems=self.problems_button.isChecked())
        self._update_status()

    def _on_data_changed(self, kinds) -> None:
        if "plan_year" in kinds and self.month_combo.count() != 12 * len(plan.plan_years(self.ctx.db)):
            self._fill_months()     # 新建年度: its months can be entered
        if self.month is None:
            return  # not loaded yet: the first show reads everything
        if not self.isVisible() and not self.model.dirty_rows():
            self._stale = True
            return
        if kinds & {"update", "recording", "project", "target", "portfolio", "seed"}:
            if kinds & {"project", "portfolio", "seed"} and not self.model.dirty_rows():
                self.reload()
            else:
                self.model.refresh_recorded()

    def _show_detail(self) -> None:
        """The full check result of the current row under the grid (the cell itself is narrow)."""
        idx = self.view.currentIndex()
        if not idx.isValid():
            self.detail.setText("")
            return
        row = self.model.rows[self.proxy.mapToSource(idx).row()]
        text = self.model.check_text(row)
        colour = {"error": STATUS_INK["red"], "warning": STATUS_INK["amber"]}.get(row.state, "#3c4043")
        self.detail.setStyleSheet(f"color: {colour};")
        self.detail.setText(f"{row.name}：{text}" if text else "")

    def _update_status(self) -> None:
        rows = self.model.rows
        states = [r.state for r in rows]
        ready, errors, warnings, skipped = (states.count(s) for s in ("ok", "error", "warning", "skipped"))
        filled = ready + errors + warnings + skipped
        self.status.setText(f"显示 {self.proxy.rowCount()} / {len(rows)} 行；已填写 {filled} 行："
                            f"可保存 {ready}，有错误 {errors}，待确认 {warnings}，跳过 {skipped}")

    # -- actions -------------------------------------------------------------------------------------
    def paste(self) -> None:
        """Paste a tab-separated block (as a spreadsheet copies it) from the current cell over the typed columns."""
        text = QGuiApplication.clipboard().text()
        self.paste_text(text)

    def visible_columns(self) -> list[int]:
        """The grid's columns as the user sees them, left to right (moved or hidden columns respected)."""
        header = self.view.horizontalHeader()
        cols = [c for c in range(len(COLUMNS)) if not self.view.isColumnHidden(c)]
        return sorted(cols, key=header.visualIndex)

    def paste_text(self, text: str) -> int:
        """Map a tab-separated block onto the visible columns from the current cell, read-only columns included,
        so a block copied from the grid's own layout (grey 上月 columns and all) lands in the right columns.

        A value landing on a read-only column is not written; it must be empty or agree with what the cell shows,
        otherwise the block does not fit the grid's columns and nothing is pasted (a message says where). A block
        wider than the columns to the right of the cell is refused too. Returns the number of rows pasted."""
        cur = self.view.currentIndex()
        if not cur.isValid() or not text.strip("\r\n"):
            return 0
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        while lines and lines[-1] == "":
            lines.pop()
        visible = self.visible_columns()
        cols = visible[visible.index(cur.column()):] if cur.column() in visible else []
        block = [line.split("\t") for line in lines]
        width = max(len(values) for values in block)
        if width > len(cols):
            dialogs.show_error(self, "未粘贴", f"复制的数据块有 {width} 列，从“{COLUMNS[cur.column()]}”往右只有 "
                                             f"{len(cols)} 列，对不上，未粘贴任何数据。请从数据块第一列对应的列开始粘贴。")
            return 0
        cells, skipped = [], 0
        for i, values in enumerate(block):
            prow = cur.row() + i
            if prow >= self.proxy.rowCount():
                skipped = len(block) - i
                break
            srow = self.proxy.mapToSource(self.proxy.index(prow, 0)).row()
            row = self.model.rows[srow]
            for col, value in zip(cols, values):
                if row.editable(col):
                    cells.append((srow, col, value))
                elif col not in (COL_NO, COL_CHECK, COL_SKIP) and not _same_text(
                        value, self.proxy.index(prow, col).data() or "", col in NUMERIC):
                    dialogs.show_error(
                        self, "未粘贴",
                        f"复制的数据块与表格的列对不上：第 {i + 1} 行的“{value.strip()}”落在只读列“{COLUMNS[col]}”"
                        f"（{row.name}：{self.proxy.index(prow, col).data() or '空'}）。未粘贴任何数据。\n"
                        "粘贴时数据块的每一列要对准表格的同名列（灰色的上月列也算一列）。")
                    return 0
        self.model.set_texts(cells)
        if skipped:
            dialogs.show_info(self, "粘贴", f"表格下方没有更多行，{skipped} 行未粘贴。")
        return len(block) - skipped

    def skip_problems(self) -> None:
        for i in self.model.problem_rows():
            self.model.rows[i].skip = True
        self.model.dataChanged.emit(self.model.index(0, 0),
                                    self.model.index(max(0, len(self.model.rows) - 1), len(COLUMNS) - 1))

    def _commit_editor(self) -> None:
        """The cell being typed in counts as typed: commit it to the model."""
        view = self.view
        editor = QApplication.focusWidget()
        if view.state() == QAbstractItemView.State.EditingState and editor is not None \
                and view.viewport().isAncestorOf(editor):
            view.commitData(editor)
            view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def unsaved_rows(self) -> list[int]:
        """Rows with typed figures not yet saved (the cell being edited included)."""
        if self.month is None:
            return []
        self._commit_editor()
        return self.model.dirty_rows()

    def resolve_unsaved(self, title: str) -> bool:
        """Before typed figures would be lost (closing, switching month, a restore): ask 保存 / 放弃 / 取消.

        True when the caller may go on: nothing was typed, it was saved, or the user chose 放弃 (the typed
        figures are cleared). False on 取消, or when saving was refused (the reason is shown; the rows stay).
        """
        dirty = self.unsaved_rows()
        if not dirty:
            return True
        choice = dialogs.ask_unsaved(self, title, f"月度调度录入（{self.month.year}年{self.month.month}月）中有 "
                                                  f"{len(dirty)} 行录入尚未保存。")
        if choice == "cancel":
            return False
        if choice == "save":
            return self.save() is not None
        self.model.clear_inputs(dirty)
        return True

    def save(self) -> recording.SaveResult | None:
        """Write every ready row in one transaction as one undoable step; refuse while any row has a problem."""
        self._commit_editor()
        self.model.recheck(self.model.dirty_rows())
        problems = self.model.problem_rows()
        if problems:
            first = self.model.rows[problems[0]]
            dialogs.show_error(self, "未保存", f"有 {len(problems)} 行需要处理（修正、填写确认理由，或勾选“跳过”），"
                                             f"未保存任何数据。\n第一行：{first.name}\n{self.model.check_text(first)}")
            self._select(problems[0])
            return None
        rows = self.model.rows_to_save()
        if not rows:
            dialogs.show_info(self, "保存", "没有要保存的数据。")
            return None
        entries = [self.model.rows[i].entry() for i in rows]
        month = self.month
        result = operations.save_month(ctx=self.ctx, parent=self, as_of=month, entries=entries)
        if result is None:
            return None
        self.model.clear_inputs(rows)
        self.model.refresh_recorded()
        self.last_result = result
        self.status.setText(self.status.text() + f"；已保存 {len(rows)} 行")
        return result

    def _select(self, source_row: int) -> None:
        src = self.model.index(source_row, COL_CHECK)
        idx = self.proxy.mapFromSource(src)
        if idx.isValid():
            self.view.setCurrentIndex(idx)
            self.view.scrollTo(idx)

    def current_subject(self) -> tuple[str, int] | None:
        idx = self.view.currentIndex()
        return idx.data(SUBJECT_ROLE) if idx.isValid() else None

    def record_update(self) -> None:
        from desktop.record_dialog import open_record_dialog
        subject = self.current_subject()
        if subject is None:
            dialogs.show_info(self, "记录更新", "请先选择一行。")
            return
        open_record_dialog(self.ctx, subject[0], subject[1], self, as_of=self.month)

    def row_state(self, proxy_row: int) -> str:
        return self.proxy.index(proxy_row, 0).data(STATE_ROLE)


def _same_text(pasted: str, shown: str, numeric: bool) -> bool:
    """Does a value pasted onto a read-only cell agree with it (empty, the same text, or the same number)?"""
    pasted, shown = pasted.strip(), shown.strip()
    if not pasted or pasted == shown:
        return True
    if numeric:
        try:
            return Decimal(pasted.replace(",", "")) == Decimal(shown.replace(",", ""))
        except (InvalidOperation, ValueError):
            return False
    return False
