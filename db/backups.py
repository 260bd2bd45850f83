"""Automatic backups and restore, the way Anki does them: often, checked, thinned, never a file copy.

Backups are written with SQLite's backup API into ``<name>-backups/`` beside the database (db.backups_dir), each
checked with quick_check before it replaces anything, owner-only (0600). When:
- on open, at most once a day (``on_open``);
- before every migration, import and exchange import (``backup_before(db, reason)``, called outside the write);
- every 30 minutes while changes are being made (the GUI timer calls ``backup_if_changed``);
- by hand (``backup_now(db, "manual")``), and of the current data before a restore.
Thinning keeps everything from today, the newest of each day for a month, the newest of each month after that.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import glob
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from db import lock as lock_mod
from db.connection import (APPLICATION_ID, Database, _check_existing, _create_private, _quick_check, backups_dir,
                           connect_read_only, open_database)
from db.errors import DatabaseLocked, DatabaseRefused, PolicyTrackError, ReadOnlyError

PERIODIC_MINUTES = 30
DAILY_DAYS = 30  # one per day kept for this many days, one per month after

REASONS = {
    "daily": "每日自动备份",
    "periodic": "定时自动备份",
    "import": "导入调度表前",
    "exchange": "导入交换包前",
    "migration": "升级数据格式前",
    "manual": "手动备份",
    "restore": "恢复备份前的数据",
}
DAMAGED = "damaged"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<seq>\d+))?-(?P<reason>[a-z]+)\.db$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    size: int
    reason: str
    seq: int = 1  # several backups within one second

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, "其他")

    @functools.cached_property
    def content_at(self) -> dt.datetime | None:
        """The newest change the backup holds (its audit log); None if unreadable. Read when first asked for (the
        dialog, choosing the newest good one), never when merely listing, as the daily check at start does."""
        return content_time(self.path)

    @property
    def future(self) -> bool:
        """Dated after now, by its name or by the changes it holds: taken (or written) while the PC's clock was
        ahead; it is not newer than today's backups."""
        limit = dt.datetime.now() + dt.timedelta(minutes=5)
        return self.taken_at > limit or (self.content_at is not None and self.content_at > limit)

    @property
    def holds_until(self) -> dt.datetime:
        """The time its content reaches: what "newest" means when choosing a backup (a file's name or mtime can lie:
        a copied or renamed backup, a clock set wrong when it was written)."""
        return self.content_at or self.taken_at

    @property
    def label(self) -> str:
        flag = "（日期在未来：备份时电脑时钟可能不准，请核对）" if self.future else ""
        return f"{self.reason_label}，{self.taken_at:%Y-%m-%d %H:%M}{flag}"


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    safety_backup: Path | None       # the data as it was just before the restore
    damaged_moved_to: Path | None    # a current file too damaged to back up, moved aside instead


class BackupRefused(PolicyTrackError):
    """A file that cannot serve as a backup to restore; nothing was changed."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"不能从 {path} 恢复：{reason}")


def _info(path: Path) -> BackupInfo | None:
    m = _NAME.match(path.name)
    if m is None or m.group("reason") == DAMAGED:
        return None
    try:
        taken = dt.datetime.strptime(m.group("stamp"), "%Y%m%d-%H%M%S")
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    return BackupInfo(path=path, taken_at=taken, size=size, reason=m.group("reason"), seq=int(m.group("seq") or 1))


def content_time(path: str | os.PathLike) -> dt.datetime | None:
    """When the newest change held in the database file ``path`` was made (its audit log), or None when the file
    cannot be read as a PolicyTrack database. Read-only; never raises."""
    try:
        conn = connect_read_only(Path(path))
    except (DatabaseRefused, sqlite3.Error, OSError):
        return None
    try:
        row = conn.execute("SELECT max(at) FROM audit_log").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    try:
        return dt.datetime.strptime(row[0], "%Y-%m-%d %H:%M:%S") if row and row[0] else None
    except (TypeError, ValueError):
        return None


def list_backups(db_path: str | os.PathLike) -> list[BackupInfo]:
    """The database's automatic and manual backups, newest first."""
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    found = [i for i in (_info(p) for p in folder.glob("*.db")) if i is not None]
    return sorted(found, key=lambda i: (i.taken_at, i.seq), reverse=True)


