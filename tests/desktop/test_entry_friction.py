"""Keyboard-first entry: where focus lands, which month a dialog opens on, exact money, what shows after saving."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from db import indicators, plan, portfolios, projects, recording, updates
from db.recording import ProjectEntry
from db.subjects import Subject
from desktop import dialogs
from desktop.models.month_grid import COL_PREV, COL_STAGE, COL_YTD, GREY
from desktop.record_dialog import RecordDialog

JUNE, JULY = dt.date(2023, 6, 30), dt.date(2023, 7, 31)


@pytest.fixture
def errors(monkeypatch):
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, text: shown.append(text))
    return shown


@pytest.fixture
def small_project(builtin_db):
    """Plan 1.2 亿元; 0.95 亿元 (9,500 万元) completed by June, stage 开工."""
    db = builtin_db
    py = plan.current_plan_year(db)
    pf = portfolios.by_level(db, py["id"], "district")["id"]
    pid = projects.create(db, portfolio_id=pf, name="空港小微园标准厂房", annual_plan_wan=12_000,
                          responsible_unit="区经济信息委")
    recording.save_month(db, "2023-06", [ProjectEntry(pid, completed_wan=9_500, stage="开工")])
    return pid


def grid_row(tab, name):
    for r in range(tab.proxy.rowCount()):
        if tab.proxy.index(r, 1).data() == name:
            return r
    raise LookupError(name)


def test_ctrl_6_puts_the_typed_digits_in_the_grids_first_input_cell(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)   # 月度调度录入 is the sixth tab
    tab = window.tab_widgets["entry"]
    assert window.tabs.currentWidget() is tab
    assert QApplication.focusWidget() is tab.view
    cur = tab.view.currentIndex()
    assert (cur.row(), cur.column()) == (0, COL_YTD)
    qtbot.keyClicks(tab.view, "2")           # the first key opens the editor and lands in it
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "30")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert tab.proxy.index(0, COL_YTD).data() == "230"
    assert tab.model.rows[0].inputs[COL_YTD] == "230"


def test_record_dialog_opens_on_the_month_to_report_and_shows_what_is_recorded(ctx, qtbot):
    db = ctx.db
    assert ctx.as_of == JUNE                       # the 报告期: June is already reported
    pf = portfolios.by_level(db, ctx.plan_year["id"], "district")["id"]
    d = RecordDialog(ctx, "portfolio", pf)
    qtbot.addWidget(d)
    assert d.as_of == JULY                         # the first month after its latest figure
    assert d.recorded_label.isHidden()
    d.month_combo.setCurrentIndex(d.month_combo.findData(JUNE.isoformat()))
    assert d.recorded_label.text() == "6月已报 222.0 亿元，保存即更正"
    assert not d.recorded_label.isHidden()

    ind = indicators.find(db, "新培育科技型中小企业")["id"]
    d = RecordDialog(ctx, "indicator", ind)
    qtbot.addWidget(d)
    assert d.as_of == JULY
    d.month_combo.setCurrentIndex(d.month_combo.findData(JUNE.isoformat()))
    assert d.recorded_label.text() == "6月已报 359 家，保存即更正"


def test_project_with_second_half_figures_opens_after_its_own_latest_month(ctx, qtbot, small_project):
    for month, wan in ((7, 10_500), (8, 11_500), (9, 12_501)):
        recording.save_month(ctx.db, f"2023-{month:02d}", [ProjectEntry(small_project, completed_wan=wan)])
    d = RecordDialog(ctx, "project", small_project)
    qtbot.addWidget(d)
    assert d.as_of == dt.date(2023, 10, 31)
    d.month_combo.setCurrentIndex(d.month_combo.findData("2023-09-30"))
    assert d.recorded_label.text() == "9月已报 1.2501 亿元，保存即更正"   # one 万元 of difference is visible
    assert "1.15 亿元（截至 2023-08-31）" in d.previous_label.text()


def test_board_record_action_opens_on_the_month_to_report(window, ctx, monkeypatch):
    opened = []
    monkeypatch.setattr(RecordDialog, "exec", lambda self: opened.append(self.as_of) or 0)
    board = window.tab_widgets["board"]
    window.tabs.setCurrentWidget(board)
    assert board.selected_id is not None
    window.record_action.trigger()
    assert opened == [JULY]


def test_grid_money_shows_a_wan_difference(window, small_project):
    tab = window.tab_widgets["entry"]
    window.tabs.setCurrentWidget(tab)
    r = grid_row(tab, "空港小微园标准厂房")
    assert tab.proxy.index(r, COL_PREV).data() == "0.95"      # not "1.0"
    assert tab.proxy.index(r, COL_PREV - 1).data() == "1.2"   # 年度计划: no needless zeros


def test_saved_stage_shows_at_once_in_the_grid(window, ctx, small_project, errors):
    tab = window.tab_widgets["entry"]
    window.tabs.setCurrentWidget(tab)
    assert tab.month == JULY
    r = grid_row(tab, "空港小微园标准厂房")
    src = tab.proxy.mapToSource(tab.proxy.index(r, 0)).row()
    tab.model.set_texts([(src, COL_YTD, "1.1"), (src, COL_STAGE, "主体施工")])
    assert tab.save() is not None, errors
    stage = tab.proxy.index(r, COL_STAGE)
    assert stage.data() == "主体施工"                              # what was just saved, not an empty cell
    assert stage.data(Qt.ItemDataRole.ForegroundRole) == GREY    # recorded, not typed
    assert tab.proxy.index(r, COL_YTD).data() == "1.1"
    assert updates.standing(ctx.db, Subject("project", small_project), "stage", JULY)["text_value"] == "主体施工"


def test_tab_and_shift_tab_leave_the_multi_line_field(ctx, qtbot, small_project):
    d = RecordDialog(ctx, "project", small_project)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is d)
    d.progress_note.setFocus()
    qtbot.keyClicks(d.progress_note, "done 80%")
    qtbot.keyClick(d.progress_note, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is d.issue_text
    qtbot.keyClick(d.issue_text, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is d.progress_note
    assert d.progress_note.toPlainText() == "done 80%"     # no tab character typed into it


def test_detail_pane_drops_a_project_the_filter_hides(window, qtbot):
    board = window.tab_widgets["board"]
    window.tabs.setCurrentWidget(board)
    changan = projects.find(window.ctx.db, "长安汽车渝北新工厂")["id"]
    board.select(changan)
    assert board.detail.project_id == changan
    board.search.setText("线路工程")
    board.reload()
    shown = [board.model.index(r, 1).data() for r in range(board.model.rowCount())]
    assert shown and all("线路工程" in n for n in shown)
    assert board.detail.project_id != changan
    assert board.detail.project_id == board.model.rows()[0].id
    board.search.setText("没有这个项目")
    board.reload()
    assert board.model.rowCount() == 0 and board.detail.project_id is None


def test_history_opens_on_a_recorded_project_with_a_chart(window, ctx):
    history = window.tab_widgets["history"]
    window.tabs.setCurrentWidget(history)
    view = history.view
    # Built-in data: no project has completed investment yet; the one with a number (形象进度 %) is charted.
    assert view.subject.kind == "project"
    assert history.subject_combo.currentText() == "金山—明月山500千伏线路工程"
    assert view.metric == "physical_progress"
    assert [(m, y) for m, y in view.chart.points if y is not None] == [(6, 56.0)]


def test_history_prefers_the_project_recorded_last(window, ctx):
    changan = projects.find(ctx.db, "长安汽车渝北新工厂")["id"]
    recording.save_month(ctx.db, "2023-07", [ProjectEntry(changan, completed_wan=125_000)])
    history = window.tab_widgets["history"]
    window.tabs.setCurrentWidget(history)
    assert history.view.subject == Subject("project", changan) and history.view.metric == "completed"
    assert (7, 12.5) in history.view.chart.points


def test_window_title_names_the_app_once(window):
    title = window.windowTitle()
    assert title.count("政策跟踪") == 1 and title.endswith("政策跟踪")   # Qt appends the display name otherwise
    assert "渝北区 2023年" in title
