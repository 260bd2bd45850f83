"""Understanding a 调度表 sheet as people really make them: title lines, unit line, one- or two-row headers with
merged cells, columns named in many ways, section rows, 合计 rows, merged cells over several projects, and numbers,
percentages and dates typed every which way. Pure: a Grid in, a SheetLayout with parsed rows out; no database.
"""
from __future__ import annotations

import calendar
import functools
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, ROUND_HALF_UP
from fractions import Fraction
from typing import Any, Callable

from db import header_words as hw
from db.errors import ValidationError
from db.money import WAN_PER_YI
from db.spreadsheet import Grid
from db.validate import parse_decimal, parse_project_code

# -- fields a column can mean ---------------------------------------------------------------------------
FIELD_LABELS = {
    "seq": "序号", "name": "项目名称", "level": "项目级别", "total_investment": "总投资",
    "annual_plan": "年度计划投资", "completed": "累计完成投资", "month_completed": "本月完成投资",
    "completion_rate": "完成率", "physical_progress": "工程量完成比例", "stage": "形象进度",
    "progress_note": "本月进展", "responsible_unit": "责任单位", "responsible_leader": "包联领导",
    "location": "建设地点", "description": "建设内容", "start": "开工时间", "finish": "竣工时间",
    "as_of": "报告期", "cluster": "所属产业集群", "note": "备注", "problem": "存在问题", "code": "项目代码",
}
MONEY_FIELDS = ("total_investment", "annual_plan", "completed", "month_completed")
PERCENT_FIELDS = ("completion_rate", "physical_progress")
TEXT_FIELDS = ("responsible_unit", "responsible_leader", "location", "description", "cluster", "note",
               "progress_note", "stage", "level", "problem", "code")
DATE_FIELDS = ("start", "finish", "as_of")
# Fields whose one value may stand for several projects when a cell is merged down over them.
SHAREABLE = (set(TEXT_FIELDS) | set(DATE_FIELDS)) - {"code"}
HEADER_SCAN_ROWS = 30
EMPTY_MARKERS = {"", "-", "—", "——", "–", "－", "/", "／", "\\", "无", "暂无", "空", "n/a", "na", "none", "null", "/"}
LEVEL_WORDS = hw.LEVEL_VALUES

_SECTION_RE = re.compile(r"^([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十]+[)）]"
                         r"|第[一二三四五六七八九十]+[部分类批项]"
                         r"|[A-Z][、.．])")
