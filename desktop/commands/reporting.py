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


def run(args: argparse.Namespace) -> int:
    out = checked_output(args.notice, outputs.PDF, args) if args.notice else None
    db = open_for_cli(args.db)
    try:
        status = reporting.status(db, args.as_of)
        py = plan.current_plan_year(db, status.period.year)
        organization = settings.get(db, "organization") or f"{py['district']}发展和改革委员会"
    finally:
        db.close()
    print(json.dumps(status.to_json(), ensure_ascii=False, indent=2) if args.json
          else "\n".join(render_reporting(status)))
    if out is not None:
        from desktop.report.briefing import ensure_qt
        from desktop.report.notice import build_notice

        ensure_qt()
        data = {"district": py["district"], "plan_year": py["year"], "as_of": status.period.isoformat(),
                "organization": organization, "reporting": status.details()}
        try:
            with outputs.atomic_output(out) as tmp:
                result = build_notice(data, tmp)
        except OSError as exc:
            raise Refused(f"无法写入 {out}：{exc.strerror or exc}") from exc
        if not args.json:
            print(f"已生成催报通知 {out}：共 {result['pages']} 页")
    return 0
