"""The key-project board (重点项目): filtered, sorted rows at an as-of date in one query, portfolio bands, stage moves.

Everything the board shows per project is computed by SQLite in one statement, with the semantics of
``db.targets`` (the newest revision effective at the date counts) and ``db.updates`` (per reporting date the
newest row wins, a retraction withdraws, then the latest reporting date not after the as-of date; year-to-date
figures count only reporting dates within the plan year). As everywhere (``db.progress.judge``), a completion is
judged at its own date and from the figures as printed, in integer arithmetic: the rate and the time progress of
the figure's month are each rounded half up to tenths of a percent (per mille), and

    gap (tenths of a point) = round(1000 × done / plan) − round(1000 × tp(own date))
    green  ⇔  gap × g_den ≥ 10 × g_num                                  (g_den > 0)

so a row never shows "100.0% / -0.0 / 预警" and a June figure read in September keeps June's standing; ``current``
says whether the figure is the 报告期's own (older ones are 未报送 for it). SQLite integers are 64-bit: the
products stay exact while a project's money stays under 2.5 × 10⁸ 万元 (2.5 万亿元) and the thresholds have at
most six decimals, which ``_check_bounds`` makes sure of.

The text search uses LIKE with its wildcards escaped, so two-character Chinese queries such as 汽车 match (FTS5's
default tokenizer does not split Chinese and its trigram tokenizer needs three characters). At 10,000 projects
the LIKE terms cost a small fraction of the as-of computations (bench/README.md).

A ``Reader`` runs the same queries on a connection of its own (for a worker thread) and keeps the standing of
every project at the last as-of date in a TEMP table, so that changing a filter or the sort does not redo the
as-of computations; ``PRAGMA data_version`` tells it when another connection has committed.
"""
from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from collections import namedtuple
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from db import plan, portfolios, settings, targets, updates
from db.connection import APPLICATION_ID, Database, connect_read_only
from db.errors import DatabaseRefused, ValidationError
from db.progress import Thresholds, judge, time_progress
from db.subjects import Subject
from db.validate import name_key, parse_name, parse_text

# Filter values meaning "nothing recorded": a stage name can never contain a control character.
NO_STAGE = "\x00none"
NO_STATUS = "none"
UNREPORTED = "unreported"   # no figure for the 报告期's month (未报送): older or none at all
STATUS_FILTERS = ("green", "amber", "red", NO_STATUS, UNREPORTED)

# The board's columns, in 调度表 order (keys are what sorting and the GUI refer to).
COLUMNS: list[tuple[str, str]] = [
    ("seq", "序号"),
    ("name", "项目名称"),
    ("level", "级别"),
    ("cluster", "所属集群"),
    ("location", "建设地点"),
    ("unit", "责任单位"),
    ("leader", "包联领导"),
    ("total", "总投资"),
    ("plan", "年度计划投资"),
    ("done", "累计完成投资"),
    ("rate", "完成率"),
    ("gap", "序时差（百分点）"),
    ("stage", "形象进度"),
    ("milestone", "下一节点/日期"),
    ("status", "预警"),
]
COLUMN_KEYS = [k for k, _ in COLUMNS]

# ORDER BY expressions per column key: fixed text, never built from values. Empty text sorts last, like NULL.
_SORT_SQL: dict[str, str] = {
    "seq": "pf_position",
    "name": "name_key",
    "level": "pf_position",
    "cluster": "cluster_ord",
    "location": "NULLIF(location, '')",
    "unit": "NULLIF(responsible_unit, '')",
    "leader": "NULLIF(responsible_leader, '')",
    "total": "total_investment_wan",
    "plan": "plan_wan",
    "done": "done_wan",
    "rate": "rate",
    "gap": "gap_tenths",
    "stage": "stage_position",
    "milestone": "milestone_date",
    "status": "status_rank",
}
_TIE_BREAK = "pf_position, position, id"

