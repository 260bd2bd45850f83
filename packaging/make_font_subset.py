#!/usr/bin/env python3
"""Build the bundled CJK font subset ("PolicyTrack Sans SC") from Noto Sans CJK SC.

The app ships its own Simplified-Chinese font so that Chinese text renders on
PCs without any Chinese font installed, both in Qt (QFontDatabase) and in
matplotlib, and so that PDFs written by QPdfWriter and by matplotlib's PDF
backend embed a font whose text can be extracted again (pdftotext).

What this script does, for the Regular and the Bold face:

1. Opens the Noto Sans CJK collection (.ttc) and picks the face whose family
   name (name ID 1) is "Noto Sans CJK SC" (looked up in the name table, not by
   index).
2. Subsets it to ASCII, Latin-1, General Punctuation, a list of commonly used
   symbols, CJK Symbols and Punctuation, Halfwidth/Fullwidth Forms, every
   character encodable in GB2312 (or GBK with ``--regular-charset gbk
   --bold-charset gbk``), the characters of the reference article, a few
   must-have characters and (unless ``--no-coverage``) every character the app
   draws itself: the built-in data, the user guide, the string literals of
   desktop/ and db/, packaging/font_names.txt (surnames, Chongqing place names)
   and the reference characters of FreeType's auto-hinter (AUTOHINT_CHARS).
   Kangxi Radicals, CJK Radicals Supplement, CJK Compatibility Ideographs and
   the Private Use Area are always excluded: Noto maps e.g. U+2F79 (Kangxi
   radical NET) and U+7F51 (网) to the same glyph, and Qt's PDF writer may then
   put the radical into the ToUnicode map, which breaks text extraction.
3. Makes sure no glyph is reached by more than one code point (keeps the
   CJK Unified Ideograph / the more common code point and reports the rest).
4. Converts the CFF outlines to unhinted TrueType (glyf) outlines with cu2qu,
   drops CFF/VORG and the vertical metrics, and writes a plain .ttf.
5. Renames the family to "PolicyTrack Sans SC" (Regular / Bold).

Usage (from the repository root)::

    python packaging/make_font_subset.py
    python packaging/make_font_subset.py --regular /tmp/noto-src/NotoSansCJK-Regular.ttc \\
                                         --bold /tmp/noto-src/NotoSansCJK-Bold.ttc

Requires fontTools (``pip install fonttools``).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.ttLib.tables._c_m_a_p import cmap_format_4, cmap_format_12

# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "resources" / "fonts"
DEFAULT_REGULAR = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DEFAULT_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
# Reference text whose characters must all be covered. Optional: every
# character in it is already GB2312 or Latin-1 / General Punctuation.
DEFAULT_EXTRA_TEXT = "/work/shared/seed/yubei-2023-article.txt"

SOURCE_FAMILY = "Noto Sans CJK SC"
FAMILY = "PolicyTrack Sans SC"
PS_FAMILY = "PolicyTrackSansSC"

# Characters that must be present (place names, personal names ...).
REQUIRED_CHARS = "碛渝犇堃昇琍"

# FreeType's auto-hinter (used by Qt and by matplotlib for these unhinted fonts) measures the CJK blue zones on the
# characters of its afblue.dat strings. Missing ones change the hinting of every hanzi: keep them all, including the
# 18 traditional forms outside GB2312, so a GB2312 subset renders pixel for pixel as the GBK one did.
AUTOHINT_CHARS = ("他们你來們到和地对對就席我时時會来為能舰說说这這齊军同已愿既星是景民照现現理用置要軍那配里開雷露面顾"
                  "个为人他以们你來個們到和大对對就我时時有来為要說说主些因它想意理生當看着置者自著裡过还进進過道還里面")

# Everything the app itself draws (the GB2312+ subset is built from these on top of GB2312; tests/test_fonts.py
# checks the shipped fonts cover them): the built-in data, the user guide, every string literal of the UI and
# db code, and a list of common surnames and Chongqing place names (packaging/font_names.txt).
COVERAGE_FILES = ("resources/seed/*.json", "resources/seed/*.txt", "resources/guide/*.md", "packaging/font_names.txt")
COVERAGE_SOURCES = ("desktop", "db")

# Commonly used symbols outside the ranges below (the font only gets those it has).
EXTRA_SYMBOLS = (
    "℃℉№℡™©®°′″‰‱§¶†‡※¥€£￥￡￠"
    "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹ"
    "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
    "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
    "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"
    "㈠㈡㈢㈣㈤㈥㈦㈧㈨㈩"
    "←↑→↓↔↕↖↗↘↙⇐⇒⇔"
    "±×÷≤≥≠≈≡∶∷∞∑∏√∫∈∵∴∠⊥∥∧∨∩∪⊙−∼≌≒≦≧"
    "●○◎■□▲△▼▽◆◇★☆◀▶►◄✓✔✕✖✗✘☑☐☒"
    "—–…·•、。《》〈〉「」『』【】〔〕〖〗"
    "㎡㎥㎏㎎㎜㎝㎞㏄㏎㏑㏒㏕"
)

# Blocks that are never included (see module docstring).
EXCLUDED_RANGES = [
    (0x2E80, 0x2EFF, "CJK Radicals Supplement"),
    (0x2F00, 0x2FDF, "Kangxi Radicals"),
    (0xE000, 0xF8FF, "Private Use Area"),
    (0xF900, 0xFAFF, "CJK Compatibility Ideographs"),
    (0xF0000, 0x10FFFF, "Supplementary Private Use Areas"),
]

# OpenType layout features kept. Only Latin kerning: ligatures ('liga',
# 'calt' ...) would create glyphs that have no cmap entry, which Qt's PDF
# writer cannot map back to text; 'locl'/'vert' etc. are not needed.
LAYOUT_FEATURES = ["kern"]

CU2QU_MAX_ERR = 1.0  # font units (UPM 1000)

STYLES = {
    # style: (usWeightClass, fsSelection bits to set, macStyle)
    "Regular": (400, 0x0040, 0x0000),  # REGULAR
    "Bold": (700, 0x0020, 0x0001),     # BOLD / macStyle bold
}


# --------------------------------------------------------------------------
# Character set
# --------------------------------------------------------------------------

def double_byte_chars(codec: str) -> set[int]:
    """All characters reachable from a double-byte code of a GB codec."""
    out: set[int] = set()
    trails = list(range(0x40, 0x7F)) + list(range(0x80, 0xFF))
    for lead in range(0x81, 0xFF):
        for trail in trails:
            try:
                s = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(s) == 1:
                out.add(ord(s))
    return out


GBK = double_byte_chars("gbk")
GB2312 = double_byte_chars("gb2312")


def excluded(cp: int) -> str | None:
    for lo, hi, name in EXCLUDED_RANGES:
        if lo <= cp <= hi:
            return name
    if cp < 0x20 or 0x7F <= cp < 0xA0 or 0xD800 <= cp <= 0xDFFF:
        return "control/surrogate"
    return None


def is_cjk_unified(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF
            or 0x20000 <= cp <= 0x3FFFF)


def string_literals(path: Path) -> str:
    """The text of every string literal (f-strings included) in a Python source file."""
    import ast
    import io
    import tokenize

    out = []
    with open(path, "rb") as f:
        for tok in tokenize.tokenize(f.readline):
            if tok.type == tokenize.STRING:
                try:
                    value = ast.literal_eval(tok.string)
                except (ValueError, SyntaxError):  # an f-string: its text parts (and expressions) as written
                    value = tok.string
                out.append(value if isinstance(value, str) else "")
    return "\n".join(out)


def coverage_text(root: Path = REPO_ROOT) -> str:
    """The characters the app draws itself (see COVERAGE_FILES); non-ASCII only matters."""
    parts = []
    for pattern in COVERAGE_FILES:
        for path in sorted(root.glob(pattern)):
            parts.append(path.read_text(encoding="utf-8"))
    for folder in COVERAGE_SOURCES:
        for path in sorted((root / folder).rglob("*.py")):
            parts.append(string_literals(path))
    return "\n".join(parts)


def wanted_codepoints(charset: str, extra_text: str) -> set[int]:
    cps: set[int] = set()
    cps.update(range(0x20, 0x7F))        # ASCII printable
    cps.update(range(0xA0, 0x100))       # Latin-1 Supplement
    cps.update(range(0x2000, 0x2070))    # General Punctuation
    cps.update(range(0x3000, 0x3040))    # CJK Symbols and Punctuation
    cps.update(range(0xFF00, 0xFFF0))    # Halfwidth and Fullwidth Forms
    cps.update(ord(c) for c in EXTRA_SYMBOLS)
    cps.update(GBK if charset == "gbk" else GB2312)
    cps.update(ord(c) for c in extra_text if not c.isspace() or c == " ")
    cps.update(ord(c) for c in REQUIRED_CHARS)
    return cps


def commonness_key(cp: int, text_cps: set[int]):
    """Sort key: smaller = the code point to keep when several share a glyph."""
    return (
        0 if is_cjk_unified(cp) else 1,
        0 if cp in text_cps else 1,
        0 if cp < 0x80 else 1,
        0 if cp in GB2312 else 1,
        0 if cp in GBK else 1,
        cp,
    )


def describe(cp: int) -> str:
    ch = chr(cp)
    shown = ch if unicodedata.category(ch)[0] not in "CZ" else " "
    return f"U+{cp:04X} {shown} {unicodedata.name(ch, '?')}"


# --------------------------------------------------------------------------
# Font steps
# --------------------------------------------------------------------------

def open_sc_face(path: str) -> TTFont:
    """Open the "Noto Sans CJK SC" face of a collection (or a single font)."""
    if not Path(path).is_file():
        raise SystemExit(f"{path}: not found (install fonts-noto-cjk or pass "
                         "--regular/--bold)")
    if Path(path).suffix.lower() not in (".ttc", ".otc"):
        return TTFont(path)
    coll = TTCollection(path, lazy=True)
    for index, face in enumerate(coll.fonts):
        names = {r.toUnicode() for r in face["name"].names
                 if r.nameID in (1, 16) and r.platformID == 3}
        if SOURCE_FAMILY in names:
            coll.close()
            return TTFont(path, fontNumber=index)
    raise SystemExit(f"{path}: no face named {SOURCE_FAMILY!r}")


def build_cmap(font: TTFont, mapping: dict[int, str]) -> None:
    """Replace the cmap by fresh (0,3)/(3,1) format 4 [+ format 12] tables."""
    bmp = {cp: g for cp, g in mapping.items() if cp <= 0xFFFF}
    tables = []
    for plat, enc in ((0, 3), (3, 1)):
        t = cmap_format_4(4)
        t.platformID, t.platEncID, t.language = plat, enc, 0
        t.cmap = dict(bmp)
        tables.append(t)
    if len(bmp) != len(mapping):
        for plat, enc in ((0, 4), (3, 10)):
            t = cmap_format_12(12)
            t.platformID, t.platEncID, t.language = plat, enc, 0
            t.reserved, t.length, t.nGroups = 0, 0, 0
            t.cmap = dict(mapping)
            tables.append(t)
    font["cmap"].tables = tables


def subset_font(font: TTFont, cps: set[int]) -> None:
    # Drop the Unicode Variation Sequences subtable first, otherwise the
    # subsetter keeps the variant glyphs it points to.
    font["cmap"].tables = [t for t in font["cmap"].tables if t.format != 14]
    opts = subset.Options()
    opts.layout_features = LAYOUT_FEATURES
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.name_legacy = True
    opts.notdef_outline = True
    opts.notdef_glyph = True
    opts.hinting = False
    opts.legacy_kern = False
    opts.glyph_names = True
    opts.prune_unicode_ranges = True
    opts.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]
    subsetter = subset.Subsetter(options=opts)
    subsetter.populate(unicodes=sorted(cps))
    subsetter.subset(font)
    for tag in ("GSUB", "GPOS"):
        table = font[tag].table if tag in font else None
        if table is not None and not (table.LookupList and table.LookupList.LookupCount):
            del font[tag]  # no features left


def dedupe_cmap(font: TTFont, text_cps: set[int]) -> list[tuple[int, int]]:
    """Keep one code point per glyph. Returns [(dropped, kept), ...]."""
    cmap = font.getBestCmap()
    by_glyph = collections.defaultdict(list)
    for cp, g in cmap.items():
        by_glyph[g].append(cp)
    dropped = []
    for g, cps in by_glyph.items():
        if len(cps) < 2:
            continue
        cps.sort(key=lambda cp: commonness_key(cp, text_cps))
        keep = cps[0]
        for cp in cps[1:]:
            del cmap[cp]
            dropped.append((cp, keep))
    build_cmap(font, cmap)
    # Verify.
    counts = collections.Counter(font.getBestCmap().values())
    assert max(counts.values()) == 1, "duplicate glyph mapping left"
    return sorted(dropped)


def cff_to_glyf(font: TTFont) -> None:
    """Replace CFF outlines by unhinted quadratic TrueType outlines."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    hmtx = font["hmtx"].metrics
    for name in order:
        tt_pen = TTGlyphPen(None)
        pen = Cu2QuPen(tt_pen, max_err=CU2QU_MAX_ERR, reverse_direction=True)
        glyph_set[name].draw(pen)
        glyph = tt_pen.glyph(dropImpliedOnCurves=True)
        glyph.recalcBounds(glyf)
        glyf.glyphs[name] = glyph
        advance, _ = hmtx[name]
        hmtx[name] = (advance, glyph.xMin if glyph.numberOfContours else 0)

    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    font.sfntVersion = "\x00\x01\x00\x00"

    head = font["head"]
    head.glyphDataFormat = 0
    head.flags |= 0x0003  # baseline at y=0, lsb at x=0 (lsb == xMin)

    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr, value in (("maxZones", 2), ("maxTwilightPoints", 0),
                        ("maxStorage", 0), ("maxFunctionDefs", 0),
                        ("maxInstructionDefs", 0), ("maxStackElements", 0),
                        ("maxSizeOfInstructions", 0),
                        ("maxComponentElements", 0), ("maxComponentDepth", 0),
                        ("maxPoints", 0), ("maxContours", 0),
                        ("maxCompositePoints", 0), ("maxCompositeContours", 0)):
        setattr(maxp, attr, value)

    post = font["post"]
    post.formatType = 3.0  # no glyph names (as in the source font)
    post.extraNames = []
    post.mapping = {}
    for attr in ("minMemType42", "maxMemType42", "minMemType1", "maxMemType1"):
        setattr(post, attr, 0)

    # Unhinted: ask for grayscale + symmetric smoothing at every size.
    gasp = newTable("gasp")
    gasp.version = 1
    gasp.gaspRange = {0xFFFF: 0x000A}
    font["gasp"] = gasp


