"""月度调度录入 driven from the keyboard: typing, Enter/Tab, a pasted block, one 保存, refusals, undo, time travel."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication

from db import plan, portfolios, projects, recording, summary, updates
from db.recording import ProjectEntry
from db.subjects import Subject
from desktop import dialogs
from desktop.models.month_grid import (COL_CHECK, COL_MONTH, COL_OWNER, COL_PREV,
                                       COL_REASON, COL_SKIP, COL_STAGE, COL_YTD)

TABLES = ("progress_update", "progress_note", "project_issue", "accepted_warning", "audit_log")


def snapshot(db):
    return {t: db.query("SELECT * FROM " + t + " ORDER BY id") for t in TABLES}


@pytest.fixture
def dc_project(builtin_db):
    """A fully described project with January–June figures (plan 12 亿元, total 50 亿元, started 2022)."""
    db = builtin_db
    py = plan.current_plan_year(db)
    district = portfolios.by_level(db, py["id"], "district")["id"]
    pid = projects.create(db, portfolio_id=district, name="渝北数据中心二期", annual_plan_wan=120_000,
                          total_investment_wan=500_000, start_year=2022, responsible_unit="区经济信息委")
    for month in range(1, 7):
        recording.save_month(db, f"2023-{month:02d}", [ProjectEntry(pid, completed_wan=10_000 * month,
                                                                    stage="主体施工")])
    return pid


@pytest.fixture
def grid(window, ctx, dc_project):
    tab = window.tab_widgets["entry"]
    window.tabs.setCurrentWidget(tab)
    tab.reload()
    assert tab.month == dt.date(2023, 7, 31)  # the month after the latest one reported
    tab.view.setFocus()
    return tab


@pytest.fixture
def errors(monkeypatch):
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, text: shown.append(text))
    return shown


def row_of(tab, name):
    for r in range(tab.proxy.rowCount()):
        if tab.proxy.index(r, 1).data() == name:
            return r
    raise LookupError(name)


def cell(tab, name, col):
    return tab.proxy.index(row_of(tab, name), col)


def target(view):
    """Where a key goes: the open editor when editing, else the table."""
    if view.state() == QAbstractItemView.State.EditingState:
        return view.indexWidget(view.currentIndex())
    return view


def type_text(qtbot, view, text):
    """Type as a person does; Chinese characters arrive as key events carrying text (QTest keys are ASCII)."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(target(view), ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(target(view), QKeyEvent(kind, Qt.Key.Key_unknown,
                                                              Qt.KeyboardModifier.NoModifier, ch))