# What one board row holds (the order of the final SELECT).
ROW_FIELDS = [
    "id", "name", "level", "portfolio_id", "cluster_id", "cluster_path", "location", "responsible_unit",
    "responsible_leader", "total_investment_wan", "plan_wan", "done_wan", "done_as_of", "stage", "stage_as_of",
    "milestone_name", "milestone_date", "milestone_precision", "milestone_overdue", "status", "note",
    "gap_tenths", "current",
]
Row = namedtuple("Row", ROW_FIELDS)  # type: ignore[misc]


def rate_of(row: Row) -> Fraction | None:
    """A row's completion rate, exactly (completed / annual plan); None without a positive plan or a figure."""
    if row.plan_wan is None or row.plan_wan <= 0 or row.done_wan is None:
        return None
    return Fraction(row.done_wan, row.plan_wan)

# Every column of the computed standing (what the Reader keeps in its TEMP table).
_STANDING_FIELDS = ROW_FIELDS + ["name_key", "pf_position", "position", "description", "cluster_ord",
                                 "stage_position", "rate", "status_rank"]

_CLUSTERS_CTE = """
cl(id, path, ord) AS (
    SELECT id, name, printf('%06d.%09d', position, id) FROM cluster
    WHERE plan_year_id = :py AND parent_id IS NULL AND active = 1
    UNION ALL
    SELECT c.id, cl.path || ' / ' || c.name, cl.ord || '/' || printf('%06d.%09d', c.position, c.id)
    FROM cluster c JOIN cl ON c.parent_id = cl.id WHERE c.active = 1
)"""

_SUBTREE_CTE = """
sub(id) AS (
    SELECT id FROM cluster WHERE id = :cluster_id AND active = 1
    UNION ALL
    SELECT c.id FROM cluster c JOIN sub ON c.parent_id = sub.id WHERE c.active = 1
)"""

# The standing update of one metric per project, in two steps. The fast one reads the newest row of the
# latest reporting date not after :as_of from the covering (project_id, metric, as_of) index (the rowid is
# its last column); only when that row is a retraction does the full rule run: the latest date whose newest
# row is not a retraction. Both keep db.updates semantics; the split roughly halves the time at 10,000 projects.
_NEWEST = """(SELECT u.id FROM progress_update u
        WHERE u.project_id = p.id AND u.metric = '{metric}' AND u.as_of <= :as_of AND u.as_of >= {since}
        ORDER BY u.as_of DESC, u.id DESC LIMIT 1)"""
_STANDING = """(SELECT u.id FROM progress_update u
        WHERE u.project_id = b.id AND u.metric = '{metric}' AND u.as_of <= :as_of AND u.as_of >= {since}
          AND u.retracted = 0
          AND u.id = (SELECT max(v.id) FROM progress_update v
                      WHERE v.project_id = b.id AND v.metric = '{metric}' AND v.as_of = u.as_of)
        ORDER BY u.as_of DESC LIMIT 1)"""


def _metric(template: str, metric: str, since: str) -> str:
    return template.replace("{metric}", metric).replace("{since}", since)


_BASE = """
base AS MATERIALIZED (
    SELECT p.id, p.name, p.name_key, pf.level, p.portfolio_id, pf.position AS pf_position, p.position,
           p.cluster_id, p.location, p.responsible_unit, p.responsible_leader, p.total_investment_wan, p.note,
           p.description,
           (SELECT t.value FROM target t
            WHERE t.project_id = p.id AND t.metric = 'annual_plan' AND t.effective_from <= :as_of
            ORDER BY t.effective_from DESC, t.id DESC LIMIT 1) AS plan_wan,
           """ + _metric(_NEWEST, "completed", ":since") + """ AS done_top,
           """ + _metric(_NEWEST, "stage", "'0000-01-01'") + """ AS stage_top,
           (SELECT m.id FROM milestone m
            WHERE m.project_id = p.id AND (m.actual_date IS NULL OR m.actual_date > :as_of)
            ORDER BY m.planned_date IS NULL, m.planned_date, m.position, m.id LIMIT 1) AS milestone_id
    FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id
    WHERE pf.plan_year_id = :py AND p.active = 1"""

