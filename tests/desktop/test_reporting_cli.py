"""Issue 12's example, as a new user types it: one early September figure must not make June's totals look
behind, and `reporting` says who has not reported September."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)


@pytest.fixture(scope="module")
def early_db(tmp_path_factory) -> str:
    db = str(tmp_path_factory.mktemp("early") / "x.db")
    out = run("record", "--db", db, "--project", "长安汽车渝北新工厂", "--as-of", "2023-09-30", "--completed-yi", "15")
    assert out.returncode == 0, out.stderr
    return db


def test_one_early_figure_does_not_move_the_default_period(early_db):
    out = run("summary", "--db", early_db)
    assert out.returncode == 0, out.stderr
    assert "截至2023年6月30日" in out.stdout
    assert "1—6月完成 222.0 亿元，完成率 55.6%，超序时进度 5.6 个百分点［正常］" in out.stdout


def test_summary_json_judges_june_totals_at_june(early_db):
    out = run("summary", "--db", early_db, "--as-of", "2023-09-30", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    district = next(p for p in data["portfolios"] if p["name"] == "区级重点项目")
    assert district["completed_as_of"] == "2023-06-30" and district["current"] is False
    assert district["gap_points"] == 5.6 and district["status"] == "green"
    changan = next(c for c in data["clusters"] if c["path"][-1] == "智能网联新能源汽车")
    assert changan["output_as_of"] == "2023-06-30" and changan["current"] is False
    assert changan["status"] is None                     # 千亿级 is a level: no annual target, no status
    # `summary --json` carries the same object as `reporting --json`.
    rep = json.loads(run("reporting", "--db", early_db, "--as-of", "2023-09-30", "--json").stdout)
    assert data["reporting"] == rep


def test_summary_text_at_september_says_june_and_never_behind(early_db):
    out = run("summary", "--db", early_db, "--as-of", "2023-09-30")
    assert out.returncode == 0, out.stderr
    line = next(l for l in out.stdout.splitlines() if "区级重点项目：" in l)
    assert "［未报送］截至6月完成 222.0 亿元" in line and "6月：超序时进度5.6个百分点（正常）" in line
    assert "滞后" not in line and "1—9月" not in line and "19.4" not in line
    assert "【报送情况】" in out.stdout and "未报送合计数：区级重点项目、市级重大项目" in out.stdout


def test_reporting_json_shape_and_missing_projects(early_db):
    out = run("reporting", "--db", early_db, "--as-of", "2023-09-30", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"period", "deadline", "units", "portfolios_unreported"}
    assert data["period"] == "2023-09" and data["deadline"] == "2023-10-05"
    assert data["portfolios_unreported"] == ["区级重点项目", "市级重大项目"]
    (unit,) = data["units"]                              # the built-in projects name no 责任单位
    assert set(unit) == {"unit", "projects", "reported", "missing"}
    assert (unit["projects"], unit["reported"]) == (13, 1)
    assert "长安汽车渝北新工厂" not in unit["missing"] and "金康赛力斯龙兴工厂" in unit["missing"]
    assert len(unit["missing"]) == 12


def test_reporting_text_and_default_period(early_db):
    out = run("reporting", "--db", early_db)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("报告期 2023年6月，报送截止 2023年7月5日；已报送 0/13 个项目")


def test_briefing_at_september_has_no_stale_total_as_behind(early_db, tmp_path):
    pdf = tmp_path / "r.pdf"
    out = run("report", str(pdf), "--db", early_db, "--as-of", "2023-09-30")
    assert out.returncode == 0, out.stderr
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert "1—9月，区级重点项目" not in text and "低于序时进度19.4" not in text
    assert "区级重点项目9月数据未报送；1—6月，区级重点项目完成投资222亿元，占年度计划的55.6%，超序时进度5.6个百分点" \
        in text
    assert "1—6月实现产值505.2亿元（9月未报送）" in text
    assert "区级重点项目、市级重大项目9月合计数尚未报送" in text
    assert "本期没有滞后或预警事项" in text


def test_reporting_notice_pdf_lists_the_missing_projects(early_db, tmp_path):
    pdf = tmp_path / "notice.pdf"
    out = run("reporting", "--db", early_db, "--as-of", "2023-09-30", "--notice", str(pdf))
    assert out.returncode == 0, out.stderr
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert "催报通知（2023年9月）" in text and "应于2023年10月5日前报送" in text
    assert "尚有12个未报送9月数据" in text and "1.金康赛力斯龙兴工厂" in text
    assert "长安汽车渝北新工厂" not in text
    assert "下列项目盘子的9月合计数尚未报送" in text


def test_reporting_refuses_bad_input_in_one_line(early_db, tmp_path):
    before = Path(early_db).read_bytes()
    out = run("reporting", "--db", early_db, "--as-of", "2023-13-01")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "截至日期" in out.stderr
    out = run("reporting", "--db", early_db, "--notice", str(tmp_path / "no" / "such" / "n.pdf"))
    assert out.returncode == 2 and "文件夹不存在" in out.stderr and "Traceback" not in out.stderr
    assert Path(early_db).read_bytes() == before