_COUNT_RE = re.compile(r"[（(]?(?:共)?(\d+)\s*个(?:项目)?[)）]?")
_FOOTER_RE = re.compile(r"^(注|说明|备注[:：]|填报人|填表人|审核人|审核|制表|联系人|联系电话|负责人|填报日期|报送)")
_PAREN_RE = re.compile(r"[（(][^（()）]*[)）]")
_MONTH_RANGE_RE = re.compile(r"(?:1|一)\s*[-—–~～至到]\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*月")
_TO_MONTH_RE = re.compile(r"截[至止](?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日)?")
_YEAR_RE = re.compile(r"(20\d{2}|19\d{2})\s*年")
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "十一": 11, "十二": 12}
_QUOTED_FORMULA = re.compile(r"^'[=+\-@\t\r]")
EXCEL_ERRORS = {"#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                "#GETTING_DATA"}


_WHITE = re.compile(r"\s+")


def norm(text: Any) -> str:
    """NFKC, every kind of white space removed: how header words are compared."""
    if text is None:
        return ""
    text = str(text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _WHITE.sub("", text)


def column_letter(c: int) -> str:
    """0-based column index -> 'A', 'B', … 'AA'."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cn_month(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _CN_NUM.get(token)


@dataclass(frozen=True)
class HeaderMeaning:
    field: str | None
    unit: str | None = None  # '万元' | '亿元' | '元' | '%'
    year: int | None = None
    month: int | None = None
    why_ignored: str = ""


def _hints(text: str) -> tuple[str | None, int | None, int | None]:
    """Unit, year and month a header text carries ('2023年1-7月完成（亿元）' -> 亿元, 2023, 7)."""
    unit = None
    for u in ("亿元", "万元"):
        if u in text:
            unit = u
            break
    else:
        if re.search(r"[（(]元[)）]|单位[:：]?元", text):
            unit = "元"
        elif "%" in text:
            unit = "%"
    ym = _YEAR_RE.search(text)
    year = int(ym.group(1)) if ym else None
    month = None
    m = _MONTH_RANGE_RE.search(text)
    if m:
        month = _cn_month(m.group(1))
    else:
        m2 = re.search(r"(?:截[至止])?(\d{1,2})月(?:底|末|份)?(?:累计|止)?", text)
        if m2 and ("截" in text or "底" in text or "末" in text or "累计" in text):
            month = int(m2.group(1))
        elif "上半年" in text:
            month = 6
    if month is not None and not 1 <= month <= 12:
        month = None
    return unit, year, month


_SINGLE_MONTH_RE = re.compile(r"(?<![\d\-—–~～至到])(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月(?!底|末)")


def _has(t: str, words: tuple[str, ...]) -> bool:
    return any(w in t for w in words)


def _completed_meaning(t: str, month: int | None) -> tuple[str | None, int | None, str]:
    """Completed investment: (field, month, why ignored) for year-to-date, the month's amount, or neither."""
    if _has(t, hw.SINCE_START):
        return None, month, "开工以来的累计数，不是本年度完成"
    if _has(t, hw.EARLIER_PERIOD):
        return None, month, "上期数，不是本期"
    if _MONTH_RANGE_RE.search(t) or _has(t, hw.YEAR_TO_DATE) or _has(t, ("截至", "截止", "底", "末")):
        return "completed", month, ""
    single = _SINGLE_MONTH_RE.search(t)
    if _has(t, hw.MONTH) or single:
        return "month_completed", (_cn_month(single.group(1).lstrip("0")) if single else None), ""
    return "completed", month, ""


def classify(label: Any) -> HeaderMeaning:
    """What a header text means, by meaning rather than exact words (the words: db/header_words.py)."""
    full = norm(label)
    if not full:
        return HeaderMeaning(None)
    unit, year, month = _hints(full)
    t = _PAREN_RE.sub("", full).replace("单位:万元", "").replace("单位:亿元", "")
    t = re.sub(r"[/／]?(万元|亿元)$", "", t)
    if not t or len(t) > 25 or re.search(r"[:：].", t):  # titles, notes and "label：value" lines are not columns
        return HeaderMeaning(None)

    def m(f: str | None, **kw: Any) -> HeaderMeaning:
        return HeaderMeaning(f, unit, year, kw.pop("month", month), **kw)

    if t in ("序号", "编号", "序", "号", "No.", "NO.", "no.") or t.startswith("序号"):
        return m("seq")
    if _has(t, hw.CODE) and not _has(t, hw.NOT_PROJECT_CODE):
        return m("code")
    if "代码" in t:
        return m(None, why_ignored="不是项目代码（如统一社会信用代码、行业代码、行政区划代码）")
    for words, why in hw.NOT_STORED.items():
        if words in t:
            return m(None, why_ignored=why)
    if _has(t, hw.SINCE_START):
        return m(None, why_ignored="开工以来的累计数，不是本年度完成")
    if ("名称" in t and ("项目" in t or t == "名称")) or t in ("项目", "项目名", "名称", "项目(企业)"):
        return m("name")
    if _has(t, hw.LEVEL) and not _has(t, hw.CLUSTER):
        return m("level")
    if _has(t, hw.TOTAL_INVESTMENT):
        return m("total_investment")
    if t in ("报告期", "统计期", "填报期", "数据期") or t.startswith(("报告期", "截至日期", "截止日期")):
        return m("as_of")
    if any(k in t for k in ("时间", "日期", "年份", "时限", "年月")):
        if "开工" in t:
            return m("start")
        if any(k in t for k in ("竣工", "建成", "完工", "投产", "投运", "完成")):
            return m("finish")
        if any(k in t for k in ("报告", "统计", "截至", "截止", "数据")):
            return m("as_of")
        return m(None, why_ignored="无法判断是哪一种日期")
    if "率" in t or "比例" in t or "占比" in t or "占年度" in t or unit == "%":
        if any(k in t for k in ("工程", "形象", "工程量", "建设进度")):
            return m("physical_progress")
        if any(k in t for k in ("完成", "投资", "占", "进度")):
            return m("completion_rate")
        return m(None, why_ignored="无法判断是哪一种比例")
    if _has(t, hw.MONTH) and any(k in t for k in ("进展", "进度", "情况", "工作")) and "投资" not in t:
        return m("progress_note")
    if "计划" in t and "完成" in t:
        if month is not None:
            return m(None, why_ignored="序时计划数，不是年度计划")
        return m("annual_plan")
    if ("完成" in t and not _has(t, hw.PROBLEM)) or t in hw.MONTH or "累计" in t:
        f, mo, why = _completed_meaning(t, month)
        return m(f, month=mo, why_ignored=why)
    if _has(t, hw.ANNUAL_PLAN) or ("计划" in t and ("投资" in t or "年" in t or t == "计划") and "开工" not in t):
        return m("annual_plan")
    if _has(t, hw.RESPONSIBLE_UNIT):
        return m("responsible_unit")
    if "领导" in t:
        return m("responsible_leader")
    if _has(t, hw.STAGE):
        return m("stage")
    if _has(t, hw.PROBLEM):
        return m("problem")
    if _has(t, hw.PROGRESS_NOTE):
        return m("progress_note")
    if _has(t, hw.LOCATION):
        return m("location")
    if any(k in t for k in ("建设内容", "建设规模", "规模及内容", "主要内容", "内容及规模")):
        return m("description")
    if _has(t, hw.CLUSTER):
        return m("cluster")
    if "备注" in t or "说明" in t:
        return m("note")
    return HeaderMeaning(None, unit, year, month)


# -- cell readers ---------------------------------------------------------------------------------------

class CellError(Exception):
    """A cell that could not be read; the message is the reason shown to the user."""


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return True
        if len(text) > 4:  # no empty marker is longer: skip the normalisation (hot path)
            return False
        return norm(text).lower() in EMPTY_MARKERS
    return False


def clean_text(value: Any) -> str:
    """Text of a cell: trimmed, a protective leading apostrophe (from our own export) removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.isoformat()[:10]
    text = str(value).strip()
    if _QUOTED_FORMULA.match(text):
        text = text[1:]
    return text


def _number_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    text = re.sub(r"\s+", "", text)
    if _QUOTED_FORMULA.match(text):
        text = text[1:]
    return text


def read_decimal(value: Any) -> Decimal:
    """A finite decimal from a number or typed text (full-width, 1,234.5, a/b fractions); CellError otherwise."""
    if isinstance(value, bool):
        raise CellError("是真/假值，不是数字")
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise CellError("是日期，不是数字")
    if isinstance(value, str):
        text = _number_text(value)
        if text in EXCEL_ERRORS:
            raise CellError(_unreadable_reason(text))
        frac = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)/(\d+(?:\.\d+)?)", text)
        if frac:
            den = Decimal(frac.group(2))
            if den == 0:
                raise CellError("分母为 0")
            return Decimal(frac.group(1)) / den
        text = text.replace("，", ",")
        try:
            return parse_decimal(text, "数值", allow_negative=True)
        except ValidationError as exc:
            raise CellError(exc.reason) from None
    try:
        return parse_decimal(value, "数值", allow_negative=True)
    except ValidationError as exc:
        raise CellError(exc.reason) from None


_UNIT_SUFFIX = re.compile(r"(.*?)(亿元|亿|万元|万|元)")


@dataclass
class MoneyResult:
    wan: int
    rounded: bool = False


# Whole 万元 typed as text: ASCII digits, optionally grouped by thousands, at most 15 digits (below the 10^15 that
# parse_decimal refuses): read_money gives int() of it, so it is read so without the text normalisations.
_PLAIN_WAN = re.compile(r"[0-9]{1,15}|[0-9]{1,3}(?:,[0-9]{3}){1,4}")


def read_money(value: Any, unit: str) -> MoneyResult | None:
    """An amount in integer 万元 from a cell in ``unit`` (the cell's own '亿'/'万元' suffix wins)."""
    if unit == "万元" and (type(value) is int or (type(value) is float and value.is_integer())):
        if value < 0:  # the common case, without decimal parsing
            raise CellError("金额不能为负数")
        return MoneyResult(int(value))
    if unit == "万元" and type(value) is str and _PLAIN_WAN.fullmatch(value):
        return MoneyResult(int(value.replace(",", "")))
    if is_empty(value):
        return None
    if isinstance(value, str):
        text = _number_text(value)
        m = _UNIT_SUFFIX.fullmatch(text)
        if m:
            unit = {"亿": "亿元", "亿元": "亿元", "万": "万元", "万元": "万元", "元": "元"}[m.group(2)]
            value = m.group(1)
    number = read_decimal(value)
    if number < 0:
        raise CellError("金额不能为负数")
    if unit == "亿元":
        number *= WAN_PER_YI
    elif unit == "元":
        number /= WAN_PER_YI
    whole = number.to_integral_value(rounding=ROUND_HALF_UP)
    if abs(number - whole) < Decimal("0.000001"):
        return MoneyResult(int(whole))
    return MoneyResult(int(whole), rounded=True)


def read_percent(value: Any, mode: str) -> Fraction | None:
    """A ratio as a Fraction (0.556 for 55.6%). ``mode`` says how bare numbers are meant: 'fraction' or 'points'."""
    if type(value) is float and abs(value) < 1e15:
        # A finite number cell (every row's 完成率): read_decimal's Decimal(repr(value)), without its checks.
        number = Fraction(*Decimal(repr(value)).as_integer_ratio())
        return number if mode == "fraction" else number / 100
    if is_empty(value):
        return None
    if isinstance(value, str):
        text = _number_text(value)
        if text.endswith(("%", "％")):
            return Fraction(read_decimal(text[:-1])) / 100
        if "/" in text:
            return Fraction(read_decimal(text))
        value = text
    number = Fraction(read_decimal(value))
    return number if mode == "fraction" else number / 100


def read_when(value: Any, year_hint: int | None) -> tuple[dt.date, str]:
    """A date from a cell: ('day'|'month'|'year') precision. Excel serials and text like 2023年9月, 2023.09."""
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    if isinstance(value, bool):
        raise CellError("不是日期")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value != value:
            raise CellError("不是日期")
        if 1900 <= value <= 2100 and float(value).is_integer():
            return dt.date(int(value), 12, 31), "year"
        if 1900 < value < 2100:
            # 2023.09 typed as a number; 2023.1 may be January or October (2023.10 loses its zero).
            text = repr(float(value))
            year, _, frac = text.partition(".")
            if frac == "1":
                raise CellError("月份不明确（2023.1 可能是 1 月，也可能是 10 月），请写成 2023-10 或 2023年10月")
            month = int(frac) if len(frac) <= 2 else -1
            if not 1 <= month <= 12:
                raise CellError("不是有效的年月")
            return _month_end(int(year), month), "month"
        if 20_000 <= value <= 80_000:  # an Excel serial day number (1954..2119)
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value)), "day"
        raise CellError("不是日期")
    text = norm(value)
    if not text:
        raise CellError("不是日期")
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "day"
        except ValueError:
            raise CellError("不是日历上存在的日期") from None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?(?:底|末|份)?", text)
    if m:
        if not 1 <= int(m.group(2)) <= 12:
            raise CellError("月份应在 1 到 12 之间")
        return _month_end(int(m.group(1)), int(m.group(2))), "month"
    m = re.fullmatch(r"(\d{4})年?(?:底|内|末)?", text)
    if m:
        return dt.date(int(m.group(1)), 12, 31), "year"
    m = re.fullmatch(r"(\d{1,2})月(\d{1,2})[日号]", text)
    if m and year_hint:
        try:
            return dt.date(year_hint, int(m.group(1)), int(m.group(2))), "day"
        except ValueError:
            raise CellError("不是日历上存在的日期") from None
    m = re.fullmatch(r"(\d{1,2})月(?:底|末|份)?", text)
    if m and year_hint and 1 <= int(m.group(1)) <= 12:
        return _month_end(year_hint, int(m.group(1))), "month"
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return read_when(float(text), year_hint)
    raise CellError("不是可识别的日期（如 2023-09-30、2023年9月、2023.09）")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _real_day(year: int, month: int, day: int, words: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"标题中的日期“{words}”在日历上不存在（{year}年{month}月没有{day}日）") from None


def title_date(text: str, year_hint: int | None) -> tuple[dt.date | None, str]:
    """The as-of date a title states ('（截至7月31日）', '2023年1-7月', '2023.07', '上半年'), and the words found."""
    t = norm(text)
    t = re.sub(r"(填报|制表|报送|打印)(日期|时间)[:：]?\S*", "", t)
    ym = _YEAR_RE.search(t)
    year = int(ym.group(1)) if ym else year_hint
    m = _TO_MONTH_RE.search(t)
    if m and year:
        y = int(m.group(1)) if m.group(1) else year
        month = int(m.group(2))
        if 1 <= month <= 12:
            if m.group(3):
                return _real_day(y, month, int(m.group(3)), m.group(0)), m.group(0)
            return _month_end(y, month), m.group(0)
    m = _MONTH_RANGE_RE.search(t)
    if m and year:
        month = _cn_month(m.group(1))
        if month and 1 <= month <= 12:
            return _month_end(year, month), m.group(0)
    m = re.search(r"(20\d{2})年(\d{1,2})月(?:(\d{1,2})日)?", t)
    if m:
        month = int(m.group(2))
        if 1 <= month <= 12:
            if m.group(3):
                return _real_day(int(m.group(1)), month, int(m.group(3)), m.group(0)), m.group(0)
            return _month_end(int(m.group(1)), month), m.group(0)
    m = re.search(r"(20\d{2})[.\-/](\d{1,2})(?![\d])", t)
    if m and 1 <= int(m.group(2)) <= 12:
        return _month_end(int(m.group(1)), int(m.group(2))), m.group(0)
    if year:
        for words, month in ((("上半年",), 6), (("前三季度",), 9), (("一季度", "第一季度"), 3)):
            for w in words:
                if w in t:
                    return _month_end(year, month), w
    return None, ""


def level_value(text: str) -> str | None:
    """The portfolio level a level column's value names ('区级重点' -> 'district'), or None."""
    t = norm(text)
    for level, words in LEVEL_WORDS.items():
        if t in words or t.removesuffix("项目") in words:
            return level
    return level_in(text)


_PLACE_BEFORE_LEVEL = re.compile(r"[\u4e00-\u9fff]{2,}[区市县](?=重点|重大)")


def level_in(text: str) -> str | None:
    """'district' or 'city' when the text names exactly one level.

    A place name is not a level: "渝北区重点项目" is the district's key projects, not 区级; "全区重点项目" is.
    """
    t = _PLACE_BEFORE_LEVEL.sub("", norm(text))
    found = {lv for lv, words in LEVEL_WORDS.items() if any(w in t for w in words)}
    return found.pop() if len(found) == 1 else None


# -- stage text -----------------------------------------------------------------------------------------
# Keywords per stage of the default list; a database with its own stage names matches them by name first.
_STAGE_WORDS = [
    ("投产", ("投产", "竣工", "建成", "完工", "投运", "运营", "交付使用", "验收")),
    ("试生产", ("试生产", "试产", "试运行", "试制", "调试运行")),
    ("设备安装", ("设备安装", "安装调试", "设备进场", "安装")),
    ("主体施工", ("主体", "施工", "结构", "封顶", "在建", "建设中")),
    ("开工", ("开工", "动工", "开建", "进场")),
    ("前期", ("前期", "立项", "规划", "设计", "招标", "审批", "可研", "征地", "拆迁", "用地", "筹备")),
]
_FUTURE = ("预计", "计划", "拟", "将于", "力争", "确保", "争取", "下一步", "下步", "准备")


@functools.lru_cache(maxsize=16)
def _stage_keys(stages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((norm(s), s) for s in stages)


def read_stage(text: str, stages: list[str]) -> str | None:
    """The stage a 形象进度 text describes (most advanced stated as current), or None."""
    if text in stages:
        return text
    clauses = [c for c in re.split(r"[，,；;。、\n]", unicodedata.normalize("NFKC", text)) if c.strip()]
    current = [c for c in clauses if not any(f in c for f in _FUTURE)] or []
    t = norm("".join(current))
    if not t:
        return None
    t = re.sub(r"(未|尚未|没有|暂未|还未)(开工|动工|竣工|建成|投产|完工|安装|施工)", "", t)
    rank = {name: i for i, name in enumerate(stages)}
    keyed = _stage_keys(tuple(stages))
    for key, name in keyed:
        if key == t:
            return name
    hits = {name for key, name in keyed if key and key in t}
    if not hits:
        for name, words in _STAGE_WORDS:
            if name in rank and any(w in t for w in words):
                hits.add(name)
    return max(hits, key=lambda s: rank[s]) if hits else None


# -- layout ---------------------------------------------------------------------------------------------

@dataclass
class Column:
    index: int
    field: str
    label: str
    unit: str | None
    year: int | None
    month: int | None

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class CellProblem:
    row: int  # 1-based, as the spreadsheet shows it
    column: str  # letter
    field: str  # Chinese label
    value: str
    reason: str


@dataclass
class SheetRow:
    row: int  # 1-based
    name: str
    name_column: str
    level: str | None
    level_source: str
    section: str
    cluster_hint: str
    as_of: dt.date | None
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)
    level_text: str = ""  # a level column's value that names no portfolio level (省级重点, 一般项目)
    rounded: bool = False  # an amount of this row had decimals below 万元 (cross-checks allow 1 万元 per figure)


@dataclass
class TotalCheck:
    row: int
    label: str
    field: str
    stated_wan: int
    summed_wan: int
    rows_counted: int


@dataclass
class SheetLayout:
    name: str
    title: str
    header_rows: tuple[int, int]  # 1-based, inclusive
    columns: dict[str, Column]
    ignored_columns: list[tuple[str, str, str]]  # (letter, label, why)
    unit: str | None
    unit_source: str
    as_of: dt.date | None
    as_of_source: str
    level: str | None
    level_source: str
    rows: list[SheetRow]
    totals: list[TotalCheck] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)  # cells outside project rows
    section_counts: list[tuple[int, str, int, int]] = field(default_factory=list)  # (row, text, stated, found)
    # Why the sheet cannot be imported at all (a date that does not exist or contradicts another, a unit that the
    # figures contradict): the import refuses, naming both values.
    refusals: list[str] = field(default_factory=list)

    @property
    def completed_source(self) -> str:
        """Which completed-investment columns were read, in the report's words."""
        ytd, month = self.columns.get("completed"), self.columns.get("month_completed")
        if ytd and month:
            return (f"年度累计读自 {ytd.letter} 列“{ytd.label}”，本月读自 {month.letter} 列“{month.label}”，"
                    "两者相互核对")
        if ytd:
            return f"只有年度累计：读自 {ytd.letter} 列“{ytd.label}”"
        if month:
            return f"只有本月完成额：读自 {month.letter} 列“{month.label}”，年度累计由上月累计加本月推算"
        return "没有完成投资列"


