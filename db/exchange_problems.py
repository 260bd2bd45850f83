"""Problems (存在问题 / 问题清单) in exchange files: every version of a thread travels with a uid, so a file
imported twice, or a problem sent back to where it came from, records nothing new.

A version written here is known everywhere as ``p<site id>-<row id>``; one that came in a file keeps the uid it
had (problem_exchange, migration 9). Versions are appended to their thread in file order; the newest version of a
thread tells its state, as for versions typed here. The payload key is ``problems`` (older files have none).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable

from db import audit, ledger
from db.connection import Database
from db.problems import FALLBACK_CATEGORY, MAX_NOTE, MAX_OWNER, MAX_TEXT

STATUSES = ("open", "resolved", "withdrawn")


def _local_prefix(db: Database) -> str:
    return "p" + re.sub(r"[^0-9A-Za-z_]", "", ledger.site_id(db))[:40] + "-"


def uids(db: Database) -> dict[int, str]:
    """issue id -> uid, for every version this database holds."""
    prefix = _local_prefix(db)
    imported = dict(db.conn.execute("SELECT issue_id, uid FROM problem_exchange").fetchall())
    return {i: imported.get(i, f"{prefix}{i}") for (i,) in db.conn.execute("SELECT id FROM project_issue")}


def local_id(db: Database, uid: str) -> int | None:
    """The version a uid names here, if this database holds it."""
    row = db.scalar("SELECT issue_id FROM problem_exchange WHERE uid = ?", (uid,))
    if row is not None:
        return int(row)
    prefix = _local_prefix(db)
    if uid.startswith(prefix) and uid[len(prefix):].isdigit():
        iid = int(uid[len(prefix):])
        if db.scalar("SELECT 1 FROM project_issue WHERE id = ?", (iid,)):
            return iid
    return None


def export_rows(db: Database, refs: dict[tuple[str, int], dict[str, Any]], project_ids: set[int] | None,
                since: str) -> tuple[list[dict[str, Any]], set[int]]:
    """The versions to send (recorded since ``since``; only ``project_ids`` when given) and their projects."""
    uid_of = uids(db)
    out, used = [], set()
    rows = db.query("SELECT i.*, coalesce(i.thread_id, i.id) AS thread, d.category, d.note, d.closed"
                    " FROM project_issue i LEFT JOIN problem_detail d ON d.issue_id = i.id"
                    " WHERE i.source_kind <> 'seed' AND i.recorded_at >= ? ORDER BY i.id", (since,))
    for r in rows:
        key = ("project", r["project_id"])
        if key not in refs or (project_ids is not None and r["project_id"] not in project_ids):
            continue
        used.add(r["project_id"])
        out.append({
            "uid": uid_of[r["id"]], "thread": uid_of.get(r["thread_id"]) if r["thread_id"] else None,
            "subject": refs[key], "as_of": r["as_of"], "text": r["description"], "owner": r["owner"],
            "due": r["deadline"], "status": r["status"], "category": r["category"], "note": r["note"] or "",
            "closed": bool(r["closed"]), "recorded_at": r["recorded_at"], "recorded_by": r["recorded_by"],
        })
    return out, used


def check(payload: dict[str, Any]) -> None:
    """Raise KeyError/TypeError/ValueError when the file's problems are malformed."""
    rows = payload.get("problems", [])
    if not isinstance(rows, list):
        raise TypeError("problems 类型不对")
    seen: set[str] = set()
    for r in rows:
        if not isinstance(r, dict):
            raise TypeError("problems 类型不对")
        for k in ("uid", "as_of", "text", "owner", "status", "note", "recorded_at"):
            if not isinstance(r.get(k), str):
                raise KeyError(f"问题缺少 {k}")
        if not ledger.UID_RE.match(r["uid"]) or r["uid"] in seen:
            raise ValueError("问题的行标识格式不对或重复")
        seen.add(r["uid"])
        if r.get("thread") is not None and (not isinstance(r["thread"], str) or not ledger.UID_RE.match(r["thread"])):
            raise ValueError("问题的后续记录所属的问题标识不对")
        if r["status"] not in STATUSES:
            raise ValueError(f"不认识的问题状态 {r['status']}")
        for k in ("due", "category"):
            if r.get(k) is not None and not isinstance(r[k], str):
                raise TypeError(f"问题的 {k} 类型不对")
        if not isinstance(r.get("closed", False), bool):
            raise TypeError("问题的 closed 类型不对")
        subject = r.get("subject")
        if not isinstance(subject, dict) or subject.get("kind") != "project":
            raise ValueError("问题只能属于项目")
        for k in ("as_of", "due"):
            if r.get(k):
                dt.date.fromisoformat(r[k])
        if not r["text"].strip() or len(r["text"]) > MAX_TEXT or len(r["owner"]) > MAX_OWNER \
                or len(r["note"]) > MAX_NOTE or len(r.get("category") or "") > 20:
            raise ValueError("问题内容为空或太长")


