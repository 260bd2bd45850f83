"""The import-xlsx, export-xlsx and exchange commands: their output, exit codes and one-line refusals."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from db import open_database, projects, updates
from db.subjects import Subject
from desktop import cli
from tests.db.xlsx_fixtures import messy_workbook, simple_workbook

ROOT = Path(__file__).resolve().parents[2]


def counts(path):
    db = open_database(path)
    try:
        return {t: db.scalar("SELECT count(*) FROM " + t) for t in ("project", "progress_update", "target",
                                                                     "audit_log", "import_batch")}
    finally:
        db.close()


def test_import_xlsx_dry_run_reports_and_writes_nothing(tmp_path, capsys):
    db = str(tmp_path / "x.db")
    assert cli.run(["summary", "--db", db]) == 0
    before = counts(db)
    capsys.readouterr()
    assert cli.run(["import-xlsx", str(messy_workbook(tmp_path / "调度表.xlsx")), "--db", db, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "工作表“区级”：表头 第 3–4 行；截至 2023-07-31（标题：截至7月31日）；单位 万元" in out
    assert "第 7 行 金康赛力斯 龙兴工厂 —— 已有项目“金康赛力斯龙兴工厂”：" in out
    assert "累计完成投资 （无） → 150,000 万元" in out
    assert "第 9 行 新能源电池材料项目 —— 新项目：新建项目 新能源电池材料项目（区级重点）" in out
    assert "工作表“区级” 第 12 行 E 列（累计完成投资）“约4000”：不是有效的数字" in out
    assert "共 9 行有变化：新建项目 4 个，记录更新 17 条" in out
    assert "（--dry-run：没有写入数据库）" in out
    assert counts(db) == before


def test_import_xlsx_applies_once(tmp_path, capsys):
    db = str(tmp_path / "x.db")
    path = str(messy_workbook(tmp_path / "调度表.xlsx"))
    assert cli.run(["import-xlsx", path, "--db", db]) == 0
    assert "已导入：新建项目 4 个，记录更新 17 条" in capsys.readouterr().out
    after = counts(db)
    assert cli.run(["import-xlsx", path, "--db", db]) == 0
    out = capsys.readouterr().out
    assert "没有新的数据，未记录任何内容" in out and "这个文件已于" in out
    assert counts(db) == after


def test_import_xlsx_refusals_are_one_line_exit_2(tmp_path):
    db = str(tmp_path / "x.db")
    (tmp_path / "note.xlsx").write_text("hello", "utf-8")
    undated = simple_workbook(tmp_path / "undated.xlsx", [[1, "大洋电机项目", 100, 50]], title="", sheet="Sheet1")
    for args, words in (
        (["import-xlsx", str(tmp_path / "note.xlsx"), "--db", db], "不是 Excel 工作簿"),
        (["import-xlsx", str(undated), "--db", db], "无法确定截至日期"),
        (["import-xlsx", str(undated), "--db", db, "--as-of", "2023-02-30"], "截至日期"),
        (["export-xlsx", str(tmp_path / "out.txt"), "--db", db], ".xlsx"),
    ):
        out = subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 2, (args, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1 and words in out.stderr, out.stderr


def test_undated_sheet_with_as_of(tmp_path, capsys):
    db = str(tmp_path / "x.db")
    undated = simple_workbook(tmp_path / "undated.xlsx", [[1, "大洋电机项目", 100, 50]], title="", sheet="区级")
    assert cli.run(["import-xlsx", str(undated), "--db", db, "--as-of", "2023-08-31"]) == 0
    d = open_database(db)
    row = updates.standing(d, Subject("project", projects.find(d, "大洋电机项目")["id"]), "completed", "2023-08-31")
    assert row["value"] == 50 and row["as_of"] == "2023-08-31"
    d.close()


def test_export_then_reimport_records_nothing(tmp_path, capsys):
    db = str(tmp_path / "x.db")
    assert cli.run(["import-xlsx", str(messy_workbook(tmp_path / "in.xlsx")), "--db", db]) == 0
    out_file = tmp_path / "调度表-导出.xlsx"
    assert cli.run(["export-xlsx", str(out_file), "--db", db, "--as-of", "2023-07-31"]) == 0
    assert f"已导出 17 个项目（截至 2023-07-31）到 {out_file}" in capsys.readouterr().out
    before = counts(db)
    assert cli.run(["import-xlsx", str(out_file), "--db", db]) == 0
    assert "没有新的数据" in capsys.readouterr().out
    assert counts(db) == before


def test_exchange_conflict_refused_without_prefer(tmp_path, capsys):
    office, unit = str(tmp_path / "office.db"), str(tmp_path / "unit.db")
    for path, value in ((office, 30_000), (unit, 31_000)):
        assert cli.run(["summary", "--db", path]) == 0
        d = open_database(path)
        pid = projects.find(d, "大洋电机项目")["id"]
        projects.edit(d, pid, responsible_unit="区经信委")
        updates.record(d, Subject("project", pid), "completed", "2023-07-31", value=value)
        d.close()
    capsys.readouterr()
    ptx = str(tmp_path / "unit.ptx")
    assert cli.run(["exchange", "export", ptx, "--unit", "区经信委", "--db", unit]) == 0
    assert "已导出交换包" in capsys.readouterr().out
    before = counts(office)
    assert cli.run(["exchange", "import", ptx, "--db", office, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "冲突（1 处" in out and "本机：  30,000 万元" in out and "交换包：31,000 万元" in out
    assert cli.run(["exchange", "import", ptx, "--db", office]) == 2
    captured = capsys.readouterr()
    assert "有 1 处冲突，未导入任何数据" in captured.err and len(captured.err.strip().splitlines()) == 1
    assert counts(office) == before
    assert cli.run(["exchange", "import", ptx, "--db", office, "--prefer", "theirs"]) == 0
    assert "已导入：记录更新 1 条" in capsys.readouterr().out
    d = open_database(office)
    assert updates.standing(d, Subject("project", projects.find(d, "大洋电机项目")["id"]), "completed",
                            "2023-07-31")["value"] == 31_000
    d.close()
    assert cli.run(["exchange", "import", ptx, "--db", office]) == 0
    assert "没有新的数据" in capsys.readouterr().out
