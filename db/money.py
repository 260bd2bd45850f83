"""Money and rounding, in one place: integer 万元 shown in 亿元, rounded half up the way people do on paper.

Every conversion of 万元 to 亿元 (the figures `summary --json` returns, db's messages and audit log lines, and
through desktop/formatting.py every screen, chart, PDF and CLI line) goes through here, so a figure reads the
same everywhere. Percentages, gaps and dates are worded by desktop/formatting.py on top of these. Pure Python.
"""
from __future__ import annotations

from decimal import Decimal, ROUND_HALF_UP
from fractions import Fraction

WAN_PER_YI = 10_000
DASH = "—"


def round_half_up(x: float | Fraction | Decimal | int, digits: int = 1) -> Decimal:
    """Round half up, exactly: 0.05 -> 0.1. A float is read by its shortest repr first (0.5564 stays 0.5564)."""
    if isinstance(x, float):
        d = Decimal(repr(x))
    elif isinstance(x, Fraction):
        d = Decimal(x.numerator) / Decimal(x.denominator)
    else:
        d = Decimal(x)
    return d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def number(x: float | Fraction | Decimal | int | None, digits: int = 1, *, grouping: bool = False) -> str:
    """Rounded half up; no thousands separators unless asked (prose writes 2246家, tables may group)."""
    if x is None:
        return DASH
    return f"{round_half_up(x, digits):,.{digits}f}" if grouping else f"{round_half_up(x, digits):.{digits}f}"


def to_yi(wan: int | Fraction) -> Fraction:
    """万元 -> 亿元, exactly."""
    return Fraction(wan) / WAN_PER_YI


def yi_float(wan: int | None) -> float | None:
    """万元 -> 亿元 as a float, for JSON and charts (exact integers in, the nearest float out)."""
    return None if wan is None else wan / WAN_PER_YI


def yi_text(wan: int | None, digits: int = 1) -> str:
    """'222.0': 亿元 with ``digits`` decimals."""
    return DASH if wan is None else number(to_yi(wan), digits)


def yi_exact(wan: int | None) -> str:
    """亿元 exactly: as many decimals as the figure needs (at least one, at most four = 1 万元): 12.5, 0.9501."""
    if wan is None:
        return DASH
    text = number(to_yi(wan), 4).rstrip("0")
    return text + "0" if text.endswith(".") else text


def yi_plain(wan: int, max_digits: int = 4) -> str:
    """亿元 without trailing zeros (an editor's text, exact at four digits): 14, 12.3456."""
    text = number(to_yi(wan), max_digits)
    return text.rstrip("0").rstrip(".") if "." in text else text


def yi_message(wan: int | Fraction) -> str:
    """亿元 in db's messages: one decimal; small amounts keep enough digits to be seen (0.0003)."""
    if type(wan) is int:   # the same text in integers (a large import words thousands of these)
        sign = "-" if wan < 0 else ""
        a = abs(wan)
        if a == 0 or a >= 1000:   # |q| >= 0.1: one decimal, half away from zero as ROUND_HALF_UP does
            t = (a + 500) // 1000
            return f"{sign}{t // 10}.{t % 10}"
        return f"{sign}0.{a:04d}"
    q = to_yi(wan)
    return str(round_half_up(q, 1 if q == 0 or abs(q) >= Fraction(1, 10) else 4))


def yi_tenths(wan: int | None) -> str:
    """'222.0' like ``yi_text(wan, 1)``, in integers only (the PDF table's hot path avoids Decimal)."""
    if wan is None:
        return DASH
    tenths = (abs(wan) + 500) // 1000
    sign = "-" if wan < 0 and tenths else ""
    return f"{sign}{tenths // 10}.{tenths % 10}"


def tenths(num: int, den: int) -> str:
    """num/den with one decimal, rounded half away from zero like ``number``, in integers."""
    q = (2 * abs(num) + den) // (2 * den)
    sign = "-" if num < 0 else ""  # like desktop.formatting.points: a tiny shortfall reads -0.0
    return f"{sign}{q // 10}.{q % 10}"
