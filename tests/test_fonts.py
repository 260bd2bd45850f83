"""The bundled CJK fonts are GB2312+ subsets (resources/fonts/README.md): they must hold every character the app
itself draws, or a PC without a Chinese font would show boxes. Checked against the shipped files:

- the built-in data (resources/seed/: the dataset and the reference article),
- every string literal in desktop/ and db/ (UI text, messages, report sentences, CLI help),
- the user guide shipped with the app (resources/guide/),
- common surnames and Chongqing's districts, streets and towns (packaging/font_names.txt).

A new character in any of them that the fonts lack fails here: rebuild the fonts with
``python packaging/make_font_subset.py`` (it adds these same sources to GB2312).
"""
from __future__ import annotations

import ast
import json
import tokenize
import unicodedata
from pathlib import Path

import pytest

fontTools = pytest.importorskip("fontTools.ttLib", reason="fontTools comes with matplotlib")

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "resources" / "fonts"
SANS = ("PolicyTrackSansSC-Regular.ttf", "PolicyTrackSansSC-Bold.ttf")

# Characters the sources use that Noto Sans CJK SC, the fonts' source, has no glyph of its own for: they are drawn
# by the fallback font (DejaVu Sans in charts, any system font in Qt), as they were with the GBK subset.
NOT_IN_SOURCE_FONT = {
    "\u200d": "ZERO WIDTH JOINER (invisible)",
    "\u2011": "NON-BREAKING HYPHEN: same glyph as U+002D, dropped as a duplicate (fonts README)",
    "\u2012": "FIGURE DASH: same glyph as U+2013, dropped as a duplicate (fonts README)",
    "\u2078": "SUPERSCRIPT EIGHT (a docstring's 10⁸)",
}

# FreeType's auto-hinter measures CJK blue zones on these (afblue.dat); without them every hanzi hints differently.
AUTOHINT = ("他们你來們到和地对對就席我时時會来為能舰說说这這齊军同已愿既星是景民照现現理用置要軍那配里開雷露面顾"
            "个为人他以们你來個們到和大对對就我时時有来為要說说主些因它想意理生當看着置者自著裡过还进進過道還里面")


def string_literals(path: Path) -> str:
    out = []
    with open(path, "rb") as f:
        for tok in tokenize.tokenize(f.readline):
            if tok.type == tokenize.STRING:
                try:
                    value = ast.literal_eval(tok.string)
                except (ValueError, SyntaxError):  # f-string: its text as written
                    value = tok.string
                if isinstance(value, str):
                    out.append(value)
    return "\n".join(out)


def json_strings(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(json_strings(k) + "\n" + json_strings(v) for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(json_strings(v) for v in value)
    return ""


def names_list() -> str:
    lines = (ROOT / "packaging" / "font_names.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#"))


SOURCES = {
    "built-in data": lambda: "\n".join(
        [json_strings(json.loads(p.read_text(encoding="utf-8"))) for p in sorted((ROOT / "resources/seed").glob("*.json"))]
        + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "resources/seed").glob("*.txt"))]),
    "UI and db strings": lambda: "\n".join(string_literals(p) for folder in ("desktop", "db")
                                           for p in sorted((ROOT / folder).rglob("*.py"))),
    "user guide": lambda: "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "resources/guide").glob("*.md"))),
    "surnames and Chongqing place names": names_list,
}


def needed(text: str) -> set[str]:
    return {c for c in text if not c.isspace() and unicodedata.category(c)[0] != "C" or c == "\u200d"} - {"\ufeff"}


def cmap(name: str) -> set[str]:
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS / name, lazy=True)
    try:
        return {chr(cp) for cp in font.getBestCmap()}
    finally:
        font.close()


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("font", SANS)
def test_bundled_sans_covers_what_the_app_draws(font, source):
    text = SOURCES[source]()
    chars = needed(text)
    assert len(chars) > 100, f"{source}: suspiciously few characters read"
    missing = sorted(chars - cmap(font) - NOT_IN_SOURCE_FONT.keys())
    assert missing == [], f"{font} lacks {len(missing)} characters of the {source}: {''.join(missing)} " + \
        " ".join(f"U+{ord(c):04X}" for c in missing[:20])


def test_names_list_has_surnames_and_chongqing_places():
    text = names_list()
    for word in ("欧阳", "诸葛", "司马", "渝北区", "綦江区", "北碚区", "洛碛镇", "黄桷坪", "石柱土家族自治县"):
        assert word in text
    assert "碛" in cmap(SANS[0])  # 洛碛: outside what a careless subset would keep


def test_allowed_gaps_are_not_chinese_and_autohint_characters_are_kept():
    for ch in NOT_IN_SOURCE_FONT:
        assert not ("\u3400" <= ch <= "\u9fff"), ch
    for font in SANS:
        chars = cmap(font)
        assert set(AUTOHINT) <= chars, font
        assert "渝" in chars and "犇" in chars and "堃" in chars


def test_a_missing_character_would_be_noticed():
    """The check can fail: a character outside GB2312 that no source uses is not in the subset."""
    assert "𠀀" not in cmap(SANS[0])
    assert "鿏" not in cmap(SANS[0])  # a 2016 addition (CJK Unified Ideographs), never in GB2312
