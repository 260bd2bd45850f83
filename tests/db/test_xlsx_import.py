"""Importing real-looking 调度表 files: every layout feature, every bad file, all-or-nothing, idempotence, cancel."""
from __future__ import annotations

import datetime as dt
import zipfile
from fractions import Fraction

import openpyxl
import pytest

from db import ledger, plan, projects, recording, targets, updates, xlsx_import
from db.schedule import classify, read_money, read_percent, read_stage, read_when, title_date, CellError
from db.spreadsheet import SpreadsheetRefused
from db.subjects import Subject

from tests.db.xlsx_fixtures import (TITLE_DISTRICT, as_of_serial, encrypted_lookalike, messy_workbook,
                                    simple_workbook, xml_bomb)

READERS = ["calamine", "openpyxl"]


def snapshot(db) -> dict[str, int]:
    """Row counts of everything an import could touch."""
    tables = ["project", "progress_update", "target", "audit_log", "import_batch", "exchange_row", "milestone"]
    return {t: db.scalar("SELECT count(*) FROM " + t) for t in tables}


def row_of(preview, sheet, row_no):
    return next(r for r in preview.rows if r.sheet == sheet and r.row == row_no)


def changes(rp) -> dict[str, tuple]:
    return {c.key: (c.before, c.after) for c in rp.changes}


# -- the messy workbook, read by both readers ----------------------------------------------------------------

@pytest.mark.parametrize("reader", READERS)
def test_messy_workbook_layout_is_understood(builtin_db, tmp_path, reader):
    pv = xlsx_import.read(builtin_db, messy_workbook(tmp_path / "调度表.xlsx"), reader=reader)
    assert [s.name for s in pv.sheets] == ["区级", "市级"]
    assert pv.skipped_sheets == [("说明", "没有找到可识别的表头（如“项目名称”“累计完成投资”）")]
    district, city = (s.layout for s in pv.sheets)
    # Title line with the date, unit line, merged two-row header with "2023年" over three columns.
    assert district.as_of == dt.date(2023, 7, 31) and "截至7月31日" in district.as_of_source
    assert district.header_rows == (3, 4) and district.unit == "万元" and district.level == "district"
    cols = {f: (c.letter, c.label) for f, c in district.columns.items()}
    assert cols["annual_plan"] == ("D", "2023年计划投资")
    assert cols["completed"] == ("E", "2023年1-7月完成")
    assert cols["completion_rate"] == ("F", "2023年完成率")
    assert cols["responsible_unit"] == ("H", "牵头单位") and cols["stage"] == ("G", "形象进度")
    # One-row header, unit 亿元 in the unit line, the date read from "1-7月" in the title, level from the title.
    assert city.header_rows == (3, 3) and city.unit == "亿元" and city.level == "city"
    assert city.as_of == dt.date(2023, 7, 31)
    # Section rows, the 合计 row at the top, the blank row and the footer are not projects.
    assert [r.row for r in district.rows] == [7, 8, 9, 12, 13, 14]
    assert [r.row for r in city.rows] == [4, 5, 6]


@pytest.mark.parametrize("reader", READERS)
def test_messy_workbook_figures(builtin_db, tmp_path, reader):
    pv = xlsx_import.read(builtin_db, messy_workbook(tmp_path / "调度表.xlsx"), reader=reader)
    jinkang = row_of(pv, "区级", 7)
    # Matched by normalised name although the sheet has a space in it.
    assert jinkang.status == "matched" and jinkang.project_name == "金康赛力斯龙兴工厂"
    assert changes(jinkang) == {
        "responsible_unit": ("", "区经信委"),
        "total_investment": (None, 1_200_000),  # "1,200,000" typed as text
        "annual_plan": (None, 200_000),  # full-width digits
        "completed": (None, 150_000),
        "stage": (None, "设备安装"),  # "设备安装调试中，预计9月试生产": the future clause is not the stage
        "progress_note": (None, "二期厂房设备安装"),  # 本月进展
    }
    assert jinkang.values["completion_rate"] == Fraction(3, 4)  # percent-formatted 0.75
    assert jinkang.note == "形象进度：设备安装调试中，预计9月试生产"  # the stage's words are kept
    dayang = row_of(pv, "区级", 8)
    assert changes(dayang)["annual_plan"] == (None, 80_000)  # "8亿" in a 万元 sheet
    assert changes(dayang)["completed"] == (None, 32_000)  # "3.2亿"
    assert changes(dayang)["stage"] == ("前期", "主体施工")
    assert dayang.values["completion_rate"] == Fraction(2, 5)  # "40%"
    # The 牵头单位 merged over three projects belongs to each of them.
    assert changes(dayang)["responsible_unit"] == ("", "区经信委")
    new = row_of(pv, "区级", 9)
    assert new.status == "new" and new.level == "district" and changes(new)["responsible_unit"] == (None, "区经信委")
    assert changes(new)["completed"] == (None, 12_000)
    city = {r.row: r for r in pv.rows if r.sheet == "市级"}
    assert changes(city[4])["annual_plan"] == (None, 125_000)  # "12.5" 亿元
    assert changes(city[4])["completed"] == (None, 102_000)  # "１０.２" 亿元
    assert "竣工年份" in city[4].same  # "2023年12月" is the year the database has
    assert changes(city[5])["physical_progress"] == (5_600, 6_000)  # "60%" text
    assert city[5].values["finish_year"] == 2024  # Excel serial 45473 = 2024-06-30
    assert city[6].status == "new" and city[6].level == "city"
    assert changes(city[6])["physical_progress"] == (None, 3_500)  # 35 in a "(%)" column
    assert changes(city[6])["finish_year"] == (None, 2025)  # "2025.06"
    assert changes(city[6])["total_investment"] == (None, 455_000)  # "45.5" 亿元


