"""月度调度录入: one row per project (and per portfolio total) with last month's figures beside this month's fields.

The model keeps what was typed as text, checks each edited row with db.recording.check_month at once (errors and
plausibility warnings become the row's colour and its 检查结果 text), and builds the entries that one 保存 writes.

Money is shown in 亿元, the unit the units report in and the clerk types, exactly: as many decimals as the figure
needs, up to four (1 万元), so 0.95 never reads as 1.0 beside a 1.0 typed next to it. What is already recorded for
the month (the year-to-date figure and the stage) stands grey in the typed columns until something is typed over it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from db import Database, portfolios, projects, recording, targets, updates
from db.recording import IssueEntry, PortfolioEntry, ProjectEntry, RowReport
from desktop import formatting as fmt
from desktop.style import STATUS_TINT

# The check result sits next to the name so the reason of a tinted row is on screen without scrolling;
# level and unit (also filters above the grid) come last.
COLUMNS = ["序号", "项目名称", "检查结果", "年度计划（亿元）", "上月累计（亿元）", "本月累计（亿元）",
           "本月完成（亿元）", "上月形象进度", "本月形象进度", "本月进展", "存在问题", "责任人", "整改时限",
           "确认理由", "跳过", "级别", "责任单位"]
(COL_NO, COL_NAME, COL_CHECK, COL_PLAN, COL_PREV, COL_YTD, COL_MONTH, COL_PREV_STAGE, COL_STAGE, COL_PROGRESS,
 COL_ISSUE, COL_OWNER, COL_DEADLINE, COL_REASON, COL_SKIP, COL_LEVEL, COL_UNIT) = range(len(COLUMNS))
# Typed columns, in the order Tab walks them and a pasted block fills them.
EDITABLE = [COL_YTD, COL_MONTH, COL_STAGE, COL_PROGRESS, COL_ISSUE, COL_OWNER, COL_DEADLINE, COL_REASON]
PORTFOLIO_EDITABLE = [COL_YTD, COL_MONTH, COL_REASON]
VALUE_COLUMNS = [c for c in EDITABLE if c != COL_REASON]
NUMERIC = {COL_PLAN, COL_PREV, COL_YTD, COL_MONTH}
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
SUBJECT_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2     # 'empty' | 'ok' | 'error' | 'warning' | 'skipped'
GREY = QColor("#80868b")
ERROR_TINT = QColor(STATUS_TINT["red"])
WARNING_TINT = QColor(STATUS_TINT["amber"])
OK_TINT = QColor(STATUS_TINT["green"])
SKIPPED_INK = QColor("#9aa0a6")


@dataclass
class GridRow:
    kind: str                        # 'project' | 'portfolio'
    subject_id: int
    name: str
    level: str
    unit: str
    plan_wan: int | None
    prev_wan: int | None
    prev_stage: str | None
    recorded_wan: int | None = None  # already recorded for this month (typing again corrects it)
    recorded_stage: str | None = None  # the stage already recorded for this month (shown grey until retyped)
    inputs: dict[int, str] = field(default_factory=dict)
    skip: bool = False
    report: RowReport | None = None

    @property
    def has_input(self) -> bool:
        return any(self.inputs.get(c, "").strip() for c in VALUE_COLUMNS)

    @property
    def state(self) -> str:
        if not self.has_input:
            return "empty"
        if self.skip:
            return "skipped"
        r = self.report
        if r is None or r.errors:
            return "error"
        if r.unaccepted:
            return "warning"
        return "ok"

    def editable(self, col: int) -> bool:
        return col in (PORTFOLIO_EDITABLE if self.kind == "portfolio" else EDITABLE)

    def entry(self) -> PortfolioEntry | ProjectEntry:
        """The db entry for what was typed; the reason accepts the warnings the row shows now."""
        get = lambda c: self.inputs.get(c, "").strip()  # noqa: E731
        accepted: dict[str, str] = {}
        if get(COL_REASON) and self.report is not None:
            accepted = {w.code: get(COL_REASON) for w in self.report.warnings}
        if self.kind == "portfolio":
            return PortfolioEntry(self.subject_id, completed=get(COL_YTD) or None, month=get(COL_MONTH) or None,
                                  accepted=accepted)
        issues = []
        if get(COL_ISSUE) or get(COL_OWNER) or get(COL_DEADLINE):
            issues.append(IssueEntry(get(COL_ISSUE), owner=get(COL_OWNER), deadline=get(COL_DEADLINE) or None))
        return ProjectEntry(self.subject_id, completed=get(COL_YTD) or None, month=get(COL_MONTH) or None,
                            stage=get(COL_STAGE) or None, progress_note=get(COL_PROGRESS), issues=issues,
                            accepted=accepted)


class MonthGridModel(QAbstractTableModel):
    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        self.as_of: dt.date | None = None
        self.rows: list[GridRow] = []

    # -- loading ---------------------------------------------------------------------------------------
    def load(self, plan_year_id: int, as_of: dt.date, project_ids: Iterable[int] | None = None, *,
             include_portfolios: bool = True) -> None:
        """Rows for the portfolios' totals and the projects (all active ones, or those given), for ``as_of``."""
        db = self.db
        year_start = dt.date(as_of.year, 1, 1)
        prev_date = as_of.replace(day=1) - dt.timedelta(days=1)
        has_prev = prev_date >= year_start
        rows: list[GridRow] = []
        level_label = portfolios.LEVELS
        pfs = portfolios.list_for(db, plan_year_id)
        if include_portfolios:
            pf_plan = targets.as_of(db, "portfolio", "annual_plan", as_of)
            pf_prev = updates.as_of(db, "portfolio", "completed", prev_date, since=year_start) if has_prev else {}
            pf_now = updates.as_of(db, "portfolio", "completed", as_of, since=as_of)
            for pf in pfs:
                declared = f"（{pf['declared_count']} 个）" if pf["declared_count"] is not None else ""
                rows.append(GridRow("portfolio", pf["id"], f"{pf['name']}合计{declared}", level_label[pf["level"]],
                                    "", pf_plan.get(pf["id"], {}).get("value"),
                                    pf_prev.get(pf["id"], {}).get("value"), None,
                                    pf_now.get(pf["id"], {}).get("value")))
        wanted = None if project_ids is None else set(project_ids)

        def only(found: dict[int, dict], key: str) -> dict[int, Any]:
            # Keep the one figure a row shows; the full rows go at once (10,000 projects: a lower peak, less kept)
            return {i: r[key] for i, r in found.items()}
        plans = only(targets.as_of(db, "project", "annual_plan", as_of), "value")
        prev = only(updates.as_of(db, "project", "completed", prev_date, since=year_start), "value") \
            if has_prev else {}
        stage = only(updates.as_of(db, "project", "stage", prev_date), "text_value")
        now = only(updates.as_of(db, "project", "completed", as_of, since=as_of), "value")
        stage_now = only(updates.as_of(db, "project", "stage", as_of, since=as_of), "text_value")
        shared: dict[str, str] = {}
        for p in projects.list_for(db, plan_year_id):
            if wanted is not None and p["id"] not in wanted:
                continue
            unit = shared.setdefault(p["responsible_unit"], p["responsible_unit"])
            rows.append(GridRow("project", p["id"], p["name"], level_label[p["level"]], unit,
                                plans.get(p["id"]), prev.get(p["id"]), stage.get(p["id"]), now.get(p["id"]),
                                stage_now.get(p["id"])))
        self.beginResetModel()
        self.as_of = as_of
        self.rows = rows
        self.endResetModel()

    def refresh_recorded(self) -> None:
        """After a save or an undo elsewhere: what stands for this month now (typed text is kept)."""
        if self.as_of is None or not self.rows:
            return
        d = self.as_of
        now = {k: updates.as_of(self.db, k, "completed", d, since=d) for k in ("project", "portfolio")}
        stage_now = updates.as_of(self.db, "project", "stage", d, since=d)
        for r in self.rows:
            r.recorded_wan = now[r.kind].get(r.subject_id, {}).get("value")
            if r.kind == "project":
                r.recorded_stage = stage_now.get(r.subject_id, {}).get("text_value")
        self.recheck([i for i, r in enumerate(self.rows) if r.has_input])
        self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    # -- checking --------------------------------------------------------------------------------------
    def recheck(self, row_numbers: Iterable[int]) -> None:
        """Check the given rows against the database in one call and keep their reports."""
        targets_ = [i for i in sorted(set(row_numbers)) if self.rows[i].has_input]
        for i in row_numbers:
            if not self.rows[i].has_input:
                self.rows[i].report = None
        if not targets_ or self.as_of is None:
            return
        reports = recording.check_month(self.db, self.as_of, [self.rows[i].entry() for i in targets_])
        for i, report in zip(targets_, reports):
            row = self.rows[i]
            old = {w.code for w in row.report.warnings} if row.report else set()
            row.report = report
            if not row.inputs.get(COL_REASON) or not report.warnings:
                continue
            if not old:
                # The reason came with the figures (typed first, or pasted in the same block): it answers the
                # warnings they raise.
                row.report = recording.check_month(self.db, self.as_of, [row.entry()])[0]
            elif {w.code for w in report.warnings} != old:
                # The figures changed and raise other warnings than the ones the reason was written for.
                row.inputs[COL_REASON] = ""
                row.report = recording.check_month(self.db, self.as_of, [row.entry()])[0]
        self.dataChanged.emit(self.index(min(targets_), 0), self.index(max(targets_), len(COLUMNS) - 1))

    def dirty_rows(self) -> list[int]:
        return [i for i, r in enumerate(self.rows) if r.has_input]

    def problem_rows(self) -> list[int]:
        return [i for i, r in enumerate(self.rows) if r.state in ("error", "warning")]

    def rows_to_save(self) -> list[int]:
        return [i for i, r in enumerate(self.rows) if r.state == "ok"]

    def clear_inputs(self, row_numbers: Iterable[int]) -> None:
        for i in row_numbers:
            self.rows[i].inputs.clear()
            self.rows[i].report = None
            self.rows[i].skip = False
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    def set_texts(self, cells: list[tuple[int, int, str]]) -> None:
        """Set many typed cells (row, column, text) and check the touched rows once (a pasted block)."""
        touched = set()
        for r, c, text in cells:
            if 0 <= r < len(self.rows) and self.rows[r].editable(c):
                self.rows[r].inputs[c] = text.strip()
                touched.add(r)
        if touched:
            self.recheck(touched)
            self.dataChanged.emit(self.index(min(touched), 0), self.index(max(touched), len(COLUMNS) - 1))

    # -- Qt model ----------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in NUMERIC:
                return RIGHT
            if role == Qt.ItemDataRole.ToolTipRole:
                return {COL_YTD: "今年1月起的累计完成投资（亿元），可写“3000万”；与“本月完成”填一个即可",
                        COL_MONTH: "本月完成投资（亿元）；年度累计 = 上月累计 + 本月",
                        COL_REASON: "有提示时填写理由即确认该行的提示",
                        COL_SKIP: "勾选后本次保存跳过该行"}.get(section)
        elif role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        row = self.rows[index.row()]
        if index.column() == COL_SKIP:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if row.editable(index.column()):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, index.row(), col)
        if role == Qt.ItemDataRole.EditRole:
            return row.inputs.get(col, "")
        if role == Qt.ItemDataRole.CheckStateRole and col == COL_SKIP:
            return Qt.CheckState.Checked if row.skip else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole and col in NUMERIC:
            return RIGHT
        state = row.state
        if role == Qt.ItemDataRole.BackgroundRole:
            if state == "error":
                return ERROR_TINT
            if state == "warning":
                return WARNING_TINT
            if state == "ok" and col == COL_CHECK:
                return OK_TINT
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if state == "skipped":
                return SKIPPED_INK
            if col in (COL_YTD, COL_MONTH, COL_STAGE) and not row.inputs.get(col, "").strip():
                return GREY  # a derived figure, not typed
            if not row.editable(col) and col in (COL_PLAN, COL_PREV, COL_PREV_STAGE):
                return GREY
            return None
        if role == Qt.ItemDataRole.FontRole and row.kind == "portfolio" and col == COL_NAME:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col)
        if role == SUBJECT_ROLE:
            return (row.kind, row.subject_id)
        if role == STATE_ROLE:
            return state
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == COL_SKIP:
            row.skip = Qt.CheckState(value) == Qt.CheckState.Checked
            self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
            return True
        if role != Qt.ItemDataRole.EditRole or not row.editable(col):
            return False
        text = "" if value is None else str(value).strip()
        if row.inputs.get(col, "") == text:
            return False
        row.inputs[col] = text
        self.recheck([index.row()])
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
        return True

    # -- text --------------------------------------------------------------------------------------------
    def _display(self, row: GridRow, n: int, col: int) -> str:
        typed = row.inputs.get(col, "")
        if col == COL_NO:
            return "" if row.kind == "portfolio" else str(n + 1 - self._portfolio_rows())
        if col == COL_NAME:
            return row.name
        if col == COL_LEVEL:
            return row.level
        if col == COL_UNIT:
            return row.unit
        if col == COL_PLAN:
            return fmt.yi_exact(row.plan_wan) if row.plan_wan is not None else ""
        if col == COL_PREV:
            return fmt.yi_exact(row.prev_wan) if row.prev_wan is not None else ""
        if col == COL_PREV_STAGE:
            return row.prev_stage or ""
        if col in (COL_YTD, COL_MONTH):
            if typed:
                return typed
            r = row.report
            derived = None if r is None or r.errors else (r.completed_wan if col == COL_YTD else r.month_wan)
            if derived is None and col == COL_YTD and not row.has_input:
                derived = row.recorded_wan  # what already stands for this month, grey like a derived figure
            return fmt.yi_exact(derived) if derived is not None else ""
        if col == COL_STAGE and not typed:
            return row.recorded_stage or ""   # already recorded for this month, grey like a derived figure
        if col == COL_CHECK:
            return self.check_text(row)
        if col == COL_SKIP:
            return ""
        return typed

    @staticmethod
    def check_text(row: GridRow) -> str:
        state = row.state
        r = row.report
        if state == "empty":
            return f"本月已录入 {fmt.yi_exact(row.recorded_wan)} 亿元" if row.recorded_wan is not None else ""
        if state == "skipped":
            return "跳过，不保存"
        if state == "error":
            return "错误：" + "；".join(f"「{p.field}」{p.message}" for p in r.errors) if r else "错误"
        if state == "warning":
            return "待确认：" + "；".join(f"［{w.label}］{w.message}" for w in r.unaccepted)
        accepted = [w for w in r.warnings if w.accepted]
        if accepted:
            return "已确认：" + "、".join(w.label for w in accepted)
        return "更正本月已录入数" if row.recorded_wan is not None and any(
            row.inputs.get(c) for c in (COL_YTD, COL_MONTH)) else "可保存"

    def _tooltip(self, row: GridRow, col: int) -> str | None:
        if col == COL_CHECK or row.state in ("error", "warning"):
            text = self.check_text(row)
            if row.state == "warning":
                text += "\n核实无误请在“确认理由”中写明理由，或勾选“跳过”。"
            return text or None
        if col == COL_NAME:
            return row.name
        return None

    def _portfolio_rows(self) -> int:
        return sum(1 for r in self.rows if r.kind == "portfolio")
