"""The import ledger: this database's identity as a sender, stable row uids, and a record of every applied import."""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
from pathlib import Path
from typing import Any, Iterator

from db import audit
from db.connection import Database
from db.errors import ValidationError

UID_RE = re.compile(r"^[0-9A-Za-z_-]{8,64}$")
UID_ENTITIES = ("progress_update", "target")


def site_id(db: Database) -> str:
    """This database's sender identity (random, made when the exchange schema was added)."""
    value = db.scalar("SELECT value FROM setting WHERE key = 'site_id'")
    if not value:  # only a database damaged by hand lacks it
        raise ValidationError("本机标识", value, "缺失，数据库可能被手工改动过")
    return str(value)


def fingerprint(db: Database) -> str:
    """Where this database file lives: PC name and full path (hashed). A copy elsewhere has another one."""
    where = f"{host_name().casefold()}|{Path(db.path).resolve()}"
    return hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def ensure_site_identity(db: Database) -> str | None:
    """Give a copied database its own identity: when the file is opened at another path or on another PC than
    the one it last recorded, it gets a new site_id (the old one is kept as site_id_before). Returns a notice to
    show when that happened. Two copies of one file then never sign exchange files with one identity."""
    if db.read_only or db.path == ":memory:":
        return None
    here = fingerprint(db)
    stored = db.scalar("SELECT value FROM setting WHERE key = 'site_fingerprint'")
    if stored == here:
        return None
    notice = None
    with db.transaction("setting"):
        if stored:
            old = site_id(db)
            new = os.urandom(16).hex()
            for key, value in (("site_id", new), ("site_id_before", old)):
                db.conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)"
                                " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
            # nor with its signing key: the copy makes its own when it first signs (db.identity)
            db.conn.execute("DELETE FROM setting WHERE key IN ('identity_private_key', 'identity_public_key')")
            notice = ("这个数据库文件是从别处复制或移动来的，已为它生成新的本机标识和签名密钥，"
                      "以免与原文件在交换包中混为同一来源")
            audit.log(db, action="setting.set", entity="setting", entity_id=None, summary=notice,
                      before={"site_id": old}, after={"site_id": new})
        db.conn.execute("INSERT INTO setting (key, value) VALUES ('site_fingerprint', ?)"
                        " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (here,))
    return notice


def site_name(db: Database) -> str:
    """The name this PC signs exchange files with (a unit or office name), '' until set."""
    return str(db.scalar("SELECT value FROM setting WHERE key = 'site_name'") or "")


def set_site_name(db: Database, name: str) -> None:
    from db.validate import parse_name

    clean = parse_name(name, "本机单位名称", max_length=100)
    before = site_name(db)
    with db.transaction("setting"):
        db.conn.execute("INSERT INTO setting (key, value) VALUES ('site_name', ?)"
                        " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (clean,))
        audit.log(db, action="setting.set", entity="setting", entity_id=None, summary=f"本机单位名称：{clean}",
                  before={"site_name": before}, after={"site_name": clean})


def host_name() -> str:
    try:
        return socket.gethostname() or ""
    except OSError:
        return ""


@contextlib.contextmanager
def keep_uid(db: Database, entity: str, uid: str) -> Iterator[None]:
    """Make the next row inserted into ``entity`` carry ``uid`` instead of a fresh one (inside a transaction)."""
    if entity not in UID_ENTITIES:
        raise ValueError(entity)
    if not isinstance(uid, str) or not UID_RE.match(uid):
        raise ValidationError("行标识", uid, "格式不对")
    if not db.in_transaction:
        raise RuntimeError("keep_uid must be used inside db.transaction()")
    db.conn.execute("INSERT OR REPLACE INTO uid_override (entity, uid) VALUES (?, ?)", (entity, uid))
    try:
        yield
    finally:
        # The insert trigger consumes the override; a refused insert must not leave it for the next row.
        db.conn.execute("DELETE FROM uid_override WHERE entity = ?", (entity,))


def file_sha256(path: str | os.PathLike) -> str:
    from db.spreadsheet import check_input

    check_input(path)  # a pipe or device is refused before it is opened; a missing file named
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def add_batch(db: Database, *, kind: str, file_name: str, sha256: str, summary: str,
              sender: dict[str, str] | None = None, file_created_at: str = "") -> int:
    """Record one applied import (inside the import's transaction) and log it."""
    sender = sender or {}
    cur = db.conn.execute(
        "INSERT INTO import_batch (kind, file_name, file_sha256, sender_site_id, sender_name, sender_user,"
        " sender_host, file_created_at, imported_at, imported_by, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, Path(file_name).name, sha256, sender.get("site_id", ""), sender.get("name", ""),
         sender.get("user", ""), sender.get("host", ""), file_created_at, db.now(), db.user, summary))
    batch_id = int(cur.lastrowid)
    audit.log(db, action="import." + kind, entity="import_batch", entity_id=batch_id, summary=summary,
              after={"file": Path(file_name).name, "sha256": sha256, "sender": sender or None})
    return batch_id


def batches_for_file(db: Database, sha256: str) -> list[dict[str, Any]]:
    """Earlier applied imports of a file with exactly these bytes, newest first."""
    return db.query("SELECT * FROM import_batch WHERE file_sha256 = ? ORDER BY id DESC", (sha256,))


def batches(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    return db.query("SELECT * FROM import_batch ORDER BY id DESC LIMIT ?", (limit,))


def change_stamp(db: Database) -> tuple[int, ...]:
    """Changes whenever anything is written (every write is audited; rows are numbered upward): a plan made at one
    stamp is still true at the same stamp, so an import need not plan twice."""
    row = db.conn.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM audit_log), (SELECT coalesce(max(id), 0) FROM progress_update),"
        " (SELECT coalesce(max(id), 0) FROM target), (SELECT coalesce(max(id), 0) FROM project)").fetchone()
    return tuple(int(x) for x in row)
