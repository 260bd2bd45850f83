"""The audit log: every write says who changed what, with the values before and after."""
from __future__ import annotations

import json
from typing import Any

from db.connection import Database


def log(db: Database, *, action: str, entity: str, entity_id: int | None, summary: str,
        before: Any = None, after: Any = None) -> int:
    """Append one audit entry; must run inside the write's transaction so both land or neither."""
    if not db.in_transaction:
        raise RuntimeError("audit.log must be called inside db.transaction()")
    cur = db.conn.execute(
        "INSERT INTO audit_log (at, user, action, entity, entity_id, summary, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (db.now(), db.user, action, entity, entity_id, summary,
         None if before is None else json.dumps(before, ensure_ascii=False, default=str),
         None if after is None else json.dumps(after, ensure_ascii=False, default=str)),
    )
    return int(cur.lastrowid)


def entries(db: Database, *, entity: str | None = None, entity_id: int | None = None,
            limit: int = 1000) -> list[dict[str, Any]]:
    """Newest first; optionally only one entity kind or one entity."""
    return db.query(
        "SELECT id, at, user, action, entity, entity_id, summary, before, after FROM audit_log"
        " WHERE (:entity IS NULL OR entity = :entity) AND (:entity_id IS NULL OR entity_id = :entity_id)"
        " ORDER BY id DESC LIMIT :limit",
        {"entity": entity, "entity_id": entity_id, "limit": limit},
    )
