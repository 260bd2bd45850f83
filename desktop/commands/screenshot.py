"""`policytrack screenshot OUTDIR`: render every tab offscreen to OUTDIR/<tab-key>.png, then the main dialogs.

Each tab is rendered once its background loading has finished (a tab that loads off the UI thread says so
through ``is_loading()``), waiting at most ``--wait`` seconds; a tab still loading then is rendered as it is,
with one warning line on stderr. The dialogs (记录更新, 修改目标, the 调度表 import preview) are rendered into the
same folder as dialog-<name>.png.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from pathlib import Path

from desktop.cli import Refused, add_db_argument, open_for_cli

WAIT_SECONDS = 120.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("screenshot", help="把每个页面渲染为 PNG（无需显示器）")
    p.add_argument("outdir", metavar="OUTDIR", help="输出文件夹（不存在则创建）")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认：最新报告期）")
    p.add_argument("--size", default="1600x1000", metavar="WxH", help="窗口大小，默认 1600x1000")
    p.add_argument("--wait", type=float, default=WAIT_SECONDS, metavar="SECONDS",
                   help=f"每个页面等待后台加载完成的最长秒数（默认 {WAIT_SECONDS:g}）")
    p.set_defaults(func=run)


def _no_display() -> bool:
    if sys.platform.startswith("linux"):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def run(args: argparse.Namespace) -> int:
    m = re.fullmatch(r"(\d{3,5})[xX×](\d{3,5})", args.size.strip())
    if not m:
        raise Refused(f"参数错误：--size 应为 宽x高，例如 1600x1000（输入：{args.size}）")
    width, height = int(m.group(1)), int(m.group(2))
    if "QT_QPA_PLATFORM" not in os.environ and _no_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    db = open_for_cli(args.db)
    try:
        from db import summary
        _, as_of = summary.resolve_as_of(db, args.as_of)
        written = render_tabs(db, Path(args.outdir), as_of, (width, height), wait=args.wait)
    finally:
        db.close()
    for path in written:
        print(path)
    return 0


def render_tabs(db, outdir: Path, as_of: dt.date, size: tuple[int, int], *, wait: float = WAIT_SECONDS,
                dialogs: bool = True) -> list[Path]:
    from desktop.app import AppContext
    from desktop.gui import make_app
    from desktop.main_window import MainWindow

    app = make_app()
    outdir.mkdir(parents=True, exist_ok=True)
    ctx = AppContext(db, as_of=as_of)
    window = MainWindow(ctx, restore_state=False)
    window.resize(*size)
    window.show()
    written = []
    try:
        for i in range(window.tabs.count()):
            window.tabs.setCurrentIndex(i)
            tab = window.tabs.widget(i)
            key = getattr(tab, "key", f"tab{i}")
            if not settle(app, tab, wait):
                print(f"policytrack: 警告：“{window.tabs.tabText(i)}”页 {wait:g} 秒内未加载完，截图可能不完整",
                      file=sys.stderr)
            written.append(_save(window, outdir / f"{key}.png"))
        if dialogs:
            window.tabs.setCurrentWidget(window.tab_widgets["board"])
            settle(app, window.tab_widgets["board"], wait)
            for name, dialog in main_dialogs(ctx, window, outdir):
                dialog.show()
                settle(app, dialog, wait)
                written.append(_save(dialog, outdir / f"dialog-{name}.png"))
                dialog.close()
                dialog.deleteLater()
    finally:
        window.close()
        ctx.close()
    return written


def settle(app, widget, wait: float) -> bool:
    """Process events until the widget's background loading is done (False if ``wait`` seconds passed first)."""
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + wait
    loading = getattr(widget, "is_loading", lambda: False)
    for _ in range(3):
        app.processEvents()
    while loading():
        if time.monotonic() > deadline:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    for _ in range(3):      # let what the load filled in lay itself out and paint
        app.processEvents()
    return True


def _save(widget, path: Path) -> Path:
    if not widget.grab().save(str(path)):
        raise Refused(f"无法写入 {path}")
    return path


def main_dialogs(ctx, window, outdir: Path):
    """The dialogs a clerk uses most, each opened the way the window opens it, on the data at hand."""
    from db import indicators, targets
    from db.subjects import Subject
    from desktop import formatting as fmt
    from desktop.record_dialog import RecordDialog
    from desktop.target_dialog import TargetDialog

    board = window.tab_widgets["board"]
    if board.selected_id is not None:
        yield "record", RecordDialog(ctx, "project", board.selected_id, window)
    listed = indicators.list_for(ctx.db, ctx.plan_year["id"])
    if listed:
        ind = listed[0]
        old = targets.value(ctx.db, Subject("indicator", ind["id"]), "value")
        shown = "（无）" if old is None else fmt.plain(float(indicators.to_number(ind, old)))
        yield "target", TargetDialog(window, title="修改指标目标", subject=ind["name"], current=shown,
                                     unit=ind["unit"])
    preview = _import_preview(ctx, outdir)
    if preview is not None:
        from desktop.exchange_ui import ImportPreviewDialog
        yield "import-preview", ImportPreviewDialog(ctx, preview, window)


def _import_preview(ctx, outdir: Path):
    """What importing the 调度表 this database exports would show, with the first project's completed investment
    typed in (as a unit returns it): written to a scratch file, read back, nothing stored."""
    import tempfile

    from db import PolicyTrackError, xlsx_export, xlsx_import

    with tempfile.TemporaryDirectory(dir=outdir) as scratch:
        path = Path(scratch) / "调度表.xlsx"
        try:
            xlsx_export.export(ctx.db, str(path), as_of=ctx.as_of)
            _type_one_figure(path)
            return xlsx_import.read(ctx.db, str(path))
        except (PolicyTrackError, OSError) as exc:
            print(f"policytrack: 警告：无法生成导入预览（{exc}）", file=sys.stderr)
            return None


def _type_one_figure(path: Path) -> None:
    """Fill the 完成投资 cell of the first project row that has none (a sheet whose layout differs stays as it is)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.active
    column = next((c.column for row in ws.iter_rows(max_row=6) for c in row
                   if isinstance(c.value, str) and c.value.endswith("完成投资")), None)
    if column is None:
        return
    for row in ws.iter_rows(min_row=5):
        if isinstance(row[0].value, int) and row[column - 1].value in (None, ""):
            row[column - 1].value = 35_000
            wb.save(path)
            return