@dataclass
class Incoming:
    """One version in the file not yet held here, and where it goes."""

    row: dict[str, Any]
    label: str
    project_id: int | None = None
    create_project: dict[str, Any] | None = None
    reason: str = ""  # why it cannot be imported (then it is skipped)


def plan(db: Database, payload: dict[str, Any],
         find: Callable[[dict[str, Any]], tuple[Any, dict[str, Any] | None, str]]) -> list[Incoming]:
    """The file's versions this database does not hold yet (``find``: exchange._Resolver.find)."""
    out = []
    for r in payload.get("problems", []):
        if local_id(db, r["uid"]) is not None:
            continue
        subject, create, why = find(r["subject"])
        out.append(Incoming(r, f"项目“{r['subject'].get('name', '')}”的问题：{r['text']}",
                            subject.id if subject is not None else None, create, why))
    return out


def apply(db: Database, items: list[Incoming], batch_id: int, file_name: str,
          project_for: Callable[[Incoming], int]) -> int:
    """Append the versions (inside the exchange's transaction); returns how many were written."""
    written = 0
    for it in items:
        if it.reason or local_id(db, it.row["uid"]) is not None:  # planned before a change: never twice
            continue
        r = it.row
        thread = None
        if r.get("thread"):
            thread = local_id(db, r["thread"])
            if thread is None:  # its first version was not importable: neither is this one
                continue
            thread = db.scalar("SELECT coalesce(thread_id, id) FROM project_issue WHERE id = ?", (thread,))
        pid = it.project_id if it.project_id is not None else project_for(it)
        cur = db.conn.execute(
            "INSERT INTO project_issue (thread_id, project_id, as_of, description, owner, deadline, status,"
            " source_kind, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'exchange', ?, ?)",
            (thread, pid, r["as_of"], r["text"], r["owner"], r.get("due"), r["status"], db.now(), db.user))
        vid = int(cur.lastrowid)
        db.conn.execute("INSERT INTO problem_detail (issue_id, category, note, closed) VALUES (?, ?, ?, ?)",
                        (vid, r.get("category") or FALLBACK_CATEGORY, r["note"], int(r.get("closed", False))))
        db.conn.execute("INSERT INTO problem_exchange (issue_id, uid, batch_id) VALUES (?, ?, ?)",
                        (vid, r["uid"], batch_id))
        status = {"open": "存在问题", "resolved": "问题已解决", "withdrawn": "撤回问题"}[r["status"]]
        audit.log(db, action="problem.exchange", entity="project", entity_id=pid,
                  summary=f"交换包 {file_name}：{status}：{r['text']}（{r.get('recorded_by', '')} {r['recorded_at']} 录入）",
                  after={"problem": vid, "uid": r["uid"], "status": r["status"], "batch": batch_id})
        written += 1
    return written