@pytest.mark.parametrize("reader", READERS)
def test_unreadable_cells_are_listed_with_sheet_row_column_and_reason(builtin_db, tmp_path, reader):
    pv = xlsx_import.read(builtin_db, messy_workbook(tmp_path / "调度表.xlsx"), reader=reader)
    found = [(s, p.row, p.column, p.field, p.value, p.reason) for s, p in pv.problems]
    assert ("区级", 12, "E", "累计完成投资", "约4000", "不是有效的数字") in found
    merged = [f for f in found if f[2] == "C" and f[1] in (13, 14)]
    assert len(merged) == 2 and all("合并单元格跨 2 行" in f[5] for f in merged)
    # The 合计 row is a cross-check: the unreadable "约4000" makes the sum differ, and the preview says so.
    assert any("第 5 行“合计”与各项目之和不符" in w and "209,000" in w and "205,000" in w for w in pv.warnings)
    # Other rows of the sheet still import; the unreadable cell alone is skipped.
    shunfeng = row_of(pv, "区级", 12)
    assert "completed" not in changes(shunfeng) and changes(shunfeng)["stage"] == ("开工", "主体施工")


def test_apply_records_everything_with_its_source_then_nothing_twice(builtin_db, tmp_path):
    path = messy_workbook(tmp_path / "调度表.xlsx")
    pv = xlsx_import.read(builtin_db, path)
    before = snapshot(builtin_db)
    result = xlsx_import.apply(builtin_db, pv)
    after = snapshot(builtin_db)
    assert result.projects_created == 4 and after["project"] == before["project"] + 4
    assert after["progress_update"] - before["progress_update"] == result.updates_recorded == 17
    assert after["import_batch"] == 1
    jk = projects.find(builtin_db, "金康赛力斯龙兴工厂")
    hist = updates.history(builtin_db, Subject("project", jk["id"]), "completed")
    assert hist[-1]["value"] == 150_000 and hist[-1]["as_of"] == "2023-07-31"
    assert hist[-1]["source"] == "导入自 调度表.xlsx，工作表“区级”，第 7 行"
    assert hist[-1]["source_kind"] == "import"
    assert recording.note_as_of(builtin_db, jk["id"], "2023-07-31")["text"] == "二期厂房设备安装"
    assert result.notes_recorded == 1
    assert jk["responsible_unit"] == "区经信委" and jk["total_investment_wan"] == 1_200_000
    assert targets.value(builtin_db, Subject("project", jk["id"]), "annual_plan", "2023-07-31") == 200_000
    new = projects.find(builtin_db, "悦来国际会展配套项目")
    assert new["finish_year"] == 2025 and new["responsible_unit"] == "区文旅委"
    assert builtin_db.scalar("SELECT level FROM portfolio WHERE id = ?", (new["portfolio_id"],)) == "city"
    # The same file again: the preview says nothing is new, apply records nothing at all.
    again = xlsx_import.read(builtin_db, path)
    assert again.nothing_to_do and again.earlier_imports
    res2 = xlsx_import.apply(builtin_db, again)
    assert res2.nothing_new and snapshot(builtin_db) == after


