"""Trim the ICU data library Qt brings on Linux (libicudata.so.NN, 30 MiB) to the items Qt can use here.

Qt links ICU for four things only (the ICU symbols libQt6Core imports; no other Qt library imports any):
collation (``ucol_*``: QCollator, and the file dialog's sorting), case mapping (``u_strToUpper``/``Lower``: needs
no data file), time-zone names (``ucal_*``: QTimeZone::displayName) and code converters (``ucnv_*``:
QStringDecoder/Encoder for encodings Qt does not implement itself). The ICU data library holds all of CLDR:
every language's names of currencies, languages, regions and units, break-iterator dictionaries, transliterators,
and 190 code pages. This keeps what those four need for the app's locale (zh_CN, which desktop/translations.py
makes the default) and for C/en_US: the root, zh and en locale bundles, their collation and time-zone names,
the time-zone tables, and the converters for the Chinese code pages (GB18030, GBK, GB2312, Big5) and the Windows
code pages, and every single-byte code page. Anything else still works as ICU works for a locale without data: it falls back to root.

ICU finds its data through one exported symbol, ``icudtNN_dat``: the whole common-data package (format "CmnD":
a header, a table of contents of (name, offset) pairs sorted by name, then the items). The trimmed package is
written in that format and linked into a new shared library with the same soname and symbol, with binutils
(objcopy, ld). ``python packaging/icu_data.py LIB`` trims one file in place and prints what it kept.
"""
from __future__ import annotations

import fnmatch
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

# Items kept, as glob patterns on the name inside the package (without the "icudtNNl/" prefix).
KEEP = (
    # The package's own bookkeeping and the data every lookup may consult.
    "res_index.res", "pool.res", "icuver.res", "icustd.res", "metadata.res", "likelySubtags.res",
    "supplementalData.res", "keyTypeData.res", "numberingSystems.res",
    # Locale bundles on the fallback chains of zh_CN and of C / en_US (calendar symbols, week data).
    "root.res", "en.res", "en_US.res", "en_US_POSIX.res", "zh.res", "zh_CN.res", "zh_Hans.res", "zh_Hans_CN.res",
    # Collation: the root order (ucadata) and the Chinese (pinyin) and English tailorings.
    "coll/res_index.res", "coll/root.res", "coll/ucadata.icu", "coll/en.res", "coll/en_US.res",
    "coll/en_US_POSIX.res", "coll/zh.res", "coll/zh_CN.res", "coll/zh_Hans.res", "coll/zh_Hans_CN.res",
    # Time zones: the rules, the ID tables and the zh / en names.
    "zoneinfo64.res", "timezoneTypes.res", "metaZones.res", "windowsZones.res",
    "zone/res_index.res", "zone/pool.res", "zone/root.res", "zone/en.res", "zone/zh.res", "zone/zh_CN.res",
    "zone/zh_Hans.res", "zone/zh_Hans_CN.res",
    # Code converters: the alias table, GB18030, GBK (windows-936), GB2312 (ibm-1383), Big5 (windows-950,
    # ibm-950, ibm-1373), and the Windows code pages 1250-1258 (ibm-5346..5354, ibm-1252).
    "cnvalias.icu", "gb18030.cnv", "windows-936-2000.cnv", "ibm-1383_*.cnv", "ibm-1386_*.cnv",
    "windows-950-2000.cnv", "ibm-950_*.cnv", "ibm-1373_*.cnv", "ibm-1252_*.cnv",
    *(f"ibm-{n}_*.cnv" for n in range(5346, 5355)),
)
# Besides: every single-byte code page (ISO-8859-*, KOI8, DOS ...): 150 tables under 9 KiB each, 0.5 MiB together.
SMALL_CONVERTER = 9 * 1024


def _tool(name: str) -> str | None:
    return shutil.which(name)


def available() -> bool:
    """Whether this machine can rebuild the library (Linux with binutils' objcopy, ld and readelf)."""
    return sys.platform.startswith("linux") and all(_tool(t) for t in ("objcopy", "ld", "readelf", "objdump"))


def _data_symbol(lib: Path) -> tuple[str, int, int]:
    """(name, file offset, size) of the icudtNN_dat symbol: the package inside the library (for a library this
    module built, whose symbol objcopy leaves without a size, the rest of its section)."""
    syms = subprocess.run(["readelf", "-W", "--dyn-syms", str(lib)], capture_output=True, text=True,
                          check=True).stdout
    m = re.search(r"^\s*\d+:\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+\w+\s+GLOBAL\s+\w+\s+(\d+)\s+(icudt\d+_dat)$",
                  syms, re.MULTILINE)
    if not m:
        raise ValueError(f"{lib}: no icudtNN_dat symbol")
    addr, size, section, name = int(m.group(1), 16), int(m.group(2), 0), int(m.group(3)), m.group(4)
    sections = subprocess.run(["readelf", "-W", "-S", str(lib)], capture_output=True, text=True, check=True).stdout
    sm = re.search(rf"^\s*\[\s*{section}\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", sections,
                   re.MULTILINE)
    sec_addr, sec_off, sec_size = (int(sm.group(i), 16) for i in (1, 2, 3))
    return name, addr - sec_addr + sec_off, size or sec_size - (addr - sec_addr)