# The time progress of the figure's own date in per mille, rounded half up: by whole months (a month counts once
# its last day is reached) or by days of the plan year.
_OWN_MONTHS = "(CAST(strftime('%m', d.as_of) AS INTEGER) - (strftime('%d', d.as_of, '+1 day') <> '01'))"
_OWN_TP_PERMILLE = ("CASE WHEN :tp_mode = 'day'"
                    " THEN (2000 * CAST(strftime('%j', d.as_of) AS INTEGER) + :year_days) / (2 * :year_days)"
                    " ELSE (2000 * " + _OWN_MONTHS + " + 12) / 24 END")

_CALC = """
standing AS MATERIALIZED (
    SELECT b.*,
           CASE WHEN d0.retracted = 1 THEN """ + _metric(_STANDING, "completed", ":since") + """
                ELSE d0.id END AS done_id,
           CASE WHEN s0.retracted = 1 THEN """ + _metric(_STANDING, "stage", "'0000-01-01'") + """
                ELSE s0.id END AS stage_id
    FROM base b
    LEFT JOIN progress_update d0 ON d0.id = b.done_top
    LEFT JOIN progress_update s0 ON s0.id = b.stage_top
),
calc AS (
    SELECT b.*, d.value AS done_wan, d.as_of AS done_as_of, s.text_value AS stage, s.as_of AS stage_as_of,
           st.position AS stage_position, m.name AS milestone_name, m.planned_date AS milestone_date,
           m.planned_precision AS milestone_precision,
           (m.planned_date IS NOT NULL AND m.planned_date < :as_of) AS milestone_overdue,
           cl.path AS cluster_path, cl.ord AS cluster_ord,
           CASE WHEN b.plan_wan > 0 AND d.value IS NOT NULL THEN CAST(d.value AS REAL) / b.plan_wan END AS rate,
           CASE WHEN b.plan_wan > 0 AND d.value IS NOT NULL
                THEN (2000 * d.value + b.plan_wan) / (2 * b.plan_wan) - """ + _OWN_TP_PERMILLE + """ END AS gap_tenths,
           coalesce(d.as_of >= :period_start, 0) AS current
    FROM standing b
    LEFT JOIN progress_update d ON d.id = b.done_id
    LEFT JOIN progress_update s ON s.id = b.stage_id
    LEFT JOIN stage st ON st.name = s.text_value
    LEFT JOIN milestone m ON m.id = b.milestone_id
    LEFT JOIN cl ON cl.id = b.cluster_id
),
judged AS (
    SELECT *, CASE WHEN gap_tenths IS NULL THEN NULL
                   WHEN gap_tenths * :green_den >= 10 * :green_num THEN 'green'
                   WHEN gap_tenths * :amber_den >= 10 * :amber_num THEN 'amber'
                   ELSE 'red' END AS status
    FROM calc
),
ranked AS (
    SELECT *, CASE WHEN NOT current THEN 3
                   ELSE CASE status WHEN 'red' THEN 0 WHEN 'amber' THEN 1 WHEN 'green' THEN 2 END
              END AS status_rank FROM judged
)"""

# Searched by the text filter besides the name (which is compared by its normalised key).
_TEXT_COLUMNS = ("responsible_unit", "responsible_leader", "location", "note", "description")
_MAX_TERMS = 8


@dataclass(frozen=True)
class Filters:
    """What the board shows; every filter left at None (or '') lets everything through. They combine (AND)."""

    level: str | None = None             # 'district' / 'city'
    cluster_id: int | None = None        # a cluster node: projects linked to it or anywhere below it
    stage: str | None = None             # a stage name, or NO_STAGE for projects with none recorded
    responsible_unit: str | None = None  # exact (after trimming); '' for projects with none given
    status: str | None = None            # 'green' / 'amber' / 'red', or NO_STATUS (no plan or no figure)
    text: str = ""                       # words (split at white space), each found in a name, unit or note

    @property
    def active(self) -> bool:
        return self != Filters()