def test_a_failure_midway_stores_nothing(builtin_db, tmp_path, monkeypatch):
    pv = xlsx_import.read(builtin_db, messy_workbook(tmp_path / "调度表.xlsx"))
    before = snapshot(builtin_db)
    real = updates.record
    calls = []

    def flaky(*a, **kw):
        calls.append(1)
        if len(calls) == 6:
            raise OSError("disk full")
        return real(*a, **kw)

    monkeypatch.setattr(updates, "record", flaky)
    with pytest.raises(OSError):
        xlsx_import.apply(builtin_db, pv)
    assert snapshot(builtin_db) == before
    # Trying again with the same preview (the disk has room now) writes everything exactly once.
    monkeypatch.setattr(updates, "record", real)
    result = xlsx_import.apply(builtin_db, pv)
    assert result.projects_created == 4 and result.updates_recorded == 17
    assert snapshot(builtin_db)["project"] == before["project"] + 4


def test_cancel_leaves_the_database_unchanged_and_progress_is_reported(builtin_db, tmp_path):
    pv = xlsx_import.read(builtin_db, messy_workbook(tmp_path / "调度表.xlsx"))
    before = snapshot(builtin_db)
    seen = []

    def progress(done, total, message):
        seen.append((done, total))

    with pytest.raises(xlsx_import.ImportCancelled) as exc:
        xlsx_import.apply(builtin_db, pv, progress=progress, cancelled=lambda: len(seen) >= 2)
    assert "没有任何改动" in str(exc.value)
    assert snapshot(builtin_db) == before and seen and seen[0][1] == 9
    # Reading can be cancelled too.
    with pytest.raises(xlsx_import.ImportCancelled):
        xlsx_import.read(builtin_db, messy_workbook(tmp_path / "b.xlsx"), cancelled=lambda: True)


def test_a_value_typed_since_the_preview_is_compared_not_clobbered(builtin_db, tmp_path):
    pv = xlsx_import.read(builtin_db, messy_workbook(tmp_path / "调度表.xlsx"))
    jk = projects.find(builtin_db, "金康赛力斯龙兴工厂")
    updates.record(builtin_db, Subject("project", jk["id"]), "completed", "2023-07-31", value=150_000)
    result = xlsx_import.apply(builtin_db, pv)
    assert result.updates_recorded == 16  # the typed figure already matches the file: recorded once, not twice


# -- layouts ---------------------------------------------------------------------------------------------------

def test_sections_name_the_level_of_new_projects(builtin_db, tmp_path):
    path = simple_workbook(tmp_path / "a.xlsx", [
        ["一、区级重点项目（1个）"],
        [1, "新区级项目", 1000, 500, "开工", "区经信委"],
        ["二、市级重大项目（2个）"],
        [2, "新市级项目", 2000, 800, "主体施工", "区交通局"],
    ], title="渝北区2023年重点项目调度表（截至2023年8月31日）")
    pv = xlsx_import.read(builtin_db, path)
    levels = {r.name: r.level for r in pv.rows}
    assert levels == {"新区级项目": "district", "新市级项目": "city"}
    assert pv.sheets[0].layout.as_of == dt.date(2023, 8, 31)
    assert any("写明 2 个项目，表中列出 1 个" in w for w in pv.warnings)


def test_new_project_of_unknown_level_waits_for_the_users_choice(builtin_db, tmp_path):
    path = simple_workbook(tmp_path / "a.xlsx", [[1, "无级别新项目", 1000, 500, "开工", "区经信委"]],
                           title="2023年重点项目调度表（截至7月31日）", sheet="Sheet1")
    pv = xlsx_import.read(builtin_db, path)
    (row,) = pv.rows
    assert row.status == "skipped" and "无法确定项目级别" in row.reason and pv.nothing_to_do
    xlsx_import.choose_level(builtin_db, pv, "city")
    assert pv.rows[0].status == "new" and pv.rows[0].level == "city"
    xlsx_import.apply(builtin_db, pv)
    p = projects.find(builtin_db, "无级别新项目")
    assert builtin_db.scalar("SELECT level FROM portfolio WHERE id = ?", (p["portfolio_id"],)) == "city"


