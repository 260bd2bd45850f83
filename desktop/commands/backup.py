"""`policytrack backup OUT.db`: a checked copy of the database made with SQLite's backup API."""
from __future__ import annotations

import argparse
from pathlib import Path

from db import backups
from db.backups import BackupRefused
from desktop import formatting as fmt
from desktop.cli import Refused, add_db_argument, open_existing


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="把数据库备份到一个文件（数据库打开时也可以安全备份）")
    p.add_argument("out", metavar="OUT.db", help="备份文件；已存在的 PolicyTrack 备份会被替换")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser()
    if out.is_dir():
        raise Refused(f"{out} 是一个文件夹，请给出备份文件名，例如 {out / 'policytrack-备份.db'}")
    if not out.parent.is_dir():
        raise Refused(f"文件夹不存在：{out.parent}")
    db = open_existing(getattr(args, "db", None))
    try:
        if out.exists():
            if out.resolve() == Path(db.path).resolve():
                raise Refused("备份文件不能是数据库本身")
            try:
                backups.verify(out)
            except BackupRefused:
                raise Refused(f"{out} 已存在且不是 PolicyTrack 备份，不会覆盖它") from None
        db.backup_to(out)
    finally:
        db.close()
    print(f"已备份到 {out}（{fmt.file_size(out.stat().st_size)}，完整性检查通过）")
    return 0
