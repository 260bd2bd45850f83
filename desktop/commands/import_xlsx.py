"""`policytrack import-xlsx FILE [--db PATH] [--as-of DATE] [--dry-run] [--portfolio NAME] [--accept-warnings REASON]`:
import a 调度表 spreadsheet, all rows or none.

Refuses (exit 2, one line on stderr, nothing written) a file the report shows cannot be imported as it is: a date
that does not exist or contradicts another, a unit the figures contradict, a year the database has no plan year
for, new projects whose portfolio is unknown (unless --portfolio), plausibility warnings nobody accepted (unless
--accept-warnings), or a file whose every row was skipped.
"""
from __future__ import annotations

import argparse

from db import plan, portfolios, xlsx_import
from desktop import import_text
from desktop.cli import add_wait_argument, writer_wait, Refused, add_db_argument, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-xlsx", help="导入调度表（.xlsx）：先比对，再一次性写入全部行（--dry-run 只报告）")
    p.add_argument("file", metavar="FILE", help="调度表文件（.xlsx，或 .csv）")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认：读取标题中的“截至…”）")
    add_wait_argument(p)
    p.add_argument("--dry-run", action="store_true", help="只报告将要记录的内容和无法读取的单元格，不写入")
    p.add_argument("--portfolio", metavar="NAME",
                   help="级别无法确定（或表中级别不对应任何项目盘子）的新项目放入哪个项目盘子，如 区级重点 或 市级重大")
    p.add_argument("--accept-warnings", metavar="REASON", default="",
                   help="核实无误后确认全部提醒（与手工录入相同的合理性检查），理由记录在每个数字旁")
    p.set_defaults(func=run)


def _portfolio_level(db, name: str) -> str:
    """The level of the portfolio NAME means: a portfolio's name, a level's label (区级重点) or key (district)."""
    wanted = name.strip()
    py = plan.current_plan_year(db)
    for pf in portfolios.list_for(db, py["id"]):
        if wanted in (pf["name"], pf["level"], portfolios.LEVELS[pf["level"]]) or \
                wanted.removesuffix("项目") == portfolios.LEVELS[pf["level"]]:
            return pf["level"]
    known = "、".join(portfolios.LEVELS[pf["level"]] for pf in portfolios.list_for(db, py["id"]))
    raise Refused(f"--portfolio：没有名为“{wanted[:40]}”的项目盘子（可选：{known}）")


def refusal(preview: xlsx_import.ImportPreview, *, portfolio_given: bool) -> str | None:
    """Why this preview must not be applied, as one line; None when it may."""
    rows = preview.rows
    if not preview.refusals and rows and all(r.status == "skipped" and r.reason == "无法确定截至日期" for r in rows):
        return "无法确定截至日期：标题和表头中都没有（如“截至7月31日”“1-7月”），请用 --as-of 指定"
    try:
        xlsx_import.refuse_if_not_ready(preview)
    except xlsx_import.ImportRefused as exc:
        return str(exc)
    unknown = preview.level_unknown_rows
    if unknown and not portfolio_given:
        where = "、".join(f"第 {r.row} 行" for r in unknown[:5]) + ("等" if len(unknown) > 5 else "")
        return (f"未导入：{len(unknown)} 个新项目无法确定放入哪个项目盘子（{where}），"
                "请用 --portfolio 区级重点 或 --portfolio 市级重大 指定")
    if rows and not preview.written_rows and preview.skipped_rows:
        return f"未导入：{len(preview.skipped_rows)} 行全部跳过，没有可导入的行（{import_text.skip_reasons(preview)}）"
    return None


def run_fill_form(db, args: argparse.Namespace) -> int:
    """A returned 填报表: filed as a submission of its unit for its period (figures wait for the review)."""
    from db import cycle

    form = cycle.read_form(db, args.file, as_of=args.as_of)
    p = form.period
    blank = f"（{form.skipped} 个项目未填写）" if form.skipped else ""
    print(f"填报表：{form.unit}，{p.year}年{p.month}月，填写 {len(form.rows)} 个项目{blank}")
    for w in form.warnings:
        print(f"  提醒：{w}")
    if args.dry_run:
        print("（--dry-run：没有写入数据库）")
        return 0
    sub, replaced = cycle.submit(db, form)
    again = f"，替换了待审核的报送 #{'、#'.join(map(str, replaced))}" if replaced else ""
    if sub.status == cycle.PASSED:
        print(f"已收到报送 #{sub.id}{again}；审核级数为 0，数据已入库")
    else:
        print(f"已收到报送 #{sub.id}{again}，{sub.status}；审核通过后数据才入库（policytrack review list）")
    return 0


def run(args: argparse.Namespace) -> int:
    from db import cycle

    db = open_for_cli(args.db, write_wait=None if args.dry_run else writer_wait(args))
    try:
        if cycle.is_fill_form(args.file):
            return run_fill_form(db, args)
        preview = xlsx_import.read(db, args.file, as_of=args.as_of)
        if args.portfolio:
            xlsx_import.choose_level(db, preview, _portfolio_level(db, args.portfolio))
        preview.accept_reason = args.accept_warnings.strip()
        print("\n".join(import_text.xlsx_report(preview, verbose=args.dry_run)))
        why = refusal(preview, portfolio_given=bool(args.portfolio))
        if args.dry_run:
            print("（--dry-run：没有写入数据库）")
        if why:
            raise Refused(why)
        if args.dry_run:
            return 0
        result = xlsx_import.apply(db, preview)
    finally:
        db.close()
    skipped = preview.skipped_rows
    tail = f"；跳过 {len(skipped)} 行（{import_text.skip_reasons(preview)}）" if skipped else ""
    if result.nothing_new:
        print("没有新的数据，未记录任何内容" + tail)
    else:
        print(f"已导入：新建项目 {result.projects_created} 个，记录更新 {result.updates_recorded} 条，"
              f"调整年度计划 {result.targets_revised} 个，修改项目信息 {result.fields_changed} 项，"
              f"本月进展 {result.notes_recorded} 条"
              f"（导入批次 #{result.batch_id}，{result.rows_written} 行）{tail}")
    return 0
