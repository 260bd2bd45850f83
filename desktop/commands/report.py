"""`policytrack report OUT.pdf`: the monthly briefing (调度简报) as a PDF, without opening the GUI."""
from __future__ import annotations

import argparse

from desktop import formatting as fmt
from db import outputs
from desktop.cli import Refused, add_db_argument, add_output_arguments, checked_output, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="生成月度调度简报 PDF（封面、综述、图表、调度表、预警事项）")
    p.add_argument("out", metavar="OUT.pdf", help="输出的 PDF 文件")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认：数据库中最新的报告期）")
    add_output_arguments(p)
    p.add_argument("--paper", default="A4", type=str.upper, choices=["A4", "A3"], help="纸张：A4（默认）或 A3")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = checked_output(args.out, outputs.PDF, args)
    db = open_for_cli(args.db)
    try:
        from desktop.charts.data import gather

        data = gather(db, args.as_of)
    finally:
        db.close()
    if data["empty"]:
        raise Refused(f"无法生成简报：{data['reason']}")
    from desktop.report.briefing import build_briefing, ensure_qt

    ensure_qt()
    try:
        with outputs.atomic_output(out) as tmp:
            result = build_briefing(data, tmp, paper=args.paper)
    except OSError as exc:
        raise Refused(f"无法写入 {out}：{exc.strerror or exc}") from exc
    print(f"已生成简报 {out}：截至{fmt.date_cn(data['as_of'])}，共 {result['pages']} 页"
          f"（调度表 {result['table_rows']} 个项目，{result['table_pages']} 页）")
    return 0
