"""Chinese number and date conventions."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

from desktop import formatting as fmt


def test_money_and_percent():
    assert fmt.yi(399.0) == "399.0"
    assert fmt.yi_from_wan(2_220_000) == "222.0"
    assert fmt.yi_from_wan(505) == "0.1"          # 0.0505 亿 rounds half up
    assert fmt.yi_from_wan(None) == "—"
    assert fmt.wan(3_990_000) == "3,990,000"
    assert fmt.percent(Fraction(222, 399)) == "55.6%"
    assert fmt.percent(0.571914) == "57.2%"
    assert fmt.percent(0.5) == "50.0%"
    assert fmt.percent(0.00049) == "0.0%"
    assert fmt.percent(None) == "—"
    assert fmt.number(0.25, 1) == "0.3"            # half up, not banker's rounding
    assert fmt.plain(359.0) == "359" and fmt.plain(88.3) == "88.3" and fmt.plain(2246) == "2246"


def test_gap_sentences():
    assert fmt.gap_sentence(5.6391) == "超序时进度 5.6 个百分点"
    assert fmt.gap_sentence(Fraction(-32, 10)) == "低于序时进度 3.2 个百分点"
    assert fmt.gap_sentence(0.04) == "与序时进度持平"
    assert fmt.points(5.64) == "+5.6" and fmt.points(-3.25) == "-3.3" and fmt.points(0) == "0.0"


def test_dates():
    assert fmt.date_cn("2023-07-31") == "2023年7月31日"
    assert fmt.date_cn(dt.date(2023, 1, 5)) == "2023年1月5日"
    assert fmt.month_range_cn("2023-06-30") == "1—6月"
    assert fmt.month_range_cn("2023-01-31") == "1月"
    assert fmt.month_range_cn("2023-12-31") == "全年"
    assert fmt.status_label("green") == "正常" and fmt.status_label(None) == "—"
