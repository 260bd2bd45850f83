"""Cells a workbook reader hands over as empty although they are not: error values (#DIV/0!, #REF!, #N/A …) and
formulas whose result was never saved (files written by scripts or converters rather than Excel/WPS).

python-calamine gives both as empty, openpyxl gives errors as text and unsaved formulas as empty; neither may
pass for "no figure". This module reads the sheets' XML once, streaming (the package was already checked for
bombs and DTDs by db/spreadsheet.check_xlsx), and returns where such cells are so the import can list them.
"""
from __future__ import annotations

import os
import posixpath
import re
import zipfile
from typing import Iterator

from defusedxml import ElementTree as SafeET

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"([A-Z]+)(\d+)")
_CHUNK = 1 << 20


def _index(ref: str) -> tuple[int, int] | None:
    m = _REF.fullmatch(ref or "")
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML member, from the workbook and its relationships."""
    try:
        wb = SafeET.fromstring(zf.read("xl/workbook.xml"))
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, SafeET.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(_PKG_REL + "Relationship")}
    out = {}
    for sheet in wb.iter(_MAIN + "sheet"):
        target = targets.get(sheet.get(_REL + "id"), "")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out[sheet.get("name", "")] = path
    return out


def _may_hold_any(zf: zipfile.ZipFile, member: str) -> bool:
    """A quick byte scan: no '<f' and no 't="e"' means nothing to find (the common case, no XML parsing)."""
    tail = b""
    with zf.open(member) as f:
        while chunk := f.read(_CHUNK):
            data = tail + chunk
            if b"<f" in data or b't="e"' in data or b"t='e'" in data:
                return True
            tail = data[-8:]
    return False


def _scan(zf: zipfile.ZipFile, member: str) -> Iterator[tuple[tuple[int, int], str]]:
    with zf.open(member) as f:
        for _event, el in SafeET.iterparse(f, events=("end",)):
            if el.tag != _MAIN + "c":
                if el.tag == _MAIN + "row":
                    el.clear()
                continue
            pos = _index(el.get("r", ""))
            v = el.find(_MAIN + "v")
            value = (v.text or "") if v is not None else ""
            if pos is not None:
                if el.get("t") == "e":
                    yield pos, value or "#错误"
                elif el.find(_MAIN + "f") is not None and value == "":
                    yield pos, "公式：" + (el.find(_MAIN + "f").text or "（共享公式）")[:60]
            el.clear()


def unreadable_cells(path: str | os.PathLike) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet name: (row, column) 0-based -> the error value ('#DIV/0!') or '公式：…' for an unsaved formula."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            for sheet, member in _sheet_paths(zf).items():
                if member not in names or not _may_hold_any(zf, member):
                    continue
                cells = dict(_scan(zf, member))
                if cells:
                    out[sheet] = cells
    except (zipfile.BadZipFile, OSError, SafeET.ParseError, KeyError, EOFError):
        return out  # the reader itself already judged the file; this is only a closer look
    return out
