"""One guard for every file a command writes (report PDF, 调度表 xlsx, exchange file, backup): an output must never
destroy data.

``check_output`` refuses, before anything is computed or written:
- a path that is a folder, a special file (pipe, device) or whose folder does not exist;
- a suffix that does not match the format;
- the open database itself (also through another name or a link), any PolicyTrack database (by content), and any
  existing file that is not of the output's own kind (by content, not by suffix);
- an existing file of the output's own kind unless ``force`` (then only that kind is replaced).
``atomic_output`` writes beside the target and renames over it, so a target is never left half-written.
"""
from __future__ import annotations

import contextlib
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from db.errors import PolicyTrackError

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class OutputKind:
    key: str
    label: str            # what the file is, in Chinese
    suffixes: tuple[str, ...]


PDF = OutputKind("pdf", "PDF 简报", (".pdf",))
XLSX = OutputKind("xlsx", "Excel 调度表", (".xlsx",))
DOCX = OutputKind("docx", "Word 简报", (".docx",))
EXCHANGE = OutputKind("exchange", "交换包", (".ptx",))
BACKUP = OutputKind("backup", "PolicyTrack 备份", (".db",))
IDENTITY = OutputKind("identity", "身份文件", (".ptid",))


class OutputRefused(PolicyTrackError):
    """An output path we will not write to; nothing was written."""

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"不能写入 {path}：{reason}")


def sniff_kind(path: Path) -> str:
    """What an existing file is, by content: 'policytrack-db', 'policytrack-backup', 'sqlite', 'pdf', 'xlsx', 'docx',
    'exchange', 'identity', 'empty' or 'other'."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if not head:
        return "empty"
    if head.startswith(SQLITE_MAGIC):
        if len(head) >= 100 and int.from_bytes(head[68:72], "big") == _application_id():
            # Bytes 18-19 are 2 in WAL mode (a live database); backups are written in rollback-journal mode (1).
            return "policytrack-db" if head[18] == 2 or head[19] == 2 or _has_companions(path) else \
                "policytrack-backup"
        return "sqlite"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "other"
        if "word/document.xml" in names:
            return "docx"
        return "xlsx" if "xl/workbook.xml" in names else "other"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{") and b'"policytrack-exchange"' in head:
        return "exchange"
    if text.startswith(b"{") and b'"policytrack-identity"' in head:
        return "identity"
    return "other"


def _application_id() -> int:
    from db.connection import APPLICATION_ID
    return APPLICATION_ID


def _has_companions(path: Path) -> bool:
    return any(Path(str(path) + s).exists() for s in ("-wal", "-shm", ".lock"))


_DESCRIBE = {"policytrack-db": "这是一个 PolicyTrack 数据库", "policytrack-backup": "这是一个 PolicyTrack 备份",
             "sqlite": "这是一个 SQLite 数据库文件", "pdf": "这是一个 PDF 文件", "xlsx": "这是一个 Excel 工作簿",
             "docx": "这是一个 Word 文档",
             "exchange": "这是一个交换包", "identity": "这是一个身份文件", "other": "这是一个其他内容的文件"}


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_output(path: str | os.PathLike, kind: OutputKind, *, force: bool = False,
                 open_db: str | os.PathLike | None = None) -> Path:
    """The output path to write, or OutputRefused saying why not (see the module docstring)."""
    p = Path(path).expanduser()
    if p.suffix.lower() not in kind.suffixes:
        raise OutputRefused(p, f"{kind.label}的文件名应以 {' 或 '.join(kind.suffixes)} 结尾")
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputRefused(p, f"无法访问（{exc.strerror or exc}）") from None
    if st is None:
        if p.is_symlink():
            raise OutputRefused(p, "这是一个指向不存在文件的链接")
        if not p.parent.is_dir():
            raise OutputRefused(p, f"文件夹不存在：{p.parent}")
        return p
    if stat.S_ISDIR(st.st_mode):
        raise OutputRefused(p, "这是一个文件夹，请给出文件名")
    if not stat.S_ISREG(st.st_mode):
        raise OutputRefused(p, "这不是普通文件（管道或设备）")
    if open_db is not None and str(open_db) != ":memory:" and _same_file(p, Path(open_db)):
        raise OutputRefused(p, "这是正在使用的数据库本身，不会覆盖")
    try:
        found = sniff_kind(p)
    except OSError as exc:
        raise OutputRefused(p, f"无法读取已有文件（{exc.strerror or exc}）") from None
    if found == "policytrack-db":
        raise OutputRefused(p, "这是一个 PolicyTrack 数据库，不会覆盖")
    own = "policytrack-backup" if kind is BACKUP else kind.key
    if found not in (own, "empty"):
        raise OutputRefused(p, f"文件已存在，{_DESCRIBE[found]}，不是{kind.label}，不会覆盖它")
    if found != "empty" and not force:
        raise OutputRefused(p, f"文件已存在（{kind.label}）；确认要替换请加 --force")
    return p


@contextlib.contextmanager
def atomic_output(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it is renamed over the target, else removed."""
    target = Path(target)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.part{target.suffix}")
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        if not tmp.exists():
            raise OSError(f"output not written: {tmp}")
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
