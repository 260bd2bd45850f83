"""The `policytrack` command: the GUI by default, and sub-commands for scripts and office IT.

Refusals (bad arguments, a database we will not open, invalid input) print one line to stderr and exit 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Callable, NoReturn, Sequence

from db import Database, PolicyTrackError, open_database, seed
from desktop import APP_NAME_CN, __version__
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
    if path is None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(db_path)
    if db.created:
        seed.load_builtin(db)
    return db


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
