"""Plan years: 新建年度 carries what carries over (no figures), the date names its year, a closed year is read-only,
`init` starts another district from empty. The CLI scenario of the issue, step by step."""
from __future__ import annotations

import json

import openpyxl
import pytest

from db import open_database, plan, projects, years
from db.subjects import Subject
from tests.safety.cli_case import assert_one_line_refusal, run_in_process, sha


def cli(capsys, *args):
    code, out, err = run_in_process(capsys, *args)
    assert code == 0, err
    return out


def test_roll_over_then_late_figures_until_closed_then_the_new_year(capsys, tmp_path):
    db = tmp_path / "pt.db"
    august = cli(capsys, "summary", "--as-of", "2023-08-31", "--json", "--db", db)
    assert "已新建 2024 年度（由 2023 年结转）：项目 13 个" in cli(capsys, "year", "new", "2024", "--db", db)
    assert cli(capsys, "summary", "--as-of", "2023-08-31", "--json", "--db", db) == august
    # December's figures arrive in January: 2023 is still open
    cli(capsys, "record", "--project", "长安汽车渝北新工厂", "--as-of", "2023-12-31", "--completed-yi", "20",
        "--db", db)
    cli(capsys, "year", "close", "2023", "--db", db)
    before = sha(db)
    code, _, err = run_in_process(capsys, "record", "--project", "长安汽车渝北新工厂", "--as-of", "2023-12-31",
                                  "--completed-yi", "21", "--db", db)
    assert_one_line_refusal(code, err, "2023 年度已结账")
    assert sha(db) == before
    assert "累计完成投资 1.0 亿元" in cli(capsys, "record", "--project", "长安汽车渝北新工厂", "--as-of", "2024-01-31",
                                        "--completed-yi", "1", "--db", db)
    jan = json.loads(cli(capsys, "summary", "--as-of", "2024-01-31", "--json", "--db", db))
    assert jan["plan_year"] == 2024 and jan["as_of"] == "2024-01-31"
    city = next(p for p in jan["portfolios"] if p["level"] == "city")
    assert city["itemised_projects"] == 5 and jan["year_status"] == "open"
    changan = next(p for p in jan["projects"] if p["name"] == "长安汽车渝北新工厂")
    assert changan["completed_yi"] == 1.0 and changan["completed_as_of"] == "2024-01-31"
    d = open_database(db)
    try:
        py24 = plan.current_plan_year(d, 2024)["id"]
        p24 = projects.find(d, "长安汽车渝北新工厂", plan_year_id=py24)
        p23 = projects.find(d, "长安汽车渝北新工厂", plan_year_id=plan.current_plan_year(d, 2023)["id"])
        assert p24["lineage"] == p23["lineage"] and p24["id"] != p23["id"]   # one project across two years
        assert p24["code"] == p23["code"] and p24["responsible_unit"] == p23["responsible_unit"]
        # nothing of 2023's figures was copied into 2024: only January's own figure stands there
        rows = d.query("SELECT as_of FROM progress_update WHERE project_id = ?", (p24["id"],))
        assert [r["as_of"] for r in rows] == ["2024-01-31"]
    finally:
        d.close()
    assert json.loads(cli(capsys, "year", "list", "--json", "--db", db)) == [
        {"year": 2023, "district": "渝北区", "status": "closed", "projects": 13},
        {"year": 2024, "district": "渝北区", "status": "open", "projects": 13}]
    # the default 报告期 stays in 2023 (June, reported as a whole): one early 2024 figure does not move it
    assert json.loads(cli(capsys, "summary", "--json", "--db", db))["as_of"] == "2023-06-30"
    cli(capsys, "year", "reopen", "2023", "--reason", "补录12月", "--db", db)
    cli(capsys, "record", "--project", "长安汽车渝北新工厂", "--as-of", "2023-12-31", "--completed-yi", "21",
        "--db", db)


def test_a_2024_schedule_round_trips(capsys, tmp_path):
    db = tmp_path / "pt.db"
    cli(capsys, "year", "new", "2024", "--db", db)
    sheet = tmp_path / "2024.xlsx"
    cli(capsys, "export-xlsx", sheet, "--as-of", "2024-01-31", "--db", db)
    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    row = next(r for r in ws.iter_rows(min_row=5) if r[1].value == "长安汽车渝北新工厂")
    row[6].value = 15000
    wb.save(sheet)
    out = cli(capsys, "import-xlsx", sheet, "--db", db)
    assert "长安汽车渝北新工厂 —— 已有项目：累计完成投资" in out and "记录更新 1 条" in out
    jan = json.loads(cli(capsys, "summary", "--as-of", "2024-01-31", "--json", "--db", db))
    assert jan["plan_year"] == 2024


def test_completed_projects_stay_in_their_year(builtin_db):
    py = plan.current_plan_year(builtin_db, 2023)
    pid = projects.find(builtin_db, "大洋电机项目", plan_year_id=py["id"])["id"]
    from db import updates
    updates.record(builtin_db, Subject("project", pid), "stage", "2023-12-31", text_value="投产")
    r = years.new_year(builtin_db, 2024)
    assert r.completed_left == 1 and r.projects == 12
    with pytest.raises(Exception, match="找不到重点项目"):
        projects.find(builtin_db, "大洋电机项目", plan_year_id=r.plan_year_id)


