"""问题督办: the register of 存在问题 across projects.

A problem is a 存在问题 thread (project_issue, migration 2): every change is a new version of the thread, so the
history stays. This module adds what the 问题清单 needs beside it (migration 9, problem_detail): a 类别 from an
editable list, the note written when it was resolved, and 已销号 (closed after checking).

Status as the user sees it: 未解决 (open), 已解决 (resolved), 已销号 (resolved and closed). A withdrawn thread
(撤回, e.g. an undone add) is not listed. A problem's id is its thread id (the first version's id).

Every write validates first, runs in one BEGIN IMMEDIATE transaction and is logged in the audit log.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from db import audit
from db.connection import Database
from db.errors import NotFoundError, ValidationError
from db.reporting import UNKNOWN_UNIT
from db.validate import parse_date, parse_text

DEFAULT_CATEGORIES = ("用地", "规划", "环评", "资金", "拆迁", "手续", "其他")
FALLBACK_CATEGORY = "其他"
STATUS_LABELS = {"open": "未解决", "resolved": "已解决", "closed": "已销号"}
STATUS_CODES = {v: k for k, v in STATUS_LABELS.items()}
# The keys of `problem list --json`, in order (a CLI contract: add keys, never rename or drop).
JSON_KEYS = ("id", "project", "unit", "text", "category", "owner", "raised", "due", "status", "overdue_days")
MAX_TEXT = 500
MAX_OWNER = 100
MAX_NOTE = 500


# -- the category list ------------------------------------------------------------------------------

def categories(db: Database) -> list[str]:
    """The 类别 list: the defaults, then names the user added, without those the user removed."""
    state: dict[str, bool] = {}
    for row in db.query("SELECT name, active FROM problem_category ORDER BY id"):
        state[row["name"]] = bool(row["active"])
    names = [c for c in DEFAULT_CATEGORIES if state.get(c, True)]
    names += [n for n, on in state.items() if on and n not in DEFAULT_CATEGORIES]
    return names


def _category_name(value: object) -> str:
    name = parse_text(value, "类别", max_length=20)
    if not name:
        raise ValidationError("类别", value, "不能为空")
    return name


def add_category(db: Database, name: object) -> str:
    text = _category_name(name)
    with db.transaction("problem"):
        if text in categories(db):
            raise ValidationError("类别", name, "已在类别列表中")
        db.conn.execute("INSERT INTO problem_category (name, active, recorded_at, recorded_by) VALUES (?, 1, ?, ?)",
                        (text, db.now(), db.user))
        audit.log(db, action="problem.category", entity="problem", entity_id=None, summary=f"新增问题类别：{text}",
                  after={"category": text, "active": True})
    return text


def remove_category(db: Database, name: object) -> str:
    """Take a name off the list; problems already filed under it keep it."""
    text = _category_name(name)
    with db.transaction("problem"):
        current = categories(db)
        if text not in current:
            raise ValidationError("类别", name, "不在类别列表中")
        if len(current) == 1:
            raise ValidationError("类别", name, "类别列表不能为空")
        db.conn.execute("INSERT INTO problem_category (name, active, recorded_at, recorded_by) VALUES (?, 0, ?, ?)",
                        (text, db.now(), db.user))
        audit.log(db, action="problem.category", entity="problem", entity_id=None, summary=f"删除问题类别：{text}",
                  before={"category": text, "active": True}, after={"category": text, "active": False})
    return text


# -- reading ----------------------------------------------------------------------------------------

_REGISTER = """
WITH v AS (
    SELECT i.*, coalesce(i.thread_id, i.id) AS thread FROM project_issue i WHERE i.as_of <= :d
), newest AS (
    SELECT * FROM (SELECT v.*, ROW_NUMBER() OVER (PARTITION BY thread ORDER BY id DESC) AS rn FROM v) WHERE rn = 1
)
SELECT n.id AS version_id, n.thread AS id, n.project_id, n.description AS text, n.owner, n.deadline AS due,
       n.status AS issue_status, n.as_of AS changed,
       (SELECT min(as_of) FROM v WHERE v.thread = n.thread) AS raised,
       (SELECT d.category FROM problem_detail d JOIN v ON v.id = d.issue_id WHERE v.thread = n.thread
        ORDER BY d.issue_id DESC LIMIT 1) AS category,
       coalesce((SELECT note FROM problem_detail WHERE issue_id = n.id), '') AS note,
       coalesce((SELECT closed FROM problem_detail WHERE issue_id = n.id), 0) AS closed,
       p.name AS project, p.responsible_unit AS unit, p.active AS project_active
