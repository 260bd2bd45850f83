"""Imports as careful as typing: dates, units, years, unreadable cells, plausibility, honest endings, 项目代码.

Each refusal: exit 2, one line on stderr naming both values, the database unchanged."""
from __future__ import annotations

import shutil
import re
import zipfile

import openpyxl
import pytest

from db import open_database, projects, updates, xlsx_import
from db.errors import ValidationError
from db.subjects import Subject
from desktop import cli
from tests.db.test_layouts import counts, held, import_xlsx, yubei  # noqa: F401  (fixture)
from tests.db.xlsx_fixtures import simple_workbook

HEADER = ["序号", "项目名称", "年度计划投资", "累计完成投资", "形象进度", "责任单位"]


def refused(capsys, path, db, *args) -> str:
    before = counts(db)
    assert import_xlsx(path, db, *args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert counts(db) == before
    return err


def test_a_year_the_database_has_not_is_refused_not_reported_as_nothing_new(yubei, tmp_path, capsys):
    path = simple_workbook(tmp_path / "y.xlsx", [[1, "大洋电机项目", 1000, 500, "开工", "区经信委"]],
                           title="渝北区2024年区级重点项目调度表（截至2024年3月31日）")
    err = refused(capsys, path, yubei)
    assert "表中是 2024 年的数据，数据库中没有这一计划年度（已有：2023 年）" in err


def test_a_title_date_that_does_not_exist_is_refused(yubei, tmp_path, capsys):
    path = simple_workbook(tmp_path / "d.xlsx", [[1, "大洋电机项目", 1000, 500, "开工", "区经信委"]],
                           title="渝北区2023年区级重点项目调度表（截至2023年2月30日）")
    err = refused(capsys, path, yubei)
    assert "标题中的日期“截至2023年2月30日”在日历上不存在（2023年2月没有30日）" in err


def test_title_and_header_months_that_disagree_are_refused_naming_both(yubei, tmp_path, capsys):
    path = simple_workbook(tmp_path / "c.xlsx", [[1, "大洋电机项目", 1000, 500]],
                           title="渝北区2023年区级重点项目调度表（截至6月30日）",
                           header=["序号", "项目名称", "年度计划投资", "1—7月完成投资"])
    err = refused(capsys, path, yubei)
    assert "标题写截至 2023-06-30（“截至6月30日”），表头“1—7月完成投资”写的是 7 月" in err


def test_as_of_that_contradicts_the_title_is_refused_naming_both(yubei, tmp_path, capsys):
    path = simple_workbook(tmp_path / "a.xlsx", [[1, "大洋电机项目", 1000, 500, "开工", "区经信委"]])
    err = refused(capsys, path, yubei, "--as-of", "2023-08-31")
    assert "标题中的日期“截至7月31日”（2023-07-31）与指定的截至日期 2023-08-31 不一致" in err


def test_yi_labelled_numbers_that_are_wan_are_refused_naming_the_column_and_both_readings(yubei, tmp_path, capsys):
    path = simple_workbook(tmp_path / "u.xlsx", [[1, "大洋电机项目", 80000, 32000, "开工", "区经信委"],
                                                 [2, "金康赛力斯龙兴工厂", 200000, 150000, "开工", "区经信委"]],
                           unit="单位：亿元")
    err = refused(capsys, path, yubei)
    assert ("“年度计划投资”列（C 列）单位行写明亿元，但数字像是万元：第 5 行 200000 按亿元读是 200,000 亿元，"
            "按万元读是 20 亿元") in err


def _with_bad_cells(path):
    """A sheet whose completed cells hold a formula never calculated (C4) and an error value (C5)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "区级"
    ws.append(["渝北区2023年区级重点项目调度表（截至7月31日）"])
    ws.append(["序号", "项目名称", "累计完成投资", "形象进度"])
    ws.append([1, "大洋电机项目", 500, "开工"])
    ws.append([2, "金康赛力斯龙兴工厂", "=C3*2", "开工"])
    ws.append([3, "宏捷盛汽车零部件项目", "=C3/0", "开工"])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        data = {n: z.read(n) for n in z.namelist()}
    sheet = data["xl/worksheets/sheet1.xml"].decode()
    # openpyxl writes an empty value as <v /> with its own XML writer and as <v></v> when lxml is installed
    sheet = re.sub(r'<c r="C5"><f>C3/0</f><v ?/>|<c r="C5"><f>C3/0</f><v></v>',
                   '<c r="C5" t="e"><f>C3/0</f><v>#DIV/0!</v>', sheet)
    assert "#DIV/0!" in sheet
    data["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, blob in data.items():
            z.writestr(name, blob)
    return path


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_error_cells_and_unsaved_formulas_are_counted_and_listed(builtin_db, tmp_path, reader):
    pv = xlsx_import.read(builtin_db, _with_bad_cells(tmp_path / "e.xlsx"), reader=reader)
    found = [(p.row, p.column, p.value, p.reason[:10]) for _, p in pv.problems]
    assert found == [(4, "C", "公式：C3*2", "公式没有保存计算结果"), (5, "C", "#DIV/0!", "单元格是错误值 #D")]
    assert "无法读取的单元格 2 个" in "\n".join(xlsx_text(pv))


def xlsx_text(pv):
    from desktop import import_text
    return import_text.xlsx_report(pv)


def test_plausibility_warnings_use_the_words_of_record_and_refuse_unless_accepted(yubei, tmp_path, capsys):
    db = open_database(yubei)
    pid = projects.find(db, "大洋电机项目")["id"]
    updates.record(db, Subject("project", pid), "completed", "2023-07-31", value=32_000)
    db.close()
    # What `record` says for the same figure (on a copy: it refuses and writes nothing anyway).
    copy = str(tmp_path / "copy.db")
    shutil.copy(yubei, copy)
    assert cli.run(["record", "--db", copy, "--project", "大洋电机项目", "--as-of", "2023-08-31",
                    "--completed-yi", "3.0"]) == 2
    # The copy first gets its own exchange identity (a notice line); the refusal is the last line.
    said = capsys.readouterr().err.strip().splitlines()[-1].split("：", 1)[1].split("（核实无误")[0]
    assert said == "［累计数下降］年度累计从上月的 3.2 亿元降到 3.0 亿元：累计数不应下降"
    path = simple_workbook(tmp_path / "p.xlsx", [[1, "大洋电机项目", None, 30000, None, None]],
                           title="2023年区级重点项目调度表（截至2023年8月31日）")
    before = counts(yubei)
    assert import_xlsx(path, yubei) == 2
    captured = capsys.readouterr()
    assert f"  工作表“区级” 第 4 行 大洋电机项目：{said}" in captured.out
    assert "--accept-warnings" in captured.err and counts(yubei) == before
    assert import_xlsx(path, yubei, "--accept-warnings", "核减重复统计") == 0
    assert held(yubei, "大洋电机项目", "2023-08-31")["completed"] == 30_000
    db = open_database(yubei)
    try:
        assert db.query("SELECT code, reason FROM accepted_warning") == [{"code": "ytd_down", "reason": "核减重复统计"}]
    finally:
        db.close()


def test_skipped_rows_are_counted_in_the_last_line_and_all_skipped_exits_2(yubei, tmp_path, capsys):
    long_name = "很长" * 101
    some = simple_workbook(tmp_path / "s.xlsx", [[1, long_name, 1000, 500], [2, "大洋电机项目", 1000, 600]])
    assert import_xlsx(some, yubei) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("已导入：") and last.endswith("；跳过 1 行（项目名称无法使用 1 行）")
    every = simple_workbook(tmp_path / "e.xlsx", [[1, long_name, 1000, 500], [2, "短" + long_name, 1000, 600]])
    err = refused(capsys, every, yubei)
    assert err.endswith("未导入：2 行全部跳过，没有可导入的行（项目名称无法使用 2 行）")


# -- 项目代码 --------------------------------------------------------------------------------------------------------

CODE = "2301-500112-04-01-123456"


def test_a_project_code_is_validated_unique_in_a_year_and_editable(builtin_db):
    pid = projects.find(builtin_db, "大洋电机项目")["id"]
    assert projects.edit(builtin_db, pid, code="２３０１－５００１１２－０４－０１－１２３４５６") == {"code": (None, CODE)}
    other = projects.find(builtin_db, "金康赛力斯龙兴工厂")["id"]
    with pytest.raises(ValidationError) as exc:
        projects.edit(builtin_db, other, code=CODE)
    assert "已是项目“大洋电机项目”的代码" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        projects.edit(builtin_db, other, code="2313-500112-04-01-123456")
    assert "“2313”两者都不是" in str(exc.value)
    assert projects.edit(builtin_db, other, code="YB-2023-015") == {"code": (None, "YB-2023-015")}
    assert projects.edit(builtin_db, pid, code=None) == {"code": (CODE, None)}


def test_rows_match_by_code_before_name(builtin_db, tmp_path):
    pid = projects.find(builtin_db, "大洋电机项目")["id"]
    projects.edit(builtin_db, pid, code=CODE)
    header = ["项目代码", "项目名称", "累计完成投资"]
    path = simple_workbook(tmp_path / "c.xlsx", [[CODE, "大洋电机（重庆）有限公司电机项目", 700],
                                                 ["2301-500112-04-01-999999", "金康赛力斯龙兴工厂", 800],
                                                 ["2301-5001-04-01-1", "宏捷盛汽车零部件项目", 900]],
                           header=header)
    pv = xlsx_import.read(builtin_db, path)
    renamed, coded, bad = pv.rows
    assert renamed.status == "matched" and renamed.project_id == pid
    assert f"按项目代码 {CODE} 对应到数据库中的“大洋电机项目”（表中名称为“大洋电机（重庆）有限公司电机项目”）" in renamed.warnings
    # A project without a code gets the sheet's; a malformed national code is an unreadable cell, the row imports.
    assert [(c.key, c.after) for c in coded.changes if c.key == "code"] == [("code", "2301-500112-04-01-999999")]
    assert [(p.column, p.field) for p in bad.problems] == [("A", "项目代码")] and bad.status == "matched"
    xlsx_import.apply(builtin_db, pv)
    assert projects.find(builtin_db, "金康赛力斯龙兴工厂")["code"] == "2301-500112-04-01-999999"
    assert updates.standing(builtin_db, Subject("project", pid), "completed", "2023-07-31")["value"] == 700
    # The same name under another code is not the same project: skipped with both codes named.
    clash = simple_workbook(tmp_path / "x.xlsx", [["2301-500112-04-01-555555", "大洋电机项目", 710]], header=header)
    (row,) = xlsx_import.read(builtin_db, clash).rows
    assert row.status == "skipped" and row.reason == (
        f"项目代码不一致：表中为 2301-500112-04-01-555555，数据库中“大洋电机项目”为 {CODE}")


def test_month_and_year_to_date_agree_within_the_rounding_of_amounts_below_wan(builtin_db, tmp_path):
    """亿元 with five decimals round to 万元 on reading: July's 1.23455 亿元 (stored 12,346 万元) + 0.10005 亿元
    (read 1,001 万元) = 1.3346 亿元 (13,346 万元) is not a disagreement, though 12,346 + 1,001 ≠ 13,346."""
    pid = projects.find(builtin_db, "大洋电机项目")["id"]
    updates.record(builtin_db, Subject("project", pid), "completed", "2023-07-31", value=12_346)
    header = ["项目名称", "本月完成（亿元）", "年度累计（亿元）"]
    ok = simple_workbook(tmp_path / "r.xlsx", [["大洋电机项目", 0.10005, 1.3346]], header=header,
                         title="2023年区级重点项目调度表（截至2023年8月31日）", unit="")
    (row,) = xlsx_import.read(builtin_db, ok).rows
    assert row.checks == [] and row.values["completed"] == 13_346
    off = simple_workbook(tmp_path / "o.xlsx", [["大洋电机项目", 0.10005, 1.3446]], header=header,
                          title="2023年区级重点项目调度表（截至2023年8月31日）", unit="")
    (row,) = xlsx_import.read(builtin_db, off).rows
    assert [w.code for w in row.checks] == ["month_ytd"]


def test_completed_ten_thousand_times_the_plan_is_refused_like_typing(yubei, tmp_path, capsys):
    path = simple_workbook(tmp_path / "k.xlsx", [[1, "大洋电机项目", 8000, 80_000_000, "开工", "区经信委"]])
    before = counts(yubei)
    assert import_xlsx(path, yubei) == 2
    captured = capsys.readouterr()
    listed = [line for line in captured.out.splitlines() if line.startswith("  工作表“区级” 第 4 行 大洋电机项目：［")]
    assert [line.split("：", 1)[1].split("］")[0] for line in listed] == ["［远超年度计划", "［数量级异常"]
    assert "共 2 条提醒" in captured.err and counts(yubei) == before
