"""History of a project, indicator, portfolio or cluster node: every figure recorded, and its value by month.

Nothing here writes. ``timeline`` lists every row ever recorded (corrections and retractions included, with
who, when, from which source and the accepted warnings); ``monthly_series`` answers "what stood at the end
of each month" — the same question the as-of date asks everywhere else.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from db import recording, updates
from db.connection import Database
from db.subjects import METRIC_LABELS, UPDATE_METRICS, Subject
from db.targets import plan_year_of
from db.validate import month_end

# Which figure a history chart shows first for each kind.
MAIN_METRIC = {"project": "completed", "portfolio": "completed", "indicator": "value", "cluster": "output"}
NOTE_METRIC = "progress_note"
ISSUE_METRIC = "issue"
EXTRA_LABELS = {NOTE_METRIC: "本月进展", ISSUE_METRIC: "存在问题"}
ISSUE_STATUS_LABELS = {"open": "未解决", "resolved": "已解决", "withdrawn": "已撤回"}


def first_to_show(db: Database, kind: str, year: int) -> tuple[int, str] | None:
    """Which subject of ``kind`` a history view opens on, and the figure to chart: the one recorded last in the
    plan year, preferring its main figure (completed investment, an indicator's value…), then any number, then
    a stage. None when nothing of that kind was recorded that year."""
    col = Subject(kind, 0).column
    row = db.query_one(
        "SELECT " + col + " AS subject_id, metric FROM progress_update WHERE " + col + " IS NOT NULL"
        " AND retracted = 0 AND as_of BETWEEN ? AND ?"
        + (" AND project_id IN (SELECT id FROM project WHERE active = 1)" if kind == "project" else "")
        + " ORDER BY metric = ? DESC, value IS NOT NULL DESC, id DESC LIMIT 1",
        (f"{year}-01-01", f"{year}-12-31", MAIN_METRIC[kind]))
    return None if row is None else (int(row["subject_id"]), row["metric"])


SUBJECT_TABLES = {"project": "project", "portfolio": "portfolio", "indicator": "indicator", "cluster": "cluster"}


def subject_row(db: Database, subject: Subject) -> dict[str, Any] | None:
    """The stored row of a history subject (removed ones included), or None when it no longer exists."""
    table = SUBJECT_TABLES[subject.kind]
    return db.query_one("SELECT * FROM " + table + " WHERE id = ?", (subject.id,))


def metric_label(metric: str) -> str:
    return EXTRA_LABELS.get(metric) or METRIC_LABELS.get(metric, metric)


def timeline(db: Database, subject: Subject) -> list[dict[str, Any]]:
    """Every row recorded about ``subject``, by reporting date then recording order.

    Each row: ``as_of``, ``metric``, ``metric_label``, ``value`` (storage units) or ``text_value``,
    ``retracted``, ``standing`` (1 when it is the row that counts for its date), ``source_kind`` and its
    label, ``source``, ``note``, ``recorded_at``, ``recorded_by``, ``accepted`` (reasons of accepted warnings).
    Projects also list their 本月进展 and 存在问题.
    """
    rows = []
    accepted: dict[int, list[str]] = {}
    for a in recording.accepted_warnings(db, subject.kind, subject.id):
        if a["update_id"] is not None:
            accepted.setdefault(a["update_id"], []).append(f"{a['message']}（理由：{a['reason']}）")
    for r in updates.history(db, subject):
        rows.append({**r, "kind": "update", "metric_label": metric_label(r["metric"]),
                     "source_kind_label": updates.SOURCE_KINDS.get(r["source_kind"], r["source_kind"]),
                     "accepted": accepted.get(r["id"], [])})
    if subject.kind == "project":
        for n in recording.progress_notes(db, subject.id):
            rows.append({"kind": "note", "id": n["id"], "metric": NOTE_METRIC, "metric_label": "本月进展",
                         "as_of": n["as_of"], "value": None, "text_value": n["text"] or None,
                         "retracted": n["retracted"], "standing": n["standing"], "note": "", "source": "",
                         "source_kind": n["source_kind"],
                         "source_kind_label": updates.SOURCE_KINDS.get(n["source_kind"], n["source_kind"]),
                         "recorded_at": n["recorded_at"], "recorded_by": n["recorded_by"], "accepted": []})
        for i in recording.issue_history(db, subject.id):
            who = "，".join(x for x in (f"责任人：{i['owner']}" if i["owner"] else "",
                                        f"时限：{i['deadline']}" if i["deadline"] else "") if x)
            rows.append({"kind": "issue", "id": i["id"], "metric": ISSUE_METRIC, "metric_label": "存在问题",
                         "as_of": i["as_of"], "value": None,
                         "text_value": f"{i['description']}（{who}）" if who else i["description"],
                         "retracted": int(i["status"] == "withdrawn"), "standing": 1,
                         "note": ISSUE_STATUS_LABELS[i["status"]], "source": "", "source_kind": i["source_kind"],
                         "source_kind_label": updates.SOURCE_KINDS.get(i["source_kind"], i["source_kind"]),
                         "recorded_at": i["recorded_at"], "recorded_by": i["recorded_by"], "accepted": [],
                         "thread": i["thread"], "status": i["status"]})
    rows.sort(key=lambda r: (r["as_of"], r["recorded_at"], r["kind"] != "update", r["id"]))
    return rows


def monthly_series(db: Database, subject: Subject, metric: str | None = None,
                   year: int | None = None) -> list[dict[str, Any]]:
    """The figure standing at the end of each month of the plan year: one row per month.

    Each row: ``month`` (1..12), ``as_of`` (the month end), ``value`` (storage units, None when nothing
    stood), ``text_value`` (stages), ``reported_as_of`` (the reporting date of the figure that stood).
    """
    metric = metric or MAIN_METRIC[subject.kind]
    if metric not in UPDATE_METRICS[subject.kind]:
        raise ValueError(f"{subject.kind} has no metric {metric}")
    if year is None:
        year = int(db.scalar("SELECT year FROM plan_year WHERE id = ?", (plan_year_of(db, subject),)))
    newest: dict[str, dict[str, Any]] = {}
    for r in updates.history(db, subject, metric):
        if r["standing"]:
            newest[r["as_of"]] = r
    # Figures from earlier years never carry into this one, the same rule the as-of views follow.
    dated = sorted((d, r) for d, r in newest.items() if not r["retracted"] and d >= f"{year}-01-01")
    out = []
    for m in range(1, 13):
        end = month_end(year, m).isoformat()
        standing = None
        for d, r in dated:
            if d <= end:
                standing = r
            else:
                break
        out.append({"month": m, "as_of": end, "value": standing["value"] if standing else None,
                    "text_value": standing["text_value"] if standing else None,
                    "reported_as_of": standing["as_of"] if standing else None})
    return out


def months_with_data(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The months whose standing figure was reported in that very month (what a chart marks as a point)."""
    out = []
    for row in series:
        reported = row["reported_as_of"]
        if reported is not None and dt.date.fromisoformat(reported).month == row["month"]:
            out.append(row)
    return out