def copy_duplicate_glyphs(font: TTFont, pairs: list[tuple[int, int]]) -> None:
    """Give each dropped code point its own copy of the shared glyph."""
    import copy
    cmap = font.getBestCmap()
    glyf, hmtx = font["glyf"], font["hmtx"].metrics
    order = list(font.getGlyphOrder())
    for cp, keep in pairs:
        src = cmap[keep]
        new = f"uni{cp:04X}" if cp <= 0xFFFF else f"u{cp:X}"
        assert new not in glyf.glyphs
        glyf.glyphs[new] = copy.deepcopy(glyf[src])
        hmtx[new] = hmtx[src]
        order.append(new)
        cmap[cp] = new
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    build_cmap(font, cmap)


def rename(font: TTFont, style: str, source_version: str) -> None:
    name = font["name"]
    ps_name = f"{PS_FAMILY}-{style}"
    full_name = FAMILY if style == "Regular" else f"{FAMILY} {style}"
    # Drop every naming record that identifies the font (all platforms and
    # languages) plus the Noto trademark notice, then write fresh ones.
    drop = {1, 2, 3, 4, 6, 7, 16, 17, 18, 21, 22, 25}
    name.names = [r for r in name.names if r.nameID not in drop]
    records = {
        1: FAMILY,
        2: style,
        3: f"{source_version};{ps_name};subset of NotoSansCJKsc-{style}",
        4: full_name,
        5: f"Version {source_version}; subset of Noto Sans CJK SC, TrueType outlines",
        6: ps_name,
        16: FAMILY,
        17: style,
    }
    for name_id, text in records.items():
        name.removeNames(nameID=name_id)
        name.setName(text, name_id, 3, 1, 0x409)
        name.setName(text, name_id, 1, 0, 0)

    weight, fs_bits, mac_style = STYLES[style]
    os2 = font["OS/2"]
    os2.usWeightClass = weight
    # clear ITALIC(0) BOLD(5) REGULAR(6), keep the rest (e.g. USE_TYPO_METRICS)
    os2.fsSelection = (os2.fsSelection & ~0x0061) | fs_bits
    os2.fsType = 0  # installable embedding (as in the source)
    font["head"].macStyle = mac_style
    font["post"].italicAngle = 0