def test_two_row_header_centred_across_selection_without_merges(builtin_db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "区级"
    ws.append(["渝北区2023年区级重点项目调度表（截至2023年7月31日）"])
    ws.append(["单位：亿元"])
    ws.append(["序号", "项目名称", "投资情况", None, None, "责任单位"])
    ws.append([None, None, "总投资", "年度计划", "今年累计完成", None])
    ws.append([1, "金康赛力斯龙兴工厂", 120, "20", "15.5", "区经信委"])
    wb.save(tmp_path / "c.xlsx")
    pv = xlsx_import.read(builtin_db, tmp_path / "c.xlsx")
    lay = pv.sheets[0].layout
    assert lay.header_rows == (3, 4)
    assert {f: c.letter for f, c in lay.columns.items() if f != "seq"} == {
        "name": "B", "total_investment": "C", "annual_plan": "D", "completed": "E", "responsible_unit": "F"}
    assert changes(pv.rows[0])["completed"] == (None, 155_000)


def test_monthly_amount_is_added_to_last_months_total(builtin_db, tmp_path):
    jk = projects.find(builtin_db, "金康赛力斯龙兴工厂")
    updates.record(builtin_db, Subject("project", jk["id"]), "completed", "2023-07-31", value=100_000)
    path = simple_workbook(tmp_path / "m.xlsx", [[1, "金康赛力斯龙兴工厂", "12,000"], [2, "大洋电机项目", 500]],
                           title="2023年区级重点项目调度表（截至2023年8月31日）",
                           header=["序号", "项目名称", "本月完成投资"])
    pv = xlsx_import.read(builtin_db, path)
    rows = {r.name: r for r in pv.rows}
    assert changes(rows["金康赛力斯龙兴工厂"])["completed"] == (100_000, 112_000)
    assert any(p.field == "本月完成投资" and "无法推算" in p.reason for _, p in pv.problems)


def test_as_of_given_by_the_user_and_dates_in_a_column(builtin_db, tmp_path):
    path = simple_workbook(tmp_path / "n.xlsx", [
        ["金康赛力斯龙兴工厂", 1000, as_of_serial(dt.date(2023, 9, 30))],
        ["大洋电机项目", 2000, "2023年9月"],
        ["宏捷盛汽车零部件项目", 3000, 2023.1],  # a number: 2023.10 lost its zero, or January?
        ["材主在线重庆研发生产加工基地", 4000, "2023.10"],  # as text the zero stays: October
    ], title="", unit="", header=["项目名称", "累计完成投资（万元）", "报告期"], sheet="区级")
    pv = xlsx_import.read(builtin_db, path, as_of="2023-08-31")
    dates = {r.name: r.as_of for r in pv.rows}
    assert dates["金康赛力斯龙兴工厂"] == dt.date(2023, 9, 30)  # an Excel serial in the row wins
    assert dates["大洋电机项目"] == dt.date(2023, 9, 30)
    assert dates["宏捷盛汽车零部件项目"] == dt.date(2023, 8, 31)  # ambiguous: the sheet's date, and a problem
    assert dates["材主在线重庆研发生产加工基地"] == dt.date(2023, 10, 31)
    assert any("月份不明确" in p.reason for _, p in pv.problems)


def test_missing_as_of_is_reported(builtin_db, tmp_path):
    path = simple_workbook(tmp_path / "n.xlsx", [[1, "金康赛力斯龙兴工厂", 1000, 500, "开工", "x"]], title="",
                           sheet="Sheet1")
    pv = xlsx_import.read(builtin_db, path)
    assert pv.rows[0].status == "skipped" and pv.rows[0].reason == "无法确定截至日期" and pv.nothing_to_do


def test_duplicate_rows_of_one_project_import_once(builtin_db, tmp_path):
    path = simple_workbook(tmp_path / "d.xlsx", [[1, "大洋电机项目", 1000, 500], [2, "大洋电机项目 ", 1000, 600]])
    pv = xlsx_import.read(builtin_db, path)
    assert [r.status for r in pv.rows] == ["matched", "skipped"] and "同一个项目" in pv.rows[1].reason


def test_gbk_csv_is_read(builtin_db, tmp_path):
    text = TITLE_DISTRICT + "\n单位：万元\n序号,项目名称,年度计划投资,累计完成投资\n1,大洋电机项目,\"1,000\",600\n"
    (tmp_path / "t.csv").write_bytes(text.encode("gbk"))
    pv = xlsx_import.read(builtin_db, tmp_path / "t.csv")
    assert changes(pv.rows[0])["completed"] == (None, 600) and changes(pv.rows[0])["annual_plan"] == (None, 1000)


def test_hidden_sheet_is_not_imported(builtin_db, tmp_path):
    path = simple_workbook(tmp_path / "h.xlsx", [[1, "大洋电机项目", 1000, 500]])
    wb = openpyxl.load_workbook(path)
    hidden = wb.copy_worksheet(wb.active)
    hidden.title = "旧数据"
    hidden.sheet_state = "hidden"
    wb.save(path)
    pv = xlsx_import.read(builtin_db, path)
    assert [s.name for s in pv.sheets] == ["区级"] and ("旧数据", "隐藏的工作表") in pv.skipped_sheets


# -- bad files: a clear message and nothing changed ----------------------------------------------------------

def _bad_files(tmp_path):
    yield "text", (tmp_path / "a.xlsx").write_text("项目名称,完成\n甲,1\n", "utf-8") and tmp_path / "a.xlsx", \
        "不是 Excel 工作簿"
    (tmp_path / "e.xlsx").write_bytes(b"")
    yield "empty", tmp_path / "e.xlsx", "文件为空"
    (tmp_path / "p.xlsx").write_bytes(b"%PDF-1.4\n" + bytes(200))
    yield "pdf", tmp_path / "p.xlsx", "PDF"
    yield "encrypted", encrypted_lookalike(tmp_path / "enc.xlsx"), "文件已加密"
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    yield "xls", legacy, "另存为 .xlsx"
    yield "bomb", xml_bomb(tmp_path / "bomb.xlsx"), "XML 炸弹"
    with zipfile.ZipFile(tmp_path / "doc.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    yield "docx", tmp_path / "doc.xlsx", "Word 文档"
    good = simple_workbook(tmp_path / "good.xlsx", [[1, "大洋电机项目", 1000, 500]])
    (tmp_path / "cut.xlsx").write_bytes(good.read_bytes()[:600])
    yield "truncated", tmp_path / "cut.xlsx", "已损坏"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "123"])
    wb.save(tmp_path / "nohead.xlsx")
    yield "no header", tmp_path / "nohead.xlsx", "没有找到可识别的调度表表头"
    html = tmp_path / "web.xls"
    html.write_text("<html><table><tr><td>项目名称</td></tr></table></html>", "utf-8")
    yield "html", html, "网页"


