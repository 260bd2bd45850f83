"""Import of 调度表 spreadsheets: a preview (what each row will record, what could not be read) and an apply that
writes every row or none in one transaction. Importing the same figures again records nothing.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

from db import backups, clusters, ledger, plan, plausibility, portfolios, projects, recording, targets, updates
from db.connection import Database
from db.errors import PolicyTrackError, ValidationError
from db.schedule import (FIELD_LABELS, CellProblem, NoHeader, ParseContext, SheetLayout, SheetRow,
                         parse_sheet)
from db import schedule, spreadsheet, xlsx_cells
from db.plausibility import Warning
from db.spreadsheet import SpreadsheetRefused
from db.subjects import Subject
from db.validate import month_end, name_key, normalize_text, parse_name

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

# Project fields a sheet may carry: sheet value key -> (project column, label)
PROJECT_FIELDS = {
    "code": ("code", "项目代码"),
    "responsible_unit": ("responsible_unit", "责任单位"),
    "responsible_leader": ("responsible_leader", "包联领导"),
    "location": ("location", "建设地点"),
    "total_investment": ("total_investment_wan", "总投资"),
    "start_year": ("start_year", "开工年份"),
    "finish_year": ("finish_year", "竣工年份"),
}
UPDATE_KEYS = {"completed": "累计完成投资", "stage": "形象进度", "physical_progress": "工程量完成比例"}
NOTE_LABEL = "本月进展"


class ImportCancelled(PolicyTrackError):
    def __init__(self) -> None:
        super().__init__("导入已取消，数据库没有任何改动")


class ImportRefused(PolicyTrackError):
    """The file cannot be imported as it is (a refusal, or warnings nobody accepted): nothing was written."""


@dataclass
class Change:
    """One thing applying a row will write. Values in storage units (万元, basis points) or text."""
    kind: str  # 'create' | 'field' | 'target' | 'update' | 'note' (本月进展)
    key: str
    label: str
    before: Any
    after: Any


@dataclass
class RowPlan:
    sheet: str
    row: int
    name: str
    as_of: dt.date | None
    level: str | None
    level_source: str
    status: str  # 'new' | 'matched' | 'skipped'
    reason: str = ""
    project_id: int | None = None
    project_name: str = ""
    portfolio_id: int | None = None
    plan_year_id: int | None = None
    cluster_id: int | None = None
    cluster_name: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    same: list[str] = field(default_factory=list)  # labels of figures the database already holds
    problems: list[CellProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Plausibility warnings on the figures this row writes (the same checks and words as typing): the import
    # refuses while any stands, unless a reason accepts them all (recorded beside each figure).
    checks: list[Warning] = field(default_factory=list)
    level_unknown: bool = False  # skipped only because no portfolio could be chosen for a new project

    @property
    def note(self) -> str:
        return self.values.get("note", "")


@dataclass
class SheetPlan:
    name: str
    layout: SheetLayout | None
    rows: list[RowPlan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # found when planning (a year the database has not)


@dataclass
class ImportPreview:
    path: str
    file_name: str
    sha256: str
    reader: str
    sheets: list[SheetPlan]
    skipped_sheets: list[tuple[str, str]]
    default_level: str | None = None
    as_of: dt.date | None = None
    earlier_imports: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # CPU seconds per phase (the benchmark reads them)
    stamp: tuple[int, ...] | None = None  # the database's change stamp the plan was made at
    accept_reason: str = ""  # accepts every plausibility warning (the dialog's field, --accept-warnings)

    @property
    def rows(self) -> list[RowPlan]:
        return [r for s in self.sheets for r in s.rows]

    @property
    def problems(self) -> list[tuple[str, CellProblem]]:
        """Every cell that could not be read, with its sheet."""
        out = []
        for s in self.sheets:
            if s.layout:
                out += [(s.name, p) for p in s.layout.problems]
            for r in s.rows:
                out += [(s.name, p) for p in r.problems]
        return sorted(out, key=lambda sp: (sp[0], sp[1].row, len(sp[1].column), sp[1].column))

    @property
    def change_count(self) -> int:
        return sum(len(r.changes) for r in self.rows if r.status != "skipped")

    @property
    def new_projects(self) -> list[RowPlan]:
        return [r for r in self.rows if r.status == "new"]

    @property
    def skipped_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.status == "skipped"]

    @property
    def nothing_to_do(self) -> bool:
        return self.change_count == 0

    @property
    def refusals(self) -> list[str]:
        """Why the file cannot be imported at all; each names the sheet and both values."""
        out = []
        for s in self.sheets:
            out += [f"工作表“{s.name}”：{r}" for r in (s.layout.refusals if s.layout else [])]
            out += [f"工作表“{s.name}”：{r}" for r in s.refusals]
        return out

    @property
    def checks(self) -> list[tuple[RowPlan, Warning]]:
        """Every plausibility warning on a row that will be written."""
        return [(r, w) for r in self.rows if r.status != "skipped" and r.changes for w in r.checks]

    @property
    def level_unknown_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.status == "skipped" and r.level_unknown]

    @property
    def written_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.status != "skipped" and r.changes]

    @property
    def warnings(self) -> list[str]:
        out = []
        for s in self.sheets:
            out += [f"工作表“{s.name}”：{w}" for w in (s.layout.warnings if s.layout else [])]
            out += [f"工作表“{s.name}”：{w}" for w in s.warnings]
        return out


@dataclass
class ApplyResult:
    batch_id: int | None
    projects_created: int
    updates_recorded: int
    targets_revised: int
    fields_changed: int
    rows_written: int
    notes_recorded: int = 0

    @property
    def nothing_new(self) -> bool:
        return self.batch_id is None


# -- reading ----------------------------------------------------------------------------------------------

def read(db: Database, path: str | os.PathLike, *, as_of: dt.date | str | None = None, reader: str = "auto",
         progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> ImportPreview:
    """Read a 调度表 file and plan its import against the database (nothing is written).

    Refuses (SpreadsheetRefused, nothing changed) a file that is not a workbook, is encrypted, is an XML bomb, or
    has no sheet with a recognisable header.
    """
    # The year a title without one ("1—7月") is read in: --as-of's, else the latest plan year held.
    from db.validate import parse_date
    py = plan.for_date(db, parse_date(as_of, "截至日期")) if as_of is not None else plan.current_plan_year(db)
    with updates.paused_gc():
        preview = parse_file(path, year=py["year"], stages=plan.stages(db), as_of=as_of, reader=reader,
                             progress=progress, cancelled=cancelled)
        plan_for(db, preview)
    return preview


def plan_for(db: Database, preview: ImportPreview) -> ImportPreview:
    """Compare a parsed file with the database: the second half of read(), on the database's own thread."""
    t0 = time.process_time()
    preview.earlier_imports = ledger.batches_for_file(db, preview.sha256)
    with updates.paused_gc():
        plan_rows(db, preview)
    # Matching rows to projects and comparing figures; the plausibility checks inside it counted apart.
    preview.seconds["match"] = time.process_time() - t0 - preview.seconds.get("validate", 0.0)
    return preview


