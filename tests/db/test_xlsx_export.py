"""Export of the 调度表: the layout a printer and a reader expect, neutralised text, and the round trip."""
from __future__ import annotations

import openpyxl
import pytest

from db import projects, xlsx_export, xlsx_import
from tests.db.xlsx_fixtures import messy_workbook


@pytest.fixture
def exported(builtin_db, tmp_path):
    xlsx_import.apply(builtin_db, xlsx_import.read(builtin_db, messy_workbook(tmp_path / "in.xlsx")))
    result = xlsx_export.export(builtin_db, tmp_path / "out.xlsx", as_of="2023-07-31")
    return result, openpyxl.load_workbook(result.path)


def test_layout_title_unit_two_row_header_sections_and_total(exported):
    result, wb = exported
    ws = wb.active
    assert ws["A1"].value == "渝北区2023年重点项目投资完成情况调度表（截至2023年7月31日）"
    assert "A1:O1" in ws.merged_cells and ws["O2"].value == "单位：万元"
    assert [ws.cell(3, c).value for c in range(1, 6)] == ["序号", "项目名称", "项目代码", "责任单位", "总投资"]
    assert ws["F3"].value == "2023年" and "F3:H3" in ws.merged_cells
    assert [ws["F4"].value, ws["G4"].value, ws["H4"].value] == ["年度计划投资", "1—7月完成投资", "完成率"]
    assert "B3:B4" in ws.merged_cells and "I3:I4" in ws.merged_cells
    assert ws["C3"].value == "项目代码" and "C3:C4" in ws.merged_cells
    col_a = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1)]
    assert col_a[0] == "一、区级重点项目（11个）"
    assert "二、市级重大项目（6个）" in col_a
    assert any(isinstance(v, str) and v.startswith("（一）智能网联新能源汽车") for v in col_a)
    assert result.projects == 17
    last = ws.max_row
    assert ws.cell(last, 2).value == "合计"
    assert ws.cell(last, 5).value == f"=SUM(E5:E{last - 1})"
    assert ws.cell(last, 6).value == f"=SUM(F5:F{last - 1})"
    assert ws.cell(last, 7).value == f"=SUM(G5:G{last - 1})"
    assert ws.cell(last, 8).value.startswith(f"=IF(F{last}>0")


def test_numbers_formats_and_print_setup(exported):
    _, wb = exported
    ws = wb.active
    row = next(r for r in range(5, ws.max_row) if ws.cell(r, 2).value == "金康赛力斯龙兴工厂")
    assert ws.cell(row, 6).value == 200_000 and ws.cell(row, 6).number_format == "#,##0"
    assert ws.cell(row, 7).value == 150_000
    assert ws.cell(row, 8).number_format == "0.0%" and ws.cell(row, 8).value.startswith("=IF(")
    jinshan = next(r for r in range(5, ws.max_row) if ws.cell(r, 2).value == "金山—明月山500千伏线路工程")
    assert ws.cell(jinshan, 10).value == 0.6 and ws.cell(jinshan, 10).number_format == "0.0%"
    assert ws.cell(3, 11).value == "本月进展" and ws.cell(row, 11).value == "二期厂房设备安装"
    assert ws.freeze_panes == "C5"
    assert ws.print_title_rows == "$3:$4"
    assert ws.print_area == f"'调度表'!$A$1:$O${ws.max_row}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (9, "9")
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width == 34 and ws.column_dimensions["A"].width == 6


