"""现场照片: a photo added by CLI is stored downscaled, shows in the detail pane and survives an exchange; broken,
huge and mislabelled files are refused with one line, exit 2, nothing stored."""
from __future__ import annotations

import datetime as dt
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from db import open_database, photos, projects

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@pytest.fixture(scope="module")
def files(tmp_path_factory, qapp):
    from PySide6.QtGui import QColor, QImage, QPainter

    d = tmp_path_factory.mktemp("photos")
    img = QImage(4000, 3000, QImage.Format.Format_RGB888)
    img.fill(QColor("#4a7bb7"))
    p = QPainter(img)
    p.fillRect(800, 1200, 2400, 1200, QColor("#777777"))
    p.end()
    assert img.save(str(d / "site.jpg"), "JPEG", 90)
    data = (d / "site.jpg").read_bytes()
    (d / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (d / "notes.jpg").write_text("这是一个文本文件\n", encoding="utf-8")
    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    (d / "huge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
                                 + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _png_chunk(b"IEND", b""))
    return d


def _stored(db_path):
    db = open_database(db_path)
    try:
        return db.scalar("SELECT count(*) FROM project_photo"), db.scalar("SELECT count(*) FROM audit_log")
    finally:
        db.close()


def test_photo_added_by_cli_is_downscaled_and_listed(files, tmp_path):
    db = str(tmp_path / "p.db")
    out = run("photo", "add", "--db", db, "--project", "长安汽车渝北新工厂", "--as-of", "2023-07-31",
              "--caption", "厂房主体施工", str(files / "site.jpg"))
    assert out.returncode == 0, out.stderr
    [row] = json.loads(run("photo", "list", "--db", db, "--project", "长安汽车渝北新工厂", "--json").stdout)
    assert list(row) == ["id", "project", "as_of", "caption", "width", "height", "bytes"]
    assert (row["project"], row["as_of"], row["caption"], row["width"], row["height"]) == (
        "长安汽车渝北新工厂", "2023-07-31", "厂房主体施工", 1600, 1200)
    d = open_database(db)
    try:
        data = photos.image(d, row["id"])
    finally:
        d.close()
    assert data.startswith(b"\xff\xd8\xff") and len(data) == row["bytes"] < (files / "site.jpg").stat().st_size


@pytest.mark.parametrize("name, words", [("truncated.jpg", "不完整"), ("huge.png", "20000×20000"),
                                         ("notes.jpg", "不是 JPEG 或 PNG")])
def test_bad_files_are_refused_with_one_line_and_nothing_stored(files, tmp_path, name, words):
    db = str(tmp_path / "p.db")
    assert run("summary", "--db", db).returncode == 0
    before = _stored(db)
    out = run("photo", "add", "--db", db, "--project", "长安汽车渝北新工厂", "--as-of", "2023-07-31",
              str(files / name))
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and name in lines[0] and "Traceback" not in out.stderr
    assert _stored(db) == before


def test_photo_shows_in_the_detail_pane(files, ctx, qtbot, monkeypatch):
    from desktop import dialogs
    from desktop.main_window import MainWindow

    w = MainWindow(ctx, restore_state=False)
    qtbot.addWidget(w)
    tab = w.tab_widgets["board"]
    pid = projects.find(ctx.db, "长安汽车渝北新工厂")["id"]
    tab.detail.show_project(pid)
    strip = tab.detail.photos
    assert strip.count() == 0 and "还没有" in strip.summary.text()
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: errors.append(text))
    added = strip.add_files([str(files / "site.jpg"), str(files / "notes.jpg")], caption="厂房主体施工",
                            as_of=dt.date(2023, 7, 31))
    assert len(added) == 1 and len(errors) == 1 and "notes.jpg" in errors[0]
    tab.detail.show_project(None)
    tab.detail.show_project(pid)
    assert strip.count() == 1
    item = strip.model.item(0)
    assert "厂房主体施工" in item.text() and "2023-07-31" in item.text()
    assert not item.icon().isNull()
    w.close()


def test_photo_survives_an_exchange(files, tmp_path):
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    assert run("photo", "add", "--db", a, "--project", "长安汽车渝北新工厂", "--as-of", "2023-07-31",
               "--caption", "厂房主体施工", str(files / "site.jpg")).returncode == 0
    assert run("summary", "--db", b).returncode == 0
    ptx = str(tmp_path / "x.ptx")
    assert run("exchange", "export", "--db", a, ptx, "--unit", "全部").returncode == 0
    out = run("exchange", "import", "--db", b, ptx)
    assert out.returncode == 0, out.stderr
    listed = [json.loads(run("photo", "list", "--db", d, "--project", "长安汽车渝北新工厂", "--json").stdout)
              for d in (a, b)]
    strip = [[{k: v for k, v in r.items() if k != "id"} for r in rows] for rows in listed]
    assert strip[0] == strip[1] and len(strip[1]) == 1
    assert "没有新的数据" in run("exchange", "import", "--db", b, ptx).stdout


def test_double_click_opens_the_full_view(files, ctx, qtbot, monkeypatch):
    from desktop.photo_strip import PhotoStrip, PhotoView

    strip = PhotoStrip(ctx)
    qtbot.addWidget(strip)
    strip.show_project(projects.find(ctx.db, "长安汽车渝北新工厂")["id"])
    strip.add_files([str(files / "site.jpg")], caption="厂区全景", as_of=dt.date(2023, 7, 31))
    shown = []
    monkeypatch.setattr(PhotoView, "exec", lambda self: shown.append(self.image.pixmap().size()) or 0)
    strip._open_index(strip.model.index(0, 0))
    assert shown and (shown[0].width(), shown[0].height()) == (1600, 1200)
