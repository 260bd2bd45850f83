"""Parsing and validation of what people type: numbers, money, dates and names."""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from db.errors import ValidationError
from db.money import WAN_PER_YI, round_half_up  # noqa: F401  (re-exported: one definition)

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_MONEY_UNIT_RE = re.compile(r"^(?P<num>.*?)\s*(?P<unit>亿元|亿|万元|万|元)?$")


def normalize_text(text: str) -> str:
    """Collapse inner white space and trim; the text is otherwise kept as typed (，stays full-width)."""
    return re.sub(r"\s+", " ", text).strip()


def name_key(name: str) -> str:
    """The key under which two names are the same: NFKC, trimmed, white space removed, case folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()


def parse_name(value: object, field: str, *, max_length: int = 200) -> str:
    if not isinstance(value, str):
        raise ValidationError(field, value, "必须是文字")
    text = normalize_text(value)
    if not text:
        raise ValidationError(field, value, "不能为空")
    if len(text) > max_length:
        raise ValidationError(field, value, f"太长（最多 {max_length} 个字）")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise ValidationError(field, value, "含有不可见的控制字符")
    return text


# The national 投资项目在线审批监管平台 code (GB/T 40058-2021, 24 characters in five segments joined by "-"): time
# (YYMM since 2020; a four-digit year in older codes), region (6), department or industry (2), project type (2),
# then 5 random digits and a check character (older codes: a 6-digit serial), e.g. 2301-500112-04-01-123456.
NATIONAL_CODE = re.compile(r"(\d{2})(\d{2})-(\d{6})-(\d{2})-(\d{2})-(\d{5}[0-9A-Z])")
_CODE_LIKE = re.compile(r"\d{2,}(?:-\d+){2,}")  # digit groups joined by dashes: meant as a national code
_CODE_CHARS = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-_/.()（）]*")


def parse_project_code(value: object, field: str = "项目代码") -> str | None:
    """A 项目代码 (None when empty): NFKC, dashes unified; one that looks national must be a valid national code."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError(field, value, "必须是文字")
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).upper()
    text = re.sub(r"[‐‑‒–—―－]", "-", text)
    if not text:
        return None
    if len(text) > 40:
        raise ValidationError(field, value, "太长（最多 40 个字符）")
    if _CODE_LIKE.fullmatch(text):
        m = NATIONAL_CODE.fullmatch(text)
        if m is None:
            raise ValidationError(field, value, "不是有效的全国投资项目代码（应为 2301-500112-04-01-123456 的格式："
                                                "年月4位-地区6位-部门2位-类型2位-随机码和校验码6位）")
        if not (1 <= int(m.group(2)) <= 12 or m.group(1) in ("19", "20")):
            raise ValidationError(field, value, f"项目代码的前四位是赋码年月（或旧代码的年份），"
                                                f"“{m.group(1)}{m.group(2)}”两者都不是")
        return text
    if not _CODE_CHARS.fullmatch(text):
        raise ValidationError(field, value, "只能由数字、字母和 - _ / . 组成")
    return text


