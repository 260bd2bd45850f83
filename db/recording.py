"""Recording a month: entries for projects, portfolio totals and indicators — checked, saved all-or-nothing
in one transaction, undone by superseding writes.

The flow every front end follows (record dialog, monthly grid, `policytrack record`, imports):

1. build entries (``ProjectEntry``, ``PortfolioEntry``, ``IndicatorEntry``) from what was typed;
2. ``check_month(db, as_of, entries)`` → one ``RowReport`` per entry: errors (the row cannot be saved as it
   is) and plausibility warnings (it may be saved once each warning is accepted with a reason);
3. ``save_month(db, as_of, entries)`` checks again inside one BEGIN IMMEDIATE transaction and writes every
   row or none (``MonthRefused`` carries the reports when any row is not ready);
4. ``undo_save(db, result)`` writes superseding updates that restore what stood before (or retract where
   nothing stood); ``redo_save(db, result)`` writes the same figures again. History keeps every row.

Completed investment is year-to-date (年度累计). A row may give it directly or give this month's amount
(本月完成); the other is derived from the previous month's standing figure.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence, Union

from db import audit, indicators, plausibility, targets, updates
from db.connection import Database
from db.errors import PolicyTrackError, ValidationError, quote
from db.plausibility import Warning
from db.subjects import Subject
from db.validate import parse_date, parse_money_wan, parse_month_end, parse_name, parse_text
from db.undo import UndoRefused, check_newest_update


# Up to this many subjects of a kind, the checks look each one up by index; beyond, one query reads them all.
PER_SUBJECT_LIMIT = 500
# Last month's figures: up to this many subjects looked up one by one (a row or two typed in a dialog).
PER_SUBJECT_EACH = 20
# Up to this many, the one query seeks only those subjects (an import's 本月进展 for a quarter of the projects);
# beyond, it reads every subject holding the figure.
PER_SUBJECT_SOME = 5000


# -- what a person enters ---------------------------------------------------------------------------

@dataclass
class IssueEntry:
    """存在问题: what is wrong, who must solve it (责任人) and by when (整改时限)."""

    description: str
    owner: str = ""
    deadline: dt.date | str | None = None


@dataclass
class ProjectEntry:
    """One project's figures for the month.

    Money is given either exactly in 万元 (``completed_wan`` / ``month_wan``) or as typed text
    (``completed`` / ``month``: a bare number is 亿元, '3000万' and '1.2亿元' carry their unit).
    ``milestones`` maps a milestone id to its actual date ('' or None clears it).
    """

    project_id: int
    completed: object = None
    month: object = None
    completed_wan: int | None = None
    month_wan: int | None = None
    stage: str | None = None
    milestones: dict[int, object] = field(default_factory=dict)
    progress_note: str = ""
    issues: list[IssueEntry] = field(default_factory=list)
    resolved_issues: list[int] = field(default_factory=list)
    note: str = ""
    accepted: dict[str, str] = field(default_factory=dict)

    kind = "project"

    @property
    def subject_id(self) -> int:
        return self.project_id


@dataclass
class PortfolioEntry:
    """A portfolio's declared total for the month (e.g. all 197 区级重点项目 together), same money rules."""

    portfolio_id: int
    completed: object = None
    month: object = None
    completed_wan: int | None = None
    month_wan: int | None = None
    note: str = ""
    accepted: dict[str, str] = field(default_factory=dict)

    kind = "portfolio"

    @property
    def subject_id(self) -> int:
        return self.portfolio_id


@dataclass
class IndicatorEntry:
    """An indicator's actual at the as-of date, in the indicator's own unit ('359', '65%', 100.5)."""

    indicator_id: int
    actual: object = None
    note: str = ""
    accepted: dict[str, str] = field(default_factory=dict)

    kind = "indicator"

    @property
    def subject_id(self) -> int:
        return self.indicator_id


Entry = Union[ProjectEntry, PortfolioEntry, IndicatorEntry]


# -- what will be written ---------------------------------------------------------------------------

@dataclass(frozen=True)
class UpdateOp:
    subject: Subject
    metric: str
    value: int | None = None
    text_value: str | None = None
    note: str = ""


@dataclass(frozen=True)
class NoteOp:
    project_id: int
    text: str


@dataclass(frozen=True)
class IssueOp:
    project_id: int
    description: str
    owner: str
    deadline: str | None
    status: str = "open"
    thread_id: int | None = None


@dataclass(frozen=True)
class MilestoneOp:
    project_id: int
    milestone_id: int
    name: str
    actual_date: str | None


@dataclass(frozen=True)
class AcceptOp:
    subject: Subject
    warning: Warning
    reason: str
    metric: str | None = None
    milestone_id: int | None = None


Op = Union[UpdateOp, NoteOp, IssueOp, MilestoneOp, AcceptOp]


@dataclass(frozen=True)
class Problem:
    """An error in one field of one row: the row cannot be saved until it is fixed or skipped."""

    field: str
    message: str


@dataclass
class RowReport:
    """What checking one entry found, and what saving it would write."""

    index: int
    kind: str
    subject_id: int
    label: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    previous: int | None = None            # the figure standing at the end of last month (storage units)
    previous_as_of: str | None = None
    previous_stage: str | None = None
    completed_wan: int | None = None       # year-to-date after this entry (derived when only the month given)
    month_wan: int | None = None           # this month's amount (derived when only the YTD given)
    value: int | None = None               # an indicator's stored actual
    ops: list[Op] = field(default_factory=list)

    @property
    def unaccepted(self) -> list[Warning]:
        return [w for w in self.warnings if not w.accepted]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unaccepted

    @property
    def warning_codes(self) -> list[str]:
        return [w.code for w in self.warnings]

    def message(self) -> str:
        """One line: the errors, then the warnings still waiting for a reason."""
        parts = [f"「{p.field}」{p.message}" for p in self.errors]
        parts += [f"［{w.label}］{w.message}" for w in self.unaccepted]
        return "；".join(parts)


