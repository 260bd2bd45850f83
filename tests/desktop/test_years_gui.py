"""年度结账, 新建数据库 and defining portfolios and indicators in the GUI; what they write shows in summary."""
from __future__ import annotations

import json

import pytest

from db import open_database, plan, years
from desktop import cli, dialogs
from desktop.app import AppContext
from desktop.main_window import MainWindow
from desktop.years_ui import IndicatorDialog, NewDatabaseDialog, PortfolioDialog


@pytest.fixture
def window(qtbot, ctx):
    w = MainWindow(ctx, restore_state=False)
    qtbot.addWidget(w)
    return w


def test_menus_offer_the_year_actions(window):
    file_titles = {a.text() for a in window.file_menu.actions()}
    assert {"新建数据库…", "新建年度…", "年度结账…"} <= file_titles
    edit = window.menuBar().actions()[1].menu()
    assert {"区县名称…", "项目盘子…", "新增指标…"} <= {a.text() for a in edit.actions()}


def test_close_then_reopen_from_the_menu(window, ctx, monkeypatch):
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    window.close_year_action.trigger()
    assert plan.is_closed(ctx.db, ctx.plan_year["id"])
    assert "（已结账，只读）" in window.windowTitle() and window.close_year_action.text() == "重新打开年度…"
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "补录12月数据")
    window.close_year_action.trigger()
    assert not plan.is_closed(ctx.db, ctx.plan_year["id"])
    assert window.close_year_action.text() == "年度结账…" and "已结账" not in window.windowTitle()
    actions = [r["action"] for r in ctx.db.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-2:] == ["plan_year.close", "plan_year.reopen"]


def test_rename_the_district_from_the_menu(window, ctx, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "渝北区（新）")
    window.district_action.trigger()
    assert ctx.plan_year["district"] == "渝北区（新）" and window.windowTitle().startswith("渝北区（新） 2023年")


def _empty_ctx(tmp_path, capsys):
    path = tmp_path / "j.db"
    assert cli.run(["init", "--district", "江北区", "--year", "2024", "--db", str(path)]) == 0
    capsys.readouterr()
    return path, AppContext(open_database(path))