def parse_text(value: object, field: str, *, max_length: int = 2000) -> str:
    """Optional free text (notes, units, locations): may be empty, trimmed and NFKC-normalised."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, value, "必须是文字")
    text = value.strip()
    if len(text) > max_length:
        raise ValidationError(field, value, f"太长（最多 {max_length} 个字）")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise ValidationError(field, value, "含有不可见的控制字符")
    return text


def parse_decimal(value: object, field: str, *, allow_negative: bool = False, percent: bool = False) -> Decimal:
    """A finite decimal number from typed text or a number.

    Accepts full-width digits, thousands separators in groups of three, a trailing % when
    ``percent`` (returned as the fraction, 55.6% -> 0.556); refuses '', nan, inf, 1.2.3, 12,5.
    """
    if isinstance(value, bool):
        raise ValidationError(field, value, "不是数字")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValidationError(field, value, "不是有限的数字")
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        is_percent = False
        if percent and text.endswith("%"):
            text, is_percent = text[:-1], True
        if _GROUPED_RE.match(text):
            text = text.replace(",", "")
        if not _NUMBER_RE.match(text):
            raise ValidationError(field, value, "不是有效的数字" if text else "不能为空")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(field, value, "不是有效的数字") from None
        if is_percent:
            number = number / 100
    else:
        raise ValidationError(field, value, "不是数字")
    if not number.is_finite():
        raise ValidationError(field, value, "不是有限的数字")
    if abs(number) >= Decimal("1e15"):
        raise ValidationError(field, value, "数值过大")
    if number.is_signed() and not allow_negative:  # "-0" too: a minus sign in a field that cannot be negative
        raise ValidationError(field, value, "不能为负数")
    return number


# The largest magnitude any stored integer may have (exclusive): far beyond any real figure, far below SQLite's
# 64-bit limit — so that a mistyped 10^20 is refused with the field named instead of failing inside SQLite.
MAX_STORED = 10**15


def check_stored_int(value: object, field: str, *, allow_negative: bool = False) -> int:
    """A value already in storage units (integer 万元, basis points, scaled indicator values) as the db stores it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, value, "必须是数字")
    if abs(value) >= MAX_STORED:
        raise ValidationError(field, value, "数值过大")
    if value < 0 and not allow_negative:
        raise ValidationError(field, value, "不能为负数")
    return value


def to_scaled_int(number: Decimal, decimals: int, field: str, original: object) -> int:
    """Store a decimal exactly as an integer count of 10^-decimals; refuse extra precision."""
    scaled = number.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValidationError(field, original, f"小数位过多（最多 {decimals} 位）")
    return int(scaled)


def parse_scaled(value: object, field: str, decimals: int, *, allow_negative: bool = False,
                 percent: bool = False) -> int:
    return to_scaled_int(parse_decimal(value, field, allow_negative=allow_negative, percent=percent),
                         decimals, field, value)


def parse_money_wan(value: object, field: str, *, default_unit: str = "亿元") -> int:
    """Money as exact integer 万元. Text may carry its unit: '3亿', '3000万', '399亿元', '12,500万元'.

    A bare number is read in ``default_unit`` ('亿元' or '万元'). More precision than 1 万元 is refused.
    """
    if default_unit not in ("亿元", "万元"):
        raise ValueError(default_unit)
    unit = default_unit
    raw = value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        m = _MONEY_UNIT_RE.match(text)
        if m and m.group("unit"):
            unit = {"亿": "亿元", "亿元": "亿元", "万": "万元", "万元": "万元", "元": "元"}[m.group("unit")]
            value = m.group("num")
    number = parse_decimal(value, field)
    if unit == "亿元":
        number = number * WAN_PER_YI
    elif unit == "元":
        number = number / WAN_PER_YI
    if number != number.to_integral_value():
        raise ValidationError(field, raw, "金额精确到万元，小数位过多")
    return int(number)


def parse_date(value: object, field: str, *, year: int | None = None) -> dt.date:
    """A real calendar date (2023-02-29 and 2023-13-01 refused); within ``year`` when given.

    Accepts date objects, 'YYYY-MM-DD', 'YYYY/MM/DD', 'YYYY.MM.DD' and '2023年7月31日'.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        d = value
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
        if not m:
            raise ValidationError(field, value, "不是有效的日期（应为 2023-07-31 这样的格式）")
        try:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ValidationError(field, value, "不是日历上存在的日期") from None
    else:
        raise ValidationError(field, value, "不是日期")
    if year is not None and d.year != year:
        raise ValidationError(field, value, f"不在计划年度 {year} 年内")
    return d


def parse_month_end(value: object, field: str, *, year: int | None = None) -> dt.date:
    """A reporting date: any date is accepted and must lie in the plan year; '2023-07' means July 31."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?", text)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            if not 1 <= mo <= 12:
                raise ValidationError(field, value, "月份应在 1 到 12 之间")
            value = month_end(y, mo)
    return parse_date(value, field, year=year)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


