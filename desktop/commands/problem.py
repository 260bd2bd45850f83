"""`policytrack problem`: the 问题清单 (存在问题 across projects) from the command line.

`problem add` files a problem against a project, `problem list` shows the open ones (``--all`` every status,
``--overdue`` only those past their 整改时限), `problem resolve` marks one 已解决 with a note, `problem close`
销号 a resolved one. Refusals: one Chinese line, exit 2, nothing changed.
"""
from __future__ import annotations

import argparse
import json

from db import problems, projects
from db import outputs, plan, settings
from desktop.cli import (Refused, add_db_argument, add_output_arguments, add_wait_argument, checked_output,
                         open_for_cli, writer_wait)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("problem", help="问题清单：登记、列出、解决存在问题（问题督办）",
                       description="问题清单：各项目的存在问题，含类别、责任单位/责任人、整改时限与状态。")
    actions = p.add_subparsers(dest="action", metavar="{add,list,resolve,notice,close}", parser_class=type(p))
    actions.required = True

    a = actions.add_parser("add", help="登记一个问题", description="给一个项目登记存在问题。")
    add_db_argument(a)
    a.add_argument("--project", metavar="NAME_OR_ID", required=True, help="项目名称或编号")
    a.add_argument("--text", metavar="T", required=True, help="问题内容")
    a.add_argument("--category", metavar="C", help="类别（默认：其他）：" + "/".join(problems.DEFAULT_CATEGORIES))
    a.add_argument("--owner", metavar="O", default="", help="责任单位/责任人")
    a.add_argument("--due", metavar="YYYY-MM-DD", required=True, help="整改时限")
    a.add_argument("--raised", metavar="YYYY-MM-DD", help="提出日期（默认：今天）")
    add_wait_argument(a)
    a.set_defaults(func=run_add)

    ls = actions.add_parser("list", help="列出问题（默认只列未解决的）", description="列出问题清单。")
    add_db_argument(ls)
    ls.add_argument("--overdue", action="store_true", help="只列超过整改时限仍未解决的")
    ls.add_argument("--all", action="store_true", help="也列出已解决、已销号的")
    ls.add_argument("--today", metavar="YYYY-MM-DD", help="按此日期判断是否逾期（默认：今天）")
    ls.add_argument("--json", action="store_true", help="输出 JSON")
    ls.set_defaults(func=run_list)

    r = actions.add_parser("resolve", help="把一个问题标为已解决", description="把问题标为已解决，写明解决情况。")
    add_db_argument(r)
    r.add_argument("id", metavar="ID", help="问题编号（problem list 中的 id）")
    r.add_argument("--note", metavar="T", required=True, help="解决情况")
    r.add_argument("--on", metavar="YYYY-MM-DD", help="解决日期（默认：今天）")
    add_wait_argument(r)
    r.set_defaults(func=run_resolve)

    n = actions.add_parser("notice", help="生成督办通知 PDF（每个责任单位一页，或指定一个问题）",
                           description="生成督办通知 PDF：未解决的问题，每个责任单位一页；--id 只督办一个问题。")
    add_db_argument(n)
    n.add_argument("out", metavar="OUT.pdf", help="输出的 PDF 文件")
    n.add_argument("--id", metavar="ID", help="只督办这一个问题")
    n.add_argument("--unit", metavar="U", help="只督办这个责任单位的问题")
    n.add_argument("--today", metavar="YYYY-MM-DD", help="通知日期（默认：今天），也用来判断是否逾期")
    add_output_arguments(n)
    n.set_defaults(func=run_notice)

    c = actions.add_parser("close", help="给已解决的问题销号", description="核实后给已解决的问题销号。")
    add_db_argument(c)
    c.add_argument("id", metavar="ID", help="问题编号")
    c.add_argument("--note", metavar="T", default="", help="销号说明")
    c.add_argument("--on", metavar="YYYY-MM-DD", help="销号日期（默认：今天）")
    add_wait_argument(c)
    c.set_defaults(func=run_close)


def _problem_id(text: str) -> int:
    if not text.strip().isdigit():
        raise Refused(f"「问题编号」应是 problem list 中的数字 id（输入：'{text}'）")
    return int(text)


def line(row: dict, *, overdue: bool = True) -> str:
    due = row["due"] or "无时限"
    late = f"，逾期 {row['overdue_days']} 天" if overdue and row["overdue_days"] else ""
    owner = f"，责任：{row['owner']}" if row["owner"] else ""
    unit = f"（{row['unit']}）" if row["unit"] else ""
    return (f"#{row['id']} ［{row['status']}］［{row['category']}］{row['project']}{unit}："
            f"{row['text']}{owner}，整改时限 {due}{late}")


def run_add(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        project = projects.find_for_date(db, args.project, args.raised)
        w = problems.add(db, project_id=project["id"], text=args.text, category=args.category, owner=args.owner,
                         due=args.due, raised=args.raised, source_kind="cli")
        print("已登记问题 " + line(problems.get(db, w.problem_id), overdue=False))
    finally:
        db.close()
    return 0


def run_list(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db)
    try:
        today = problems._as_date(args.today, "--today") if args.today else None
        rows = problems.register(db, today=today, status=None if args.all else "open",
                                 overdue_only=args.overdue)
    finally:
        db.close()
    if args.json:
        print(json.dumps([problems.to_json(r) for r in rows], ensure_ascii=False, indent=2))
    elif not rows:
        print("没有逾期未解决的问题" if args.overdue else ("没有问题" if args.all else "没有未解决的问题"))
    else:
        for r in rows:
            print(line(r))
    return 0


def run_resolve(args: argparse.Namespace) -> int:
    pid = _problem_id(args.id)
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        problems.resolve(db, pid, args.note, on=args.on, source_kind="cli")
        print("已解决 " + line(problems.get(db, pid), overdue=False))
    finally:
        db.close()
    return 0


def run_close(args: argparse.Namespace) -> int:
    pid = _problem_id(args.id)
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        problems.close(db, pid, args.note, on=args.on, source_kind="cli")
        print("已销号 " + line(problems.get(db, pid), overdue=False))
    finally:
        db.close()
    return 0


def run_notice(args: argparse.Namespace) -> int:
    out = checked_output(args.out, outputs.PDF, args)
    db = open_for_cli(args.db)
    try:
        today = problems._as_date(args.today, "--today") if args.today else None
        rows = problems.register(db, today=today, status="open")
        if args.id is not None:
            pid = _problem_id(args.id)
            rows = [r for r in rows if r["id"] == pid]
            if not rows:
                raise Refused(f"「问题编号」没有编号为 {pid} 的未解决问题（输入：'{args.id}'）")
        if args.unit is not None:
            rows = [r for r in rows if r["unit"] == args.unit.strip()]
            if not rows:
                raise Refused(f"「责任单位」“{args.unit}”没有未解决的问题")
        py = plan.current_plan_year(db)
        organization = settings.get(db, "organization") or f"{py['district']}发展和改革委员会"
    finally:
        db.close()
    from desktop.report.briefing import ensure_qt
    from desktop.report.supervision import build_supervision, group_by_unit

    ensure_qt()
    data = {"district": py["district"], "plan_year": py["year"], "organization": organization,
            "groups": group_by_unit(rows, per_problem=args.id is not None)}
    try:
        with outputs.atomic_output(out) as tmp:
            result = build_supervision(data, tmp, made_on=today)
    except OSError as exc:
        raise Refused(f"无法写入 {out}：{exc.strerror or exc}") from exc
    print(f"已生成督办通知 {out}：共 {result['pages']} 页")
    return 0