@dataclass(frozen=True)
class Query:
    """One request for the board: a plan year, an as-of date, filters and the sort."""

    plan_year_id: int
    year: int
    as_of: dt.date
    filters: Filters = Filters()
    sort: str = "seq"
    descending: bool = False

    def with_(self, **changes: Any) -> Query:
        return replace(self, **changes)


def search_terms(text: str) -> list[str]:
    """The words of a search: NFKC-normalised, split at white space (full-width spaces too)."""
    return unicodedata.normalize("NFKC", text or "").split()[:_MAX_TERMS]


def _like(term: str) -> str:
    """A LIKE pattern that matches ``term`` literally anywhere (%, _ and the escape itself escaped)."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _check_bounds(tp: Fraction, th: Thresholds) -> None:
    # Keep the integer products of the status test inside 64 bits for any money below 2.5 × 10⁸ 万元.
    for label, x in (("时序进度", tp), ("绿色起点", th.green_from), ("黄色起点", th.amber_from)):
        if x.denominator > 1_000_000 or abs(x.numerator) > 10**9:
            raise ValidationError(label, str(x), "精度过高，无法精确比较（最多六位小数）")


def _standing_params(db: Database, q: Query) -> tuple[dict[str, Any], Fraction, Thresholds]:
    tp = time_progress(q.as_of, q.year, settings.time_progress_mode(db))
    th = settings.thresholds(db)
    _check_bounds(tp, th)
    params = {"py": q.plan_year_id, "as_of": q.as_of.isoformat(), "since": dt.date(q.year, 1, 1).isoformat(),
              "period_start": q.as_of.replace(day=1).isoformat(), "tp_mode": settings.time_progress_mode(db),
              "year_days": 366 if calendar.isleap(q.year) else 365,
              "green_num": th.green_from.numerator, "green_den": th.green_from.denominator,
              "amber_num": th.amber_from.numerator, "amber_den": th.amber_from.denominator}
    return params, tp, th


def _conditions(f: Filters, params: dict[str, Any], *, inside: bool) -> tuple[list[str], list[str], bool]:
    """(conditions on the project's own columns, conditions on computed columns, needs the subtree CTE).

    ``inside``: for the base of the query (project p joined with portfolio pf), else for the Reader's table.
    """
    p, pf = ("p.", "pf.") if inside else ("", "")
    own, computed = [], []
    if f.level is not None:
        if f.level not in portfolios.LEVELS:
            raise ValidationError("级别", f.level, "只能是区级重点或市级重大")
        own.append(pf + "level = :level")
        params["level"] = f.level
    if f.cluster_id is not None:
        own.append(p + "cluster_id IN (SELECT id FROM sub)")
        params["cluster_id"] = f.cluster_id
    if f.responsible_unit is not None:
        own.append("trim(" + p + "responsible_unit) = :unit")
        params["unit"] = f.responsible_unit.strip()
    for i, term in enumerate(search_terms(f.text)):
        key, raw = "tk" + str(i), "tt" + str(i)
        params[key] = _like(name_key(term))
        params[raw] = _like(term)
        own.append("(" + p + "name_key LIKE :" + key + " ESCAPE '\\' OR "
                   + " OR ".join(p + col + " LIKE :" + raw + " ESCAPE '\\'" for col in _TEXT_COLUMNS) + ")")
    if f.stage is not None:
        if f.stage == NO_STAGE:
            computed.append("stage IS NULL")
        else:
            computed.append("stage = :stage")
            params["stage"] = f.stage
    if f.status is not None:
        if f.status not in STATUS_FILTERS:
            raise ValidationError("预警", f.status, "只能是 green、amber、red、none 或 unreported")
        if f.status == NO_STATUS:
            computed.append("status IS NULL")
        elif f.status == UNREPORTED:
            computed.append("NOT current")
        else:
            computed.append("status = :status AND current")
            params["status"] = f.status
    return own, computed, f.cluster_id is not None


def _order(q: Query) -> str:
    if q.sort not in _SORT_SQL:
        raise ValidationError("排序", q.sort, "不是看板的列")
    direction = " DESC" if q.descending else ""
    return " ORDER BY " + _SORT_SQL[q.sort] + direction + " NULLS LAST, " + _TIE_BREAK + direction


def _standing_sql(own: list[str], needs_subtree: bool) -> str:
    """WITH … ranked: the computed standing of the projects that pass ``own`` (filters on their own columns)."""
    ctes = [_CLUSTERS_CTE] + ([_SUBTREE_CTE] if needs_subtree else [])
    # Own-column filters go inside base, before the as-of subqueries run: a search touches only its matches.
    return "WITH RECURSIVE " + ",".join(ctes) + "," + _BASE + "".join(" AND " + c for c in own) + "\n)," + _CALC


def build(db: Database, q: Query) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters for a query's rows (filtered and sorted). Values only ever travel as parameters."""
    params, _, _ = _standing_params(db, q)
    own, computed, needs_subtree = _conditions(q.filters, params, inside=True)
    sql = (_standing_sql(own, needs_subtree) + "\nSELECT " + ", ".join(ROW_FIELDS) + " FROM ranked"
           + (" WHERE " + " AND ".join(computed) if computed else "") + _order(q))
    return sql, params


def rows(db: Database, q: Query) -> list[Row]:
    """The board's rows for a query, filtered and sorted by SQLite in one statement."""
    sql, params = build(db, q)
    return _rows(db.conn.execute(sql, params))


def count(db: Database, q: Query) -> int:
    sql, params = build(db, q)
    return int(db.scalar("SELECT count(*) FROM (" + sql + ")", params))


def project_row(db: Database, q: Query, project_id: int) -> Row | None:
    """One project's row at the query's as-of date, whatever the filters (the detail pane's figures)."""
    params, _, _ = _standing_params(db, q)
    params["project_id"] = project_id
    sql = _standing_sql(["p.id = :project_id"], False) + "\nSELECT " + ", ".join(ROW_FIELDS) + " FROM ranked"
    row = db.conn.execute(sql, params).fetchone()
    return None if row is None else Row._make(row)


def active_projects(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM project WHERE active = 1"))


def project_log(db: Database, project_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The audit entries about one project, newest first (by the (entity, entity_id) index)."""
    return db.query("SELECT id, at, user, action, summary FROM audit_log WHERE entity = 'project' AND entity_id = ?"
                    " ORDER BY id DESC LIMIT ?", (project_id, limit))


def project_sources(db: Database, project_id: int) -> list[str]:
    """Every distinct source sentence behind a project: its own, its updates', targets' and milestones'."""
    seen: list[str] = []
    for sql in ("SELECT source FROM project WHERE id = ?",
                "SELECT source FROM progress_update WHERE project_id = ? ORDER BY id",
                "SELECT source FROM target WHERE project_id = ? ORDER BY id",
                "SELECT source FROM milestone WHERE project_id = ? ORDER BY position, id"):
        for (source,) in db.conn.execute(sql, (project_id,)):
            if source and source not in seen:
                seen.append(source)
    return seen


# -- the portfolio bands ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    """One portfolio at the as-of date: its declared figures, its standing, and how much of it is itemised."""

    portfolio_id: int
    name: str
    level: str
    declared_count: int | None
    total_investment_wan: int | None
    annual_plan_wan: int | None
    completed_wan: int | None
    completed_as_of: str | None
    rate: Fraction | None
    gap: Fraction | None
    status: str | None              # at the total's own date (completed_as_of)
    itemised_projects: int
    itemised_plan_wan: int
    itemised_completed_wan: int
    current: bool = True            # the total is the 报告期's own (else 未报送, with the standing above as the last)


_ITEMISED = "SELECT portfolio_id, count(*), coalesce(sum(plan_wan), 0), coalesce(sum(done_wan), 0) FROM "


def _bands(db: Database, q: Query, itemised: dict[int, tuple[int, int, int]], tp: Fraction,
           th: Thresholds) -> list[Band]:
    """As ``db.summary.standing`` computes its portfolios (same functions), from exact 万元."""
    pf_plan = targets.as_of(db, "portfolio", "annual_plan", q.as_of)
    pf_done = updates.as_of(db, "portfolio", "completed", q.as_of, since=dt.date(q.year, 1, 1))
    out = []
    for pf in portfolios.list_for(db, q.plan_year_id):
        plan_wan = pf_plan.get(pf["id"], {}).get("value")
        done = pf_done.get(pf["id"])
        done_wan = done["value"] if done else None
        a = judge(done_wan, plan_wan, done["as_of"] if done else None, q.as_of, q.year,
                  mode=settings.time_progress_mode(db), thresholds=th)
        n, it_plan, it_done = itemised.get(pf["id"], (0, 0, 0))
        out.append(Band(pf["id"], pf["name"], pf["level"], pf["declared_count"], pf["total_investment_wan"],
                        plan_wan, done_wan, done["as_of"] if done else None, a.rate, a.gap, a.status,
                        n, it_plan, it_done, a.current))
    return out


def bands(db: Database, q: Query) -> list[Band]:
    """The header band of every portfolio of the plan year (filters do not apply: a band is the whole portfolio)."""
    params, tp, th = _standing_params(db, q)
    sql = _standing_sql([], False) + "\n" + _ITEMISED + "ranked GROUP BY portfolio_id"
    itemised = {r[0]: (r[1], r[2], r[3]) for r in db.conn.execute(sql, params)}
    return _bands(db, q, itemised, tp, th)


# -- one load, directly or through a Reader ---------------------------------------------------------------

@dataclass
class Result:
    """What one board load returns: the rows and what is needed to show and explain them."""

    query: Query
    rows: list[Row]
    time_progress: Fraction
    thresholds: Thresholds
    stages: list[str]
    units: list[str]
    bands: list[Band] = field(default_factory=list)


def _units(db: Database, plan_year_id: int) -> list[str]:
    return [r[0] for r in db.conn.execute(
        "SELECT DISTINCT trim(p.responsible_unit) FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
        " WHERE pf.plan_year_id = ? AND p.active = 1 ORDER BY 1", (plan_year_id,))]


def load(db: Database, q: Query) -> Result:
    """Rows, bands and the lists the filters offer, straight from the database (no cache)."""
    _, tp, th = _standing_params(db, q)
    return Result(q, rows(db, q), tp, th, plan.stages(db), _units(db, q.plan_year_id), bands(db, q))


def open_reader(path: str | Path) -> Database:
    """A read-only handle on a PolicyTrack file that ``open_database`` has already checked and migrated, for
    a thread of its own (a connection belongs to the thread that made it). Any write on it is refused."""
    conn = connect_read_only(Path(path))
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise DatabaseRefused(str(path), "这不是 PolicyTrack 数据库")
    except BaseException:
        conn.close()
        raise
    return Database(conn, str(path), created=False, migrated_from=None, read_only_reason="看板的只读连接")


def _rows(cursor) -> list[Row]:
    """The board's rows, one object per distinct text: a unit, a cluster path, a stage or a date repeats on
    thousands of rows, and SQLite returns a new string for each (at 10,000 projects this keeps 5 MiB less)."""
    seen: dict[str, str] = {}
    shared = seen.setdefault
    return [Row._make([shared(v, v) if type(v) is str else v for v in r]) for r in cursor]


class Reader:
    """Board loads on a connection of its own, with the standing at the last as-of date kept in a TEMP table.

    Filters and sorting then run on that table; it is rebuilt when the as-of date changes or when another
    connection has committed (``PRAGMA data_version``), so what it returns is what ``load`` would return.
    """

    _TABLE = "temp.board_standing"

    def __init__(self, path: str | Path):
        self.db = open_reader(path)
        self._key: tuple | None = None
        self._bands: list[Band] = []

    def close(self) -> None:
        self.db.close()

    def load(self, q: Query) -> Result:
        params, tp, th = _standing_params(self.db, q)
        version = self.db.scalar("PRAGMA data_version")
        key = (q.plan_year_id, q.year, q.as_of, version)
        if key != self._key:
            self._key = None
            self.db.conn.execute("DROP TABLE IF EXISTS " + self._TABLE)
            self.db.conn.execute("CREATE TABLE " + self._TABLE + " AS " + _standing_sql([], False)
                                 + "\nSELECT " + ", ".join(_STANDING_FIELDS) + " FROM ranked", params)
            itemised = {r[0]: (r[1], r[2], r[3]) for r in self.db.conn.execute(
                _ITEMISED + self._TABLE + " GROUP BY portfolio_id")}
            self._bands = _bands(self.db, q, itemised, tp, th)
            self._key = key
        own, computed, needs_subtree = _conditions(q.filters, params, inside=False)
        sql = (("WITH RECURSIVE " + _SUBTREE_CTE if needs_subtree else "")
               + "\nSELECT " + ", ".join(ROW_FIELDS) + " FROM " + self._TABLE
               + (" WHERE " + " AND ".join(own + computed) if own or computed else "") + _order(q))
        result_rows = _rows(self.db.conn.execute(sql, params))
        return Result(q, result_rows, tp, th, plan.stages(self.db), _units(self.db, q.plan_year_id), self._bands)


# -- moving a project to another stage -------------------------------------------------------------------

def move_stage(db: Database, project_id: int, stage: str, as_of: dt.date | str, *, note: str = "",
               source_kind: str = "typed") -> dict[str, Any]:
    """Record that a project stands at ``stage`` at ``as_of`` (an append-only update with a note).

    Returns what ``undo_stage`` needs: the update's id, its date and the figure it superseded on that date.
    """
    clean = parse_name(stage, "形象进度", max_length=20)
    note_text = parse_text(note, "备注", max_length=500)
    subject = Subject("project", project_id)
    with db.transaction("update"):
        before = updates.standing(db, subject, "stage", as_of)
        if before is not None and before["text_value"] == clean:
            raise ValidationError("形象进度", clean, "与当前形象进度相同")
        uid = updates.record(db, subject, "stage", as_of, text_value=clean, note=note_text, source_kind=source_kind)
        d = db.scalar("SELECT as_of FROM progress_update WHERE id = ?", (uid,))
    same_date = before if before is not None and before["as_of"] == d else None
    return {"project": project_id, "update": uid, "as_of": d, "stage": clean,
            "superseded": None if same_date is None else same_date["text_value"],
            "previous": None if before is None else before["text_value"]}


def undo_stage(db: Database, moved: dict[str, Any]) -> int:
    """Withdraw a stage move with a new row: the superseded figure of that date again, or a retraction.

    Refused (db.undo.UndoRefused) when a newer stage was recorded for that date since. Returns the new row's id.
    """
    from db.undo import check_newest_update

    subject = Subject("project", moved["project"])
    with db.transaction("update"):
        check_newest_update(db, subject, "stage", moved["as_of"], moved["update"], "撤销")
        if moved["superseded"] is not None:
            return updates.record(db, subject, "stage", moved["as_of"], text_value=moved["superseded"],
                                  note="撤销形象进度调整", source_kind="undo")
        return updates.record(db, subject, "stage", moved["as_of"], retract=True, note="撤销形象进度调整",
                              source_kind="undo")
