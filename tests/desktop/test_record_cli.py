"""`policytrack record`: success, every kind of refusal with its one-line message, exit codes, nothing changed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from db import auditlog, open_database, plan, portfolios, projects, updates
from db.subjects import Subject
from desktop import cli

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("progress_update", "progress_note", "project_issue", "accepted_warning", "audit_log", "project")


@pytest.fixture
def dbfile(tmp_path):
    """A database with the built-in dataset, closed so the command opens it as a script would."""
    path = tmp_path / "yubei.db"
    db = cli.open_for_cli(str(path))
    db.close()
    return path


def snapshot(path):
    db = open_database(path)
    try:
        return {t: db.query("SELECT * FROM " + t + " ORDER BY id") for t in TABLES}
    finally:
        db.close()


def record(path, *args):
    return cli.run(["record", "--db", str(path), *args])


def standing(path, name, metric, date):
    db = open_database(path)
    try:
        pid = projects.find(db, name)["id"]
        return updates.standing(db, Subject("project", pid), metric, date)
    finally:
        db.close()


def test_project_year_to_date_and_stage(dbfile, capsys):
    code = record(dbfile, "--project", "长安汽车渝北新工厂", "--as-of", "2023-07-31", "--completed-yi", "12.5",
                  "--stage", "试生产", "--note", "据区经信委报送")
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.out.strip() == "已记录：长安汽车渝北新工厂（截至 2023-07-31）累计完成投资 12.5 亿元；形象进度 试生产"
    row = standing(dbfile, "长安汽车渝北新工厂", "completed", "2023-07-31")
    assert (row["value"], row["note"], row["source_kind"]) == (125_000, "据区经信委报送", "cli")
    assert standing(dbfile, "长安汽车渝北新工厂", "stage", "2023-07-31")["text_value"] == "试生产"


def test_project_month_amount_is_added_to_last_month(dbfile, capsys):
    assert record(dbfile, "--project", "长安汽车渝北新工厂", "--as-of", "2023-07-31", "--completed-yi", "12.5") == 0
    assert record(dbfile, "--project", "1", "--as-of", "2023-08-31", "--month-yi", "2.3") == 0
    assert "累计完成投资 14.8 亿元（本月 2.3 亿元）" in capsys.readouterr().out
    assert standing(dbfile, "长安汽车渝北新工厂", "completed", "2023-08-31")["value"] == 148_000


def test_indicator_actual(dbfile, capsys):
    assert record(dbfile, "--indicator", "新培育科技型中小企业", "--as-of", "2023-07-31", "--actual", "372") == 0
    assert capsys.readouterr().out.strip() == "已记录：新培育科技型中小企业（截至 2023-07-31）实际值 372家"
    assert record(dbfile, "--indicator", "全社会研发投入", "--as-of", "2023-07-31", "--actual", "100.5") == 0
    assert "实际值 100.5亿元" in capsys.readouterr().out


def test_warning_refuses_until_accepted_with_a_reason(dbfile, capsys):
    assert record(dbfile, "--project", "长安汽车渝北新工厂", "--as-of", "2023-07-31", "--completed-yi", "12.5") == 0
    capsys.readouterr()
    before = snapshot(dbfile)
    code = record(dbfile, "--project", "长安汽车渝北新工厂", "--as-of", "2023-08-31", "--completed-yi", "12.5")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "［与上月相同］" in err[0] and "--accept-warning" in err[0]
    assert snapshot(dbfile) == before
    code = record(dbfile, "--project", "长安汽车渝北新工厂", "--as-of", "2023-08-31", "--completed-yi", "12.5",
                  "--accept-warning", "8月设备安装款未结算")
    assert code == 0 and "已确认提示：与上月相同" in capsys.readouterr().out
    db = open_database(dbfile)
    try:
        [entry] = auditlog.search(db, text="8月设备安装款未结算")
        assert entry["action"] == "warning.accept" and entry["entity_name"] == "长安汽车渝北新工厂"
    finally:
        db.close()


def _ambiguous(path):
    db = open_database(path)
    try:
        py = plan.current_plan_year(db)["id"]
        district = portfolios.by_level(db, py, "district")["id"]
        projects.create(db, portfolio_id=district, name="洛碛物流项目")  # the city portfolio has one too
    finally:
        db.close()


REFUSALS = [
    (["--project", "不存在的项目", "--as-of", "2023-07-31", "--completed-yi", "1"], "找不到重点项目：不存在的项目"),
    (["--project", "洛碛物流项目", "--as-of", "2023-07-31", "--completed-yi", "1"],
     "有 2 个项目叫“洛碛物流项目”，请用编号"),
    (["--project", "1", "--as-of", "2023-02-29", "--completed-yi", "1"], "「截至日期」不是日历上存在的日期"),
    (["--project", "1", "--as-of", "2023-13-01", "--completed-yi", "1"], "「截至日期」"),
    (["--project", "1", "--as-of", "07/31/2023", "--completed-yi", "1"], "「截至日期」不是有效的日期"),
    (["--project", "1", "--as-of", "2024-01-31", "--completed-yi", "1"], "没有 2024 年的计划年度"),
    (["--project", "1", "--as-of", "2023-07-31", "--completed-yi", "12,5"], "「累计完成投资」不是有效的数字"),
    (["--project", "1", "--as-of", "2023-07-31", "--completed-yi", "nan"], "「累计完成投资」不是有效的数字"),
    (["--project", "1", "--as-of", "2023-07-31", "--month-yi", "-3"], "「本月完成投资」不能为负数"),
    (["--project", "1", "--as-of", "2023-07-31", "--completed-yi", "5", "--month-yi", "1"],
     "--completed-yi 与 --month-yi 只能给一个"),
    (["--project", "1", "--as-of", "2023-07-31", "--stage", "竣工"], "「形象进度」“竣工”不在形象进度列表中"),
    (["--project", "1", "--as-of", "2023-07-31"], "没有要记录的数据"),
    (["--project", "1", "--as-of", "2023-07-31", "--actual", "3"], "--actual 只用于指标"),
    (["--indicator", "新培育科技型中小企业", "--as-of", "2023-07-31", "--completed-yi", "3"], "只用于项目"),
    (["--indicator", "没有这个指标", "--as-of", "2023-07-31", "--actual", "3"], "找不到指标：没有这个指标"),
    (["--indicator", "新培育科技型中小企业", "--as-of", "2023-07-31", "--actual", "-1"], "「实际值」不能为负数"),
    (["--indicator", "新培育科技型中小企业", "--as-of", "2023-07-31", "--actual", "3.5"], "「实际值」小数位过多"),
    (["--indicator", "新培育科技型中小企业", "--as-of", "2023-07-31"], "没有要记录的数据"),
    (["--project", "1", "--indicator", "2", "--as-of", "2023-07-31", "--actual", "3"],
     "请指定 --project 或 --indicator 之一"),
    (["--as-of", "2023-07-31", "--actual", "3"], "请指定 --project 或 --indicator 之一"),
    (["--project", "1", "--completed-yi", "3"], "参数错误"),
    (["--project", "1", "--as-of", "2023-07-31", "--completed-yi", "3", "--accept-warning", " "], "需要写明理由"),
    (["--project", "1", "--as-of", "2023-07-31", "--completed-yi", "50000"], "［数量级异常］"),
]


@pytest.mark.parametrize("args,needle", REFUSALS, ids=[n for _, n in REFUSALS])
def test_each_refusal_one_line_exit_2_nothing_changed(dbfile, capsys, args, needle):
    _ambiguous(dbfile)
    before = snapshot(dbfile)
    code = record(dbfile, *args)
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1 and needle in lines[0], out.err
    assert out.out == ""
    assert snapshot(dbfile) == before


def test_exit_codes_through_the_real_command(dbfile):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "desktop", "record", "--db", str(dbfile), *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    ok = run("--project", "长安汽车渝北新工厂", "--as-of", "2023-07-31", "--completed-yi", "1.5")
    assert ok.returncode == 0 and ok.stdout.startswith("已记录："), ok.stderr
    bad = run("--project", "长安汽车渝北新工厂", "--as-of", "2023-07-31", "--month-yi", "abc")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1 and "「本月完成投资」" in bad.stderr
