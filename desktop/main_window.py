"""The main window: assembles the toolbar (as-of month, undo/redo, edit target), the tabs and the status bar.

It holds no domain logic: tabs read db/ themselves and listen to the AppContext's signals.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QTabWidget, QToolBar, QVBoxLayout, QWidget

from db import plan, progress, settings as db_settings
from desktop import APP_NAME_CN, formatting as fmt
from desktop.app import AppContext

# Tabs in display order: (key, title, "module:Class"). 审核 and 问题清单 come last so the Ctrl+1…9 shortcuts of
# the older tabs stay where users learnt them. A tab's module is imported and the tab built the first time it is
# shown (or asked for through ``MainWindow.tab_widgets``), so start-up pays for the first tab only; the key and
# title here are the class's own ``key`` and ``title`` (tests/desktop/test_main_window.py checks they agree).
TAB_SPECS: list[tuple[str, str, str]] = [
    ("overview", "总览", "desktop.tabs.overview:OverviewTab"),
    ("board", "重点项目", "desktop.tabs.board:BoardTab"),
    ("reporting", "报送情况", "desktop.tabs.reporting:ReportingTab"),
    ("clusters", "产业集群", "desktop.tabs.clusters:ClusterTab"),
    ("indicators", "指标", "desktop.tabs.indicators:IndicatorTab"),
    ("entry", "月度调度录入", "desktop.tabs.month_entry:MonthEntryTab"),
    ("charts", "图表", "desktop.tabs.charts:ChartsTab"),
    ("history", "历史记录", "desktop.history_view:HistoryTab"),
    ("audit", "变更记录", "desktop.tabs.audit:AuditTab"),
    ("review", "审核", "desktop.tabs.review:ReviewTab"),
    ("problems", "问题清单", "desktop.tabs.problems:ProblemsTab"),
]


def tab_class(spec: str) -> type:
    import importlib
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def __getattr__(name: str):
    """``TAB_CLASSES``: the tab classes in display order (imports every tab module; start-up never asks)."""
    if name == "TAB_CLASSES":
        return [tab_class(spec) for _key, _title, spec in TAB_SPECS]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _years_ui():
    from desktop import years_ui   # the year and definition dialogs, imported when one is chosen
    return years_ui


class TabPlaceholder(QWidget):
    """Stands in the tab bar for a tab not built yet; replaced by the tab when it is first shown."""

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key

    def is_loading(self) -> bool:
        return False


class LazyTabs(Mapping):
    """``MainWindow.tab_widgets``: key → tab, building a tab on first access. Iterating lists every key;
    ``built()`` gives only the tabs that exist (closing, saving state and unsaved figures concern only those)."""

    def __init__(self, window: "MainWindow"):
        self._window = window
        self._built: dict[str, QWidget] = {}

    def __getitem__(self, key: str) -> QWidget:
        widget = self._built.get(key)
        if widget is None:
            if key not in _TAB_INDEX:
                raise KeyError(key)
            widget = self._window._build_tab(key)
            self._built[key] = widget
        return widget

    def __iter__(self):
        return iter(_TAB_INDEX)

    def __len__(self) -> int:
        return len(_TAB_INDEX)

    def built(self) -> list[QWidget]:
        return [self._built[key] for key in _TAB_INDEX if key in self._built]

    def is_built(self, key: str) -> bool:
        return key in self._built


_TAB_INDEX = {key: i for i, (key, _title, _spec) in enumerate(TAB_SPECS)}


# Before the window is shown its frame is unknown: room kept for a title bar and borders.
TITLE_GUESS = 32
FRAME_GUESS = 4


def window_settings() -> QSettings:
    """Window state only (geometry, splitters, last tab), in an INI file in the per-user data folder."""
    from desktop.paths import data_dir
    return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)



def shortcuts(standard: QKeySequence.StandardKey, also: str) -> list[QKeySequence]:
    """The platform's keys for ``standard`` and ``also`` everywhere (what README and 使用指南 promise)."""
    keys = list(QKeySequence.keyBindings(standard))
    extra = QKeySequence(also)
    if extra not in keys:
        keys.append(extra)
    return keys


def redo_shortcuts() -> list[QKeySequence]:
    """The platform's redo key (Ctrl+Shift+Z on Linux, Ctrl+Y on Windows) and Ctrl+Y everywhere."""
    return shortcuts(QKeySequence.StandardKey.Redo, "Ctrl+Y")


