"""What people type: refused with the field named, or normalised; never stored wrong."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from db.errors import ValidationError
from db.validate import (name_key, parse_date, parse_decimal, parse_money_wan, parse_month_end, parse_name,
                         round_half_up)
from fractions import Fraction


@pytest.mark.parametrize("bad", ["", "abc", "nan", "NaN", "inf", "-inf", "1e309", "1.2.3", "12,5", "1,23,456",
                                 "--1", "1 2", "一百", None, True, float("nan"), float("inf")])
def test_bad_numbers_are_refused_naming_the_field(bad):
    with pytest.raises(ValidationError) as e:
        parse_decimal(bad, "年度计划投资")
    assert "「年度计划投资」" in str(e.value)
    assert e.value.field == "年度计划投资"


def test_negative_refused_unless_allowed():
    with pytest.raises(ValidationError, match="不能为负数"):
        parse_decimal("-5", "完成投资")
    assert parse_decimal("-5", "同比增长", allow_negative=True) == Decimal(-5)


@pytest.mark.parametrize("text,expected", [
    ("１２３", Decimal(123)), ("12,345.5", Decimal("12345.5")), (" 7 ", Decimal(7)), ("0.5", Decimal("0.5")),
    (".5", Decimal("0.5")), ("３．５", Decimal("3.5")), (12, Decimal(12)), (2.5, Decimal("2.5")),
])
def test_numbers_normalised(text, expected):
    assert parse_decimal(text, "数值") == expected


def test_percent_text():
    assert parse_decimal("55.6%", "完成率", percent=True) == Decimal("0.556")
    assert parse_decimal("８．６％", "增长", percent=True) == Decimal("0.086")


@pytest.mark.parametrize("text,unit,wan", [
    ("3亿", "亿元", 30_000), ("3000万", "亿元", 3000), ("399亿元", "万元", 3_990_000), ("88.3", "亿元", 883_000),
    ("12,500万元", "亿元", 12_500), ("12500", "万元", 12_500), ("５０.５亿元", "万元", 505_000),
    ("50000000元", "亿元", 5000),
])
def test_money_units(text, unit, wan):
    assert parse_money_wan(text, "完成投资", default_unit=unit) == wan


def test_money_more_precise_than_wan_refused():
    with pytest.raises(ValidationError, match="精确到万元"):
        parse_money_wan("1.23456亿", "总投资")
    with pytest.raises(ValidationError, match="「总投资」"):
        parse_money_wan("三亿", "总投资")


@pytest.mark.parametrize("bad", ["2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31", "20230731", "7/31/2023",
                                 "", "tomorrow", 20230731])
def test_bad_dates_refused(bad):
    with pytest.raises(ValidationError) as e:
        parse_date(bad, "截至日期")
    assert e.value.field == "截至日期"


def test_dates_accepted_and_year_window():
    assert parse_date("2023年7月31日", "截至日期") == dt.date(2023, 7, 31)
    assert parse_date("2023/7/31", "截至日期") == dt.date(2023, 7, 31)
    assert parse_date("2024-02-29", "截至日期") == dt.date(2024, 2, 29)
    with pytest.raises(ValidationError, match="不在计划年度 2023 年内"):
        parse_date("2024-01-31", "截至日期", year=2023)
    assert parse_month_end("2023-07", "报告期") == dt.date(2023, 7, 31)
    assert parse_month_end("2023年2月", "报告期") == dt.date(2023, 2, 28)
    with pytest.raises(ValidationError, match="月份"):
        parse_month_end("2023-13", "报告期")


def test_names():
    assert parse_name("  长安汽车  渝北新工厂 ", "项目名称") == "长安汽车 渝北新工厂"
    assert name_key("项目Ａ ") == name_key("项目a")
    assert name_key("中科创达（重庆）") == name_key("中科创达(重庆)")
    for bad in ["", "   ", None, 5, "a\x00b", "x" * 201]:
        with pytest.raises(ValidationError) as e:
            parse_name(bad, "项目名称")
        assert e.value.field == "项目名称"
    # Stored text keeps Chinese punctuation as typed.
    assert parse_name("中科创达（重庆），有限公司", "名称") == "中科创达（重庆），有限公司"


def test_round_half_up_is_paper_rounding():
    assert str(round_half_up(Fraction(1, 20), 1)) == "0.1"
    assert str(round_half_up(Fraction(222, 399) * 100, 1)) == "55.6"
    assert str(round_half_up(Decimal("2.25"), 1)) == "2.3"


@given(st.text(max_size=30))
def test_parse_decimal_never_returns_something_nonfinite(text):
    try:
        d = parse_decimal(text, "数值", allow_negative=True)
    except ValidationError:
        return
    assert d.is_finite()


@given(st.integers(0, 10**12))
def test_money_round_trip(wan):
    assert parse_money_wan(str(wan), "金额", default_unit="万元") == wan
    assert parse_money_wan(f"{wan}万元", "金额") == wan
