"""Issue 15: the monthly cycle — 下发 a 填报表 per 责任单位, a returned file becomes a submission, and only the
final 通过 puts its figures into the data."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import cycle, open_database, projects, seed, settings, updates
from db.subjects import Subject

ROOT = Path(__file__).resolve().parents[2]
UNITS = {"长安汽车渝北新工厂": "区经济信息委", "大洋电机项目": "区经济信息委", "洛碛物流项目": "洛碛镇",
         "多宝湖智慧生态城项目": "区住房城乡建委"}


def run(db: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *args, "--db", db] if args[0] != "review" else
                          [sys.executable, "-m", "desktop", "--db", db, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)


def make_db(path: Path, levels: int | None = None) -> str:
    db = open_database(path)
    seed.load_builtin(db)
    for p in projects.list_for(db, 1):
        if p["name"] in UNITS:
            projects.edit(db, p["id"], responsible_unit=UNITS[p["name"]])
    if levels is not None:
        cycle.set_review_levels(db, levels)
    db.close()
    return str(path)


def fill(path: Path, figures: dict[str, tuple]) -> None:
    """Fill the unlocked cells like a unit would (completed 万元, stage, 本月进展, 存在问题)."""
    wb = load_workbook(path)
    ws = wb[cycle.FORM_SHEET]
    for r in range(cycle.FIRST_ROW, ws.max_row + 1):
        name = ws.cell(r, cycle.COL["name"]).value
        if name in figures:
            completed, stage, note, issue = figures[name]
            for key, value in (("completed", completed), ("stage", stage), ("note", note), ("issue", issue)):
                cell = ws.cell(r, cycle.COL[key])
                assert cell.protection.locked is False
                cell.value = value
    wb.save(path)


def summary(db: str) -> dict:
    out = run(db, "summary", "--as-of", "2023-07-31", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def completed_of(db_path: str, name: str) -> int | None:
    db = open_database(db_path)
    try:
        pid = projects.find(db, name)["id"]
        row = updates.standing(db, Subject("project", pid), "completed", "2023-07-31")
        return row["value"] if row and row["as_of"] == "2023-07-31" else None
    finally:
        db.close()


def readme_walkthrough() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("passes it (tests/desktop/test_cycle.py runs this with three units):")[1]
    return block.split("```text\n")[1].split("```")[0].splitlines()


def test_dispatch_writes_one_locked_form_per_unit(tmp_path):
    db = make_db(tmp_path / "c.db")
    out = run(db, "dispatch", "--as-of", "2023-07-31", "--out", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    files = sorted((tmp_path / "out").glob("*.xlsx"))
    assert len(files) == 4  # three named units and the projects without one
    assert len(out.stdout.splitlines()) == 4
    assert "已生成填报表" in out.stdout and "区经济信息委，2 个项目，报送截止 2023年8月5日" in out.stdout
    wb = load_workbook(tmp_path / "out" / "2023年7月填报表-区经济信息委.xlsx")
    ws = wb[cycle.FORM_SHEET]
    assert ws.protection.sheet is True and not ws.protection.password
    assert ws["A1"].value == "渝北区重点项目2023年7月调度填报表"
    assert "责任单位：区经济信息委" in ws["A2"].value and "报送截止：2023年8月5日" in ws["A2"].value
    names = [ws.cell(r, cycle.COL["name"]).value for r in (5, 6)]
    assert sorted(names) == ["大洋电机项目", "长安汽车渝北新工厂"]
    for r in (5, 6):
        assert ws.cell(r, cycle.COL["name"]).protection.locked is True
        assert ws.cell(r, cycle.COL["prev"]).protection.locked is True
        for key in ("completed", "month", "stage", "note", "issue"):
            assert ws.cell(r, cycle.COL[key]).protection.locked is False
    changan = 5 if names[0] == "长安汽车渝北新工厂" else 6
    assert ws.cell(changan, cycle.COL["prev_stage"]).value == "设备安装"  # June's stage shown as last month
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and "开工" in lists[0].formula1
    meta = wb[cycle.META_SHEET]
    assert meta.sheet_state == "hidden"
    assert meta["B2"].value == "区经济信息委" and meta["B3"].value == "2023-07-31"


def test_filled_form_is_a_submission_until_review_passes(tmp_path):
    db = make_db(tmp_path / "c.db")
    assert run(db, "dispatch", "--as-of", "2023-07-31", "--out", str(tmp_path / "out"),
               "--unit", "区经济信息委").returncode == 0
    form = tmp_path / "out" / "2023年7月填报表-区经济信息委.xlsx"
    fill(form, {"长安汽车渝北新工厂": (140000, "主体施工", "主体结构封顶", "")})
    before = summary(db)
    out = imported = run(db, "import-xlsx", str(form))
    assert out.returncode == 0, out.stderr
    assert "填报表：区经济信息委，2023年7月，填写 1 个项目（1 个项目未填写）" in out.stdout
    assert "已收到报送 #1，待初审；审核通过后数据才入库" in out.stdout
    assert summary(db) == before
    assert completed_of(db, "长安汽车渝北新工厂") is None

    listed = run(db, "review", "list", "--as-of", "2023-07-31", "--json")
    assert listed.returncode == 0, listed.stderr
    [sub] = json.loads(listed.stdout)
    assert {k: sub[k] for k in ("id", "unit", "period", "status", "rows")} == \
        {"id": 1, "unit": "区经济信息委", "period": "2023-07", "status": "待初审", "rows": 1}
    assert isinstance(sub["warnings"], list)

    out = run(db, "review", "pass", "1", "--note", "核实无误")
    assert out.returncode == 0, out.stderr
    assert "已通过报送 #1（区经济信息委，1 个项目），数据已入库" in out.stdout
    after = summary(db)
    assert after != before
    assert completed_of(db, "长安汽车渝北新工厂") == 140000
    assert json.loads(run(db, "review", "list", "--json").stdout)[0]["status"] == "已通过"

    again = run(db, "review", "pass", "1")
    assert again.returncode == 2 and "已通过审核，不能再次通过" in again.stderr
    printed = imported.stdout + out.stdout + again.stderr
    for line in readme_walkthrough():  # the README's transcript of this example
        if not line.startswith("policytrack "):
            assert line in printed
    assert summary(db) == after
    unknown = run(db, "review", "pass", "99")
    assert unknown.returncode == 2 and "没有编号为 99 的报送" in unknown.stderr


def test_return_leaves_the_data_unchanged_and_a_resend_replaces_the_pending_one(tmp_path):
    db = make_db(tmp_path / "c.db")
    run(db, "dispatch", "--as-of", "2023-07-31", "--out", str(tmp_path / "out"), "--unit", "洛碛镇")
    form = tmp_path / "out" / "2023年7月填报表-洛碛镇.xlsx"
    fill(form, {"洛碛物流项目": (9000, None, "场平", "征地滞后")})
    before = summary(db)
    assert run(db, "import-xlsx", str(form)).returncode == 0
    pdf = tmp_path / "退回说明.pdf"
    out = run(db, "review", "return", "1", "--reason", "累计数与台账不符", "--notice", str(pdf))
    assert out.returncode == 0, out.stderr
    assert "已退回报送 #1（洛碛镇），数据未改动" in out.stdout
    assert "退回原因：累计数与台账不符" in out.stdout
    assert "已生成退回说明" in out.stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "洛碛镇" in text and "累计数与台账不符" in text and "2023年8月5日" in text
    assert summary(db) == before
    [sub] = json.loads(run(db, "review", "list", "--json").stdout)
    assert sub["status"] == "已退回" and sub["comment"] == "累计数与台账不符"
    assert run(db, "review", "pass", "1").returncode == 2

    fill(form, {"洛碛物流项目": (9500, None, "场平", "")})
    out = run(db, "import-xlsx", str(form))
    assert "已收到报送 #2" in out.stdout
    fill(form, {"洛碛物流项目": (9600, None, "场平", "")})
    out = run(db, "import-xlsx", str(form))
    assert "已收到报送 #3，替换了待审核的报送 #2" in out.stdout
    statuses = {s.id: s.status for s in _subs(db)}
    assert statuses == {1: "已退回", 2: "已替换", 3: "待初审"}
    assert [s["id"] for s in json.loads(run(db, "review", "list", "--json").stdout)] == [3, 1]


def _subs(db_path: str):
    db = open_database(db_path)
    try:
        return cycle.submissions(db, include_replaced=True)
    finally:
        db.close()


def _dispatch_in_process(tmp_path, levels=None):
    path = make_db(tmp_path / "c.db", levels)
    db = open_database(path)
    [f] = cycle.dispatch(db, "2023-07-31", tmp_path / "out", ["区经济信息委"])
    return db, f.path


def test_two_level_review(tmp_path):
    db, form = _dispatch_in_process(tmp_path, levels=2)
    try:
        fill(form, {"长安汽车渝北新工厂": (140000, None, "", ""), "大洋电机项目": (30000, None, "", "")})
        sub, _ = cycle.submit(db, cycle.read_form(db, form))
        assert sub.status == "待初审"
        settings.set_user_name(db, "张科长")
        sub = cycle.pass_submission(db, sub.id, "初审无误")
        assert sub.status == "待终审"
        changan = projects.find(db, "长安汽车渝北新工厂")["id"]
        standing = updates.standing(db, Subject("project", changan), "completed", "2023-07-31")
        assert standing is None  # not yet in the data
        settings.set_user_name(db, "李主任")
        sub = cycle.pass_submission(db, sub.id)
        assert sub.status == "已通过"
        standing = updates.standing(db, Subject("project", changan), "completed", "2023-07-31")
        assert (standing["as_of"], standing["value"]) == ("2023-07-31", 140000)
        assert "李主任" in standing["source"]
        log = db.query("SELECT user, summary FROM audit_log WHERE action = 'submission.pass' ORDER BY id")
        assert [r["user"] for r in log] == ["张科长", "李主任"]
        assert "终审通过" in log[1]["summary"] and "审核人 李主任" in log[1]["summary"]
        with pytest.raises(cycle.ReviewRefused):
            cycle.pass_submission(db, sub.id)
    finally:
        db.close()


def test_level_zero_writes_at_once(tmp_path):
    db, form = _dispatch_in_process(tmp_path, levels=0)
    try:
        fill(form, {"大洋电机项目": (30000, None, "", "")})
        sub, _ = cycle.submit(db, cycle.read_form(db, form))
        assert sub.status == "已通过"
        pid = projects.find(db, "大洋电机项目")["id"]
        assert updates.standing(db, Subject("project", pid), "completed", "2023-07-31")["value"] == 30000
    finally:
        db.close()


@pytest.mark.parametrize("tamper", ["unit", "checksum", "row_ids", "title", "locked_code", "locked_plan",
                                    "seal_copied"])
def test_tampered_form_is_refused_and_nothing_stored(tmp_path, tamper):
    db_path = make_db(tmp_path / "c.db")
    assert run(db_path, "dispatch", "--as-of", "2023-07-31", "--out", str(tmp_path / "out")).returncode == 0
    form = tmp_path / "out" / "2023年7月填报表-区经济信息委.xlsx"
    fill(form, {"长安汽车渝北新工厂": (140000, None, "", "")})
    wb = load_workbook(form)
    meta, ws = wb[cycle.META_SHEET], wb[cycle.FORM_SHEET]
    if tamper == "unit":
        meta["B2"] = "洛碛镇"
    elif tamper == "checksum":
        meta["B2"] = "洛碛镇"
        m = {"unit": "洛碛镇", "period": meta["B3"].value, "site_id": meta["B4"].value, "token": meta["B5"].value,
             "row_ids": [int(x) for x in meta["B6"].value.split(",")]}
        meta["B7"] = cycle._checksum(m)  # a recomputed checksum still does not match the dispatch record
    elif tamper == "row_ids":
        meta["B6"] = meta["B6"].value + ",1"
    elif tamper == "locked_code":     # the sheet protection has no password: a locked cell can still be changed
        ws.cell(cycle.FIRST_ROW, cycle.COL["code"]).value = "2301-500112-04-01-999999"
    elif tamper == "locked_plan":
        ws.cell(cycle.FIRST_ROW, cycle.COL["plan"]).value = 1
    elif tamper == "seal_copied":     # one row's seal put on another row: the seal names its project
        seals = meta["B8"].value.split(",")
        meta["B8"] = ",".join([seals[-1]] + seals[1:]) if len(seals) > 1 else "0" * 24
    else:
        ws["A2"] = ws["A2"].value.replace("区经济信息委", "洛碛镇")
    wb.save(form)
    before = summary(db_path)
    out = run(db_path, "import-xlsx", str(form))
    assert out.returncode == 2
    assert out.stderr.startswith("policytrack: 2023年7月填报表-区经济信息委.xlsx") and "未导入" in out.stderr
    if tamper.startswith(("locked", "seal")):
        assert "锁定的单元格" in out.stderr and f"第 {cycle.FIRST_ROW} 行" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert _subs(db_path) == []
    assert summary(db_path) == before


def test_wrong_period_is_refused(tmp_path):
    db_path = make_db(tmp_path / "c.db")
    run(db_path, "dispatch", "--as-of", "2023-07-31", "--out", str(tmp_path / "out"), "--unit", "洛碛镇")
    form = tmp_path / "out" / "2023年7月填报表-洛碛镇.xlsx"
    fill(form, {"洛碛物流项目": (9000, None, "", "")})
    out = run(db_path, "import-xlsx", str(form), "--as-of", "2023-08-31")
    assert out.returncode == 2 and "不是同一报告期" in out.stderr
    assert _subs(db_path) == []


def test_plain_schedule_keeps_todays_behaviour(tmp_path):
    db_path = make_db(tmp_path / "c.db")
    xlsx = tmp_path / "调度表.xlsx"
    assert run(db_path, "export-xlsx", str(xlsx), "--as-of", "2023-06-30").returncode == 0
    assert not cycle.is_fill_form(xlsx)
    out = run(db_path, "import-xlsx", str(xlsx), "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "填报表：" not in out.stdout


def test_review_levels_setting(tmp_path):
    db = make_db(tmp_path / "c.db")
    assert run(db, "review", "levels").stdout.strip() == "审核级数：1（初审通过即入库）"
    assert run(db, "review", "levels", "2").stdout.strip() == "审核级数：2（初审、终审）"
    bad = run(db, "review", "levels", "3")
    assert bad.returncode == 2 and "审核级数" in bad.stderr
    assert run(db, "review", "levels").stdout.strip() == "审核级数：2（初审、终审）"


def test_a_form_from_another_database_is_refused(tmp_path):
    ours = make_db(tmp_path / "ours.db")
    theirs = make_db(tmp_path / "theirs.db")
    run(theirs, "dispatch", "--as-of", "2023-07-31", "--out", str(tmp_path / "out"), "--unit", "洛碛镇")
    form = tmp_path / "out" / "2023年7月填报表-洛碛镇.xlsx"
    fill(form, {"洛碛物流项目": (9000, None, "", "")})
    out = run(ours, "import-xlsx", str(form))
    assert out.returncode == 2 and "不是由本数据库下发的" in out.stderr
    assert _subs(ours) == []


def test_reporting_and_the_notice_show_the_dispatched_form(tmp_path):
    db = make_db(tmp_path / "c.db")
    run(db, "dispatch", "--as-of", "2023-07-31", "--out", str(tmp_path / "out"), "--unit", "洛碛镇")
    pdf = tmp_path / "催报.pdf"
    out = run(db, "reporting", "--as-of", "2023-07-31", "--notice", str(pdf))
    assert out.returncode == 0, out.stderr
    assert "  洛碛镇：已下发（" in out.stdout and "2023年7月填报表-洛碛镇.xlsx" in out.stdout
    assert "  区经济信息委：未下发" in out.stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "7月填报表已于" in text.replace("\n", "")


def test_a_month_that_contradicts_the_total_is_refused(tmp_path):
    db, form = _dispatch_in_process(tmp_path)
    try:
        from openpyxl import load_workbook as load
        wb = load(form)
        ws = wb[cycle.FORM_SHEET]
        ws.cell(cycle.FIRST_ROW, cycle.COL["completed"], 1000)
        ws.cell(cycle.FIRST_ROW, cycle.COL["month"], 300)  # no figure before: 0 + 300 ≠ 1000
        wb.save(form)
        with pytest.raises(cycle.FormRefused, match="本月完成投资"):
            cycle.read_form(db, form)
        assert cycle.submissions(db, include_replaced=True) == []
    finally:
        db.close()


def test_a_database_moved_to_another_pc_still_takes_back_the_forms_it_sent(tmp_path):
    """Moving the file gives it a new signing key (db.ledger / db.identity), but the 填报表 it sent out before are
    sealed with its own form key, which moves with it: they still file as submissions."""
    import shutil

    db = make_db(tmp_path / "c.db")
    assert run(db, "dispatch", "--as-of", "2023-07-31", "--out", str(tmp_path / "out"),
               "--unit", "区经济信息委").returncode == 0
    form = tmp_path / "out" / "2023年7月填报表-区经济信息委.xlsx"
    fill(form, {"长安汽车渝北新工厂": (140000, "主体施工", "", "")})
    moved = tmp_path / "new-pc" / "c.db"
    moved.parent.mkdir()
    shutil.move(db, moved)
    out = run(str(moved), "import-xlsx", str(form))
    assert out.returncode == 0, out.stderr
    assert "已收到报送 #1，待初审" in out.stdout
    assert "新的本机标识和签名密钥" in out.stderr          # it did notice the move
