"""`policytrack problem`: add, list --json, resolve; refusals exit 2 with one Chinese line and change nothing."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)


def test_add_list_resolve(tmp_path):
    db = str(tmp_path / "p.db")
    out = run("problem", "add", "--db", db, "--project", "长安汽车渝北新工厂", "--text", "用地指标未落实",
              "--category", "用地", "--owner", "区规划自然资源局/张三", "--due", "2023-08-31", "--raised", "2023-06-30")
    assert out.returncode == 0, out.stderr
    out = run("problem", "list", "--db", db, "--json", "--today", "2023-09-10")
    [row] = json.loads(out.stdout)
    assert list(row) == ["id", "project", "unit", "text", "category", "owner", "raised", "due", "status",
                         "overdue_days"]
    assert (row["text"], row["category"], row["status"], row["overdue_days"]) == ("用地指标未落实", "用地", "未解决", 10)
    assert json.loads(run("problem", "list", "--db", db, "--json", "--overdue", "--today", "2023-08-31").stdout) == []
    out = run("problem", "resolve", "--db", db, str(row["id"]), "--note", "已落实用地指标")
    assert out.returncode == 0, out.stderr
    assert json.loads(run("problem", "list", "--db", db, "--json").stdout) == []
    [done] = json.loads(run("problem", "list", "--db", db, "--json", "--all").stdout)
    assert done["status"] == "已解决"


def test_refusals(tmp_path):
    db = str(tmp_path / "p.db")
    assert run("problem", "add", "--db", db, "--project", "长安汽车渝北新工厂", "--text", "资金未到位",
               "--due", "2023-08-31", "--raised", "2023-06-30").returncode == 0
    before = run("problem", "list", "--db", db, "--json", "--all").stdout
    for args in (["add", "--project", "长安汽车渝北新工厂", "--text", "x", "--category", "天气", "--due", "2023-08-31"],
                 ["add", "--project", "没有这个项目", "--text", "x", "--due", "2023-08-31"],
                 ["add", "--project", "长安汽车渝北新工厂", "--text", "x", "--due", "2023-13-01"],
                 ["resolve", "99", "--note", "x"], ["resolve", "1", "--note", " "], ["close", "1"]):
        out = run("problem", args[0], "--db", db, *args[1:])
        assert out.returncode == 2, args
        assert out.stdout == "" and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
        assert any("\u4e00" <= ch <= "\u9fff" for ch in out.stderr)
    assert run("problem", "list", "--db", db, "--json", "--all").stdout == before


def test_notice_pdf_names_the_problem_and_its_deadline(tmp_path):
    import shutil
    db = str(tmp_path / "p.db")
    assert run("problem", "add", "--db", db, "--project", "长安汽车渝北新工厂", "--text", "用地指标未落实",
               "--category", "用地", "--owner", "区规划自然资源局", "--due", "2023-08-31",
               "--raised", "2023-06-30").returncode == 0
    out_pdf = tmp_path / "督办.pdf"
    out = run("problem", "notice", "--db", db, str(out_pdf), "--today", "2023-09-10")
    assert out.returncode == 0, out.stderr
    if shutil.which("pdftotext") is None:
        return
    text = subprocess.run(["pdftotext", str(out_pdf), "-"], capture_output=True, text=True).stdout
    assert "督办通知" in text
    assert "用地指标未落实" in text and "已逾期 10 天" in text and "2023年8月31日" in text
    refused = run("problem", "notice", "--db", db, str(tmp_path / "x.pdf"), "--id", "99")
    assert refused.returncode == 2 and not (tmp_path / "x.pdf").exists()


def test_a_problem_survives_an_exchange_into_a_second_database(tmp_path):
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    assert run("problem", "add", "--db", a, "--project", "长安汽车渝北新工厂", "--text", "拆迁尚有 12 户未签约",
               "--category", "拆迁", "--owner", "两路街道", "--due", "2023-09-30", "--raised", "2023-07-31").returncode == 0
    assert run("summary", "--db", b).returncode == 0  # b: a fresh database of its own
    ptx = str(tmp_path / "x.ptx")
    out = run("exchange", "export", "--db", a, ptx, "--unit", "全部")
    assert out.returncode == 0 and "存在问题 1 条" in out.stdout, out.stderr
    out = run("exchange", "import", "--db", b, ptx)
    assert out.returncode == 0 and "存在问题 1 条" in out.stdout, out.stderr
    listed = [json.loads(run("problem", "list", "--db", d, "--json").stdout) for d in (a, b)]
    assert listed[0] == listed[1] and listed[1][0]["text"] == "拆迁尚有 12 户未签约"
    again = run("exchange", "import", "--db", b, ptx)
    assert again.returncode == 0 and "没有新的数据" in again.stdout


def test_briefing_lists_open_problems_under_their_heading_until_resolved(tmp_path):
    import shutil
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    db = str(tmp_path / "p.db")
    out = run("problem", "add", "--db", db, "--project", "长安汽车渝北新工厂", "--text", "用地指标未落实",
              "--category", "用地", "--owner", "区规划自然资源局", "--due", "2023-05-31", "--raised", "2023-04-30")
    assert out.returncode == 0, out.stderr
    pdf = tmp_path / "b.pdf"
    assert run("report", "--db", db, str(pdf), "--as-of", "2023-06-30").returncode == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    section = text[text.index("存在问题"):]
    assert "用地指标未落实" in section and "2023-05-31" in section and "已逾期30天" in section
    pid = json.loads(run("problem", "list", "--db", db, "--json").stdout)[0]["id"]
    assert run("problem", "resolve", "--db", db, str(pid), "--note", "已落实", "--on", "2023-06-15").returncode == 0
    pdf2 = tmp_path / "c.pdf"
    assert run("report", "--db", db, str(pdf2), "--as-of", "2023-06-30").returncode == 0
    text2 = subprocess.run(["pdftotext", str(pdf2), "-"], capture_output=True, text=True).stdout
    assert "用地指标未落实" not in text2
