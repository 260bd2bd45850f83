"""The frozen bundle and the .deb, built from a clean copy of the checkout and run the way an office PC runs them.

PyInstaller runs once per session (module-scoped fixture, about a minute); every test then starts the frozen
executable in a fresh home folder, offscreen, with no Python, no source tree and no system CJK font in sight.
Skip them locally with ``pytest -m "not installer"``; CI runs them.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import desktop
from desktop.cli import build_parser
from desktop.commands import MODULES

pytestmark = pytest.mark.installer

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
                                ".ruff_cache", "bench-out")
BUILTIN_RATES = {"区级重点项目": 55.6, "市级重大项目": 57.2}  # README: 完成率 55.6% / 57.2% as of 2023-06-30
UNUSED_QT = ("Qt6Qml", "Qt6Quick", "Qt6WebEngine", "Qt63D", "Qt6Multimedia", "Qt6Pdf", "Qt6Network", "Qt6Sql",
             "Qt6Designer", "tkinter", "libtk", "libtcl")
LOCK = Path("/tmp/policytrack-dpkg-test.lock")


# --- helpers --------------------------------------------------------------------------------------------------------

def clean_copy(dest: Path) -> Path:
    """The files a fresh checkout would have (tracked plus new, unignored files), without build output or caches."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                                capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: copy the tree minus the usual debris
        shutil.copytree(ROOT, dest, ignore=IGNORE, symlinks=True)
        return dest
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():  # a file deleted in the working tree but still in the index is skipped
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def user_env(home: Path, **extra: str) -> dict[str, str]:
    """A login with nothing set up: its own HOME, no XDG folders, no POLICYTRACK_DB, no PYTHONPATH, no display."""
    home.mkdir(parents=True, exist_ok=True)
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
    env.update(extra)
    return env


def command_names() -> list[str]:
    """The sub-commands as typed (a module import_xlsx may register import-xlsx)."""
    import argparse

    return [name for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction)
            for name in action.choices]


