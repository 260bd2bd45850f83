"""`policytrack year new|list|close|reopen`: plan years in one database (db/years.py)."""
from __future__ import annotations

import argparse
import json

from db import years
from desktop.cli import Refused, add_db_argument, add_wait_argument, open_for_cli, writer_wait


def _year(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"应为四位年份（如 2024），不是“{text[:20]}”")
    return int(text)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("year", help="计划年度：新建下一年度、列出、年度结账、重新打开（new / list / close / reopen）")
    verbs = p.add_subparsers(dest="verb", metavar="操作", parser_class=type(p))
    verbs.required = True
    n = verbs.add_parser("new", help="新建年度：结转集群体系、项目盘子、指标和未投产的项目（数字不结转）")
    n.add_argument("year", type=_year, metavar="YYYY", help="新年度，如 2024")
    n.add_argument("--from", dest="from_year", type=_year, metavar="YYYY", help="从哪一年结转（默认：最新年度）")
    add_wait_argument(n)
    add_db_argument(n)
    n.set_defaults(func=run_new)
    ls = verbs.add_parser("list", help="列出计划年度及其状态")
    ls.add_argument("--json", action="store_true",
                    help='输出 JSON 列表：{"year", "district", "status": "open"|"closed", "projects"}')
    add_db_argument(ls)
    ls.set_defaults(func=run_list)
    c = verbs.add_parser("close", help="年度结账：该年度此后只读（可查看、打印）")
    c.add_argument("year", type=_year, metavar="YYYY")
    c.add_argument("--reason", default="", metavar="说明", help="结账说明（可选，记入变更记录）")
    add_wait_argument(c)
    add_db_argument(c)
    c.set_defaults(func=run_close)
    r = verbs.add_parser("reopen", help="重新打开已结账的年度（须说明理由）")
    r.add_argument("year", type=_year, metavar="YYYY")
    r.add_argument("--reason", required=True, metavar="理由", help="重新打开的理由（记入变更记录）")
    add_wait_argument(r)
    add_db_argument(r)
    r.set_defaults(func=run_reopen)


def run_new(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        r = years.new_year(db, args.year, from_year=args.from_year)
    finally:
        db.close()
    print(f"已新建 {r.year} 年度（由 {r.from_year} 年结转）：项目 {r.projects} 个（已投产的 {r.completed_left} 个留在"
          f" {r.from_year} 年），指标 {r.indicators} 个（目标待填），项目盘子 {r.portfolios} 个（个数、计划待填），"
          f"集群节点 {r.clusters} 个，未完成节点 {r.milestones} 个")
    return 0


def run_list(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db)
    try:
        rows = years.year_list(db)
    finally:
        db.close()
    if args.json:
        print(json.dumps([{"year": y.year, "district": y.district, "status": y.status, "projects": y.projects}
                          for y in rows], ensure_ascii=False))
        return 0
    if not rows:
        raise Refused("数据库中还没有计划年度（用 policytrack init 新建）")
    for y in rows:
        print(f"{y.year} 年度（{y.district}）：{y.status_label}，项目 {y.projects} 个")
    return 0


def run_close(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        years.close(db, args.year, reason=args.reason)
    finally:
        db.close()
    print(f"{args.year} 年度已结账：此后只能查看和打印；需要补录时用 policytrack year reopen {args.year} --reason 理由")
    return 0


def run_reopen(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        years.reopen(db, args.year, reason=args.reason)
    finally:
        db.close()
    print(f"已重新打开 {args.year} 年度：{args.reason}")
    return 0
