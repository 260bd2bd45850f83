"""One writer at a time: a lock file beside the database saying who writes to it (user, PC, process, since when).

SQLite's own locks keep the *file* consistent; this lock keeps two *people* from typing into the same database at
once without knowing it, on one PC or through a shared folder (GnuCash and KeePassXC do the same). The holder
rewrites its heartbeat every HEARTBEAT_SECONDS; a lock whose process is gone (same PC) or whose heartbeat stopped
(another PC) is stale and is taken over, so a crash never blocks the next start.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import socket
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from db.errors import DatabaseLocked

LOCK_SUFFIX = ".lock"
HEARTBEAT_SECONDS = 10.0
# A lock not refreshed for this long is stale when its holder cannot be asked directly (another PC, or a reused pid).
STALE_AFTER_SECONDS = 60.0
# A lock file too new to have its content yet (being written by another process) counts as held.
_FRESH_SECONDS = 5.0


def lock_path(db_path: str | os.PathLike) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + LOCK_SUFFIX)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return "unknown"


def _host() -> str:
    return socket.gethostname() or "unknown"


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


@dataclass(frozen=True)
class LockInfo:
    """What a lock file says about its holder (``readable`` False when the file could not be read)."""

    user: str
    host: str
    pid: int
    since: dt.datetime
    heartbeat: dt.datetime
    token: str
    mtime: float = 0.0
    readable: bool = True

    @property
    def same_host(self) -> bool:
        return self.host.casefold() == _host().casefold()

    @property
    def is_this_process(self) -> bool:
        return self.same_host and self.pid == os.getpid()

    def describe(self) -> str:
        """数据库正在被 张三（电脑 PC-01）使用，自 10:32 起"""
        if not self.readable:
            return "数据库正在被其他用户使用（无法读取锁文件中的使用者信息）"
        since = self.since.astimezone()
        when = since.strftime("%H:%M") if since.date() == _now().date() else \
            f"{since.year}年{since.month}月{since.day}日 {since:%H:%M}"
        return f"数据库正在被 {self.user}（电脑 {self.host}）使用，自 {when} 起"

    def to_json(self) -> str:
        return json.dumps({"app": "PolicyTrack", "user": self.user, "host": self.host, "pid": self.pid,
                           "since": self.since.isoformat(timespec="seconds"),
                           "heartbeat": self.heartbeat.isoformat(timespec="seconds"), "token": self.token},
                          ensure_ascii=False)


def read(db_path: str | os.PathLike) -> LockInfo | None:
    """The lock file's content, or None when there is no lock file. Never raises for a garbled file."""
    return _read_path(lock_path(db_path))


def _read_path(path: Path) -> LockInfo | None:
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LockInfo(user=str(data["user"]), host=str(data["host"]), pid=int(data["pid"]),
                        since=dt.datetime.fromisoformat(data["since"]).astimezone(),
                        heartbeat=dt.datetime.fromisoformat(data["heartbeat"]).astimezone(),
                        token=str(data["token"]), mtime=mtime)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        # Unreadable (another user's owner-only file) or still being written: holder unknown.
        stamp = dt.datetime.fromtimestamp(mtime).astimezone()
        return LockInfo(user="?", host="?", pid=0, since=stamp, heartbeat=stamp, token="", mtime=mtime,
                        readable=False)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this PC (a zombie counts as dead)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return True


def _pid_alive_windows(pid: int) -> bool:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def is_stale(info: LockInfo, *, now: dt.datetime | None = None) -> bool:
    """A lock left by a crash: its process is gone (same PC), or nobody refreshed it for STALE_AFTER_SECONDS."""
    now = now or _now()
    file_age = now.timestamp() - info.mtime
    if not info.readable:
        return file_age > max(_FRESH_SECONDS, STALE_AFTER_SECONDS)
    beat_age = (now - info.heartbeat).total_seconds()
    # Both the holder's own clock and the file's time must be old: PCs' clocks disagree.
    silent = beat_age > STALE_AFTER_SECONDS and file_age > STALE_AFTER_SECONDS
    if info.same_host:
        return not pid_alive(info.pid) or silent
    return silent


def holder(db_path: str | os.PathLike) -> LockInfo | None:
    """Who holds the database now (None when nobody does, or the lock is stale)."""
    info = read(db_path)
    if info is None or is_stale(info):
        return None
    return info


def _write_fd(fd: int, content: str) -> None:
    """Write ``content`` to an open descriptor and make it durable before anyone reads it."""
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())