def test_bad_files_are_refused_with_a_clear_message_and_nothing_changes(builtin_db, tmp_path):
    before = snapshot(builtin_db)
    for case, path, words in _bad_files(tmp_path):
        with pytest.raises(SpreadsheetRefused) as exc:
            xlsx_import.read(builtin_db, path)
        assert words in str(exc.value), (case, str(exc.value))
        assert str(exc.value).startswith("无法导入 "), case
    assert snapshot(builtin_db) == before


def test_bomb_is_refused_before_any_xml_parser_expands_it(tmp_path, monkeypatch):
    from db import spreadsheet

    called = []
    monkeypatch.setattr(spreadsheet, "_read_calamine", lambda *a: called.append(1))
    monkeypatch.setattr(spreadsheet, "_read_openpyxl", lambda *a: called.append(1))
    with pytest.raises(SpreadsheetRefused):
        spreadsheet.read(xml_bomb(tmp_path / "bomb.xlsx"))
    assert called == []


# -- cell readers -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("label, field", [
    ("项目名称", "name"), ("项目", "name"), ("项目（企业）名称", "name"),
    ("总投资", "total_investment"), ("总投资（万元）", "total_investment"), ("计划总投资", "total_investment"),
    ("年度计划投资", "annual_plan"), ("今年计划投资", "annual_plan"), ("2023年计划投资", "annual_plan"),
    ("年度投资计划", "annual_plan"),
    ("累计完成投资", "completed"), ("1-7月完成投资", "completed"), ("今年累计完成", "completed"),
    ("1—7月完成", "completed"), ("本月完成投资", "month_completed"),
    ("完成率", "completion_rate"), ("投资完成率(%)", "completion_rate"), ("工程量完成比例", "physical_progress"),
    ("责任单位", "responsible_unit"), ("牵头单位", "responsible_unit"),
    ("形象进度", "stage"), ("建设阶段", "stage"), ("本月进展", "progress_note"),
    ("计划开工时间", "start"), ("计划竣工时间", "finish"), ("报告期", "as_of"), ("截至日期", "as_of"),
    ("联系电话", None),
    ("开工以来累计完成投资", None), ("1-7月计划完成", None), ("备注", "note"), ("序号", "seq"),
])
def test_column_names_are_matched_by_meaning(label, field):
    assert classify(label).field == field


def test_units_and_months_in_headers():
    m = classify("2023年1-7月完成（亿元）")
    assert (m.field, m.unit, m.year, m.month) == ("completed", "亿元", 2023, 7)


