"""The one way in to a database file: checks before touching it, migrations, pragmas and transactions."""
from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import sqlite3
import struct
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

from db.errors import DatabaseRefused

# 'PTRK' — our PRAGMA application_id, so that someone else's SQLite file is never taken for ours.
APPLICATION_ID = 0x5054524B
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000

ChangeListener = Callable[[frozenset[str]], None]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return "unknown"


class Database:
    """An open PolicyTrack database: a sqlite3 connection plus who is writing and who wants to know."""

    def __init__(self, conn: sqlite3.Connection, path: str, *, created: bool, migrated_from: int | None,
                 backup_path: Path | None = None):
        self.conn = conn
        self.path = path
        self.created = created
        self.migrated_from = migrated_from
        self.migration_backup = backup_path
        self.user = _os_user()
        self._depth = 0
        self._changes: set[str] = set()
        self._listeners: list[ChangeListener] = []
        self._thread = threading.get_ident()
        self.clock: Callable[[], dt.datetime] = dt.datetime.now

    # -- reading -------------------------------------------------------------------------------------
    def query(self, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        cols = [c[0] for c in cur.description or ()]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def query_one(self, sql: str, params: tuple | dict = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: tuple | dict = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    # -- writing -------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *changed: str) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception. Nested calls join the outer one.

        ``changed`` names what the write touches (e.g. 'project', 'target'); listeners hear it after COMMIT.
        """
        self._changes.update(changed)
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            self._changes.clear()
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0
        changes, self._changes = frozenset(self._changes), set()
        for listener in list(self._listeners):
            listener(changes)

    def subscribe(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener(changed_kinds)`` after every committed write; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def now(self) -> str:
        return self.clock().strftime("%Y-%m-%d %H:%M:%S")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    # -- housekeeping --------------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self.scalar("PRAGMA user_version"))

    def backup_to(self, target: str | os.PathLike) -> Path:
        """Copy the whole database with SQLite's backup API (never a file copy) and check the copy."""
        target = Path(target)
        tmp = target.with_name(target.name + ".part")
        if tmp.exists():
            tmp.unlink()
        _create_private(tmp)
        dest = sqlite3.connect(str(tmp))
        try:
            self.conn.backup(dest)
            ok = dest.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dest.close()
        if ok != "ok":
            tmp.unlink(missing_ok=True)
            raise OSError(f"backup check failed: {ok}")
        os.replace(tmp, target)
        return target

    def close(self) -> None:
        self.conn.close()


def _create_private(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (0600 on POSIX)."""
    fd = os.open(str(path), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _inspect_file(path: Path) -> None:
    """Refuse files that are not ours before SQLite writes a byte to them."""
    size = path.stat().st_size
    if size == 0:
        raise DatabaseRefused(str(path), "文件为空（0 字节），不是 PolicyTrack 数据库")
    with open(path, "rb") as f:
        header = f.read(100)
    if header.startswith(b"PK\x03\x04"):
        raise DatabaseRefused(str(path), "这是一个 Excel/ZIP 文件，不是数据库；请用“导入调度表”导入表格")
    if not header.startswith(SQLITE_MAGIC) or len(header) < 100:
        raise DatabaseRefused(str(path), "文件不是 SQLite 数据库（文件头不对，可能已损坏）")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise DatabaseRefused(str(path), "文件头已损坏（页大小无效）")
    change_counter, page_count = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    if size % page_size:
        raise DatabaseRefused(str(path), "文件长度不对，可能被截断或损坏")
    if valid_for == change_counter and page_count and size < page_count * page_size:
        raise DatabaseRefused(str(path), f"文件被截断（应有 {page_count} 页，实际 {size // page_size} 页）")


def _read_only_probe(path: Path) -> tuple[int, int, int]:
    """application_id, user_version and the number of schema objects, read without writing."""
    uri = "file:" + path.resolve().as_posix() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseRefused(str(path), f"无法读取（{exc}）") from None
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        return app_id, version, objects
    except sqlite3.DatabaseError as exc:
        raise DatabaseRefused(str(path), f"数据库已损坏或不是数据库（{exc}）") from None
    finally:
        conn.close()


def _quick_check(conn: sqlite3.Connection, path: str) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise DatabaseRefused(path, f"数据库已损坏（{exc}）") from None
    if [r[0] for r in rows] != ["ok"]:
        detail = "；".join(str(r[0]) for r in rows[:3])
        raise DatabaseRefused(path, f"数据库完整性检查未通过（{detail}）")


def backups_dir(db_path: str | os.PathLike) -> Path:
    p = Path(db_path)
    return p.with_name(p.stem + "-backups")


def open_database(path: str | os.PathLike, *, migrate: bool = True) -> Database:
    """Open (creating or migrating) a PolicyTrack database, or raise DatabaseRefused leaving the file as it was.

    ``path`` may be ':memory:'. A new file is created owner-only and gets the current schema.
    """
    from db import schema  # late: schema imports this module's helpers

    memory = str(path) == ":memory:"
    created = False
    existing_version = 0
    if not memory:
        p = Path(path)
        if p.exists():
            if p.is_dir():
                raise DatabaseRefused(str(p), "这是一个文件夹，不是数据库文件")
            _inspect_file(p)
            app_id, existing_version, objects = _read_only_probe(p)
            if app_id != APPLICATION_ID and not (app_id == 0 and existing_version == 0 and objects == 0):
                raise DatabaseRefused(str(p), "这是其他软件的 SQLite 数据库，不是 PolicyTrack 数据库")
            if existing_version > schema.SCHEMA_VERSION:
                raise DatabaseRefused(
                    str(p), f"由更新版本的 PolicyTrack 创建（数据版本 {existing_version}，"
                            f"本程序只支持到 {schema.SCHEMA_VERSION}），请升级程序后再打开")
        else:
            if not p.parent.exists():
                raise DatabaseRefused(str(p), f"文件夹不存在：{p.parent}")
            _create_private(p)
            created = True

    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        if not memory and not created:
            _quick_check(conn, str(path))
        conn.execute("PRAGMA foreign_keys = ON")
        if not memory:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise DatabaseRefused(str(path), f"无法启用 WAL 日志模式（{mode}）")
            conn.execute("PRAGMA synchronous = FULL")
        backup_path = None
        migrated_from = None
        if existing_version < schema.SCHEMA_VERSION:
            if not migrate:
                raise DatabaseRefused(str(path), "数据库需要升级，但当前以只读方式打开")
            db = Database(conn, str(path), created=created or memory, migrated_from=None)
            if existing_version > 0 and not memory:
                stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
                folder = backups_dir(path)
                folder.mkdir(exist_ok=True)
                backup_path = db.backup_to(folder / f"before-migration-v{existing_version}-{stamp}.db")
            schema.migrate(db)
            migrated_from = existing_version if existing_version else None
        db = Database(conn, str(path), created=created or memory, migrated_from=migrated_from,
                      backup_path=backup_path)
        return db
    except BaseException:
        conn.close()
        if created:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        raise
