"""问题清单 tab: a problem filed in the dialog shows with its overdue days; filters, resolve, undo, 督办通知."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from db import problems, projects
from desktop import dialogs
from desktop.tabs.problems import ProblemDialog, ProblemsTab


@pytest.fixture
def tab(ctx, qtbot):
    t = ProblemsTab(ctx)
    t.today = dt.date(2023, 9, 10)
    t.refresh()
    qtbot.addWidget(t)
    return t


def cells(tab, row):
    return [tab.table.item(row, c).text() for c in range(tab.table.columnCount())]


def _file(ctx, name, text, category, due, unit=None):
    p = projects.find(ctx.db, name)
    if unit:
        projects.edit(ctx.db, p["id"], responsible_unit=unit)
    return problems.add(ctx.db, project_id=p["id"], text=text, category=category, due=due, raised="2023-06-30")


def test_dialog_adds_a_problem_the_list_shows_with_overdue_days(ctx, tab):
    d = ProblemDialog(ctx, None, tab, project_id=projects.find(ctx.db, "长安汽车渝北新工厂")["id"])
    d.text.setPlainText("用地指标未落实")
    d.category.setCurrentText("用地")
    d.owner.setText("区规划自然资源局")
    d.raised.setDate(d.raised.date().fromString("2023-06-30", "yyyy-MM-dd"))
    d.due.setDate(d.due.date().fromString("2023-08-31", "yyyy-MM-dd"))
    d.save()
    assert d.error.text() == ""
    assert tab.table.rowCount() == 1
    row = cells(tab, 0)
    assert row[1:] == ["长安汽车渝北新工厂", "（未填写责任单位）", "用地指标未落实", "用地", "区规划自然资源局",
                       "2023-06-30", "2023-08-31", "未解决", "10"]
    assert "逾期 1 个" in tab.heading.text()
    ctx.undo_stack.undo()
    assert tab.table.rowCount() == 0
    ctx.undo_stack.redo()
    assert tab.table.rowCount() == 1


def test_refused_dialog_shows_the_reason_and_stores_nothing(ctx, tab):
    d = ProblemDialog(ctx, None, tab)
    d.text.setPlainText("  ")
    d.save()
    assert "问题" in d.error.text() and "不能为空" in d.error.text()
    assert problems.register(ctx.db) == []


def test_filters_and_search(ctx, tab):
    _file(ctx, "长安汽车渝北新工厂", "用地指标未落实", "用地", "2023-08-31", unit="区经信委")
    _file(ctx, "哈密—重庆±800千伏特高压直流输电工程", "环评批复未取得", "环评", "2023-12-31", unit="区发展改革委")
    assert tab.table.rowCount() == 2
    tab.set_filters(overdue=True)
    assert [cells(tab, r)[3] for r in range(tab.table.rowCount())] == ["用地指标未落实"]
    tab.set_filters(overdue=False, category="环评")
    assert [cells(tab, r)[3] for r in range(tab.table.rowCount())] == ["环评批复未取得"]
    tab.set_filters(category="全部", unit="区经信委")
    assert tab.table.rowCount() == 1
    tab.set_filters(unit="全部", search="特高压")
    assert [cells(tab, r)[3] for r in range(tab.table.rowCount())] == ["环评批复未取得"]


def test_resolve_with_note_then_undo(ctx, tab, monkeypatch):
    w = _file(ctx, "长安汽车渝北新工厂", "资金未到位", "资金", "2023-08-31")
    tab.select_problem(w.problem_id)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "区财政已拨付")
    tab.resolve_problem()
    assert tab.table.rowCount() == 0  # the default filter shows 未解决
    tab.set_filters(status="已解决")
    assert cells(tab, 0)[8] == "已解决"
    assert problems.get(ctx.db, w.problem_id)["note"] == "区财政已拨付"
    ctx.undo_stack.undo()
    assert problems.get(ctx.db, w.problem_id)["status"] == "未解决"


def test_supervision_notice_for_the_selected_problem(ctx, tab, monkeypatch, tmp_path):
    w = _file(ctx, "长安汽车渝北新工厂", "拆迁未完成", "拆迁", "2023-08-31", unit="区住房城乡建委")
    _file(ctx, "哈密—重庆±800千伏特高压直流输电工程", "手续未办结", "手续", "2023-12-31")
    tab.select_problem(w.problem_id)
    out = tmp_path / "督办.pdf"
    monkeypatch.setattr("desktop.exchange_ui.ask_save_path", lambda *a, **k: str(out))
    monkeypatch.setattr(dialogs, "show_info", lambda *a, **k: None)
    tab.write_notice(per_problem=True)
    assert out.exists()
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
        assert "区住房城乡建委：" in text and "拆迁未完成" in text and "已逾期 10 天" in text
        assert "手续未办结" not in text


def test_the_tab_is_last_so_existing_shortcuts_keep_their_tabs():
    from desktop.main_window import TAB_CLASSES
    assert TAB_CLASSES[-1] is ProblemsTab
