"""The `policytrack` command: the GUI by default, and sub-commands for scripts and office IT.

Refusals (bad arguments, a database we will not open, invalid input) print one line to stderr and exit 2.
"""
from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys
from pathlib import Path
from typing import Callable, NoReturn, Sequence

from db import Database, PolicyTrackError, backups, open_database, seed
from desktop import APP_NAME_CN, __version__
from desktop.paths import default_db_path

EXIT_REFUSED = 2
EXIT_FINDINGS = 1  # `check` found problems


class Refused(Exception):
    """A refusal to report on one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line instead of usage + message
        raise Refused(f"参数错误：{message}（用 {self.prog} --help 查看用法）")


def chosen_db_path(path: str | None) -> Path:
    """--db PATH, else $POLICYTRACK_DB, else the per-user default."""
    return Path(path).expanduser() if path else default_db_path()


def open_for_cli(path: str | None) -> Database:
    """Open the chosen database; a newly created one gets the built-in dataset. Takes the daily backup."""
    db_path = chosen_db_path(path)
    if path is None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(db_path)
    if db.created:
        seed.load_builtin(db)
    else:
        try:
            backups.on_open(db)
        except (OSError, sqlite3.Error) as exc:  # a failed backup must not stop the command; say so
            print(f"policytrack: 警告：每日自动备份失败（{exc}）", file=sys.stderr)
    return db


def open_existing(path: str | None) -> Database:
    """Open a database that must already exist (commands that look at or copy one, never create it)."""
    db_path = chosen_db_path(path)
    if not db_path.exists():
        raise Refused(f"数据库文件不存在：{db_path}")
    return open_database(db_path)


def add_db_argument(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    # Sub-commands suppress their default so `policytrack --db X summary` keeps X.
    p.add_argument("--db", metavar="PATH", default=None if top else argparse.SUPPRESS,
                   help="数据库文件（默认：$POLICYTRACK_DB 或用户数据文件夹中的 policytrack.db）")


def build_parser() -> argparse.ArgumentParser:
    from desktop.commands import MODULES

    parser = _Parser(prog="policytrack", description=f"{APP_NAME_CN} PolicyTrack {__version__}")
    parser.add_argument("--version", action="version", version=f"PolicyTrack {__version__}")
    add_db_argument(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    for name in MODULES:
        importlib.import_module(f"desktop.commands.{name}").register(sub)
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
    from desktop.gui import run as run_gui
    return run_gui(db_path)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    try:
        code = run(argv)
        if sys.stdout is not None:  # None in the windowed Windows build started without a console
            sys.stdout.flush()
    except BrokenPipeError:  # `policytrack summary | head` is not an error
        code = 0
        sys.stdout = None  # type: ignore[assignment]
    sys.exit(code)


def gui_main() -> NoReturn:
    sys.exit(run([]))