def parse_file(path: str | os.PathLike, *, year: int, stages: list[str], as_of: dt.date | str | None = None,
               reader: str = "auto", progress: ProgressFn | None = None,
               cancelled: CancelFn | None = None) -> ImportPreview:
    """The database-free half of read(): check and parse the file (safe to run on a worker thread)."""
    t0 = time.process_time()
    fixed = None
    if as_of is not None:
        from db.validate import parse_date
        fixed = parse_date(as_of, "截至日期")
    _tick(progress, 0, 3, "正在检查文件")
    sha = ledger.file_sha256(path)
    wb = spreadsheet.read(path, reader=reader, cancelled=cancelled)
    _check_cancel(cancelled)
    t1 = time.process_time()
    _tick(progress, 1, 3, "正在识别表头和各行")

    def formats(sheet: str, rows: int) -> dict[tuple[int, int], str]:
        return spreadsheet.peek_number_formats(path, sheet, rows)

    ctx = ParseContext(year=year, stages=stages, as_of=fixed, cancelled=cancelled,
                       number_formats=formats if wb.reader == "calamine" else None,
                       unreadable=xlsx_cells.unreadable_cells(path) if wb.kind == "xlsx" else {})
    sheets: list[SheetPlan] = []
    skipped = list(wb.skipped_sheets)
    for grid in wb.sheets:
        try:
            layout = parse_sheet(grid, ctx)
        except NoHeader:
            if any(any(not schedule.is_empty(v) for v in row) for row in grid.rows):
                skipped.append((grid.name, "没有找到可识别的表头（如“项目名称”“累计完成投资”）"))
            else:
                skipped.append((grid.name, "空白工作表"))
            continue
        except schedule.Cancelled:
            raise ImportCancelled() from None
        sheets.append(SheetPlan(grid.name, layout))
    if not sheets:
        detail = "；".join(f"“{n}”：{why}" for n, why in skipped) or "文件中没有工作表"
        raise SpreadsheetRefused(path, f"没有找到可识别的调度表表头（需要“项目名称”列和至少一列投资或进度）。{detail}")
    t2 = time.process_time()
    _tick(progress, 2, 3, "正在与数据库中的项目比对")
    return ImportPreview(path=str(path), file_name=Path(path).name, sha256=sha, reader=wb.reader, sheets=sheets,
                         skipped_sheets=skipped, as_of=fixed, seconds={"read": t1 - t0, "parse": t2 - t1})


def _tick(progress: ProgressFn | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, total, message)


def _check_cancel(cancelled: CancelFn | None) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled()


# -- planning: compare every row with the database ---------------------------------------------------------

