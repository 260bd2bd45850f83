"""`policytrack review list|pass|return`: the 审核 of submissions (returned 填报表) for scripts.

Refusals (an unknown id, passing a submission already passed, returning without a reason) exit 2 and change nothing.
"""
from __future__ import annotations

import argparse
import json

from db import cycle, plan
from db.validate import month_end, parse_date
from db import outputs, settings
from desktop.cli import (Refused, add_db_argument, add_output_arguments, add_wait_argument, checked_output,
                         open_for_cli, writer_wait)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="审核报送：列出、通过或退回责任单位报送的填报表")
    add_db_argument(p)
    actions = p.add_subparsers(dest="action", metavar="操作", required=True, parser_class=type(p))
    lst = actions.add_parser("list", help="列出报送及其审核状态（待初审/待终审/已退回/已通过）")
    add_db_argument(lst)
    lst.add_argument("--as-of", metavar="YYYY-MM-DD", help="只列该报告期（报告期内任一日期）")
    lst.add_argument("--json", action="store_true", help="输出 JSON")
    lst.set_defaults(func=run_list)
    ok = actions.add_parser("pass", help="通过一份报送（最后一级通过时数据入库）")
    add_db_argument(ok)
    ok.add_argument("id", metavar="ID", help="报送编号（见 review list）")
    ok.add_argument("--note", metavar="T", default="", help="审核意见")
    add_wait_argument(ok)
    ok.set_defaults(func=run_pass)
    back = actions.add_parser("return", help="退回一份报送（数据不变），并打印退回说明")
    add_db_argument(back)
    back.add_argument("id", metavar="ID", help="报送编号（见 review list）")
    back.add_argument("--reason", metavar="T", required=True, help="退回理由")
    back.add_argument("--notice", metavar="OUT.pdf", help="另存退回说明 PDF（随原文件发回责任单位）")
    add_output_arguments(back)
    add_wait_argument(back)
    back.set_defaults(func=run_return)
    lv = actions.add_parser("levels", help="查看或设置审核级数：0（报送即入库）、1（初审，默认）、2（初审和终审）")
    add_db_argument(lv)
    lv.add_argument("n", metavar="N", nargs="?", help="新的审核级数（不填：只显示当前级数）")
    add_wait_argument(lv)
    lv.set_defaults(func=run_levels)


LEVEL_WORDS = {0: "0（不审核，报送即入库）", 1: "1（初审通过即入库）", 2: "2（初审、终审）"}


def run_levels(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db, write_wait=None if args.n is None else writer_wait(args))
    try:
        levels = cycle.review_levels(db) if args.n is None else cycle.set_review_levels(db, args.n)
    finally:
        db.close()
    print(f"审核级数：{LEVEL_WORDS[levels]}")
    return 0


def describe(sub: cycle.Submission) -> str:
    p = sub.period
    line = (f"#{sub.id} {sub.unit} {p.year}年{p.month}月 {sub.status}：{len(sub.rows)} 个项目，"
            f"提醒 {len(sub.warnings)} 条（{sub.file_name}）")
    return line + (f"；意见：{sub.comment}" if sub.comment else "")


def run_list(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db)
    try:
        period = None
        if args.as_of:
            d = parse_date(args.as_of, "截至日期")
            plan.for_date(db, d)   # refused when no plan year holds the date
            period = month_end(d.year, d.month)
        subs = cycle.submissions(db, period)
    finally:
        db.close()
    if args.json:
        print(json.dumps([s.to_json() for s in subs], ensure_ascii=False, indent=2))
        return 0
    if not subs:
        print("没有报送")
    for s in subs:
        print(describe(s))
        for w in s.warnings:
            print(f"  提醒：{w}")
    return 0


def run_pass(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        sub = cycle.pass_submission(db, args.id, args.note)
    finally:
        db.close()
    tail = "，数据已入库" if sub.status == cycle.PASSED else f"，进入{sub.status}"
    print(f"已通过报送 #{sub.id}（{sub.unit}，{len(sub.rows)} 个项目）{tail}")
    return 0


def run_return(args: argparse.Namespace) -> int:
    out = checked_output(args.notice, outputs.PDF, args) if args.notice else None
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        sub = cycle.return_submission(db, args.id, args.reason)
        py = plan.current_plan_year(db)
        organization = settings.get(db, "organization") or f"{py['district']}发展和改革委员会"
        text = cycle.return_notice(db, sub, organization)
        heading, paragraphs = cycle.return_notice_parts(db, sub)
    finally:
        db.close()
    print(f"已退回报送 #{sub.id}（{sub.unit}），数据未改动。退回说明：")
    print(text, end="")
    if out is not None:
        from desktop.report.briefing import ensure_qt
        from desktop.report.return_notice import build_return_notice

        ensure_qt()
        data = {"district": py["district"], "plan_year": py["year"], "as_of": sub.period.isoformat(),
                "organization": organization, "heading": heading, "paragraphs": paragraphs}
        try:
            with outputs.atomic_output(out) as tmp:
                result = build_return_notice(data, tmp)
        except OSError as exc:
            raise Refused(f"无法写入 {out}：{exc.strerror or exc}") from exc
        print(f"已生成退回说明 {out}：共 {result['pages']} 页")
    return 0