class MonthRefused(PolicyTrackError):
    """Some rows are not ready (errors, or warnings without a reason): nothing was saved."""

    def __init__(self, reports: list[RowReport]):
        self.reports = reports
        self.bad = [r for r in reports if not r.ok]
        first = self.bad[0] if self.bad else None
        head = f"{first.label}：{first.message()}" if first else ""
        more = f"（另有 {len(self.bad) - 1} 行有问题）" if len(self.bad) > 1 else ""
        super().__init__(f"未保存：{head}{more}")


@dataclass(frozen=True)
class Written:
    """One row a save (or an undo) wrote: kind ('update', 'note', 'issue', 'milestone', 'accept') and id.

    For a milestone, ``before``/``after`` are the actual dates it changed between.
    """

    kind: str
    id: int
    before: Any = None
    after: Any = None


@dataclass
class SaveResult:
    as_of: dt.date
    label: str
    rows: list[RowReport]
    ops: list[Op]
    written: list[Written]
    source_kind: str
    source: str = ""

    @property
    def update_ids(self) -> list[int]:
        return [w.id for w in self.written if w.kind == "update"]


# -- parsing helpers --------------------------------------------------------------------------------

def _money(value: object, exact: int | None, field_name: str) -> int | None:
    if exact is not None:
        if isinstance(exact, bool) or not isinstance(exact, int):
            raise ValidationError(field_name, exact, "必须是整数万元")
        if exact < 0:
            raise ValidationError(field_name, exact, "不能为负数")
        return exact
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_money_wan(value, field_name)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def month_label(d: dt.date) -> str:
    return f"{d.month}月"


# -- context: what stood before, loaded once per check ----------------------------------------------

class _Context:
    """Everything the checks compare against, loaded in bulk for many rows or by id for a few."""

    def __init__(self, db: Database, as_of: dt.date, entries: Sequence[Entry]):
        self.db = db
        self.as_of = as_of
        self.year_start = dt.date(as_of.year, 1, 1)
        self.prev_date = as_of.replace(day=1) - dt.timedelta(days=1)
        self.months_before = as_of.month - 1
        self.stages = [r[0] for r in db.conn.execute("SELECT name FROM stage ORDER BY position")]
        ids: dict[str, set[int]] = {"project": set(), "portfolio": set(), "indicator": set()}
        for e in entries:
            ids[e.kind].add(e.subject_id)
        self.ids = ids
        self._cache: dict[tuple, dict[int, dict[str, Any]]] = {}
        self._stage_names: dict[str, str] = {}

    def stage_name(self, report: RowReport, value: object) -> str | None:
        """_guard(report, parse_name, value, "形象进度", max_length=20), each distinct text parsed once."""
        parsed = self._stage_names.get(value) if type(value) is str else None
        if parsed is None:
            parsed = _guard(report, parse_name, value, "形象进度", max_length=20)
            if parsed is not None and type(value) is str:
                self._stage_names[value] = parsed
        return parsed

    def _one_or_all(self, kind: str) -> int | None:
        return next(iter(self.ids[kind])) if len(self.ids[kind]) == 1 else None

    def _by_id(self, kind: str) -> bool:
        # A few rows: indexed look-ups per subject; many rows: one query over every subject.
        return len(self.ids[kind]) <= PER_SUBJECT_LIMIT

    def previous(self, kind: str, metric: str, subject_id: int, *,
                 this_year: bool = True) -> tuple[Any, Any, str] | None:
        """The figure standing at the end of last month (this plan year only for year-to-date figures), as
        (value, text_value, as_of)."""
        key = ("prev", kind, metric, this_year)
        found = self._cache.get(key)
        if found is None:
            since = self.year_start if this_year else "0000-01-01"
            found = {}
            if this_year and self.prev_date < self.year_start:
                pass
            elif len(self.ids[kind]) <= PER_SUBJECT_EACH:
                for sid in self.ids[kind]:
                    for k, r in updates.as_of(self.db, kind, metric, self.prev_date, since=since,
                                              subject_id=sid).items():
                        found[k] = (r["value"], r["text_value"], r["as_of"])
            elif len(self.ids[kind]) < PER_SUBJECT_SOME:
                found = updates.standing_values(self.db, kind, metric, self.prev_date, since=since,
                                                subject_ids=sorted(self.ids[kind]))
            elif kind == "project" and not (self.prev_date < self.year_start):
                # A project row reads last month's completed investment (this year) and stage (any year): both
                # read together in one pass over the projects.
                completed, stage = updates.standing_values_multi(
                    self.db, "project", self.prev_date, [("completed", self.year_start), ("stage", "0000-01-01")])
                self._cache[("prev", "project", "completed", True)] = completed  # type: ignore[assignment]
                self._cache[("prev", "project", "stage", False)] = stage  # type: ignore[assignment]
                found = self._cache.get(key)
                if found is None:
                    found = updates.standing_values(self.db, kind, metric, self.prev_date, since=since)
            else:
                found = updates.standing_values(self.db, kind, metric, self.prev_date, since=since)
            self._cache[key] = found  # type: ignore[assignment]
        return found.get(subject_id)

    def target(self, kind: str, metric: str, subject_id: int) -> int | None:
        key = ("target", kind, metric)
        found = self._cache.get(key)
        if found is None:
            found = {}
            if self._by_id(kind):
                for sid in self.ids[kind]:
                    row = targets.current(self.db, Subject(kind, sid), metric, self.as_of)
                    if row is not None:
                        found[sid] = row["value"]
            else:
                found = targets.values_at(self.db, kind, metric, self.as_of)
            self._cache[key] = found  # type: ignore[assignment]
        return found.get(subject_id)

    def _rows(self, kind: str) -> dict[int, dict[str, Any]]:
        key = ("rows", kind)
        found = self._cache.get(key)
        if found is None:
            sql_all, sql_one = _SUBJECT_ROWS[kind]
            one = self._one_or_all(kind)
            rows = self.db.query(sql_one, (one,)) if one is not None else self.db.query(sql_all)
            found = self._cache[key] = {r["id"]: r for r in rows}
        return found

    def project(self, pid: int) -> tuple | None:
        """(id, name, total_investment_wan, start_year, plan year) of an active project."""
        found = self._cache.get(("rows", "project"))
        if found is None:
            one = self._one_or_all("project")
            sql_all, sql_one = _SUBJECT_ROWS["project"]
            if one is not None:
                cur = self.db.conn.execute(sql_one, (one,))
            elif len(self.ids["project"]) < PER_SUBJECT_SOME:   # a grid or an import's 本月进展: only those
                cur = self.db.conn.execute(_PROJECT_ROWS_OF, (json.dumps(sorted(self.ids["project"])),))
            else:
                cur = self.db.conn.execute(sql_all)
            found = self._cache[("rows", "project")] = {r[0]: r for r in cur}  # type: ignore[assignment]
        return found.get(pid)  # type: ignore[return-value]

    def portfolio(self, pid: int) -> dict | None:
        return self._rows("portfolio").get(pid)

    def indicator(self, iid: int) -> dict | None:
        return self._rows("indicator").get(iid)