class _Standing:
    """Bulk look-ups of what the database holds at a date, cached per date.

    Figures are (value, text_value, as_of) per project (db.updates.standing_values). A figure asked for at an
    earlier date than one already read (last month's standing after this month's) is taken from that read for
    every project whose standing there is dated on or before the earlier date — it is the same row — and looked
    up only for the others.
    """

    def __init__(self, db: Database):
        self.db = db
        self.cache: dict[tuple[str, str, Any], dict[int, Any]] = {}   # (what, metric, date) -> per project
        self.checking = 0.0  # seconds spent in the plausibility checks (the benchmark's "validate" phase)
        self._by_year: dict[tuple[str, dt.date, int], dict[int, tuple[Any, Any, str]]] = {}
        self.together: set[str] = set()   # the figures the sheets carry (read together at a date)

    def _figures(self, metric: str, d: dt.date, since: dt.date | str) -> dict[int, tuple[Any, Any, str]]:
        key = ("u", metric, d, since)
        found = self.cache.get(key)
        if found is None:
            later = [k for k in self.cache if k[0] == "u" and k[1] == metric and k[2] > d and k[3] == since]
            if later:
                found = self._earlier(self.cache[max(later, key=lambda k: k[2])], metric, d, since)
            elif metric in self.together and len(self.together) > 1:
                # The sheet's other figures will be compared at this date too: all read in one pass.
                metrics = sorted(self.together)
                for m, figures in zip(metrics, updates.standing_values_multi(
                        self.db, "project", d, [(m, since) for m in metrics])):
                    self.cache.setdefault(("u", m, d, since), figures)
                found = self.cache[key]
            else:
                found = updates.standing_values(self.db, "project", metric, d, since=since)
            self.cache[key] = found
        return found

    def _earlier(self, later: dict[int, tuple[Any, Any, str]], metric: str, d: dt.date,
                 since: dt.date | str) -> dict[int, tuple[Any, Any, str]]:
        """The standing at ``d`` from the standing at a later date with the same ``since``: a project whose row
        there is dated on or before ``d`` stands on it at ``d`` too (no valid date lies between); a project
        without a row there has none at ``d`` either; the rest are looked up."""
        iso = d.isoformat()
        found: dict[int, tuple[Any, Any, str]] = {}
        redo = []
        for pid, fig in later.items():
            if fig[2] <= iso:
                found[pid] = fig
            else:
                redo.append(pid)
        if len(redo) > _LOOKUP_EACH:
            return updates.standing_values(self.db, "project", metric, d, since=since)
        for pid in redo:
            row = updates.as_of(self.db, "project", metric, d, since=since, subject_id=pid).get(pid)
            if row is not None:
                found[pid] = (row["value"], row["text_value"], row["as_of"])
        return {pid: found[pid] for pid in later if pid in found}   # as_of()'s subject order

    def update(self, metric: str, d: dt.date, year: int) -> dict[int, tuple[Any, Any, str]]:
        """(value, text_value, as_of) standing per project at ``d``, this plan year's rows only."""
        found = self._by_year.get((metric, d, year))   # asked up to three times per row: answered at once
        if found is None:
            found = self._by_year[(metric, d, year)] = self._figures(metric, d, dt.date(year, 1, 1))
        return found

    def note(self, d: dt.date) -> dict[int, str]:
        """本月进展 standing for exactly the reporting date, per project."""
        key = ("n", "progress_note", d)
        if key not in self.cache:
            rows = self.db.query(
                "SELECT project_id, text, retracted FROM progress_note n WHERE as_of = ? AND id = ("
                "SELECT max(id) FROM progress_note m WHERE m.project_id = n.project_id AND m.as_of = n.as_of)",
                (d.isoformat(),))
            self.cache[key] = {r["project_id"]: r["text"] for r in rows if not r["retracted"]}
        return self.cache[key]

    def stages(self) -> list[str]:
        key = ("l", "stages", "")
        if key not in self.cache:
            self.cache[key] = plan.stages(self.db)  # type: ignore[assignment]
        return self.cache[key]  # type: ignore[return-value]

    def stage_before(self, d: dt.date, year: int) -> dict[int, tuple[Any, Any, str]]:
        """The stage standing before the reporting month (any year: a stage carries over)."""
        key = ("s", "stage", d)
        found = self.cache.get(key)
        if found is None:
            first = d.replace(day=1) - dt.timedelta(days=1)
            this_year = self.cache.get(("u", "stage", d, dt.date(year, 1, 1)))
            if this_year is not None and first.year == year:
                # This month's stage of this year read already: a project whose standing there is dated before
                # the month stands on that row before it too; the others (no stage this year, or one this
                # month) are looked up over every year.
                iso = first.isoformat()
                found = {}
                redo = [pid for pid, fig in this_year.items() if fig[2] > iso]
                missing = self.db.conn.execute(
                    "SELECT count(DISTINCT project_id) FROM progress_update WHERE project_id IS NOT NULL"
                    " AND metric = 'stage' AND as_of <= ?", (iso,)).fetchone()[0]
                known = sum(1 for fig in this_year.values() if fig[2] <= iso)
                if len(redo) + (missing - known) > _LOOKUP_EACH:
                    found = updates.standing_values(self.db, "project", "stage", first)
                else:
                    found = self._stage_mixed(this_year, first)
            else:
                found = updates.standing_values(self.db, "project", "stage", first)
            self.cache[key] = found
        return found  # type: ignore[return-value]

    def _stage_mixed(self, this_year: dict[int, tuple[Any, Any, str]], first: dt.date) -> dict[int, tuple]:
        iso = first.isoformat()
        out: dict[int, tuple[Any, Any, str]] = {}
        for (pid,) in self.db.conn.execute(
                "SELECT DISTINCT project_id FROM progress_update WHERE project_id IS NOT NULL AND metric = 'stage'"
                " AND as_of <= ? ORDER BY project_id", (iso,)):
            fig = this_year.get(pid)
            if fig is not None and fig[2] <= iso:
                out[pid] = fig
                continue
            row = updates.as_of(self.db, "project", "stage", first, subject_id=pid).get(pid)
            if row is not None:
                out[pid] = (row["value"], row["text_value"], row["as_of"])
        return out

    def target(self, d: dt.date) -> dict[int, int | None]:
        """The annual plan's value standing per project at ``d`` (None: cleared)."""
        key = ("t", "annual_plan", d)
        if key not in self.cache:
            self.cache[key] = targets.values_at(self.db, "project", "annual_plan", d)
        return self.cache[key]


