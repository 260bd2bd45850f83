"""记录更新 dialog, 历史记录 view and the toolbar action, driven as a user would."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from db import clusters, indicators, plan, projects, recording, updates
from db.subjects import Subject
from desktop import dialogs
from desktop.record_dialog import RecordDialog

JULY = dt.date(2023, 7, 31)
TABLES = ("progress_update", "progress_note", "project_issue", "accepted_warning", "audit_log", "milestone")


def snapshot(db):
    return {t: db.query("SELECT * FROM " + t + " ORDER BY id") for t in TABLES}


@pytest.fixture
def changan(ctx):
    return projects.find(ctx.db, "长安汽车渝北新工厂")["id"]


@pytest.fixture
def dialog(ctx, qtbot, changan):
    d = RecordDialog(ctx, "project", changan, as_of=JULY)
    qtbot.addWidget(d)
    d.show()
    return d


def type_text(widget, text):
    """Key events carrying text, one per character (QTest's key clicks are ASCII only)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def standing(db, kind, sid, metric="completed", date="2023-07-31"):
    row = updates.standing(db, Subject(kind, sid), metric, date)
    return None if row is None else (row["value"] if row["text_value"] is None else row["text_value"])


def test_project_dialog_records_everything_and_undo_restores(dialog, qtbot, ctx, changan):
    qtbot.keyClicks(dialog.amount, "12.5")
    dialog.stage_combo.setCurrentIndex(dialog.stage_combo.findData("试生产"))
    dialog.progress_note.setPlainText("完成白车身试制")
    type_text(dialog.issue_text, "配套电力增容未批复")
    type_text(dialog.issue_owner, "区发展改革委")
    qtbot.keyClicks(dialog.issue_deadline, "2023-09-30")
    assert dialog.check_label.text() == "检查通过，可以保存。"
    assert "年度累计 12.5 亿元" in dialog.derived_label.text()
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == RecordDialog.DialogCode.Accepted
    assert standing(ctx.db, "project", changan) == 125_000
    assert standing(ctx.db, "project", changan, "stage") == "试生产"
    assert recording.note_as_of(ctx.db, changan, JULY)["text"] == "完成白车身试制"
    [issue] = recording.open_issues(ctx.db, changan, JULY)
    assert (issue["owner"], issue["deadline"]) == ("区发展改革委", "2023-09-30")
    assert ctx.undo_stack.undoText() == "记录 长安汽车渝北新工厂 7月进度"
    ctx.undo_stack.undo()
    assert standing(ctx.db, "project", changan) is None
    assert standing(ctx.db, "project", changan, "stage") == "设备安装"   # June's stage stands again
    assert recording.open_issues(ctx.db, changan, JULY) == []
    history = updates.history(ctx.db, Subject("project", changan), "completed")
    assert [(h["value"], h["retracted"]) for h in history] == [(125_000, 0), (None, 1)]


def test_completed_investment_only_is_labelled_as_such(dialog, qtbot, ctx):
    qtbot.keyClicks(dialog.amount, "3")
    dialog.save()
    assert ctx.undo_stack.undoText() == "记录 长安汽车渝北新工厂 7月完成投资"


def test_month_amount_derives_year_to_date(ctx, qtbot, changan):
    recording.save_month(ctx.db, JULY, [recording.ProjectEntry(changan, completed="12.5")])
    d = RecordDialog(ctx, "project", changan, as_of=dt.date(2023, 8, 31))
    qtbot.addWidget(d)
    assert "12.5 亿元（截至 2023-07-31）" in d.previous_label.text()
    d.month_radio.setChecked(True)
    qtbot.keyClicks(d.amount, "2")
    assert d.derived_label.text() == "→ 年度累计 14.5 亿元，本月完成 2.0 亿元"
    d.save()
    assert standing(ctx.db, "project", changan, date="2023-08-31") == 145_000


def test_refused_input_shows_the_reason_and_changes_nothing(dialog, qtbot, ctx):
    before = snapshot(ctx.db)
    qtbot.keyClicks(dialog.amount, "12..5")
    assert "「累计完成投资」不是有效的数字" in dialog.check_label.text()
    assert not dialog.save_button.isEnabled()
    dialog.save()
    assert dialog.result() != RecordDialog.DialogCode.Accepted
    assert snapshot(ctx.db) == before


def test_milestone_before_start_warns_until_accepted(dialog, qtbot, ctx, changan):
    ms = projects.milestones(ctx.db, changan)
    dialog.milestone_table.item(0, 2).setText("2022-12-15")
    assert "［节点早于项目开工］" in dialog.check_label.text()
    assert not dialog.save_button.isEnabled()
    before = snapshot(ctx.db)
    dialog.save()
    assert snapshot(ctx.db) == before
    type_text(dialog.reason, "旧厂区试制线提前完成")
    assert "已确认［节点早于项目开工］" in dialog.check_label.text()
    dialog.save()
    assert projects.milestones(ctx.db, changan)[0]["actual_date"] == "2022-12-15"
    [acc] = recording.accepted_warnings(ctx.db, "project", changan)
    assert (acc["milestone_id"], acc["reason"]) == (ms[0]["id"], "旧厂区试制线提前完成")
    ctx.undo_stack.undo()
    assert projects.milestones(ctx.db, changan)[0]["actual_date"] is None


def test_milestone_after_the_report_date_is_an_error(dialog, ctx):
    dialog.milestone_table.item(0, 2).setText("2023-08-15")
    assert "晚于截至日期 2023-07-31" in dialog.check_label.text()
    assert not dialog.save_button.isEnabled()


def test_reason_does_not_carry_over_to_a_different_warning(ctx, qtbot, changan):
    recording.save_month(ctx.db, JULY, [recording.ProjectEntry(changan, completed="12.5")])
    d = RecordDialog(ctx, "project", changan, as_of=dt.date(2023, 8, 31))
    qtbot.addWidget(d)
    qtbot.keyClicks(d.amount, "12.5")
    assert "提示［与上月相同］" in d.check_label.text()
    type_text(d.reason, "停工检修")
    assert d.save_button.isEnabled()
    d.amount.setText("11")          # now the total goes down: a different warning, the reason no longer fits
    assert d.reason.text() == ""
    assert "提示［累计数下降］" in d.check_label.text() and not d.save_button.isEnabled()


def test_indicator_dialog(ctx, qtbot):
    py = plan.current_plan_year(ctx.db)["id"]
    sme = indicators.find(ctx.db, "新培育科技型中小企业", plan_year_id=py)["id"]
    d = RecordDialog(ctx, "indicator", sme, as_of=JULY)
    qtbot.addWidget(d)
    assert "359家（截至 2023-06-30）" in d.previous_label.text()
    qtbot.keyClicks(d.actual, "359")
    assert "提示［与上月相同］" in d.check_label.text()
    d.actual.setText("372")
    d.note.setText("区科技局报送")
    d.save()
    row = updates.standing(ctx.db, Subject("indicator", sme), "value", JULY)
    assert (row["value"], row["note"]) == (372, "区科技局报送")
    assert ctx.undo_stack.undoText() == "记录 新培育科技型中小企业 7月实际值"


def test_record_action_opens_the_dialog_for_the_selected_indicator(window, ctx, monkeypatch):
    opened = []
    import desktop.record_dialog as rd
    monkeypatch.setattr(rd, "open_record_dialog", lambda c, kind, sid, parent=None, **kw: opened.append((kind, sid)))
    tab = window.tab_widgets["indicators"]
    window.tabs.setCurrentWidget(tab)
    py = plan.current_plan_year(ctx.db)["id"]
    sme = indicators.find(ctx.db, "新培育科技型中小企业", plan_year_id=py)["id"]
    tab.select(sme)
    window.record_action.trigger()
    assert opened == [("indicator", sme)]
    shown = []
    monkeypatch.setattr(dialogs, "show_info", lambda p, t, text: shown.append(text))
    window.tabs.setCurrentWidget(window.tab_widgets["overview"])
    window.record_action.trigger()
    assert shown and "月度调度录入" in shown[0]


def test_history_view_lists_every_row_and_charts_by_month(window, ctx, qtbot, changan):
    recording.save_month(ctx.db, JULY, [recording.ProjectEntry(changan, completed="10", stage="设备安装")])
    recording.save_month(ctx.db, "2023-08-31", [recording.ProjectEntry(changan, completed="12")])
    recording.save_month(ctx.db, "2023-08-31", [recording.ProjectEntry(changan, completed="12.4", note="更正")])
    tab = window.tab_widgets["history"]
    assert tab.view.chart.canvas is None            # nothing drawn while the tab is hidden
    window.tabs.setCurrentWidget(tab)
    tab.show_subject(Subject("project", changan))
    qtbot.waitUntil(lambda: tab.view.chart.canvas is not None)
    rows = [r["cells"] for r in tab.view.model.rows]
    assert rows[0][:5] == ["2023-08-31", "累计完成投资", "12.4 亿元", "有效", "手工录入"]
    assert rows[0][7] == "更正"
    assert rows[1][:4] == ["2023-08-31", "累计完成投资", "12.0 亿元", "已被更正"]
    assert all(r[5] for r in rows)                   # who recorded each figure
    assert dict(tab.view.chart.points)[8] == pytest.approx(12.4)
    assert dict(tab.view.chart.points)[7] == pytest.approx(10.0)
    assert dict(tab.view.chart.points)[9] is None    # nothing reported after August
    tab.view.metric_combo.setCurrentIndex(tab.view.metric_combo.findData("stage"))
    assert dict(tab.view.chart.points)[7] == plan.stages(ctx.db).index("设备安装")


def test_history_of_a_cluster_node(window, ctx, qtbot):
    node = clusters.find_by_path(ctx.db, ctx.plan_year["id"],
                                 ["“2335”现代制造业集群", "主导产业集群", "智能网联新能源汽车"])
    tab = window.tab_widgets["history"]
    window.tabs.setCurrentWidget(tab)
    tab.show_subject(Subject("cluster", node))
    qtbot.waitUntil(lambda: tab.view.chart.canvas is not None)
    assert tab.view.model.rows[0]["cells"][1] in ("产值", "同比增长")
    assert dict(tab.view.chart.points)[6] == pytest.approx(505.2)
