"""`policytrack screenshot OUTDIR`: render every tab offscreen to OUTDIR/<tab-key>.png."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from pathlib import Path

from desktop.cli import Refused, add_db_argument, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("screenshot", help="把每个页面渲染为 PNG（无需显示器）")
    p.add_argument("outdir", metavar="OUTDIR", help="输出文件夹（不存在则创建）")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认：最新报告期）")
    p.add_argument("--size", default="1600x1000", metavar="WxH", help="窗口大小，默认 1600x1000")
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
        written = render_tabs(db, Path(args.outdir), as_of, (width, height))
    finally:
        db.close()
    for path in written:
        print(path)
    return 0


def render_tabs(db, outdir: Path, as_of: dt.date, size: tuple[int, int]) -> list[Path]:
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
            for _ in range(3):
                app.processEvents()
            key = getattr(window.tabs.widget(i), "key", f"tab{i}")
            path = outdir / f"{key}.png"
            if not window.grab().save(str(path)):
                raise Refused(f"无法写入 {path}")
            written.append(path)
    finally:
        window.close()
        ctx.close()
    return written