def _new_path(db_path: str | os.PathLike, reason: str, now: dt.datetime) -> Path:
    folder = backups_dir(db_path)
    if not folder.exists():
        folder.mkdir(mode=0o700)
    stem = Path(db_path).stem
    stamp = now.strftime("%Y%m%d-%H%M%S")
    # Several backups in one second (whatever their reason) are numbered, so that "newest" stays well defined.
    same_second = [m for m in (_NAME.match(p.name) for p in folder.glob(glob.escape(stem + "-" + stamp) + "-*"))
                   if m is not None and m.group("stem") == stem]
    if not same_second:
        return folder / f"{stem}-{stamp}-{reason}.db"
    seq = max(int(m.group("seq") or 1) for m in same_second) + 1
    return folder / f"{stem}-{stamp}-{seq}-{reason}.db"


def _is_file_db(db: Database) -> bool:
    return db.path != ":memory:"


def backup_now(db: Database, reason: str = "manual", *, now: dt.datetime | None = None) -> BackupInfo:
    """Back the database up now (SQLite backup API, quick_check, owner-only), then thin the folder."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    if not _is_file_db(db):
        raise ValueError("an in-memory database has no backups folder")
    now = now or dt.datetime.now()
    path = db.backup_to(_new_path(db.path, reason, now))
    info = _info(path)
    assert info is not None
    thin(db.path, now=now)
    return info


def backup_before(db: Database, reason: str) -> BackupInfo | None:
    """Call before a risky write (reason 'import', 'exchange', 'migration'), outside its transaction."""
    if not _is_file_db(db) or db.read_only:
        return None
    return backup_now(db, reason)


def on_open(db: Database, *, now: dt.datetime | None = None) -> BackupInfo | None:
    """The daily backup: taken when no backup at all was made today. Call once after opening."""
    if not _is_file_db(db) or db.read_only or db.created:
        return None
    now = now or dt.datetime.now()
    remove_stale_parts(db.path)
    if any(b.taken_at.date() == now.date() for b in list_backups(db.path)):
        return None
    return backup_now(db, "daily", now=now)


def _audit_mark(conn: sqlite3.Connection) -> tuple[int, int]:
    # Every write logs an audit entry in its transaction: the log's size says whether anything changed.
    row = conn.execute("SELECT coalesce(max(id), 0), count(*) FROM audit_log").fetchone()
    return int(row[0]), int(row[1])


def backup_if_changed(db: Database, *, now: dt.datetime | None = None) -> BackupInfo | None:
    """The periodic backup (the GUI calls it every PERIODIC_MINUTES): only when something changed since the
    newest backup, compared by the audit log so that it also holds across restarts."""
    if not _is_file_db(db) or db.read_only:
        return None
    current = _audit_mark(db.conn)
    existing = list_backups(db.path)
    if existing:
        try:
            conn = connect_read_only(existing[0].path)
            try:
                if _audit_mark(conn) == current:
                    return None
            finally:
                conn.close()
        except (DatabaseRefused, sqlite3.Error):
            pass  # an unreadable newest backup is one more reason to take a new one
    return backup_now(db, "periodic", now=now)


RECENT_HOURS = 24
RECENT_MAX = 12          # at most this many of the last 24 hours are kept (the newest ones)
BUDGET_FACTOR = 20       # the backups never take more than 20× the database ...
BUDGET_CAP = 2 * 1024 ** 3  # ... or 2 GB, whichever is smaller (POLICYTRACK_BACKUP_BUDGET_MB overrides)
STALE_PART_SECONDS = 600


def budget_bytes(db_path: str | os.PathLike) -> int:
    """The space the backups may take: $POLICYTRACK_BACKUP_BUDGET_MB, else min(20× the database, 2 GB)."""
    env = os.environ.get("POLICYTRACK_BACKUP_BUDGET_MB", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env) * 1024 * 1024
    try:
        size = Path(db_path).stat().st_size
    except OSError:
        size = 0
    return min(BUDGET_FACTOR * max(size, 1024 * 1024), BUDGET_CAP)


def space_used(db_path: str | os.PathLike) -> int:
    """Bytes taken by the database's backups (the 备份 dialog shows it against the budget)."""
    return sum(b.size for b in list_backups(db_path))