def build_face(src: str, style: str, charset: str, out_path: Path,
               text_cps: set[int], duplicates: str = "drop") -> dict:
    print(f"\n=== {style}: {src} ({charset}) ===")
    font = open_sc_face(src)
    source_version = f"{font['head'].fontRevision:.3f}"
    source_cmap = font.getBestCmap()
    print(f"source: {font['name'].getDebugName(4)} version {source_version}, "
          f"{len(font.getGlyphOrder())} glyphs, {len(source_cmap)} code points")

    wanted = wanted_codepoints(charset, "".join(map(chr, text_cps)))
    skipped = collections.Counter()
    cps = set()
    for cp in wanted:
        why = excluded(cp)
        if why:
            skipped[why] += 1
        elif cp not in source_cmap:
            skipped["not in font"] += 1
        else:
            cps.add(cp)
    for why, n in sorted(skipped.items()):
        print(f"  skipped {n:5d} wanted code points: {why}")
    missing_extra = [c for c in EXTRA_SYMBOLS if ord(c) not in source_cmap]
    if missing_extra:
        print(f"  symbols not in source font: {' '.join(missing_extra)}")

    subset_font(font, cps)
    dropped = dedupe_cmap(font, text_cps)
    for cp, keep in dropped:
        print(f"  duplicate glyph: dropped {describe(cp)}  (kept {describe(keep)})")
    if duplicates == "drop":
        dropped_final = dropped
    else:
        dropped_final = []

    print(f"  converting {len(font.getGlyphOrder())} glyphs CFF -> glyf ...")
    cff_to_glyf(font)
    if duplicates == "copy" and dropped:
        copy_duplicate_glyphs(font, dropped)
        print(f"  gave {len(dropped)} of those code points their own glyph copy")
    rename(font, style, source_version)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    font.recalcTimestamp = False  # keep the source's head.modified: reproducible output
    font.save(out_path)
    font.close()

    # Re-open and check the result.
    check = TTFont(out_path)
    cmap = check.getBestCmap()
    assert "glyf" in check and "CFF " not in check
    assert max(collections.Counter(cmap.values()).values()) == 1
    for cp in cmap:
        assert excluded(cp) is None, hex(cp)
    missing_required = [c for c in REQUIRED_CHARS if ord(c) not in cmap]
    missing_text = sorted(cp for cp in text_cps if cp not in cmap and cp > 0x20)
    info = {
        "style": style,
        "path": out_path,
        "size": out_path.stat().st_size,
        "codepoints": len(cmap),
        "hanzi": sum(1 for cp in cmap if is_cjk_unified(cp)),
        "glyphs": len(check.getGlyphOrder()),
        "dropped": dropped_final,
        "missing_required": missing_required,
        "missing_text": missing_text,
        "source_version": source_version,
    }
    check.close()
    print(f"  wrote {out_path} ({info['size']:,} bytes, {info['codepoints']} code points, "
          f"{info['hanzi']} hanzi, {info['glyphs']} glyphs)")
    if missing_required:
        print(f"  WARNING: required characters missing: {''.join(missing_required)}")
    if missing_text:
        print(f"  WARNING: reference text characters missing: "
              f"{', '.join(describe(cp) for cp in missing_text)}")
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--regular", default=DEFAULT_REGULAR,
                    help=f"NotoSansCJK-Regular.ttc (default {DEFAULT_REGULAR})")
    ap.add_argument("--bold", default=DEFAULT_BOLD,
                    help=f"NotoSansCJK-Bold.ttc (default {DEFAULT_BOLD})")
    ap.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    ap.add_argument("--regular-charset", choices=("gbk", "gb2312"), default="gb2312")
    ap.add_argument("--bold-charset", choices=("gbk", "gb2312"), default="gb2312")
    ap.add_argument("--text", action="append", default=None, metavar="FILE",
                    help="UTF-8 text whose characters must be covered "
                         f"(repeatable; default {DEFAULT_EXTRA_TEXT} if it exists)")
    ap.add_argument("--no-coverage", action="store_true",
                    help="do not add the characters of the built-in data, the guide, the UI strings, "
                         "packaging/font_names.txt and AUTOHINT_CHARS (added by default; the shipped serif "
                         "faces were built without them)")
    ap.add_argument("--duplicates", choices=("drop", "copy"), default="drop",
                    help="code points sharing a glyph with a preferred one: drop "
                         "them (default) or give each its own copy of the glyph")
    ap.add_argument("--only", choices=("Regular", "Bold"),
                    help="build only one face")
    ap.add_argument("--serif", action="store_true",
                    help="build PolicyTrack Serif SC from Noto Serif CJK SC (NotoSerifCJK-*.ttc) instead")
    args = ap.parse_args(argv)
    if args.serif:
        global SOURCE_FAMILY, FAMILY, PS_FAMILY
        SOURCE_FAMILY, FAMILY, PS_FAMILY = "Noto Serif CJK SC", "PolicyTrack Serif SC", "PolicyTrackSerifSC"
        if args.regular == DEFAULT_REGULAR:
            args.regular = DEFAULT_REGULAR.replace("NotoSans", "NotoSerif")
        if args.bold == DEFAULT_BOLD:
            args.bold = DEFAULT_BOLD.replace("NotoSans", "NotoSerif")

    texts = args.text
    if texts is None:
        texts = [DEFAULT_EXTRA_TEXT] if os.path.exists(DEFAULT_EXTRA_TEXT) else []
        if not texts:
            print(f"note: {DEFAULT_EXTRA_TEXT} not found; building without it")
    text_cps: set[int] = set()
    if not args.no_coverage:
        text_cps.update(ord(c) for c in coverage_text() + AUTOHINT_CHARS if not c.isspace())
    for path in texts:
        text_cps.update(ord(c) for c in Path(path).read_text(encoding="utf-8")
                        if not c.isspace())

    results = []
    for style, src, charset in (("Regular", args.regular, args.regular_charset),
                                ("Bold", args.bold, args.bold_charset)):
        if args.only and args.only != style:
            continue
        out = args.out_dir / f"{PS_FAMILY}-{style}.ttf"
        results.append(build_face(src, style, charset, out, text_cps,
                                  args.duplicates))

    print("\nSummary:")
    ok = True
    for r in results:
        print(f"  {r['path'].name}: {r['size'] / 1e6:.2f} MB, {r['codepoints']} code points, "
              f"{r['hanzi']} hanzi, {len(r['dropped'])} duplicate code points dropped")
        ok &= not r["missing_required"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