# What the checks read of each subject: (every active one, one by id).
_PROJECT_ROWS = ("SELECT p.id, p.name, p.total_investment_wan, p.start_year, py.year FROM project p"
                 " JOIN portfolio pf ON pf.id = p.portfolio_id JOIN plan_year py ON py.id = pf.plan_year_id"
                 " WHERE p.active = 1")
_PROJECT_ROWS_OF = _PROJECT_ROWS + " AND p.id IN (SELECT value FROM json_each(?))"
_PORTFOLIO_ROWS = ("SELECT pf.id, pf.name, pf.total_investment_wan, py.year FROM portfolio pf"
                   " JOIN plan_year py ON py.id = pf.plan_year_id")
_INDICATOR_ROWS = ("SELECT i.*, py.year FROM indicator i JOIN plan_year py ON py.id = i.plan_year_id"
                   " WHERE i.active = 1")
_SUBJECT_ROWS = {
    "project": (_PROJECT_ROWS, _PROJECT_ROWS + " AND p.id = ?"),
    "portfolio": (_PORTFOLIO_ROWS, _PORTFOLIO_ROWS + " WHERE pf.id = ?"),
    "indicator": (_INDICATOR_ROWS, _INDICATOR_ROWS + " AND i.id = ?"),
}


# -- checking ---------------------------------------------------------------------------------------

def parse_as_of(value: object) -> dt.date:
    """A reporting date ('2023-07-31', '2023-07' = month end, date objects)."""
    return parse_month_end(value, "截至日期")


def check_month(db: Database, as_of: dt.date | str, entries: Sequence[Entry]) -> list[RowReport]:
    """Check every entry against what stood before; writes nothing."""
    d = parse_as_of(as_of)
    with updates.paused_gc():
        ctx = _Context(db, d, entries)
        return [_check(ctx, i, e) for i, e in enumerate(entries)]


def _accept(report: RowReport, entry: Entry, subject: Subject, metric_for: dict[str, str | None]) -> None:
    """Mark warnings the entry accepted (with a non-empty reason) and plan the acceptance rows."""
    if not report.warnings:
        return
    accepted = []
    for w in report.warnings:
        reason = entry.accepted.get(w.code)
        reason_text = _guard(report, parse_text, reason, "确认理由", max_length=500) if reason is not None else ""
        if reason_text:
            w = Warning(w.code, w.field, w.message, reason_text, w.ref)
            if w.code == plausibility.MILESTONE_BEFORE_START:
                report.ops.append(AcceptOp(subject, w, reason_text, milestone_id=w.ref))
            else:
                report.ops.append(AcceptOp(subject, w, reason_text, metric=metric_for.get(w.code)))
        accepted.append(w)
    report.warnings = accepted


def _check(ctx: _Context, index: int, entry: Entry) -> RowReport:
    if isinstance(entry, ProjectEntry):
        return _check_project(ctx, index, entry)
    if isinstance(entry, PortfolioEntry):
        return _check_portfolio(ctx, index, entry)
    if isinstance(entry, IndicatorEntry):
        return _check_indicator(ctx, index, entry)
    raise TypeError(f"not an entry: {entry!r}")


def _guard(report: RowReport, fn, *args, **kwargs):
    """Run a parser; on ValidationError record the problem against its field and return None."""
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        report.errors.append(Problem(exc.field, f"{exc.reason}（输入：'{quote(exc.value)}'）"
                                     if isinstance(exc.value, str) else exc.reason))
        return None


def _year_problem(report: RowReport, ctx: _Context, year: int) -> bool:
    if ctx.as_of.year != year:
        report.errors.append(Problem("截至日期", f"{ctx.as_of.isoformat()} 不在计划年度 {year} 年内"))
        return True
    return False


def _money_row(ctx: _Context, report: RowReport, entry: ProjectEntry | PortfolioEntry, kind: str,
               total: int | None, project: bool, note: str, subject: Subject | None = None) -> bool:
    """Parse the YTD and month amounts, derive the other, and add the money warnings; True when the row's
    completed investment is planned (an UpdateOp appended)."""
    ytd = _money_fast(report, entry.completed, entry.completed_wan, "累计完成投资")
    month = _money_fast(report, entry.month, entry.month_wan, "本月完成投资")
    if report.errors:
        return False
    prev_row = ctx.previous(kind, "completed", entry.subject_id)
    prev = prev_row[0] if prev_row else None
    report.previous = prev
    report.previous_as_of = prev_row[2] if prev_row else None
    if ytd is None and month is None:
        return False
    base = prev or 0
    if ytd is not None and month is not None and ytd != base + month:
        report.errors.append(Problem("本月完成投资", f"与累计数不一致：上月累计 {plausibility._yi(base)} 亿元 + 本月 "
                                                f"{plausibility._yi(month)} 亿元 ≠ {plausibility._yi(ytd)} 亿元"))
        return False
    if ytd is None:
        ytd = base + month
    derived_month = ytd - base if prev is not None or ctx.months_before == 0 else None
    report.completed_wan = ytd
    report.month_wan = month if month is not None else derived_month
    plan = ctx.target(kind, "annual_plan", entry.subject_id)
    report.warnings += plausibility.money_warnings(
        completed=ytd, month=report.month_wan, previous=prev, previous_as_of=report.previous_as_of,
        months_before=ctx.months_before, total=total, plan=plan, project=project)
    if month is not None and entry.completed is None and entry.completed_wan is None and prev is None:
        w = plausibility.no_previous_warning(month=month, month_number=ctx.as_of.month)
        if w:
            report.warnings.append(w)
    report.ops.append(UpdateOp(subject or Subject(kind, entry.subject_id), "completed", value=ytd, note=note))
    return True