def thin(db_path: str | os.PathLike, *, now: dt.datetime | None = None, budget: int | None = None) -> list[Path]:
    """Delete backups no longer needed: every backup of the last 24 hours up to RECENT_MAX, then the newest per
    day for DAILY_DAYS, then per month; then the oldest until the backups fit the size budget (the newest backup
    is always kept)."""
    now = now or dt.datetime.now()
    today = now.date()
    keep_keys: set[tuple] = set()
    recent = 0
    removed: list[Path] = []
    kept: list[BackupInfo] = []
    for b in list_backups(db_path):  # newest first: the first of each day/month is kept
        if b.taken_at > now - dt.timedelta(hours=RECENT_HOURS):
            recent += 1
            if recent <= RECENT_MAX:
                kept.append(b)
                continue
        d = b.taken_at.date()
        key: tuple = ("day", d) if (today - d).days < DAILY_DAYS else ("month", d.year, d.month)
        if key not in keep_keys:
            keep_keys.add(key)
            kept.append(b)
            continue
        with contextlib.suppress(FileNotFoundError):
            b.path.unlink()
            removed.append(b.path)
    limit = budget_bytes(db_path) if budget is None else budget
    total = sum(b.size for b in kept)
    for b in reversed(kept[1:]):  # oldest first, never the newest
        if total <= limit:
            break
        with contextlib.suppress(FileNotFoundError):
            b.path.unlink()
            removed.append(b.path)
        total -= b.size
    return removed


def remove_stale_parts(db_path: str | os.PathLike, *, now: float | None = None) -> list[Path]:
    """Delete half-written backups (``*.part``) left by a killed backup, older than STALE_PART_SECONDS."""
    import time

    now = time.time() if now is None else now
    removed = []
    folder = backups_dir(db_path)
    if folder.is_dir():
        for p in folder.glob("*.part*"):
            try:
                if p.is_file() and now - p.stat().st_mtime > STALE_PART_SECONDS:
                    p.unlink()
                    removed.append(p)
            except OSError:
                continue
    return removed


def verify(path: str | os.PathLike) -> None:
    """Raise BackupRefused unless ``path`` is an intact PolicyTrack database this program can restore."""
    from db import schema

    p = Path(path)
    if not p.is_file():
        raise BackupRefused(p, "文件不存在")
    try:
        _check_existing(p, schema.SCHEMA_VERSION)
        conn = connect_read_only(p)
        try:
            _quick_check(conn, str(p))
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                raise DatabaseRefused(str(p), "不是 PolicyTrack 数据库")
        finally:
            conn.close()
    except DatabaseRefused as exc:
        raise BackupRefused(p, exc.reason) from None


def newest_good(db_path: str | os.PathLike, *, limit: int = 10) -> BackupInfo | None:
    """The newest backup that passes verify() (looking at no more than ``limit`` of them), newest by the changes it
    holds, not by its file name. A future-dated backup (the PC's clock was ahead) comes after the others: it is not
    today's data."""
    ordered = sorted(list_backups(db_path), key=lambda b: (b.future, -b.holds_until.timestamp(), -b.seq))
    for b in ordered[:limit]:
        try:
            verify(b.path)
        except BackupRefused:
            continue
        return b
    return None


def _refuse_if_held_elsewhere(db_path: Path, db: Database | None) -> None:
    holder = lock_mod.holder(db_path)
    if holder is None:
        return
    if db is not None and db.lock is not None and not db.lock.released and holder.token == db.lock.info.token:
        return
    raise DatabaseLocked(str(db_path), holder)