FROM newest n JOIN project p ON p.id = n.project_id
WHERE n.status <> 'withdrawn'
ORDER BY n.thread
"""


def _shape(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    status = "open" if row["issue_status"] == "open" else ("closed" if row["closed"] else "resolved")
    overdue_days = 0
    if status == "open" and row["due"]:
        overdue_days = max(0, (today - dt.date.fromisoformat(row["due"])).days)
    out = dict(row)
    out.update(category=row["category"] or FALLBACK_CATEGORY, status_code=status, status=STATUS_LABELS[status],
               overdue_days=overdue_days, overdue=overdue_days > 0, unit=row["unit"] or "", owner=row["owner"] or "")
    return out


def register(db: Database, *, today: dt.date | str | None = None, as_of: dt.date | str | None = None,
             status: str | None = None, overdue_only: bool = False) -> list[dict[str, Any]]:
    """Every problem (withdrawn ones left out) as it stands; ``today`` judges overdue (default: the real date).

    ``as_of`` reads the register as it stood on that reporting date (versions reported later ignored).
    ``status`` is one of 'open', 'resolved', 'closed' (or its Chinese label). Rows carry the JSON_KEYS plus
    project_id, version_id (the newest version), note, status_code, overdue, changed.
    """
    day = _as_date(today) if today is not None else dt.date.today()
    limit = _as_date(as_of) if as_of is not None else dt.date.max
    code = STATUS_CODES.get(status, status) if status else None
    rows = [_shape(r, day) for r in db.query(_REGISTER, {"d": limit.isoformat()})]
    rows = [r for r in rows if r["project_active"]]
    if code:
        rows = [r for r in rows if r["status_code"] == code]
    if overdue_only:
        rows = [r for r in rows if r["overdue"]]
    return rows


def get(db: Database, problem_id: int, *, today: dt.date | str | None = None) -> dict[str, Any]:
    for row in register(db, today=today):
        if row["id"] == problem_id:
            return row
    raise NotFoundError(f"找不到问题：{problem_id}")


def open_by_unit(db: Database, as_of: dt.date | str) -> list[tuple[str, list[dict[str, Any]]]]:
    """Problems open on ``as_of`` grouped by 责任单位 (for the briefing's 存在问题 section).

    Overdue is judged at ``as_of``. Within a unit: overdue first (most days first), then by 整改时限 (none last).
    Units with an overdue problem come first, then by name.
    """
    d = _as_date(as_of)
    rows = register(db, today=d, as_of=d, status="open")
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["unit"] or UNKNOWN_UNIT, []).append(r)
    for items in groups.values():
        items.sort(key=lambda r: (-r["overdue_days"], r["due"] or "9999-12-31", r["id"]))
    return sorted(groups.items(), key=lambda kv: (0 if any(r["overdue"] for r in kv[1]) else 1, kv[0]))


def cell_text(row: dict[str, Any]) -> str:
    """A problem as one cell of the 调度表's 存在问题 column: text, owner and deadline (and days overdue)."""
    extra = [f"责任：{row['owner']}"] if row["owner"] else []
    if row["due"]:
        extra.append(f"整改时限 {row['due']}" + (f"，逾期 {row['overdue_days']} 天" if row["overdue_days"] else ""))
    return row["text"] + (f"（{'，'.join(extra)}）" if extra else "")


def history(db: Database, problem_id: int) -> list[dict[str, Any]]:
    """Every version of a problem, oldest first, with its category/note/closed where written here."""
    return db.query("SELECT i.*, d.category, d.note, d.closed FROM project_issue i"
                    " LEFT JOIN problem_detail d ON d.issue_id = i.id"
                    " WHERE i.id = :t OR i.thread_id = :t ORDER BY i.id", {"t": problem_id})


def to_json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in JSON_KEYS}


# -- writing ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Written:
    """One version written (the id to undo) and the problem (thread) it belongs to."""

    version_id: int
    problem_id: int
    label: str


def _as_date(value: dt.date | str, field: str = "日期") -> dt.date:
    d = parse_date(value, field)
    if not 1990 <= d.year <= 2100:
        raise ValidationError(field, value, "年份超出范围")
    return d


