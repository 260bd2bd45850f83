"""`policytrack photo`: 现场照片 of a project (add one from a JPEG/PNG file, list them).

`photo add` decodes the file safely (broken, truncated, huge or mislabelled files refused with one line, exit 2,
nothing stored), downscales it to at most 1600 px on the long side and stores it as JPEG inside the database.
"""
from __future__ import annotations

import argparse
import json

from db import photos, projects
from desktop.cli import add_db_argument, add_wait_argument, open_for_cli, writer_wait


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("photo", help="现场照片：给项目添加照片、列出照片",
                       description="现场照片：存入数据库（长边缩到 1600 像素以内并重新压缩）。")
    actions = p.add_subparsers(dest="action", metavar="{add,list}", parser_class=type(p))
    actions.required = True
    a = actions.add_parser("add", help="添加一张照片", description="给项目添加一张现场照片（JPEG 或 PNG）。")
    add_db_argument(a)
    a.add_argument("--project", metavar="NAME_OR_ID", required=True, help="项目名称或编号")
    a.add_argument("--as-of", metavar="YYYY-MM-DD", required=True, help="照片对应的日期（报告期）")
    a.add_argument("--caption", metavar="T", default="", help="照片说明")
    a.add_argument("file", metavar="FILE", help="照片文件（JPEG 或 PNG）")
    add_wait_argument(a)
    a.set_defaults(func=run_add)
    ls = actions.add_parser("list", help="列出项目的照片", description="列出一个项目的现场照片。")
    add_db_argument(ls)
    ls.add_argument("--project", metavar="NAME_OR_ID", required=True, help="项目名称或编号")
    ls.add_argument("--json", action="store_true", help="输出 JSON")
    ls.set_defaults(func=run_list)


def run_add(args: argparse.Namespace) -> int:
    from desktop.photo_image import prepare
    from desktop.report.briefing import ensure_qt

    ensure_qt()
    data, width, height = prepare(args.file)  # refused before the database is opened for writing
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        project = projects.find_for_date(db, args.project, args.as_of)
        pid = photos.add(db, project_id=project["id"], as_of=args.as_of, image=data, width=width, height=height,
                         caption=args.caption, source_kind="cli")
    finally:
        db.close()
    print(f"已保存照片 #{pid}：{project['name']}（{args.as_of}）{width}×{height} 像素，{len(data) // 1024} KB")
    return 0


def run_list(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db)
    try:
        project = projects.find_for_date(db, args.project)
        rows = photos.list_for(db, project["id"])
    finally:
        db.close()
    if args.json:
        print(json.dumps([photos.to_json(r) for r in rows], ensure_ascii=False, indent=2))
    elif not rows:
        print(f"{project['name']}：没有照片")
    else:
        for r in rows:
            print(f"#{r['id']} {r['as_of']} {r['caption'] or '（无说明）'}：{r['width']}×{r['height']} 像素，"
                  f"{r['bytes'] // 1024} KB")
    return 0
