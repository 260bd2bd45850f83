"""The user's choices about the data (status thresholds, time-progress mode), kept in the database."""
from __future__ import annotations

from fractions import Fraction

from db import audit
from db.connection import Database
from db.errors import ValidationError
from db.progress import Thresholds
from db.validate import parse_decimal

TIME_PROGRESS_MODES = {"month": "按月（6月30日为50%）", "day": "按天"}


def get(db: Database, key: str, default: str | None = None) -> str | None:
    value = db.scalar("SELECT value FROM setting WHERE key = ?", (key,))
    return default if value is None else value


def put(db: Database, key: str, value: str, summary: str) -> None:
    """Store one setting (logged, in one transaction)."""
    before = get(db, key)
    with db.transaction("setting"):
        db.conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)"
                        " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
        audit.log(db, action="setting.set", entity="setting", entity_id=None, summary=summary,
                  before={key: before}, after={key: value})


def thresholds(db: Database) -> Thresholds:
    return Thresholds(Fraction(get(db, "status_green_from", "0")), Fraction(get(db, "status_amber_from", "-10")))


def set_thresholds(db: Database, *, green_from: object, amber_from: object) -> Thresholds:
    """Gap thresholds in percentage points; amber must not be above green."""
    g = Fraction(parse_decimal(green_from, "绿色起点（百分点）", allow_negative=True))
    a = Fraction(parse_decimal(amber_from, "黄色起点（百分点）", allow_negative=True))
    if a > g:
        raise ValidationError("黄色起点（百分点）", amber_from, "不能高于绿色起点")
    with db.transaction("setting"):
        put(db, "status_green_from", str(g), f"预警阈值：绿色 ≥ {g} 个百分点")
        put(db, "status_amber_from", str(a), f"预警阈值：黄色 ≥ {a} 个百分点")
    return Thresholds(g, a)


def time_progress_mode(db: Database) -> str:
    return get(db, "time_progress_mode", "month") or "month"


def set_time_progress_mode(db: Database, mode: str) -> None:
    if mode not in TIME_PROGRESS_MODES:
        raise ValidationError("时序进度计算方式", mode, "只能是 month（按月）或 day（按天）")
    put(db, "time_progress_mode", mode, f"时序进度计算方式：{TIME_PROGRESS_MODES[mode]}")


def user_name(db: Database) -> str:
    """The name written into the log: the OS user unless overridden in settings."""
    return get(db, "user_name") or db.user


def set_user_name(db: Database, name: str) -> None:
    """Override the name written into the audit log (empty: use the operating system's user name)."""
    from db.validate import parse_text
    clean = parse_text(name, "用户名", max_length=50)
    put(db, "user_name", clean, f"用户名：{clean or '（使用系统用户名）'}")
    if clean:
        db.user = clean
