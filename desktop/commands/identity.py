"""`policytrack identity show|export`: who this database signs as (db/identity.py); the 单位名册 is `units`."""
from __future__ import annotations

import argparse
import json

from db import identity, outputs
from desktop.cli import add_db_argument, add_output_arguments, checked_output, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("identity", help="本机身份：显示签名公钥的指纹，导出身份文件交区发改委登记（show / export）")
    verbs = p.add_subparsers(dest="verb", metavar="操作", parser_class=type(p))
    verbs.required = True
    s = verbs.add_parser("show", help="显示本单位名称和公钥指纹（电话核对用）")
    s.add_argument("--json", action="store_true", help="输出 JSON：{\"name\", \"fingerprint\", \"public_key\"}")
    add_db_argument(s)
    s.set_defaults(func=run_show)
    e = verbs.add_parser("export", help="导出身份文件（.ptid，只含单位名称和公钥，不含私钥）")
    e.add_argument("out", metavar="OUT.ptid", help="输出的身份文件")
    e.add_argument("--name", metavar="单位名称", help="登记用的单位名称（并记为本单位名称；默认：已设置的本单位名称）")
    add_db_argument(e)
    add_output_arguments(e)
    e.set_defaults(func=run_export)


def run_show(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db)
    try:
        ident = identity.ensure_key(db)
    finally:
        db.close()
    if args.json:
        print(json.dumps({"name": ident.name, "fingerprint": ident.fingerprint, "public_key": ident.public_key},
                         ensure_ascii=False))
    else:
        print(f"本单位：{ident.name}")
        print(f"公钥指纹：{ident.fingerprint}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    out = checked_output(args.out, outputs.IDENTITY, args)
    db = open_for_cli(args.db)
    try:
        if args.name:
            identity.set_name(db, args.name)
        ident = identity.write_identity(db, out)
    finally:
        db.close()
    print(f"已导出身份文件 {out}（{ident.name}，指纹 {ident.fingerprint}）：交区发改委登记，并电话报出指纹核对")
    return 0

