"""Bad input through db/ as the forms send it: refused with the field named (and nothing stored), or normalised.

Hypothesis generates numbers, dates and names around the cases RELIABILITY.md lists ('', abc, nan, inf, 1e309,
1.2.3, 12,5, full-width digits, 2023-02-29, 2023-13-01, control characters, NFKC twins...).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from db import ValidationError, indicators, open_database, projects, seed, targets, updates
from db.subjects import Subject
from db.validate import name_key, parse_date, parse_money_wan

EXAMPLES = 300
LIMIT = Decimal(10) ** 15  # the largest magnitude stored (in storage units), exclusive
SETTINGS = hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
TRIED: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def _report_tried():
    yield
    # docs/data-safety.md quotes this figure (run with -s to see it).
    print("\nbad inputs tried:", TRIED, "total", sum(TRIED.values()))


@pytest.fixture(scope="module")
def db():
    d = open_database(":memory:")
    seed.load_builtin(d)
    yield d
    d.close()


def snapshot(db) -> tuple:
    return tuple(db.scalar("SELECT count(*) FROM " + t) for t in ("progress_update", "target", "project",
                                                                     "audit_log"))


def refused_naming(exc: ValidationError, field: str) -> None:
    assert exc.field == field and ("「" + field + "」") in str(exc)


# -- numbers -------------------------------------------------------------------------------------------------

KNOWN_BAD_NUMBERS = ["", " ", "abc", "nan", "NaN", "inf", "-inf", "Infinity", "1e309", "1e5", "1.2.3", "12,5",
                     "1,23,456", "--1", "1 2", "一百", "0x10", "1_000", "+-3", "٣", "5亿亿", "-3亿", "３亿元", ".",
                     "1e-5", "∞", "12%", "NULL", "'; DROP TABLE project; --"]

number_text = st.one_of(
    st.sampled_from(KNOWN_BAD_NUMBERS),
    st.text(alphabet="0123456789.,-+eE 亿万元０１２３４５６７８９．，", max_size=12),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**20, 10**20).map(str),
    st.text(max_size=8),
)


def oracle_wan(text: str) -> Decimal | None:
    """What a careful clerk accepts: plain decimal digits, optional 3-digit grouping, optional 亿/万/元 unit, an
    exact whole number of 万元 below 10^15; None for anything else."""
    t = unicodedata.normalize("NFKC", text).strip()
    factor = Decimal(10_000)
    for suffix, f in (("亿元", 10_000), ("亿", 10_000), ("万元", 1), ("万", 1), ("元", Decimal("0.0001"))):
        if t.endswith(suffix):
            t, factor = t[: -len(suffix)].strip(), Decimal(f)
            break
    if re.fullmatch(r"\+?\d{1,3}(,\d{3})+(\.\d*)?", t):
        t = t.replace(",", "")
    if not re.fullmatch(r"\+?(\d+(\.\d*)?|\.\d+)", t):
        return None
    number = Decimal(t)
    wan = number * factor
    if number >= LIMIT or wan >= LIMIT or wan != wan.to_integral_value():
        return None
    return wan


@SETTINGS
@given(text=number_text)
def test_typed_money_is_stored_exactly_or_refused_naming_the_field(db, text):
    TRIED["money"] = TRIED.get("money", 0) + 1
    subject = Subject("project", db.scalar("SELECT min(id) FROM project"))
    before = snapshot(db)
    expected = oracle_wan(text)
    try:
        wan = parse_money_wan(text, "累计完成投资")
        uid = updates.record(db, subject, "completed", "2023-07-31", value=wan)
    except ValidationError as exc:
        refused_naming(exc, "累计完成投资")
        assert snapshot(db) == before
        assert expected is None, f"{text!r} refused: {exc}"
        return
    stored = db.scalar("SELECT value FROM progress_update WHERE id = ?", (uid,))
    assert isinstance(stored, int) and stored >= 0
    assert expected is not None and Decimal(stored) == expected, text
    assert snapshot(db) == (before[0] + 1, before[1], before[2], before[3] + 1)


raw_values = st.one_of(st.integers(-10**25, 10**25), st.floats(allow_nan=True, allow_infinity=True),
                       st.text(max_size=5), st.booleans(), st.none(), st.decimals(allow_nan=True))


@SETTINGS
@given(value=raw_values, metric=st.sampled_from(["completed", "physical_progress"]))
def test_raw_values_reaching_record_are_refused_or_stored_exactly(db, value, metric):
    TRIED["raw"] = TRIED.get("raw", 0) + 1
    subject = Subject("project", db.scalar("SELECT min(id) FROM project"))
    before = snapshot(db)
    try:
        uid = updates.record(db, subject, metric, "2023-07-31", value=value)
    except ValidationError as exc:
        assert exc.field in ("累计完成投资", "工程量完成比例")
        assert snapshot(db) == before
        return
    assert type(value) is int and value >= 0
    assert db.scalar("SELECT value FROM progress_update WHERE id = ?", (uid,)) == value


@SETTINGS
@given(value=raw_values)
def test_target_values_refused_or_stored_exactly(db, value):
    TRIED["target"] = TRIED.get("target", 0) + 1
    subject = Subject("project", db.scalar("SELECT min(id) FROM project"))
    before = snapshot(db)
    try:
        rid = targets.revise(db, subject, "annual_plan", value, reason="性质测试")
    except ValidationError as exc:
        assert exc.field == "年度计划投资"
        assert snapshot(db) == before
        return
    assert value is None or (type(value) is int and value >= 0)
    assert db.scalar("SELECT value FROM target WHERE id = ?", (rid,)) == value


@SETTINGS
@given(text=number_text)
def test_indicator_values_refused_or_stored_exactly(db, text):
    TRIED["indicator"] = TRIED.get("indicator", 0) + 1
    ind = db.query_one("SELECT * FROM indicator WHERE unit NOT IN ('%', '百分点') ORDER BY id LIMIT 1")
    before = snapshot(db)
    try:
        stored = indicators.parse_value(ind, text)
        uid = updates.record(db, Subject("indicator", ind["id"]), "value", "2023-07-31", value=stored)
    except ValidationError as exc:
        assert exc.field == "数值"
        assert snapshot(db) == before
        return
    value = db.scalar("SELECT value FROM progress_update WHERE id = ?", (uid,))
    assert indicators.to_number(ind, value) == Decimal(unicodedata.normalize("NFKC", text).strip().replace(",", ""))
    assert value >= 0


# -- dates ---------------------------------------------------------------------------------------------------

date_text = st.one_of(
    st.sampled_from(["2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31", "2022-12-31", "2024-01-01",
                     "20230731", "7/31/2023", "2023-7-31", "2023年7月31日", "２０２３－０７－３１", "", "昨天",
                     "2023-07-31T00:00", "0000-00-00", "9999-12-31", "2023/06/30", "2023.6.30"]),
    st.builds(lambda y, m, d, sep: f"{y}{sep}{m:02d}{sep}{d:02d}", st.integers(1990, 2030), st.integers(0, 14),
              st.integers(0, 33), st.sampled_from(["-", "/", ".", "", " "])),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    st.text(max_size=12),
)


@SETTINGS
@given(as_of=date_text)
def test_dates_refused_naming_the_field_or_a_real_date_in_the_plan_year(db, as_of):
    TRIED["date"] = TRIED.get("date", 0) + 1
    subject = Subject("project", db.scalar("SELECT min(id) FROM project"))
    before = snapshot(db)
    try:
        uid = updates.record(db, subject, "completed", as_of, value=1)
    except ValidationError as exc:
        refused_naming(exc, "截至日期")
        assert snapshot(db) == before
        return
    stored = db.scalar("SELECT as_of FROM progress_update WHERE id = ?", (uid,))
    d = dt.date.fromisoformat(stored)  # a real calendar date
    assert d.year == 2023
    assert d == parse_date(as_of, "x")


# -- names ---------------------------------------------------------------------------------------------------

name_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="项目Ａａ Ｂ　AB\t\n\u200b\x00\x07１２-（）()", max_size=12),
    st.sampled_from(["", "   ", "\u3000", "项目\x00", "项目\u200b", "a" * 201, "＝SUM(A1)",
                     "'; DROP TABLE project;--"]),
)


@SETTINGS
@given(name=name_text)
def test_names_refused_naming_the_field_or_stored_clean_and_unique(db, name):
    TRIED["name"] = TRIED.get("name", 0) + 1
    portfolio = db.scalar("SELECT min(id) FROM portfolio")
    before = snapshot(db)
    try:
        pid = projects.create(db, portfolio_id=portfolio, name=name)
    except ValidationError as exc:
        refused_naming(exc, "项目名称")
        assert snapshot(db) == before
        return
    row = db.query_one("SELECT name, name_key FROM project WHERE id = ?", (pid,))
    assert row["name"] == row["name"].strip() and row["name"]
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in row["name"])
    assert len(row["name"]) <= 200 and row["name_key"] == name_key(name)
    # Its NFKC / width / case / spacing twin is the same project: refused as a duplicate, found by find().
    twin = " " + unicodedata.normalize("NFKC", row["name"]).upper() + " "
    with pytest.raises(ValidationError, match="同名"):
        projects.create(db, portfolio_id=portfolio, name=twin)
    if not twin.strip().isdigit():  # find() reads an all-digit text as an id, not a name
        assert projects.find(db, twin)["id"] == pid
    projects.remove(db, pid)  # keep the namespace free for the next example
