"""The `policytrack` command: the GUI by default, and sub-commands for scripts and office IT.

Refusals (bad arguments, a database we will not open, invalid input) print one line to stderr and exit 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable, NoReturn, Sequence

from db import Database, PolicyTrackError, open_database, seed, summary
from desktop import APP_NAME_CN, __version__, formatting as fmt
from desktop.paths import default_db_path

EXIT_REFUSED = 2


class Refused(Exception):
    """A refusal to report on one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line instead of usage + message
        raise Refused(f"参数错误：{message}（用 {self.prog} --help 查看用法）")


def open_for_cli(path: str | None) -> Database:
    """Open the chosen database; a newly created one gets the built-in dataset."""
    db_path = Path(path).expanduser() if path else default_db_path()
    if not db_path.exists() and path is None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(db_path)
    if db.created:
        seed.load_builtin(db)
    return db


def _add_db(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    # Sub-commands suppress their default so `policytrack --db X summary` keeps X.
    p.add_argument("--db", metavar="PATH", default=None if top else argparse.SUPPRESS,
                   help="数据库文件（默认：$POLICYTRACK_DB 或用户数据文件夹中的 policytrack.db）")


def cmd_summary(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db)
    try:
        data = summary.standing(db, args.as_of)
    finally:
        db.close()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(render_summary_text(data))
    return 0


def render_summary_text(data: dict) -> str:
    lines = [f"{data['district']} {data['plan_year']}年 政策跟踪 —— 截至{fmt.date_cn(data['as_of'])}"
             f"（时序进度 {fmt.percent(data['time_progress'])}）", "", "【重点项目】"]
    for p in data["portfolios"]:
        total = f"，总投资 {fmt.yi(p['total_investment_yi'])} 亿元" if "total_investment_yi" in p else ""
        lines.append(
            f"  {p['name']}：{p['projects'] if p['projects'] is not None else fmt.DASH} 个{total}，"
            f"年度计划 {fmt.yi(p['annual_plan_yi'])} 亿元，完成 {fmt.yi(p['completed_yi'])} 亿元，"
            f"完成率 {fmt.percent(p['completion_rate'])}，{fmt.gap_sentence(p['gap_points'])}"
            f"［{fmt.status_label(p['status'])}］；已录入 {p['itemised_projects']}/"
            f"{p['projects'] if p['projects'] is not None else fmt.DASH} 个项目")
    lines += ["", "【指标】"]
    for i in data["indicators"]:
        target = "" if i["target"] is None else f"，目标 {fmt.number(i['target'], 1).removesuffix('.0')}{i['unit']}"
        rate = "" if i["completion_rate"] is None else (
            f"，完成 {fmt.percent(i['completion_rate'])}［{fmt.status_label(i['status'])}］")
        actual = fmt.number(i["actual"], 1).removesuffix(".0") if i["actual"] is not None else fmt.DASH
        lines.append(f"  {i['campaign']}｜{i['name']}：{actual}{i['unit']}{target}{rate}")
    lines += ["", "【产业集群】"]
    for c in data["clusters"]:
        if c["output_yi"] is None and c["growth"] is None and c["tier_scale_yi"] is None:
            continue
        parts = []
        if c["tier_scale_yi"] is not None:
            parts.append(f"规模目标 {fmt.yi(c['tier_scale_yi'], 0)} 亿元")
        if c["output_yi"] is not None:
            parts.append(f"产值 {fmt.yi(c['output_yi'])} 亿元")
        if c["growth"] is not None:
            parts.append(f"同比 {fmt.percent(c['growth'])}")
        lines.append("  " + " / ".join(c["path"][1:]) + "：" + "，".join(parts))
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="policytrack", description=f"{APP_NAME_CN} PolicyTrack {__version__}")
    parser.add_argument("--version", action="version", version=f"PolicyTrack {__version__}")
    _add_db(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    p = sub.add_parser("summary", help="打印截至某日的完成情况（--json 供脚本使用）")
    _add_db(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认：数据库中最新的报告期）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_summary)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
        if func is None:
            return gui(args.db)
        return func(args)
    except (Refused, PolicyTrackError) as exc:
        print(f"policytrack: {exc}", file=sys.stderr)
        return EXIT_REFUSED


def gui(db_path: str | None) -> int:
    # Until the main window lands, the default action prints the standing.
    return cmd_summary(argparse.Namespace(db=db_path, as_of=None, json=False))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    try:
        code = run(argv)
        sys.stdout.flush()
    except BrokenPipeError:  # `policytrack summary | head` is not an error
        code = 0
        sys.stdout = None  # type: ignore[assignment]
    sys.exit(code)


def gui_main() -> NoReturn:
    sys.exit(run([]))