class AsOfCombo(QComboBox):
    """报告期: the month-ends of every plan year held, oldest first (item data: ISO date text, which Qt keeps as
    it is). Choosing a month of another year switches every view to that year."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setToolTip("报告期：所有页面都显示截至该月末的情况（Ctrl+← / Ctrl+→ 切换月份，可跨年度）")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.fill()
        self.currentIndexChanged.connect(self._chosen)
        ctx.as_of_changed.connect(self._show)

    def fill(self) -> None:
        """(Re)list the months: after 新建年度 the new year's months appear."""
        self.blockSignals(True)
        self.clear()
        ends = [d for py in plan.plan_years(self.ctx.db) for d in progress.month_ends(py["year"])]
        for d in ends:
            self.addItem(f"{d.year}年{d.month}月（截至 {d.isoformat()}）", d.isoformat())
        if self.ctx.as_of not in ends:
            self.addItem(f"截至 {self.ctx.as_of.isoformat()}", self.ctx.as_of.isoformat())
        self._show(self.ctx.as_of)
        self.blockSignals(False)

    def _chosen(self, index: int) -> None:
        if index >= 0:
            self.ctx.set_as_of(dt.date.fromisoformat(self.itemData(index)))

    def _show(self, as_of: dt.date) -> None:
        self.setCurrentIndex(self.findData(as_of.isoformat()))

    def step(self, months: int) -> None:
        self.setCurrentIndex(max(0, min(self.count() - 1, self.currentIndex() + months)))


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, *, restore_state: bool = True):
        super().__init__()
        self.ctx = ctx
        # Ends with the application's display name, which Qt would otherwise append a second time.
        closed = plan.is_closed(ctx.db, ctx.plan_year["id"])
        self.setWindowTitle(f"{ctx.plan_year['district']} {ctx.year}年{'（已结账，只读）' if closed else ''}"
                            f" — {Path(ctx.db.path).name} — {APP_NAME_CN}")
        if hasattr(self, "close_year_action"):
            self.close_year_action.setText("重新打开年度…" if closed else "年度结账…")
        self.resize(1360, 860)
        self.fit_to_screen()

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._restore_tabs = restore_state
        for key, title, _spec in TAB_SPECS:
            self.tabs.addTab(TabPlaceholder(key), title)
        self.tab_widgets = LazyTabs(self)
        self.tabs.currentChanged.connect(self._tab_shown)
        from desktop.banners import ReadOnlyBanner, StorageWarningBanner
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.read_only_banner = ReadOnlyBanner.for_database(ctx.db)
        self.storage_banner = StorageWarningBanner.for_database(ctx.db)
        column.addWidget(self.read_only_banner)
        column.addWidget(self.storage_banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        from desktop.menus import install_actions, install_menu
        install_actions(self, ctx)  # 文件: 导入/导出调度表, 导入/导出交换包
        install_menu(self, ctx)  # 调度: 下发填报表, 审核报送
        self._build_status_bar()
        ctx.as_of_changed.connect(lambda *_: self.update_status())
        ctx.data_changed.connect(self._on_data_changed)
        ctx.undo_stack.cleanChanged.connect(lambda *_: self.update_status())
        self.update_status()
        if restore_state:
            self.restore_window_state()
        self._tab_shown(self.tabs.currentIndex())

    def _tab_shown(self, index: int) -> None:
        if isinstance(self.tabs.widget(index), TabPlaceholder):
            self.tab_widgets[TAB_SPECS[index][0]]   # builds it in its place

    def _build_tab(self, key: str) -> QWidget:
        """Import the tab's module, build it and put it where its placeholder stood (the current tab stays)."""
        index = _TAB_INDEX[key]
        _key, title, spec = TAB_SPECS[index]
        widget = tab_class(spec)(self.ctx, self)
        placeholder = self.tabs.widget(index)
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)
        try:
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, widget, title)
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(False)
        placeholder.deleteLater()
        if self._restore_tabs and hasattr(widget, "restore_state"):
            widget.restore_state(window_settings())
        return widget

    # -- assembly ------------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        stack = self.ctx.undo_stack
        self.undo_action = stack.createUndoAction(self, "撤销")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "重做")
        self.redo_action.setShortcuts(redo_shortcuts())
        self.edit_target_action = QAction("修改目标…", self, triggered=self.edit_target)
        self.edit_target_action.setShortcut(QKeySequence("Ctrl+T"))
        self.edit_target_action.setToolTip("修改所选产业集群或指标的目标（需填写理由，可撤销）")
        self.record_action = QAction("记录更新…", self, triggered=self.record_update)
        self.record_action.setShortcut(QKeySequence("Ctrl+R"))
        self.record_action.setToolTip("记录所选项目或指标本月的数据（可撤销）")
        self.prev_month_action = QAction("上个月", self, triggered=lambda: self.as_of_combo.step(-1))
        self.prev_month_action.setShortcut(QKeySequence("Ctrl+Left"))
        self.next_month_action = QAction("下个月", self, triggered=lambda: self.as_of_combo.step(1))
        self.next_month_action.setShortcut(QKeySequence("Ctrl+Right"))
        self.briefing_action = QAction("导出简报…", self, triggered=self.export_briefing)
        self.briefing_action.setToolTip("生成月度调度简报 PDF（封面、综述、图表、调度表、预警事项）")
        self.settings_action = QAction("设置…", self, triggered=self.open_settings)
        self.new_year_action = QAction("新建年度…", self, triggered=self.open_new_year)
        self.new_year_action.setToolTip("结转到下一个计划年度：产业集群、项目盘子、指标和未完成的项目")
        self.close_year_action = QAction("年度结账…", self,   # its text follows the year: update_status
                                         triggered=lambda: _years_ui().close_or_reopen(self, self.ctx))
        self.close_year_action.setToolTip("年度结账：该年度变为只读；已结账的年度可说明理由后重新打开")
        self.new_database_action = QAction("新建数据库…", self, triggered=lambda: _years_ui().new_database(self))
        self.new_database_action.setToolTip("为其他区县或园区新建一个空数据库（不含渝北示例数据）")
        self.district_action = QAction("区县名称…", self, triggered=lambda: _years_ui().rename_district(self, self.ctx))
        self.portfolio_action = QAction("项目盘子…", self,
                                        triggered=lambda: _years_ui().define_portfolio(self, self.ctx))
        self.portfolio_action.setToolTip("填写本年度项目盘子的申报项目数、年度计划和总投资，或新增项目盘子")
        self.indicator_action = QAction("新增指标…", self, triggered=lambda: _years_ui().define_indicator(self, self.ctx))
        if getattr(self.ctx.db, "read_only", False):
            for act in (self.new_year_action, self.close_year_action, self.district_action, self.portfolio_action,
                        self.indicator_action):
                act.setEnabled(False)
        self.roster_action = QAction("单位名册…", self, triggered=self.open_roster)
        self.backup_action = QAction("备份与恢复…", self, triggered=self.open_backups)
        self.check_action = QAction("检查数据库…", self, triggered=self.check_database)
        self.quit_action = QAction("退出", self, triggered=self.close)
        self.quit_action.setShortcuts(shortcuts(QKeySequence.StandardKey.Quit, "Ctrl+Q"))  # Windows has none
        self.guide_action = QAction("使用指南", self, triggered=self.open_guide)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.about_action = QAction("关于", self, triggered=self.open_about)
        for i in range(min(len(TAB_SPECS), 10)):  # Ctrl+1…Ctrl+9, then Ctrl+0 for the tenth
            act = QAction(self, triggered=lambda _=False, i=i: self.show_tab(i))
            act.setShortcut(QKeySequence(f"Ctrl+{(i + 1) % 10}"))
            self.addAction(act)
        self.addActions([self.prev_month_action, self.next_month_action, self.quit_action])

    def _build_toolbar(self) -> None:
        bar = QToolBar("主工具栏")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addWidget(QLabel(" 报告期："))
        self.as_of_combo = AsOfCombo(self.ctx)
        bar.addWidget(self.as_of_combo)
        bar.addSeparator()
        bar.addAction(self.undo_action)
        bar.addAction(self.redo_action)
        bar.addSeparator()
        bar.addAction(self.edit_target_action)
        bar.addAction(self.record_action)
        self.addToolBar(bar)
        self.toolbar = bar

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("文件(&F)")
        m.addActions([self.briefing_action, self.backup_action, self.check_action])
        m.addSeparator()
        m.addActions([self.new_database_action, self.new_year_action, self.close_year_action])
        m.addSeparator()
        m.addAction(self.settings_action)
        m.addAction(self.roster_action)
        m.addSeparator()
        m.addAction(self.quit_action)
        m = mb.addMenu("编辑(&E)")
        m.addActions([self.undo_action, self.redo_action])
        m.addSeparator()
        m.addAction(self.edit_target_action)
        m.addAction(self.record_action)
        m.addSeparator()
        m.addActions([self.district_action, self.portfolio_action, self.indicator_action])
        m = mb.addMenu("查看(&V)")
        m.addActions([self.prev_month_action, self.next_month_action])
        self.help_menu = mb.addMenu("帮助(&H)")
        self.help_menu.addActions([self.guide_action, self.about_action])
        self.file_menu = mb.actions()[0].menu()

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.db_label = QLabel()
        self.tp_label = QLabel()
        self.saved_label = QLabel()
        sb.addWidget(self.db_label, 1)
        sb.addPermanentWidget(self.tp_label)
        sb.addPermanentWidget(self.saved_label)

    # -- state ---------------------------------------------------------------------------------------
    def _on_data_changed(self, kinds) -> None:
        self.last_saved = dt.datetime.now()
        if "plan_year" in kinds:
            self.as_of_combo.fill()     # a new year's months
        self.update_status()

    def update_status(self) -> None:
        ctx = self.ctx
        closed = plan.is_closed(ctx.db, ctx.plan_year["id"])
        self.setWindowTitle(f"{ctx.plan_year['district']} {ctx.year}年{'（已结账，只读）' if closed else ''}"
                            f" — {Path(ctx.db.path).name} — {APP_NAME_CN}")
        if hasattr(self, "close_year_action"):
            self.close_year_action.setText("重新打开年度…" if closed else "年度结账…")
        tp = progress.time_progress(ctx.as_of, ctx.year, db_settings.time_progress_mode(ctx.db))
        self.db_label.setText(f"数据库：{os.path.abspath(ctx.db.path) if ctx.db.path != ':memory:' else '（内存）'}")
        default = ctx.default_period()
        why = (f"默认报告期，{default.reason}" if default.as_of == ctx.as_of
               else f"已手动选择；默认报告期为{default.reason}")
        self.tp_label.setText(f"报告期 {ctx.as_of.year}年{ctx.as_of.month}月（{why}）　截至 {ctx.as_of.isoformat()}"
                              f"　时序进度 {fmt.percent(tp)}")
        saved = getattr(self, "last_saved", None)
        self.saved_label.setText(f"　最近保存 {saved:%H:%M:%S}" if saved else "　尚无修改")

    def show_tab(self, index: int) -> None:
        """Ctrl+1…: show the tab and put the keyboard where typing starts (the entry grid's first input cell)."""
        self.tabs.setCurrentIndex(index)
        tab = self.tabs.widget(index)
        if hasattr(tab, "focus_first_input"):
            tab.focus_first_input()

    def current_tab(self) -> QWidget:
        return self.tabs.currentWidget()

    def edit_target(self) -> None:
        tab = self.current_tab()
        if hasattr(tab, "edit_target"):
            tab.edit_target()
        else:
            from desktop import dialogs
            dialogs.show_info(self, "修改目标", "请在“产业集群”或“指标”页选择要修改目标的项目。")

    def record_update(self) -> None:
        """记录更新 for what is selected: a grid row, a history subject or an indicator."""
        from desktop import dialogs
        from desktop.record_dialog import open_record_dialog

        tab = self.current_tab()
        if hasattr(tab, "record_update"):
            tab.record_update()
        elif getattr(tab, "key", "") == "indicators" and tab.selected_id() is not None:
            open_record_dialog(self.ctx, "indicator", tab.selected_id(), self)
        else:
            dialogs.show_info(self, "记录更新", "请在“指标”“月度调度录入”或“历史记录”页选择要记录的项目或指标。")

    def export_briefing(self) -> None:
        tab = self.tab_widgets["charts"]
        self.tabs.setCurrentWidget(tab)
        tab.ask_and_export_briefing()

    def open_settings(self) -> None:
        from desktop.settings_dialog import SettingsDialog
        SettingsDialog(self.ctx, self).exec()

    def open_new_year(self) -> None:
        from desktop import dialogs
        from desktop.year_dialog import NewYearDialog
        dialog = NewYearDialog(self.ctx.db, self)
        if dialog.exec() == NewYearDialog.DialogCode.Accepted and dialog.result_info is not None:
            r = dialog.result_info
            dialogs.show_info(self, "新建年度", f"已新建 {r.year} 年度：结转项目 {r.projects} 个、指标 {r.indicators} 个、"
                                            f"集群节点 {r.clusters} 个。请在报告期中选择 {r.year} 年的月份，"
                                            f"并填写各项目盘子的个数、年度计划和指标目标。")

    def open_roster(self) -> None:
        from desktop.roster_dialog import UnitRosterDialog
        UnitRosterDialog(self.ctx.db, self).exec()

    def open_backups(self) -> None:
        from desktop.backup_dialog import BackupDialog
        dialog = BackupDialog(self.ctx.db, self)
        dialog.before_restore = self.resolve_unsaved
        dialog.restored.connect(lambda *_: self.ctx.reload())
        dialog.exec()

    def check_database(self) -> None:
        from desktop.check_dialog import run_check
        run_check(self.ctx.db, self)

    def open_guide(self) -> None:
        from desktop.help import GuideDialog
        GuideDialog(self).exec()

    def open_about(self) -> None:
        from desktop.help import AboutDialog
        AboutDialog(self.ctx, self).exec()

    def fit_to_screen(self) -> None:
        """Keep the window inside the available area of its screen (taskbar excluded), title bar included.

        A 1366×768 laptop gets a window that fits (the status bar and the buttons on screen); geometry remembered
        on a larger monitor is shrunk and moved back into view."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None or self.isMaximized() or self.isFullScreen():
            return
        avail = screen.availableGeometry()
        frame = self.frameGeometry()
        extra_w = max(0, frame.width() - self.width()) or 2 * FRAME_GUESS
        extra_h = max(0, frame.height() - self.height()) or TITLE_GUESS + FRAME_GUESS
        w = min(self.width(), avail.width() - extra_w)
        h = min(self.height(), avail.height() - extra_h)
        if (w, h) != (self.width(), self.height()):
            self.resize(w, h)
        x = min(max(frame.x(), avail.x()), avail.right() + 1 - w - extra_w)
        y = min(max(frame.y(), avail.y()), avail.bottom() + 1 - h - extra_h)
        if not self.isVisible() and not self.testAttribute(Qt.WidgetAttribute.WA_Moved):
            x = avail.x() + (avail.width() - w - extra_w) // 2     # first start: centred
            y = avail.y() + (avail.height() - h - extra_h) // 2
        self.move(max(avail.x(), x), max(avail.y(), y))

    def restore_window_state(self) -> None:
        s = window_settings()
        geometry = s.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            self.fit_to_screen()
        state = s.value("main/state")
        if state is not None:
            self.restoreState(state)
        tab = s.value("main/tab")
        if tab in _TAB_INDEX:
            self.tabs.setCurrentIndex(_TAB_INDEX[tab])   # built when shown; each tab restores its state then

    def save_window_state(self) -> None:
        s = window_settings()
        s.setValue("main/geometry", self.saveGeometry())
        s.setValue("main/state", self.saveState())
        s.setValue("main/tab", getattr(self.current_tab(), "key", ""))
        for widget in self.tab_widgets.built():   # a tab never built keeps the state saved before
            if hasattr(widget, "save_state"):
                widget.save_state(s)
        s.sync()

    def resolve_unsaved(self, title: str) -> bool:
        """Ask 保存 / 放弃 / 取消 for every tab holding typed, unsaved figures; False when the user cancels."""
        for widget in self.tab_widgets.built():
            if hasattr(widget, "resolve_unsaved") and not widget.resolve_unsaved(title):
                self.tabs.setCurrentWidget(widget)
                return False
        return True

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """The close button and Ctrl+Q (退出): typed, unsaved figures are saved, discarded or keep the window."""
        if not self.resolve_unsaved("退出"):
            event.ignore()
            return
        for widget in self.tab_widgets.built():
            if hasattr(widget, "shutdown"):
                widget.shutdown()
        self.save_window_state()
        super().closeEvent(event)
