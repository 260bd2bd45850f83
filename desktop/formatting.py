"""Chinese number and date conventions for everything a person reads: 亿元, 55.6%, 百分点, 2023年7月31日."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from db import money
from db.money import DASH, number, round_half_up as _round
from db.progress import STATUS_LABELS as _JUDGED, UNREPORTED_LABEL as UNREPORTED

STATUS_LABELS = {**_JUDGED, "unreported": UNREPORTED, None: DASH}


def yi(x_yi: float | None, digits: int = 1) -> str:
    """An amount already in 亿元: '222.0'."""
    return number(x_yi, digits)


# 万元 shown in 亿元: db.money does every conversion (one decimal; or exact for entry screens, where 0.95 must not
# read as 1.0: 12.5, 0.95, 0.9501, 222.0).
yi_from_wan = money.yi_text
yi_exact = money.yi_exact


def wan(wan_value: int | None) -> str:
    return DASH if wan_value is None else f"{wan_value:,}"


def percent(rate: float | Fraction | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.5564 -> '55.6%'."""
    if rate is None:
        return DASH
    r = Fraction(repr(rate)) if isinstance(rate, float) else Fraction(rate)
    return f"{_round(r * 100, digits)}%"


def percent_bp(bp: int | None, digits: int = 1) -> str:
    """A stored basis-point figure (形象进度, 同比增长) as a percentage: 5564 -> '55.6%'."""
    return DASH if bp is None else percent(Fraction(bp, 10000), digits)


def points(gap: float | Fraction | None, digits: int = 1) -> str:
    """A signed gap in percentage points: '+5.6'."""
    if gap is None:
        return DASH
    g = _round(gap, digits)
    return f"+{g}" if g > 0 else f"{g}"


def gap_sentence(gap: float | Fraction | None, digits: int = 1) -> str:
    """'超序时进度 5.6 个百分点' / '低于序时进度 3.2 个百分点' / '与序时进度持平'."""
    if gap is None:
        return "无目标，不比较序时进度"
    g = _round(gap, digits)
    if g > 0:
        return f"超序时进度 {g} 个百分点"
    if g < 0:
        return f"低于序时进度 {-g} 个百分点"
    return "与序时进度持平"


def date_cn(d: dt.date | str) -> str:
    """2023年7月31日 (prose)."""
    if isinstance(d, str):
        d = dt.date.fromisoformat(d)
    return f"{d.year}年{d.month}月{d.day}日"


def month_range_cn(d: dt.date | str) -> str:
    """The period a year-to-date figure covers: '1—6月'; a December figure covers the year: '全年'."""
    if isinstance(d, str):
        d = dt.date.fromisoformat(d)
    if d.month == 12:
        return "全年"
    return "1月" if d.month == 1 else f"1—{d.month}月"


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status, DASH)


def plain(x: float | int | None, max_digits: int = 2) -> str:
    """A count or measure without trailing zeros: 359.0 -> '359', 88.30 -> '88.3'."""
    if x is None:
        return DASH
    text = number(x, max_digits)
    return text.rstrip("0").rstrip(".") if "." in text else text


def file_size(n_bytes: int) -> str:
    """File sizes the way Windows Explorer shows them to office users: 512 字节, 200 KB, 3.4 MB."""
    if n_bytes < 1024:
        return f"{n_bytes} 字节"
    if n_bytes < 1024 * 1024:
        return f"{number(Decimal(n_bytes) / 1024, 0)} KB"
    if n_bytes < 1024 ** 3:
        return f"{number(Decimal(n_bytes) / 1024 ** 2, 1)} MB"
    return f"{number(Decimal(n_bytes) / 1024 ** 3, 1)} GB"


def _date(d: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(d) if isinstance(d, str) else d


def month_cn(d: dt.date | str) -> str:
    """'6月'."""
    return f"{_date(d).month}月"


def as_of_note(d: dt.date | str) -> str:
    """What marks a figure older than the 报告期: '截至6月'."""
    return f"截至{month_cn(d)}"


def shown_status(item: dict) -> str | None:
    """The state a view shows for the 报告期: the status of a current figure, 'unreported' (未报送) otherwise."""
    return item.get("status") if item.get("current", True) else "unreported"


def state_label(status: str | None, current: bool) -> str:
    """The status word for the 报告期: 未报送 for a figure older than it (never red for being old)."""
    return status_label(status) if current else UNREPORTED


def last_standing(figure_date: dt.date | str | None, gap: float | Fraction | None, status: str | None) -> str:
    """The last known standing beside 未报送: '6月：超序时进度5.6个百分点（正常）' (or '此前无报送')."""
    if figure_date is None:
        return "此前无报送"
    if gap is None:
        return f"{month_cn(figure_date)}已报送"
    return f"{month_cn(figure_date)}：{gap_sentence(gap).replace(' ', '')}（{status_label(status)}）"


def derived_mark(derived: bool) -> str:
    """'（推算）' after a figure the source implies but does not state."""
    return "（推算）" if derived else ""


def scale_level(scale_yi: float | None, label: str = "") -> str:
    """A tier's scale as the level it is (千亿级, 500亿级), never as a target."""
    if label:
        return f"规模层级 {label}"
    if scale_yi is None:
        return DASH
    return "规模层级 千亿级" if scale_yi >= 1000 else f"规模层级 {plain(scale_yi, 0)}亿级"