# Up to this many projects a derived standing looks up one by one; beyond, one query over all.
_LOOKUP_EACH = 500


def plan_rows(db: Database, preview: ImportPreview) -> None:
    """(Re)compute every row's plan against the database as it is now."""
    years = {r["year"]: r for r in plan.plan_years(db)}
    standing = _Standing(db)
    standing.together = {f for sheet in preview.sheets if sheet.layout for f in sheet.layout.columns
                         if f in UPDATE_KEYS}
    by_key: dict[tuple[int, str], list[dict[str, Any]]] = {}
    by_code: dict[tuple[int, str], dict[str, Any]] = {}
    for py in years.values():
        for p in projects.list_for(db, py["id"]):
            by_key.setdefault((py["id"], p["name_key"]), []).append(p)
            if p["code"]:
                by_code[(py["id"], p["code"])] = p
    portfolio_ids = {(py["id"], pf["level"]): pf["id"] for py in years.values()
                     for pf in portfolios.list_for(db, py["id"])}
    cluster_index = {py["id"]: _cluster_index(db, py["id"]) for py in years.values()}
    seen: dict[tuple[Any, ...], tuple[str, int]] = {}
    for sheet in preview.sheets:
        sheet.rows = []
        sheet.warnings = []
        layout = sheet.layout
        assert layout is not None
        for t in layout.totals:
            sheet.warnings.append(
                f"第 {t.row} 行“{t.label}”与各项目之和不符：{FIELD_LABELS[t.field]} 表中为 {t.stated_wan:,} 万元，"
                f"{t.rows_counted} 个项目相加为 {t.summed_wan:,} 万元")
        for row_no, text, stated, found in layout.section_counts:
            sheet.warnings.append(f"第 {row_no} 行分组“{text}”写明 {stated} 个项目，表中列出 {found} 个")
        if layout.as_of is None:
            sheet.warnings.append("无法确定截至日期：标题和表头中都没有（如“截至7月31日”“1-7月”），请指定截至日期")
        sheet.refusals = []
        missing = sorted({r.as_of.year for r in layout.rows if r.as_of and r.as_of.year not in years})
        if missing:
            have = "、".join(str(y) for y in sorted(years)) or "无"
            sheet.refusals.append(f"表中是 {'、'.join(str(y) for y in missing)} 年的数据，数据库中没有这一计划年度"
                                  f"（已有：{have} 年）；请先建立该年度，或核对表中的日期")
        codes: dict[str, int] = {}
        for srow in layout.rows:
            rp = _plan_row(db, sheet.name, srow, preview, years, (by_key, by_code), portfolio_ids, cluster_index,
                           standing)
            code = rp.values.get("code")
            if rp.status == "new" and code:
                if code in codes:
                    rp.status, rp.changes, rp.checks = "skipped", [], []
                    rp.reason = f"项目代码 {code} 与第 {codes[code]} 行相同"
                else:
                    codes[code] = rp.row
            if rp.status != "skipped":
                key = (rp.project_id or (rp.portfolio_id, name_key(rp.name)), rp.as_of)
                if key in seen:
                    first_sheet, first_row = seen[key]
                    rp.status = "skipped"
                    rp.reason = f"与工作表“{first_sheet}”第 {first_row} 行是同一个项目，只导入第一处"
                    rp.changes = []
                else:
                    seen[key] = (sheet.name, rp.row)
            sheet.rows.append(rp)
    preview.stamp = ledger.change_stamp(db)
    if TIME_CHECKS:
        preview.seconds["validate"] = standing.checking


def _cluster_index(db: Database, plan_year_id: int) -> list[tuple[str, int, str]]:
    out = []
    for root in clusters.tree(db, plan_year_id):
        for _path, node in root.walk():
            if node.kind in ("cluster", "industry", "tier"):
                out.append((name_key(node.name), node.id, node.name))
    return out


