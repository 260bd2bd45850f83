"""The 重点项目 board driven as a user would: filters, sorting, colours, stage moves, edits, undo, persistence."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from db import audit, board, plan, portfolios, projects, updates
from db.subjects import Subject
from desktop import dialogs
from desktop.app import AppContext
from desktop.models.board import COL, BoardTableModel, StageListModel
from desktop.style import STATUS_TINT

# As of 2023-06-30 time progress is exactly 50%.
EXTRA = [
    # name, level, plan (万元), done, stage, unit
    ("汽车零部件配套园", "district", 1200, 600, "主体施工", "区经济信息委"),    # 50.0%: exactly on time
    ("汽车电子产业园", "district", 1200, 599, "开工", "区经济信息委"),          # 49.9%: a hair behind
    ("物流分拨中心", "district", 1000, 95, "前期", "区交通局"),                 # 9.5%
    ("医院改扩建工程", "city", 1000, 102, "主体施工", "区卫生健康委"),          # 10.2%
    ("数据中心", "city", 1000, 1000, "投产", "区大数据局"),                     # 100%
]


def _add_extra(db):
    py = plan.current_plan_year(db)
    ids = {}
    for name, level, plan_wan, done, stage, unit in EXTRA:
        pf = portfolios.by_level(db, py["id"], level)
        pid = projects.create(db, portfolio_id=pf["id"], name=name, annual_plan_wan=plan_wan, responsible_unit=unit)
        updates.record(db, Subject("project", pid), "completed", "2023-06-30", value=done)
        updates.record(db, Subject("project", pid), "stage", "2023-06-30", text_value=stage)
        ids[name] = pid
    return ids


@pytest.fixture
def ids(builtin_db):
    return _add_extra(builtin_db)


@pytest.fixture
def bw(ids, builtin_db, app, qtbot):
    """The main window on the built-in dataset plus five projects with figures, on the 重点项目 tab."""
    from desktop.main_window import MainWindow
    ctx = AppContext(builtin_db, as_of=dt.date(2023, 6, 30))
    w = MainWindow(ctx, restore_state=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.tabs.setCurrentWidget(w.tab_widgets["board"])
    yield w
    w.close()
    ctx.close()


def tab_of(w):
    return w.tab_widgets["board"]


def shown(tab):
    """Every row the table shows, fetched to the end, as {name: row index}."""
    m = tab.model
    while m.canFetchMore(QModelIndex()):
        m.fetchMore(QModelIndex())
    return {m.index(r, COL["name"]).data(): r for r in range(m.rowCount())}


def cell(tab, name, key):
    return tab.model.index(shown(tab)[name], COL[key])


def pick(combo, data):
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)


def test_board_is_the_second_tab_with_bands_from_the_article(bw):
    assert bw.tabs.tabText(1) == "重点项目" and tab_of(bw).key == "board"
    tab = tab_of(bw)
    band = next(b for b in tab.bands if b.name_label.text() == "区级重点项目")
    assert "197 个" in band.declared_label.full_text() and "年度计划 399.0 亿元" in band.declared_label.full_text()
    assert band.rate_label.text() == "55.6%" and band.chip.text() == "正常"
    assert "超序时进度 5.6 个百分点" in band.gap_label.text()
    # 8 built-in district projects plus the 3 added here; their plans 1200 + 1200 + 1000 万元 = 0.3 亿元.
    assert band.itemised_label.text().startswith("已录入 11 / 197 个项目")
    assert "已录入项目年度计划 0.3 / 399.0 亿元" in band.itemised_label.text()
    assert tab.count_label.text().startswith("显示 18 个项目")


def _direct_count(db, *, level=None, stage=None, unit=None, text=None):
    """The same question asked straight of the tables (the test data has no corrections or retractions)."""
    return db.scalar(
        "SELECT count(*) FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
        " WHERE p.active = 1 AND (:level IS NULL OR pf.level = :level)"
        " AND (:unit IS NULL OR p.responsible_unit = :unit)"
        " AND (:text IS NULL OR instr(p.name, :text) OR instr(p.responsible_unit, :text) OR instr(p.note, :text))"
        " AND (:stage IS NULL OR (SELECT u.text_value FROM progress_update u WHERE u.project_id = p.id"
        "      AND u.metric = 'stage' AND u.as_of <= '2023-06-30' ORDER BY u.as_of DESC, u.id DESC LIMIT 1) = :stage)",
        {"level": level, "stage": stage, "unit": unit, "text": text})


def test_filters_combine_and_the_rows_shown_equal_a_direct_query(bw):
    tab = tab_of(bw)
    db = tab.ctx.db
    pick(tab.level_combo, "district")
    assert len(shown(tab)) == _direct_count(db, level="district") == 11
    pick(tab.stage_combo, "开工")
    assert len(shown(tab)) == _direct_count(db, level="district", stage="开工") == 7
    tab.search.setText("汽车")
    tab.reload()                       # what the search box's short timer does
    assert set(shown(tab)) == {"汽车电子产业园", "前沿科技城新能源智能汽车工业园配套设施", "宏捷盛汽车零部件项目"}
    assert len(shown(tab)) == _direct_count(db, level="district", stage="开工", text="汽车")
    pick(tab.unit_combo, "区经济信息委")
    assert set(shown(tab)) == {"汽车电子产业园"} and _direct_count(
        db, level="district", stage="开工", text="汽车", unit="区经济信息委") == 1
    pick(tab.status_combo, "amber")
    assert set(shown(tab)) == {"汽车电子产业园"}
    pick(tab.status_combo, "green")
    assert shown(tab) == {}
    assert "显示 0 个项目（共 18 个），已筛选" == tab.count_label.text()
    tab.clear_filters()
    assert len(shown(tab)) == _direct_count(db) == 18


def test_cluster_filter_includes_the_subtree(bw):
    tab = tab_of(bw)
    pick(tab.cluster_combo, next(tab.cluster_combo.itemData(i) for i in range(tab.cluster_combo.count())
                                 if tab.cluster_combo.itemText(i).strip() == "主导产业集群"))
    names = set(shown(tab))
    assert names == {"长安汽车渝北新工厂", "金康赛力斯龙兴工厂", "大洋电机项目",
                     "前沿科技城新能源智能汽车工业园配套设施",
                     "宏捷盛汽车零部件项目"}


def test_sorting_by_completion_rate_is_numeric(bw):
    tab = tab_of(bw)
    tab.table.sortByColumn(COL["rate"], Qt.SortOrder.AscendingOrder)
    rates = [tab.model.index(r, COL["rate"]).data() for r in range(tab.model.rowCount())]
    assert rates[:5] == ["9.5%", "10.2%", "49.9%", "50.0%", "100.0%"]     # text order would put 10.2% first
    assert all(r == "" for r in rates[5:])                                 # no plan: last
    tab.table.sortByColumn(COL["rate"], Qt.SortOrder.DescendingOrder)
    assert tab.model.index(0, COL["rate"]).data() == "100.0%"
    assert tab.model.index(4, COL["rate"]).data() == "9.5%"
    assert tab.model.index(0, COL["seq"]).data() == "1"


@pytest.mark.parametrize("key", [k for k in board.COLUMN_KEYS])
def test_every_column_sorts(bw, key):
    tab = tab_of(bw)
    tab.table.sortByColumn(COL[key], Qt.SortOrder.DescendingOrder)
    assert tab.result.query.sort == key and tab.result.query.descending
    assert tab.model.rowCount() == 18


def test_status_colour_matches_the_thresholds_at_the_boundary(bw):
    tab = tab_of(bw)
    on_time = cell(tab, "汽车零部件配套园", "status")
    assert on_time.data() == "正常"
    assert on_time.data(Qt.ItemDataRole.BackgroundRole).name() == STATUS_TINT["green"]
    assert cell(tab, "汽车零部件配套园", "gap").data() == "0.0"
    behind = cell(tab, "汽车电子产业园", "status")
    assert behind.data() == "预警" and behind.data(Qt.ItemDataRole.BackgroundRole).name() == STATUS_TINT["amber"]
    far = cell(tab, "物流分拨中心", "status")
    assert far.data() == "滞后" and far.data(Qt.ItemDataRole.BackgroundRole).name() == STATUS_TINT["red"]
    assert cell(tab, "长安汽车渝北新工厂", "status").data() == "未报送"   # no June figure at all
    assert cell(tab, "长安汽车渝北新工厂", "gap").data() == ""            # and no plan: no judgement


def test_a_stale_month_shows_unreported_grey_with_the_last_standing(bw, qtbot):
    tab = tab_of(bw)
    bw.ctx.set_as_of(dt.date(2023, 9, 30))
    qtbot.waitUntil(lambda: tab.result is not None and tab.result.query.as_of == dt.date(2023, 9, 30))
    far = cell(tab, "物流分拨中心", "status")
    # June's 9.5% read in September: 未报送 in grey, never red for being old; June's gap stays June's.
    assert far.data() == "未报送" and far.data(Qt.ItemDataRole.BackgroundRole).name() == STATUS_TINT["unreported"]
    assert cell(tab, "物流分拨中心", "gap").data() == "-40.5"
    assert cell(tab, "物流分拨中心", "done").data() == "0.0（6月）"
    assert cell(tab, "物流分拨中心", "done").data(Qt.ItemDataRole.ToolTipRole) == "截至 2023-06-30（本报告期未报送）"
    assert "本报告期未报送" in far.data(Qt.ItemDataRole.ToolTipRole) and "滞后" in far.data(Qt.ItemDataRole.ToolTipRole)
    pick(tab.status_combo, board.UNREPORTED)
    qtbot.waitUntil(lambda: tab.result.query.filters.status == board.UNREPORTED)
    assert len(shown(tab)) == 18
    pick(tab.status_combo, "red")
    qtbot.waitUntil(lambda: tab.result.query.filters.status == "red")
    assert shown(tab) == {}
    band = tab.bands[0]
    assert band.chip.text() == "未报送" and "6月：超序时进度5.6个百分点（正常）" in band.gap_label.text()


def test_money_switch_changes_the_cell_text(bw):
    tab = tab_of(bw)
    assert cell(tab, "汽车零部件配套园", "plan").data() == "0.1"
    assert tab.model.headerData(COL["plan"], Qt.Orientation.Horizontal) == "年度计划投资\n（亿元）"
    pick(tab.money_combo, "wan")
    assert cell(tab, "汽车零部件配套园", "plan").data() == "1,200"
    assert cell(tab, "汽车零部件配套园", "done").data() == "600"
    assert tab.model.headerData(COL["plan"], Qt.Orientation.Horizontal) == "年度计划投资\n（万元）"
    band = next(b for b in tab.bands if b.name_label.text() == "区级重点项目")
    assert "年度计划 3,990,000 万元" in band.declared_label.full_text()
    pick(tab.money_combo, "yi")
    assert cell(tab, "汽车零部件配套园", "plan").data() == "0.1"


def test_changing_the_as_of_date_reloads_the_figures(bw, ids):
    tab = tab_of(bw)
    updates.record(tab.ctx.db, Subject("project", ids["物流分拨中心"]), "completed", "2023-07-31", value=900)
    tab.ctx.set_as_of(dt.date(2023, 7, 31))
    assert cell(tab, "物流分拨中心", "rate").data() == "90.0%"
    assert cell(tab, "物流分拨中心", "status").data() == "正常"
    # June's 50.0% is not judged against July's 58.3%: it is June's (on time) and 未报送 for July.
    assert cell(tab, "汽车零部件配套园", "status").data() == "未报送"
    assert cell(tab, "汽车零部件配套园", "gap").data() == "0.0"


def test_stage_move_records_an_update_and_shows_in_history(bw, ids, monkeypatch):
    tab = tab_of(bw)
    pid = ids["汽车电子产业园"]
    tab.select(pid)
    asked = []
    monkeypatch.setattr(dialogs, "ask_text", lambda parent, title, label, text="": asked.append(label) or "塔吊进场")
    tab.stage_menu.actions()[2].trigger()          # 主体施工
    assert "汽车电子产业园 → 主体施工" in asked[0] and "2023-06-30" in asked[0]
    s = Subject("project", pid)
    row = updates.standing(tab.ctx.db, s, "stage", "2023-06-30")
    assert (row["text_value"], row["note"], row["source_kind"]) == ("主体施工", "塔吊进场", "typed")
    assert cell(tab, "汽车电子产业园", "stage").data() == "主体施工"
    tab.views.setCurrentIndex(1)                   # 按形象进度: filled when it comes into view
    col = tab.stages.column_for("主体施工")
    assert "汽车电子产业园" in [r.name for r in col.model.rows()]
    tab.detail.tabs.setCurrentIndex(2)
    history = tab.detail.history.toPlainText()
    assert "形象进度：主体施工" in history and "塔吊进场" in history and "形象进度：开工" in history
    bw.undo_action.trigger()
    assert updates.standing(tab.ctx.db, s, "stage", "2023-06-30")["text_value"] == "开工"
    assert cell(tab, "汽车电子产业园", "stage").data() == "开工"
    assert "汽车电子产业园" in [r.name for r in tab.stages.column_for("开工").model.rows()]
    # Cancelling the note question records nothing.
    before = tab.ctx.db.scalar("SELECT count(*) FROM progress_update")
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: None)
    tab.stage_menu.actions()[3].trigger()
    assert tab.ctx.db.scalar("SELECT count(*) FROM progress_update") == before


def test_dropping_a_card_on_another_stage_moves_it(bw, ids, monkeypatch):
    tab = tab_of(bw)
    tab.views.setCurrentIndex(1)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "设备已进场")
    source = tab.stages.column_for("前期").model
    mime = source.mimeData([source.index(source.row_of(ids["物流分拨中心"]))])
    target = tab.stages.column_for("设备安装").model
    assert target.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    target.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert updates.standing(tab.ctx.db, Subject("project", ids["物流分拨中心"]), "stage",
                            "2023-06-30")["note"] == "设备已进场"
    assert "物流分拨中心" in [r.name for r in tab.stages.column_for("设备安装").model.rows()]
    assert "物流分拨中心" not in [r.name for r in tab.stages.column_for("前期").model.rows()]


def _errors(monkeypatch):
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: errors.append(text))
    return errors


def _snapshot(db, pid):
    return (projects.get(db, pid), db.scalar("SELECT count(*) FROM audit_log"))


@pytest.mark.parametrize("field,text,needle", [
    ("name", "   ", "「项目名称」不能为空"),
    ("total_investment_wan", "abc", "「总投资」不是有效的数字"),
    ("start_year", "20x3", "「开工年份」"),
    ("finish_year", "2001", "「竣工年份」"),
    ("name", "数据中心", None),                   # a city project's name: allowed across portfolios
    ("name", "汽车电子产业园", "已有同名项目"),
])
def test_refused_edit_changes_nothing(bw, ids, monkeypatch, field, text, needle):
    tab = tab_of(bw)
    db = tab.ctx.db
    pid = ids["汽车零部件配套园"]
    projects.edit(db, pid, start_year=2022)
    tab.select(pid)
    before = _snapshot(db, pid)
    stack_before = tab.ctx.undo_stack.count()
    errors = _errors(monkeypatch)
    tab.detail.editors[field].setText(text)
    tab.detail._changed()
    saved = tab.detail.save()
    if needle is None:
        assert saved and errors == [] and projects.get(db, pid)["name"] == text
        return
    assert not saved and len(errors) == 1 and needle in errors[0]
    assert _snapshot(db, pid) == before
    assert tab.ctx.undo_stack.count() == stack_before
    assert cell(tab, "汽车零部件配套园", "name").data() == "汽车零部件配套园"
    assert tab.detail.dirty                                  # what was typed is still there to correct


def test_edit_saves_every_field_and_undo_restores(bw, ids):
    tab = tab_of(bw)
    db = tab.ctx.db
    pid = ids["物流分拨中心"]
    tab.select(pid)
    d = tab.detail
    d.editors["responsible_unit"].setText("区商务委")
    d.editors["responsible_leader"].setText("张三")
    d.editors["location"].setText("空港新城")
    d.editors["total_investment_wan"].setText("12.5")          # 亿元
    d.editors["start_year"].setText("2023")
    d.editors["note"].setPlainText("新增备注")
    d._changed()
    assert d.save()
    p = projects.get(db, pid)
    assert (p["responsible_unit"], p["responsible_leader"], p["location"], p["total_investment_wan"],
            p["start_year"], p["note"]) == ("区商务委", "张三", "空港新城", 125000, 2023, "新增备注")
    assert cell(tab, "物流分拨中心", "unit").data() == "区商务委"
    assert cell(tab, "物流分拨中心", "total").data() == "12.5"
    assert "修改项目" in audit.entries(db, entity="project", entity_id=pid)[0]["summary"]
    bw.undo_action.trigger()
    p = projects.get(db, pid)
    assert (p["responsible_unit"], p["total_investment_wan"], p["note"]) == ("区交通局", None, "")
    assert cell(tab, "物流分拨中心", "unit").data() == "区交通局"
    assert d.editors["responsible_unit"].text() == "区交通局"


def test_project_code_is_edited_in_the_detail_pane_validated_and_undone(bw, ids, monkeypatch):
    tab = tab_of(bw)
    db = tab.ctx.db
    pid = ids["物流分拨中心"]
    tab.select(pid)
    d = tab.detail
    errors = _errors(monkeypatch)
    d.editors["code"].setText("2301-50011-04-01-123456")       # looks national, one digit short
    d._changed()
    assert not d.save() and "不是有效的全国投资项目代码" in errors[0] and projects.get(db, pid)["code"] is None
    d.editors["code"].setText(" 2301-500112-04-01-123456 ")
    d._changed()
    assert d.save() and projects.get(db, pid)["code"] == "2301-500112-04-01-123456"
    bw.undo_action.trigger()
    assert projects.get(db, pid)["code"] is None and d.editors["code"].text() == ""


def test_annual_plan_edit_through_the_toolbar_with_undo(bw, ids, monkeypatch):
    tab = tab_of(bw)
    tab.select(ids["物流分拨中心"])
    monkeypatch.setattr(dialogs, "ask_target", lambda *a, **k: ("0.2", "年中调整", "渝北发改〔2023〕1号", "2023-01-01"))
    bw.edit_target_action.trigger()
    assert cell(tab, "物流分拨中心", "plan").data() == "0.2"
    assert cell(tab, "物流分拨中心", "rate").data() == "4.8%"
    assert "年中调整" in tab.detail.history.toPlainText()
    bw.undo_action.trigger()
    assert cell(tab, "物流分拨中心", "rate").data() == "9.5%"


def test_add_and_remove_projects_keep_history(bw, monkeypatch):
    tab = tab_of(bw)
    db = tab.ctx.db
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "新建测试项目")
    tab.add_city_action.trigger()
    pid = db.scalar("SELECT id FROM project WHERE name = '新建测试项目'")
    assert tab.selected_id == pid and cell(tab, "新建测试项目", "level").data() == "市级重大"
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: False)
    tab.remove_action.trigger()
    assert "新建测试项目" in shown(tab)
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    tab.select(pid)
    tab.remove_action.trigger()
    assert "新建测试项目" not in shown(tab)
    assert db.scalar("SELECT active FROM project WHERE id = ?", (pid,)) == 0     # kept, marked removed
    assert [e["action"] for e in audit.entries(db, entity="project", entity_id=pid)] == \
        ["project.remove", "project.create"]
    bw.undo_action.trigger()
    assert "新建测试项目" in shown(tab)
    bw.undo_action.trigger()                       # undo the add
    assert "新建测试项目" not in shown(tab)
    bw.redo_action.trigger()
    assert "新建测试项目" in shown(tab)


def test_milestones_show_overdue_at_the_as_of_date(bw):
    tab = tab_of(bw)
    db = tab.ctx.db
    pid = db.scalar("SELECT id FROM project WHERE name = '长安汽车渝北新工厂'")
    projects.add_milestone(db, pid, name="设备进场", planned_date="2023-05-15")
    tab.select(pid)
    items = [tab.detail.milestone_list.topLevelItem(i) for i in range(tab.detail.milestone_list.topLevelItemCount())]
    states = {it.text(1): it.text(4) for it in items}
    assert states["设备进场"] == "逾期 46 天" and states["完成车辆试制"] == "未到期"
    assert "1 个逾期" in tab.detail.milestone_hint.text()
    assert cell(tab, "长安汽车渝北新工厂", "milestone").data() == "2023-05-15 设备进场（逾期）"


def test_models_pass_qtmodeltester(qtmodeltester, builtin_db, app):
    _add_extra(builtin_db)
    py = plan.current_plan_year(builtin_db)
    result = board.load(builtin_db, board.Query(py["id"], py["year"], dt.date(2023, 6, 30)))
    m = BoardTableModel()
    m.set_rows(result.rows, result.time_progress, result.thresholds)
    qtmodeltester.check(m)
    m.set_unit("wan")
    qtmodeltester.check(m)
    s = StageListModel("开工")
    s.set_rows([r for r in result.rows if r.stage == "开工"], result.time_progress)
    qtmodeltester.check(s)
    assert s.rowCount() == 8 and {r.name for r in s.rows()} >= {"汽车电子产业园", "哈密—重庆±800千伏特高压直流输电工程"}


def test_lazy_model_hands_rows_to_the_view_in_batches(app):
    from desktop.models import board as board_models
    rows = [board.Row(*([i] + [None] * (len(board.ROW_FIELDS) - 1))) for i in range(1234)]
    m = BoardTableModel()
    m.set_rows(rows, 0, None)
    assert m.rowCount() == board_models.BATCH and m.total == 1234 and m.canFetchMore(QModelIndex())
    m.fetchMore(QModelIndex())
    assert m.rowCount() == 2 * board_models.BATCH
    assert m.row_of(1200) == 1200 and m.rowCount() == 1201


def test_filters_and_column_widths_persist(ctx, builtin_db, qtbot, app):
    from desktop.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    tab = tab_of(w)
    pick(tab.level_combo, "city")
    pick(tab.stage_combo, "前期")
    tab.search.setText("项目")
    pick(tab.money_combo, "wan")
    tab.table.setColumnWidth(COL["name"], 333)
    tab.table.sortByColumn(COL["name"], Qt.SortOrder.DescendingOrder)
    w.close()
    w2 = MainWindow(ctx)
    qtbot.addWidget(w2)
    tab2 = tab_of(w2)
    f = tab2.filters()
    assert (f.level, f.stage, f.text) == ("city", "前期", "项目")
    assert set(shown(tab2)) == {"多宝湖智慧生态城项目", "洛碛物流项目"}
    assert tab2.model.unit == "wan" and tab2.table.columnWidth(COL["name"]) == 333
    assert tab2.result.query.sort == "name" and tab2.result.query.descending
    w2.close()


def test_worker_thread_loads_give_the_same_rows(builtin_db, ids, app, qtbot):
    from desktop.tabs.board import BoardTab
    ctx = AppContext(builtin_db, as_of=dt.date(2023, 6, 30))
    tab = BoardTab(ctx, async_from=0)                 # every load goes to the worker thread
    qtbot.addWidget(tab)
    try:
        qtbot.waitUntil(lambda: tab.result is not None and not tab.loader.busy, timeout=10_000)
        assert tab.loader.uses_worker()
        with qtbot.waitSignal(tab.loader.loaded, timeout=10_000):
            pick(tab.level_combo, "district")
            pick(tab.stage_combo, "开工")          # two requests; only the newest one is shown
        qtbot.waitUntil(lambda: not tab.loader.busy, timeout=10_000)
        q = tab.query()
        assert tab.result.query == q
        assert [r.id for r in tab.model.rows()] == [r.id for r in board.rows(builtin_db, q)]
        # A write on the GUI's connection reaches the worker's connection.
        pid = ids["汽车电子产业园"]
        with qtbot.waitSignal(tab.loader.loaded, timeout=10_000):
            updates.record(builtin_db, Subject("project", pid), "completed", "2023-06-30", value=700)
        qtbot.waitUntil(lambda: not tab.loader.busy, timeout=10_000)
        assert cell(tab, "汽车电子产业园", "status").data() == "正常"
    finally:
        tab.loader.close()
        ctx.close()


def test_record_update_opens_the_record_dialog_for_the_selected_project(bw, ids, monkeypatch):
    import desktop.record_dialog as record_dialog
    opened = []
    monkeypatch.setattr(record_dialog, "open_record_dialog",
                        lambda ctx, kind, subject_id, parent=None, **kw: opened.append((kind, subject_id, kw)))
    tab = tab_of(bw)
    tab.select(ids["数据中心"])
    bw.record_action.trigger()
    assert opened == [("project", ids["数据中心"], {})]   # no month forced: the dialog opens on the month to report


def test_reporting_tab_lists_units_and_filters_the_board_to_missing_projects(bw, ids, qtbot, monkeypatch, tmp_path):
    tab = bw.tab_widgets["reporting"]
    bw.ctx.set_as_of(dt.date(2023, 7, 31))
    updates.record(bw.ctx.db, Subject("project", ids["数据中心"]), "completed", "2023-07-31", value=1000)
    assert tab.heading.text().startswith("报告期 2023年7月 · 报送截止 2023年8月5日")
    assert "已报送 1 / 18 个项目" in tab.heading.text()
    rows = {tab.table.item(r, 0).text(): r for r in range(tab.table.rowCount())}
    big = rows["区大数据局"]
    assert tab.table.item(big, 4).text() == "已全部报送"
    econ = rows["区经济信息委"]
    assert tab.table.item(econ, 4).text() == "未报送" and tab.table.item(econ, 3).text() == "2"
    assert tab.table.item(econ, 5).text() == "汽车零部件配套园、汽车电子产业园"
    assert "区级重点项目、市级重大项目 7月未报送" in tab.totals_label.text()
    tab.table.selectRow(econ)
    tab.missing_button.click()
    board_tab = bw.tab_widgets["board"]
    assert bw.tabs.currentWidget() is board_tab
    qtbot.waitUntil(lambda: board_tab.result.query.filters.status == board.UNREPORTED)
    assert set(shown(board_tab)) == {"汽车零部件配套园", "汽车电子产业园"}
    out = tmp_path / "催报.pdf"
    monkeypatch.setattr("desktop.exchange_ui.ask_save_path", lambda *a: str(out))
    monkeypatch.setattr(dialogs, "show_info", lambda *a: None)
    tab.write_notice()
    import subprocess
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "区经济信息委" in text and "汽车电子产业园" in text and "2023年8月5日" in text


@pytest.mark.parametrize("width", [1366, 1100])
def test_a_narrow_band_shortens_its_wording_but_never_cuts_a_date_in_half(bw, qtbot, width):
    tab = tab_of(bw)
    bw.resize(width, 768)
    bw.ctx.set_as_of(dt.date(2023, 9, 30))
    qtbot.waitUntil(lambda: tab.result is not None and tab.result.query.as_of == dt.date(2023, 9, 30))
    QApplication.processEvents()
    for band in tab.bands:
        shown_text = band.declared_label.text()
        assert "截至 2023-06-30）" in shown_text or "截至6月）" in shown_text, shown_text
        assert "（截至 2023-06-30）" in band.declared_label.toolTip()
        fm = band.declared_label.fontMetrics()
        assert fm.horizontalAdvance(shown_text) <= band.declared_label.contentsRect().width()
