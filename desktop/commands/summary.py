"""`policytrack summary`: the standing as of a date, as text or JSON."""
from __future__ import annotations

import argparse
import json

from db import summary
from desktop import formatting as fmt
from desktop.cli import add_db_argument, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summary", help="打印截至某日的完成情况（--json 供脚本使用）")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认：数据库中最新的报告期）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db)
    try:
        data = summary.standing(db, args.as_of)
    finally:
        db.close()
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else render_text(data))
    return 0


def render_text(data: dict) -> str:
    lines = [f"{data['district']} {data['plan_year']}年 政策跟踪 —— 截至{fmt.date_cn(data['as_of'])}"
             f"（时序进度 {fmt.percent(data['time_progress'])}）", "", "【重点项目】"]
    for p in data["portfolios"]:
        declared = p["projects"] if p["projects"] is not None else fmt.DASH
        total = f"，总投资 {fmt.yi(p['total_investment_yi'])} 亿元" if "total_investment_yi" in p else ""
        lines.append(
            f"  {p['name']}：{declared} 个{total}，年度计划 {fmt.yi(p['annual_plan_yi'])} 亿元，"
            f"完成 {fmt.yi(p['completed_yi'])} 亿元，完成率 {fmt.percent(p['completion_rate'])}，"
            f"{fmt.gap_sentence(p['gap_points'])}［{fmt.status_label(p['status'])}］；"
            f"已录入 {p['itemised_projects']}/{declared} 个项目")
    lines += ["", "【指标】"]
    for i in data["indicators"]:
        target = "" if i["target"] is None else f"，目标 {fmt.plain(i['target'])}{i['unit']}"
        rate = "" if i["completion_rate"] is None else (
            f"，完成 {fmt.percent(i['completion_rate'])}［{fmt.status_label(i['status'])}］")
        lines.append(f"  {i['campaign']}｜{i['name']}：{fmt.plain(i['actual'])}{i['unit']}{target}{rate}")
    lines += ["", "【产业集群】"]
    for c in data["clusters"]:
        parts = []
        if c["tier_scale_yi"] is not None:
            parts.append(f"规模目标 {fmt.yi(c['tier_scale_yi'], 0)} 亿元")
        if c["output_yi"] is not None:
            parts.append(f"产值 {fmt.yi(c['output_yi'])} 亿元")
        if c["growth"] is not None:
            parts.append(f"同比 {fmt.percent(c['growth'])}")
        if parts:
            lines.append("  " + " / ".join(c["path"][1:]) + "：" + "，".join(parts))
    return "\n".join(lines)