def _match_cluster(text: str, index: list[tuple[str, int, str]]) -> tuple[int | None, str]:
    if not text:
        return None, ""
    t = name_key(re.sub(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])", "", text.strip()))
    t = re.sub(r"[（(].*?[)）]", "", t)
    t = re.sub(r"(项目|类|产业集群|集群|产业)$", "", t)
    if not t:
        return None, ""
    exact = [(i, n) for k, i, n in index if k == t or re.sub(r"(产业集群|集群|产业)$", "", k) == t]
    if len(exact) == 1:
        return exact[0]
    near = {(i, n) for k, i, n in index if len(t) >= 2 and (t in k or k in t)}
    if len(near) == 1:
        return near.pop()
    return None, ""


def _plan_row(db: Database, sheet: str, srow: SheetRow, preview: ImportPreview, years: dict[int, dict[str, Any]],
              index: tuple[dict[tuple[int, str], list[dict[str, Any]]], dict[tuple[int, str], dict[str, Any]]],
              portfolio_ids: dict[tuple[int, str], int], cluster_index: dict[int, list[tuple[str, int, str]]],
              standing: _Standing) -> RowPlan:
    by_key, by_code = index
    values = dict(srow.values)
    level = srow.level or preview.default_level
    level_source = srow.level_source or ("导入时选择" if preview.default_level else "")
    rp = RowPlan(sheet=sheet, row=srow.row, name=srow.name, as_of=srow.as_of, level=level,
                 level_source=level_source, status="skipped", values=values, problems=list(srow.problems))
    clean_name = rp.name = normalize_text(srow.name)
    if srow.as_of is None:
        rp.reason = "无法确定截至日期"
        return rp
    py = years.get(srow.as_of.year)
    if py is None:
        rp.reason = f"数据库中没有 {srow.as_of.year} 年的计划年度"
        return rp
    rp.plan_year_id = py["id"]
    year = py["year"]
    d = srow.as_of

    for key, lo, hi in (("start_year", 1990, 2100), ("finish_year", 1990, 2100)):
        v = values.get(key)
        if v is not None and not lo <= v <= hi:
            values.pop(key)
            rp.warnings.append(f"{PROJECT_FIELDS[key][1]} {v} 超出范围，未导入")
    if values.get("start_year") and values.get("finish_year") and values["finish_year"] < values["start_year"]:
        rp.warnings.append(f"竣工年份 {values['finish_year']} 早于开工年份 {values['start_year']}，两者都未导入")
        values.pop("start_year")
        values.pop("finish_year")

    # The 项目代码 first: it names a project across files whatever its name is written as.
    code = values.get("code")
    coded = by_code.get((py["id"], code)) if code else None
    candidates = [coded] if coded else by_key.get((py["id"], name_key(clean_name)), [])
    if coded and coded["name_key"] != name_key(clean_name):
        rp.warnings.append(f"按项目代码 {code} 对应到数据库中的“{coded['name']}”（表中名称为“{clean_name}”）")
    if not candidates:
        try:  # a new project: its name must be one the database accepts (a matched name already is)
            clean_name = rp.name = parse_name(srow.name, "项目名称")
        except ValidationError as exc:
            rp.problems.append(CellProblem(srow.row, srow.name_column, "项目名称", srow.name, exc.reason))
            rp.reason = "项目名称无法使用"
            return rp
    match = None
    if len(candidates) == 1:
        match = candidates[0]
        if level and match["level"] != level:
            rp.warnings.append(f"数据库中这个项目属于{portfolios.LEVELS[match['level']]}，表中为"
                               f"{portfolios.LEVELS[level]}；按数据库中的项目记录")
    elif len(candidates) > 1:
        same_level = [c for c in candidates if c["level"] == level]
        if len(same_level) == 1:
            match = same_level[0]
        else:
            rp.reason = "数据库中区级和市级各有一个同名项目，无法确定是哪一个（表中未写明级别）"
            return rp
    if match is not None and code and match["code"] and match["code"] != code:
        rp.reason = f"项目代码不一致：表中为 {code}，数据库中“{match['name']}”为 {match['code']}"
        return rp
    if match is None and code and any(c == code for (_y, c) in by_code if _y != py["id"]):
        rp.warnings.append(f"项目代码 {code} 在其他年度已有项目；本年度作为新项目建立")

    # Completed investment from this month's amount when the sheet has no year-to-date column.
    if values.pop("derive_completed", False):
        month_amount = values.get("month_completed")
        prev_end = month_end(year, d.month - 1) if d.month > 1 else None
        prev = None
        if prev_end is not None and match is not None:
            prev_row = standing.update("completed", prev_end, year).get(match["id"])
            prev = prev_row[0] if prev_row else None
        if prev_end is None:
            values["completed"] = month_amount
        elif prev is not None:
            values["completed"] = prev + month_amount
            rp.warnings.append(f"累计完成投资由上月累计 {prev:,} 万元加本月 {month_amount:,} 万元推算")
        else:
            rp.problems.append(CellProblem(srow.row, "", "本月完成投资", f"{month_amount:,}",
                                           "只有本月完成额，数据库中没有上月累计，无法推算累计完成投资"))
    elif "month_completed" in values and "completed" in values:
        prev_row = None
        if match is not None and d.month > 1:
            prev_row = standing.update("completed", month_end(year, d.month - 1), year).get(match["id"])
        w = plausibility.month_ytd_warning(completed=values["completed"], month=values["month_completed"],
                                           previous=prev_row[0] if prev_row else None,
                                           previous_as_of=prev_row[2] if prev_row else None,
                                           month_number=d.month, tolerance=2 if srow.rounded else 0)
        if w:
            rp.checks.append(w)

    if "physical_progress" in values:
        values["physical_progress_bp"] = int(round(values["physical_progress"] * 10000))
    rate = values.get("completion_rate")
    plan_v = values.get("annual_plan")
    done = values.get("completed")
    if rate is not None and plan_v and done is not None and not (
            # Integers first (every row has a rate): |done/plan − p/q| ≤ 15/10000, without building Fractions.
            isinstance(rate, Fraction) and isinstance(plan_v, int) and isinstance(done, int) and plan_v > 0
            and abs(done * rate.denominator - rate.numerator * plan_v) * 10000 <= 15 * plan_v * rate.denominator):
        actual = Fraction(done, plan_v)
        if abs(actual - rate) > Fraction(15, 10000):
            rp.warnings.append(f"表中完成率 {float(rate) * 100:.1f}% 与 完成÷计划 = {float(actual) * 100:.1f}% 不符")

    if match is None:
        if level is None:
            rp.level_unknown = True
            if srow.level_text:
                rp.reason = (f"新项目，项目级别“{srow.level_text}”不能对应到数据库中的项目盘子"
                             f"（{'、'.join(portfolios.LEVELS.values())}），请选择放入哪个项目盘子")
            else:
                rp.reason = "新项目，但无法确定项目级别（标题、工作表名和分组行都没有写区级或市级），请选择放入哪个项目盘子"
            return rp
        pf_id = portfolio_ids.get((py["id"], level))
        if pf_id is None:
            rp.reason = f"本年度没有{portfolios.LEVELS[level]}项目盘子，无法新建项目"
            return rp
        rp.status, rp.portfolio_id = "new", pf_id
        cluster_text = values.get("cluster") or srow.cluster_hint
        rp.cluster_id, rp.cluster_name = _match_cluster(cluster_text, cluster_index[py["id"]])
        if values.get("cluster") and rp.cluster_id is None:
            rp.warnings.append(f"所属产业集群“{values['cluster']}”在集群体系中找不到，未关联")
        rp.changes.append(Change("create", "project", "新建项目", None,
                                 f"{clean_name}（{portfolios.LEVELS[level]}）"))
        for key, (_col, label) in PROJECT_FIELDS.items():
            if values.get(key) not in (None, ""):
                rp.changes.append(Change("field", key, label, None, values[key]))
        if rp.cluster_id:
            rp.changes.append(Change("field", "cluster", "所属集群", None, rp.cluster_name))
        if values.get("annual_plan") is not None:
            rp.changes.append(Change("target", "annual_plan", "年度计划投资", None, values["annual_plan"]))
        for key, label in UPDATE_KEYS.items():
            v = values.get("physical_progress_bp") if key == "physical_progress" else values.get(key)
            if v is not None:
                rp.changes.append(Change("update", key, label, None, v))
        if values.get("progress_note"):
            rp.changes.append(Change("note", "progress_note", NOTE_LABEL, None, values["progress_note"]))
        _plausibility(rp, None, standing, d, year)
        return rp

    rp.status, rp.project_id, rp.project_name = "matched", match["id"], match["name"]
    rp.portfolio_id = match["portfolio_id"]
    for key, (col, label) in PROJECT_FIELDS.items():
        v = values.get(key)
        if v in (None, ""):
            continue
        if match[col] != v:
            rp.changes.append(Change("field", key, label, match[col], v))
        else:
            rp.same.append(label)
    if values.get("annual_plan") is not None:
        before = standing.target(d).get(match["id"])
        if before != values["annual_plan"]:
            rp.changes.append(Change("target", "annual_plan", "年度计划投资", before, values["annual_plan"]))
        else:
            rp.same.append("年度计划投资")
    for key, label in UPDATE_KEYS.items():
        v = values.get("physical_progress_bp") if key == "physical_progress" else values.get(key)
        if v is None:
            continue
        row = standing.update(key, d, year).get(match["id"])
        before = None if row is None else (row[1] if key == "stage" else row[0])
        if before != v:
            rp.changes.append(Change("update", key, label, before, v))
        else:
            rp.same.append(label)
    if values.get("progress_note"):
        before = standing.note(d).get(match["id"])
        if before != values["progress_note"]:
            rp.changes.append(Change("note", "progress_note", NOTE_LABEL, before, values["progress_note"]))
        else:
            rp.same.append(NOTE_LABEL)
    _plausibility(rp, match, standing, d, year)
    return rp


