"""Exceptions raised by the data layer; their messages are shown to users as they are (Chinese)."""
from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.lock import LockInfo


QUOTE_LIMIT = 80  # characters of a user's input quoted back in a message


def printable(text: str) -> str:
    """``text`` with control and format characters (ANSI escapes, newlines, bidi overrides) shown as escapes."""
    if text.isprintable():   # no Cc/Cf/Zl/Zp character at all (most text): nothing to escape
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A user's input as quoted in a message: printable, at most ``limit`` characters plus the total length."""
    text = printable(str(value))
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(str(value))} 个字符）"


class PolicyTrackError(Exception):
    """Base class of every error the data layer raises on purpose."""


class ValidationError(PolicyTrackError, ValueError):
    """Bad input: names the field and the value, and nothing was stored."""

    def __init__(self, field: str, value: object, reason: str):
        self.field = field
        self.value = value
        self.reason = reason
        shown = f"'{quote(value)}'" if isinstance(value, str) else quote(value)
        super().__init__(f"「{field}」{reason}（输入：{shown}）")


class NotFoundError(PolicyTrackError, LookupError):
    """An entity named by the caller does not exist."""


class DatabaseRefused(PolicyTrackError):
    """A database file that we will not open; the file was left untouched.

    ``backup`` is the newest backup that passed its check, when there is one: the GUI offers to restore it.
    """

    def __init__(self, path: str, reason: str, *, backup: Path | None = None, backup_label: str = ""):
        self.path = path
        self.reason = reason
        self.backup = backup
        self.backup_label = backup_label
        super().__init__(self._message())

    def _message(self) -> str:
        text = f"无法打开数据库 {self.path}：{self.reason}"
        if self.backup is not None:
            text += f"。可以从备份恢复：{self.backup}（{self.backup_label}）"
        return text

    def offer_backup(self, backup: Path, label: str) -> None:
        """Attach the newest good backup so that the message and the GUI can offer to restore it."""
        self.backup, self.backup_label = backup, label
        self.args = (self._message(),)


class DatabaseLocked(DatabaseRefused):
    """Another PolicyTrack (this PC or another one) is writing to the database; it may be opened read-only."""

    def __init__(self, path: str, holder: LockInfo):
        self.holder = holder
        super().__init__(path, holder.describe() + "；可以以只读方式打开")


class ReadOnlyError(PolicyTrackError):
    """A write was attempted on a database opened read-only; nothing was stored."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"数据库当前是只读的（{reason}），修改没有保存")


class SaveFailed(PolicyTrackError):
    """COMMIT (or a write before it) failed for lack of space or an I/O error; the change was rolled back.

    The same connection works again once the cause is gone: the user can simply save again.
    """

    def __init__(self, cause: str, detail: str = ""):
        self.cause = cause
        self.detail = detail
        extra = f"（{detail}）" if detail else ""
        super().__init__(f"保存失败：{cause}{extra}。刚才的修改没有保存，请处理后再保存一次。")
