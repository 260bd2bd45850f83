"""Exceptions raised by the data layer; their messages are shown to users as they are (Chinese)."""
from __future__ import annotations


class PolicyTrackError(Exception):
    """Base class of every error the data layer raises on purpose."""


class ValidationError(PolicyTrackError, ValueError):
    """Bad input: names the field and the value, and nothing was stored."""

    def __init__(self, field: str, value: object, reason: str):
        self.field = field
        self.value = value
        self.reason = reason
        shown = repr(value) if isinstance(value, str) else str(value)
        super().__init__(f"「{field}」{reason}（输入：{shown}）")


class NotFoundError(PolicyTrackError, LookupError):
    """An entity named by the caller does not exist."""


class DatabaseRefused(PolicyTrackError):
    """A database file that we will not open; the file was left untouched."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"无法打开数据库 {path}：{reason}")