# The benchmark (bench/bench_xlsx.py) sets this to count the plausibility checks' CPU time apart from matching
# (preview.seconds["validate"]); reading the process clock twice a row costs about 2% of a preview, so an
# ordinary import does not, and its checks count as matching.
TIME_CHECKS = False


def _plausibility(rp: RowPlan, match: dict[str, Any] | None, standing: _Standing, d: dt.date, year: int) -> None:
    """The checks typing runs (db/plausibility.py, the same words) on the figures this row will write."""
    if not TIME_CHECKS:
        _check_row(rp, match, standing, d, year)
        return
    t0 = time.process_time()
    try:
        _check_row(rp, match, standing, d, year)
    finally:
        standing.checking += time.process_time() - t0


def _check_row(rp: RowPlan, match: dict[str, Any] | None, standing: _Standing, d: dt.date, year: int) -> None:
    planned = {c.key: c.after for c in rp.changes if c.kind == "update"}
    values = rp.values
    if "completed" in planned:
        prev_row = None
        if match is not None and d.month > 1:
            prev_row = standing.update("completed", month_end(year, d.month - 1), year).get(match["id"])
        prev = prev_row[0] if prev_row else None
        completed = planned["completed"]
        month = values.get("month_completed")
        if month is None and (prev is not None or d.month == 1):
            month = completed - (prev or 0)
        plan_v = values.get("annual_plan")
        if plan_v is None and match is not None:
            plan_v = standing.target(d).get(match["id"])
        total = values.get("total_investment") or (match["total_investment_wan"] if match else None)
        rp.checks += plausibility.money_warnings(
            completed=completed, month=month, previous=prev, previous_as_of=prev_row[2] if prev_row else None,
            months_before=d.month - 1, total=total, plan=plan_v, project=True)
    if "stage" in planned and match is not None:
        before = standing.stage_before(d, year).get(match["id"])
        w = plausibility.stage_warning(stage=planned["stage"], previous=before[1] if before else None,
                                       previous_as_of=before[2] if before else None,
                                       stages=standing.stages())
        if w:
            rp.checks.append(w)


