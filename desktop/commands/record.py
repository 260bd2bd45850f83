"""`policytrack record`: record one project's or one indicator's figures for a month, for scripted entry.

Plausibility warnings refuse the command (exit 2, naming the warning) unless ``--accept-warning REASON`` is
given; the reason is kept beside the figure and in the audit log.
"""
from __future__ import annotations

import argparse

from db import NotFoundError, indicators, projects, recording
from db.recording import IndicatorEntry, MonthRefused, ProjectEntry
from desktop import formatting as fmt
from desktop.cli import add_wait_argument, writer_wait, Refused, add_db_argument, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("record", help="记录一个项目或一个指标截至某日的数据",
                       description="记录一个重点项目（--project）或一个指标（--indicator）截至某日的数据。")
    add_db_argument(p)
    p.add_argument("--project", metavar="NAME_OR_ID", help="项目名称或编号")
    p.add_argument("--indicator", metavar="NAME_OR_ID", help="指标名称或编号")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", required=True, help="截至日期（报告期）")
    p.add_argument("--completed-yi", metavar="X", help="年度累计完成投资（亿元）")
    p.add_argument("--month-yi", metavar="X", help="本月完成投资（亿元）；年度累计由上月累计数推算")
    p.add_argument("--stage", metavar="S", help="形象进度")
    p.add_argument("--actual", metavar="X", help="指标截至该日的实际值（按指标的单位）")
    p.add_argument("--note", metavar="T", default="", help="备注")
    add_wait_argument(p)
    p.add_argument("--accept-warning", metavar="REASON",
                   help="确认合理性提示（如“与上月相同”）并说明理由；不加此项时有提示即拒绝记录")
    p.set_defaults(func=run)


def _refuse_mixed(args: argparse.Namespace) -> None:
    if bool(args.project) == bool(args.indicator):
        raise Refused("请指定 --project 或 --indicator 之一")
    if args.project:
        if args.actual is not None:
            raise Refused("--actual 只用于指标（--indicator）；项目请用 --completed-yi 或 --month-yi")
        if args.completed_yi is not None and args.month_yi is not None:
            raise Refused("--completed-yi 与 --month-yi 只能给一个：年度累计或本月完成，另一个由上月累计数推算")
        if args.completed_yi is None and args.month_yi is None and args.stage is None:
            raise Refused("没有要记录的数据：请给出 --completed-yi、--month-yi 或 --stage")
    else:
        extra = [o for o, v in (("--completed-yi", args.completed_yi), ("--month-yi", args.month_yi),
                                ("--stage", args.stage)) if v is not None]
        if extra:
            raise Refused(f"{'、'.join(extra)} 只用于项目（--project）；指标请用 --actual")
        if args.actual is None:
            raise Refused("没有要记录的数据：请给出 --actual")


def _find_indicator(db, name_or_id: str) -> dict:
    if name_or_id.strip().isdigit():
        return indicators.get(db, int(name_or_id))
    rows = indicators.active_named(db, name_or_id)
    if len(rows) > 1:
        raise NotFoundError(f"有 {len(rows)} 个指标叫“{name_or_id}”，请用编号")
    return indicators.find(db, name_or_id)


def run(args: argparse.Namespace) -> int:
    _refuse_mixed(args)
    if args.accept_warning is not None and not args.accept_warning.strip():
        raise Refused("--accept-warning 需要写明理由")
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        as_of = recording.parse_as_of(args.as_of)
        if args.project:
            row = projects.find(db, args.project)
            entry = ProjectEntry(row["id"], completed=args.completed_yi, month=args.month_yi, stage=args.stage,
                                 note=args.note)
        else:
            row = _find_indicator(db, args.indicator)
            entry = IndicatorEntry(row["id"], actual=args.actual, note=args.note)
        [report] = recording.check_month(db, as_of, [entry])
        if report.errors:
            raise Refused(f"{report.label}：{report.message()}")
        if report.warnings:
            if args.accept_warning is None:
                raise Refused(f"{report.label}：{report.message()}（核实无误请加 --accept-warning 理由）")
            entry.accepted = {w.code: args.accept_warning for w in report.warnings}
        try:
            result = recording.save_month(db, as_of, [entry], source_kind="cli")
        except MonthRefused as exc:  # something changed between the check and the write
            raise Refused(str(exc)) from None
        print(_done_line(result, row))
    finally:
        db.close()
    return 0


def _done_line(result: recording.SaveResult, row: dict) -> str:
    [r] = result.rows
    parts = []
    if r.kind == "project":
        if r.completed_wan is not None:
            month = "" if r.month_wan is None else f"（本月 {fmt.yi_from_wan(r.month_wan)} 亿元）"
            parts.append(f"累计完成投资 {fmt.yi_from_wan(r.completed_wan)} 亿元{month}")
        stage = next((op.text_value for op in r.ops if isinstance(op, recording.UpdateOp) and op.metric == "stage"),
                     None)
        if stage:
            parts.append(f"形象进度 {stage}")
    else:
        parts.append(f"实际值 {fmt.plain(float(indicators.to_number(row, r.value)), 4)}{row['unit']}")
    accepted = [w for w in r.warnings if w.accepted]
    if accepted:
        parts.append("已确认提示：" + "、".join(w.label for w in accepted))
    return f"已记录：{r.label}（截至 {result.as_of.isoformat()}）" + "；".join(parts)
