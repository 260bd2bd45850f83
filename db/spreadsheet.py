"""Reading spreadsheet files safely into plain grids: refuse what is not a workbook before any parser sees it.

A grid is a sheet's cell values in absolute positions plus its merged ranges; nothing here knows what a 调度表 is.
Formulas are never evaluated: a formula cell reads as the value the spreadsheet program last saved, or as empty.
"""
from __future__ import annotations

import codecs
import csv
import errno
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from db.errors import PolicyTrackError, quote

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: .xls, .et, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
MAX_ZIP_MEMBERS = 20_000
MAX_PROLOG_BYTES = 64 * 1024
# The used range a sheet may have (docs/data-safety.md): a 调度表 has a few hundred rows and a few dozen columns.
# Checked in the file before any reader builds a grid: a 5 KB sheet with one stray cell at XFD1048576 would
# otherwise make the reader allocate a grid of 17 billion cells.
MAX_ROWS = 100_000
MAX_COLUMNS = 200
SPREADSHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
ProgressFn = Callable[[int, int, str], None]


class SpreadsheetRefused(PolicyTrackError):
    """A file we will not read, with the reason in plain Chinese; nothing was changed."""

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"无法导入 {Path(path).name}：{reason}")


@dataclass
class Grid:
    """One sheet: values by absolute (row, column), 0-based; merged ranges as (r0, c0, r1, c1) inclusive."""
    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    number_formats: dict[tuple[int, int], str] = field(default_factory=dict)
    formats_complete: bool = False  # True when number_formats covers every numeric cell (openpyxl reader)

    def value(self, r: int, c: int) -> Any:
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Workbook:
    path: str
    kind: str  # 'xlsx' or 'csv'
    reader: str  # which library read the cells
    sheets: list[Grid]
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)  # (name, why)


# -- what kind of file is it ---------------------------------------------------------------------------

