"""`policytrack dispatch --as-of DATE --out DIR [--unit U]...`: write one 填报表 (.xlsx) per 责任单位 for a 报告期."""
from __future__ import annotations

import argparse

from db import cycle
from desktop import formatting as fmt
from desktop.cli import add_db_argument, add_output_arguments, add_wait_argument, open_for_cli, writer_wait


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dispatch", help="下发填报表：为每个责任单位生成本报告期的填报表（.xlsx）")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", required=True, help="报告期内任一日期，如 2023-07-31")
    p.add_argument("--out", metavar="DIR", required=True, help="填报表写入的文件夹（不存在时新建）")
    p.add_argument("--unit", metavar="U", action="append", default=[],
                   help="只为该责任单位生成（可重复；默认：全部责任单位）")
    add_wait_argument(p)
    add_output_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        files = cycle.dispatch(db, args.as_of, args.out, args.unit, force=args.force)
    finally:
        db.close()
    for f in files:
        print(f"已生成填报表 {f.path}：{f.unit}，{f.projects} 个项目，报送截止 {fmt.date_cn(f.deadline)}")
    return 0
