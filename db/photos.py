"""现场照片: site photos of a project for a reporting date, kept inside the database file.

The desktop decodes, checks, downscales (long side at most 1600 px) and recompresses an image to JPEG before it
comes here (db/ never imports Qt); this module checks what it is given again and stores it in one transaction,
logged. Photos are append-only.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from db import audit
from db.connection import Database
from db.errors import NotFoundError, ValidationError
from db.validate import parse_date, parse_text

MAX_SIDE = 1600                    # px, long side, as stored
MAX_PHOTO_BYTES = 3 * 1024 * 1024  # one stored photo
MAX_TOTAL_BYTES = 1024 ** 3        # every photo of a database file together
JSON_KEYS = ("id", "project", "as_of", "caption", "width", "height", "bytes")


def add(db: Database, *, project_id: int, as_of: dt.date | str, image: bytes, width: int, height: int,
        caption: object = "", source_kind: str = "typed", uid: str | None = None) -> int:
    """Store one prepared JPEG (``image``, ``width`` × ``height``); returns its id."""
    d = parse_date(as_of, "日期")
    if not 1990 <= d.year <= 2100:
        raise ValidationError("日期", as_of, "年份超出范围")
    text = parse_text(caption, "照片说明", max_length=200)
    if not isinstance(image, (bytes, bytearray)) or not image.startswith(b"\xff\xd8\xff"):
        raise ValidationError("照片", "", "不是 JPEG 数据")
    if len(image) > MAX_PHOTO_BYTES:
        raise ValidationError("照片", f"{len(image)} 字节", f"太大（每张最多 {MAX_PHOTO_BYTES // 1024 // 1024} MB）")
    if not (isinstance(width, int) and isinstance(height, int) and 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ValidationError("照片", f"{width}×{height}", f"尺寸不对（长边最多 {MAX_SIDE} 像素）")
    data = bytes(image)
    with db.transaction("photo"):
        project = db.query_one("SELECT id, name, active FROM project WHERE id = ?", (project_id,))
        if project is None or not project["active"]:
            raise NotFoundError(f"找不到重点项目：{project_id}")
        total = db.scalar("SELECT coalesce(sum(bytes), 0) FROM project_photo")
        if total + len(data) > MAX_TOTAL_BYTES:
            raise ValidationError("照片", f"{len(data)} 字节",
                                  f"数据库中的照片已达上限（共 {MAX_TOTAL_BYTES // 1024 ** 3} GB），请先清理或另建数据库")
        cur = db.conn.execute(
            "INSERT INTO project_photo (uid, project_id, as_of, caption, width, height, bytes, image, sha256,"
            " source_kind, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uid or secrets.token_hex(16), project_id, d.isoformat(), text, width, height, len(data), data,
             hashlib.sha256(data).hexdigest(), source_kind, db.now(), db.user))
        pid = int(cur.lastrowid)
        audit.log(db, action="photo.add", entity="project", entity_id=project_id,
                  summary=f"现场照片（{d.isoformat()}）{text or '（无说明）'}：{width}×{height}，{len(data) // 1024} KB",
                  after={"photo": pid, "as_of": d.isoformat(), "caption": text, "width": width, "height": height,
                         "bytes": len(data)})
    return pid


def list_for(db: Database, project_id: int | None = None) -> list[dict[str, Any]]:
    """Photos (without the image), newest reporting date first; of one project or all."""
    return db.query("SELECT ph.id, ph.uid, ph.project_id, p.name AS project, ph.as_of, ph.caption, ph.width,"
                    " ph.height, ph.bytes, ph.sha256, ph.recorded_at, ph.recorded_by, ph.source_kind"
                    " FROM project_photo ph JOIN project p ON p.id = ph.project_id"
                    " WHERE (:p IS NULL OR ph.project_id = :p) ORDER BY ph.as_of DESC, ph.id DESC",
                    {"p": project_id})


def image(db: Database, photo_id: int) -> bytes:
    data = db.scalar("SELECT image FROM project_photo WHERE id = ?", (photo_id,))
    if data is None:
        raise NotFoundError(f"找不到照片：{photo_id}")
    return bytes(data)


def to_json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in JSON_KEYS}
