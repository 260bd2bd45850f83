"""`policytrack reporting`: 报送情况 for a 报告期 (who has reported, who has not), as text, JSON or a 催报通知 PDF."""
from __future__ import annotations

import argparse
import json

from db import outputs, plan, reporting, settings
from desktop.cli import Refused, add_db_argument, add_output_arguments, checked_output, open_for_cli
from desktop.commands.summary import render_reporting


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reporting", help="报送情况：哪些责任单位、项目尚未报送本报告期数据（可生成催报通知 PDF）")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="报告期内任一日期（默认：最近一个整月报送的报告期）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--notice", metavar="OUT.pdf", help="生成催报通知 PDF")
    add_output_arguments(p)
    p.set_defaults(func=run)


def render_cycle(db, status: reporting.Status) -> list[str]:
    """Once 填报表 have been dispatched for the 报告期: each unit's place in the cycle (未下发 … 已通过)."""
    from db import cycle

    if not cycle.any_dispatched(db, status.period):
        return []
    lines = ["填报表："]
    for c in cycle.cycle_status(db, status.period).values():
        text = f"  {c.unit}：{c.state}"
        if c.dispatched_at:
            text += f"（{c.dispatched_at[:10]} 下发 {c.file_name}）"
        if c.submission_id is not None:
            text += f"，报送 #{c.submission_id} {c.submission_status}"
        lines.append(text)
    return lines


def run(args: argparse.Namespace) -> int:
    out = checked_output(args.notice, outputs.PDF, args) if args.notice else None
    db = open_for_cli(args.db)
    try:
        status = reporting.status(db, args.as_of)
        py = plan.current_plan_year(db, status.period.year)
        cycle_lines = render_cycle(db, status) if not args.json else []
        from db import cycle
        details = cycle.annotate(db, status.details(), status.period)
        organization = settings.get(db, "organization") or f"{py['district']}发展和改革委员会"
    finally:
        db.close()
    print(json.dumps(status.to_json(), ensure_ascii=False, indent=2) if args.json
          else "\n".join(render_reporting(status) + cycle_lines))
    if out is not None:
        from desktop.report.briefing import ensure_qt
        from desktop.report.notice import build_notice

        ensure_qt()
        data = {"district": py["district"], "plan_year": py["year"], "as_of": status.period.isoformat(),
                "organization": organization, "reporting": details}
        try:
            with outputs.atomic_output(out) as tmp:
                result = build_notice(data, tmp)
        except OSError as exc:
            raise Refused(f"无法写入 {out}：{exc.strerror or exc}") from exc
        if not args.json:
            print(f"已生成催报通知 {out}：共 {result['pages']} 页")
    return 0