def _money_fast(report: RowReport, value: object, exact: object, field_name: str) -> int | None:
    """_guard(report, _money, value, exact, field_name), without the calls for the two common cases: nothing
    given, or an exact non-negative integer (a bool is refused by _money, so the type is compared exactly)."""
    if exact is None:
        if value is None:
            return None
    elif type(exact) is int and exact >= 0:
        return exact  # type: ignore[return-value]
    return _guard(report, _money, value, exact, field_name)


def _text_fast(report: RowReport, value: object, field_name: str) -> str | None:
    """_guard(report, parse_text, value, field_name) with the empty text (most rows' 备注 and 本月进展) answered
    at once: parse_text('') is ''."""
    if value == "" and type(value) is str:
        return ""
    return _guard(report, parse_text, value, field_name)


def _check_portfolio(ctx: _Context, index: int, entry: PortfolioEntry) -> RowReport:
    row = ctx.portfolio(entry.portfolio_id)
    report = RowReport(index, "portfolio", entry.portfolio_id,
                       f"{row['name']}（合计）" if row else f"项目盘子 #{entry.portfolio_id}")
    if row is None:
        report.errors.append(Problem("项目盘子", f"找不到项目盘子 #{entry.portfolio_id}"))
        return report
    if _year_problem(report, ctx, row["year"]):
        return report
    note = _text_fast(report, entry.note, "备注") or ""
    _money_row(ctx, report, entry, "portfolio", row["total_investment_wan"], project=False, note=note)
    if not report.errors and report.completed_wan is None:
        report.errors.append(Problem("累计完成投资", "没有要记录的数据"))
    _accept(report, entry, Subject("portfolio", entry.portfolio_id), {})
    return report


def _check_project(ctx: _Context, index: int, entry: ProjectEntry) -> RowReport:
    row = ctx.project(entry.project_id)
    report = RowReport(index, "project", entry.project_id, row[1] if row else f"项目 #{entry.project_id}")
    if row is None:
        report.errors.append(Problem("重点项目", f"找不到重点项目 #{entry.project_id}"))
        return report
    if row[4] != ctx.as_of.year and _year_problem(report, ctx, row[4]):
        return report
    subject = Subject("project", entry.project_id)
    note = _text_fast(report, entry.note, "备注") or ""
    # The report's ops are empty before the money row: has_money = whether it planned the completed figure.
    has_money = _money_row(ctx, report, entry, "project", row[2], project=True, note=note,
                           subject=subject)

    prev_stage = ctx.previous("project", "stage", entry.project_id, this_year=False)
    report.previous_stage = prev_stage[1] if prev_stage else None
    stage = None if _blank(entry.stage) else ctx.stage_name(report, entry.stage)
    if stage is not None:
        if stage not in ctx.stages:
            report.errors.append(Problem("形象进度", f"“{stage}”不在形象进度列表中（{'、'.join(ctx.stages)}）"))
        else:
            w = plausibility.stage_warning(stage=stage, previous=report.previous_stage,
                                           previous_as_of=prev_stage[2] if prev_stage else None,
                                           stages=ctx.stages)
            if w:
                report.warnings.append(w)
            # The row's 备注 goes with its money figure, or with the stage when that is all there is.
            report.ops.append(UpdateOp(subject, "stage", text_value=stage, note="" if has_money else note))

    if entry.milestones:
        known = {m["id"]: m for m in ctx.db.query("SELECT id, name, actual_date FROM milestone WHERE project_id = ?",
                                                   (entry.project_id,))}
        start = dt.date(row[3], 1, 1) if row[3] else None
        for mid, raw in entry.milestones.items():
            m = known.get(mid)
            if m is None:
                report.errors.append(Problem("节点", f"节点 #{mid} 不属于该项目"))
                continue
            label = f"节点“{m['name']}”实际日期"
            actual = None if _blank(raw) else _guard(report, parse_date, raw, label)
            if actual is None and not _blank(raw):
                continue
            if actual is not None and actual > ctx.as_of:
                report.errors.append(Problem(label, f"{actual.isoformat()} 晚于截至日期 {ctx.as_of.isoformat()}，"
                                                    "尚未发生的节点请不要填写实际日期"))
                continue
            if actual is not None and not 1990 <= actual.year <= 2100:
                report.errors.append(Problem(label, "年份超出范围"))
                continue
            if actual is not None:
                w = plausibility.milestone_warning(name=m["name"], actual=actual, start=start, field=label,
                                                   milestone_id=mid)
                if w:
                    report.warnings.append(w)
            iso = actual.isoformat() if actual else None
            if iso != m["actual_date"]:
                report.ops.append(MilestoneOp(entry.project_id, mid, m["name"], iso))

    text = _text_fast(report, entry.progress_note, "本月进展")
    if text:
        report.ops.append(NoteOp(entry.project_id, text))
    for n, issue in enumerate(entry.issues, 1):
        desc = _guard(report, parse_text, issue.description, f"存在问题{n}")
        owner = _guard(report, parse_text, issue.owner, f"存在问题{n}责任人", max_length=100)
        deadline = None if _blank(issue.deadline) else _guard(report, parse_date, issue.deadline,
                                                              f"存在问题{n}整改时限")
        if desc is None or owner is None or (deadline is None and not _blank(issue.deadline)):
            continue
        if not desc:
            if owner or deadline:
                report.errors.append(Problem(f"存在问题{n}", "填写了责任人或时限，但没有写问题内容"))
            continue
        if deadline is not None and not 1990 <= deadline.year <= 2100:
            report.errors.append(Problem(f"存在问题{n}整改时限", "年份超出范围"))
            continue
        report.ops.append(IssueOp(entry.project_id, desc, owner, deadline.isoformat() if deadline else None))
    for thread_id in entry.resolved_issues:
        current = _issue_version(ctx.db, thread_id, ctx.as_of)
        if current is None or current["project_id"] != entry.project_id:
            report.errors.append(Problem("存在问题", f"问题 #{thread_id} 不属于该项目"))
        elif current["status"] == "open":
            report.ops.append(IssueOp(entry.project_id, current["description"], current["owner"],
                                      current["deadline"], status="resolved", thread_id=thread_id))

    if not report.errors and not report.ops:
        report.errors.append(Problem("本月数据", "没有要记录的数据"))
    _accept(report, entry, subject, _PROJECT_METRIC_FOR)
    return report