def _check_fields(db: Database, text: object, category: object, owner: object, due: object,
                  raised: dt.date) -> tuple[str, str, str, str | None]:
    t = parse_text(text, "问题", max_length=MAX_TEXT)
    if not t:
        raise ValidationError("问题", text, "不能为空")
    c = _category_name(category) if category not in (None, "") else FALLBACK_CATEGORY
    if c not in categories(db):
        raise ValidationError("类别", category, "不在类别列表中（" + "/".join(categories(db)) + "）")
    o = parse_text(owner, "责任单位/责任人", max_length=MAX_OWNER)
    d = None
    if due not in (None, ""):
        dd = _as_date(due, "整改时限")
        if dd < raised:
            raise ValidationError("整改时限", due, f"早于提出日期 {raised.isoformat()}")
        d = dd.isoformat()
    return t, c, o, d


def _write(db: Database, *, thread: int | None, project_id: int, as_of: dt.date, text: str, owner: str,
           due: str | None, status: str, category: str, note: str, closed: bool, source_kind: str) -> int:
    cur = db.conn.execute(
        "INSERT INTO project_issue (thread_id, project_id, as_of, description, owner, deadline, status, source_kind,"
        " recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (thread, project_id, as_of.isoformat(), text, owner, due, status, source_kind, db.now(), db.user))
    vid = int(cur.lastrowid)
    db.conn.execute("INSERT INTO problem_detail (issue_id, category, note, closed) VALUES (?, ?, ?, ?)",
                    (vid, category, note, int(closed)))
    return vid


def add(db: Database, *, project_id: int, text: object, category: object = None, owner: object = "",
        due: object = None, raised: dt.date | str | None = None, source_kind: str = "typed") -> Written:
    """File a new problem (未解决) against a project; ``raised`` (提出日期) defaults to today."""
    r = _as_date(raised, "提出日期") if raised is not None else dt.date.today()
    t, c, o, d = _check_fields(db, text, category, owner, due, r)
    with db.transaction("problem", "recording"):
        project = db.query_one("SELECT id, name, active FROM project WHERE id = ?", (project_id,))
        if project is None or not project["active"]:
            raise NotFoundError(f"找不到重点项目：{project_id}")
        vid = _write(db, thread=None, project_id=project_id, as_of=r, text=t, owner=o, due=d, status="open",
                     category=c, note="", closed=False, source_kind=source_kind)
        audit.log(db, action="problem.add", entity="project", entity_id=project_id,
                  summary=f"新增问题［{c}］：{t}" + (f"（责任：{o}" if o else "（") + (f"，整改时限：{d}）" if d else "）"),
                  after={"problem": vid, "category": c, "text": t, "owner": o, "due": d, "raised": r.isoformat()})
    return Written(vid, vid, f"新增问题：{t}")


def _current(db: Database, problem_id: int) -> dict[str, Any]:
    row = next((r for r in register(db) if r["id"] == problem_id), None)
    if row is None:
        raise NotFoundError(f"找不到问题：{problem_id}")
    return row


def _change_day(current: dict[str, Any], on: dt.date | str | None) -> dt.date:
    day = _as_date(on, "日期") if on is not None else dt.date.today()
    # A version is never dated before the one it follows: the newest version up to a date tells the state.
    return max(day, dt.date.fromisoformat(current["changed"]))


def edit(db: Database, problem_id: int, *, text: object = None, category: object = None, owner: object = None,
         due: object = ..., on: dt.date | str | None = None, source_kind: str = "typed") -> Written:
    """Change a problem's text, category, owner or 整改时限 (``due=None`` clears it; left out keeps it)."""
    with db.transaction("problem", "recording"):
        cur = _current(db, problem_id)
        raised = dt.date.fromisoformat(cur["raised"])
        t, c, o, d = _check_fields(db, cur["text"] if text is None else text,
                                   cur["category"] if category is None else category,
                                   cur["owner"] if owner is None else owner,
                                   cur["due"] if due is ... else due, raised)
        if (t, c, o, d) == (cur["text"], cur["category"], cur["owner"], cur["due"]):
            raise ValidationError("问题", problem_id, "没有修改任何内容")
        day = _change_day(cur, on)
        vid = _write(db, thread=problem_id, project_id=cur["project_id"], as_of=day, text=t, owner=o, due=d,
                     status=cur["issue_status"], category=c, note=cur["note"], closed=bool(cur["closed"]),
                     source_kind=source_kind)
        before = {k: cur[v] for k, v in (("text", "text"), ("category", "category"), ("owner", "owner"),
                                          ("due", "due"))}
        after = {"text": t, "category": c, "owner": o, "due": d}
        changed = "，".join(f"{label}：{before[k] or '（无）'} → {after[k] or '（无）'}" for k, label in
                           (("text", "问题"), ("category", "类别"), ("owner", "责任"), ("due", "整改时限"))
                           if before[k] != after[k])
        audit.log(db, action="problem.edit", entity="project", entity_id=cur["project_id"],
                  summary=f"修改问题 #{problem_id}：{changed}", before=before, after={"problem": vid, **after})
    return Written(vid, problem_id, f"修改问题：{t}")


def resolve(db: Database, problem_id: int, note: object, *, on: dt.date | str | None = None,
            source_kind: str = "typed") -> Written:
    """Mark a problem 已解决 with a note saying how."""
    n = parse_text(note, "解决情况", max_length=MAX_NOTE)
    if not n:
        raise ValidationError("解决情况", note, "不能为空：请写明问题如何解决")
    with db.transaction("problem", "recording"):
        cur = _current(db, problem_id)
        if cur["status_code"] != "open":
            raise ValidationError("问题", problem_id, f"已是“{cur['status']}”，不能再标为已解决")
        day = _change_day(cur, on)
        vid = _write(db, thread=problem_id, project_id=cur["project_id"], as_of=day, text=cur["text"],
                     owner=cur["owner"], due=cur["due"], status="resolved", category=cur["category"], note=n,
                     closed=False, source_kind=source_kind)
        audit.log(db, action="problem.resolve", entity="project", entity_id=cur["project_id"],
                  summary=f"问题已解决：{cur['text']}；解决情况：{n}",
                  before={"status": "open"}, after={"problem": vid, "status": "resolved", "note": n,
                                                    "on": day.isoformat()})
    return Written(vid, problem_id, f"问题已解决：{cur['text']}")


def close(db: Database, problem_id: int, note: object = "", *, on: dt.date | str | None = None,
          source_kind: str = "typed") -> Written:
    """销号: a resolved problem checked and closed."""
    extra = parse_text(note, "销号说明", max_length=MAX_NOTE)
    with db.transaction("problem", "recording"):
        cur = _current(db, problem_id)
        if cur["status_code"] != "resolved":
            raise ValidationError("问题", problem_id, f"是“{cur['status']}”，只有已解决的问题才能销号")
        day = _change_day(cur, on)
        n = cur["note"] + (f"；销号：{extra}" if extra else "")
        vid = _write(db, thread=problem_id, project_id=cur["project_id"], as_of=day, text=cur["text"],
                     owner=cur["owner"], due=cur["due"], status="resolved", category=cur["category"], note=n,
                     closed=True, source_kind=source_kind)
        audit.log(db, action="problem.close", entity="project", entity_id=cur["project_id"],
                  summary=f"问题已销号：{cur['text']}" + (f"；{extra}" if extra else ""),
                  before={"status": "resolved"}, after={"problem": vid, "status": "closed", "on": day.isoformat()})
    return Written(vid, problem_id, f"问题已销号：{cur['text']}")


def undo(db: Database, written: Written) -> Written:
    """Undo one write: the version before it written again (an add is withdrawn). Refused if newer since."""
    with db.transaction("problem", "recording"):
        t = written.problem_id
        newest = db.scalar("SELECT max(id) FROM project_issue WHERE id = ? OR thread_id = ?", (t, t))
        if newest != written.version_id:
            raise ValidationError("撤销", written.label, "这个问题之后已有新的记录，不能撤销")
        rows = history(db, t)
        last = rows[-1]
        day = dt.date.fromisoformat(last["as_of"])
        if len(rows) == 1:
            prev, status = last, "withdrawn"
        else:
            prev = rows[-2]
            status = prev["status"]
        category = next((r["category"] for r in reversed(rows[:-1]) if r["category"]), None) or \
            last["category"] or FALLBACK_CATEGORY
        vid = _write(db, thread=t, project_id=last["project_id"], as_of=day, text=prev["description"],
                     owner=prev["owner"], due=prev["deadline"], status=status, category=category,
                     note=prev["note"] or "", closed=bool(prev["closed"]), source_kind="undo")
        audit.log(db, action="problem.undo", entity="project", entity_id=last["project_id"],
                  summary=f"撤销：{written.label}", after={"problem": vid, "undone": written.version_id})
    return Written(vid, t, f"撤销：{written.label}")
