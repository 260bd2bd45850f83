"""One money module: every 万元 -> 亿元 text reads the same, whichever path (screen, PDF fast path, messages) made it."""
from __future__ import annotations

from fractions import Fraction

from hypothesis import given, strategies as st

from db import auditlog, money, plausibility
from desktop import formatting as fmt
from desktop.report import briefing

WAN = st.integers(min_value=0, max_value=10**12)


@given(WAN)
def test_the_pdf_fast_path_reads_like_the_screen(wan):
    assert briefing._yi_wan(wan) == money.yi_tenths(wan) == fmt.yi_from_wan(wan) == money.yi_text(wan)


@given(WAN)
def test_exact_text_is_exact(wan):
    text = money.yi_exact(wan)
    assert Fraction(text) * money.WAN_PER_YI == wan and text.split(".")[1] and len(text.split(".")[1]) <= 4
    assert auditlog.money_text(wan) == text + " 亿元"


def test_known_figures():
    assert money.yi_text(2_220_000) == "222.0" and money.yi_text(2500) == "0.3" and money.yi_text(None) == "—"
    assert money.yi_exact(9500) == "0.95" and money.yi_exact(9501) == "0.9501" and money.yi_exact(125_000) == "12.5"
    assert money.yi_plain(140_000) == "14" and money.yi_plain(123_456) == "12.3456"
    assert plausibility._yi(3) == "0.0003" and plausibility._yi(125_000) == "12.5"
    assert money.yi_float(125_000) == 12.5
    assert fmt.percent_bp(5564) == "55.6%" and fmt.percent_bp(None) == "—"
