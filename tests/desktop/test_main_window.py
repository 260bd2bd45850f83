"""The main window driven as a user would: as-of date, tree, target edits with undo, refusals."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from db import audit, clusters, plan, portfolios, targets, updates
from db.subjects import Subject
from desktop import dialogs
from desktop.models.cluster_tree import COL_OUTPUT, COL_SCALE, COL_STATUS as CL_STATUS, COL_TARGET as CL_TARGET
from desktop.models.cluster_tree import NODE_ID_ROLE, ClusterTreeModel
from desktop.models.indicators import COL_RATE, COL_STATUS, COL_TARGET, IndicatorModel

ROOT = Path(__file__).resolve().parents[2]


def card(window, name):
    overview = window.tab_widgets["overview"]
    return next(c for c in overview.cards if c.name_label.text() == name)


def test_overview_shows_the_article_figures(window):
    c = card(window, "区级重点项目")
    assert c.rate_label.text() == "55.6%"
    assert "超序时进度 5.6 个百分点" in c.gap_label.text()
    assert c.chip.text() == "正常"
    assert c.values["itemised"].text() == "8 / 197 个"
    assert c.values["plan"].text() == "399.0 亿元"
    assert card(window, "市级重大项目").values["total"].text() == "719.0 亿元"
    assert "时序进度 50.0%" in window.tp_label.text()
    assert "报告期 2023年6月（默认报告期，6月：各项目盘子合计均已报送的最近月份）" in window.tp_label.text()


def test_changing_the_as_of_date_moves_the_overview(window, ctx):
    pf = portfolios.by_level(ctx.db, ctx.plan_year["id"], "district")
    updates.record(ctx.db, Subject("portfolio", pf["id"]), "completed", "2023-07-31", value=2_400_000)
    combo = window.as_of_combo
    combo.setCurrentIndex(combo.findData("2023-07-31"))
    assert ctx.as_of == dt.date(2023, 7, 31)
    c = card(window, "区级重点项目")
    # 240/399 = 60.2% against 7/12 = 58.3%: ahead by 1.9 points, as the reader works it out from the page
    # (the exact difference, 1.85…, would print 1.8 beside 60.2% and 58.3%).
    assert c.rate_label.text() == "60.2%"
    assert "超序时进度 1.9 个百分点" in c.gap_label.text()
    assert "时序进度 58.3%" in window.tp_label.text()
    assert "报告期 2023年7月（已手动选择；默认报告期为6月：各项目盘子合计均已报送的最近月份）" in window.tp_label.text()
    # The city total was not reported for July: 未报送, with June's standing beside it, never judged at July.
    city = card(window, "市级重大项目")
    assert city.chip.text() == "未报送" and city.rate_label.text() == "57.2%"
    assert "7月未报送；1—6月完成率，6月：超序时进度7.2个百分点（正常）" == city.gap_label.text()
    assert city.values["done"].text() == "50.5 亿元（截至6月）"
    combo.setCurrentIndex(combo.findData("2023-03-31"))
    assert c.rate_label.text() == "—" and c.chip.text() == "未报送"     # nothing reported for March
    assert "3月未报送；此前无报送" == c.gap_label.text()
    window.prev_month_action.trigger()
    assert ctx.as_of == dt.date(2023, 2, 28)


def test_behind_schedule_turns_amber_then_red(window, ctx):
    pf = portfolios.by_level(ctx.db, ctx.plan_year["id"], "district")
    s = Subject("portfolio", pf["id"])
    updates.record(ctx.db, s, "completed", "2023-09-30", value=2_600_000)   # 65.2% vs 75%: 9.8 behind
    window.as_of_combo.setCurrentIndex(window.as_of_combo.findData("2023-09-30"))
    c = card(window, "区级重点项目")
    assert c.chip.text() == "预警" and "低于序时进度 9.8 个百分点" in c.gap_label.text()
    updates.record(ctx.db, s, "completed", "2023-09-30", value=2_500_000)   # 62.7%: 12.3 behind
    assert c.chip.text() == "滞后"


def test_tree_expands_and_shows_figures(window, qtbot):
    tab = window.tab_widgets["clusters"]
    window.tabs.setCurrentWidget(tab)
    view, proxy = tab.view, tab.proxy
    root = proxy.index(0, 0)
    assert root.data() == "“2335”现代制造业集群"
    tier = proxy.index(0, 0, root)
    assert tier.data() == "主导产业集群（千亿级）"
    auto = proxy.index(0, 0, tier)
    assert not view.isExpanded(auto)
    view.expand(auto)
    assert view.isExpanded(auto)
    assert [proxy.index(r, 0, auto).data() for r in range(proxy.rowCount(auto))] == ["长安汽车", "金康赛力斯", "大洋电机"]
    assert auto.siblingAtColumn(COL_SCALE).data() == "千亿级"         # a level, not a target
    assert auto.siblingAtColumn(COL_OUTPUT).data() == "505.2"
    assert auto.siblingAtColumn(CL_TARGET).data() == "" and auto.siblingAtColumn(CL_STATUS).data() == ""
    tab.select(auto.data(NODE_ID_ROLE))
    assert "全区汽车产业的产值达505.2亿元" in tab.details.toPlainText()
    assert "长安汽车渝北新工厂" in tab.details.toPlainText()


def _answer_target(monkeypatch, value, reason, doc_no="", effective="2023-01-01"):
    monkeypatch.setattr(dialogs, "ask_target", lambda *a, **k: (value, reason, doc_no, effective))
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: errors.append(text))
    return errors


def test_edit_indicator_target_with_reason_then_undo(window, ctx, monkeypatch):
    tab = window.tab_widgets["indicators"]
    window.tabs.setCurrentWidget(tab)
    ind = next(i for i in ctx.db.query("SELECT id, name FROM indicator") if i["name"] == "新培育科技型中小企业")
    tab.select(ind["id"])
    errors = _answer_target(monkeypatch, "400", "年中调整：区政府常务会议", "渝北府〔2023〕8号")
    window.edit_target_action.trigger()
    assert errors == []
    idx = tab.model.index_of(ind["id"])
    assert idx.siblingAtColumn(COL_TARGET).data() == "400"
    assert idx.siblingAtColumn(COL_RATE).data() == "89.8%"
    assert window.undo_action.text().startswith("撤销")
    window.undo_action.trigger()
    idx = tab.model.index_of(ind["id"])
    assert idx.siblingAtColumn(COL_TARGET).data() == "353"
    assert idx.siblingAtColumn(COL_RATE).data() == "101.7%"
    window.redo_action.trigger()
    assert tab.model.index_of(ind["id"]).siblingAtColumn(COL_TARGET).data() == "400"
    log = audit.entries(ctx.db, entity="indicator", entity_id=ind["id"])
    assert [e["action"] for e in log[:3]] == ["target.redo", "target.undo", "target.revise"]
    assert "年中调整" in log[2]["summary"] and "353 → 400" in log[2]["summary"]
    hist = targets.history(ctx.db, Subject("indicator", ind["id"]))
    assert [h["value"] for h in hist] == [353, 400, 353, 400]
    assert hist[1]["doc_no"] == "渝北府〔2023〕8号"


@pytest.mark.parametrize("value,reason,needle", [
    ("abc", "理由", "「目标值」不是有效的数字"),
    ("-5", "理由", "「目标值」不能为负数"),
    ("400", "  ", "「调整理由」不能为空"),
])
def test_refused_target_edit_shows_message_and_changes_nothing(window, ctx, monkeypatch, value, reason, needle):
    tab = window.tab_widgets["indicators"]
    ind = next(i for i in ctx.db.query("SELECT id, name FROM indicator") if i["name"] == "新培育科技型中小企业")
    tab.select(ind["id"])
    before = (ctx.db.scalar("SELECT count(*) FROM target"), ctx.db.scalar("SELECT count(*) FROM audit_log"))
    errors = _answer_target(monkeypatch, value, reason)
    tab.edit_target()
    assert len(errors) == 1 and needle in errors[0]
    assert (ctx.db.scalar("SELECT count(*) FROM target"), ctx.db.scalar("SELECT count(*) FROM audit_log")) == before
    assert tab.model.index_of(ind["id"]).siblingAtColumn(COL_TARGET).data() == "353（推算）"   # derived: said so
    assert ctx.undo_stack.count() == 0


def test_cluster_annual_output_target_with_effective_date_and_undo(window, ctx, monkeypatch):
    tab = window.tab_widgets["clusters"]
    window.tabs.setCurrentWidget(tab)
    node = clusters.find_by_path(ctx.db, ctx.plan_year["id"], ["“2335”现代制造业集群", "主导产业集群", "智能网联新能源汽车"])
    tab.select(node)
    _answer_target(monkeypatch, "1100", "区政府确定年度产值目标", "渝北府〔2023〕8号", "2023-08-01")
    window.edit_target_action.trigger()
    # June keeps what was in force in June: no target, no status.
    assert tab.model.index_for(node, CL_TARGET).data() == "" and tab.model.index_for(node, CL_STATUS).data() == ""
    assert "2023-08-01" in tab.details.toPlainText() and "区政府确定年度产值目标" in tab.details.toPlainText()
    ctx.set_as_of(dt.date(2023, 8, 31))
    assert tab.model.index_for(node, CL_TARGET).data() == "1100.0"
    # June's 505.2 of 1100 = 45.9% at June's 50%: amber then, and 未报送 for August.
    assert tab.model.index_for(node, CL_STATUS).data() == "未报送（6月：预警）"
    window.undo_action.trigger()
    assert tab.model.index_for(node, CL_TARGET).data() == ""
    actions = [e["action"] for e in audit.entries(ctx.db, entity="cluster", entity_id=node)[:2]]
    assert actions == ["target.undo", "target.revise"]


def test_cluster_tree_add_rename_remove_with_undo(window, ctx, monkeypatch):
    tab = window.tab_widgets["clusters"]
    py = ctx.plan_year["id"]
    tier = clusters.find_by_path(ctx.db, py, ["“2335”现代制造业集群", "战略性新星产业集群"])
    tab.select(tier)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "低空经济")
    tab.add_action.trigger()
    new = clusters.find_by_path(ctx.db, py, ["“2335”现代制造业集群", "战略性新星产业集群", "低空经济"])
    assert tab.selected_id() == new
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "低空经济产业")
    tab.rename_action.trigger()
    assert tab.model.index_for(new).data() == "低空经济产业"
    window.undo_action.trigger()
    assert tab.model.index_for(new).data() == "低空经济"
    window.undo_action.trigger()   # undo the add: the node disappears
    assert not tab.model.index_for(new).isValid()
    window.redo_action.trigger()   # and comes back, same node
    assert tab.model.index_for(new).data() == "低空经济"
    # Removing a node with linked projects asks first; saying no changes nothing.
    auto = clusters.find_by_path(ctx.db, py, ["“2335”现代制造业集群", "主导产业集群", "智能网联新能源汽车"])
    tab.select(auto)
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: False)
    tab.remove_action.trigger()
    assert tab.model.index_for(auto).isValid()
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    tab.remove_action.trigger()
    assert not tab.model.index_for(auto).isValid()
    assert ctx.db.scalar("SELECT count(*) FROM project WHERE cluster_id = ?", (auto,)) == 0
    window.undo_action.trigger()
    assert tab.model.index_for(auto).isValid()
    assert ctx.db.scalar("SELECT count(*) FROM project WHERE cluster_id = ?", (auto,)) == 5


def test_models_pass_qtmodeltester(qtmodeltester, builtin_db, app):
    from db import summary
    m = ClusterTreeModel()
    m.load(builtin_db, 1, summary.standing(builtin_db, dt.date(2023, 6, 30)))
    qtmodeltester.check(m)
    from db import summary
    im = IndicatorModel()
    im.set_indicators(summary.standing(builtin_db, "2023-06-30")["indicators"])
    qtmodeltester.check(im)
    assert im.index_of(2).siblingAtColumn(COL_STATUS).data() == "正常"


def test_status_colour_in_cells(builtin_db, app):
    from desktop.style import STATUS_TINT
    from db import summary
    im = IndicatorModel()
    im.set_indicators(summary.standing(builtin_db, "2023-06-30")["indicators"])
    idx = im.index_of(2).siblingAtColumn(COL_STATUS)
    assert idx.data(Qt.ItemDataRole.BackgroundRole).name() == STATUS_TINT["green"]


def test_window_state_persists(ctx, qtbot, app):
    from desktop.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    w.resize(700, 500)   # the offscreen screen is 800x600: stay inside it
    w.tabs.setCurrentWidget(w.tab_widgets["indicators"])
    w.close()
    w2 = MainWindow(ctx)
    qtbot.addWidget(w2)
    assert w2.current_tab().key == "indicators"
    assert (w2.size().width(), w2.size().height()) == (700, 500)


def test_settings_dialog_changes_thresholds(window, ctx, monkeypatch):
    from desktop.settings_dialog import SettingsDialog
    from db import settings
    d = SettingsDialog(ctx, window)
    d.green_edit.setText("-1")
    d.amber_edit.setText("abc")
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda p, t, text: errors.append(text))
    d.save()
    assert errors and "黄色起点" in errors[0]
    assert settings.thresholds(ctx.db).green_from == 0
    d.amber_edit.setText("-5")
    d.user_edit.setText("李四")
    d.save()
    assert settings.thresholds(ctx.db).amber_from == -5
    assert ctx.db.user == "李四"
    settings.set_time_progress_mode(ctx.db, "day")
    assert audit.entries(ctx.db, limit=1)[0]["user"] == "李四"


def test_help_and_about(window, ctx):
    from desktop.help import AboutDialog, GuideDialog
    g = GuideDialog(window)
    assert "每月工作流程" in g.browser.toPlainText()
    a = AboutDialog(ctx, window)
    text = a.browser.toPlainText()
    assert "SIL Open Font License" in text and ctx.db.path in text


def test_user_guide_copy_is_current():
    assert (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8") == \
        (ROOT / "resources" / "guide" / "user-guide.md").read_text(encoding="utf-8")


def window_in_fresh_process(tmp_path, before: str, after: str) -> str:
    """Run ``before``, open the built-in data's window in a fresh Python (offscreen), run ``after``; its last
    printed line."""
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n" + before +
            "from db import open_database, seed\n"
            "from desktop.gui import make_app\n"
            "from desktop.app import AppContext\n"
            "from desktop.main_window import MainWindow\n"
            f"db = open_database({str(tmp_path / 'm.db')!r}); seed.load_builtin(db)\n"
            "app = make_app(); w = MainWindow(AppContext(db), restore_state=False); w.show(); app.processEvents()\n"
            + after)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "XDG_DATA_HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_start_up_does_not_import_matplotlib(tmp_path):
    last = window_in_fresh_process(tmp_path, "", (
        "for i in range(w.tabs.count()):\n"
        "    if w.tabs.widget(i).key not in ('charts', 'history'):  # tabs that exist to show a chart\n"
        "        w.tabs.setCurrentIndex(i); app.processEvents()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"))
    assert last == "[]"

def test_each_tab_is_built_when_first_shown_under_its_title(window):
    from desktop.main_window import TAB_SPECS, tab_class
    for key, title, spec in TAB_SPECS:   # the bar's titles are the tabs' own
        cls = tab_class(spec)
        assert (cls.key, cls.title) == (key, title)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [t for _k, t, _s in TAB_SPECS]
    assert not window.tab_widgets.is_built("clusters")
    window.show_tab(3)                      # Ctrl+4
    tab = window.tabs.currentWidget()
    assert tab.key == "clusters" and tab is window.tab_widgets["clusters"]
    assert window.tabs.tabText(3) == "产业集群" and window.tabs.currentIndex() == 3
    assert tab.view.model().rowCount() > 0  # the tree is there, filled
    board = window.tab_widgets["board"]     # asked for (a click-through): built, the shown tab stays
    assert window.tabs.currentIndex() == 3 and window.tabs.widget(1) is board


def test_a_large_database_shows_the_window_first_and_the_overview_figures_follow(app, builtin_db, qtbot,
                                                                                  monkeypatch):
    from desktop.app import AppContext
    from desktop.main_window import MainWindow
    monkeypatch.setattr(AppContext, "BACKGROUND_FROM", 1)   # the built-in data counted as a large database
    ctx = AppContext(builtin_db)
    w = MainWindow(ctx, restore_state=False)
    qtbot.addWidget(w)
    overview = w.tab_widgets["overview"]
    assert overview.cards == [] and "正在计算完成情况" in overview.heading.text()
    assert overview.is_loading()
    w.show()
    qtbot.waitUntil(lambda: not overview.is_loading() and bool(overview.cards), timeout=10_000)
    c = next(c for c in overview.cards if c.name_label.text() == "区级重点项目")
    assert c.rate_label.text() == "55.6%" and c.chip.text() == "正常"
    assert overview.heading.text() == "渝北区 2023年 · 截至2023年6月30日 · 时序进度 50.0%"
    ctx.set_as_of(dt.date(2023, 3, 31))    # a new date: placeholder again, then that date's figures
    qtbot.waitUntil(lambda: "截至2023年3月31日 · 时序进度" in overview.heading.text(), timeout=10_000)
    w.close()
    ctx.close()


def test_the_window_starts_without_command_modules_or_unseen_tabs(tmp_path):
    last = window_in_fresh_process(tmp_path, "from desktop.cli import build_parser\nbuild_parser([])\n",
                                   "print(sorted(m for m in sys.modules"
                                   " if m.startswith(('desktop.commands.', 'desktop.tabs.'))))\n")
    assert last == "['desktop.tabs.overview']"


def test_modules_imported_after_the_window_module_are_not_read_as_source(tmp_path):
    # PySide6's import hook would read (and linecache keep) the source of every module imported after it:
    # 22 MiB with the tabs and matplotlib. desktop.gui stops it; this notices a PySide6 where it cannot.
    code = ("import linecache, sys\n"
            "import desktop.gui\n"
            "import desktop.tabs.board, desktop.history_view\n"
            "print(sorted(f for f in linecache.cache if 'desktop' in f))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_command_registers_only_itself_and_help_lists_all():
    from desktop.cli import build_parser
    from desktop.commands import MODULES

    def commands(parser):
        sub = next(a for a in parser._actions if a.dest == "command")
        return list(sub.choices)
    assert commands(build_parser([])) == []
    assert commands(build_parser(["--db", "x.db", "import-xlsx"])) == ["import-xlsx"]
    assert commands(build_parser(["--help"])) == [m.replace("_", "-") for m in MODULES]
    assert commands(build_parser(["import_xlsx"])) == [m.replace("_", "-") for m in MODULES]  # the error lists all


def test_unhandled_exception_is_logged_and_shown(app, monkeypatch, tmp_path):
    from desktop import crash
    shown = []
    from PySide6.QtWidgets import QMessageBox
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a[2]))
    old = sys.excepthook
    try:
        crash.install_excepthook()
        try:
            raise RuntimeError("测试错误")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old
    assert shown and "测试错误" in shown[0]
    log = (crash.log_dir() / "policytrack.log").read_text(encoding="utf-8")
    assert "RuntimeError: 测试错误" in log


def test_read_only_database_shows_banner(app, qtbot, tmp_path):
    from db import open_database, seed
    from desktop.app import AppContext
    from desktop.main_window import MainWindow
    path = tmp_path / "ro.db"
    db = open_database(path)
    seed.load_builtin(db)
    db.close()
    ro = open_database(path, read_only=True)
    ro.read_only_reason = "数据库正在被 张三 使用"
    ctx = AppContext(ro)
    w = MainWindow(ctx, restore_state=False)
    qtbot.addWidget(w)
    w.show()
    assert w.read_only_banner.isVisible()
    assert "只读" in w.read_only_banner.findChildren(QLabel)[0].text()
    assert not w.storage_banner.isVisible()
    ctx.close()
    ro.close()


def test_reload_after_restore_refreshes_views(window, ctx):
    from db import backups
    pf = portfolios.by_level(ctx.db, ctx.plan_year["id"], "district")
    info = backups.backup_now(ctx.db)
    updates.record(ctx.db, Subject("portfolio", pf["id"]), "completed", "2023-06-30", value=2_500_000)
    assert card(window, "区级重点项目").rate_label.text() == "62.7%"
    backups.restore_into(ctx.db, info.path)
    ctx.reload()
    assert card(window, "区级重点项目").rate_label.text() == "55.6%"


def test_target_dialog_asks_for_the_effective_date(app):
    from desktop.target_dialog import TargetDialog, default_effective_date
    assert default_effective_date(2023, dt.date(2023, 9, 30), today=dt.date(2026, 12, 2)) == dt.date(2023, 9, 1)
    assert default_effective_date(2023, dt.date(2023, 9, 30), today=dt.date(2023, 8, 15)) == dt.date(2023, 8, 15)
    d = TargetDialog(None, title="修改指标目标", subject="新培育科技型中小企业", current="353", unit="家",
                     effective=dt.date(2023, 8, 1), year=2023)
    d.value_edit.setText("380")
    d.reason_edit.setText("年中调增")
    assert d.values() == ("380", "年中调增", "", "2023-08-01")
    assert d.date_edit.minimumDate().year() == 2023 and d.date_edit.maximumDate().toString("yyyy-MM-dd") == "2023-12-31"


def test_indicator_revision_in_august_leaves_june_as_it_was(window, ctx, monkeypatch):
    tab = window.tab_widgets["indicators"]
    ind = next(i for i in ctx.db.query("SELECT id, name FROM indicator") if i["name"] == "新培育科技型中小企业")
    tab.select(ind["id"])
    _answer_target(monkeypatch, "380", "年中调增", effective="2023-08-01")
    tab.edit_target()
    assert tab.model.index_of(ind["id"]).siblingAtColumn(COL_RATE).data() == "101.7%"   # June: still 353
    ctx.set_as_of(dt.date(2023, 8, 31))
    assert tab.model.index_of(ind["id"]).siblingAtColumn(COL_TARGET).data() == "380"
    assert tab.model.index_of(ind["id"]).siblingAtColumn(COL_RATE).data() == "94.5%"