def key(qtbot, view, k, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(target(view), k, modifier)


def standing(db, kind, sid, metric="completed", date="2023-07-31"):
    row = updates.standing(db, Subject(kind, sid), metric, date)
    return None if row is None else (row["value"] if row["text_value"] is None else row["text_value"])


def test_keyboard_entry_enter_moves_down_tab_moves_right(grid, qtbot, ctx):
    view = grid.view
    changan = projects.find(ctx.db, "长安汽车渝北新工厂")["id"]
    view.setCurrentIndex(cell(grid, "长安汽车渝北新工厂", COL_YTD))
    type_text(qtbot, view, "12.5")
    key(qtbot, view, Qt.Key.Key_Tab)                      # commits, moves right to 本月完成
    assert view.currentIndex().column() == COL_MONTH
    key(qtbot, view, Qt.Key.Key_Tab)                      # over to 本月形象进度
    assert view.currentIndex().column() == COL_STAGE
    type_text(qtbot, view, "试生产")
    key(qtbot, view, Qt.Key.Key_Return)                   # commits and moves down
    assert view.state() != QAbstractItemView.State.EditingState
    assert view.currentIndex().row() == row_of(grid, "长安汽车渝北新工厂") + 1
    assert view.currentIndex().column() == COL_STAGE
    key(qtbot, view, Qt.Key.Key_Return)                   # Enter without editing moves down too
    assert view.currentIndex().row() == row_of(grid, "长安汽车渝北新工厂") + 2
    r = row_of(grid, "长安汽车渝北新工厂")
    assert grid.proxy.index(r, COL_YTD).data() == "12.5"
    assert grid.proxy.index(r, COL_STAGE).data() == "试生产"
    assert grid.proxy.index(r, COL_CHECK).data() == "可保存"
    key(qtbot, view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # 保存
    assert standing(ctx.db, "project", changan) == 125_000
    assert standing(ctx.db, "project", changan, "stage") == "试生产"
    assert ctx.undo_stack.undoText() == "记录 长安汽车渝北新工厂 7月进度"
    assert grid.proxy.index(r, COL_YTD).data() == "12.5"   # now the recorded figure (grey), typed text cleared
    assert grid.proxy.index(r, COL_YTD).data(Qt.ItemDataRole.EditRole) == ""
    assert "本月已录入 12.5 亿元" in grid.proxy.index(r, COL_CHECK).data()


def test_month_amount_shows_the_derived_year_to_date(grid, qtbot, ctx, dc_project):
    view = grid.view
    view.setCurrentIndex(cell(grid, "渝北数据中心二期", COL_MONTH))
    type_text(qtbot, view, "1.2")
    key(qtbot, view, Qt.Key.Key_Return)
    r = row_of(grid, "渝北数据中心二期")
    assert grid.proxy.index(r, COL_PREV).data() == "6.0"
    assert grid.proxy.index(r, COL_YTD).data() == "7.2"   # 6.0 + 1.2, shown grey until saved


def test_paste_a_block_then_save_writes_one_transaction(grid, qtbot, ctx, errors):
    names = ["前沿科技城新能源智能汽车工业园配套设施", "材主在线重庆研发生产加工基地", "宏捷盛汽车零部件项目"]
    view = grid.view
    view.setCurrentIndex(cell(grid, names[0], COL_YTD))
    block = ("1.2\t\t\t主体施工\t完成桩基\t施工用电未接入\t区供电公司\t2023-08-31\r\n"   # the grid's columns,
             "0.8\t\t\t开工\t\t\t\t\r\n"                                       # grey 上月形象进度 empty
             "2\t\t\t主体施工\t\t\t\t\r\n")
    QGuiApplication.clipboard().setText(block)
    key(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    rows = [row_of(grid, n) for n in names]
    assert [grid.proxy.index(r, COL_YTD).data() for r in rows] == ["1.2", "0.8", "2"]
    assert grid.proxy.index(rows[0], COL_OWNER).data() == "区供电公司"
    assert [grid.row_state(r) for r in rows] == ["ok", "ok", "ok"]

    statements = []
    ctx.db.conn.set_trace_callback(statements.append)
    try:
        qtbot.mouseClick(grid.save_button, Qt.MouseButton.LeftButton)
    finally:
        ctx.db.conn.set_trace_callback(None)
    assert errors == []
    assert sum(1 for s in statements if s.upper().startswith("BEGIN")) == 1
    ids = [projects.find(ctx.db, n)["id"] for n in names]
    assert [standing(ctx.db, "project", i) for i in ids] == [12_000, 8_000, 20_000]
    assert [standing(ctx.db, "project", i, "stage") for i in ids] == ["主体施工", "开工", "主体施工"]
    assert recording.note_as_of(ctx.db, ids[0], "2023-07-31")["text"] == "完成桩基"
    [issue] = recording.open_issues(ctx.db, ids[0], "2023-07-31")
    assert (issue["description"], issue["owner"], issue["deadline"]) == ("施工用电未接入", "区供电公司", "2023-08-31")
    assert ctx.undo_stack.undoText() == "月度调度录入 7月（3 行）"


def test_two_hundred_rows_through_the_grid_are_one_transaction(window, ctx, qtbot):
    py = plan.current_plan_year(ctx.db)["id"]
    pf = portfolios.by_level(ctx.db, py, "district")["id"]
    with ctx.db.transaction("project"):
        ids = [projects.create(ctx.db, portfolio_id=pf, name=f"批量项目{i:03d}", annual_plan_wan=30_000)
               for i in range(200)]
    tab = window.tab_widgets["entry"]
    window.tabs.setCurrentWidget(tab)
    tab.reload()
    tab.search.setText("批量项目")
    assert tab.proxy.rowCount() == 200
    tab.view.setCurrentIndex(tab.proxy.index(0, COL_YTD))
    QGuiApplication.clipboard().setText("".join(f"{1 + i / 100:.2f}\n" for i in range(200)))
    tab.view.setFocus()
    key(qtbot, tab.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    statements = []
    ctx.db.conn.set_trace_callback(statements.append)
    try:
        result = tab.save()
    finally:
        ctx.db.conn.set_trace_callback(None)
    assert result is not None and len(result.rows) == 200
    assert [s.upper() for s in statements if s.upper().startswith(("BEGIN", "COMMIT"))] == \
        ["BEGIN IMMEDIATE", "COMMIT"]
    assert standing(ctx.db, "project", ids[199]) == 29_900


GRID_WARNINGS = [
    ({COL_YTD: "6"}, "与上月相同"),
    ({COL_MONTH: "0"}, "与上月相同"),
    ({COL_YTD: "5.5"}, "累计数下降"),
    ({COL_YTD: "52"}, "超过总投资"),
    ({COL_YTD: "19"}, "远超年度计划"),
    ({COL_MONTH: "10000"}, "数量级异常"),
    ({COL_STAGE: "开工"}, "形象进度倒退"),
]


@pytest.mark.parametrize("typed,label", GRID_WARNINGS, ids=[label for _, label in GRID_WARNINGS])
def test_each_plausibility_warning_shows_and_refuses_until_accepted(grid, qtbot, ctx, errors, dc_project,
                                                                   typed, label):
    view = grid.view
    r = row_of(grid, "渝北数据中心二期")
    for col, text in typed.items():
        view.setCurrentIndex(grid.proxy.index(r, col))
        type_text(qtbot, view, text)
        key(qtbot, view, Qt.Key.Key_Return)
    assert grid.row_state(r) == "warning"
    check = grid.proxy.index(r, COL_CHECK)
    assert check.data().startswith("待确认") and f"［{label}］" in check.data()
    assert check.data(Qt.ItemDataRole.BackgroundRole).name() == "#fff4d6"   # amber tint
    before = snapshot(ctx.db)
    grid.save()
    assert errors and "未保存任何数据" in errors[0] and label in errors[0]
    assert snapshot(ctx.db) == before
    view.setCurrentIndex(grid.proxy.index(r, COL_REASON))
    type_text(qtbot, view, "责任单位电话核实")
    key(qtbot, view, Qt.Key.Key_Return)
    assert grid.row_state(r) == "ok" and grid.proxy.index(r, COL_CHECK).data().startswith("已确认")
    assert grid.save() is not None
    accepted = recording.accepted_warnings(ctx.db, "project", dc_project)
    assert accepted and {a["reason"] for a in accepted} == {"责任单位电话核实"}
    from db.plausibility import CODE_LABELS
    assert label in {CODE_LABELS[a["code"]] for a in accepted}


def test_a_refused_row_changes_nothing_until_skipped(grid, qtbot, ctx, errors):
    view = grid.view
    view.setCurrentIndex(cell(grid, "大洋电机项目", COL_YTD))
    type_text(qtbot, view, "1,2")
    key(qtbot, view, Qt.Key.Key_Return)
    view.setCurrentIndex(cell(grid, "长安汽车渝北新工厂", COL_YTD))
    type_text(qtbot, view, "12.5")
    key(qtbot, view, Qt.Key.Key_Return)
    bad = row_of(grid, "大洋电机项目")
    assert grid.row_state(bad) == "error"
    check = grid.proxy.index(bad, COL_CHECK)
    assert "「累计完成投资」不是有效的数字" in check.data()
    assert check.data(Qt.ItemDataRole.BackgroundRole).name() == "#fde4e2"    # red tint
    before = snapshot(ctx.db)
    assert grid.save() is None
    assert "有 1 行需要处理" in errors[0] and "大洋电机项目" in errors[0]
    assert snapshot(ctx.db) == before
    # Skipping the row by choice (Space on the 跳过 cell) lets the others be saved.
    view.setCurrentIndex(grid.proxy.index(bad, COL_SKIP))
    key(qtbot, view, Qt.Key.Key_Space)
    assert grid.row_state(bad) == "skipped"
    assert grid.save() is not None
    changan = projects.find(ctx.db, "长安汽车渝北新工厂")["id"]
    dayang = projects.find(ctx.db, "大洋电机项目")["id"]
    assert standing(ctx.db, "project", changan) == 125_000
    assert standing(ctx.db, "project", dayang) is None


def test_undo_and_redo_of_a_grid_save(grid, qtbot, window, ctx):
    changan = projects.find(ctx.db, "长安汽车渝北新工厂")["id"]
    recording.save_month(ctx.db, "2023-07-31", [ProjectEntry(changan, completed="11")])
    grid.model.refresh_recorded()
    grid.view.setCurrentIndex(cell(grid, "长安汽车渝北新工厂", COL_YTD))
    type_text(qtbot, grid.view, "12.5")
    key(qtbot, grid.view, Qt.Key.Key_Return)
    grid.save()
    assert standing(ctx.db, "project", changan) == 125_000
    assert window.undo_action.text() == "撤销 记录 长安汽车渝北新工厂 7月完成投资"
    window.undo_action.trigger()
    assert standing(ctx.db, "project", changan) == 110_000        # the correction is undone
    window.redo_action.trigger()
    assert standing(ctx.db, "project", changan) == 125_000
    july = [h for h in updates.history(ctx.db, Subject("project", changan), "completed")]
    assert [(h["value"], h["source_kind"]) for h in july] == [(110_000, "typed"), (125_000, "typed"),
                                                              (110_000, "undo"), (125_000, "typed")]  # redo: as typed


def test_time_travel_to_june_after_recording_the_second_half(grid, qtbot, window, ctx, errors):
    """Record July–December totals through the grid; June 30 still shows the article's figures."""
    view = grid.view
    for i, month in enumerate(range(7, 13)):
        combo = grid.month_combo
        combo.setCurrentIndex(combo.findData(f"2023-{month:02d}-{[31, 31, 30, 31, 30, 31][i]:02d}"))
        view.setCurrentIndex(grid.proxy.index(0, COL_MONTH))      # 区级重点项目合计
        type_text(qtbot, view, str(30 + i))
        key(qtbot, view, Qt.Key.Key_Return)                       # down to 市级重大项目合计
        type_text(qtbot, view, "7.5")
        key(qtbot, view, Qt.Key.Key_Return)
        assert grid.save() is not None, errors
    dec = {p["name"]: p for p in summary.standing(ctx.db, "2023-12-31")["portfolios"]}
    assert dec["区级重点项目"]["completed_yi"] == 222 + sum(range(30, 36))
    window.as_of_combo.setCurrentIndex(window.as_of_combo.findData("2023-06-30"))
    assert ctx.as_of == dt.date(2023, 6, 30)
    card = next(c for c in window.tab_widgets["overview"].cards if c.name_label.text() == "区级重点项目")
    assert card.rate_label.text() == "55.6%" and "超序时进度 5.6 个百分点" in card.gap_label.text()
    june = {p["name"]: p for p in summary.standing(ctx.db, "2023-06-30")["portfolios"]}
    assert (june["区级重点项目"]["completed_yi"], june["市级重大项目"]["completed_yi"]) == (222.0, 50.5)
    assert round(june["市级重大项目"]["completion_rate"] * 100) == 57


def test_audit_tab_lists_every_write_of_the_test(grid, qtbot, window, ctx, errors, tmp_path, monkeypatch):
    start = ctx.db.scalar("SELECT max(id) FROM audit_log")
    view = grid.view
    view.setCurrentIndex(cell(grid, "长安汽车渝北新工厂", COL_YTD))
    type_text(qtbot, view, "12.5")
    key(qtbot, view, Qt.Key.Key_Tab)
    key(qtbot, view, Qt.Key.Key_Tab)
    key(qtbot, view, Qt.Key.Key_Tab)
    type_text(qtbot, view, "=HYPERLINK(\"x\")")
    key(qtbot, view, Qt.Key.Key_Return)
    grid.save()
    window.undo_action.trigger()
    window.redo_action.trigger()
    written = ctx.db.query("SELECT id FROM audit_log WHERE id > ? ORDER BY id DESC", (start,))
    audit = window.tab_widgets["audit"]
    window.tabs.setCurrentWidget(audit)
    shown = [r["id"] for r in audit.model.rows if r["id"] > start]
    assert shown == [r["id"] for r in written] and len(shown) >= 9
    actions = {r["action"] for r in audit.model.rows if r["id"] > start}
    assert {"update.record", "update.retract", "note.record", "note.retract", "recording.save", "recording.undo",
            "recording.redo"} <= actions
    # Filters: user, entity, text and date.
    audit.user_combo.setCurrentIndex(audit.user_combo.findData("内置数据"))
    assert audit.model.rows and {r["user"] for r in audit.model.rows} == {"内置数据"}
    audit.user_combo.setCurrentIndex(0)
    audit.entity_combo.setCurrentIndex(audit.entity_combo.findData("recording"))
    assert {r["entity"] for r in audit.model.rows} == {"recording"}
    audit.entity_combo.setCurrentIndex(0)
    audit.search.setText("长安汽车渝北新工厂")
    assert audit.model.rows and all("长安汽车渝北新工厂" in (r["entity_name"] or "") + r["summary"]
                                    for r in audit.model.rows)
    audit.search.setText("")
    audit.set_date_range(dt.date(2000, 1, 1), dt.date(2000, 12, 31))
    assert audit.model.rows == []
    audit.date_check.setChecked(False)
    summary_col = [audit.model.index(i, 5).data() for i in range(audit.model.rowCount())]
    assert "累计完成投资（截至 2023-07-31）：12.5 亿元" in summary_col
    # Export what is shown to xlsx; a formula-looking note stays text.
    out = tmp_path / "变更记录.xlsx"
    monkeypatch.setattr(audit, "ask_export_path", lambda: str(out))
    assert audit.export() == out
    from openpyxl import load_workbook
    ws = load_workbook(out).active
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row if c.value]
    assert ws.max_row - 1 == ctx.db.scalar("SELECT count(*) FROM audit_log")
    assert any(str(v).startswith("本月进展（截至 2023-07-31）：=HYPERLINK") for v in values)
    assert not any(str(v).startswith(("=", "+", "-", "@")) for v in values)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
