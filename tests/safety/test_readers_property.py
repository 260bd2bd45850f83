"""Property: random bytes, random xlsx cell values and random exchange JSON fed to the readers never give a
traceback — only a reading or a refusal (PolicyTrackError) — and the database is never changed."""
from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from db import PolicyTrackError, exchange, open_database, seed, spreadsheet, xlsx_import

SETTINGS = hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = open_database(tmp_path_factory.mktemp("prop") / "pt.db")
    seed.load_builtin(d)
    yield d
    d.close()


def stamp(db) -> tuple:
    return tuple(db.scalar("SELECT count(*) FROM " + t) for t in ("progress_update", "target", "project",
                                                                     "audit_log", "import_batch"))


def read_all(db, path) -> None:
    before = stamp(db)
    for reader in (lambda: spreadsheet.read(path), lambda: xlsx_import.read(db, path),
                   lambda: exchange.read(db, path)):
        try:
            reader()
        except PolicyTrackError:
            pass
    assert stamp(db) == before


PREFIXES = [b"", b"PK\x03\x04", b"SQLite format 3\x00", b"%PDF-1.4", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            b'{"format": "policytrack-exchange", "version": 1, ', b"\xef\xbb\xbf\xe9\xa1\xb9\xe7\x9b\xae,", b"<html>"]


@SETTINGS
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=3000),
       suffix=st.sampled_from([".xlsx", ".csv", ".ptx", ".txt"]))
def test_random_bytes(db, tmp_path_factory, prefix, body, suffix):
    path = tmp_path_factory.mktemp("bytes") / ("f" + suffix)
    path.write_bytes(prefix + body)
    read_all(db, path)


cell = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**20, 10**20),
                 st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                 st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
                 st.sampled_from(["截至6月30日", "单位：亿元", "单位：万元", "项目名称", "年度计划投资", "1-7月",
                                  "累计完成投资", "#DIV/0!", "=1/0", "9" * 400, "\x1b[31m红", "2月30日"]))


@SETTINGS
@given(grid=st.lists(st.lists(cell, min_size=1, max_size=8), min_size=1, max_size=12))
def test_random_xlsx_cells(db, tmp_path_factory, grid):
    path = tmp_path_factory.mktemp("cells") / "调度表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate(grid, start=1):
        for c, v in enumerate(row, start=1):
            if isinstance(v, str):
                # openpyxl refuses control characters; with lxml installed (python-docx brings it) also the
                # non-characters U+FFFE/U+FFFF and lone surrogates, which XML 1.0 does not allow either
                v = "".join(ch for ch in v if (ch >= " " or ch in "\t\n") and ch not in "\ufffe\uffff"
                            and not 0xD800 <= ord(ch) <= 0xDFFF)
            ws.cell(r, c, v)
    wb.save(path)
    read_all(db, path)


json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(),
                                    st.text(max_size=20)),
                          lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids,
                                                                                    max_size=4), max_leaves=20)


@SETTINGS
@given(payload=st.dictionaries(st.sampled_from(["sender", "projects", "updates", "targets", "scope", "created_at",
                                                "generator"]), json_value, max_size=7),
       version=st.one_of(st.integers(-2, 3), json_value), good_checksum=st.booleans())
def test_random_exchange_json(db, tmp_path_factory, payload, version, good_checksum):
    import hashlib

    value = hashlib.sha256(exchange.canonical(payload)).hexdigest() if good_checksum else "0" * 64
    doc = {"format": exchange.FORMAT, "version": version, "checksum": {"algorithm": "sha256", "value": value},
           "payload": payload}
    path = tmp_path_factory.mktemp("ptx") / "x.ptx"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    read_all(db, path)


@pytest.fixture(scope="module")
def valid_doc(tmp_path_factory):
    """A real exchange file with one update (recorded on a second database and exported)."""
    from db import recording
    from db.recording import ProjectEntry

    unit = open_database(tmp_path_factory.mktemp("unit") / "unit.db")
    seed.load_builtin(unit)
    pid = unit.scalar("SELECT min(id) FROM project")
    entry = ProjectEntry(pid, completed="1", month=None, stage=None, note="")
    [report] = recording.check_month(unit, recording.parse_as_of("2023-07-31"), [entry])
    entry.accepted = {w.code: "测试" for w in report.warnings}
    recording.save_month(unit, recording.parse_as_of("2023-07-31"), [entry], source_kind="cli")
    path = tmp_path_factory.mktemp("ptx") / "unit.ptx"
    exchange.export(unit, path)
    unit.close()
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["payload"]["updates"]
    return doc


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


@SETTINGS
@given(data=st.data(), new=json_value)
def test_valid_exchange_file_with_one_field_replaced(db, valid_doc, tmp_path_factory, data, new):
    import copy
    import hashlib

    payload = copy.deepcopy(valid_doc["payload"])
    where = data.draw(st.sampled_from([p for p in _paths(payload) if p]))
    node = payload
    for k in where[:-1]:
        node = node[k]
    node[where[-1]] = new
    doc = dict(valid_doc, payload=payload,
               checksum={"algorithm": "sha256", "value": hashlib.sha256(exchange.canonical(payload)).hexdigest()})
    path = tmp_path_factory.mktemp("ptx") / "x.ptx"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    read_all(db, path)