def restore_into(db: Database, backup: str | os.PathLike) -> RestoreResult:
    """Replace the open database's content with a backup's (the GUI's restore). The current data is backed up
    first; the copy goes through SQLite's backup API into the live file, so other readers stay consistent."""
    from db import audit, schema

    source = Path(backup)
    verify(source)
    if db.read_only:
        raise ReadOnlyError(db.read_only_reason)
    if not _is_file_db(db):
        raise ValueError("cannot restore into an in-memory database")
    if source.resolve() == Path(db.path).resolve():
        raise BackupRefused(source, "这就是当前的数据库文件")
    _refuse_if_held_elsewhere(Path(db.path), db)
    safety = backup_now(db, "restore")
    src = connect_read_only(source)
    try:
        src.backup(db.conn)
    finally:
        src.close()
    check = connect_read_only(Path(db.path))  # the structure, as an open checks it (the rows were checked on write)
    try:
        _quick_check(check, db.path)
    finally:
        check.close()
    db.conn.execute("PRAGMA journal_mode = WAL")
    if db.schema_version < schema.SCHEMA_VERSION:
        schema.migrate(db)
    with db.transaction("restore"):
        audit.log(db, action="backup.restore", entity="database", entity_id=None,
                  summary=f"从备份恢复：{source.name}（恢复前的数据已备份为 {safety.path.name}）",
                  after={"restored_from": str(source), "safety_backup": str(safety.path)})
    return RestoreResult(restored_from=source, safety_backup=safety.path, damaged_moved_to=None)


def restore_file(db_path: str | os.PathLike, backup: str | os.PathLike) -> RestoreResult:
    """Restore a database file that is not open here (the CLI). Refused when another PolicyTrack holds it.

    A current file that opens is backed up first; one too damaged to open is moved into the backups folder
    (renamed, never deleted) and the backup is written into a new file.
    """
    p = Path(db_path)
    source = Path(backup)
    verify(source)
    if p.exists() and source.resolve() == p.resolve():
        raise BackupRefused(source, "这就是当前的数据库文件")
    if not p.parent.is_dir():
        raise DatabaseRefused(str(p), f"文件夹不存在：{p.parent}")
    with lock_mod.held(p, heartbeat=False) as held:
        damaged_to = None
        if p.exists():
            try:
                db = open_database(p)
            except DatabaseLocked:
                raise
            except DatabaseRefused:
                db = None
                damaged_to = _move_damaged(p)
            if db is not None:
                db.lock = held
                try:
                    return restore_into(db, source)
                finally:
                    db.lock = None
                    db.close()
        _create_private(p)
        try:
            dest = sqlite3.connect(str(p), isolation_level=None)
            src = connect_read_only(source)
            try:
                src.backup(dest)
            finally:
                src.close()
                dest.close()
            db = open_database(p)  # checks it, sets WAL, migrates an older backup
        except BaseException:
            if damaged_to is None:
                p.unlink(missing_ok=True)
            raise
        try:
            from db import audit
            with db.transaction("restore"):
                audit.log(db, action="backup.restore", entity="database", entity_id=None,
                          summary=f"从备份恢复：{source.name}"
                                  + (f"（损坏的原文件已移到 {damaged_to.name}）" if damaged_to else ""),
                          after={"restored_from": str(source),
                                 "damaged_moved_to": str(damaged_to) if damaged_to else None})
        finally:
            db.close()
        return RestoreResult(restored_from=source, safety_backup=None, damaged_moved_to=damaged_to)


def _move_damaged(p: Path) -> Path:
    """Move a damaged database (with its -wal, which belongs to it) into the backups folder, unchanged."""
    target = _new_path(p, DAMAGED, dt.datetime.now())
    os.replace(p, target)
    for suffix in ("-wal", "-shm"):
        side = Path(str(p) + suffix)
        if side.exists():
            os.replace(side, Path(str(target) + suffix))
    return target
