"""Every header word of db/header_words.py, one test each: what a column so named is read as."""
from __future__ import annotations

from pathlib import Path

import pytest

from db import header_words as hw
from db.schedule import classify, level_value

README = Path(__file__).resolve().parents[2] / "README.md"


def _label(word: str, suffix: str = "完成投资") -> str:
    return word if "投资" in word or "完成" in word else word + suffix


CASES = (
    [(w, "month_completed") for w in hw.MONTH]
    + [("8月完成投资（万元）", "month_completed"), ("当月完成投资", "month_completed"), ("本月完成", "month_completed"),
       ("2023年8月完成投资", "month_completed")]
    + [(_label(w), "completed") for w in hw.YEAR_TO_DATE]
    + [("当月至今已完成", "completed"), ("1-8月累计完成", "completed"), ("1—7月完成", "completed"),
       ("自年初累计", "completed"), ("截至本月累计", "completed"), ("年度累计完成投资（万元）", "completed")]
    + [(_label(w), None) for w in hw.SINCE_START + hw.EARLIER_PERIOD]
    + [(w, None) for w in hw.NOT_STORED]
    + [(w, "annual_plan") for w in hw.ANNUAL_PLAN]
    + [(w, "total_investment") for w in hw.TOTAL_INVESTMENT]
    + [(w, "level") for w in hw.LEVEL]
    + [(w, "stage") for w in hw.STAGE]
    + [(w, "progress_note") for w in hw.PROGRESS_NOTE]
    + [(w, "problem") for w in hw.PROBLEM]
    + [(w, "code") for w in hw.CODE]
    + [(w, "location") for w in hw.LOCATION]
    + [(w, "responsible_unit") for w in hw.RESPONSIBLE_UNIT]
    + [("行业类别", "cluster"), ("统一社会信用代码", None), ("行业代码", None), ("行政区划代码", None)]
)


@pytest.mark.parametrize("label, field", CASES, ids=[c[0] for c in CASES])
def test_every_header_word_is_read_as_its_concept(label, field):
    assert classify(label).field == field


def test_since_start_and_earlier_periods_say_why_they_are_not_read():
    assert classify("项目累计完成投资").why_ignored == "开工以来的累计数，不是本年度完成"
    assert classify("开工累计").why_ignored == "开工以来的累计数，不是本年度完成"
    assert classify("上月累计完成").why_ignored == "上期数，不是本期"


@pytest.mark.parametrize("label, unit, month", [
    ("总投资（亿元）", "亿元", None), ("年度计划投资（万元）", "万元", None), ("8月完成投资（万元）", "万元", 8),
    ("2023年1-7月完成（亿元）", "亿元", 7), ("十二月完成投资", None, 12), ("年累计（亿元）", "亿元", None),
])
def test_units_and_months_in_a_header(label, unit, month):
    m = classify(label)
    assert (m.unit, m.month) == (unit, month)


@pytest.mark.parametrize("value, level", [(v, lv) for lv, words in hw.LEVEL_VALUES.items() for v in words]
                         + [("省级重点", None), ("一般项目", None)])
def test_level_values_map_to_portfolio_levels(value, level):
    assert level_value(value) == level


def test_readme_lists_every_recognised_column_name():
    text = README.read_text("utf-8")
    section = text[text.index("### 调度表导入识别的列名"):]
    missing = [w for words in hw.CONCEPTS.values() for w in words if w not in section]
    assert missing == []


def test_a_level_column_without_levels_is_not_read_and_the_title_level_stands(builtin_db, tmp_path):
    from db import xlsx_import
    from tests.db.xlsx_fixtures import simple_workbook
    path = simple_workbook(tmp_path / "t.xlsx", [[1, "新建政府投资项目", 1000, 500, "政府投资"]],
                           header=["序号", "项目名称", "年度计划投资", "累计完成投资", "投资类别"])
    pv = xlsx_import.read(builtin_db, path)
    (row,) = pv.rows
    assert row.status == "new" and row.level == "district"  # the title says 区级重点项目
    assert ("E", "投资类别", "值（如“政府投资”）不是项目级别") in pv.sheets[0].layout.ignored_columns