def test_text_a_spreadsheet_could_run_is_neutralised(builtin_db, tmp_path):
    pid = projects.find(builtin_db, "大洋电机项目")["id"]
    projects.edit(builtin_db, pid, responsible_unit="@SUM(1+1)", note='=HYPERLINK("http://x","点我")')
    projects.create(builtin_db, portfolio_id=1, name="-2+3 测试项目")
    path = xlsx_export.export(builtin_db, tmp_path / "o.xlsx").path
    ws = openpyxl.load_workbook(path).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("'@SUM(1+1)", "'=HYPERLINK(\"http://x\",\"点我\")", "'-2+3 测试项目"):
        assert text in cells and cells[text].data_type == "s"
    formulas = [c.value for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert all(f.startswith(("=SUM(", "=IF(")) for f in formulas)
    # Reading it back gives the names as they were: the apostrophe is ours, not part of the data.
    pv = xlsx_import.read(builtin_db, path)
    assert pv.nothing_to_do
    assert any(r.name == "-2+3 测试项目" and r.status == "matched" for r in pv.rows)


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
@pytest.mark.parametrize("as_of", ["2023-06-30", "2023-07-31"])
def test_reimporting_an_export_records_nothing(builtin_db, tmp_path, reader, as_of):
    xlsx_import.apply(builtin_db, xlsx_import.read(builtin_db, messy_workbook(tmp_path / "in.xlsx")))
    before = builtin_db.scalar("SELECT count(*) FROM progress_update") + builtin_db.scalar(
        "SELECT count(*) FROM target")
    path = xlsx_export.export(builtin_db, tmp_path / "out.xlsx", as_of=as_of).path
    pv = xlsx_import.read(builtin_db, path, reader=reader)
    assert pv.problems == [] and not pv.skipped_rows
    assert pv.nothing_to_do, [(r.name, r.changes) for r in pv.rows if r.changes]
    assert xlsx_import.apply(builtin_db, pv).nothing_new
    after = builtin_db.scalar("SELECT count(*) FROM progress_update") + builtin_db.scalar("SELECT count(*) FROM target")
    assert after == before


def test_export_is_written_whole_or_not_at_all(builtin_db, tmp_path):
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(xlsx_export.ExportCancelled):
        xlsx_export.export(builtin_db, out, cancelled=lambda: True)
    assert out.read_bytes() == b"old" and not (tmp_path / "o.xlsx.part").exists()


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_open_problems_are_in_the_problem_column_and_reimport_to_nothing_new(builtin_db, tmp_path, reader):
    from db import problems
    pid = projects.find(builtin_db, "金康赛力斯龙兴工厂")["id"]
    problems.add(builtin_db, project_id=pid, text="用地指标未落实", category="用地", owner="区规划自然资源局",
                 due="2023-08-31", raised="2023-06-30")
    gone = problems.add(builtin_db, project_id=pid, text="资金未到位", due="2023-08-31", raised="2023-06-30")
    problems.resolve(builtin_db, gone.problem_id, "已拨付", on="2023-07-15")
    path = xlsx_export.export(builtin_db, tmp_path / "out.xlsx", as_of="2023-06-30").path
    ws = openpyxl.load_workbook(path).active
    assert ws["O3"].value == "存在问题"
    row = next(r for r in range(5, ws.max_row) if ws.cell(r, 2).value == "金康赛力斯龙兴工厂")
    assert ws.cell(row, 15).value == "用地指标未落实（责任：区规划自然资源局，整改时限 2023-08-31）；资金未到位（整改时限 2023-08-31）"
    july = openpyxl.load_workbook(xlsx_export.export(builtin_db, tmp_path / "jul.xlsx", as_of="2023-07-31").path).active
    row = next(r for r in range(5, july.max_row) if july.cell(r, 2).value == "金康赛力斯龙兴工厂")
    assert july.cell(row, 15).value == "用地指标未落实（责任：区规划自然资源局，整改时限 2023-08-31）"
    before = (builtin_db.scalar("SELECT count(*) FROM progress_update"), builtin_db.scalar(
        "SELECT count(*) FROM project_issue"), builtin_db.scalar("SELECT count(*) FROM progress_note"))
    pv = xlsx_import.read(builtin_db, path, reader=reader)
    assert pv.problems == [] and pv.nothing_to_do, [(r.name, r.changes) for r in pv.rows if r.changes]
    assert xlsx_import.apply(builtin_db, pv).nothing_new
    assert (builtin_db.scalar("SELECT count(*) FROM progress_update"), builtin_db.scalar(
        "SELECT count(*) FROM project_issue"), builtin_db.scalar("SELECT count(*) FROM progress_note")) == before
