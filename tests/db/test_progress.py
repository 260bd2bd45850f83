"""The progress arithmetic, exactly, with its boundaries."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import example, given, strategies as st

from db.progress import (Reading, Thresholds, assess, shown_percent, catch_up, completion_rate, gap_points, judge,
                         months_elapsed, status_for_gap, time_progress, value_as_of)
from desktop import formatting as fmt


@pytest.mark.parametrize("date,expected", [
    ("2023-06-30", Fraction(1, 2)),
    ("2023-06-29", Fraction(5, 12)),   # June is not over yet
    ("2023-01-31", Fraction(1, 12)),
    ("2023-01-01", Fraction(0)),
    ("2023-02-28", Fraction(2, 12)),   # last day of a short month counts
    ("2023-12-31", Fraction(1)),
    ("2022-12-31", Fraction(0)),       # before the plan year
    ("2024-03-31", Fraction(1)),       # after it
])
def test_time_progress_by_month(date, expected):
    assert time_progress(dt.date.fromisoformat(date), 2023) == expected


def test_time_progress_leap_february_and_day_mode():
    assert months_elapsed(dt.date(2024, 2, 29), 2024) == 2
    assert months_elapsed(dt.date(2024, 2, 28), 2024) == 1
    assert time_progress(dt.date(2023, 6, 30), 2023, "day") == Fraction(181, 365)
    assert time_progress(dt.date(2024, 12, 31), 2024, "day") == 1
    assert time_progress(dt.date(2023, 1, 1), 2023, "day") == Fraction(1, 365)
    with pytest.raises(ValueError):
        time_progress(dt.date(2023, 6, 30), 2023, "week")


def test_completion_rate_and_article_figures():
    assert completion_rate(2_220_000, 3_990_000) == Fraction(222, 399)
    assert round(float(completion_rate(2_220_000, 3_990_000)) * 100, 1) == 55.6
    assert round(float(completion_rate(505_000, 883_000)) * 100) == 57
    assert round(float(completion_rate(359, 353)) * 100, 1) == 101.7
    assert completion_rate(5, 0) is None
    assert completion_rate(None, 10) is None
    assert completion_rate(5, None) is None


def test_gap_in_points():
    # From the figures as printed: 55.6% − 50.0% = 5.6 points (not 5.5639…).
    assert gap_points(Fraction(222, 399), Fraction(1, 2)) == Fraction(56, 10)
    assert gap_points(Fraction(45, 100), Fraction(1, 2)) == -5
    assert gap_points(Fraction(45, 100), Fraction(1, 2), "lower") == 5
    assert gap_points(None, Fraction(1, 2)) is None


@pytest.mark.parametrize("gap,status", [
    (Fraction(0), "green"),            # exactly on time progress is green (时间过半、任务过半)
    (Fraction(1, 10**9), "green"),
    (Fraction(-1, 10**9), "amber"),
    (Fraction(-10), "amber"),          # up to 10 points behind is amber
    (Fraction(-10) - Fraction(1, 10**9), "red"),
    (Fraction(-50), "red"),
    (None, None),
])
def test_status_boundaries(gap, status):
    assert status_for_gap(gap) == status


def test_configurable_thresholds():
    t = Thresholds(green_from=Fraction(-2), amber_from=Fraction(-5))
    assert status_for_gap(Fraction(-2), t) == "green"
    assert status_for_gap(Fraction(-3), t) == "amber"
    assert status_for_gap(Fraction(-6), t) == "red"
    with pytest.raises(ValueError):
        Thresholds(green_from=Fraction(-5), amber_from=Fraction(0))


def test_float_never_decides_the_boundary():
    # 0.1 + 0.2 style float noise would make this 49.99999...%; exact fractions keep it green.
    a = assess(600, 1200, Fraction(6, 12))
    assert a.gap == 0 and a.status == "green"
    a = assess(1, 3, Fraction(4, 12))
    assert a.gap == 0 and a.status == "green"


def test_assess_point_in_time_and_lower_is_better():
    tp = Fraction(1, 2)
    # A stock held at 95% of its target mid-year is measured against the whole target, not time progress.
    point = assess(95, 100, tp, accumulation="point")
    assert point.benchmark == 1 and point.gap == -5 and point.status == "amber"
    # Lower is better, cumulative (e.g. energy used): 40% of the cap at half-year is 10 points ahead.
    low = assess(40, 100, tp, direction="lower")
    assert low.gap == 10 and low.status == "green"
    # Lower is better, point in time: 120 against a cap of 100 is 20 points over -> red.
    over = assess(120, 100, tp, direction="lower", accumulation="point")
    assert over.gap == -20 and over.status == "red"
    # Zero actual is not "0% progress" for a lower-is-better cap: it is ahead.
    zero = assess(0, 100, tp, direction="lower", accumulation="point")
    assert zero.status == "green"
    assert assess(None, 100, tp).status is None
    assert assess(10, None, tp).status is None


def test_catch_up_rate():
    cu = catch_up(3_990_000, 2_220_000, dt.date(2023, 6, 30), 2023)
    assert cu.remaining == 1_770_000 and cu.months_left == 6
    assert cu.per_month == 295_000
    assert cu.share_per_month == Fraction(295_000, 3_990_000)
    done = catch_up(100, 150, dt.date(2023, 6, 30), 2023)
    assert done.remaining == 0 and done.per_month == 0
    end = catch_up(100, 50, dt.date(2023, 12, 31), 2023)
    assert end.months_left == 0 and end.per_month is None


def test_value_as_of_rules():
    d = dt.date
    rs = [Reading(1, d(2023, 6, 30), 100), Reading(2, d(2023, 7, 31), 120), Reading(3, d(2023, 7, 31), 125),
          Reading(4, d(2023, 8, 31), 140), Reading(5, d(2023, 8, 31), None, retracted=True)]
    assert value_as_of(rs, d(2023, 5, 31)) is None
    assert value_as_of(rs, d(2023, 6, 30)).value == 100
    assert value_as_of(rs, d(2023, 7, 15)).value == 100
    assert value_as_of(rs, d(2023, 7, 31)).value == 125          # the correction wins
    assert value_as_of(rs, d(2023, 12, 31)).value == 125         # August was retracted


@given(done=st.integers(0, 10**9), plan=st.integers(1, 10**9), month=st.integers(1, 12))
@example(done=6406, plan=77605, month=1)   # 8.25% reads 8.3%, as does 1/12: the printed gap is 0.0, so green
def test_status_is_monotonic_in_done(done, plan, month):
    tp = Fraction(month, 12)
    order = {"red": 0, "amber": 1, "green": 2}
    a = assess(done, plan, tp)
    b = assess(done + 1, plan, tp)
    assert order[b.status] >= order[a.status]
    # Judged from the figures as printed (db.progress.gap_points), as a reader checks the page.
    assert (a.status == "green") == (shown_percent(Fraction(done, plan)) >= shown_percent(tp))


@given(plan=st.integers(1, 10**9), done=st.integers(0, 10**9), month=st.integers(1, 11))
def test_catch_up_reaches_the_plan(plan, done, month):
    as_of = dt.date(2023, month, 28 if month == 2 else 30)
    cu = catch_up(plan, done, as_of, 2023)
    assert done + cu.per_month * cu.months_left == max(plan, done)


@given(done=st.integers(0, 10**9), plan=st.integers(1, 10**9), month=st.integers(1, 12),
       green=st.integers(-30, 10), amber_below=st.integers(0, 30))
def test_no_displayed_rate_and_gap_contradict_their_status(done, plan, month, green, amber_below):
    """What a reader sees — "99.96% → 100.0%", "-0.0" — never disagrees with the badge beside it."""
    th = Thresholds(Fraction(green), Fraction(green - amber_below))
    tp = Fraction(month, 12)
    a = assess(done, plan, tp, thresholds=th)
    shown_rate, shown_tp, shown_gap = fmt.percent(a.rate), fmt.percent(tp), fmt.points(a.gap)
    # The gap printed is the difference of the two percentages printed.
    gap_from_page = Fraction(shown_rate.rstrip("%")) - Fraction(shown_tp.rstrip("%"))
    assert Fraction(shown_gap) == gap_from_page
    assert shown_gap != "-0.0"
    expected = "green" if gap_from_page >= th.green_from else "amber" if gap_from_page >= th.amber_from else "red"
    assert a.status == expected
    assert fmt.gap_sentence(a.gap) != "与序时进度持平" or a.status == "green" or th.green_from > 0


def test_a_rounded_hundred_percent_is_not_behind():
    # 0.99996 is printed 100.0%: it is on time at year end, not 预警 with "-0.0".
    a = assess(99_996, 100_000, Fraction(1))
    assert (fmt.percent(a.rate), fmt.points(a.gap), a.status) == ("100.0%", "0.0", "green")


def test_a_figure_is_judged_at_its_own_date():
    # June's 222 of 399 read in September: still +5.6 at June's time progress, and not current.
    j = judge(2_220_000, 3_990_000, "2023-06-30", dt.date(2023, 9, 30), 2023)
    assert (j.gap, j.status, j.current, j.time_progress) == (Fraction(56, 10), "green", False, Fraction(1, 2))
    same_month = judge(2_220_000, 3_990_000, "2023-09-30", dt.date(2023, 9, 30), 2023)
    assert same_month.current and same_month.status == "red"
    nothing = judge(None, 3_990_000, None, dt.date(2023, 9, 30), 2023)
    assert nothing.status is None and not nothing.current
