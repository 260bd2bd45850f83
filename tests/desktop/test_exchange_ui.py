"""导入调度表 / 交换包 dialogs driven as a user would: the preview, the conflict resolver, cancel, the menu."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog, QPushButton

from db import exchange, open_database, projects, seed, updates, xlsx_import
from db.subjects import Subject
from desktop import dialogs, exchange_ui
from desktop.exchange_ui import ConflictResolver, ExchangePreviewDialog, ImportPreviewDialog, ImportRowsModel
from tests.db.xlsx_fixtures import messy_workbook, simple_workbook


@pytest.fixture
def told(monkeypatch):
    """What the dialog service would have shown."""
    messages = []
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, text: messages.append(("info", title, text)))
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: messages.append(("error", title, text)))
    return messages


def counts(db):
    return {t: db.scalar("SELECT count(*) FROM " + t) for t in ("project", "progress_update", "target",
                                                                 "import_batch", "audit_log")}


def cell(model, row, col):
    return model.data(model.index(row, col), Qt.ItemDataRole.DisplayRole)


def test_import_preview_shows_rows_unreadable_cells_and_totals(ctx, qtbot, tmp_path):
    preview = xlsx_import.read(ctx.db, messy_workbook(tmp_path / "调度表.xlsx"))
    dialog = ImportPreviewDialog(ctx, preview)
    qtbot.addWidget(dialog)
    m = dialog.rows_model
    assert m.rowCount() == 9
    first = [cell(m, 0, c) for c in range(m.columnCount())]
    assert first[:6] == ["区级", "7", "金康赛力斯 龙兴工厂（金康赛力斯龙兴工厂）", "有变化", "区级重点", "2023-07-31"]
    assert "累计完成投资 （无） → 150,000 万元" in first[ImportRowsModel.COL_CHANGES]
    statuses = [cell(m, r, ImportRowsModel.COL_STATUS) for r in range(m.rowCount())]
    assert statuses.count("新项目") == 4
    new_row = statuses.index("新项目")
    assert m.data(m.index(new_row, 0), Qt.ItemDataRole.BackgroundRole).color().name() == "#e3f2fd"
    assert "第 7 行" in dialog.detail.toPlainText() and "总投资 （无） → 1,200,000 万元" in dialog.detail.toPlainText()
    p = dialog.problems_model
    assert p.rowCount() == 3 and [cell(p, 0, c) for c in range(6)] == [
        "区级", "12", "E", "累计完成投资", "约4000", "不是有效的数字"]
    assert dialog.tabs.tabText(1) == "无法读取的单元格（3）"
    assert "截至 2023-07-31（标题：截至7月31日）" in dialog.header.text()
    assert dialog.totals.text().startswith("共 9 行有变化：新建项目 4 个")
    assert dialog.apply_button.isEnabled()
    dialog.only_changes.setChecked(True)
    assert m.rowCount() == 9  # every row of this file changes something


def test_choosing_a_portfolio_for_rows_of_unknown_level(ctx, qtbot, tmp_path):
    path = simple_workbook(tmp_path / "x.xlsx", [[1, "无级别新项目", 1000, 500, "开工", "区经信委"]],
                           title="2023年重点项目调度表（截至7月31日）", sheet="Sheet1")
    dialog = ImportPreviewDialog(ctx, xlsx_import.read(ctx.db, path))
    qtbot.addWidget(dialog)
    assert cell(dialog.rows_model, 0, ImportRowsModel.COL_STATUS) == "跳过" and not dialog.apply_button.isEnabled()
    dialog.level_combo.setCurrentIndex(dialog.level_combo.findData("city"))
    assert cell(dialog.rows_model, 0, ImportRowsModel.COL_STATUS) == "新项目"
    assert cell(dialog.rows_model, 0, 4) == "市级重大" and dialog.apply_button.isEnabled()


def test_preview_asks_where_an_unknown_level_goes(ctx, qtbot, tmp_path):
    from tests.data import layouts
    dialog = ImportPreviewDialog(ctx, xlsx_import.read(ctx.db, layouts.write("national-code", tmp_path)))
    qtbot.addWidget(dialog)
    assert dialog.level_question.text() == "1 个新项目级别不明（表中写“省级重点”），放入："
    assert cell(dialog.rows_model, 2, ImportRowsModel.COL_STATUS) == "跳过"
    dialog.level_combo.setCurrentIndex(dialog.level_combo.findData("district"))
    assert cell(dialog.rows_model, 2, 4) == "区级重点" and dialog.apply_button.isEnabled()


def test_preview_lists_warnings_and_imports_only_with_a_reason(ctx, qtbot, tmp_path, told):
    from tests.data import layouts
    xlsx_import.apply(ctx.db, xlsx_import.read(ctx.db, layouts.write("platform-july", tmp_path)))
    path = layouts.platform_august_disagreeing(tmp_path / "disagree.xlsx")
    dialog = ImportPreviewDialog(ctx, xlsx_import.read(ctx.db, path))
    qtbot.addWidget(dialog)
    listed = [dialog.warnings_list.item(i).text() for i in range(dialog.warnings_list.count())]
    assert [t.split("：［")[0] for t in listed if "［本月与累计不符］与累计数不一致" in t] == [
        "需核实：工作表“投资完成情况” 第 4 行 空港新城人才公寓",
        "需核实：工作表“投资完成情况” 第 6 行 两江国际商务中心综合交通枢纽"]
    assert "有 2 条提醒需要核实" in dialog.blockers.text() and not dialog.apply_button.isEnabled()
    assert not dialog.reason.isHidden()
    assert "本月与累计不符" in cell(dialog.rows_model, 1, 7)
    dialog.reason.setText("平台数据已核实")
    assert dialog.apply_button.isEnabled()
    before = counts(ctx.db)
    result = xlsx_import.apply(ctx.db, dialog.preview)
    assert result.updates_recorded == 4 and counts(ctx.db)["progress_update"] == before["progress_update"] + 4
    assert ctx.db.scalar("SELECT count(*) FROM accepted_warning WHERE reason = '平台数据已核实'") == 2


def test_preview_of_a_refused_sheet_cannot_be_applied(ctx, qtbot, tmp_path):
    path = simple_workbook(tmp_path / "y.xlsx", [[1, "大洋电机项目", 1000, 500, "开工", "区经信委"]],
                           title="渝北区2024年区级重点项目调度表（截至2024年3月31日）")
    dialog = ImportPreviewDialog(ctx, xlsx_import.read(ctx.db, path))
    qtbot.addWidget(dialog)
    assert "无法导入：工作表“区级”：表中是 2024 年的数据，数据库中没有这一计划年度" in dialog.blockers.text()
    assert not dialog.apply_button.isEnabled() and dialog.reason.isHidden()


def test_import_flow_reads_and_applies_off_the_ui_thread(ctx, qtbot, tmp_path, monkeypatch, told):
    path = messy_workbook(tmp_path / "调度表.xlsx")
    seen = {}

    def accept(self):
        seen["rows"] = self.rows_model.rowCount()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportPreviewDialog, "exec", accept)
    with qtbot.waitSignal(ctx.data_changed, timeout=20_000):
        result = exchange_ui.import_xlsx(None, ctx, str(path))
    assert seen["rows"] == 9 and result.updates_recorded == 17
    jk = projects.find(ctx.db, "金康赛力斯龙兴工厂")
    assert updates.standing(ctx.db, Subject("project", jk["id"]), "completed", "2023-07-31")["value"] == 150_000
    assert told[-1][0] == "info" and "记录更新 17 条" in told[-1][2]
    # Again: nothing new, and the user is told so.
    exchange_ui.import_xlsx(None, ctx, str(path))
    assert told[-1][2] == "没有新的数据，未记录任何内容。"


def test_cancel_in_the_progress_dialog_leaves_the_database_unchanged(ctx, qtbot, tmp_path, monkeypatch, told):
    rows = [[i, f"批量新项目{i:03d}", 1000 + i, 500, "开工", "区经信委"] for i in range(1, 121)]
    path = simple_workbook(tmp_path / "big.xlsx", rows)
    monkeypatch.setattr(ImportPreviewDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    real = xlsx_import._write_row

    def slow(*a, **kw):
        time.sleep(0.02)
        return real(*a, **kw)

    monkeypatch.setattr(xlsx_import, "_write_row", slow)
    before = counts(ctx.db)
    pressed = []

    def press_cancel():
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QProgressDialog) and "写入" in w.labelText() and not w.wasCanceled():
                w.findChild(QPushButton).click()  # the 取消 button, as a user presses it
                pressed.append(True)
                return
        QTimer.singleShot(50, press_cancel)

    QTimer.singleShot(200, press_cancel)
    assert exchange_ui.import_xlsx(None, ctx, str(path)) is None
    assert pressed and told[-1] == ("error", "导入未完成", "已取消，数据库没有任何改动")
    assert counts(ctx.db) == before


def test_refused_file_shows_the_reason(ctx, tmp_path, told):
    (tmp_path / "x.xlsx").write_text("not a workbook", "utf-8")
    before = counts(ctx.db)
    assert exchange_ui.import_xlsx(None, ctx, str(tmp_path / "x.xlsx")) is None
    assert told == [("error", "无法导入", "无法导入 x.xlsx：不是 Excel 工作簿（.xlsx），也不是 CSV 文本")]
    assert counts(ctx.db) == before


def _conflicting_file(ctx, tmp_path):
    unit = open_database(tmp_path / "unit.db")
    seed.load_builtin(unit)
    unit.user = "张三"
    for db in (ctx.db, unit):
        projects.edit(db, projects.find(db, "大洋电机项目")["id"], responsible_unit="区经信委")
    updates.record(ctx.db, Subject("project", projects.find(ctx.db, "大洋电机项目")["id"]), "completed",
                   "2023-07-31", value=30_000)
    s = Subject("project", projects.find(unit, "大洋电机项目")["id"])
    updates.record(unit, s, "completed", "2023-07-31", value=31_500)
    updates.record(unit, s, "stage", "2023-07-31", text_value="主体施工")
    path = exchange.export(unit, tmp_path / "unit.ptx", unit="区经信委").path
    unit.close()
    return path


def test_conflict_resolver_side_by_side_and_apply_waits_for_a_choice(ctx, qtbot, tmp_path):
    preview = exchange.read(ctx.db, _conflicting_file(ctx, tmp_path))
    dialog = ExchangePreviewDialog(ctx, preview)
    qtbot.addWidget(dialog)
    resolver = dialog.resolver
    assert dialog.tabs.currentWidget() is resolver and dialog.tabs.tabText(1) == "冲突（1）"
    mine = resolver.table.cellWidget(0, 1).text()
    theirs = resolver.table.cellWidget(0, 2).text()
    assert "30,000 万元" in mine and "31,500 万元" in theirs and "张三" in theirs
    assert "项目“大洋电机项目”" in resolver.table.cellWidget(0, 0).text()
    assert not dialog.apply_button.isEnabled() and "未选择 1 处" in dialog.summary.text()
    resolver.choose(0, "theirs")
    assert preview.conflicts[0].choice == "theirs" and dialog.apply_button.isEnabled()
    changes = dialog.changes_model
    rows = {cell(changes, r, 1): [cell(changes, r, c) for c in range(changes.columnCount())]
            for r in range(changes.rowCount())}
    assert rows["累计完成投资"][3:6] == ["冲突：采用交换包", "30,000 万元", "31,500 万元"]
    assert rows["形象进度"][3:6] == ["新增", "（无）", "主体施工"]  # the seeded stage is June's
    resolver.all_mine.click()
    assert preview.conflicts[0].choice == "mine"


def test_exchange_import_flow(ctx, qtbot, tmp_path, monkeypatch, told):
    path = _conflicting_file(ctx, tmp_path)

    def decide(self):
        self.resolver.choose_all("theirs")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExchangePreviewDialog, "exec", decide)
    with qtbot.waitSignal(ctx.data_changed, timeout=20_000):
        result = exchange_ui.import_exchange(None, ctx, str(path))
    assert result.recorded_updates == 2
    pid = projects.find(ctx.db, "大洋电机项目")["id"]
    assert updates.standing(ctx.db, Subject("project", pid), "completed", "2023-07-31")["value"] == 31_500
    assert "记录更新 2 条" in told[-1][2]


def test_exports_from_the_gui(ctx, tmp_path, monkeypatch, told):
    out = tmp_path / "调度表.xlsx"
    result = exchange_ui.export_xlsx(None, ctx, str(out))
    assert out.exists() and result.projects == 13 and "已导出 13 个项目" in told[-1][2]
    def fill(self):
        self.sender_edit.setText("区发改委")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(exchange_ui.ExchangeExportDialog, "exec", fill)
    monkeypatch.setattr(exchange_ui, "ask_save_path", lambda *a: str(tmp_path / "out.ptx"))
    summary = exchange_ui.export_exchange(None, ctx)
    assert (tmp_path / "out.ptx").exists() and summary.updates == 0 and "已导出" in told[-1][2]
    assert summary.sender["name"] == "区发改委"
    from db import ledger
    assert ledger.site_name(ctx.db) == "区发改委"  # remembered for the next export


def test_file_menu_offers_the_four_actions(window):
    texts = [a.text() for a in window.file_menu.actions()]
    assert texts[:5] == ["导入调度表…", "导出调度表…", "", "导入交换包…", "导出交换包…"]
    assert set(window.exchange_actions) == {"import_xlsx", "export_xlsx", "export_exchange", "import_exchange"}


def test_conflict_resolver_alone(ctx, qtbot, tmp_path):
    preview = exchange.read(ctx.db, _conflicting_file(ctx, tmp_path))
    widget = ConflictResolver(preview)
    qtbot.addWidget(widget)
    changed = []
    widget.on_change = lambda: changed.append(widget.open_count)
    assert widget.open_count == 1
    widget.all_theirs.click()
    assert changed == [0] and widget.combos[0].currentText() == "采用交换包"


def test_a_read_only_database_offers_no_imports(app, builtin_db, qtbot, tmp_path):
    from db import open_database as open_db
    from desktop.app import AppContext
    from desktop.main_window import MainWindow

    path = builtin_db.path
    builtin_db.close()
    db = open_db(path, read_only=True)
    ctx = AppContext(db)
    w = MainWindow(ctx, restore_state=False)
    qtbot.addWidget(w)
    acts = w.exchange_actions
    assert not acts["import_xlsx"].isEnabled() and not acts["import_exchange"].isEnabled()
    assert acts["export_xlsx"].isEnabled() and "只读" in acts["import_xlsx"].toolTip()
    w.close()
    ctx.close()
    db.close()


def test_exchange_preview_lists_plausibility_warnings_and_needs_a_reason(ctx, qtbot, tmp_path):
    unit = open_database(tmp_path / "unit.db")
    seed.load_builtin(unit)
    s = Subject("project", projects.find(unit, "大洋电机项目")["id"])
    updates.record(unit, s, "completed", "2023-07-31", value=600_000_000)  # 6 万亿元: 万元 read as 亿元
    path = exchange.export(unit, tmp_path / "unit.ptx").path
    unit.close()
    preview = exchange.read(ctx.db, path)
    dialog = ExchangePreviewDialog(ctx, preview)
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.warnings_label.text()
    assert dialog.warnings_label.isVisible() and "合理性提示（1 条" in text and "数量级异常" in text
    assert "大洋电机项目" in text and not dialog.apply_button.isEnabled()
    dialog.reason_edit.setText("  ")
    assert not dialog.apply_button.isEnabled()
    dialog.reason_edit.setText("单位核实无误")
    assert dialog.apply_button.isEnabled()
    dialog.accept()
    assert preview.accepted_reason == "单位核实无误"


def test_gui_exports_never_replace_a_database_or_another_kind(ctx, tmp_path, monkeypatch, told):
    import hashlib
    import shutil

    disguised = tmp_path / "调度表.xlsx"
    shutil.copyfile(ctx.db.path, disguised)
    before = hashlib.sha256(disguised.read_bytes()).hexdigest()
    assert exchange_ui.export_xlsx(None, ctx, str(disguised)) is None
    assert "数据库" in told[-1][2] and "不会覆盖" in told[-1][2]
    ptx = tmp_path / "别人的.ptx"
    ptx.write_bytes(b"%PDF-1.4 not an exchange file")
    monkeypatch.setattr(exchange_ui.ExchangeExportDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(exchange_ui, "ask_save_path", lambda *a: str(ptx))
    assert exchange_ui.export_exchange(None, ctx) is None
    assert "不是交换包" in told[-1][2] and ptx.read_bytes().startswith(b"%PDF")
    assert hashlib.sha256(disguised.read_bytes()).hexdigest() == before


def _enrol_someone_else(ctx, tmp_path):
    """The office keeps a 单位名册 with one unit that is not the sender of _conflicting_file."""
    from db import identity
    other = open_database(tmp_path / "other.db")
    me = identity.ensure_key(other)
    other.close()
    identity.enrol(ctx.db, identity.Identity("区商务委", me.public_key, me.fingerprint),
                   confirmed_fingerprint=me.fingerprint)


def test_a_file_from_an_unenrolled_signer_needs_a_reason_and_says_so_in_the_preview(ctx, qtbot, tmp_path,
                                                                                     monkeypatch, told):
    from PySide6.QtWidgets import QInputDialog
    path = _conflicting_file(ctx, tmp_path)
    _enrol_someone_else(ctx, tmp_path)
    asked, shown = [], []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **kw: asked.append(a[2]) or ("", False))
    before = counts(ctx.db)
    assert exchange_ui.import_exchange(None, ctx, str(path)) is None      # cancelled at the question
    assert "签名者不在单位名册中" in asked[0] and counts(ctx.db) == before

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **kw: ("电话核实", True))

    def look(self):
        shown.append(self.header.text())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(ExchangePreviewDialog, "exec", look)
    exchange_ui.import_exchange(None, ctx, str(path))
    assert "签名：签名者未登记（已确认接受，理由：电话核实）" in shown[0]
    assert counts(ctx.db) == before
