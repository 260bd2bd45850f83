"""Preparing a site photo for the database: read safely, refuse what is broken or huge, downscale, recompress.

Before any pixel is decoded: the file's size is capped, its first bytes must be those of a JPEG or a PNG (a text
file renamed .jpg is refused), the end must be there (a truncated JPEG or PNG is refused) and the dimensions the
header announces are checked against a pixel cap (a 20000×20000 PNG is refused without allocating it). Decoding
then runs with Qt's allocation limit, and the image is scaled to at most 1600 px on its long side and saved as JPEG.
"""
from __future__ import annotations

from pathlib import Path

from db import photos
from db.errors import PolicyTrackError

MAX_FILE_BYTES = 40 * 1024 * 1024     # what a camera or phone writes, with room to spare
MAX_PIXELS = 80_000_000               # announced width × height (a 108 MP phone photo is refused too)
MAX_SIDE_IN = 16_384
JPEG_QUALITY = 85


class PhotoRefused(PolicyTrackError):
    """A file that is not a usable photo: one line naming the file and why; nothing stored."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(f"{Path(path).name}：{reason}，没有保存任何照片")
        self.reason = reason


def _kind(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def _complete(kind: str, data: bytes) -> bool:
    """Whether the file has its end: a JPEG's end-of-image marker after its last scan, a PNG's IEND chunk."""
    if kind == "jpeg":
        last_scan = data.rfind(b"\xff\xda")
        return last_scan >= 0 and data.rfind(b"\xff\xd9") > last_scan
    return data.rfind(b"IEND") >= len(data) - 64


def prepare(path: str | Path) -> tuple[bytes, int, int]:
    """(JPEG bytes, width, height) ready for ``db.photos.add``, or PhotoRefused."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
    from PySide6.QtGui import QColor, QImage, QImageReader, QPainter

    p = Path(path)
    size = p.stat().st_size  # OSError (missing file) is the caller's one line
    if size == 0:
        raise PhotoRefused(p, "文件是空的")
    if size > MAX_FILE_BYTES:
        raise PhotoRefused(p, f"文件太大（{size / 1024 / 1024:.1f} MB，最多 {MAX_FILE_BYTES // 1024 // 1024} MB）")
    data = p.read_bytes()
    kind = _kind(data[:16])
    if kind is None:
        raise PhotoRefused(p, "不是 JPEG 或 PNG 图片（文件内容与扩展名不符）")
    if not _complete(kind, data):
        raise PhotoRefused(p, "图片文件不完整（可能传输中断），请重新获取原图")
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buf, b"jpeg" if kind == "jpeg" else b"png")
    reader.setAutoTransform(True)
    announced = reader.size()
    w, h = announced.width(), announced.height()
    if w <= 0 or h <= 0:
        raise PhotoRefused(p, "无法读取图片尺寸（文件可能已损坏）")
    if w > MAX_SIDE_IN or h > MAX_SIDE_IN or w * h > MAX_PIXELS:
        raise PhotoRefused(p, f"图片尺寸过大（{w}×{h} 像素，最多 {MAX_PIXELS // 1_000_000} 百万像素）")
    long_side = max(w, h)
    if long_side > photos.MAX_SIDE and kind == "jpeg":
        # Let the decoder scale while decoding (cheaper); the exact size is set below.
        f = photos.MAX_SIDE / long_side
        reader.setScaledSize(QSize(max(1, round(w * f)), max(1, round(h * f))))
    QImageReader.setAllocationLimit(512)  # MB: Qt refuses to allocate more for one image
    img = reader.read()
    if img.isNull():
        raise PhotoRefused(p, f"图片无法解码（{reader.errorString() or '文件已损坏'}）")
    if max(img.width(), img.height()) > photos.MAX_SIDE:
        img = img.scaled(photos.MAX_SIDE, photos.MAX_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)
    if img.hasAlphaChannel():  # JPEG has none: lay the picture on white
        flat = QImage(img.size(), QImage.Format.Format_RGB888)
        flat.fill(QColor("white"))
        painter = QPainter(flat)
        painter.drawImage(0, 0, img)
        painter.end()
        img = flat
    else:
        img = img.convertToFormat(QImage.Format.Format_RGB888)
    out = QBuffer()
    out.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(out, "JPEG", JPEG_QUALITY):
        raise PhotoRefused(p, "图片无法重新压缩")
    return bytes(out.data().data()), img.width(), img.height()


def thumbnail(data: bytes, side: int = 160):
    """A QPixmap of at most ``side`` px for a stored photo."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPixmap

    img = QImage.fromData(data, "JPEG")
    if img.isNull():
        return QPixmap()
    return QPixmap.fromImage(img.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation))
