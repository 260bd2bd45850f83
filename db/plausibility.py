"""Plausibility checks on a month's figures: warnings a person may accept with a reason, never silent fixes.

The checks are pure functions over numbers already in storage units, so they can be tested without a database
and reused by the grid, the record dialog, the command line and imports.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence

from db import money
from db.money import WAN_PER_YI

SAME_AS_LAST_MONTH = "same_as_last_month"
YTD_DOWN = "ytd_down"
ABOVE_TOTAL = "above_total"
ABOVE_PLAN = "above_plan"
SCALE = "scale"
STAGE_BACK = "stage_back"
MILESTONE_BEFORE_START = "milestone_before_start"
NO_PREVIOUS = "no_previous"
MONTH_YTD = "month_ytd"

CODE_LABELS = {
    SAME_AS_LAST_MONTH: "与上月相同",
    YTD_DOWN: "累计数下降",
    ABOVE_TOTAL: "超过总投资",
    ABOVE_PLAN: "远超年度计划",
    SCALE: "数量级异常",
    STAGE_BACK: "形象进度倒退",
    MILESTONE_BEFORE_START: "节点早于项目开工",
    NO_PREVIOUS: "上月无累计数",
    MONTH_YTD: "本月与累计不符",
}

# "Far above the annual plan": more than this multiple of it.
FAR_ABOVE_PLAN = Fraction(3, 2)
# A value this many times above (or below) the usual scale is taken for a unit slip (万元 typed as 亿元 is 10⁴).
SCALE_FACTOR = 1000
# Without any reference, one project completing more than this in a year is taken for a unit slip (万元).
ABSOLUTE_PROJECT_LIMIT_WAN = 1000 * WAN_PER_YI


@dataclass(frozen=True)
class Warning:
    """One plausibility warning on one row; ``accepted_reason`` is set when the user accepted it."""

    code: str
    field: str
    message: str
    accepted_reason: str | None = None
    ref: int | None = None  # what the warning is about when not the row's figure (a milestone id)

    @property
    def label(self) -> str:
        return CODE_LABELS.get(self.code, self.code)

    @property
    def accepted(self) -> bool:
        return bool(self.accepted_reason)


_yi = money.yi_message  # messages only: 亿元, small amounts keep enough digits to be seen (0.0003)


def _times(ratio: Fraction) -> str:
    return f"{float(ratio):,.0f}" if ratio >= 10 else f"{float(ratio):.1f}"


def money_warnings(*, completed: int, month: int | None, previous: int | None, previous_as_of: str | None,
                   months_before: int, total: int | None, plan: int | None, field: str = "累计完成投资",
                   project: bool = True) -> list[Warning]:
    """Warnings on a year-to-date completed investment (万元) against last month, the total and the plan.

    ``months_before`` is how many months of the year lie before this one (July -> 6); ``month`` is this
    month's amount (completed − previous) when a previous figure exists.
    """
    out: list[Warning] = []
    if previous is not None and completed == previous:
        out.append(Warning(SAME_AS_LAST_MONTH, field,
                           f"与上月（{previous_as_of}）相同，均为 {_yi(completed)} 亿元："
                           "责任单位是否真的报送了本月数？"))
    if previous is not None and completed < previous:
        out.append(Warning(YTD_DOWN, field,
                           f"年度累计从上月的 {_yi(previous)} 亿元降到 {_yi(completed)} 亿元：累计数不应下降"))
    if total is not None and total > 0 and completed > total:
        out.append(Warning(ABOVE_TOTAL, field, f"{_yi(completed)} 亿元超过总投资 {_yi(total)} 亿元"))
    if plan is not None and plan > 0 and completed * FAR_ABOVE_PLAN.denominator > plan * FAR_ABOVE_PLAN.numerator:
        out.append(Warning(ABOVE_PLAN, field, f"{_yi(completed)} 亿元为年度计划 {_yi(plan)} 亿元的 "
                                              f"{float(Fraction(completed, plan)) * 100:.0f}%，远超计划"))
    scale = _scale_warning(completed=completed, month=month, previous=previous, months_before=months_before,
                           plan=plan, total=total, field=field, project=project)
    if scale:
        out.append(scale)
    return out


def usual_month_wan(*, previous: int | None, months_before: int, plan: int | None,
                    total: int | None) -> Fraction | None:
    """A project's usual monthly amount: its average so far this year, else its plan or total spread out."""
    if previous and months_before > 0:
        return Fraction(previous, months_before)
    if plan:
        return Fraction(plan, 12)
    if total:
        return Fraction(total, 36)
    return None


def _usual_parts(previous: int | None, months_before: int, plan: int | None,
                 total: int | None) -> tuple[int, int] | None:
    """usual_month_wan as (numerator, denominator) integers, without building a Fraction."""
    if previous and months_before > 0:
        return previous, months_before
    if plan:
        return plan, 12
    if total:
        return total, 36
    return None


