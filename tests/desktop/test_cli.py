"""The `policytrack` command-line contract: summary --json keys and figures, one-line refusals, exit 2."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


def test_summary_json_reproduces_the_article(tmp_path):
    out = run("summary", "--db", str(tmp_path / "x.db"), "--as-of", "2023-06-30", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["as_of"] == "2023-06-30" and data["time_progress"] == 0.5
    for key in ("as_of", "time_progress", "portfolios", "indicators", "clusters"):
        assert key in data
    pf = {p["name"]: p for p in data["portfolios"]}
    for p in pf.values():
        for key in ("name", "projects", "annual_plan_yi", "completed_yi", "completion_rate", "gap_points", "status",
                    "itemised_projects", "itemised_annual_plan_yi", "itemised_completed_yi"):
            assert key in p
        assert p["status"] in ("green", "amber", "red", None)
    assert round(pf["区级重点项目"]["completion_rate"] * 100, 1) == 55.6
    assert round(pf["市级重大项目"]["completion_rate"] * 100) == 57
    assert pf["市级重大项目"]["total_investment_yi"] == 719.0
    ind = {i["name"]: i for i in data["indicators"]}
    for i in ind.values():
        for key in ("name", "unit", "target", "actual", "as_of", "completion_rate", "status"):
            assert key in i
    assert round(ind["新培育科技型中小企业"]["completion_rate"] * 100, 1) == 101.7
    for c in data["clusters"]:
        for key in ("path", "tier_scale_yi", "output_yi", "growth"):
            assert key in c
        assert isinstance(c["path"], list)


def test_default_as_of_is_latest_and_text_output(tmp_path):
    db = str(tmp_path / "x.db")
    out = run("summary", "--db", db)
    assert out.returncode == 0, out.stderr
    assert "截至2023年6月30日" in out.stdout
    assert "完成率 55.6%，超序时进度 5.6 个百分点" in out.stdout
    assert "已录入 8/197 个项目" in out.stdout


def test_time_travel_before_the_figures(tmp_path):
    out = run("summary", "--db", str(tmp_path / "x.db"), "--as-of", "2023-03-31", "--json")
    data = json.loads(out.stdout)
    assert data["time_progress"] == 0.25
    assert all(p["completed_yi"] is None and p["status"] is None for p in data["portfolios"])


@pytest.mark.parametrize("args,needle", [
    (["summary", "--as-of", "2023-13-01"], "截至日期"),
    (["summary", "--as-of", "2023-02-29"], "截至日期"),
    (["summary", "--as-of", "2024-06-30"], "计划年度"),
    (["summary", "--as-of", "yesterday"], "截至日期"),
    (["summary", "--bogus"], "参数错误"),
    (["frobnicate"], "参数错误"),
])
def test_bad_arguments_one_line_exit_2(tmp_path, args, needle):
    db = tmp_path / "x.db"
    out = run(*args, "--db", str(db)) if args[0] == "summary" else run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_refused_database_exit_2_untouched(tmp_path):
    bad = tmp_path / "report.xlsx.db"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    before = hashlib.sha256(bad.read_bytes()).hexdigest()
    out = run("summary", "--db", str(bad))
    assert out.returncode == 2 and "Excel" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == before


def test_env_var_chooses_database(tmp_path, monkeypatch, capsys):
    target = tmp_path / "env.db"
    monkeypatch.setenv("POLICYTRACK_DB", str(target))
    assert cli.run(["summary", "--json"]) == 0
    assert target.exists()
    assert json.loads(capsys.readouterr().out)["district"] == "渝北区"


def test_db_before_subcommand_is_kept(tmp_path, capsys):
    target = tmp_path / "first.db"
    assert cli.run(["--db", str(target), "summary", "--json"]) == 0
    assert target.exists()
