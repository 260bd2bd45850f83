"""Packaging files that cannot be built here (the Windows installer) or need no build to check: their promises."""
from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

from desktop import console

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


@pytest.mark.parametrize("argv, expected", [
    ([], False),                                  # double-click, Start menu: the window
    (["--db", r"D:\数据\policytrack.db"], False),  # the window on another database
    (["--db=D:\\x.db"], False),
    (["summary"], True),
    (["--db", "x.db", "summary", "--json"], True),
    (["--help"], True),
    (["--version"], True),
    (["-h"], True),
    (["--bogus"], True),                          # the refusal must be readable in the console too
])
def test_console_is_wanted_for_commands_not_for_the_window(argv, expected):
    assert console.wants_console(argv) is expected


def test_console_attach_does_nothing_outside_the_frozen_windows_build():
    assert console.attach_parent_console(["summary"]) is False


def _iss_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith((";", "#")):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            current = m.group(1)
            continue
        sections.setdefault(current, []).append(line)
    return sections


def test_windows_installer_wraps_the_spec_bundle_and_never_names_user_data():
    text = (PACKAGING / "policytrack.iss").read_text(encoding="utf-8")
    spec = (ROOT / "build_installer.spec").read_text(encoding="utf-8")
    assert re.search(r'^NAME = "policytrack"', spec, re.MULTILINE)
    assert r'"..\dist\policytrack"' in text and r'"\policytrack.exe"' in text
    assert (ROOT / "resources/icons/policytrack.ico").is_file() and r"..\resources\icons\policytrack.ico" in text
    sections = _iss_sections(text)
    icons = " ".join(sections["Icons"])
    assert "{autoprograms}" in icons and "{autodesktop}" in icons and "政策跟踪" in text
    # Uninstalling or upgrading touches the program folder only: no data folder is named anywhere that deletes.
    deleting = " ".join(sections.get("InstallDelete", []) + sections.get("UninstallDelete", [])).lower()
    assert "{app}" in deleting
    for data_dir in ("localappdata", "userappdata", "appdata", "userdocs", "policytrack.db"):
        assert data_dir not in deleting


def test_linux_desktop_entry():
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(PACKAGING / "linux/policytrack.desktop", encoding="utf-8")
    e = entry["Desktop Entry"]
    assert e["Type"] == "Application" and e["Exec"] == "policytrack" and e["Icon"] == "policytrack"
    assert e["Name[zh_CN]"] == "政策跟踪" and e["Terminal"] == "false"
    assert e["Categories"].endswith(";")


def test_icons_exist_at_the_sizes_their_names_say(qapp):
    from PySide6.QtGui import QImage, QImageReader

    for size in (16, 24, 32, 48, 64, 128, 256):
        img = QImage(str(ROOT / f"resources/icons/policytrack-{size}.png"))
        assert (img.width(), img.height()) == (size, size)
        assert img.pixelColor(size // 2, size // 2).alpha() == 255  # drawn, not an empty canvas
    assert QImageReader(str(ROOT / "resources/icons/policytrack.ico")).imageCount() >= 5


def test_icu_package_is_rewritten_with_exactly_the_kept_items():
    """packaging/icu_data.py reads ICU's common-data package out of PySide6's libicudata and writes it back with the
    kept items only; the rebuilt package reads back with the same names and bytes (the bundle test checks that Qt
    answers the same with it)."""
    import shutil
    import sys

    if not sys.platform.startswith("linux") or shutil.which("readelf") is None:
        pytest.skip("ICU's data library and readelf: Linux with binutils")
    import PySide6

    libs = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not libs:
        pytest.skip("this PySide6 has no ICU data library")
    sys.path.insert(0, str(PACKAGING))
    try:
        import icu_data
    finally:
        sys.path.remove(str(PACKAGING))
    _, offset, size = icu_data._data_symbol(libs[0])
    header, items = icu_data.read_package(libs[0].read_bytes()[offset:offset + size])
    names = [n for n, _ in items]
    assert len(names) > 1000 and names == sorted(names)
    keep = [(n, d) for n, d in items if icu_data.kept(n, len(d))]
    kept_names = {n.split("/", 1)[1] for n, _ in keep}
    assert {"coll/zh.res", "coll/ucadata.icu", "zone/zh.res", "zoneinfo64.res", "gb18030.cnv", "cnvalias.icu",
            "windows-936-2000.cnv"} <= kept_names
    assert not {"brkitr/cjdict.dict", "coll/ja.res", "lang/zh.res", "curr/zh.res", "translit/root.res"} & kept_names
    header2, back = icu_data.read_package(icu_data.write_package(header, keep))
    assert header2 == header
    assert [n for n, _ in back] == [n for n, _ in keep]
    assert all(b[:len(d)] == d and not b[len(d):].strip(b"\0") for (_, d), (_, b) in zip(keep, back))
