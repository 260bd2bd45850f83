"""`policytrack init --district NAME --year YYYY --db PATH`: a new, empty database for another district (no 渝北
data): the district, the plan year and its two portfolios, to be filled in the app or by a 调度表 import."""
from __future__ import annotations

import argparse
from pathlib import Path

from db import open_database, years
from desktop.cli import Refused


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="新建一个空数据库（其他区县或园区用；不含渝北示例数据）")
    p.add_argument("--district", required=True, metavar="名称", help="区县或园区名称，如 江北区")
    p.add_argument("--year", required=True, type=int, metavar="YYYY", help="计划年度，如 2024")
    p.add_argument("--db", required=True, metavar="PATH", help="新数据库文件（不能已存在）")
    p.set_defaults(func=run)


def create(where: object, *, district: object, year: object) -> Path:
    """The new, empty database at ``path`` (never over an existing file); Refused naming what is wrong."""
    path = Path(str(where)).expanduser()
    if path.exists() or path.is_symlink():
        raise Refused(f"{path} 已存在：init 只新建数据库，不会覆盖已有文件")
    if not path.parent.is_dir():
        raise Refused(f"文件夹不存在：{path.parent}")
    db = open_database(path)
    try:
        years.create_empty(db, district=district, year=year)
    except Exception:
        db.close()
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(str(path) + suffix).unlink(missing_ok=True)   # nothing half-made is left behind
        raise
    db.close()
    return path


def run(args: argparse.Namespace) -> int:
    path = create(args.db, district=args.district, year=args.year)
    print(f"已新建空数据库 {path}：{args.district.strip()} {args.year} 年度（区级重点项目、市级重大项目两个项目盘子，"
          f"待填写）")
    return 0