# Which figure each warning of a project row is about (its acceptance is attached to that figure's update).
_PROJECT_METRIC_FOR: dict[str, str | None] = {
    **{c: "completed" for c in (plausibility.SAME_AS_LAST_MONTH, plausibility.YTD_DOWN, plausibility.ABOVE_TOTAL,
                                plausibility.ABOVE_PLAN, plausibility.SCALE, plausibility.NO_PREVIOUS)},
    plausibility.STAGE_BACK: "stage"}


def _check_indicator(ctx: _Context, index: int, entry: IndicatorEntry) -> RowReport:
    ind = ctx.indicator(entry.indicator_id)
    report = RowReport(index, "indicator", entry.indicator_id, ind["name"] if ind else f"指标 #{entry.indicator_id}")
    if ind is None:
        report.errors.append(Problem("指标", f"找不到指标 #{entry.indicator_id}"))
        return report
    if _year_problem(report, ctx, ind["year"]):
        return report
    if _blank(entry.actual):
        report.errors.append(Problem("实际值", "没有要记录的数据"))
        return report
    value = _guard(report, indicators.parse_value, ind, entry.actual, "实际值")
    note = _guard(report, parse_text, entry.note, "备注")
    if value is None or note is None:
        return report
    prev_row = ctx.previous("indicator", "value", entry.indicator_id)
    report.previous = prev_row[0] if prev_row else None
    report.previous_as_of = prev_row[2] if prev_row else None
    report.value = value

    def show(v: int) -> str:
        n = indicators.to_number(ind, v)
        return f"{n.normalize():f}{ind['unit']}" if n is not None else "—"

    report.warnings += plausibility.value_warnings(
        value=value, previous=report.previous, previous_as_of=report.previous_as_of,
        target=ctx.target("indicator", "value", entry.indicator_id),
        cumulative=ind["accumulation"] == "cumulative", higher_is_better=ind["direction"] == "higher",
        field="实际值", show=show)
    subject = Subject("indicator", entry.indicator_id)
    report.ops.append(UpdateOp(subject, "value", value=value, note=note))
    _accept(report, entry, subject, {w.code: "value" for w in report.warnings})
    return report


# -- saving -----------------------------------------------------------------------------------------

def describe(as_of: dt.date, rows: Sequence[RowReport]) -> str:
    """The label of a save, as the undo button shows it: '记录 长安汽车渝北新工厂 7月完成投资'."""
    m = month_label(as_of)
    if len(rows) != 1:
        return f"月度调度录入 {m}（{len(rows)} 行）"
    r = rows[0]
    metrics = {op.metric for op in r.ops if isinstance(op, UpdateOp)}
    others = any(isinstance(op, (NoteOp, IssueOp, MilestoneOp)) for op in r.ops)
    name = r.label.removesuffix("（合计）") if r.kind == "portfolio" else r.label
    if r.kind == "indicator":
        what = "实际值"
    elif metrics == {"completed"} and not others:
        what = "完成投资"
    elif metrics == {"stage"} and not others:
        what = "形象进度"
    else:
        what = "进度"
    return f"记录 {name} {m}{what}"


def save_month(db: Database, as_of: dt.date | str, entries: Sequence[Entry], *, source_kind: str = "typed",
               source: str = "", label: str | None = None) -> SaveResult:
    """Check every entry and write them all in ONE transaction, or raise MonthRefused and write nothing."""
    if source_kind not in updates.SOURCE_KINDS:
        raise ValidationError("来源类型", source_kind, "未知")
    if not entries:
        raise ValidationError("本月数据", "", "没有要保存的行")
    d = parse_as_of(as_of)
    with updates.paused_gc(), db.transaction("update", "recording"):
        # Checked inside the write lock, so what the checks compared against cannot change before the write.
        reports = check_month(db, d, entries)
        if any(not r.ok for r in reports if r.errors or r.warnings):   # a row with neither is ok
            raise MonthRefused(reports)
        ops = [op for r in reports for op in r.ops]
        text = label or describe(d, reports)
        written = _apply(db, d, ops, source_kind=source_kind, source=source, label=text)
        audit.log(db, action="recording.save", entity="recording", entity_id=None, summary=f"{text}（截至 {d}）",
                  after={"as_of": d.isoformat(), "rows": len(reports), "source_kind": source_kind,
                         "written": len(written)})
    return SaveResult(d, text, reports, ops, written, source_kind, source)


def _apply(db: Database, d: dt.date, ops: Iterable[Op], *, source_kind: str, source: str,
           label: str = "") -> list[Written]:
    ops = list(ops)
    # Every figure in one bulk write (db.updates.record_many: same checks, one supersede look-up per date, one
    # executemany, one audit entry for a large batch); the other rows follow in the order they were planned.
    update_ops = [op for op in ops if isinstance(op, UpdateOp)]
    ids = iter(updates.record_many(
        db, [updates.NewUpdate(op.subject, op.metric, d, value=op.value, text_value=op.text_value, note=op.note,
                               source=source) for op in update_ops],
        source_kind=source_kind, label=label))
    note_ops = [op for op in ops if isinstance(op, NoteOp)]
    note_ids = iter(_write_notes(db, d, note_ops, source_kind) if len(note_ops) >= updates.BULK_FROM else ())
    written: list[Written] = []
    last_update: dict[tuple[Subject, str], int] = {}
    accepts = any(isinstance(op, AcceptOp) for op in ops)   # only they ask which update a figure got
    for op in ops:
        if isinstance(op, UpdateOp):
            uid = next(ids)
            if accepts:
                last_update[(op.subject, op.metric)] = uid
            written.append(_written_update(uid))
        elif isinstance(op, NoteOp):
            nid = next(note_ids, None)
            written.append(Written("note", nid if nid is not None else _write_note(db, op.project_id, d, op.text,
                                                                                     source_kind)))
        elif isinstance(op, IssueOp):
            written.append(Written("issue", _write_issue(db, op, d, source_kind)))
        elif isinstance(op, MilestoneOp):
            before = _set_milestone(db, op.project_id, op.milestone_id, op.actual_date)
            written.append(Written("milestone", op.milestone_id, before, op.actual_date))
        elif isinstance(op, AcceptOp):
            uid = last_update.get((op.subject, op.metric)) if op.metric else None
            written.append(Written("accept", _write_acceptance(db, op, d, uid)))
        else:
            raise TypeError(op)
    return written


