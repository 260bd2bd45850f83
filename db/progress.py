"""The progress arithmetic: time progress, completion, gaps, status and catch-up, exactly (Fractions)."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Literal, Sequence

Status = Literal["green", "amber", "red"]
STATUSES: tuple[Status, ...] = ("green", "amber", "red")
# The status words, defined once: every screen, chart, report and CLI line takes them from here.
STATUS_LABELS = {"green": "正常", "amber": "预警", "red": "滞后"}
UNREPORTED_LABEL = "未报送"   # no figure for the 报告期 (older ones are not judged red for being old)
UNJUDGED_LABEL = "未评价"     # no target or plan: nothing to judge against


@dataclass(frozen=True)
class Thresholds:
    """Gap limits in percentage points: at or above ``green_from`` is green, at or above ``amber_from`` amber.

    Defaults: green when at or ahead of time progress, amber up to 10 points behind, red beyond.
    """

    green_from: Fraction = Fraction(0)
    amber_from: Fraction = Fraction(-10)

    def __post_init__(self) -> None:
        if self.amber_from > self.green_from:
            raise ValueError("amber threshold must not be above the green threshold")


def months_elapsed(as_of: dt.date, year: int) -> int:
    """Whole months of ``year`` completed at ``as_of``; a month counts once its last day is reached."""
    if as_of.year < year:
        return 0
    if as_of.year > year:
        return 12
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month if as_of.day == last_day else as_of.month - 1


def time_progress(as_of: dt.date, year: int, mode: str = "month") -> Fraction:
    """Share of the plan year elapsed (时序进度): by whole months (June 30 -> 1/2) or by days."""
    if mode == "month":
        return Fraction(months_elapsed(as_of, year), 12)
    if mode == "day":
        if as_of.year < year:
            return Fraction(0)
        if as_of.year > year:
            return Fraction(1)
        days = 366 if calendar.isleap(year) else 365
        return Fraction(as_of.timetuple().tm_yday, days)
    raise ValueError(f"unknown time progress mode: {mode}")


def completion_rate(done: int | Fraction | None, plan: int | Fraction | None) -> Fraction | None:
    """done ÷ plan; None when either is missing or the plan is zero."""
    if done is None or plan is None or plan == 0:
        return None
    return Fraction(done) / Fraction(plan)


def shown_percent(x: Fraction) -> Fraction:
    """A share as the reader sees it: percent rounded half away from zero to one decimal (0.55639 -> 55.6)."""
    tenths = abs(x) * 1000
    whole = int(tenths)
    if tenths - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole if x >= 0 else -whole, 10)


def gap_points(rate: Fraction | None, benchmark: Fraction, direction: str = "higher") -> Fraction | None:
    """Percentage points ahead (+) or behind (−) the benchmark; for lower-is-better, being under it is ahead.

    Computed from the figures as printed (the rate and the benchmark each rounded to one decimal of a percent),
    so the gap a reader works out from the page is the gap shown, and the status follows it: a page never says
    "100.0% / -0.0 / 预警".
    """
    if rate is None:
        return None
    diff = shown_percent(rate) - shown_percent(benchmark)
    return diff if direction == "higher" else -diff


def status_for_gap(gap: Fraction | None, thresholds: Thresholds = Thresholds()) -> Status | None:
    if gap is None:
        return None
    if gap >= thresholds.green_from:
        return "green"
    if gap >= thresholds.amber_from:
        return "amber"
    return "red"


@dataclass(frozen=True)
class Assessment:
    rate: Fraction | None          # actual ÷ target
    benchmark: Fraction            # what the rate is compared with: time progress, or 1 for point-in-time
    gap: Fraction | None           # percentage points, + is good whatever the direction
    status: Status | None


def assess(actual: int | Fraction | None, target: int | Fraction | None, tp: Fraction, *,
           direction: str = "higher", accumulation: str = "cumulative",
           thresholds: Thresholds = Thresholds()) -> Assessment:
    """Judge an actual against its annual target at time progress ``tp``.

    Cumulative measures (investment completed, enterprises newly cultivated) are expected to have reached
    ``tp`` of the target; point-in-time measures (a share, a stock) are compared with the whole target.
    Lower-is-better measures are ahead when under the benchmark.
    """
    if direction not in ("higher", "lower"):
        raise ValueError(direction)
    if accumulation not in ("cumulative", "point"):
        raise ValueError(accumulation)
    benchmark = tp if accumulation == "cumulative" else Fraction(1)
    rate = completion_rate(actual, target)
    gap = gap_points(rate, benchmark, direction)
    return Assessment(rate, benchmark, gap, status_for_gap(gap, thresholds))


def is_current(figure_date: dt.date | str | None, view_date: dt.date | str) -> bool:
    """True when a figure was reported for the 报告期's own month (older figures are 未报送 for it)."""
    if figure_date is None:
        return False
    f = dt.date.fromisoformat(figure_date) if isinstance(figure_date, str) else figure_date
    v = dt.date.fromisoformat(view_date) if isinstance(view_date, str) else view_date
    return (f.year, f.month) >= (v.year, v.month)


