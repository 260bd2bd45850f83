"""现场照片 in the project detail pane: thumbnails (newest reporting date first), 添加照片… and drag-and-drop of
JPEG/PNG files, full view on double-click. Files are checked and downscaled by desktop.photo_image before db."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QListView, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from db import PolicyTrackError, photos
from desktop import dialogs
from desktop.app import AppContext

THUMB = 120
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


class PhotoView(QDialog):
    """One photo at full stored size, with its caption and date."""

    def __init__(self, data: bytes, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        self.image = QLabel()
        pix = QPixmap()
        pix.loadFromData(data, "JPEG")
        self.image.setPixmap(pix)
        scroll = QScrollArea()
        scroll.setWidget(self.image)
        lay.addWidget(scroll, 1)
        lay.addWidget(QLabel(title))
        self.resize(min(pix.width() + 40, 1200), min(pix.height() + 80, 900))


class PhotoStrip(QWidget):
    """The photos of one project (``show_project``)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.project_id: int | None = None
        self.rows: list[dict] = []
        self._icons: dict[tuple[int, str], QIcon] = {}  # (photo id, sha256) -> thumbnail, decoded once
        self.setAcceptDrops(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        bar = QHBoxLayout()
        self.add_button = QPushButton("添加照片…")
        self.add_button.setToolTip("JPEG 或 PNG；长边缩到 1600 像素以内后存入数据库。也可以把照片文件拖到这里。")
        self.add_button.clicked.connect(self.choose_files)
        bar.addWidget(self.add_button)
        self.summary = QLabel()
        bar.addWidget(self.summary, 1)
        lay.addLayout(bar)
        self.model = QStandardItemModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 24, THUMB + 44))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list.doubleClicked.connect(self._open_index)
        lay.addWidget(self.list, 1)

    def show_project(self, project_id: int | None) -> None:
        self.project_id = project_id
        self.refresh()

    def refresh(self) -> None:
        from desktop.photo_image import thumbnail

        self.model.clear()
        self.rows = photos.list_for(self.ctx.db, self.project_id) if self.project_id is not None else []
        for r in self.rows:
            key = (r["id"], r["sha256"])
            icon = self._icons.get(key)
            if icon is None:
                icon = self._icons[key] = QIcon(thumbnail(photos.image(self.ctx.db, r["id"]), THUMB))
            item = QStandardItem(icon, f"{r['as_of']}\n{r['caption'] or '（无说明）'}")
            item.setEditable(False)
            item.setData(r["id"], Qt.ItemDataRole.UserRole)
            item.setToolTip(f"{r['caption']}\n{r['as_of']} · {r['width']}×{r['height']} 像素 · "
                            f"{r['bytes'] // 1024} KB · {r['recorded_by']}")
            self.model.appendRow(item)
        self.summary.setText(f"共 {len(self.rows)} 张（双击查看大图）" if self.rows else "还没有现场照片")
        self.add_button.setEnabled(self.project_id is not None)

    def count(self) -> int:
        return self.model.rowCount()

    def _open_index(self, index) -> None:
        pid = index.data(Qt.ItemDataRole.UserRole)
        r = next(x for x in self.rows if x["id"] == pid)
        view = PhotoView(photos.image(self.ctx.db, pid), f"{r['as_of']} {r['caption']}", self)
        view.exec()
        view.deleteLater()

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "添加现场照片", str(Path.home()), "图片 (*.jpg *.jpeg *.png)")
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[str], caption: str | None = None, as_of: dt.date | None = None) -> list[int]:
        """Check, downscale and store each file (each its own write); refusals are shown, the rest kept."""
        from desktop.photo_image import prepare

        if self.project_id is None:
            return []
        if caption is None:
            caption = dialogs.ask_text(self, "照片说明", "照片说明（可不填）：")
            if caption is None:
                return []
        day = as_of or self.ctx.as_of
        added, refused = [], []
        for path in paths:
            try:
                data, w, h = prepare(path)
                added.append(photos.add(self.ctx.db, project_id=self.project_id, as_of=day, image=data, width=w,
                                        height=h, caption=caption))
            except (PolicyTrackError, OSError) as exc:
                refused.append(str(exc) if isinstance(exc, PolicyTrackError) else f"{Path(path).name}：{exc}")
        self.refresh()
        if refused:
            dialogs.show_error(self, "照片未保存", "\n".join(refused))
        return added

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.project_id is not None and any(u.toLocalFile().lower().endswith(IMAGE_SUFFIXES)
                                               for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt override)
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.toLocalFile().lower().endswith(IMAGE_SUFFIXES)]
        if paths:
            event.acceptProposedAction()
            self.add_files(paths)