def input_problem(path: str | os.PathLike) -> str | None:
    """Why a file given to an import cannot be read, in Chinese, or None. Looks only at the directory entry and
    the permission: a pipe or a device is refused before anything opens it (opening a pipe would wait forever)."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        return "这是一个指向不存在文件的链接" if p.is_symlink() else "文件不存在"
    except NotADirectoryError:
        return "文件不存在（路径中有一段不是文件夹）"
    except PermissionError:
        return "没有权限读取这个文件所在的文件夹"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "链接循环（符号链接指向自身）"
        if exc.errno == errno.ENAMETOOLONG:
            return "文件名太长"
        return f"无法访问（{exc.strerror or exc}）"
    if stat.S_ISDIR(st.st_mode):
        return "这是一个文件夹，不是文件"
    if not stat.S_ISREG(st.st_mode):
        return "这不是普通文件（管道、设备或套接字），不会读取"
    if not os.access(p, os.R_OK):
        return "没有读取这个文件的权限"
    if st.st_size == 0:
        return "文件为空（0 字节）"
    return None


def check_input(path: str | os.PathLike) -> None:
    """SpreadsheetRefused when ``input_problem`` finds one (used before a file is hashed or read)."""
    problem = input_problem(path)
    if problem is not None:
        raise SpreadsheetRefused(path, problem)


def sniff(path: str | os.PathLike) -> str:
    """'xlsx' or 'csv', or SpreadsheetRefused saying what the file really is."""
    p = Path(path)
    check_input(p)
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise SpreadsheetRefused(p, f"文件过大（{size // (1024 * 1024)} MB），调度表不应超过 200 MB")
    with open(p, "rb") as f:
        head = f.read(8192)
    if head.startswith(CFB_MAGIC):
        data = p.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise SpreadsheetRefused(p, "文件已加密（设置了打开密码）。"
                                        "请在 Excel 或 WPS 中取消密码并另存为 .xlsx 后再导入")
        raise SpreadsheetRefused(p, "这是旧版 Excel 97-2003（.xls）或 WPS（.et）文件。"
                                    "请在 Excel 或 WPS 中另存为 .xlsx 后再导入")
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(b"%PDF"):
        raise SpreadsheetRefused(p, "这是 PDF 文件，不是表格")
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml", b"<meta")):
        raise SpreadsheetRefused(p, "这是网页（HTML/XML）文件，只是扩展名像表格。请用 Excel 或 WPS 打开后另存为 .xlsx")
    if p.suffix.lower() in (".csv", ".txt") and b"\x00" not in head:
        return "csv"
    raise SpreadsheetRefused(p, "不是 Excel 工作簿（.xlsx），也不是 CSV 文本")


def check_xlsx(path: str | os.PathLike) -> list[str]:
    """Refuse damaged zips, zip bombs and XML with a DTD (XML bombs, external entities); returns member names.

    Every member is decompressed once, counting real bytes (a zip can lie about sizes), and every XML prolog is
    searched for <!DOCTYPE / <!ENTITY. The package's content types are parsed with defusedxml, which refuses
    entities outright.
    """
    from defusedxml import ElementTree as SafeET
    from defusedxml.common import DefusedXmlException

    p = Path(path)
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetRefused(p, "文件已损坏（不是完整的 .xlsx 压缩包）") from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise SpreadsheetRefused(p, "压缩包内文件过多，疑似恶意文件")
        if "mimetype" in names:
            mime = zf.read("mimetype")[:100]
            if b"opendocument.spreadsheet" in mime:
                raise SpreadsheetRefused(p, "这是 OpenDocument 表格（.ods）。请另存为 .xlsx 后再导入")
        if "word/document.xml" in names:
            raise SpreadsheetRefused(p, "这是 Word 文档，不是表格")
        if "ppt/presentation.xml" in names:
            raise SpreadsheetRefused(p, "这是 PowerPoint 演示文稿，不是表格")
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise SpreadsheetRefused(p, "这是 ZIP 压缩包，但不是 Excel 工作簿")
        if "EncryptedPackage" in names:
            raise SpreadsheetRefused(p, "文件已加密。请取消密码并另存为 .xlsx 后再导入")
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
            prolog = bytearray()
            try:
                with zf.open(info) as member:
                    while True:
                        chunk = member.read(1 << 20)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > MAX_UNZIPPED_BYTES:
                            raise SpreadsheetRefused(p, "文件解压后超过 1 GB，疑似压缩炸弹，已拒绝")
                        if is_xml and prolog is not None:
                            prolog += chunk[:MAX_PROLOG_BYTES]
                            verdict = _prolog_verdict(bytes(prolog))
                            if verdict == "dtd":
                                raise SpreadsheetRefused(
                                    p, f"文件中的 {info.filename} 含有 XML 实体定义（DTD），疑似 XML 炸弹，已拒绝")
                            if verdict == "ok" or len(prolog) >= MAX_PROLOG_BYTES:
                                prolog = None  # the root element started: no DTD can follow
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError):
                raise SpreadsheetRefused(p, f"文件已损坏（{info.filename} 无法解压）") from None
        try:
            types = SafeET.fromstring(zf.read("[Content_Types].xml"), forbid_dtd=True)
        except DefusedXmlException:
            raise SpreadsheetRefused(p, "文件含有 XML 实体定义，疑似 XML 炸弹，已拒绝") from None
        except Exception:
            raise SpreadsheetRefused(p, "文件已损坏（内容类型表无法读取）") from None
        content_types = {el.get("ContentType", "") for el in types.iter()}
        if not any(t.startswith(SPREADSHEETML) for t in content_types):
            raise SpreadsheetRefused(p, "这是 Office 压缩包，但不是 Excel 工作簿")
    return names


_ROOT_START = re.compile(rb"<[A-Za-z_]")


def _prolog_verdict(data: bytes) -> str:
    """'dtd' if a DOCTYPE/ENTITY comes before the root element, 'ok' once the root started, else 'more'."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="ignore").encode("ascii", errors="ignore")
    else:
        text = data
    m = _ROOT_START.search(text)
    before = text if m is None else text[:m.start()]
    if b"<!DOCTYPE" in before.upper() or b"<!ENTITY" in before.upper():
        return "dtd"
    return "ok" if m else "more"


