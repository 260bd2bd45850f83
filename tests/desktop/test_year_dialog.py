"""文件 → 新建年度…: the wizard says what carries over, makes the year, and the 报告期 picker reaches it."""
from __future__ import annotations

from db import plan, years
from desktop.year_dialog import CARRIED, NewYearDialog


def test_new_year_dialog_makes_the_next_year(app, builtin_db, qtbot):
    d = NewYearDialog(builtin_db)
    qtbot.addWidget(d)
    assert d.year_spin.value() == 2024 and d.from_combo.currentData() == 2023
    assert "不结转：上一年的任何数字" in CARRIED
    d.create()
    assert d.result_info.year == 2024 and d.result_info.projects == 13
    assert [y.year for y in years.year_list(builtin_db)] == [2023, 2024]


def test_a_refused_year_stays_in_the_dialog_and_changes_nothing(app, builtin_db, qtbot):
    d = NewYearDialog(builtin_db)
    qtbot.addWidget(d)
    d.year_spin.setValue(2023)
    d.create()
    assert d.result_info is None and not d.error_label.isHidden() and "已存在" in d.error_label.text()
    assert [py["year"] for py in plan.plan_years(builtin_db)] == [2023]


def test_the_as_of_picker_reaches_the_new_year_and_the_title_follows(window, qtbot, monkeypatch):
    from desktop import dialogs
    monkeypatch.setattr(dialogs, "show_info", lambda *a: None)
    monkeypatch.setattr(NewYearDialog, "exec", lambda self: (self.create(), NewYearDialog.DialogCode.Accepted)[1])
    window.new_year_action.trigger()
    combo = window.as_of_combo
    i = combo.findData("2024-01-31")
    assert i >= 0 and combo.findData("2023-12-31") >= 0
    combo.setCurrentIndex(i)
    assert window.ctx.year == 2024 and window.ctx.plan_year["year"] == 2024
    assert "2024年" in window.windowTitle()
    assert window.ctx.standing()["plan_year"] == 2024
