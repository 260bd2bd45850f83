"""The one way in to a database file: checks before touching it, migrations, pragmas and transactions."""
from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import sqlite3
import struct
import threading
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from db.errors import DatabaseRefused, ReadOnlyError, SaveFailed

if TYPE_CHECKING:
    from db.lock import DbLock

# 'PTRK' — our PRAGMA application_id, so that someone else's SQLite file is never taken for ours.
APPLICATION_ID = 0x5054524B
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
READ_ONLY_CHOSEN = "打开时选择了只读方式"

ChangeListener = Callable[[frozenset[str]], None]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return "unknown"


class Database:
    """An open PolicyTrack database: a sqlite3 connection plus who is writing and who wants to know."""

    def __init__(self, conn: sqlite3.Connection, path: str, *, created: bool, migrated_from: int | None,
                 backup_path: Path | None = None, read_only_reason: str | None = None, lock: DbLock | None = None):
        self.conn = conn
        self.path = path
        self.created = created
        self.migrated_from = migrated_from
        self.migration_backup = backup_path
        # Read-only: the GUI shows read_only_reason in a banner; every write raises ReadOnlyError.
        self.read_only = read_only_reason is not None
        self.read_only_reason = read_only_reason or ""
        self.lock = lock
        # Set by open_database when the file lives on a network or sync folder (db.location).
        self.storage_warning: str | None = None
        # Set by open_database when a copied file got its own exchange identity (db.ledger.ensure_site_identity).
        self.identity_notice: str | None = None
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

    def utils(self) -> Any:
        """This same connection (and whatever transaction is open on it) as a ``sqlite_utils.Database``.

        For introspection and batch writes where sqlite-utils is the better tool (docs/DEVELOPING.md). Its
        writes use SAVEPOINTs, so inside ``transaction()`` they join the one BEGIN IMMEDIATE. Imported on first
        use, never at start-up. No recursive_triggers pragma (it would change how this connection runs our
        triggers) and no plugins (nothing but our code runs on the connection).
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn, recursive_triggers=False, execute_plugins=False)

    # -- writing -------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *changed: str) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception. Nested calls join the outer one.

        ``changed`` names what the write touches (e.g. 'project', 'target'); listeners hear it after COMMIT.
        """
        if self.read_only:
            raise ReadOnlyError(self.read_only_reason)
        self._changes.update(changed)
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._changes.clear()
            failure = save_failure(exc)
            if failure is None:
                raise
            raise failure from exc
        self._depth = 1
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            self._changes.clear()
            self._rollback()
            failure = save_failure(exc) if isinstance(exc, sqlite3.Error) else None
            if failure is None:
                raise
            raise failure from exc
        finally:
            self._depth = 0
        changes, self._changes = frozenset(self._changes), set()
        for listener in list(self._listeners):
            listener(changes)

    def _rollback(self) -> None:
        # After SQLITE_FULL at COMMIT SQLite has already rolled back; after an I/O error ROLLBACK may fail too.
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

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
        """Copy the whole database with SQLite's backup API (never a file copy) and check the copy.

        The copy is written beside the target, checked with quick_check, then renamed over it: a target is never
        left half-written. It is owner-only (0600) and self-contained (rollback-journal mode, no -wal).
        """
        if self.in_transaction:
            raise RuntimeError("backup_to must not run inside a transaction (it would copy uncommitted changes)")
        target = Path(target)
        tmp = target.with_name(target.name + ".part")
        tmp.unlink(missing_ok=True)
        _create_private(tmp)
        try:
            dest = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                self.conn.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
            # Checked as the next open will check it: the structure, read-only (CHECK constraints were enforced
            # when each row was written, and evaluating them again costs ten times as much).
            check = connect_read_only(tmp, glance=True)
            try:
                rows = [r[0] for r in check.execute("PRAGMA quick_check").fetchall()]
            finally:
                check.close()
            if rows != ["ok"]:
                raise OSError(f"backup check failed: {'; '.join(map(str, rows[:3]))}")
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            Path(str(tmp) + "-journal").unlink(missing_ok=True)
            raise
        return target

    def close(self) -> None:
        self.conn.close()
        if self.lock is not None:
            self.lock.release()


