"""`policytrack summary`: the standing as of a date, as text or JSON."""
from __future__ import annotations

import argparse
import json

from db import reporting, summary
from desktop import formatting as fmt
from desktop.cli import add_db_argument, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summary", help="打印截至某日的完成情况（--json 供脚本使用）")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认：最近一个整月报送的报告期）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db)
    try:
        data = summary.standing(db, args.as_of)
        status = reporting.status(db, data["as_of"], data["plan_year"])
        data["reporting"] = status.to_json()
    finally:
        db.close()
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else render_text(data, status))
    return 0


def _standing(item: dict, figure_date: str | None, rate_text: str) -> str:
    """The rate, gap and status of one figure, said at its own date when it is older than the 报告期."""
    if item["current"]:
        return f"{rate_text}{fmt.gap_sentence(item['gap_points']) if item['gap_points'] is not None else ''}" \
               f"［{fmt.status_label(item['status'])}］"
    if figure_date is None:
        return f"［{fmt.UNREPORTED}］此前无报送"
    return f"［{fmt.UNREPORTED}］{fmt.as_of_note(figure_date)}{rate_text.rstrip('，')}；" \
           f"{fmt.last_standing(figure_date, item['gap_points'], item['status'])}"


def render_text(data: dict, status: reporting.Status | None = None) -> str:
    lines = [f"{data['district']} {data['plan_year']}年 政策跟踪 —— 截至{fmt.date_cn(data['as_of'])}"
             f"（时序进度 {fmt.percent(data['time_progress'])}）", "", "【重点项目】"]
    for p in data["portfolios"]:
        declared = p["projects"] if p["projects"] is not None else fmt.DASH
        total = f"，总投资 {fmt.yi(p['total_investment_yi'])} 亿元" if "total_investment_yi" in p else ""
        period = fmt.month_range_cn(p["completed_as_of"]) if p["current"] else ""
        done = "" if p["completed_as_of"] is None else (
            f"{period}完成 {fmt.yi(p['completed_yi'])} 亿元，"
            f"完成率 {fmt.percent(p['completion_rate'])}，")
        lines.append(
            f"  {p['name']}：{declared} 个{total}，年度计划 {fmt.yi(p['annual_plan_yi'])} 亿元，"
            f"{_standing(p, p['completed_as_of'], done)}；"
            f"已录入 {p['itemised_projects']}/{declared} 个项目")
    lines += ["", "【指标】"]
    for i in data["indicators"]:
        target = "" if i["target"] is None else (
            f"，目标 {fmt.plain(i['target'])}{i['unit']}{fmt.derived_mark(i.get('target_derived', False))}")
        if i["actual"] is None:
            lines.append(f"  {i['campaign']}｜{i['name']}：{fmt.DASH}{target}［{fmt.UNREPORTED}］")
            continue
        stale = "" if i["current"] else f"［{fmt.UNREPORTED}］{fmt.as_of_note(i['as_of'])}"
        rate = ""
        if i["completion_rate"] is not None:
            judged = fmt.status_label(i["status"]) if i["current"] else f"{fmt.month_cn(i['as_of'])}：" \
                f"{fmt.status_label(i['status'])}"
            rate = f"，完成 {fmt.percent(i['completion_rate'])}［{judged}］"
        lines.append(f"  {i['campaign']}｜{i['name']}：{stale}{fmt.plain(i['actual'])}{i['unit']}{target}{rate}")
    lines += ["", "【产业集群】"]
    for c in data["clusters"]:
        parts = []
        if c["tier_scale_yi"] is not None:
            parts.append(f"{fmt.scale_level(c['tier_scale_yi'], c['scale_label'])}")
        if c.get("annual_output_target_yi") is not None:
            parts.append(f"年度产值目标 {fmt.yi(c['annual_output_target_yi'])} 亿元")
        if c["output_yi"] is not None:
            stale = "" if c["current"] else f"［{fmt.UNREPORTED}］"
            parts.append(f"{stale}{fmt.month_range_cn(c['output_as_of'])}产值 {fmt.yi(c['output_yi'])} 亿元")
            if c["completion_rate"] is not None:
                parts.append(f"完成 {fmt.percent(c['completion_rate'])}，"
                             + (f"{fmt.gap_sentence(c['gap_points'])}［{fmt.status_label(c['status'])}］"
                                if c["current"] else fmt.last_standing(c["output_as_of"], c["gap_points"],
                                                                        c["status"])))
        if c["growth"] is not None:
            parts.append(f"同比 {fmt.percent(c['growth'])}")
        if parts:
            lines.append("  " + " / ".join(c["path"][1:]) + "：" + "，".join(parts))
    if status is not None:
        lines += ["", "【报送情况】"] + render_reporting(status, indent="  ")
    return "\n".join(lines)


def render_reporting(status: reporting.Status, indent: str = "") -> list[str]:
    """报送情况 in lines: the 报告期, its deadline and days overdue, then each unit with what it has not sent."""
    p = status.period
    head = (f"{indent}报告期 {p.year}年{p.month}月，报送截止 {fmt.date_cn(status.deadline)}；"
            f"已报送 {status.reported_count}/{status.project_count} 个项目")
    if status.days_overdue:
        head += f"，已逾期 {status.days_overdue} 天"
    lines = [head]
    if status.portfolios_unreported:
        lines.append(f"{indent}未报送合计数：{'、'.join(status.portfolios_unreported)}")
    for u in status.units:
        state = {"all": "已全部报送", "part": "部分报送", "none": "未报送"}[u.state]
        line = f"{indent}{u.unit}：{state}（{u.reported}/{u.projects}）"
        if u.missing:
            line += "；未报送：" + "、".join(u.missing)
        lines.append(line)
    return lines
