"""`policytrack units list|enrol|revoke`: the office's 单位名册, the units whose signed files it trusts
(db/identity.py)."""
from __future__ import annotations

import argparse
import json

from db import identity
from desktop.cli import Refused, add_db_argument, add_wait_argument, open_for_cli, writer_wait


def register(sub: argparse._SubParsersAction) -> None:
    u = sub.add_parser("units", help="单位名册：登记、列出、注销各单位的公钥（list / enrol / revoke）")
    verbs = u.add_subparsers(dest="verb", metavar="操作", parser_class=type(u))
    verbs.required = True
    ls = verbs.add_parser("list", help="列出单位名册")
    ls.add_argument("--json", action="store_true",
                    help="输出 JSON 列表：{\"unit\", \"fingerprint\", \"enrolled_by\", \"enrolled_at\", \"status\"}")
    add_db_argument(ls)
    ls.set_defaults(func=run_list)
    en = verbs.add_parser("enrol", help="登记一个单位的身份文件（须输入对方电话报出的指纹）")
    en.add_argument("file", metavar="FILE.ptid", help="单位导出的身份文件")
    en.add_argument("--fingerprint", metavar="指纹",
                    help="对方电话报出的指纹（30 位数字，空格可有可无）；不给则只显示文件中的指纹，不登记")
    en.add_argument("--rekey", action="store_true", help="该单位已登记过公钥时，注销旧公钥并登记新的")
    en.add_argument("--office", action="store_true",
                    help="登记为区发改委（它的文件可修改目标、新建项目，不限项目范围）；单位电脑登记区发改委时用")
    add_wait_argument(en)
    add_db_argument(en)
    en.set_defaults(func=run_enrol)
    rv = verbs.add_parser("revoke", help="注销一个单位的公钥（此后它签名的文件不再被接受）")
    rv.add_argument("unit", metavar="单位名称")
    rv.add_argument("--reason", required=True, metavar="原因", help="注销原因（记入变更记录）")
    add_wait_argument(rv)
    add_db_argument(rv)
    rv.set_defaults(func=run_revoke)


def _status(u: identity.EnrolledUnit) -> str:
    return "有效" if u.active else f"已注销（{u.revoked_at}，{u.revoke_reason}）"


def run_list(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db)
    try:
        roster = identity.units(db)
    finally:
        db.close()
    if args.json:
        print(json.dumps([{"unit": u.unit, "fingerprint": u.fingerprint, "enrolled_by": u.enrolled_by,
                           "enrolled_at": u.enrolled_at, "status": "active" if u.active else "revoked",
                           "role": u.role}
                          for u in roster], ensure_ascii=False))
        return 0
    if not roster:
        print("单位名册为空：用 policytrack units enrol FILE.ptid --fingerprint 指纹 登记")
    for u in roster:
        print(f"{u.unit}（{u.role_label}）：指纹 {u.fingerprint}，{u.enrolled_by} 于 {u.enrolled_at} 登记，{_status(u)}")
    return 0


def run_enrol(args: argparse.Namespace) -> int:
    ident = identity.read_identity(args.file)
    if args.fingerprint is None:
        raise Refused(f"未登记：请与「{ident.name}」电话核对指纹 {ident.fingerprint}，"
                      f"核对一致后加 --fingerprint \"{ident.fingerprint}\" 再登记")
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        got = identity.enrol(db, ident, confirmed_fingerprint=args.fingerprint, rekey=args.rekey,
                             role="office" if args.office else "unit")
    finally:
        db.close()
    print(f"已登记「{got.unit}」（{got.role_label}），指纹 {got.fingerprint}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    db = open_for_cli(args.db, write_wait=writer_wait(args))
    try:
        got = identity.revoke(db, args.unit, reason=args.reason)
    finally:
        db.close()
    print(f"已注销「{got.unit}」的公钥（指纹 {got.fingerprint}）：{got.revoke_reason}")
    return 0