# SQLite primary result codes that mean "your change did not reach the disk".
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 5, 6, 8, 10, 13, 14


def _primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def save_failure(exc: BaseException) -> SaveFailed | None:
    """The user-facing SaveFailed for a storage error (disk full, I/O error, read-only, busy), else None."""
    code = _primary_code(exc)
    if code == _SQLITE_FULL:
        return SaveFailed("磁盘空间不足")
    if code == _SQLITE_IOERR:
        return SaveFailed("磁盘读写出错，可能是磁盘已满、U 盘被拔出或网络盘断开", str(exc))
    if code == _SQLITE_READONLY:
        return SaveFailed("数据库文件或所在文件夹已变为只读")
    if code == _SQLITE_CANTOPEN:
        return SaveFailed("无法写入数据库所在的文件夹")
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return SaveFailed("数据库正被其他程序写入，等待超时")
    return None


def _os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Chinese."""
    import errno

    return {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已用尽", errno.EROFS: "磁盘或文件夹是只读的",
            errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限"}.get(exc.errno or 0, exc.strerror or str(exc))


LOW_SPACE_BYTES = 1024 * 1024


def free_bytes(path: Path) -> int | None:
    """Free space for us in the folder of ``path``, or None when it cannot be told."""
    import shutil

    try:
        return shutil.disk_usage(path.parent if not path.is_dir() else path).free
    except OSError:
        return None


def disk_full_reason(path: Path, exc: BaseException | None = None) -> str | None:
    """'磁盘空间不足…' when an error on ``path`` is explained by a full disk (not by damage), else None."""
    code = _primary_code(exc) if exc is not None else None
    if exc is not None and code not in (_SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN, None):
        return None
    free = free_bytes(path)
    if code == _SQLITE_FULL or (free is not None and free < LOW_SPACE_BYTES):
        left = "" if free is None else f"（剩余 {free // 1024} KB）"
        return f"磁盘空间不足{left}；数据库没有损坏，释放磁盘空间后再试即可，不要从备份恢复"
    return None


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
    wal = Path(str(path) + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        # Committed pages still in the -wal: a checkpoint killed half-way leaves page 1 (with the new page count)
        # written before the file was extended. SQLite replays the -wal on open; quick_check judges the result.
        return
    if size % page_size:
        raise DatabaseRefused(str(path), "文件长度不对，可能被截断或损坏")
    if valid_for == change_counter and page_count and size < page_count * page_size:
        raise DatabaseRefused(str(path), f"文件被截断（应有 {page_count} 页，实际 {size // page_size} 页）")


def sqlite_uri(path: str | os.PathLike, query: str) -> str:
    """A file: URI for SQLite (characters such as # ? % in folder names escaped; Windows drives handled)."""
    posix = Path(path).resolve().as_posix()
    if not posix.startswith("/"):
        posix = "/" + posix
    return "file://" + urllib.parse.quote(posix, safe="/:") + "?" + query


def connect_read_only(path: Path, *, timeout: float = BUSY_TIMEOUT_MS / 1000,
                      glance: bool = False) -> sqlite3.Connection:
    """A connection that cannot write. Falls back to immutable=1 when even the WAL index cannot be created
    (a read-only folder or medium), where SQLite otherwise refuses a WAL database.

    ``glance``: a short look (checks before opening). When no -wal/-shm files exist nobody has the database open
    in WAL mode and it is read as immutable, so that looking at a file never leaves files beside it.
    """
    queries = ["mode=ro", "mode=ro&immutable=1"]
    if glance and not any(Path(str(path) + s).exists() for s in ("-wal", "-shm", "-journal")):
        queries = ["mode=ro&immutable=1"]
    last: sqlite3.Error | None = None
    for query in queries:
        try:
            conn = sqlite3.connect(sqlite_uri(path, query), uri=True, isolation_level=None, timeout=timeout)
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            conn.close()
            full = disk_full_reason(path, exc)
            if full is not None:
                raise DatabaseRefused(str(path), full) from None
            if _primary_code(exc) != _SQLITE_CANTOPEN:
                raise DatabaseRefused(str(path), f"数据库已损坏或不是数据库（{exc}）") from None
            last = exc
    raise DatabaseRefused(str(path), disk_full_reason(path, last) or f"无法读取（{last}）")


def _read_only_probe(path: Path) -> tuple[int, int, int]:
    """application_id, user_version and the number of schema objects, read without writing; then quick_check."""
    conn = connect_read_only(path, glance=True)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseRefused(str(path), disk_full_reason(path, exc)
                              or f"数据库已损坏或不是数据库（{exc}）") from None
    try:
        if app_id == APPLICATION_ID:
            _quick_check(conn, str(path))
        return app_id, version, objects
    finally:
        conn.close()


def _on_read_only_medium(path: Path) -> bool:
    """A read-only mount or volume (CD, write-protected USB stick, read-only share)."""
    if os.name == "nt":
        import ctypes

        root = ctypes.create_unicode_buffer(260)
        if not ctypes.windll.kernel32.GetVolumePathNameW(str(path.resolve()), root, 260):
            return False
        flags = ctypes.c_ulong()
        if not ctypes.windll.kernel32.GetVolumeInformationW(root, None, 0, None, None, ctypes.byref(flags), None, 0):
            return False
        return bool(flags.value & 0x00080000)  # FILE_READ_ONLY_VOLUME
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _unwritable_reason(path: Path, version: int) -> str | None:
    """Why we cannot write to an existing database file, or None when we can.

    Permissions alone do not say (administrators, network shares, ACLs): SQLite is asked to rewrite user_version
    in a transaction that is rolled back, which touches nothing.
    """
    if _on_read_only_medium(path):
        return "文件所在的磁盘或介质是只读的"
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=2)
    except sqlite3.Error as exc:
        return _describe_unwritable(path, exc)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("PRAGMA user_version = " + str(int(version)))
        conn.execute("ROLLBACK")
        return None
    except sqlite3.Error as exc:
        if _primary_code(exc) in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return None  # another program is writing this very moment: the file is writable
        return _describe_unwritable(path, exc)
    finally:
        conn.close()


