"""`policytrack backup OUT.db`: a checked copy of the database made with SQLite's backup API."""
from __future__ import annotations

import argparse

from db import outputs
from desktop import formatting as fmt
from desktop.cli import add_db_argument, add_output_arguments, checked_output, open_existing


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="把数据库备份到一个文件（数据库打开时也可以安全备份）")
    p.add_argument("out", metavar="OUT.db", help="备份文件（.db）；已存在的 PolicyTrack 备份只在加 --force 时替换")
    add_db_argument(p)
    add_output_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = checked_output(args.out, outputs.BACKUP, args)
    db = open_existing(getattr(args, "db", None))
    try:
        db.backup_to(out)
    finally:
        db.close()
    print(f"已备份到 {out}（{fmt.file_size(out.stat().st_size)}，完整性检查通过）")
    return 0
