"""`policytrack exchange export|import`: exchange files (交换包) between a unit's PC and the office.

Conflicts (same subject, metric and month, different values from two sources) are never decided silently: without
`--prefer mine|theirs` an import that meets one lists them and refuses (exit 2, nothing changed).
"""
from __future__ import annotations

import argparse

from db import exchange, outputs
from db.errors import printable
from desktop import import_text
from desktop.cli import add_wait_argument, writer_wait, Refused, add_db_argument, add_output_arguments, checked_output, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("exchange", help="交换包：在单位和区发改委的电脑之间传递更新（export / import）")
    verbs = p.add_subparsers(dest="verb", metavar="操作", parser_class=type(p))
    verbs.required = True
    e = verbs.add_parser("export", help="导出本机记录的更新和目标调整")
    e.add_argument("out", metavar="OUT", help="输出的交换包文件（扩展名 .ptx）")
    e.add_argument("--unit", required=True, metavar="责任单位",
                   help="只导出责任单位为它的项目（写“全部”则导出所有项目、指标和集群）；也作为发送方名称")
    e.add_argument("--since", metavar="YYYY-MM-DD", help="只导出这一天及以后录入的内容（默认：全部）")
    add_db_argument(e)
    add_output_arguments(e)
    e.set_defaults(func=run_export)
    i = verbs.add_parser("import", help="导入交换包（先比对；有冲突时需用 --prefer 选择）")
    i.add_argument("file", metavar="FILE", help="交换包文件")
    add_wait_argument(i)
    i.add_argument("--dry-run", action="store_true", help="只列出将要改变的内容和冲突，不写入")
    i.add_argument("--prefer", choices=("mine", "theirs"),
                   help="冲突时保留本机的数字（mine）或采用交换包的数字（theirs）；不给则有冲突时拒绝导入")
    i.add_argument("--accept-warnings", metavar="REASON",
                   help="确认合理性提示（与手工录入相同的检查，如“数量级异常”）并说明理由；不加此项时有提示即拒绝导入")
    i.add_argument("--accept-unenrolled", metavar="REASON",
                   help="签名者不在单位名册中时，核实后确认接受这一次并说明理由（记入变更记录）")
    add_db_argument(i)
    i.set_defaults(func=run_import)


def run_export(args: argparse.Namespace) -> int:
    out = checked_output(args.out, outputs.EXCHANGE, args)
    db = open_for_cli(args.db)
    try:
        s = exchange.export(db, out, unit=args.unit, since=args.since)
    finally:
        db.close()
    problems = (f"，存在问题 {s.problems} 条" if s.problems else "") + (f"，现场照片 {s.photos} 张" if s.photos else "")
    print(f"已导出交换包 {s.path}：更新 {s.updates} 条，目标调整 {s.targets} 条{problems}，涉及项目 {s.projects} 个"
          f"（发送方：{s.sender['name']}）")
    return 0


def run_import(args: argparse.Namespace) -> int:
    if args.accept_warnings is not None and not args.accept_warnings.strip():
        raise Refused("--accept-warnings 需要写明理由")
    db = open_for_cli(args.db, write_wait=None if args.dry_run else writer_wait(args))
    try:
        preview = exchange.read(db, args.file, accept_unenrolled=args.accept_unenrolled)
        if args.prefer and preview.conflicts:
            preview.resolve_all(args.prefer)
        print("\n".join(import_text.exchange_report(preview)))
        warnings = exchange.plausibility_warnings(db, preview)
        if warnings:
            print(f"合理性提示（{len(warnings)} 条，与手工录入相同的检查）：")
            print("\n".join(printable("  " + w) for w in warnings))
        if args.dry_run:
            print("（--dry-run：没有写入数据库）")
            return 0
        if preview.unresolved_conflicts:
            raise Refused(f"有 {len(preview.unresolved_conflicts)} 处冲突，未导入任何数据；"
                          "请用 --prefer mine（保留本机）或 --prefer theirs（采用交换包）选择后再导入")
        if warnings:
            if args.accept_warnings is None:
                raise Refused(f"交换包中有 {len(warnings)} 条合理性提示（见上），未导入任何数据；"
                              "核实无误请加 --accept-warnings 理由")
            preview.accepted_reason = args.accept_warnings.strip()
        result = exchange.apply(db, preview)
    finally:
        db.close()
    if result.nothing_new:
        print("没有新的数据，未记录任何内容")
    else:
        print(f"已导入：记录更新 {result.recorded_updates} 条，目标调整 {result.recorded_targets} 条，"
              f"新建项目 {result.projects_created} 个，冲突保留本机 {result.kept_mine} 处"
              + (f"，存在问题 {result.recorded_problems} 条" if result.recorded_problems else "")
              + (f"，现场照片 {result.recorded_photos} 张" if result.recorded_photos else "")
              + f"（导入批次 #{result.batch_id}）")
    return 0