def test_defining_a_portfolio_and_an_indicator_shows_in_summary(qtbot, tmp_path, app, capsys):
    path, c = _empty_ctx(tmp_path, capsys)
    try:
        d = PortfolioDialog(c)
        qtbot.addWidget(d)
        d.level.setCurrentIndex(d.level.findData("district"))   # init made it: the dialog fills it in
        assert d.name.text() == "区级重点项目" and d.name.isReadOnly()
        d.declared.setText("40")
        d.plan.setText("120.5")
        d.total.setText("800")
        assert d.save(), d.error.text()
        i = IndicatorDialog(c)
        qtbot.addWidget(i)
        i.campaign.setCurrentText("全力拼科技创新")
        i.name.setText("新培育科技型中小企业")
        i.unit.setText("家")
        i.target.setText("300")
        assert i.save(), i.error.text()
        actions = [r["action"] for r in c.db.query("SELECT action FROM audit_log ORDER BY id")]
        assert {"portfolio.update", "target.revise", "indicator.create"} <= set(actions)
    finally:
        c.close()
        c.db.close()
    assert cli.run(["summary", "--db", str(path), "--as-of", "2024-03-31", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    pf = next(p for p in s["portfolios"] if p["name"] == "区级重点项目")
    assert (pf["projects"], pf["annual_plan_yi"], pf["total_investment_yi"]) == (40, 120.5, 800.0)
    [ind] = s["indicators"]
    assert (ind["campaign"], ind["name"], ind["unit"], ind["target"]) == ("全力拼科技创新", "新培育科技型中小企业", "家", 300)


def test_a_new_portfolio_at_a_free_level(qtbot, tmp_path, app, capsys):
    path, c = _empty_ctx(tmp_path, capsys)
    try:
        pf = next(p for p in c.db.query("SELECT id, level FROM portfolio") if p["level"] == "city")
        c.db.conn.execute("DELETE FROM portfolio WHERE id = ?", (pf["id"],))   # a year with only one portfolio
        d = PortfolioDialog(c)
        qtbot.addWidget(d)
        d.level.setCurrentIndex(d.level.findData("city"))
        assert not d.name.isReadOnly()
        d.name.setText("市级重大项目")
        d.declared.setText("12")
        d.plan.setText("60")
        assert d.save(), d.error.text()
    finally:
        c.close()
        c.db.close()
    assert cli.run(["summary", "--db", str(path), "--as-of", "2024-03-31", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    pf = next(p for p in s["portfolios"] if p["name"] == "市级重大项目")
    assert (pf["projects"], pf["annual_plan_yi"]) == (12, 60.0)


def test_a_refused_definition_keeps_the_dialog_and_writes_nothing(qtbot, ctx):
    d = IndicatorDialog(ctx)
    qtbot.addWidget(d)
    d.name.setText("新培育科技型中小企业")   # 2023 already has it
    d.unit.setText("家")
    d.target.setText("300")
    before = ctx.db.scalar("SELECT count(*) FROM audit_log")
    assert not d.save()
    assert "已有同名指标" in d.error.text()
    assert ctx.db.scalar("SELECT count(*) FROM audit_log") == before
    p = PortfolioDialog(ctx)
    qtbot.addWidget(p)
    p.declared.setText("四十")
    assert not p.save() and "申报项目数" in p.error.text()
    assert ctx.db.scalar("SELECT count(*) FROM audit_log") == before


def test_a_closed_year_refuses_definitions(qtbot, ctx):
    years.close(ctx.db, 2023)
    d = IndicatorDialog(ctx)
    qtbot.addWidget(d)
    d.campaign.setCurrentText("行动")
    d.name.setText("新指标")
    d.unit.setText("个")
    assert not d.save() and "已结账" in d.error.text()
    assert not ctx.db.scalar("SELECT count(*) FROM indicator WHERE name = '新指标'")


def test_new_database_dialog_never_overwrites(qtbot, tmp_path, app):
    existing = tmp_path / "x.db"
    existing.write_bytes(b"keep")
    d = NewDatabaseDialog()
    qtbot.addWidget(d)
    d.district.setText("江北区")
    d.year.setValue(2024)
    d.path.setText(str(existing))
    assert not d.save() and "已存在" in d.error.text()
    assert existing.read_bytes() == b"keep"
    d.path.setText(str(tmp_path / "new.db"))
    assert d.save() and d.created.exists()
    db = open_database(d.created)
    try:
        assert [(r["year"], r["district"]) for r in plan.plan_years(db)] == [(2024, "江北区")]
    finally:
        db.close()


def test_december_briefing_reads_as_an_annual_summary():
    from desktop.report.sentences import portfolio_sentence
    pf = {"name": "区级重点项目", "completed_yi": 200.0, "completed_as_of": "2023-12-31", "current": True,
          "annual_plan_yi": 210.0, "completion_rate": 200 / 210, "gap_points": -4.8}
    text = portfolio_sentence(pf, "2023-12-31")
    assert text.startswith("全年，") and "1—12月" not in text and "未完成全年计划，差10亿元" in text
    pf.update(completed_yi=215.0, completion_rate=215 / 210)
    assert "超额完成全年计划5亿元" in portfolio_sentence(pf, "2023-12-31")
    assert portfolio_sentence(dict(pf, completed_as_of="2023-11-30"), "2023-11-30").startswith("1—11月，")


def test_month_entry_reaches_the_new_year(qtbot, ctx):
    from desktop.tabs.month_entry import MonthEntryTab
    tab = MonthEntryTab(ctx)
    qtbot.addWidget(tab)
    assert tab.month_combo.findData("2024-01-31") == -1
    years.new_year(ctx.db, 2024)
    assert tab.month_combo.findData("2024-01-31") >= 0 and tab.month_combo.findData("2023-12-31") >= 0
    tab.show()
    tab.month_combo.setCurrentIndex(tab.month_combo.findData("2024-01-31"))
    ids_2024 = {r["id"] for r in ctx.db.query(
        "SELECT p.id FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id JOIN plan_year y"
        " ON y.id = pf.plan_year_id WHERE y.year = 2024")}
    shown = {r.subject_id for r in tab.model.rows if r.kind == "project"}
    assert shown == ids_2024 and ids_2024