# -- reading cells -----------------------------------------------------------------------------------

def read(path: str | os.PathLike, *, reader: str = "auto", cancelled: Callable[[], bool] | None = None) -> Workbook:
    """Check and read a workbook (xlsx via python-calamine, or openpyxl) or a CSV file into grids."""
    kind = sniff(path)
    if kind == "csv":
        return Workbook(str(path), "csv", "csv", [_read_csv(path)])
    check_xlsx(path)
    check_size(path)
    if reader == "auto":
        try:
            import python_calamine  # noqa: F401
            reader = "calamine"
        except ImportError:
            reader = "openpyxl"
    if reader == "calamine":
        return _read_calamine(path, cancelled)
    if reader == "openpyxl":
        return _read_openpyxl(path, cancelled)
    raise ValueError(reader)


_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\sr=\"([A-Za-z]{1,3})([0-9]{1,9})\"")
_ROW_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\sr=\"([0-9]{1,9})\"")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def column_number(letters: bytes | str) -> int:
    """1-based column number of 'A', 'Z', 'AA', … 'XFD'."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _sheet_members(zf: zipfile.ZipFile) -> list[tuple[str, str, bool]]:
    """(sheet name, zip member, visible) for every worksheet, in workbook order."""
    from defusedxml import ElementTree as SafeET

    names = set(zf.namelist())
    try:
        book = SafeET.fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except Exception:
        # No readable index: check every worksheet part under its file name.
        return [(n.rsplit("/", 1)[-1], n, True) for n in sorted(names)
                if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    targets = {}
    for rel in rels.iter():
        if rel.get("Id") and rel.get("Target"):
            target = rel.get("Target").lstrip("/")
            targets[rel.get("Id")] = target if target.startswith("xl/") else "xl/" + target
    out = []
    for el in book.iter():
        if not el.tag.endswith("}sheet") and el.tag != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
        member = targets.get(rid or "")
        if member in names and "/worksheets/" in member:
            out.append((el.get("name", member), member, el.get("state", "visible") == "visible"))
    return out


def used_range(zf: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """(rows, columns) a sheet's cells reach, read from its XML in pieces without building anything."""
    max_row = max_col = rows_seen = 0
    tail = b""
    with zf.open(member) as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            cells = _CELL_REF.findall(data)
            if cells:
                # A handful of distinct column letters; every row number compared as a number.
                max_col = max(max_col, max(column_number(c) for c in {c for c, _r in cells}))
                max_row = max(max_row, max(map(int, (r for _c, r in cells))))
            row_refs = _ROW_REF.findall(data)
            if row_refs:
                max_row = max(max_row, max(map(int, row_refs)))
            # Rows without an r attribute still count; the overlap is not counted twice.
            rows_seen += len(_ROW_TAG.findall(chunk))
            tail = data[-512:]
    return max(max_row, rows_seen), max_col


def check_size(path: str | os.PathLike) -> None:
    """Refuse a workbook whose visible sheets reach beyond MAX_ROWS rows or MAX_COLUMNS columns, naming the sheet
    and the farthest cell, before any reader allocates its grid."""
    p = Path(path)
    try:
        with zipfile.ZipFile(p) as zf:
            for name, member, visible in _sheet_members(zf):
                if not visible:
                    continue
                rows, cols = used_range(zf, member)
                if rows > MAX_ROWS or cols > MAX_COLUMNS:
                    where = f"第 {rows} 行、第 {cols} 列"
                    raise SpreadsheetRefused(
                        p, f"工作表“{quote(name, 40)}”的内容延伸到{where}，超过上限（{MAX_ROWS:,} 行、"
                           f"{MAX_COLUMNS} 列）。若远处有误填的单元格，请删除后另存再导入")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        raise SpreadsheetRefused(p, "文件已损坏（不是完整的 .xlsx 压缩包）") from None