def read_package(data: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """(header, [(name, item bytes), ...]) of a little-endian ICU common-data package."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    if data[8] != 0:
        raise ValueError("big-endian ICU data is not supported")
    toc = header_size
    (count,) = struct.unpack_from("<I", data, toc)
    entries = [struct.unpack_from("<II", data, toc + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_off, data_off) in enumerate(entries):
        end = entries[i + 1][1] if i + 1 < count else len(data) - toc
        name = data[toc + name_off:data.index(b"\0", toc + name_off)].decode("ascii")
        items.append((name, data[toc + data_off:toc + end]))
    return data[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """The package with these items (names sorted as ICU's binary search expects; every item 16-byte aligned)."""
    items = sorted(items, key=lambda item: item[0].encode("ascii"))
    names = b""
    name_offsets = []
    toc_size = 4 + 8 * len(items)
    for name, _ in items:
        name_offsets.append(toc_size + len(names))
        names += name.encode("ascii") + b"\0"
    pos = toc_size + len(names)
    pos += -pos % 16
    body = bytearray(b"\0" * (pos - toc_size - len(names)))
    data_offsets = []
    for _, item in items:
        data_offsets.append(pos)
        chunk = item + b"\0" * (-len(item) % 16)
        body += chunk
        pos += len(chunk)
    toc = struct.pack("<I", len(items)) + b"".join(struct.pack("<II", n, d) for n, d in zip(name_offsets, data_offsets))
    return header + toc + names + bytes(body)


def kept(name: str, size: int) -> bool:
    short = name.split("/", 1)[1] if "/" in name else name
    if short.endswith(".cnv") and "/" not in short and size < SMALL_CONVERTER:
        return True
    return any(fnmatch.fnmatchcase(short, pattern) for pattern in KEEP)


def trim(lib: Path) -> tuple[int, int, list[str]]:
    """Rewrite lib (libicudataNN.so) with only the KEEP items; returns (bytes before, bytes after, names kept)."""
    lib = Path(lib)
    before = lib.stat().st_size
    symbol, offset, size = _data_symbol(lib)
    raw = lib.read_bytes()
    header, items = read_package(raw[offset:offset + size])
    keep = [(n, d) for n, d in items if kept(n, len(d))]
    package = write_package(header, keep)
    # The new library: the package as read-only data under the same symbol, with the same soname.
    soname = re.search(r"SONAME\)\s+Library soname: \[([^]]+)\]",
                       subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True).stdout).group(1)
    info = subprocess.run(["objdump", "-f", str(lib)], capture_output=True, text=True, check=True).stdout
    bfd = re.search(r"file format (\S+)", info).group(1)
    arch = re.search(r"architecture: ([^,\s]+)", info).group(1)
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        (tmpd / "icudata.bin").write_bytes(package)
        run = dict(cwd=tmpd, check=True, capture_output=True)
        subprocess.run(["objcopy", "-I", "binary", "-O", bfd, "-B", arch,
                        "--rename-section", ".data=.rodata,alloc,load,readonly,data,contents",
                        "--set-section-alignment", ".rodata=16", "icudata.bin", "icudata.o"], **run)
        subprocess.run(["objcopy", "--redefine-sym", f"_binary_icudata_bin_start={symbol}",
                        "--strip-symbol", "_binary_icudata_bin_end", "--strip-symbol", "_binary_icudata_bin_size",
                        "icudata.o"], **run)
        subprocess.run(["ld", "-shared", "-soname", soname, "-z", "noexecstack", "--hash-style=both",
                        "-o", "lib.so", "icudata.o"], **run)
        built = tmpd / "lib.so"
        # Check before replacing: the symbol is there and the package reads back with the same items.
        new_symbol, new_offset, _ = _data_symbol(built)
        assert new_symbol == symbol, new_symbol
        back = built.read_bytes()[new_offset:new_offset + len(package)]
        assert [n for n, _ in read_package(back)[1]] == sorted(n for n, _ in keep)
        mode = lib.stat().st_mode
        lib.unlink()  # never write through a hard link into someone else's copy
        shutil.copyfile(built, lib)
        lib.chmod(mode)
    return before, lib.stat().st_size, [n for n, _ in keep]


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        old, new, names = trim(Path(arg))
        print(f"{arg}: {old / 2**20:.1f} MiB -> {new / 2**20:.1f} MiB, {len(names)} items kept: {' '.join(names)}")