def _written_update(update_id: int) -> Written:
    """Written("update", update_id), made without the frozen dataclass's four object.__setattr__ calls (a large
    save makes one per figure): the same fields, the same object."""
    w = object.__new__(Written)
    w.__dict__.update(kind="update", id=update_id, before=None, after=None)
    return w


def _write_note(db: Database, project_id: int, d: dt.date, text: str, source_kind: str, *,
                retract: bool = False) -> int:
    previous = db.query_one("SELECT id, text, retracted FROM progress_note WHERE project_id = ? AND as_of = ?"
                            " ORDER BY id DESC LIMIT 1", (project_id, d.isoformat()))
    supersedes = previous["id"] if previous and not previous["retracted"] else None
    cur = db.conn.execute(
        "INSERT INTO progress_note (project_id, as_of, text, retracted, source_kind, recorded_at, recorded_by,"
        " supersedes_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (project_id, d.isoformat(), "" if retract else text, int(retract), source_kind, db.now(), db.user,
         supersedes))
    nid = int(cur.lastrowid)
    audit.log(db, action="note.retract" if retract else "note.record", entity="project", entity_id=project_id,
              summary=f"本月进展（截至 {d}）：" + ("撤回" if retract else text),
              before={"text": previous["text"]} if supersedes else None,
              after={"note": nid, "as_of": d.isoformat(), "text": None if retract else text})
    return nid


def _write_notes(db: Database, d: dt.date, ops: Sequence[NoteOp], source_kind: str) -> list[int]:
    """_write_note for many 本月进展 of one date (a large save or import): the newest note of each project at that
    date looked up once, the rows and their audit entries (the same as _write_note's) each in one executemany."""
    iso = d.isoformat()
    newest: dict[int, tuple[int, str, int]] = {
        r[0]: (r[1], r[2], r[3]) for r in db.conn.execute(
            "SELECT n.project_id, n.id, n.text, n.retracted FROM progress_note n"
            " JOIN (SELECT max(id) AS id FROM progress_note WHERE as_of = ? GROUP BY project_id) m ON m.id = n.id",
            (iso,))}
    next_id = int(db.scalar("SELECT coalesce(max(id), 0) FROM progress_note")) + 1
    now, user = db.now(), db.user
    rows, logged, ids = [], [], []
    for op in ops:
        previous = newest.get(op.project_id)
        supersedes = previous[0] if previous and not previous[2] else None
        rows.append((next_id, op.project_id, iso, op.text, source_kind, now, user, supersedes))
        logged.append((now, user, op.project_id, f"本月进展（截至 {d}）：{op.text}",
                       json.dumps({"text": previous[1]}, ensure_ascii=False) if supersedes else None,
                       # json.dumps({"note": next_id, "as_of": iso, "text": op.text}, ensure_ascii=False)
                       f'{{"note": {next_id}, "as_of": "{iso}", "text": {json.dumps(op.text, ensure_ascii=False)}}}'))
        newest[op.project_id] = (next_id, op.text, 0)
        ids.append(next_id)
        next_id += 1
    db.conn.executemany("INSERT INTO progress_note (id, project_id, as_of, text, retracted, source_kind, recorded_at,"
                        " recorded_by, supersedes_id) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)", rows)
    db.conn.executemany("INSERT INTO audit_log (at, user, action, entity, entity_id, summary, before, after)"
                        " VALUES (?, ?, 'note.record', 'project', ?, ?, ?, ?)", logged)
    return ids


def _write_issue(db: Database, op: IssueOp, d: dt.date, source_kind: str) -> int:
    cur = db.conn.execute(
        "INSERT INTO project_issue (thread_id, project_id, as_of, description, owner, deadline, status, source_kind,"
        " recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (op.thread_id, op.project_id, d.isoformat(), op.description, op.owner, op.deadline, op.status, source_kind,
         db.now(), db.user))
    iid = int(cur.lastrowid)
    status = {"open": "存在问题", "resolved": "问题已解决", "withdrawn": "撤回问题"}[op.status]
    who = f"（责任人：{op.owner}" + (f"，时限：{op.deadline}）" if op.deadline else "）") if op.owner else (
        f"（时限：{op.deadline}）" if op.deadline else "")
    audit.log(db, action="issue." + op.status, entity="project", entity_id=op.project_id,
              summary=f"{status}：{op.description}{who}",
              after={"issue": iid, "thread": op.thread_id or iid, "as_of": d.isoformat(), "status": op.status,
                     "description": op.description, "owner": op.owner, "deadline": op.deadline})
    return iid


def _set_milestone(db: Database, project_id: int, milestone_id: int, actual: str | None) -> str | None:
    row = db.query_one("SELECT name, actual_date FROM milestone WHERE id = ? AND project_id = ?",
                       (milestone_id, project_id))
    if row is None:
        raise ValidationError("节点", milestone_id, "不属于该项目")
    db.conn.execute("UPDATE milestone SET actual_date = ? WHERE id = ?", (actual, milestone_id))
    audit.log(db, action="milestone.actual", entity="project", entity_id=project_id,
              summary=f"节点“{row['name']}”实际日期：{row['actual_date'] or '（无）'} → {actual or '（无）'}",
              before={"milestone": milestone_id, "actual_date": row["actual_date"]},
              after={"milestone": milestone_id, "actual_date": actual})
    return row["actual_date"]


def write_acceptance(db: Database, subject: Subject, warning: Warning, reason: str, as_of: dt.date,
                     update_id: int | None) -> int:
    """Record that a warning on a figure written elsewhere (an import) was accepted with a reason."""
    text = parse_text(reason, "确认理由", max_length=500)
    if not text:
        raise ValidationError("确认理由", reason, "不能为空")
    return _write_acceptance(db, AcceptOp(subject, warning, text), as_of, update_id)