def choose_level(db: Database, preview: ImportPreview, level: str | None) -> None:
    """The portfolio for new projects whose level the file does not say; replans the rows."""
    if level is not None and level not in portfolios.LEVELS:
        raise ValidationError("项目级别", level, "只能是区级重点或市级重大")
    preview.default_level = level
    plan_rows(db, preview)


# -- applying ------------------------------------------------------------------------------------------------

def apply(db: Database, preview: ImportPreview, *, progress: ProgressFn | None = None,
          cancelled: CancelFn | None = None) -> ApplyResult:
    """Write every planned row in ONE transaction (all or nothing); cancelling leaves the database unchanged.

    The plan is recomputed inside the transaction, so figures typed since the preview are compared, not clobbered.
    Refuses (ImportRefused, nothing written) a file with refusals, or with plausibility warnings while
    ``preview.accept_reason`` is empty.
    """
    refuse_if_not_ready(preview)
    if not db.in_transaction:
        backups.backup_before(db, "import")  # a checked copy first, outside the write, as for a migration
    try:
        with updates.paused_gc(), db.transaction("import", "project", "update", "target"):
            if preview.stamp is None or preview.stamp != ledger.change_stamp(db):
                plan_rows(db, preview)
                refuse_if_not_ready(preview)
            batch_id, created, recorded, revised, edited, rows_written, notes = _apply_planned(
                db, preview, progress, cancelled)
    except BaseException:
        preview.stamp = None  # the plan was partly acted on and rolled back: plan afresh next time
        raise
    preview.stamp = None
    return ApplyResult(batch_id, created, recorded, revised, edited, rows_written, notes)


def refuse_if_not_ready(preview: ImportPreview) -> None:
    """ImportRefused when the file cannot be written as planned: one line, the first reason and how many more."""
    refusals = preview.refusals
    if refusals:
        more = f"（另有 {len(refusals) - 1} 处）" if len(refusals) > 1 else ""
        raise ImportRefused(f"未导入：{refusals[0]}{more}")
    checks = preview.checks
    if checks and not preview.accept_reason.strip():
        r, w = checks[0]
        more = f"（共 {len(checks)} 条提醒，见上方列表）" if len(checks) > 1 else ""
        raise ImportRefused(f"未导入：第 {r.row} 行 {r.name}：［{w.label}］{w.message}{more}；"
                            "核实无误请写明确认理由（命令行：--accept-warnings 理由）")


