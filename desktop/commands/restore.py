"""`policytrack restore BACKUP.db`: put a backup back; the current data is backed up first."""
from __future__ import annotations

import argparse
from pathlib import Path

from db import backups
from desktop.cli import add_db_argument, chosen_db_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="从备份文件恢复数据库（恢复前先备份当前数据；数据库正被使用时拒绝）")
    p.add_argument("backup", metavar="BACKUP.db", help="要恢复的备份文件")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    db_path = chosen_db_path(getattr(args, "db", None))
    result = backups.restore_file(db_path, Path(args.backup).expanduser())
    print(f"已从 {result.restored_from} 恢复到 {db_path}")
    if result.safety_backup is not None:
        print(f"恢复前的数据已备份到 {result.safety_backup}")
    if result.damaged_moved_to is not None:
        print(f"原数据库文件已损坏，已移到 {result.damaged_moved_to}（未删除）")
    return 0