def write_acceptances(db: Database, items: Sequence[tuple[Subject, Warning, dt.date, int | None]],
                      reason: str) -> None:
    """write_acceptance for many figures at once (an import's accepted warnings, one reason for all): the same
    rows and the same audit entry for each, written with one executemany each."""
    if not items:
        return
    text = parse_text(reason, "确认理由", max_length=500)
    if not text:
        raise ValidationError("确认理由", reason, "不能为空")
    if not db.in_transaction:
        raise RuntimeError("write_acceptances must be called inside db.transaction()")
    now, user = db.now(), db.user
    isos: dict[dt.date, str] = {}
    rows, logged = [], []
    # Each entry's JSON is json.dumps({"code", "reason", "update", "milestone": None, "as_of"}, ensure_ascii=False)
    # with its parts encoded once: the reason is the same for all, codes and dates repeat.
    encoded: dict[str, str] = {}
    reason_json = json.dumps(text, ensure_ascii=False)
    for s, w, d, uid in items:
        iso = isos.get(d)
        if iso is None:
            iso = isos[d] = d.isoformat()
        code = encoded.get(w.code)
        if code is None:
            code = encoded[w.code] = json.dumps(w.code, ensure_ascii=False)
        rows.append((s.kind, s.id, iso, uid, w.code, w.message, text, now, user))
        logged.append((now, user, s.kind, s.id, f"确认提示［{w.label}］：{w.message}；理由：{text}",
                       f'{{"code": {code}, "reason": {reason_json}, "update": '
                       f'{"null" if uid is None else str(uid) if type(uid) is int else json.dumps(uid)}, "milestone": null, '
                       f'"as_of": "{iso}"}}'))
    db.conn.executemany(
        "INSERT INTO accepted_warning (entity, entity_id, as_of, update_id, milestone_id, code, message, reason,"
        " accepted_at, accepted_by) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)", rows)
    db.conn.executemany(
        "INSERT INTO audit_log (at, user, action, entity, entity_id, summary, before, after)"
        " VALUES (?, ?, 'warning.accept', ?, ?, ?, NULL, ?)", logged)


def _write_acceptance(db: Database, op: AcceptOp, d: dt.date, update_id: int | None) -> int:
    cur = db.conn.execute(
        "INSERT INTO accepted_warning (entity, entity_id, as_of, update_id, milestone_id, code, message, reason,"
        " accepted_at, accepted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (op.subject.kind, op.subject.id, d.isoformat(), update_id, op.milestone_id, op.warning.code,
         op.warning.message, op.reason, db.now(), db.user))
    aid = int(cur.lastrowid)
    audit.log(db, action="warning.accept", entity=op.subject.kind, entity_id=op.subject.id,
              summary=f"确认提示［{op.warning.label}］：{op.warning.message}；理由：{op.reason}",
              after={"code": op.warning.code, "reason": op.reason, "update": update_id,
                     "milestone": op.milestone_id, "as_of": d.isoformat()})
    return aid


def _issue_version(db: Database, thread_id: int, d: dt.date) -> dict | None:
    """The newest version of an issue thread reported on or before ``d``."""
    return db.query_one("SELECT * FROM project_issue WHERE (id = :t OR thread_id = :t) AND as_of <= :d"
                        " ORDER BY id DESC LIMIT 1", {"t": thread_id, "d": d.isoformat()})


# -- undo and redo ----------------------------------------------------------------------------------

def undo_save(db: Database, result: SaveResult) -> list[Written]:
    """Restore what stood before ``result`` with new superseding rows, in one transaction (all or nothing).

    Refused (db.undo.UndoRefused, naming the newer figure) when something newer was recorded for the same figure
    since: undoing would silently discard that newer figure. Returns the rows written, which redo_save checks.
    """
    with db.transaction("update", "recording"):
        undone: list[Written | None] = []
        inverse: list[updates.NewUpdate] = []
        for w in reversed(result.written):
            if w.kind == "update":
                inverse.append(_undo_update(db, w.id))
                undone.append(None)   # its id once the inverse rows are written, together below
            elif w.kind == "note":
                undone.append(Written("note", _undo_note(db, w.id)))
            elif w.kind == "issue":
                undone.append(Written("issue", _undo_issue(db, w.id)))
            elif w.kind == "milestone":
                current = db.scalar("SELECT actual_date FROM milestone WHERE id = ?", (w.id,))
                if current != w.after:
                    raise UndoRefused(f"不能撤销：{result.label}——节点实际日期之后已改为 {current or '（无）'}，"
                                      "撤销会覆盖这个更新的日期，已取消。")
                project_id = db.scalar("SELECT project_id FROM milestone WHERE id = ?", (w.id,))
                _set_milestone(db, project_id, w.id, w.before)
                undone.append(Written("milestone", w.id, w.after, w.before))
            # Acceptances stay attached to the figure they were about; that figure stays in history.
        ids = iter(updates.record_many(db, inverse, source_kind="undo", label=f"撤销：{result.label}"))
        undone = [Written("update", next(ids)) if u is None else u for u in undone]
        audit.log(db, action="recording.undo", entity="recording", entity_id=None,
                  summary=f"撤销：{result.label}（截至 {result.as_of}）",
                  after={"as_of": result.as_of.isoformat(), "written": len(undone)})
    return undone


def redo_save(db: Database, result: SaveResult, undone: Sequence[Written] = ()) -> SaveResult:
    """Write the figures of ``result`` again (after an undo), with their accepted-warning reasons and their
    original source; returns the new result to undo later.

    Refused (UndoRefused) when a figure the undo wrote (``undone``) has a newer row since: redo would overwrite it.
    """
    with db.transaction("update", "recording"):
        for w in undone:
            if w.kind == "update":
                row = db.query_one("SELECT * FROM progress_update WHERE id = ?", (w.id,))
                check_newest_update(db, _subject_of(row), row["metric"], row["as_of"], w.id, "重做")
            elif w.kind == "milestone":
                current = db.scalar("SELECT actual_date FROM milestone WHERE id = ?", (w.id,))
                if current != w.after:
                    raise UndoRefused(f"不能重做：{result.label}——节点实际日期之后已改为 {current or '（无）'}，已取消。")
        written = _apply(db, result.as_of, result.ops, source_kind=result.source_kind, source=result.source,
                         label=f"重做：{result.label}")
        audit.log(db, action="recording.redo", entity="recording", entity_id=None,
                  summary=f"重做：{result.label}（截至 {result.as_of}）",
                  after={"as_of": result.as_of.isoformat(), "written": len(written)})
    return SaveResult(result.as_of, result.label, result.rows, result.ops, written, result.source_kind,
                      result.source)


