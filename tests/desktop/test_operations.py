"""Undo that refuses rather than overwrites, typed figures that are never lost, paste in the grid's own layout,
Ctrl+Y: issue 13, driven as a user would."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from db import projects, recording, targets
from db.recording import ProjectEntry
from db.subjects import Subject
from desktop import dialogs
from desktop.models.indicators import COL_TARGET
from desktop.models.month_grid import COL_MONTH, COL_PREV, COL_PREV_STAGE, COL_PROGRESS, COL_STAGE, COL_YTD
from desktop.record_dialog import RecordDialog
from tests.desktop.test_month_entry import cell, key, snapshot, standing, type_text

JULY = dt.date(2023, 7, 31)


@pytest.fixture
def messages(monkeypatch):
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append((title, text)))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, text: shown.append((title, text)))
    return shown


@pytest.fixture
def changan(ctx):
    return projects.find(ctx.db, "长安汽车渝北新工厂")["id"]


@pytest.fixture
def grid(window, ctx):
    tab = window.tab_widgets["entry"]
    window.tabs.setCurrentWidget(tab)
    tab.reload()
    assert tab.month == JULY
    tab.view.setFocus()
    return tab


def type_july(qtbot, grid, name, text):
    grid.view.setCurrentIndex(cell(grid, name, COL_YTD))
    type_text(qtbot, grid.view, text)
    key(qtbot, grid.view, Qt.Key.Key_Return)


# -- undo refuses rather than overwrites --------------------------------------------------------------

def test_undo_of_a_target_refused_when_an_exchange_wrote_a_newer_one(window, ctx, monkeypatch, messages):
    tab = window.tab_widgets["indicators"]
    window.tabs.setCurrentWidget(tab)
    ind = next(i for i in ctx.db.query("SELECT id, name FROM indicator") if i["name"] == "新培育科技型中小企业")
    subject = Subject("indicator", ind["id"])
    tab.select(ind["id"])
    monkeypatch.setattr(dialogs, "ask_target", lambda *a, **k: ("400", "年中调整", "", "2023-01-01"))
    window.edit_target_action.trigger()
    assert targets.value(ctx.db, subject, "value") == 400
    # An exchange file (another connection's write, as the import worker does) sets 450 afterwards.
    targets.revise(ctx.db, subject, "value", 450, reason="交换包：区科技局", source="交换包 科技局.ptx",
                   action="target.exchange")
    before = snapshot(ctx.db)
    window.undo_action.trigger()
    assert targets.value(ctx.db, subject, "value") == 450                 # the newer 450 survives
    assert tab.model.index_of(ind["id"]).siblingAtColumn(COL_TARGET).data() == "450"
    [(title, text)] = messages
    assert title == "无法撤销"
    assert "之后又改为 450" in text and "交换包 科技局.ptx" in text
    assert snapshot(ctx.db) == before                                     # nothing written
    assert not ctx.undo_stack.canRedo()                                   # redo can never write the 400
    window.redo_action.trigger()
    assert targets.value(ctx.db, subject, "value") == 450


def test_redo_after_a_refused_undo_of_a_month_save_writes_nothing(grid, qtbot, window, ctx, changan, messages):
    type_july(qtbot, grid, "长安汽车渝北新工厂", "12.5")
    assert grid.save() is not None
    assert standing(ctx.db, "project", changan) == 125_000
    recording.save_month(ctx.db, JULY, [ProjectEntry(changan, completed="13")])   # newer, written elsewhere
    before = snapshot(ctx.db)
    window.undo_action.trigger()
    assert standing(ctx.db, "project", changan) == 130_000
    assert messages[-1][0] == "无法撤销" and "之后又记录为 13.0 亿元" in messages[-1][1]
    window.redo_action.trigger()
    assert standing(ctx.db, "project", changan) == 130_000                 # 13.0 stays
    assert snapshot(ctx.db) == before                                      # undo and redo wrote nothing
    assert ctx.undo_stack.count() == 0


def test_redo_in_the_gui_writes_the_figure_as_it_was_typed(ctx, window, changan):
    from desktop import operations
    entry = ProjectEntry(changan, completed="11")
    result = operations.save_month(ctx=ctx, parent=window, as_of=JULY, entries=[entry])
    assert result is not None
    window.undo_action.trigger()
    window.redo_action.trigger()
    rows = ctx.db.query("SELECT source_kind FROM progress_update WHERE project_id = ? AND as_of = ? ORDER BY id",
                        (changan, JULY.isoformat()))
    assert [r["source_kind"] for r in rows][-3:] == ["typed", "undo", "typed"]


# -- typed figures are never lost ----------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["save", "discard", "cancel"])
def test_closing_with_typed_figures_asks_save_discard_cancel(grid, qtbot, window, ctx, changan, answer,
                                                             unsaved_answer, messages):
    type_july(qtbot, grid, "长安汽车渝北新工厂", "12.5")
    before = snapshot(ctx.db)
    unsaved_answer.answer = answer
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)       # 退出
    [(title, text)] = unsaved_answer.asked
    assert title == "退出" and "1 行录入尚未保存" in text
    if answer == "cancel":
        assert window.isVisible()
        assert cell(grid, "长安汽车渝北新工厂", COL_YTD).data() == "12.5"      # still typed
        assert snapshot(ctx.db) == before
        unsaved_answer.answer = "discard"                                        # let the fixture close it
    elif answer == "discard":
        assert not window.isVisible()
        assert snapshot(ctx.db) == before
    else:
        assert not window.isVisible()
        assert standing(ctx.db, "project", changan) == 125_000
    assert messages == []


def test_close_button_without_typed_figures_asks_nothing(window, unsaved_answer):
    window.close()
    assert not window.isVisible() and unsaved_answer.asked == []


def test_switching_month_with_typed_figures_can_be_cancelled(grid, qtbot, unsaved_answer):
    type_july(qtbot, grid, "长安汽车渝北新工厂", "12.5")
    unsaved_answer.answer = "cancel"
    grid.month_combo.setCurrentIndex(grid.month_combo.findData("2023-08-31"))
    assert grid.month == JULY and grid.month_combo.currentData() == "2023-07-31"
    assert cell(grid, "长安汽车渝北新工厂", COL_YTD).data() == "12.5"
    assert unsaved_answer.asked[0][0] == "切换录入月份"


@pytest.mark.parametrize("answer", ["save", "discard", "cancel"])
def test_esc_in_record_dialog_with_typed_figures_asks(ctx, qtbot, changan, answer, unsaved_answer):
    dialog = RecordDialog(ctx, "project", changan, as_of=JULY)
    qtbot.addWidget(dialog)
    dialog.show()
    before = snapshot(ctx.db)
    qtbot.keyClicks(dialog.amount, "12.5")
    unsaved_answer.answer = answer
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert [t for t, _ in unsaved_answer.asked] == ["记录更新"]
    if answer == "cancel":
        assert dialog.isVisible() and dialog.amount.text() == "12.5"
        assert snapshot(ctx.db) == before
    elif answer == "discard":
        assert not dialog.isVisible() and snapshot(ctx.db) == before
    else:
        assert not dialog.isVisible() and standing(ctx.db, "project", changan) == 125_000


def test_esc_in_an_untouched_record_dialog_closes_at_once(ctx, qtbot, changan, unsaved_answer):
    dialog = RecordDialog(ctx, "project", changan, as_of=JULY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and unsaved_answer.asked == []


# -- paste maps the block onto the visible columns ---------------------------------------------------

def test_paste_of_a_block_in_the_grids_own_layout_lands_in_the_right_columns(grid, qtbot, ctx, changan, messages):
    idx = cell(grid, "长安汽车渝北新工厂", COL_PREV)
    prev, prev_stage = idx.data(), idx.siblingAtColumn(COL_PREV_STAGE).data()
    grid.view.setCurrentIndex(idx)
    # Copied as the grid lays it out: 上月累计, 本月累计, 本月完成, 上月形象进度, 本月形象进度, 本月进展.
    block = f"{prev}\t12.5\t\t{prev_stage}\t设备安装\t生产线安装调试\r\n"
    assert grid.paste_text(block) == 1
    assert messages == []
    assert idx.siblingAtColumn(COL_YTD).data() == "12.5"
    assert idx.siblingAtColumn(COL_MONTH).data() != "设备安装"
    assert idx.siblingAtColumn(COL_STAGE).data() == "设备安装"          # not in 上月形象进度, not shifted
    assert idx.siblingAtColumn(COL_PREV_STAGE).data() == prev_stage
    assert idx.siblingAtColumn(COL_PROGRESS).data() == "生产线安装调试"
    assert grid.save() is not None
    assert standing(ctx.db, "project", changan) == 125_000
    assert standing(ctx.db, "project", changan, "stage") == "设备安装"


def test_paste_that_does_not_fit_the_columns_is_refused(grid, qtbot, ctx, messages):
    idx = cell(grid, "长安汽车渝北新工厂", COL_YTD)
    grid.view.setCurrentIndex(idx)
    # Only the typed columns, as an older layout had them: the stage would fall on the grey 上月形象进度.
    assert idx.siblingAtColumn(COL_PREV_STAGE).data() == "设备安装"
    assert grid.paste_text("12.5\t\t试生产\t生产线安装调试\r\n") == 0
    [(title, text)] = messages
    assert title == "未粘贴" and "上月形象进度" in text and "试生产" in text
    assert grid.model.dirty_rows() == []
    messages.clear()
    assert grid.paste_text("1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\t12\t13\n") == 0   # wider than the grid
    assert "列" in messages[0][1] and grid.model.dirty_rows() == []


# -- redo keys -----------------------------------------------------------------------------------------

def test_ctrl_y_and_the_platform_redo_key_redo(window, ctx, qtbot, changan):
    from desktop import operations
    from PySide6.QtGui import QKeySequence
    operations.save_month(ctx=ctx, parent=window, as_of=JULY, entries=[ProjectEntry(changan, completed="12.5")])
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    before = standing(ctx.db, "project", changan)
    assert before == 125_000
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert standing(ctx.db, "project", changan) != 125_000
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert standing(ctx.db, "project", changan) == 125_000
    shortcuts = [s.toString() for s in window.redo_action.shortcuts()]
    assert "Ctrl+Y" in shortcuts
    assert all(k.toString() in shortcuts for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
    window.undo_action.trigger()
    assert standing(ctx.db, "project", changan) != 125_000
    platform = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)[0]
    qtbot.keyClick(window, platform[0].key(), platform[0].keyboardModifiers())
    assert standing(ctx.db, "project", changan) == 125_000


def test_settings_are_one_undo_step_refused_over_a_newer_change(window, ctx, messages):
    from db import settings
    from desktop.settings_dialog import SettingsDialog
    user = ctx.db.user
    d = SettingsDialog(ctx, window)
    d.amber_edit.setText("-5")
    d.user_edit.setText("李四")
    d.save()
    assert settings.thresholds(ctx.db).amber_from == -5 and ctx.db.user == "李四"
    assert window.undo_action.text() == "撤销 修改设置"
    window.undo_action.trigger()
    assert settings.thresholds(ctx.db).amber_from == -10 and ctx.db.user == user
    window.redo_action.trigger()
    assert settings.thresholds(ctx.db).amber_from == -5 and ctx.db.user == "李四"
    settings.set_thresholds(ctx.db, green_from="0", amber_from="-8")          # newer, from elsewhere
    window.undo_action.trigger()
    assert settings.thresholds(ctx.db).amber_from == -8
    assert messages[-1][0] == "无法撤销" and "黄色起点" in messages[-1][1]
    assert messages[:-1] == []


def test_undo_of_a_stage_move_refused_over_a_newer_stage(window, ctx, changan, messages, monkeypatch):
    from db import updates
    tab = window.tab_widgets["board"]
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "设备进场")
    tab.move_stage([changan], "试生产")
    s = Subject("project", changan)
    as_of = updates.standing(ctx.db, s, "stage", ctx.as_of)["as_of"]
    assert updates.standing(ctx.db, s, "stage", ctx.as_of)["text_value"] == "试生产"
    updates.record(ctx.db, s, "stage", as_of, text_value="投产", source_kind="exchange", source="交换包")
    before = snapshot(ctx.db)
    window.undo_action.trigger()
    assert updates.standing(ctx.db, s, "stage", ctx.as_of)["text_value"] == "投产"
    assert snapshot(ctx.db) == before
    assert "之后又记录为 “投产”" in messages[-1][1] and "交换包" in messages[-1][1]
    assert not ctx.undo_stack.canRedo()


@pytest.mark.parametrize("answer", ["save", "discard", "cancel"])
def test_closing_with_edited_project_fields_asks(window, ctx, qtbot, changan, answer, unsaved_answer, messages):
    tab = window.tab_widgets["board"]
    window.tabs.setCurrentWidget(tab)
    tab.select(changan)
    editor = tab.detail.editors["location"]
    typed = editor.text() + "B2"
    editor.end(False)
    qtbot.keyClicks(editor, "B2")
    assert tab.detail.dirty
    unsaved_answer.answer = answer
    window.close()
    assert [t for t, _ in unsaved_answer.asked] == ["退出"]
    assert "长安汽车渝北新工厂" in unsaved_answer.asked[0][1]
    location = projects.get(ctx.db, changan)["location"]
    if answer == "cancel":
        assert window.isVisible() and tab.detail.dirty and location != typed
        unsaved_answer.answer = "discard"
    else:
        assert not window.isVisible()
        assert (location == typed) == (answer == "save")


def test_cluster_rename_undo_and_its_refusal(window, ctx, monkeypatch, messages):
    from db import clusters
    tab = window.tab_widgets["clusters"]
    py = ctx.plan_year["id"]
    node = clusters.find_by_path(ctx.db, py, ["“2335”现代制造业集群", "主导产业集群", "智能网联新能源汽车"])
    tab.select(node)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "  新能源汽车  ")     # db/ trims it
    tab.rename_action.trigger()
    assert clusters.get(ctx.db, node)["name"] == "新能源汽车"
    window.undo_action.trigger()
    assert clusters.get(ctx.db, node)["name"] == "智能网联新能源汽车" and messages == []
    window.redo_action.trigger()
    clusters.rename(ctx.db, node, "汽车产业")                                      # newer, from elsewhere
    window.undo_action.trigger()
    assert clusters.get(ctx.db, node)["name"] == "汽车产业"
    assert messages[-1][0] == "无法撤销" and "汽车产业" in messages[-1][1]
