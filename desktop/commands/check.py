"""`policytrack check`: integrity, foreign keys and the domain's invariants; exit 1 when anything is found."""
from __future__ import annotations

import argparse

from db import check
from desktop.cli import EXIT_FINDINGS, add_db_argument, open_existing

SEVERITY = {check.ERROR: "错误", check.WARNING: "提醒"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="检查数据库：文件完整性、引用关系和业务规则（发现问题时退出码为 1）")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    db = open_existing(getattr(args, "db", None))
    try:
        findings = check.run(db)
    finally:
        db.close()
    for f in findings:
        print(f"[{SEVERITY.get(f.severity, f.severity)}] {check.CHECK_LABELS.get(f.code, f.code)}：{f.message}")
    print(check.summary_text(findings))
    return EXIT_FINDINGS if findings else 0
