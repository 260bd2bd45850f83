"""The corpus of real-world 调度表 layouts (tests/data/layouts.py): each imports exactly its figures, through the
same command a clerk runs; the platform export of issue 21 and its variants; refusals that keep the database."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from db import open_database, portfolios, projects, targets, updates
from db.subjects import Subject
from desktop import cli
from tests.data import layouts

ROOT = Path(__file__).resolve().parents[2]


def counts(path) -> dict[str, int]:
    db = open_database(path)
    try:
        return {t: db.scalar("SELECT count(*) FROM " + t) for t in (
            "project", "progress_update", "target", "audit_log", "import_batch", "accepted_warning")}
    finally:
        db.close()


@pytest.fixture
def yubei(tmp_path, capsys) -> str:
    """A database file holding the built-in dataset, made by the command line."""
    path = str(tmp_path / "x.db")
    assert cli.run(["summary", "--db", path]) == 0
    capsys.readouterr()
    return path


def held(path: str, name: str, as_of: str) -> dict:
    """What the database holds for a project at a date, in the words of Layout.expected."""
    db = open_database(path)
    try:
        p = projects.find(db, name)
        subject = Subject("project", p["id"])
        completed = updates.standing(db, subject, "completed", as_of)
        stage = updates.standing(db, subject, "stage", as_of)
        level = db.scalar("SELECT level FROM portfolio WHERE id = ?", (p["portfolio_id"],))
        return {"level": level, "code": p["code"],
                "annual_plan": targets.value(db, subject, "annual_plan", as_of),
                "completed": completed["value"] if completed else None,
                "stage": stage["text_value"] if stage else None}
    finally:
        db.close()


def import_xlsx(path, db, *args) -> int:
    return cli.run(["import-xlsx", str(path), "--db", db, *args])


@pytest.mark.parametrize("layout", layouts.LAYOUTS, ids=lambda lay: lay.key)
def test_each_layout_imports_exactly_its_figures(layout, yubei, tmp_path, capsys):
    if layout.before:
        assert import_xlsx(layouts.write(layout.before, tmp_path), yubei) == 0
    path = layouts.write(layout.key, tmp_path)
    assert import_xlsx(path, yubei, *layout.args) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "已导入：" in out.splitlines()[-1]
    for name, want in layout.expected.items():
        got = held(yubei, name, layout.as_of)
        assert {k: got[k] for k in want} == want, name
    # The same file again records nothing.
    before = counts(yubei)
    assert import_xlsx(path, yubei, *layout.args) == 0
    assert "没有新的数据" in capsys.readouterr().out and counts(yubei) == before


def test_the_corpus_has_eight_distinct_documented_layouts():
    assert len({lay.build for lay in layouts.LAYOUTS}) >= 8
    assert all(len(lay.seen) >= 10 and lay.expected for lay in layouts.LAYOUTS)


# -- the platform export of issue 21 -----------------------------------------------------------------------------

def test_platform_export_through_the_real_command(yubei, tmp_path):
    """3 new 区级重点 and 1 市级重大 project, plans, year-to-date from 年度累计 (not the 8月 column), codes kept."""
    path = layouts.write("platform-august", tmp_path)
    dry = subprocess.run([sys.executable, "-m", "desktop", "import-xlsx", str(path), "--db", yubei, "--dry-run"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert "完成投资：年度累计读自 I 列“年度累计完成投资（万元）”，本月读自 H 列“8月完成投资（万元）”，两者相互核对" \
        in dry.stdout
    assert "第 3 行 渝北数字经济产业园一期 —— 新项目：新建项目 渝北数字经济产业园一期（区级重点）；" \
           "项目代码 （无） → 2301-500112-04-01-100011" in dry.stdout
    assert "累计完成投资 （无） → 21,000 万元" in dry.stdout and "累计完成投资 （无） → 2,500 万元" not in dry.stdout
    run = subprocess.run([sys.executable, "-m", "desktop", "import-xlsx", str(path), "--db", yubei], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].startswith("已导入：新建项目 4 个，记录更新 8 条，调整年度计划 4 个")
    db = open_database(yubei)
    try:
        new = db.query("SELECT p.name, pf.level, p.code, p.total_investment_wan FROM project p"
                       " JOIN portfolio pf ON pf.id = p.portfolio_id WHERE p.code IS NOT NULL ORDER BY p.id")
    finally:
        db.close()
    assert [r["level"] for r in new] == ["district", "district", "district", "city"]
    assert [r["total_investment_wan"] for r in new] == [125_000, 82_000, 150_000, 456_000]  # 总投资（亿元）
    assert held(yubei, "空港新城人才公寓", "2023-08-31")["completed"] == 12_600


def test_month_only_variant_records_the_month_on_top_of_july(yubei, tmp_path, capsys):
    assert import_xlsx(layouts.write("platform-july", tmp_path), yubei) == 0
    capsys.readouterr()
    assert import_xlsx(layouts.write("platform-july-then-month-only", tmp_path), yubei) == 0
    out = capsys.readouterr().out
    assert "完成投资：只有本月完成额：读自 H 列“8月完成投资（万元）”，年度累计由上月累计加本月推算" in out
    assert "累计完成投资由上月累计 71,000 万元加本月 9,000 万元推算" in out
    assert held(yubei, "两江国际商务中心综合交通枢纽", "2023-07-31")["completed"] == 71_000
    assert held(yubei, "两江国际商务中心综合交通枢纽", "2023-08-31")["completed"] == 80_000


def test_disagreeing_month_and_year_to_date_are_listed_row_by_row_and_refused(yubei, tmp_path, capsys):
    assert import_xlsx(layouts.write("platform-july", tmp_path), yubei) == 0
    capsys.readouterr()
    path = layouts.write("platform-august", tmp_path).rename(tmp_path / "disagree.xlsx")
    layouts.platform_august_disagreeing(path)
    before = counts(yubei)
    assert import_xlsx(path, yubei) == 2
    captured = capsys.readouterr()
    listed = [line for line in captured.out.splitlines() if line.startswith("  工作表") and "本月与累计不符" in line]
    assert listed == [
        "  工作表“投资完成情况” 第 4 行 空港新城人才公寓：［本月与累计不符］与累计数不一致：上月累计（2023-07-31）10,800 万元"
        " + 本月 1,800 万元 = 12,600 万元，表中年度累计为 13,000 万元（相差 +400 万元）",
        "  工作表“投资完成情况” 第 6 行 两江国际商务中心综合交通枢纽：［本月与累计不符］与累计数不一致：上月累计（2023-07-31）"
        "71,000 万元 + 本月 9,000 万元 = 80,000 万元，表中年度累计为 79,000 万元（相差 -1,000 万元）"]
    assert len(captured.err.strip().splitlines()) == 1 and "--accept-warnings" in captured.err
    assert counts(yubei) == before
    # Accepted with a reason: the year-to-date column is what is recorded, and the reason is kept beside it.
    assert import_xlsx(path, yubei, "--accept-warnings", "平台8月数据已核实") == 0
    assert held(yubei, "空港新城人才公寓", "2023-08-31")["completed"] == 13_000
    db = open_database(yubei)
    try:
        rows = db.query("SELECT code, reason FROM accepted_warning ORDER BY id")
    finally:
        db.close()
    assert rows == [{"code": "month_ytd", "reason": "平台8月数据已核实"}] * 2


def test_a_level_no_portfolio_has_is_listed_and_refused_without_portfolio(yubei, tmp_path, capsys):
    path = layouts.write("national-code", tmp_path)
    before = counts(yubei)
    assert import_xlsx(path, yubei) == 2
    captured = capsys.readouterr()
    assert ("第 5 行 重庆临空经济示范区综合管廊 —— 跳过：新项目，项目级别“省级重点”不能对应到数据库中的项目盘子"
            "（区级重点、市级重大）") in captured.out
    assert "1 个新项目无法确定放入哪个项目盘子（第 5 行），请用 --portfolio" in captured.err
    assert counts(yubei) == before
    assert import_xlsx(path, yubei, "--portfolio", "没有这个盘子") == 2
    assert "没有名为“没有这个盘子”的项目盘子" in capsys.readouterr().err