@pytest.mark.parametrize("text, expected", [
    ("渝北区2023年区级重点项目投资完成情况调度表（截至7月31日）", dt.date(2023, 7, 31)),
    ("2023年1-9月重点项目调度", dt.date(2023, 9, 30)),
    ("重点项目调度表 2023.09", dt.date(2023, 9, 30)),
    ("2023年上半年重点项目", dt.date(2023, 6, 30)),
    ("截至2023年8月底", dt.date(2023, 8, 31)),
    ("重点项目调度表", None),
])
def test_as_of_from_titles(text, expected):
    assert title_date(text, 2023)[0] == expected


def test_money_cells():
    assert read_money("1,234", "万元").wan == 1234
    assert read_money("１２３４", "万元").wan == 1234
    assert read_money("3.2亿", "万元").wan == 32000
    assert read_money(12.5, "亿元").wan == 125000
    assert read_money("—", "万元") is None
    assert read_money(0.1 + 0.2, "亿元").wan == 3000 and not read_money(0.1 + 0.2, "亿元").rounded
    assert read_money(12.6, "万元").rounded
    for bad in ("约4000", "1.2.3", "-5", "nan", "inf"):
        with pytest.raises(CellError):
            read_money(bad, "万元")


def test_percent_and_date_cells():
    assert read_percent("55.6%", "points") == Fraction(556, 1000)
    assert read_percent("3/4", "points") == Fraction(3, 4)
    assert read_percent(0.556, "fraction") == Fraction(556, 1000)
    assert read_percent(55.6, "points") == Fraction(556, 1000)
    assert read_when(45199, None)[0] == dt.date(2023, 9, 30)
    assert read_when("2023年9月", None) == (dt.date(2023, 9, 30), "month")
    assert read_when("2023.09", None) == (dt.date(2023, 9, 30), "month")
    assert read_when(2023.09, None) == (dt.date(2023, 9, 30), "month")
    assert read_when(2025, None) == (dt.date(2025, 12, 31), "year")
    with pytest.raises(CellError):
        read_when(2023.1, None)
    with pytest.raises(CellError):
        read_when("2023-02-30", None)


def test_stage_words(builtin_db):
    stages = plan.stages(builtin_db)
    assert read_stage("主体结构施工至10层，预计年底投产", stages) == "主体施工"
    assert read_stage("尚未开工，正在办理用地手续", stages) == "前期"
    assert read_stage("已竣工投产", stages) == "投产"
    assert read_stage("情况良好", stages) is None


def test_import_ledger_names_the_file(builtin_db, tmp_path):
    path = messy_workbook(tmp_path / "调度表.xlsx")
    xlsx_import.apply(builtin_db, xlsx_import.read(builtin_db, path))
    (batch,) = ledger.batches(builtin_db)
    assert batch["kind"] == "xlsx" and batch["file_name"] == "调度表.xlsx"
    assert batch["file_sha256"] == ledger.file_sha256(path) and "新建项目 4 个" in batch["summary"]
    audit = builtin_db.query("SELECT action, summary FROM audit_log WHERE action = 'import.xlsx'")
    assert len(audit) == 1 and "调度表.xlsx" in audit[0]["summary"]


def test_apply_backs_the_database_up_first(builtin_db, tmp_path):
    from db import backups
    pv = xlsx_import.read(builtin_db, messy_workbook(tmp_path / "调度表.xlsx"))
    assert [b for b in backups.list_backups(builtin_db.path) if b.reason == "import"] == []
    projects_before = builtin_db.scalar("SELECT count(*) FROM project")
    xlsx_import.apply(builtin_db, pv)
    taken = [b for b in backups.list_backups(builtin_db.path) if b.reason == "import"]
    assert len(taken) == 1
    # The backup holds the data as it was before the import.
    import sqlite3
    copy = sqlite3.connect(taken[0].path)
    assert copy.execute("SELECT count(*) FROM project").fetchone()[0] == projects_before
    copy.close()


def test_a_new_project_with_an_unusable_name_is_skipped_with_the_reason(builtin_db, tmp_path):
    path = simple_workbook(tmp_path / "n.xlsx", [[1, "很长" * 101, 1000, 500], [2, "大洋电机项目", 1000, 600]])
    pv = xlsx_import.read(builtin_db, path)
    bad, good = pv.rows
    assert bad.status == "skipped" and bad.reason == "项目名称无法使用"
    assert any(p.field == "项目名称" and "太长" in p.reason for _, p in pv.problems)
    assert good.status == "matched"