def _apply_planned(db: Database, preview: ImportPreview, progress: ProgressFn | None,
                   cancelled: CancelFn | None) -> tuple[int | None, int, int, int, int, int, int]:
    created = recorded = revised = edited = rows_written = 0
    notes: dict[dt.date, list[tuple[int, str]]] = {}
    todo = [r for r in preview.rows if r.status != "skipped" and r.changes]
    total = len(todo)
    _tick(progress, 0, total, "开始写入")
    pending: list[tuple[RowPlan, list[tuple[str, updates.NewUpdate]]]] = []
    for i, rp in enumerate(todo):
        _check_cancel(cancelled)
        c, t, e, figures = _write_row(db, preview.file_name, rp)
        pending.append((rp, figures))
        created, revised, edited = created + c, revised + t, edited + e
        notes.setdefault(rp.as_of, []).extend((rp.project_id, c.after) for c in rp.changes if c.kind == "note")
        rows_written += 1
        if progress is not None and (i % 50 == 0 or i + 1 == total):
            progress(i + 1, total, rp.name)
    _check_cancel(cancelled)
    # Every figure of the file in one bulk write (db.updates.record_many), then the accepted warnings on them.
    ids = iter(updates.record_many(db, [u for _rp, figures in pending for _key, u in figures], source_kind="import",
                                   label=f"导入调度表 {preview.file_name}", audit_entity="import_batch"))
    accepted = []
    for rp, figures in pending:
        written = {key: next(ids) for key, _u in figures}
        recorded += len(figures)
        subject = Subject("project", rp.project_id)
        for w in rp.checks:  # accepted: refuse_if_not_ready let them through only with a reason
            metric = "stage" if w.code == plausibility.STAGE_BACK else "completed"
            accepted.append((subject, w, rp.as_of, written.get(metric)))
    recording.write_acceptances(db, accepted, preview.accept_reason)
    n_notes = 0
    for d, items in sorted(notes.items()):
        if items:
            # 本月进展 goes where monthly recording keeps it, in one checked write per reporting date.
            recording.save_month(db, d, [recording.ProjectEntry(project_id=pid, progress_note=text)
                                         for pid, text in items],
                                 source_kind="import",
                                 label=f"导入调度表 {preview.file_name}：本月进展 {len(items)} 条")
            n_notes += len(items)
    _check_cancel(cancelled)
    if not rows_written:
        return None, 0, 0, 0, 0, 0, 0
    summary = (f"导入调度表 {preview.file_name}：{rows_written} 行，新建项目 {created} 个，"
               f"记录更新 {recorded} 条，调整年度计划 {revised} 个，修改项目信息 {edited} 项，本月进展 {n_notes} 条")
    batch_id = ledger.add_batch(db, kind="xlsx", file_name=preview.file_name, sha256=preview.sha256, summary=summary)
    return batch_id, created, recorded, revised, edited, rows_written, n_notes


def _reason(file_name: str, rp: RowPlan) -> str:
    return f"导入调度表：{file_name}，工作表“{rp.sheet}”，第 {rp.row} 行"


def source_text(file_name: str, rp: RowPlan) -> str:
    return f"导入自 {file_name}，工作表“{rp.sheet}”，第 {rp.row} 行"


def _write_row(db: Database, file_name: str, rp: RowPlan) -> tuple[int, int, int, list[tuple[str, updates.NewUpdate]]]:
    """Create or edit the row's project and revise its plan; returns the counts and the figures to record."""
    src = source_text(file_name, rp)
    values = rp.values
    created = revised = edited = 0
    if rp.status == "new":
        fields = {col: values[key] for key, (col, _label) in PROJECT_FIELDS.items()
                  if values.get(key) not in (None, "")}
        if rp.cluster_id:
            fields["cluster_id"] = rp.cluster_id
        if values.get("description"):
            fields["description"] = values["description"]
        reason = _reason(file_name, rp)
        rp.project_id = projects.create(db, portfolio_id=rp.portfolio_id, name=rp.name,
                                        annual_plan_wan=values.get("annual_plan"), source=src, reason=reason,
                                        **fields)
        created = 1
        revised += values.get("annual_plan") is not None
    else:
        changes = {PROJECT_FIELDS[c.key][0]: c.after for c in rp.changes if c.kind == "field"}
        if changes:
            edited += len(projects.edit(db, rp.project_id, **changes))
        for c in rp.changes:
            if c.kind == "target":
                # A first plan holds for the whole year; a changed plan from the reporting date on.
                targets.revise(db, Subject("project", rp.project_id), "annual_plan", c.after,
                               reason=_reason(file_name, rp),
                               effective_from=None if c.before is None else rp.as_of, source=src)
                revised += 1
    note = values.get("note", "")
    subject = Subject("project", rp.project_id)
    figures: list[tuple[str, updates.NewUpdate]] = []
    for c in rp.changes:
        if c.kind != "update":
            continue
        if c.key == "stage":
            figures.append((c.key, updates.NewUpdate(subject, "stage", rp.as_of, text_value=c.after, note=note,
                                                     source=src)))
        else:
            figures.append((c.key, updates.NewUpdate(subject, c.key, rp.as_of, value=c.after, note=note,
                                                     source=src)))
        note = ""  # the row's note goes with its first recorded figure
    return created, revised, edited, figures