def run(cmd: list, env: dict, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def rates(summary_json: str) -> dict[str, float]:
    data = json.loads(summary_json)
    return {p["name"]: round(p["completion_rate"] * 100, 1) for p in data["portfolios"]}


def tree_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under folder with its size and modification time: to show that running changes nothing there."""
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


def empty_fontconfig(tmp: Path) -> dict[str, str]:
    """Environment that hides every system font from fontconfig: only the fonts the app brings can draw text."""
    conf = tmp / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig><cachedir>{tmp / 'fc-cache'}</cachedir></fontconfig>\n", encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}


def pixels(png: Path):
    """The picture as a numpy array of 0xAARRGGBB values (Qt reads the PNG; numpy comes with matplotlib)."""
    import numpy as np
    from PySide6.QtGui import QImage

    img = QImage(str(png))
    assert not img.isNull(), f"{png} is not a readable image"
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    return np.frombuffer(img.constBits(), np.uint32, img.width() * img.height()).reshape(img.height(),
                                                                                           img.width()).copy()


def schema_of(path: Path) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


# --- fixtures -------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return clean_copy(tmp_path_factory.mktemp("checkout"))


@pytest.fixture(scope="module")
def bundle(source, tmp_path_factory) -> Path:
    """dist/policytrack/ built by packaging/build.sh --bundle-only (PyInstaller on build_installer.spec)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the bundle tests drive packaging/build.sh (bash) on Linux")
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed")
    out = tmp_path_factory.mktemp("dist")
    start = time.perf_counter()
    done = subprocess.run(["bash", "packaging/build.sh", "--bundle-only", "--out", str(out)], cwd=source,
                          env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    print(f"bundle built in {time.perf_counter() - start:.0f} s")
    return out / "policytrack"


# --- the bundle -----------------------------------------------------------------------------------------------------

def test_frozen_summary_on_a_fresh_database_reproduces_the_builtin_figures(bundle, tmp_path):
    home = tmp_path / "home"
    before = tree_state(bundle)
    out = run([bundle / "policytrack", "summary", "--json"], user_env(home), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert rates(out.stdout) == BUILTIN_RATES
    assert json.loads(out.stdout)["as_of"] == "2023-06-30"
    # The database went to the per-user data folder, and nothing was written inside the install folder.
    assert (home / ".local/share/PolicyTrack/policytrack.db").stat().st_size > 0
    out = run([bundle / "policytrack", "summary", "--as-of", "2023-06-30"], user_env(home), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "区级重点项目：197 个" in out.stdout and "完成率 55.6%" in out.stdout and "完成率 57.2%" in out.stdout
    assert tree_state(bundle) == before
    assert not list(bundle.rglob("*.db"))


def test_frozen_version_help_and_refusal(bundle, tmp_path):
    env = user_env(tmp_path / "home")
    out = run([bundle / "policytrack", "--version"], env, cwd=tmp_path)
    assert out.stdout.strip() == f"PolicyTrack {desktop.__version__}"
    # Sub-commands are imported by name at run time: each one must have been bundled.
    out = run([bundle / "policytrack", "--help"], env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    names = command_names()
    assert len(names) >= len(MODULES)
    missing = [n for n in names if not re.search(rf"^\s+{re.escape(n)}\s", out.stdout, re.MULTILINE)]
    assert missing == [], out.stdout
    assert out.stdout.startswith("用法：policytrack") and "usage:" not in out.stdout   # argparse in Chinese
    out = run([bundle / "policytrack", "summary", "--as-of", "2023-02-30"], env, cwd=tmp_path)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "2023-02-30" in out.stderr


def test_bundle_carries_all_resources_and_leaves_out_unused_qt(bundle, source):
    internal = bundle / "_internal"
    shipped = [p for p in (source / "resources").rglob("*")
               if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts]
    assert len(shipped) > 5
    for p in shipped:
        copy = internal / p.relative_to(source)
        assert copy.is_file() and copy.read_bytes() == p.read_bytes(), copy
    names = [p.name for p in internal.rglob("*")]
    assert [n for n in names if any(u in n for u in UNUSED_QT)] == []
    translations = [n for n in names if n.endswith(".qm")]
    assert "qtbase_zh_CN.qm" in translations and all("_zh_CN" in n for n in translations)
    # Where desktop.translations.install_translations looks first in a frozen bundle (sys._MEIPASS/PySide6/...).
    assert (internal / "PySide6" / "Qt" / "translations" / "qtbase_zh_CN.qm").is_file()
    dangling = [str(p) for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []


# Left out for size (docs/PACKAGING.md, "What the bundle weighs"); the frozen commands below show nothing needs them.
# (The libraries only these pieces loaded, OpenSSL's among them, go with them; which ones depends on the distribution.)
LEFT_OUT = ("_ssl.", "_hashlib.", "readline.", "_avif.", "_webp.", "libavif", "libwebp", "libqtiff.", "libqwebp.",
            "objectify.", "STIXGeneral.ttf", "cmr10.ttf", "DejaVuSerif.ttf", "libcups.so", "QtDBus.abi3.so")


def test_bundle_leaves_out_what_nothing_uses_and_keeps_what_is_used(bundle):
    internal = bundle / "_internal"
    names = [p.name for p in internal.rglob("*")]
    assert [n for n in names if any(x in n for x in LEFT_OUT)] == []
    # Kept: matplotlib's fallback fonts, Qt's JPEG/SVG/ICO readers, the CUPS plugin (libcups comes from the system).
    ttf = internal / "matplotlib/mpl-data/fonts/ttf"
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LastResortHE-Regular.ttf"} <= {p.name for p in ttf.iterdir()}
    formats = {p.name for p in (internal / "PySide6/Qt/plugins/imageformats").iterdir()}
    assert {"libqjpeg.so", "libqsvg.so", "libqico.so"} <= formats
    assert (internal / "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so").is_file()
    # ICU's data cut to what Qt uses (packaging/icu_data.py), and no library left without its debug info stripped.
    icudata = next(internal.rglob("libicudata.so.*"))
    assert icudata.stat().st_size < 8 * 2**20


def test_trimmed_icu_answers_like_the_full_one(bundle, tmp_path):
    """Collation, time-zone names and code converters, asked through Qt, with the bundle's ICU data library in
    place of PySide6's full one (same ICU version: the bundle's comes from the same wheel)."""
    icudata = [p for p in (bundle / "_internal").rglob("libicudata.so.*") if not p.is_symlink()]
    if not icudata:
        pytest.skip("no ICU library in this bundle (Qt without ICU, or not Linux)")
    libdir = tmp_path / "icu"
    libdir.mkdir()
    shutil.copy(icudata[0], libdir / icudata[0].name)
    script = (
        "from PySide6.QtCore import QCoreApplication, QCollator, QLocale, QStringDecoder, QTimeZone\n"
        "app = QCoreApplication([])\n"
        "words = ['重庆', '渝北', '北碚', '安居', '阿里', '张三', '章程', 'Zeta', 'alpha', 'Beta', '项目10', '项目2',"
        " '綦江', '长寿', '重要', '银行', 'ä', 'Éclair']\n"
        "for loc in ('zh_CN', 'en_US', 'C'):\n"
        "    c = QCollator(QLocale(loc)); print(loc, sorted(words, key=c.sortKey))\n"
        "    c.setNumericMode(True); print(loc, sorted(words, key=c.sortKey))\n"
        "for name in ('GB18030', 'GBK', 'GB2312', 'Big5', 'windows-1252', 'ISO-8859-15', 'KOI8-R'):\n"
        "    d = QStringDecoder(name); print(name, d.isValid(), d.name())\n"
        "for tz in (b'Asia/Shanghai', b'Asia/Chongqing', b'Europe/Berlin', b'UTC'):\n"
        "    z = QTimeZone(tz)\n"
        "    for loc in ('zh_CN', 'en_US'):\n"
        "        print(tz, loc, [z.displayName(QTimeZone.TimeType.StandardTime, t, QLocale(loc))"
        " for t in (QTimeZone.NameType.LongName, QTimeZone.NameType.ShortName, QTimeZone.NameType.OffsetName)])\n"
        "print(QLocale('zh_CN').toUpper('straße'), QLocale('tr_TR').toUpper('i'))\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("LD_LIBRARY_PATH", None)
    full = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    cut = subprocess.run([sys.executable, "-c", script], env={**env, "LD_LIBRARY_PATH": str(libdir)},
                         capture_output=True, text=True, timeout=120)
    assert full.returncode == 0 and cut.returncode == 0, full.stderr + cut.stderr
    assert "中国标准时间" in full.stdout and "'阿里', '安居', '北碚'" in full.stdout  # pinyin order, Chinese names
    assert cut.stdout == full.stdout


def test_frozen_window_starts_offscreen_without_error(bundle, tmp_path):
    home = tmp_path / "home"
    db = home / ".local/share/PolicyTrack/policytrack.db"
    proc = subprocess.Popen([str(bundle / "policytrack")], env=user_env(home), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while not db.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # the window is built right after the database is opened
        still_running = proc.poll() is None
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert still_running, err
    assert db.exists()
    assert "Traceback" not in err, err
    log = home / ".local/share/PolicyTrack/logs/policytrack.log"
    assert not log.exists() or "unhandled exception" not in log.read_text(encoding="utf-8")


def _screenshots(exe: Path, out: Path, db: Path, env: dict, cwd: Path) -> dict[str, Path]:
    done = run([exe, "screenshot", out, "--db", db, "--as-of", "2023-06-30", "--size", "1280x800"], env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return {Path(line).stem: Path(line) for line in done.stdout.split()}


def _database_with_renamed_node(path: Path, name: str) -> None:
    from db import clusters, open_database, plan, seed

    db = open_database(path)
    try:
        seed.load_builtin(db)
        first_tier = clusters.tree(db, plan.current_plan_year(db)["id"])[0].children[0]
        clusters.rename(db, first_tier.id, name)
    finally:
        db.close()


def test_frozen_screenshot_draws_chinese_with_the_bundled_font(bundle, source, tmp_path):
    if "screenshot" not in MODULES:
        pytest.skip("`policytrack screenshot` is not on this branch yet")
    import numpy as np

    from desktop.main_window import TAB_CLASSES

    exe = bundle / "policytrack"
    env = user_env(tmp_path / "home", **empty_fontconfig(tmp_path))  # no system font at all, CJK or not

    # Every tab to a PNG of the asked size with something on it, on a fresh database.
    shots = _screenshots(exe, tmp_path / "fresh", tmp_path / "fresh.db", env, tmp_path)
    tabs = {k: v for k, v in shots.items() if not k.startswith("dialog-")}
    assert set(tabs) == {cls.key for cls in TAB_CLASSES}
    assert set(shots) - set(tabs) == {"dialog-record", "dialog-target", "dialog-import-preview"}
    for png in tabs.values():
        img = pixels(png)
        assert img.shape == (800, 1280)
        assert len(set(img[::7, ::7].ravel().tolist())) > 20, f"{png.name} is blank"

    # Glyphs, not boxes: two databases differing only in one cluster's name, 渝 six times in one and 网 six times in
    # the other. Drawn with a CJK font the pictures differ in that cell and nowhere else; as missing glyphs both are
    # the same row of boxes. The same file path is used for both, so the status bar reads the same.
    db = tmp_path / "shot.db"
    pictures = {}
    for text in ("渝渝渝渝渝渝", "网网网网网网"):
        _database_with_renamed_node(tmp_path / f"{text[0]}.db", text)
        shutil.copy(tmp_path / f"{text[0]}.db", db)
        pictures[text[0]] = _screenshots(exe, tmp_path / text[0], db, env, tmp_path)
    changed = (pixels(pictures["渝"]["clusters"]) != pixels(pictures["网"]["clusters"])).nonzero()
    assert len(changed[0]) > 100, "渝 and 网 drew the same picture: missing glyphs"
    assert np.ptp(changed[0]) < 40 and np.ptp(changed[1]) < 400, "more than the renamed cell changed"

    # The control shows the check can fail: the same bundle with a Latin-only font in place of the bundled CJK one
    # (matplotlib's DejaVu Sans, which the bundle carries) draws both names as identical boxes.
    latin = tmp_path / "latin-bundle"
    shutil.copytree(bundle, latin, symlinks=True, copy_function=os.link)
    dejavu = latin / "_internal/matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf"
    for font in (latin / "_internal/resources/fonts").glob("*.ttf"):
        font.unlink()
        shutil.copy(dejavu, font)
    boxes = {}
    for ch in ("渝", "网"):
        shutil.copy(tmp_path / f"{ch}.db", db)
        boxes[ch] = _screenshots(latin / "policytrack", tmp_path / f"latin-{ch}", db, env, tmp_path)
    assert (pixels(boxes["渝"]["clusters"]) == pixels(boxes["网"]["clusters"])).all()

    # And the frozen app draws what the source draws, pixel for pixel (styles, icons, image plugins all present).
    shutil.copy(tmp_path / "渝.db", db)
    src = run([sys.executable, "-P", "-m", "desktop", "screenshot", tmp_path / "source", "--db", db,
               "--as-of", "2023-06-30", "--size", "1280x800"], {**env, "PYTHONPATH": str(source)}, cwd=tmp_path)
    assert src.returncode == 0, src.stderr
    for key, png in pictures["渝"].items():
        frozen, from_source = pixels(png), pixels(tmp_path / "source" / f"{key}.png")
        assert (frozen != from_source).mean() < 0.001, key


def test_frozen_report_writes_a_pdf_with_real_chinese_text(bundle, tmp_path):
    if "report" not in MODULES:
        pytest.skip("`policytrack report` is not on this branch yet")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    env = user_env(tmp_path / "home", **empty_fontconfig(tmp_path))
    pdf = tmp_path / "简报.pdf"
    out = run([bundle / "policytrack", "report", pdf, "--as-of", "2023-06-30"], env, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "区级重点项目" in text and "55.6%" in text and "市级重大项目" in text


def test_frozen_report_writes_a_docx_like_the_source(bundle, source, tmp_path):
    """python-docx reads its part templates beside its modules (docx/parts/../templates): the bundle keeps them."""
    if "report" not in MODULES:
        pytest.skip("`policytrack report` is not on this branch yet")
    import zipfile

    env = user_env(tmp_path / "home")
    db = tmp_path / "a.db"
    out = run([bundle / "policytrack", "report", tmp_path / "frozen.docx", "--as-of", "2023-06-30", "--db", db], env,
              cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    src = run([sys.executable, "-P", "-m", "desktop", "report", tmp_path / "source.docx", "--as-of", "2023-06-30",
               "--db", db], {**env, "PYTHONPATH": str(source)}, cwd=tmp_path, timeout=300)
    assert src.returncode == 0, src.stderr
    with zipfile.ZipFile(tmp_path / "frozen.docx") as f, zipfile.ZipFile(tmp_path / "source.docx") as g:
        body = f.read("word/document.xml")
        assert body == g.read("word/document.xml")
        assert "区级重点项目".encode() in body


def _commit_with_older_schema(current: int) -> tuple[str, int] | None:
    """The newest commit of the main line whose db/schema.py stops below the current schema version, and that
    version. Only first parents: a version users ran is a commit of main, not one of a branch merged into it (a
    branch's migrations may be numbered past ones it does not have, which main had to land first)."""
    try:
        commits = subprocess.run(["git", "rev-list", "--first-parent", "HEAD", "--", "db/schema.py"], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    for commit in commits:
        text = subprocess.run(["git", "show", f"{commit}:db/schema.py"], cwd=ROOT, capture_output=True,
                              text=True).stdout
        versions = [int(v) for v in re.findall(r"^@migration\((\d+)", text, re.MULTILINE)]
        if versions and max(versions) < current:
            return commit, max(versions)
    return None


def test_frozen_app_migrates_a_database_made_by_an_older_version(bundle, tmp_path):
    from db import backups
    from db.schema import SCHEMA_VERSION

    older = _commit_with_older_schema(SCHEMA_VERSION)
    if older is None:
        pytest.skip(f"no commit in this history has a schema older than {SCHEMA_VERSION}, so there is no older "
                    "version to upgrade from; tests/db/test_open.py covers backup-then-migrate from the source")
    commit, old_version = older
    old = tmp_path / "old-version"
    old.mkdir()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)

    # The older version makes the user's database (in the per-user folder, as an installed copy would) ...
    home = tmp_path / "home"
    db = home / ".local/share/PolicyTrack/policytrack.db"
    made = run([sys.executable, "-P", "-m", "desktop", "summary", "--json"],
               {**user_env(home), "PYTHONPATH": str(old)}, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert schema_of(db) == old_version

    # ... and the newer frozen app, installed over it, opens it: backup first, then migration, figures unchanged.
    out = run([bundle / "policytrack", "summary", "--json"], user_env(home), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert rates(out.stdout) == rates(made.stdout) == BUILTIN_RATES
    assert schema_of(db) == SCHEMA_VERSION
    taken = [b for b in backups.list_backups(db) if b.reason == "migration"]
    assert len(taken) == 1 and schema_of(taken[0].path) == old_version


# --- the .deb -------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _dpkg_lock():
    """One package test at a time on this machine (parallel sessions would fight over dpkg and /opt)."""
    with open(LOCK, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _dpkg_status() -> str:
    """'install ok installed', 'deinstall ok config-files', … or '' when dpkg has never heard of the package."""
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "policytrack"], capture_output=True, text=True)
    return status.stdout.strip() if status.returncode == 0 else ""


def _installed() -> bool:
    return _dpkg_status().endswith(" installed")


def test_deb_installs_runs_from_path_and_removal_keeps_user_data(bundle, source, tmp_path):
    missing = [t for t in ("dpkg", "dpkg-deb", "dpkg-shlibdeps") if shutil.which(t) is None]
    if missing or os.geteuid() != 0:
        pytest.skip(f"needs root and dpkg-dev (missing: {missing or 'root'})")
    out = tmp_path / "deb"
    built = subprocess.run(["bash", "packaging/build.sh", "--bundle", str(bundle), "--out", str(out), "--fast"],
                           cwd=source, env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True,
                           timeout=1200)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-5000:]
    (deb,) = out.glob("policytrack_*.deb")
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Package", "Version", "Depends"], capture_output=True,
                            text=True, check=True).stdout
    assert f"Version: {desktop.__version__}" in fields and "libxcb-cursor0" in fields and "libc6" in fields

    with _dpkg_lock():
        if _installed() or Path("/opt/policytrack").exists() or Path("/usr/bin/policytrack").exists():
            pytest.skip("PolicyTrack is already installed on this machine; not touching it")
        home = tmp_path / "home"
        try:
            done = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stdout + done.stderr
            env = user_env(home)
            assert shutil.which("policytrack", path=env["PATH"]) == "/usr/bin/policytrack"
            installed = tree_state(Path("/opt/policytrack"))
            out = run(["policytrack", "summary", "--json"], env, cwd=tmp_path)
            assert out.returncode == 0, out.stderr
            assert rates(out.stdout) == BUILTIN_RATES
            if "screenshot" in MODULES:  # Qt on the distribution's X11/fontconfig/freetype libraries, not bundled ones
                shot = run(["policytrack", "screenshot", tmp_path / "shots"], env, cwd=tmp_path)
                assert shot.returncode == 0, shot.stderr
                assert all(Path(p).stat().st_size > 10_000 for p in shot.stdout.split())
            assert tree_state(Path("/opt/policytrack")) == installed
            entry = Path("/usr/share/applications/policytrack.desktop").read_text(encoding="utf-8")
            assert "Name[zh_CN]=政策跟踪" in entry and "Exec=policytrack" in entry and "Icon=policytrack" in entry
            icon = Path("/usr/share/icons/hicolor/256x256/apps/policytrack.png")
            assert icon.read_bytes().startswith(b"\x89PNG")

            done = subprocess.run(["dpkg", "-r", "policytrack"], capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stdout + done.stderr
            assert not _installed()
            for gone in ("/usr/bin/policytrack", "/opt/policytrack", "/usr/share/applications/policytrack.desktop"):
                assert not os.path.lexists(gone), gone
        finally:
            if _dpkg_status():
                subprocess.run(["dpkg", "--purge", "policytrack"], capture_output=True, timeout=600)
    # The user's data stayed where it was, whole.
    db = home / ".local/share/PolicyTrack/policytrack.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM project").fetchone()[0] > 0
    finally:
        con.close()
