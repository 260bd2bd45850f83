"""`policytrack export-xlsx OUT.xlsx [--db PATH] [--as-of DATE]`: a print-ready 调度表."""
from __future__ import annotations

import argparse

from db import outputs, xlsx_export
from desktop.cli import add_db_argument, add_output_arguments, checked_output, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-xlsx", help="导出调度表（.xlsx，可直接打印，可再导入）")
    p.add_argument("out", metavar="OUT.xlsx", help="输出文件")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认：数据库中最新的报告期）")
    add_output_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = checked_output(args.out, outputs.XLSX, args)
    db = open_for_cli(args.db)
    try:
        with outputs.atomic_output(out) as tmp:
            result = xlsx_export.export(db, tmp, as_of=args.as_of)
    finally:
        db.close()
    print(f"已导出 {result.projects} 个项目（截至 {result.as_of.isoformat()}）到 {out}")
    return 0