@pytest.mark.parametrize("args, words", [
    (("year", "new", "2023"), "已存在"),
    (("year", "new", "2022"), "应在已有的最新年度 2023 年之后"),
    (("year", "new", "2024", "--from", "2019"), "数据库中没有这个计划年度"),
    (("year", "close", "2030"), "数据库中没有这个计划年度"),
    (("year", "reopen", "2023", "--reason", "x"), "没有结账"),
    (("record", "--project", "长安汽车渝北新工厂", "--as-of", "2025-01-31", "--completed-yi", "1"),
     "没有 2025 年的计划年度"),
])
def test_refusals_change_nothing(capsys, tmp_path, args, words):
    db = tmp_path / "pt.db"
    cli(capsys, "summary", "--db", db)
    before = sha(db)
    code, _, err = run_in_process(capsys, *args, "--db", db)
    assert_one_line_refusal(code, err, words)
    assert sha(db) == before


def test_init_starts_another_district_from_empty(capsys, tmp_path):
    db = tmp_path / "j.db"
    cli(capsys, "init", "--district", "江北区", "--year", "2024", "--db", db)
    data = json.loads(cli(capsys, "summary", "--db", db, "--json"))
    assert data["district"] == "江北区" and data["plan_year"] == 2024
    assert data["indicators"] == [] and data["clusters"] == []
    assert [p["name"] for p in data["portfolios"]] == ["区级重点项目", "市级重大项目"]
    assert all(p["itemised_projects"] == 0 for p in data["portfolios"])
    before = sha(db)
    code, _, err = run_in_process(capsys, "init", "--district", "江北区", "--year", "2024", "--db", db)
    assert_one_line_refusal(code, err, "已存在", "不会覆盖")
    assert sha(db) == before


def test_problem_and_photo_commands_find_the_project_of_the_right_year(capsys, tmp_path):
    """After 新建年度 a carried project has a row in each year: a name picks the year of the date given (else the
    latest), never 'two projects with that name'."""
    db = tmp_path / "pt.db"
    cli(capsys, "year", "new", "2024", "--db", db)
    out = cli(capsys, "problem", "add", "--project", "长安汽车渝北新工厂", "--text", "用地指标未落实", "--due",
              "2023-09-30", "--raised", "2023-07-10", "--db", db)
    assert "长安汽车渝北新工厂" in out
    listed = json.loads(cli(capsys, "problem", "list", "--json", "--today", "2023-08-01", "--db", db))
    d = open_database(db)
    try:
        p23 = projects.find(d, "长安汽车渝北新工厂", plan_year_id=plan.current_plan_year(d, 2023)["id"])
        assert projects.find_for_date(d, "长安汽车渝北新工厂")["id"] != p23["id"]       # latest year by default
        assert projects.find_for_date(d, "长安汽车渝北新工厂", "2023-07-10")["id"] == p23["id"]
    finally:
        d.close()
    assert [p["project"] for p in listed] == ["长安汽车渝北新工厂"]


def test_fill_in_a_carried_portfolio_and_rename_the_district(builtin_db):
    from db import define, portfolios, summary
    db = builtin_db
    r = years.new_year(db, 2024)
    pf = portfolios.list_for(db, r.plan_year_id)[0]
    assert pf["declared_count"] is None
    define.update_portfolio(db, pf["id"], declared_count="180", total_investment="900", annual_plan="400")
    define.update_portfolio(db, pf["id"], declared_count="181")          # a blank field keeps its value
    years.set_district(db, 2024, "渝北区（两江新区）")
    s = summary.standing(db, "2024-02-29")
    first = s["portfolios"][0]
    assert (first["projects"], first["total_investment_yi"], first["annual_plan_yi"]) == (181, 900.0, 400.0)
    assert s["district"] == "渝北区（两江新区）"
    assert summary.standing(db, "2023-08-31")["district"] == "渝北区"
    actions = [r["action"] for r in db.query("SELECT action FROM audit_log ORDER BY id DESC LIMIT 4")]
    assert {"portfolio.update", "target.revise", "plan_year.district"} <= set(actions)


def test_definitions_in_a_closed_year_are_refused_and_change_nothing(builtin_db):
    from db import ValidationError, define, portfolios
    db = builtin_db
    py = plan.current_plan_year(db, 2023)
    pf = portfolios.list_for(db, py["id"])[0]
    years.close(db, 2023)
    n = db.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(plan.YearClosed):
        define.update_portfolio(db, pf["id"], declared_count=1)
    with pytest.raises(plan.YearClosed):
        define.add_indicator(db, plan_year_id=py["id"], campaign="行动", name="新指标", unit="个", target="3")
    with pytest.raises(plan.YearClosed):
        years.set_district(db, 2023, "别的区")
    with pytest.raises(ValidationError, match="申报项目数"):
        define.add_portfolio(db, plan_year_id=py["id"], level="city", name="x", declared_count="-1")
    assert db.scalar("SELECT count(*) FROM audit_log") == n
    assert portfolios.get(db, pf["id"])["declared_count"] == pf["declared_count"]