def _scale_warning(*, completed: int, month: int | None, previous: int | None, months_before: int,
                   plan: int | None, total: int | None, field: str, project: bool) -> Warning | None:
    # Integer comparisons first (this runs for every row of a 10,000-row month); Fractions only for a warning.
    parts = _usual_parts(previous, months_before, plan, total)
    if parts is not None and isinstance(completed, int) and (month is None or isinstance(month, int)):
        num, den = parts
        amount = month if month is not None else completed
        if isinstance(num, int) and num > 0 and (amount <= 0 or
                                                  num < amount * den * SCALE_FACTOR < num * SCALE_FACTOR ** 2):
            return None   # amount <= 0, or 1/SCALE_FACTOR < amount / usual < SCALE_FACTOR: no warning
    usual = usual_month_wan(previous=previous, months_before=months_before, plan=plan, total=total)
    amount = month if month is not None else completed
    what = "本月" if month is not None else "累计"
    if usual is None:
        if project and completed > ABSOLUTE_PROJECT_LIMIT_WAN:
            return Warning(SCALE, field, f"{_yi(completed)} 亿元对单个项目过大：是否把万元当作亿元录入？")
        return None
    if amount <= 0:
        return None
    ratio = Fraction(amount) / usual
    if ratio >= SCALE_FACTOR:
        return Warning(SCALE, field, f"{what} {_yi(amount)} 亿元约为平常每月 {_yi(usual)} 亿元的 {_times(ratio)} 倍："
                                     "是否把万元当作亿元录入？")
    if ratio * SCALE_FACTOR <= 1:
        return Warning(SCALE, field, f"{what} {_yi(amount)} 亿元仅为平常每月 {_yi(usual)} 亿元的 "
                                     f"1/{_times(1 / ratio)}：是否把亿元当作万元录入？")
    return None


def no_previous_warning(*, month: int, month_number: int, field: str = "本月完成投资") -> Warning | None:
    """This month's amount given, but nothing recorded before it this year to add it to."""
    if month_number <= 1:
        return None
    return Warning(NO_PREVIOUS, field, f"今年此前没有累计完成投资记录，年度累计按本月的 {_yi(month)} 亿元计；"
                                       "若前几个月已有投资，请填写年度累计数")


def month_ytd_warning(*, completed: int, month: int, previous: int | None, previous_as_of: str | None,
                      month_number: int, tolerance: int = 0) -> Warning | None:
    """A sheet giving both this month's amount and the year-to-date total: they must agree with last month's.

    Exact 万元 in the words: a difference smaller than the 亿元 rounding must still be visible. ``tolerance`` (万元)
    allows for amounts the sheet gave with decimals below 万元, rounded on reading.
    """
    if previous is not None:
        if abs(previous + month - completed) <= tolerance:
            return None
        return Warning(MONTH_YTD, "本月完成投资",
                       f"与累计数不一致：上月累计（{previous_as_of}）{previous:,} 万元 + 本月 {month:,} 万元 = "
                       f"{previous + month:,} 万元，表中年度累计为 {completed:,} 万元（相差 {completed - previous - month:+,} 万元）")
    if month_number <= 1 and abs(month - completed) > tolerance:
        return Warning(MONTH_YTD, "本月完成投资", f"1 月的本月完成 {month:,} 万元应等于年度累计 {completed:,} 万元")
    if month > completed + tolerance:
        return Warning(MONTH_YTD, "本月完成投资", f"本月完成 {month:,} 万元大于年度累计 {completed:,} 万元")
    return None


def stage_warning(*, stage: str, previous: str | None, previous_as_of: str | None,
                  stages: Sequence[str]) -> Warning | None:
    if previous is None or previous not in stages or stage not in stages:
        return None
    if stages.index(stage) < stages.index(previous):
        return Warning(STAGE_BACK, "形象进度", f"从上次（{previous_as_of}）的“{previous}”退回到“{stage}”")
    return None


def milestone_warning(*, name: str, actual: dt.date, start: dt.date | None, field: str,
                      milestone_id: int | None = None) -> Warning | None:
    if start is not None and actual < start:
        return Warning(MILESTONE_BEFORE_START, field,
                       f"节点“{name}”的实际日期 {actual.isoformat()} 早于项目开工（{start.year}年）",
                       ref=milestone_id)
    return None


def value_warnings(*, value: int, previous: int | None, previous_as_of: str | None, target: int | None,
                   cumulative: bool, higher_is_better: bool, field: str, show: Callable[[int], str]) -> list[Warning]:
    """Warnings on an indicator's actual (stored integers; ``show`` renders one for a message)."""
    out: list[Warning] = []
    if previous is not None and value == previous:
        out.append(Warning(SAME_AS_LAST_MONTH, field,
                           f"与上次报送（{previous_as_of}）相同，均为 {show(value)}：责任单位是否真的报送了本月数？"))
    if previous is not None and cumulative and higher_is_better and value < previous:
        out.append(Warning(YTD_DOWN, field, f"累计值从 {show(previous)} 降到 {show(value)}：累计数不应下降"))
    reference = previous if previous else target
    if reference and value and (value > 0) == (reference > 0):
        ratio = Fraction(abs(value), abs(reference))
        if ratio >= SCALE_FACTOR or ratio * SCALE_FACTOR <= 1:
            what = "上次报送" if previous else "全年目标"
            out.append(Warning(SCALE, field, f"{show(value)} 与{what} {show(reference)} 相差约 "
                                             f"{_times(max(ratio, 1 / ratio))} 倍：单位是否录错？"))
    return out