def _write_new(path: Path, content: str) -> bool:
    """Create ``path`` with ``content`` only if it does not exist; False when it exists. Owner-only."""
    tmp = path.with_name(path.name + "." + uuid.uuid4().hex[:12] + ".tmp")
    fd = os.open(str(tmp), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        _write_fd(fd, content)
        try:
            # link() publishes the complete file in one step and fails if a lock already exists.
            os.link(tmp, path)
            return True
        except FileExistsError:
            return False
        except OSError:
            pass  # file systems without hard links (FAT, some shares): exclusive create, then write
        try:
            fd = os.open(str(path), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return False
        _write_fd(fd, content)
        return True
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _replace(path: Path, content: str) -> None:
    tmp = path.with_name(path.name + "." + uuid.uuid4().hex[:12] + ".tmp")
    fd = os.open(str(tmp), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        _write_fd(fd, content)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _take_over(path: Path, stale: LockInfo) -> None:
    """Move a stale lock out of the way, making sure it is still the one we judged stale."""
    aside = path.with_name(path.name + ".stale-" + uuid.uuid4().hex[:12])
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return  # someone else removed it first; the exclusive create decides
    moved = _read_path(aside)
    if moved is not None and stale.readable and moved.token != stale.token:
        # Between our look and the rename somebody took the stale lock over: give theirs back.
        with contextlib.suppress(OSError):
            os.link(aside, path)
    with contextlib.suppress(OSError):
        aside.unlink()


class DbLock:
    """A held lock. Release it with release() (or use it as a context manager); heartbeat() keeps it fresh.

    ``on_lost`` is called (from the heartbeat thread) if another process took the lock over, e.g. after this PC
    slept for longer than STALE_AFTER_SECONDS; the application should then stop writing.
    """

    def __init__(self, db_path: Path, info: LockInfo):
        self.db_path = db_path
        self.path = lock_path(db_path)
        self.info = info
        self.lost = False
        self.released = False
        self.on_lost: Callable[[LockInfo | None], None] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mutex = threading.Lock()

    def owned(self) -> bool:
        """Whether the lock file on disk is still ours."""
        current = read(self.db_path)
        return current is not None and current.token == self.info.token

    def refresh(self) -> bool:
        """Rewrite the heartbeat; False (and ``lost`` set) when the lock is no longer ours."""
        with self._mutex:
            if self.released or self.lost:
                return False
            current = read(self.db_path)
            if current is None:
                # Our file vanished (someone deleted it): take it again if nobody else did.
                if _write_new(self.path, self._beat().to_json()):
                    return True
                current = read(self.db_path)
            if current is not None and not current.readable and not is_stale(current):
                return True  # caught someone's lock file half-written (or unreadable): look again next beat
            if current is None or current.token != self.info.token:
                self.lost = True
                callback = self.on_lost
            else:
                _replace(self.path, self._beat().to_json())
                return True
        if callback is not None:
            callback(current)
        return False

    def _beat(self) -> LockInfo:
        self.info = LockInfo(user=self.info.user, host=self.info.host, pid=self.info.pid, since=self.info.since,
                             heartbeat=_now(), token=self.info.token)
        return self.info

    def start_heartbeat(self, interval: float = HEARTBEAT_SECONDS) -> None:
        if self._thread is not None:
            return

        def beat() -> None:
            while not self._stop.wait(interval):
                try:
                    if not self.refresh():
                        return
                except OSError:
                    continue  # a share that hiccups: try again next time; staleness needs a minute of silence

        self._thread = threading.Thread(target=beat, name="policytrack-lock-heartbeat", daemon=True)
        self._thread.start()

    def release(self) -> None:
        """Stop the heartbeat and remove the lock file if it is still ours."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        with self._mutex:
            if self.released:
                return
            self.released = True
            if self.owned():
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()

    def __enter__(self) -> DbLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire(db_path: str | os.PathLike, *, heartbeat: bool = True,
            heartbeat_seconds: float = HEARTBEAT_SECONDS) -> DbLock:
    """Take the lock for writing, or raise DatabaseLocked naming the holder. A stale lock is taken over.

    Raises OSError when the lock file cannot be written (a read-only folder): the caller opens read-only.
    """
    p = Path(db_path)
    path = lock_path(p)
    for _attempt in range(3):
        existing = read(p)
        if existing is not None:
            if not is_stale(existing):
                raise DatabaseLocked(str(p), existing)
            _take_over(path, existing)
        now = _now()
        info = LockInfo(user=_user(), host=_host(), pid=os.getpid(), since=now, heartbeat=now,
                        token=uuid.uuid4().hex)
        if _write_new(path, info.to_json()):
            lock = DbLock(p, info)
            if heartbeat:
                lock.start_heartbeat(heartbeat_seconds)
            return lock
    current = read(p)
    if current is None:
        raise OSError(f"could not create the lock file {path}")
    raise DatabaseLocked(str(p), current)


@contextlib.contextmanager
def held(db_path: str | os.PathLike, **kwargs: object):
    """``with lock.held(path) as lk:`` — acquire, and release on exit."""
    lk = acquire(db_path, **kwargs)  # type: ignore[arg-type]
    try:
        yield lk
    finally:
        lk.release()
