"""The `policytrack` command: the GUI by default, and sub-commands for scripts and office IT.

Refusals (bad arguments, a database we will not open, invalid input) print one line to stderr and exit 2.
"""
from __future__ import annotations

import argparse
import errno
import importlib
import sqlite3
import sys
import time
from pathlib import Path
from typing import Callable, NoReturn, Sequence

from db.errors import printable
from db import Database, DatabaseLocked, PolicyTrackError, backups, open_database, outputs, save_failure
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


WRITER_WAIT_SECONDS = 5.0


def add_wait_argument(p: argparse.ArgumentParser) -> None:
    """--wait for a command that writes: how long to wait for the writer's lock held by another PolicyTrack."""
    p.add_argument("--wait", metavar="SECONDS", type=float, default=WRITER_WAIT_SECONDS,
                   help=f"数据库正被其他 PolicyTrack 写入时最多等待的秒数（默认 {WRITER_WAIT_SECONDS:g}）")


def writer_wait(args: argparse.Namespace) -> float:
    wait = getattr(args, "wait", WRITER_WAIT_SECONDS)
    if not wait >= 0 or wait > 24 * 3600:  # also refuses nan
        raise Refused(f"参数错误：--wait 应为 0 到 86400 之间的秒数（输入：{wait}）")
    return wait


def _open_as_writer(db_path: Path, wait: float) -> Database:
    """Open holding the same writer's lock as the GUI (db.lock); wait up to ``wait`` seconds for its holder."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return open_database(db_path, lock=True)
        except DatabaseLocked as exc:
            if time.monotonic() >= deadline:
                raise Refused(f"{exc.holder.describe()}；等待 {wait:g} 秒后仍未释放，没有写入任何内容。"
                              "请等对方关闭后再试，或加 --wait 秒数 等待更久") from None
            time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))


def open_for_cli(path: str | None, *, write_wait: float | None = None) -> Database:
    """Open the chosen database; a newly created one gets the built-in dataset. Takes the daily backup.

    ``write_wait``: the command writes, so it takes the writer's lock (waiting that many seconds for another
    holder, then refusing with the holder's name, PC and time).
    """
    db_path = chosen_db_path(path)
    if path is None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(db_path) if write_wait is None else _open_as_writer(db_path, write_wait)
    if db.identity_notice:
        print(f"policytrack: 提示：{db.identity_notice}", file=sys.stderr)
    if db.created:
        from db import seed
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


def add_output_arguments(p: argparse.ArgumentParser) -> None:
    """--force for an output command: replace an existing file of the output's own kind (never anything else)."""
    p.add_argument("--force", action="store_true",
                   help="输出文件已存在且是同类文件时替换它（数据库和其他文件始终不会被覆盖）")


def checked_output(out: str, kind: "outputs.OutputKind", args: argparse.Namespace) -> Path:
    """The output path, after db.outputs' guard (refused: OutputRefused, exit 2, nothing written)."""
    return outputs.check_output(out, kind, force=getattr(args, "force", False),
                                open_db=chosen_db_path(getattr(args, "db", None)))


def add_db_argument(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    # Sub-commands suppress their default so `policytrack --db X summary` keeps X.
    p.add_argument("--db", metavar="PATH", default=None if top else argparse.SUPPRESS,
                   help="数据库文件（默认：$POLICYTRACK_DB 或用户数据文件夹中的 policytrack.db）")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; given the arguments, only the sub-command they name is registered (the GUI, started
    with no sub-command, imports none of the command modules). ``--help`` or an unknown word registers all, so
    the help and the error list every command."""
    from desktop import argparse_zh
    from desktop.commands import MODULES

    argparse_zh.install()   # usage, section titles and errors in Chinese
    parser = _Parser(prog="policytrack", description=f"{APP_NAME_CN} PolicyTrack {__version__}")
    parser.add_argument("--version", action="version", version=f"PolicyTrack {__version__}",
                        help="显示版本号并退出")
    add_db_argument(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    for name in MODULES if argv is None else _modules_for(argv, MODULES):
        importlib.import_module(f"desktop.commands.{name}").register(sub)
    return parser


def _modules_for(argv: Sequence[str], modules: Sequence[str]) -> list[str]:
    """The command modules ``argv`` needs: none for the GUI, the one it names, or all (help, unknown words)."""
    args = list(argv)
    i = 0
    while i < len(args):
        word = args[i]
        if word in ("-h", "--help"):
            return list(modules)
        if word == "--db":
            i += 2
            continue
        if word.startswith("--db="):
            i += 1
            continue
        if word.startswith("-"):
            return list(modules)    # an option the top level may not know: let argparse say so in full
        name = word.replace("-", "_")
        return [name] if "_" not in word and name in modules else list(modules)
    return []


MAX_MESSAGE = 600  # characters of one refusal line


def refusal_line(message: object) -> str:
    """One printable line: control characters escaped (names from files may carry ANSI escapes), length capped."""
    text = printable(str(message))
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在", errno.EISDIR: "这是一个文件夹", errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EACCES: "没有访问权限", errno.EPERM: "没有访问权限", errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘或文件夹是只读的", errno.ENAMETOOLONG: "文件名太长", errno.ELOOP: "链接循环（符号链接指向自身）",
    errno.EFBIG: "文件超过了允许的大小（可能是磁盘已满或配额用尽）", errno.EDQUOT: "磁盘配额已用尽",
    errno.EIO: "磁盘读写出错", errno.ENXIO: "设备不存在", errno.ETXTBSY: "文件正被使用",
}


def os_error_line(exc: OSError) -> str:
    """An OSError as one Chinese line naming the file and the problem."""
    reason = _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
    where = exc.filename if exc.filename is not None else ""
    return f"{where}：{reason}，没有做任何修改" if where else f"{reason}，没有做任何修改"


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command. Whatever happens, the outcome is an exit status and at most one line on stderr: never a
    traceback (unexpected errors are logged to the log file)."""
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
        if func is None:
            return gui(args.db)
        return func(args)
    except (Refused, PolicyTrackError) as exc:
        message = str(exc)
    except KeyboardInterrupt:
        message = "已中断，没有做任何修改"
    except BrokenPipeError:
        raise  # `policytrack summary | head`: main() treats it as success
    except OSError as exc:
        message = os_error_line(exc)
    except sqlite3.Error as exc:
        failure = save_failure(exc)
        message = str(failure) if failure is not None else f"数据库出错（{exc}），没有做任何修改"
    except MemoryError:
        message = "内存不足，没有做任何修改（文件可能过大）"
    except RecursionError:
        message = "输入嵌套过深，无法处理，没有做任何修改"
    except Exception as exc:  # a bug: one line for the user, the traceback in the log
        message = f"程序内部错误（{type(exc).__name__}），没有做任何修改；{_log_unexpected()}"
    print(f"policytrack: {refusal_line(message)}", file=sys.stderr)
    return EXIT_REFUSED


def _log_unexpected() -> str:
    try:
        from desktop.crash import log, setup_logging

        path = setup_logging()
        log.exception("unexpected error in a command")
        return f"详细信息已写入日志 {path}"
    except Exception:  # logging itself failed (read-only home, disk full)
        return "详细信息无法写入日志"


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