def _describe_unwritable(path: Path, exc: sqlite3.Error) -> str:
    # Opening for writing writes nothing, and unlike os.access it also answers for administrators and
    # immutable files.
    try:
        os.close(os.open(str(path), os.O_RDWR))
    except OSError:
        return "文件是只读的"
    # The file itself is writable: SQLite could not create its -wal/-shm files beside it.
    return "文件所在的文件夹没有写入权限"


def _quick_check(conn: sqlite3.Connection, path: str) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise DatabaseRefused(path, disk_full_reason(Path(path), exc) or f"数据库已损坏（{exc}）") from None
    if [r[0] for r in rows] != ["ok"]:
        detail = "；".join(str(r[0]) for r in rows[:3])
        raise DatabaseRefused(path, f"数据库完整性检查未通过（{detail}）")


def backups_dir(db_path: str | os.PathLike) -> Path:
    p = Path(db_path)
    return p.with_name(p.stem + "-backups")


def open_database(path: str | os.PathLike, *, migrate: bool = True, read_only: bool = False,
                  lock: bool = False) -> Database:
    """Open (creating or migrating) a PolicyTrack database, or raise DatabaseRefused leaving the file as it was.

    ``path`` may be ':memory:'. A new file is created owner-only and gets the current schema.

    ``read_only``: open without any possibility of writing (the second PolicyTrack on a locked database).
    A file, folder or medium that cannot be written opens read-only by itself; ``db.read_only_reason`` says why.
    ``lock``: take the writer's lock (db.lock) first; DatabaseLocked names who holds it. A refusal for a damaged
    file carries the newest good backup (``exc.backup``) so that the GUI can offer to restore it.
    """
    from db import lock as lock_mod
    from db import location, schema  # late: schema imports this module's helpers

    memory = str(path) == ":memory:"
    created = False
    existing_version = 0
    read_only_reason: str | None = None
    held: DbLock | None = None
    p = Path(path)
    if not memory:
        if p.exists():
            if p.is_dir():
                raise DatabaseRefused(str(p), "这是一个文件夹，不是数据库文件")
            try:
                existing_version = _check_existing(p, schema.SCHEMA_VERSION)
            except DatabaseRefused as exc:
                if not exc.reason.startswith("磁盘空间不足"):  # a full disk is no reason to restore old data
                    _offer_backup(exc, p)
                raise
            if read_only:
                read_only_reason = READ_ONLY_CHOSEN
            else:
                if lock:
                    try:
                        held = lock_mod.acquire(p)
                    except OSError:
                        held = None  # the folder refuses the lock file: the probe below says read-only
                read_only_reason = _unwritable_reason(p, existing_version)
                if read_only_reason is not None and held is not None:
                    held.release()
                    held = None
        else:
            if read_only:
                raise DatabaseRefused(str(p), "文件不存在")
            if not p.parent.exists():
                raise DatabaseRefused(str(p), f"文件夹不存在：{p.parent}")
            if lock:
                held = lock_mod.acquire(p)
            try:
                _create_private(p)
            except BaseException as exc:
                if held is not None:
                    held.release()
                if isinstance(exc, OSError):
                    raise DatabaseRefused(str(p), f"无法在这个文件夹中新建数据库（{_os_reason(exc)}）") from None
                raise
            created = True

    try:
        if read_only_reason is not None:
            conn = connect_read_only(p)
        else:
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except BaseException:
        if held is not None:
            held.release()
        raise
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only_reason is not None:
            conn.execute("PRAGMA query_only = ON")
        elif not memory:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise DatabaseRefused(str(path), f"无法启用 WAL 日志模式（{mode}）")
            conn.execute("PRAGMA synchronous = FULL")
        backup_path = None
        migrated_from = None
        if existing_version < schema.SCHEMA_VERSION:
            if not migrate or read_only_reason is not None:
                why = "当前以只读方式打开" if read_only_reason in (None, READ_ONLY_CHOSEN) else read_only_reason
                raise DatabaseRefused(str(path), f"数据库需要升级，但{why}")
            db = Database(conn, str(path), created=created or memory, migrated_from=None)
            if existing_version > 0 and not memory:
                from db import backups
                backup_path = backups.backup_before(db, "migration").path
            schema.migrate(db)
            migrated_from = existing_version if existing_version else None
        db = Database(conn, str(path), created=created or memory, migrated_from=migrated_from,
                      backup_path=backup_path, read_only_reason=read_only_reason, lock=held)
        if not memory:
            db.storage_warning = location.storage_warning(p)
            from db import ledger

            db.identity_notice = ledger.ensure_site_identity(db)
        return db
    except BaseException:
        conn.close()
        if held is not None:
            held.release()
        if created:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        raise


def _check_existing(p: Path, supported: int) -> int:
    """Refuse a file that is not a PolicyTrack database we can read; return its schema version."""
    _inspect_file(p)
    app_id, version, objects = _read_only_probe(p)
    if app_id != APPLICATION_ID and not (app_id == 0 and version == 0 and objects == 0):
        raise DatabaseRefused(str(p), "这是其他软件的 SQLite 数据库，不是 PolicyTrack 数据库")
    if version > supported:
        raise DatabaseRefused(
            str(p), f"由更新版本的 PolicyTrack 创建（数据版本 {version}，本程序只支持到 {supported}），"
                    "请升级程序后再打开")
    return version


def _offer_backup(exc: DatabaseRefused, p: Path) -> None:
    from db import backups

    try:
        good = backups.newest_good(p)
    except OSError:
        return
    if good is not None:
        exc.offer_backup(good.path, good.label)
