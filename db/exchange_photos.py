"""现场照片 in exchange files: each photo travels once with its uid (a photo already held is skipped), as base64
JPEG with its sha256; the receiving side checks the bytes as db.photos.add does for a local one."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable

from db import ledger, photos
from db.connection import Database


def export_rows(db: Database, refs: dict[tuple[str, int], dict[str, Any]], project_ids: set[int] | None,
                since: str) -> tuple[list[dict[str, Any]], set[int]]:
    out, used = [], set()
    for r in db.query("SELECT * FROM project_photo WHERE recorded_at >= ? ORDER BY id", (since,)):
        key = ("project", r["project_id"])
        if key not in refs or (project_ids is not None and r["project_id"] not in project_ids):
            continue
        used.add(r["project_id"])
        out.append({"uid": r["uid"], "subject": refs[key], "as_of": r["as_of"], "caption": r["caption"],
                    "width": r["width"], "height": r["height"], "sha256": r["sha256"],
                    "data": base64.b64encode(bytes(r["image"])).decode("ascii"),
                    "recorded_at": r["recorded_at"], "recorded_by": r["recorded_by"]})
    return out, used


def _decoded(r: dict[str, Any]) -> bytes:
    try:
        data = base64.b64decode(r["data"], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("照片数据不是有效的 base64") from None
    if len(data) > photos.MAX_PHOTO_BYTES or not data.startswith(b"\xff\xd8\xff"):
        raise ValueError("照片数据不是 JPEG 或太大")
    if hashlib.sha256(data).hexdigest() != r["sha256"]:
        raise ValueError("照片数据与校验值不符")
    return data


def check(payload: dict[str, Any]) -> None:
    rows = payload.get("photos", [])
    if not isinstance(rows, list):
        raise TypeError("photos 类型不对")
    seen: set[str] = set()
    for r in rows:
        if not isinstance(r, dict):
            raise TypeError("photos 类型不对")
        for k in ("uid", "as_of", "caption", "sha256", "data", "recorded_at", "recorded_by"):
            if not isinstance(r.get(k), str):
                raise KeyError(f"照片缺少 {k}")
        if not ledger.UID_RE.match(r["uid"]) or r["uid"] in seen:
            raise ValueError("照片的行标识格式不对或重复")
        seen.add(r["uid"])
        for k in ("width", "height"):
            v = r.get(k)
            if not isinstance(v, int) or isinstance(v, bool) or not 0 < v <= photos.MAX_SIDE:
                raise ValueError("照片尺寸不对")
        if not isinstance(r.get("subject"), dict) or r["subject"].get("kind") != "project":
            raise ValueError("照片只能属于项目")
        _decoded(r)


@dataclass
class Incoming:
    row: dict[str, Any]
    label: str
    project_id: int | None = None
    create_project: dict[str, Any] | None = None
    reason: str = ""


def plan(db: Database, payload: dict[str, Any],
         find: Callable[[dict[str, Any]], tuple[Any, dict[str, Any] | None, str]]) -> list[Incoming]:
    rows = payload.get("photos", [])
    uids = [r["uid"] for r in rows]
    known = {u for (u,) in db.conn.execute(
        "SELECT uid FROM project_photo WHERE uid IN (SELECT value FROM json_each(?))",
        (json.dumps(uids),))} if uids else set()
    out = []
    for r in rows:
        if r["uid"] in known:
            continue
        subject, create, why = find(r["subject"])
        out.append(Incoming(r, f"项目“{r['subject'].get('name', '')}”的现场照片（{r['as_of']}）{r['caption']}",
                            subject.id if subject is not None else None, create, why))
    return out


def apply(db: Database, items: list[Incoming], project_for: Callable[[Incoming], int]) -> int:
    written = 0
    for it in items:
        if it.reason or db.scalar("SELECT 1 FROM project_photo WHERE uid = ?", (it.row["uid"],)):
            continue
        r = it.row
        pid = it.project_id if it.project_id is not None else project_for(it)
        photos.add(db, project_id=pid, as_of=r["as_of"], image=_decoded(r), width=r["width"], height=r["height"],
                   caption=r["caption"], source_kind="exchange", uid=r["uid"])
        written += 1
    return written
