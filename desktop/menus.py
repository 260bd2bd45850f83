"""Menu entries the main window adds for the file and 调度 work: the actions only. The dialogs behind them
(desktop.exchange_ui, desktop.cycle_ui) and the readers and writers they use are imported when an entry is first
chosen, so the window does not pay for them at start-up."""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction


def _operations():
    from desktop import operations
    return operations


def _exchange_ui():
    from desktop import exchange_ui
    return exchange_ui


def _cycle_ui():
    from desktop import cycle_ui
    return cycle_ui


def install_actions(main_window: Any, ctx: Any) -> dict[str, QAction]:
    """Add 导入调度表 / 导出调度表 / 导出交换包 / 导入交换包 to the main window's 文件 menu; returns the actions."""
    actions = {
        "import_xlsx": QAction("导入调度表…", main_window,
                               triggered=lambda: _operations().import_xlsx(ctx=ctx, parent=main_window)),
        "export_xlsx": QAction("导出调度表…", main_window,
                               triggered=lambda: _exchange_ui().export_xlsx(main_window, ctx)),
        "export_exchange": QAction("导出交换包…", main_window,
                                   triggered=lambda: _exchange_ui().export_exchange(main_window, ctx)),
        "import_exchange": QAction("导入交换包…", main_window,
                                   triggered=lambda: _operations().import_exchange(ctx=ctx, parent=main_window)),
    }
    actions["import_xlsx"].setShortcut("Ctrl+I")
    actions["import_xlsx"].setToolTip("读取各单位报来的调度表（.xlsx），预览后一次性导入")
    actions["export_xlsx"].setToolTip("按当前报告期导出可打印、可再导入的调度表")
    if getattr(ctx.db, "read_only", False):
        for key in ("import_xlsx", "import_exchange"):
            actions[key].setEnabled(False)
            actions[key].setToolTip("数据库以只读方式打开，不能导入：" + ctx.db.read_only_reason)
    menu = getattr(main_window, "file_menu", None)
    if menu is not None:
        first = menu.actions()[0] if menu.actions() else None
        for key in ("import_xlsx", "export_xlsx"):
            menu.insertAction(first, actions[key])
        menu.insertSeparator(first)
        for key in ("import_exchange", "export_exchange"):
            menu.insertAction(first, actions[key])
        menu.insertSeparator(first)
    main_window.exchange_actions = actions
    return actions


def install_menu(main_window: Any, ctx: Any) -> dict[str, QAction]:
    """The 调度 menu, after 编辑."""
    actions = {
        "dispatch": QAction("下发填报表…", main_window, triggered=lambda: _cycle_ui().dispatch_forms(main_window, ctx)),
        "review": QAction("审核报送", main_window, triggered=lambda: _cycle_ui().show_review(main_window)),
    }
    actions["dispatch"].setToolTip("为各责任单位生成本报告期的填报表（.xlsx）")
    if getattr(ctx.db, "read_only", False):
        actions["dispatch"].setEnabled(False)
    menu = main_window.menuBar().addMenu("调度(&D)")
    menu.addActions(list(actions.values()))
    help_action = main_window.help_menu.menuAction() if hasattr(main_window, "help_menu") else None
    if help_action is not None:  # keep 帮助 last
        main_window.menuBar().insertMenu(help_action, menu)
    main_window.cycle_actions = actions
    main_window.cycle_menu = menu
    return actions