def _read_calamine(path: str | os.PathLike, cancelled: Callable[[], bool] | None) -> Workbook:
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except CalamineError as exc:
        raise SpreadsheetRefused(path, _calamine_reason(exc)) from None
    out = Workbook(str(path), "xlsx", "calamine", [])
    try:
        for meta in wb.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                out.skipped_sheets.append((meta.name, "不是工作表（图表页）"))
                continue
            if meta.visible != SheetVisibleEnum.Visible:
                out.skipped_sheets.append((meta.name, "隐藏的工作表"))
                continue
            if cancelled and cancelled():
                break
            try:
                sheet = wb.get_sheet_by_name(meta.name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            except CalamineError as exc:
                raise SpreadsheetRefused(path, f"工作表“{meta.name}”无法读取（{_calamine_reason(exc)}）") from None
            out.sheets.append(Grid(meta.name, rows, merged))
    finally:
        wb.close()
    return out


def _calamine_reason(exc: Exception) -> str:
    text = str(exc)
    if "password" in text.lower() or "encrypt" in text.lower():
        return "文件已加密。请取消密码并另存为 .xlsx 后再导入"
    return "文件已损坏或不是有效的 .xlsx"


def _read_openpyxl(path: str | os.PathLike, cancelled: Callable[[], bool] | None) -> Workbook:
    import openpyxl

    try:
        # openpyxl parses with defusedxml when it is installed (it is a dependency), and never runs formulas.
        wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    except Exception:
        raise SpreadsheetRefused(path, "文件已损坏或不是有效的 .xlsx") from None
    out = Workbook(str(path), "xlsx", "openpyxl", [])
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                out.skipped_sheets.append((ws.title, "隐藏的工作表"))
                continue
            if cancelled and cancelled():
                break
            rows: list[list[Any]] = []
            formats: dict[tuple[int, int], str] = {}
            for r, row in enumerate(ws.iter_rows()):
                values = []
                for c, cell in enumerate(row):
                    v = cell.value
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        formats[(r, c)] = cell.number_format or "General"
                    values.append("" if v is None else v)
                rows.append(values)
            merged = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
            out.sheets.append(Grid(ws.title, rows, merged, formats, formats_complete=True))
        for name in wb.sheetnames:
            if name not in {g.name for g in out.sheets} and name not in {n for n, _ in out.skipped_sheets}:
                out.skipped_sheets.append((name, "不是工作表（图表页）"))
    finally:
        wb.close()
    return out


def peek_number_formats(path: str | os.PathLike, sheet: str, rows: int) -> dict[tuple[int, int], str]:
    """Number formats of the numeric cells in a sheet's first ``rows`` rows (openpyxl, read-only, streaming).

    python-calamine gives values but not formats; a percent format is what tells 0.56 (56%) from 0.56%.
    """
    import openpyxl

    formats: dict[tuple[int, int], str] = {}
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        return formats
    try:
        if sheet not in wb.sheetnames:
            return formats
        ws = wb[sheet]
        for r, row in enumerate(ws.iter_rows(min_row=1, max_row=rows)):
            for cell in row:
                v = getattr(cell, "value", None)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    formats[(cell.row - 1, cell.column - 1)] = cell.number_format or "General"
    finally:
        wb.close()
    return formats


def _read_csv(path: str | os.PathLike) -> Grid:
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetRefused(path, "CSV 文件的编码无法识别（应为 UTF-8 或 GBK）")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = []
    try:
        for r in csv.reader(io.StringIO(text), dialect):
            if len(rows) >= MAX_ROWS or len(r) > MAX_COLUMNS:
                raise SpreadsheetRefused(path, f"CSV 文件超过上限（{MAX_ROWS:,} 行、{MAX_COLUMNS} 列），"
                                               f"第 {len(rows) + 1} 行有 {len(r)} 列")
            rows.append(list(r))
    except csv.Error as exc:
        # e.g. an unclosed quote: the rest of the file becomes one field beyond csv's 128 KB field limit
        line = f"第 {len(rows) + 1} 行附近" if rows else "开头"
        reason = "有未闭合的引号" if "field larger" in str(exc) or "EOF" in str(exc) else "格式不对"
        raise SpreadsheetRefused(path, f"CSV 文件{line}{reason}，无法读取（{quote(exc, 60)}）") from None
    return Grid(Path(path).stem, rows, [])