@dataclass
class ParseContext:
    year: int | None  # the plan year to assume when a sheet does not say
    stages: list[str]
    as_of: dt.date | None = None  # given by the user: wins over the title
    cancelled: Callable[[], bool] | None = None
    number_formats: Callable[[str, int], dict[tuple[int, int], str]] | None = None
    # Per sheet, cells the reader gave as empty but which hold an error value (#DIV/0!) or a formula with no
    # saved result: (row, column) 0-based -> what the cell holds. See db/xlsx_cells.py.
    unreadable: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)


class NoHeader(Exception):
    """The sheet has no recognisable 调度表 header."""


class Cancelled(Exception):
    pass


class _Merges:
    def __init__(self, merged: list[tuple[int, int, int, int]]):
        self.at: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        for rng in merged:
            r0, c0, r1, c1 = rng
            if (r1 - r0 + 1) * (c1 - c0 + 1) > 200_000:  # a whole-column merge: ignore rather than explode
                continue
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    self.at[(r, c)] = rng

    def get(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        return self.at.get((r, c))


def _filled(grid: Grid, merges: _Merges, r: int, c: int) -> Any:
    rng = merges.at.get((r, c))
    if rng:
        return grid.value(rng[0], rng[1])
    rows = grid.rows
    if 0 <= r < len(rows):   # grid.value(r, c), inline (hot path: every cell of every row)
        row = rows[r]
        if 0 <= c < len(row):
            return row[c]
    return None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _header_labels(grid: Grid, merges: _Merges, r: int, two: bool, width: int) -> list[tuple[str, str]]:
    """Per column (parent, child) texts of a header starting at row r."""
    out = []
    group = ""
    for c in range(width):
        top = clean_text(_filled(grid, merges, r, c))
        if not two:
            out.append((top, ""))
            continue
        bottom = clean_text(_filled(grid, merges, r + 1, c))
        if not top and bottom and group and merges.get(r, c) is None:
            # "Centre across selection": a group title typed once over its columns, with no merge.
            top = group
        elif top:
            group = top if bottom and bottom != top else ""
        elif not bottom:
            group = ""
        out.append((top, "" if bottom == top else bottom))
    return out


def _meaning(parent: str, child: str) -> tuple[HeaderMeaning, str]:
    label = (parent + child) if child else parent
    if child:
        alone = classify(child)
        if alone.field is not None or alone.why_ignored:
            ph = classify(parent)
            return (HeaderMeaning(alone.field, alone.unit or ph.unit, alone.year or ph.year,
                                  alone.month or ph.month, alone.why_ignored), label)
    return classify(label), label


def _score(meanings: list[HeaderMeaning]) -> tuple[bool, int]:
    fields = {m.field for m in meanings if m.field}
    useful = fields & {"completed", "annual_plan", "total_investment", "stage", "responsible_unit",
                       "month_completed", "physical_progress"}
    return ("name" in fields and bool(useful)), len(fields)


def find_header(grid: Grid, merges: _Merges) -> tuple[int, bool, list[tuple[HeaderMeaning, str]]]:
    """(first header row, two rows?, per-column meaning) or NoHeader."""
    width = grid.width
    limit = min(len(grid.rows), HEADER_SCAN_ROWS)
    for r in range(limit):
        one = [_meaning(p, ch) for p, ch in _header_labels(grid, merges, r, False, width)]
        ok1, n1 = _score([m for m, _ in one])
        two_possible = r + 1 < len(grid.rows) and _looks_like_header_continuation(grid, merges, r, width)
        if two_possible:
            two = [_meaning(p, ch) for p, ch in _header_labels(grid, merges, r, True, width)]
            ok2, n2 = _score([m for m, _ in two])
            if ok2 and n2 >= n1:
                return r, True, two
        if ok1:
            return r, False, one
    raise NoHeader()


def _looks_like_header_continuation(grid: Grid, merges: _Merges, r: int, width: int) -> bool:
    """Is row r+1 the second row of a header that starts at row r?"""
    top = {clean_text(v) for c in range(width) if not is_empty(v := grid.value(r, c))}
    if len(top) < 2 or not any(classify(t).field for t in top):
        return False  # a title or unit line above a one-row header
    nxt = r + 1
    values = [grid.value(nxt, c) for c in range(width)]
    if any(_is_number(v) for v in values):
        return False
    texts = [clean_text(v) for v in values if not is_empty(v)]
    if not texts or _SECTION_RE.match(norm(texts[0])) or _is_wide_merge(merges, nxt, width):
        return False
    linked = any((rng := merges.get(r, c)) is not None and (rng[2] > rng[0] or rng[3] > rng[1])
                 for c in range(width))
    known = any(classify(t).field for t in texts)
    return known and (linked or len(texts) >= 2)


def _is_column_number_row(values: list[Any]) -> bool:
    """The '甲 乙 1 2 3 …' (栏次) row some tables put under the header."""
    cells = [clean_text(v) for v in values if not is_empty(v)]
    if len(cells) < 3:
        return False
    nums = []
    for t in cells:
        if t in ("甲", "乙", "丙", "丁", "栏次"):
            continue
        if re.fullmatch(r"\d{1,2}", t):
            nums.append(int(t))
        else:
            return False
    return len(nums) >= 2 and nums == sorted(nums) and len(set(nums)) == len(nums)


_UNIT_CELL = re.compile(r"[(（]?(?:单位[:：])?(亿元|万元|元|%)[)）]?")


def _unit_row(grid: Grid, r: int, width: int) -> dict[int, str] | None:
    """Per column the unit a row holding only units names, or None when row r is not such a row."""
    units = {}
    for c in range(width):
        v = grid.value(r, c)
        if is_empty(v):
            continue
        m = _UNIT_CELL.fullmatch(norm(v)) if isinstance(v, str) else None
        if m is None:
            return None
        units[c] = m.group(1)
    return units or None


def _unit_line(texts: list[str]) -> tuple[str | None, str]:
    for t in texts:
        n = norm(t)
        m = re.search(r"单位[:：]?(万元|亿元|元)", n)
        if m:
            return m.group(1), t.strip()
    return None, ""


def parse_sheet(grid: Grid, ctx: ParseContext) -> SheetLayout:
    """Find the header and read every row of one sheet; NoHeader when it is not a 调度表."""
    merges = _Merges(grid.merged)
    h0, two, meanings = find_header(grid, merges)
    h_last = h0 + (1 if two else 0)
    width = grid.width
    # A row of units under the header ("（亿元）" "（万元）" "单位：万元" per column) belongs to the header.
    row_units = _unit_row(grid, h_last + 1, width)
    if row_units is not None:
        h_last += 1

    # Title lines: every text above the header (and the sheet name) may carry the date, the unit and the level.
    above = []
    for r in range(h0):
        for c in range(width):
            v = grid.value(r, c)
            if not is_empty(v) and isinstance(v, str):
                above.append(v.strip())
    title = next((t for t in above if len(norm(t)) >= 6 and not norm(t).startswith("单位")), above[0] if above else "")
    unit, unit_source = _unit_line(above)
    warnings: list[str] = []
    refusals: list[str] = []
    try:
        title_d, title_words = title_date(" ".join(above + [grid.name]), ctx.year)
    except CellError as exc:
        refusals.append(str(exc))
        title_d, title_words = None, ""
    sheet_year = ctx.as_of.year if ctx.as_of else (title_d.year if title_d else ctx.year)

    columns: dict[str, Column] = {}
    ignored: list[tuple[str, str, str]] = []
    for c, (meaning, label) in enumerate(meanings):
        if not label:
            continue
        if meaning.field is None:
            ignored.append((column_letter(c), label, meaning.why_ignored or "不认识的列名"))
            continue
        col = Column(c, meaning.field, label, (row_units or {}).get(c) or meaning.unit, meaning.year, meaning.month)
        if sheet_year and col.year and col.year != sheet_year and meaning.field in (
                "annual_plan", "completed", "month_completed"):
            ignored.append((col.letter, label, f"是 {col.year} 年的数，不是 {sheet_year} 年"))
            continue
        if col.field in columns:
            prev = columns[col.field]
            if col.field == "completed" and (col.month or 0) > (prev.month or 0):
                ignored.append((prev.letter, prev.label, "有更近月份的累计完成列"))
                columns[col.field] = col
            elif col.field in ("note", "progress_note") and col.field + "2" not in columns:
                columns[col.field + "2"] = col
            else:
                ignored.append((col.letter, label, f"与 {prev.letter} 列重复（{FIELD_LABELS[col.field]}）"))
            continue
        columns[col.field] = col
    for key in list(columns):  # second note columns are read as notes too
        if key.endswith("2"):
            columns[key].field = key[:-1]

    # The as-of date: the user's choice, else the title, else the month a completed column's header names. Two
    # sources that disagree refuse the sheet, naming both: guessing which is right would replace one month's
    # figures with another's.
    as_of, as_of_source = None, ""
    month_col = columns.get("completed") or columns.get("month_completed")
    header_month = month_col.month if month_col else None
    header_year = (month_col.year if month_col else None) or (title_d.year if title_d else ctx.year)
    header_words = f"表头“{month_col.label}”写的是 {header_month} 月" if header_month else ""
    if ctx.as_of is not None:
        as_of, as_of_source = ctx.as_of, "由导入时指定"
        if title_d and title_d != ctx.as_of:
            refusals.append(f"标题中的日期“{title_words}”（{title_d.isoformat()}）与指定的截至日期 "
                            f"{ctx.as_of.isoformat()} 不一致：请改正标题或指定的日期")
        elif header_month and header_month != ctx.as_of.month:
            refusals.append(f"{header_words}，而指定的截至日期是 {ctx.as_of.isoformat()}：请改正表头或指定的日期")
    elif title_d:
        as_of, as_of_source = title_d, f"标题：{title_words}"
        if header_month and header_month != title_d.month:
            refusals.append(f"标题写截至 {title_d.isoformat()}（“{title_words}”），{header_words}："
                            "两个日期不一致，请改正后再导入（或用 --as-of 指定）")
    elif header_month and header_year:
        as_of, as_of_source = _month_end(header_year, header_month), f"表头：{month_col.label}"

    level = level_in(" ".join(above)) or level_in(grid.name)
    level_source = "标题" if level_in(" ".join(above)) else ("工作表名" if level else "")

    default_unit = unit
    if unit is None:
        header_units = {col.unit for f, col in columns.items() if f in MONEY_FIELDS and col.unit}
        if not header_units and any(f in columns for f in MONEY_FIELDS):
            warnings.append("表中没有注明金额单位（单位：万元 / 亿元），按万元读取；请核对金额")
        default_unit = "万元"
    if unit:
        unit_source = f"单位行：{unit_source}"

    layout = SheetLayout(name=grid.name, title=title, header_rows=(h0 + 1, h_last + 1), columns=columns,
                         ignored_columns=ignored, unit=unit, unit_source=unit_source, as_of=as_of,
                         as_of_source=as_of_source, level=level, level_source=level_source, rows=[],
                         warnings=warnings, refusals=refusals)
    _read_rows(grid, merges, layout, ctx, h_last + 1, default_unit or "万元")
    return layout


def _percent_modes(grid: Grid, layout: SheetLayout, ctx: ParseContext, first: int) -> dict[str, str]:
    """Per percent column: are bare numbers fractions (0.56 shown as 56%) or points (56)?

    A percent number format decides. Without formats (python-calamine gives none) the values usually decide: a
    column whose typical value is below 1 and has decimals holds fractions, one whose typical value is above 1.5
    holds points. Only when they cannot (all 0 or 1, say) are the first rows' formats looked at with openpyxl.
    """
    modes = {}
    for f in PERCENT_FIELDS:
        col = layout.columns.get(f)
        if col is None:
            continue
        nums = [(r, float(v)) for r in range(first, len(grid.rows)) if _is_number(v := grid.value(r, col.index))]
        if not nums:
            modes[f] = "points"
            continue
        if grid.formats_complete:
            modes[f] = "fraction" if any("%" in grid.number_formats.get((r, col.index), "") for r, _ in nums) \
                else _mode_from_values(nums) or "points"
            continue
        mode = _mode_from_values(nums)
        if mode is None and ctx.number_formats is not None:
            if not grid.number_formats:
                grid.number_formats = ctx.number_formats(grid.name, min(len(grid.rows), first + 200))
            if any("%" in grid.number_formats.get((r, col.index), "") for r, _ in nums[:200]):
                mode = "fraction"
        modes[f] = mode or "points"
    return modes


def _mode_from_values(nums: list[tuple[int, float]]) -> str | None:
    values = sorted(abs(v) for _, v in nums)
    median = values[len(values) // 2]
    if median > 1.5:
        return "points"
    if median < 1 and any(not v.is_integer() for v in values):
        return "fraction"
    return None


def _read_rows(grid: Grid, merges: _Merges, layout: SheetLayout, ctx: ParseContext, first: int,
               default_unit: str) -> None:
    cols = layout.columns
    name_col = cols["name"].index
    modes = _percent_modes(grid, layout, ctx, first)
    width = grid.width
    year_hint = layout.as_of.year if layout.as_of else ctx.year
    sections: list[dict[str, Any]] = []  # open sections: depth, text, level, row, projects
    all_sections: list[dict[str, Any]] = []
    subtotal_start = 0
    rounded = 0
    project_rows: list[SheetRow] = []
    total_rows: list[tuple[int, str, dict[str, int], list[SheetRow]]] = []
    note_cols = [c for c in cols.values() if c.field in ("note", "progress_note", "problem")]
    unreadable = ctx.unreadable.get(grid.name, {})
    bare_yi: dict[str, list[tuple[int, Any]]] = {}  # per money column read in 亿元: (row, bare number) for the unit check

    lead_cols = range(min(width, max(name_col + 1, 3)))   # where 合计, 小计, 一、… stand
    # The data columns read into a project row's values, in the layout's order (notes are read after them).
    data_cols = [(f, col, col.index, col.field) for f, col in cols.items()
                 if f not in ("name", "seq") and col.field not in ("note", "progress_note", "problem")]
    for r in range(first, len(grid.rows)):
        if ctx.cancelled and r % 200 == 0 and ctx.cancelled():
            raise Cancelled()
        raw = grid.rows[r]
        if all(is_empty(v) for v in raw):
            continue
        if r == first and _is_column_number_row(raw):
            continue
        # Only words matter here (合计, 小计, 一、…, 注：…): white space removed, no full normalisation (hot path).
        lead_texts = [_WHITE.sub("", v) for c in lead_cols
                      if isinstance(v := _filled(grid, merges, r, c), str) and v]
        lead = next((t for t in lead_texts if t), "")
        name_cell = _filled(grid, merges, r, name_col)
        name_text = clean_text(name_cell)
        row_no = r + 1

        kind = "project"
        if any(t.startswith(("合计", "总计", "全区合计", "全部合计", "共计")) for t in lead_texts if t):
            kind = "total"
        elif any("小计" in t for t in lead_texts if t):
            kind = "subtotal"
        elif (_FOOTER_RE.match(lead) and (not name_text or lead == _WHITE.sub("", name_text))
              and _no_figures(grid, r, cols)):
            continue
        elif _SECTION_RE.match(lead) or _is_wide_merge(merges, r, width):
            kind = "section"
        elif name_text.lstrip().startswith("其中"):
            layout.warnings.append(f"第 {row_no} 行“{name_text}”是分项，不作为项目导入")
            continue

        if kind in ("total", "subtotal"):
            figures = _row_money(grid, merges, r, cols, default_unit, layout)
            # A 合计 row covers every project of the sheet, wherever it stands (often at the top).
            scope = None if kind == "total" else project_rows[subtotal_start:]
            total_rows.append((row_no, "合计" if kind == "total" else "小计", figures, scope))
            if kind == "subtotal":
                subtotal_start = len(project_rows)
            continue
        if kind == "section":
            text = clean_text(next((v for c in range(width) if not is_empty(v := _filled(grid, merges, r, c))), ""))
            depth = 2 if re.match(r"^[（(]", norm(text)) else 1
            while sections and sections[-1]["depth"] >= depth:
                _close_section(sections.pop(), layout, len(project_rows))
            count = _COUNT_RE.search(norm(text))
            sec = {"depth": depth, "text": text, "row": row_no, "level": level_in(text),
                   "count": int(count.group(1)) if count else None, "projects": 0,
                   "figures": _row_money(grid, merges, r, cols, default_unit, layout), "start": len(project_rows)}
            sections.append(sec)
            all_sections.append(sec)
            subtotal_start = len(project_rows)
            continue

        # A project row (or a row that should have been one).
        name_rng = merges.get(r, name_col)
        if name_rng and name_rng[0] != r:
            if not _no_figures(grid, r, cols):
                layout.problems.append(CellProblem(row_no, column_letter(name_col), "项目名称", name_text,
                                                   "项目名称的合并单元格跨多行，这一行的数据无法确定属于哪个项目"))
            continue
        if not name_text or (_is_number(name_cell)):
            if not _no_figures(grid, r, cols):
                layout.problems.append(CellProblem(row_no, column_letter(name_col), "项目名称", name_text,
                                                   "这一行有数据，但没有项目名称"))
            continue

        level, level_source = None, ""
        for sec in reversed(sections):
            if sec["level"]:
                level, level_source = sec["level"], f"分组行：{sec['text']}"
                break
        if level is None and layout.level:
            level, level_source = layout.level, layout.level_source
        section_text = " / ".join(s["text"] for s in sections)
        cluster_hint = next((s["text"] for s in reversed(sections) if not s["level"]), "")
        row = SheetRow(row=row_no, name=name_text, name_column=column_letter(name_col), level=level,
                       level_source=level_source, section=section_text, cluster_hint=cluster_hint,
                       as_of=layout.as_of)
        notes: list[str] = []
        progress: list[str] = []
        for f, col, c_index, c_field in data_cols:
            value, shared_over = _data_cell(grid, merges, r, c_index)
            if is_empty(value):
                held = unreadable.get((r, c_index))
                # A completion rate is only a cross-check (completed ÷ plan): an unsaved formula there loses nothing.
                if held and (held.startswith("#") or c_field != "completion_rate"):
                    row.problems.append(CellProblem(row_no, col.letter, FIELD_LABELS[c_field], held,
                                                    _unreadable_reason(held)))
                continue
            if shared_over > 1 and c_field not in SHAREABLE:
                row.problems.append(CellProblem(row_no, col.letter, FIELD_LABELS[c_field], clean_text(value),
                                                f"合并单元格跨 {shared_over} 行，数字无法分到单个项目"))
                continue
            try:
                if c_field in MONEY_FIELDS:
                    cell_unit = col.unit if col.unit in ("万元", "亿元", "元") else default_unit
                    res = read_money(value, cell_unit)
                    if cell_unit == "亿元" and _is_number(value):
                        bare_yi.setdefault(f, []).append((row_no, value))
                    if res is not None:
                        row.values[col.field] = res.wan
                        rounded += res.rounded
                        row.rounded = row.rounded or res.rounded
                elif col.field in PERCENT_FIELDS:
                    ratio = read_percent(value, modes.get(col.field, "points"))
                    if ratio is not None:
                        if ratio < 0 or (col.field == "physical_progress" and ratio > 1):
                            raise CellError("比例应在 0% 到 100% 之间" if col.field == "physical_progress"
                                            else "比例不能为负数")
                        row.values[col.field] = ratio
                elif col.field in DATE_FIELDS:
                    d, precision = read_when(value, year_hint)
                    if col.field == "as_of":
                        if precision == "year":
                            raise CellError("只有年份，无法确定截至哪一天")
                        row.as_of = d
                    else:
                        row.values[col.field + "_year"] = d.year
                elif col.field == "level":
                    lv = level_value(clean_text(value))
                    if lv is None:  # decided after the loop: does the column hold levels at all?
                        row.level_text = clean_text(value)[:40]
                    else:
                        row.level, row.level_source = lv, f"{col.letter} 列“{clean_text(value)}”"
                elif col.field == "code":
                    try:
                        code = parse_project_code(clean_text(value))
                    except ValidationError as exc:
                        raise CellError(exc.reason) from None
                    if code and re.fullmatch(r"\d{1,4}", code):
                        continue  # a 项目编号 column holding 1, 2, 3: a sequence number, not a code
                    if code:
                        row.values["code"] = code
                elif col.field == "stage":
                    shown = clean_text(value)
                    stage = read_stage(shown, ctx.stages)
                    if stage is None:
                        notes.append(f"形象进度：{shown}")
                        raise CellError("不能对应到形象进度阶段（" + "、".join(ctx.stages) + "），原文记入备注")
                    row.values["stage"] = stage
                    if shown != stage and norm(shown) != norm(stage):
                        notes.append(f"形象进度：{shown}")
                else:
                    text = clean_text(value)
                    if len(text) > (2000 if col.field in ("description",) else 200):
                        raise CellError("文字太长")
                    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
                        raise CellError("含有不可见的控制字符")
                    row.values[col.field] = text
            except CellError as exc:
                row.problems.append(CellProblem(row_no, col.letter, FIELD_LABELS[col.field], clean_text(value),
                                                str(exc)))
        for col in note_cols:
            value, _ = _data_cell(grid, merges, r, col.index)
            if not is_empty(value):
                text = clean_text(value)
                if col.field == "note":
                    notes.append(text)
                elif col.field == "problem":
                    notes.append(f"存在问题：{text}")
                else:  # 本月进展 is its own record (db.recording progress notes), not a note on a figure
                    progress.append(text)
        if progress:
            row.values["progress_note"] = "；".join(progress)[:2000]
        if notes:
            row.values["note"] = "；".join(notes)[:2000]
        else:
            row.values.pop("note", None)
        if ("completed" not in row.values and "month_completed" in row.values):
            row.values["derive_completed"] = True
        for sec in sections:
            sec["projects"] += 1
        project_rows.append(row)
        layout.rows.append(row)

    while sections:
        _close_section(sections.pop(), layout, len(project_rows))
    _settle_level_column(layout)
    _check_unit_scale(layout, bare_yi)
    project_rows_at = {x.row for x in layout.rows}
    for (r, c), held in sorted(unreadable.items()):
        if (r < first or not held.startswith("#") or r + 1 in project_rows_at
                or not any(col.index == c for col in cols.values())):
            continue  # outside the table, a 合计 formula (a cross-check only), or listed with its project row
        layout.problems.append(CellProblem(r + 1, column_letter(c), "", held, _unreadable_reason(held)))
    if rounded:
        layout.warnings.append(f"{rounded} 个金额有万元以下的小数，已四舍五入到万元")
    tolerance = 1 + rounded
    for sec in all_sections:
        if sec["figures"]:
            total_rows.append((sec["row"], sec["text"], sec["figures"], project_rows[sec["start"]:sec["end"]]))
    for row_no, label, figures, scope in total_rows:
        scope = project_rows if scope is None else scope
        for f, stated in figures.items():
            summed = sum(r.values.get(f, 0) for r in scope)
            if abs(summed - stated) > tolerance:
                layout.totals.append(TotalCheck(row_no, label, f, stated, summed, len(scope)))


def _settle_level_column(layout: SheetLayout) -> None:
    """A level column whose value names no portfolio level: its word wins over the title's or a section's guess
    (省级重点 is not 区级) — unless the column holds no levels at all (投资类别: 政府投资), then it is not read."""
    col = layout.columns.get("level")
    unknown = [r for r in layout.rows if r.level_text]
    if col is None or not unknown:
        return
    texts = [r.level_text for r in unknown]
    holds_levels = any(r.level_source.startswith(f"{col.letter} 列") for r in layout.rows) or any(
        k in t for t in texts for k in ("级", "重点", "重大"))
    if holds_levels:
        for r in unknown:
            r.level, r.level_source = None, ""
        return
    layout.ignored_columns.append((col.letter, col.label, f"值（如“{texts[0]}”）不是项目级别"))
    for r in unknown:
        r.level_text = ""


def _unreadable_reason(held: str) -> str:
    if held.startswith("#"):
        return f"单元格是错误值 {held}（公式出错），无法读取"
    return "公式没有保存计算结果（文件不是由 Excel/WPS 保存的），无法读取；请在 Excel 或 WPS 中打开并保存后再导入"


# A 亿元 column whose typical bare number is this large holds 万元: no district project plans or completes
# 1,000 亿元 in a year, and few cost 5,000 亿元 in all.
_YI_LIMITS = {"annual_plan": 1000, "completed": 1000, "month_completed": 1000, "total_investment": 5000}


def _check_unit_scale(layout: SheetLayout, bare_yi: dict[str, list[tuple[int, Any]]]) -> None:
    """Refuse a column labelled 亿元 whose figures are obviously 万元, naming the column and both readings."""
    for f, cells in bare_yi.items():
        values = sorted(float(v) for _, v in cells if float(v) > 0)
        if not values or values[len(values) // 2] < _YI_LIMITS[f]:
            continue
        col = layout.columns[f]
        row_no, raw = max(cells, key=lambda rv: float(rv[1]))
        why = "表头注明（亿元）" if col.unit == "亿元" else "单位行写明亿元"
        median = values[len(values) // 2]
        layout.refusals.append(
            f"“{col.label}”列（{col.letter} 列）{why}，但数字像是万元：第 {row_no} 行 {clean_text(raw)} 按亿元读是 "
            f"{_plain(Decimal(str(raw)))} 亿元，按万元读是 {_plain(Decimal(str(raw)) / WAN_PER_YI)} 亿元；"
            f"{len(values)} 个数字的中位数为 {_plain(Decimal(str(median)))}，单个项目不会有这么大。请改正单位后再导入")


def _plain(d: Decimal) -> str:
    """200000.0 -> '200,000'; 12.50 -> '12.5' (messages only)."""
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def _close_section(sec: dict[str, Any], layout: SheetLayout, end: int) -> None:
    sec["end"] = end
    if sec["count"] is not None and sec["count"] != sec["projects"]:
        layout.section_counts.append((sec["row"], sec["text"], sec["count"], sec["projects"]))


def _is_wide_merge(merges: _Merges, r: int, width: int) -> bool:
    """A row whose first filled cell is merged across most of the table: a section title."""
    for c in range(min(width, 3)):
        rng = merges.get(r, c)
        if rng and rng[0] == r and rng[2] == r and (rng[3] - rng[1] + 1) >= max(3, width // 2):
            return True
    return False


def _no_figures(grid: Grid, r: int, cols: dict[str, Column]) -> bool:
    return all(is_empty(grid.value(r, c.index)) for f, c in cols.items() if f in MONEY_FIELDS or f in PERCENT_FIELDS)


def _data_cell(grid: Grid, merges: _Merges, r: int, c: int) -> tuple[Any, int]:
    """A data cell's value and, when it is merged down over several rows, how many."""
    rng = merges.at.get((r, c))
    if rng is None:
        rows = grid.rows
        if 0 <= r < len(rows):   # grid.value(r, c), inline (hot path)
            row = rows[r]
            if 0 <= c < len(row):
                return row[c], 1
        return None, 1
    r0, c0, r1, _ = rng
    if c != c0:
        return None, 1  # inside a horizontal merge: the value belongs to its first column only
    return grid.value(r0, c0), r1 - r0 + 1


def _row_money(grid: Grid, merges: _Merges, r: int, cols: dict[str, Column], default_unit: str,
               layout: SheetLayout) -> dict[str, int]:
    out = {}
    for f in ("total_investment", "annual_plan", "completed"):
        col = cols.get(f)
        if col is None:
            continue
        v = grid.value(r, col.index)
        if is_empty(v):
            continue
        try:
            res = read_money(v, col.unit if col.unit in ("万元", "亿元", "元") else default_unit)
        except CellError as exc:
            layout.problems.append(CellProblem(r + 1, col.letter, FIELD_LABELS[f], clean_text(v), str(exc)))
            continue
        if res is not None:
            out[f] = res.wan
    return out
