"""`policytrack import-xlsx FILE [--db PATH] [--as-of DATE] [--dry-run]`: import a 调度表 spreadsheet."""
from __future__ import annotations

import argparse

from db import xlsx_import
from desktop import import_text
from desktop.cli import Refused, add_db_argument, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-xlsx", help="导入调度表（.xlsx）：先比对，再一次性写入全部行（--dry-run 只报告）")
    p.add_argument("file", metavar="FILE", help="调度表文件（.xlsx，或 .csv）")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认：读取标题中的“截至…”）")
    p.add_argument("--dry-run", action="store_true", help="只报告将要记录的内容和无法读取的单元格，不写入")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db)
    try:
        preview = xlsx_import.read(db, args.file, as_of=args.as_of)
        report = import_text.xlsx_report(preview, verbose=args.dry_run)
        rows = preview.rows
        if rows and all(r.status == "skipped" and r.reason == "无法确定截至日期" for r in rows):
            print("\n".join(report))
            raise Refused("无法确定截至日期：标题和表头中都没有（如“截至7月31日”“1-7月”），请用 --as-of 指定")
        print("\n".join(report))
        if args.dry_run:
            print("（--dry-run：没有写入数据库）")
            return 0
        result = xlsx_import.apply(db, preview)
    finally:
        db.close()
    if result.nothing_new:
        print("没有新的数据，未记录任何内容")
    else:
        print(f"已导入：新建项目 {result.projects_created} 个，记录更新 {result.updates_recorded} 条，"
              f"调整年度计划 {result.targets_revised} 个，修改项目信息 {result.fields_changed} 项，"
              f"本月进展 {result.notes_recorded} 条"
              f"（导入批次 #{result.batch_id}）")
    return 0
