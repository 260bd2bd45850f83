"""Issue 15 in the window: 调度 → 下发填报表…, a returned file through 导入调度表 becomes a submission in 审核,
通过/退回 there, and 报送情况 shows each unit's place in the cycle."""
from __future__ import annotations

import datetime as dt
import gc

import pytest

from db import cycle, projects, updates
from db.subjects import Subject
from desktop import cycle_ui, dialogs
from tests.desktop.test_cycle import UNITS, fill


@pytest.fixture(autouse=True)
def _collect_on_the_ui_thread():
    """Torn down after the window: its reference cycles are collected here, on the UI thread, not later by
    whichever thread (a background worker) happens to trigger the collector."""
    yield
    gc.collect()


def _units(db):
    for p in projects.list_for(db, 1):
        if p["name"] in UNITS:
            projects.edit(db, p["id"], responsible_unit=UNITS[p["name"]])


def test_dispatch_import_review_in_the_window(window, monkeypatch, tmp_path):
    ctx = window.ctx
    _units(ctx.db)
    ctx.set_as_of(dt.date(2023, 7, 31))
    assert [a.text() for a in window.cycle_menu.actions()] == ["下发填报表…", "审核报送"]

    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_info", lambda _p, _t, text: shown.append(text))
    monkeypatch.setattr(dialogs, "show_error", lambda _p, _t, text: shown.append("ERROR " + text))
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    dialog = cycle_ui.DispatchDialog(ctx, window)
    dialog.folder.setText(str(tmp_path / "out"))
    for i in range(dialog.units.count()):  # only 洛碛镇 and 区经济信息委
        item = dialog.units.item(i)
        if item.data(256) not in ("洛碛镇", "区经济信息委"):
            item.setCheckState(cycle_ui.Qt.CheckState.Unchecked)
    monkeypatch.setattr(dialog, "exec", lambda: cycle_ui.QDialog.DialogCode.Accepted)
    files = cycle_ui.dispatch_forms(window, ctx, dialog=dialog)
    assert sorted(f.unit for f in files) == ["区经济信息委", "洛碛镇"]
    assert shown[-1].startswith("已生成 2 份填报表（报送截止 2023年8月5日）")

    report_tab = window.tab_widgets["reporting"]
    cells = {report_tab.table.item(r, 0).text(): report_tab.table.item(r, 6).text()
             for r in range(report_tab.table.rowCount())}
    assert cells["洛碛镇"].startswith("已下发") and cells["区住房城乡建委"] == "未下发"

    form = tmp_path / "out" / "2023年7月填报表-洛碛镇.xlsx"
    fill(form, {"洛碛物流项目": (9000, "开工", "场平完成", "征地滞后")})
    from desktop import exchange_ui
    assert exchange_ui.import_xlsx(window, ctx, str(form)) is None
    assert shown[-1] == "已收到报送 #1：待初审。"
    review = window.tab_widgets["review"]
    assert window.tabs.currentWidget() is review
    assert review.table.item(0, 1).text() == "洛碛镇" and review.table.item(0, 3).text() == "待初审"
    assert review.rows.item(0, 0).text() == "洛碛物流项目" and review.rows.item(0, 2).text() == "0.90"
    pid = projects.find(ctx.db, "洛碛物流项目")["id"]
    assert updates.standing(ctx.db, Subject("project", pid), "completed", "2023-07-31") is None

    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "累计数与台账不符")
    review.return_button.click()
    assert review.table.item(0, 3).text() == "已退回"
    assert "退回原因：累计数与台账不符" in review.notice.toPlainText()
    pdf = tmp_path / "退回说明.pdf"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a: str(pdf))
    review.save_notice_button.click()
    import subprocess
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "洛碛镇" in text and "退回原因：累计数与台账不符" in text
    assert updates.standing(ctx.db, Subject("project", pid), "completed", "2023-07-31") is None
    cells = {report_tab.table.item(r, 0).text(): report_tab.table.item(r, 6).text()
             for r in range(report_tab.table.rowCount())}
    assert cells["洛碛镇"] == "已退回（报送 #1）"

    fill(form, {"洛碛物流项目": (9500, "开工", "场平完成", "")})
    exchange_ui.import_xlsx(window, ctx, str(form))
    sub = cycle.submissions(ctx.db)[0]
    assert sub.id == 2 and review.selected().id == 2
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "")
    review.pass_button.click()
    assert review.table.item(0, 3).text() == "已通过"
    assert updates.standing(ctx.db, Subject("project", pid), "completed", "2023-07-31")["value"] == 9500
    cells = {report_tab.table.item(r, 0).text(): report_tab.table.item(r, 6).text()
             for r in range(report_tab.table.rowCount())}
    assert cells["洛碛镇"] == "已通过（报送 #2）"