@dataclass(frozen=True)
class Standing:
    """One figure judged at its own date (its 截至日期), and whether it is the 报告期's."""

    assessment: Assessment
    as_of: dt.date | None          # the figure's own date; None when nothing was reported
    time_progress: Fraction        # the time progress of the figure's own date (of the view's without a figure)
    current: bool                  # reported for the 报告期's month

    @property
    def rate(self) -> Fraction | None:
        return self.assessment.rate

    @property
    def gap(self) -> Fraction | None:
        return self.assessment.gap

    @property
    def status(self) -> Status | None:
        return self.assessment.status


def judge(actual: int | Fraction | None, target: int | Fraction | None, figure_date: dt.date | str | None,
          view_date: dt.date, year: int, *, mode: str = "month", direction: str = "higher",
          accumulation: str = "cumulative", thresholds: Thresholds = Thresholds()) -> Standing:
    """Judge a figure at the time progress of the month it was reported for, never the view's.

    This is the one rule every standing the app shows goes through: a figure from June read in September is
    still June's "超序时进度5.6个百分点" (and is 未报送 for September), never "低于序时进度19.4个百分点".
    """
    own = None if figure_date is None else (
        dt.date.fromisoformat(figure_date) if isinstance(figure_date, str) else figure_date)
    tp = time_progress(own or view_date, year, mode)
    a = assess(actual, target, tp, direction=direction, accumulation=accumulation, thresholds=thresholds)
    return Standing(a, own, tp, is_current(own, view_date))


@dataclass(frozen=True)
class CatchUp:
    remaining: int                 # what is still to be done to reach the plan (never negative)
    months_left: int
    per_month: Fraction | None     # remaining ÷ months left; None when no month is left
    share_per_month: Fraction | None  # per_month as a share of the plan


def catch_up(plan: int, done: int, as_of: dt.date, year: int) -> CatchUp:
    """What must be completed in each remaining month to reach the annual plan (追赶速度)."""
    remaining = max(plan - done, 0)
    left = 12 - months_elapsed(as_of, year)
    if left <= 0:
        return CatchUp(remaining, 0, None, None)
    per_month = Fraction(remaining, left)
    share = per_month / plan if plan else None
    return CatchUp(remaining, left, per_month, share)


@dataclass(frozen=True)
class Reading:
    """One reported figure as the arithmetic sees it."""

    id: int
    as_of: dt.date
    value: int | None
    retracted: bool = False


def value_as_of(readings: Iterable[Reading], as_of: dt.date) -> Reading | None:
    """The figure standing at ``as_of``: per reporting date the last recorded reading wins (a correction
    supersedes, a retraction withdraws), then the latest reporting date not after ``as_of``."""
    by_date: dict[dt.date, Reading] = {}
    for r in readings:
        if r.as_of > as_of:
            continue
        kept = by_date.get(r.as_of)
        if kept is None or r.id > kept.id:
            by_date[r.as_of] = r
    live = [r for r in by_date.values() if not r.retracted]
    return max(live, key=lambda r: r.as_of, default=None)


def month_ends(year: int) -> Sequence[dt.date]:
    return [dt.date(year, m, calendar.monthrange(year, m)[1]) for m in range(1, 13)]