def _subject_of(row: dict[str, Any]) -> Subject:
    for kind in ("portfolio", "project", "indicator", "cluster"):
        if row[kind + "_id"] is not None:
            return Subject(kind, row[kind + "_id"])  # type: ignore[arg-type]
    raise AssertionError(row)


def _undo_update(db: Database, update_id: int) -> updates.NewUpdate:
    """The row that undoes update ``update_id`` (refused when a newer row of that figure was written since)."""
    row = db.query_one("SELECT * FROM progress_update WHERE id = ?", (update_id,))
    if row is None:
        raise ValidationError("撤销", update_id, "找不到这条记录")
    subject = _subject_of(row)
    newest = db.scalar("SELECT max(id) FROM progress_update WHERE " + subject.column + " = ? AND metric = ?"
                       " AND as_of = ?", (subject.id, row["metric"], row["as_of"]))
    if newest != update_id:
        check_newest_update(db, subject, row["metric"], row["as_of"], update_id, "撤销")
    if row["supersedes_id"] is None:
        return updates.NewUpdate(subject, row["metric"], row["as_of"], retract=True, source="撤销")
    old = db.query_one("SELECT value, text_value, note FROM progress_update WHERE id = ?", (row["supersedes_id"],))
    return updates.NewUpdate(subject, row["metric"], row["as_of"], value=old["value"], text_value=old["text_value"],
                             note=old["note"], source="撤销")


def _undo_note(db: Database, note_id: int) -> int:
    row = db.query_one("SELECT * FROM progress_note WHERE id = ?", (note_id,))
    newest = db.scalar("SELECT max(id) FROM progress_note WHERE project_id = ? AND as_of = ?",
                       (row["project_id"], row["as_of"]))
    if newest != note_id:
        raise UndoRefused(f"不能撤销：截至 {row['as_of']} 的本月进展之后已有新的记录，撤销会覆盖它，已取消。")
    d = dt.date.fromisoformat(row["as_of"])
    if row["supersedes_id"] is None:
        return _write_note(db, row["project_id"], d, "", "undo", retract=True)
    old = db.scalar("SELECT text FROM progress_note WHERE id = ?", (row["supersedes_id"],))
    return _write_note(db, row["project_id"], d, old, "undo")


def _undo_issue(db: Database, issue_id: int) -> int:
    row = db.query_one("SELECT * FROM project_issue WHERE id = ?", (issue_id,))
    thread = row["thread_id"] or row["id"]
    newest = db.scalar("SELECT max(id) FROM project_issue WHERE id = ? OR thread_id = ?", (thread, thread))
    if newest != issue_id:
        raise UndoRefused(f"不能撤销：问题“{row['description']}”之后已有新的记录，撤销会覆盖它，已取消。")
    d = dt.date.fromisoformat(row["as_of"])
    if row["thread_id"] is None:
        op = IssueOp(row["project_id"], row["description"], row["owner"], row["deadline"], "withdrawn", thread)
    else:
        prev = db.query_one("SELECT * FROM project_issue WHERE (id = ? OR thread_id = ?) AND id < ?"
                            " ORDER BY id DESC LIMIT 1", (thread, thread, issue_id))
        op = IssueOp(row["project_id"], prev["description"], prev["owner"], prev["deadline"], prev["status"], thread)
    return _write_issue(db, op, d, "undo")


# -- reading back -----------------------------------------------------------------------------------

def progress_notes(db: Database, project_id: int) -> list[dict[str, Any]]:
    """Every 本月进展 of a project, oldest first; ``standing`` marks the one that counts for its date."""
    return db.query("SELECT *, ROW_NUMBER() OVER (PARTITION BY as_of ORDER BY id DESC) = 1 AS standing"
                    " FROM progress_note WHERE project_id = ? ORDER BY as_of, id", (project_id,))


def note_as_of(db: Database, project_id: int, d: dt.date | str) -> dict[str, Any] | None:
    """The 本月进展 standing for exactly the reporting date ``d`` (None when retracted or never written)."""
    iso = d.isoformat() if isinstance(d, dt.date) else d
    row = db.query_one("SELECT * FROM progress_note WHERE project_id = ? AND as_of = ? ORDER BY id DESC LIMIT 1",
                       (project_id, iso))
    return None if row is None or row["retracted"] else row


def open_issues(db: Database, project_id: int | None, d: dt.date | str) -> list[dict[str, Any]]:
    """Issues open at ``d`` (newest version of each thread up to ``d``), with ``thread`` = the thread id."""
    iso = d.isoformat() if isinstance(d, dt.date) else d
    return db.query(
        "SELECT * FROM (SELECT *, coalesce(thread_id, id) AS thread,"
        " ROW_NUMBER() OVER (PARTITION BY coalesce(thread_id, id) ORDER BY id DESC) AS rn"
        " FROM project_issue WHERE as_of <= :d AND (:p IS NULL OR project_id = :p))"
        " WHERE rn = 1 AND status = 'open' ORDER BY project_id, thread",
        {"d": iso, "p": project_id})


def issue_history(db: Database, project_id: int) -> list[dict[str, Any]]:
    return db.query("SELECT *, coalesce(thread_id, id) AS thread FROM project_issue WHERE project_id = ?"
                    " ORDER BY id", (project_id,))


def accepted_warnings(db: Database, entity: str, entity_id: int) -> list[dict[str, Any]]:
    return db.query("SELECT * FROM accepted_warning WHERE entity = ? AND entity_id = ? ORDER BY id",
                    (entity, entity_id))
