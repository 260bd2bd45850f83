"""备份与恢复: the backups beside the database (time, kind, size), 立即备份 and 恢复.

The restore itself is db.backups.restore_into: it backs the current data up first, refuses while another
PolicyTrack holds the database, and tells every view through the database's change listeners.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from db import Database, PolicyTrackError, backups, backups_dir
from desktop import dialogs, formatting as fmt, operations

COL_TIME, COL_HOLDS, COL_KIND, COL_SIZE = range(4)
PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class BackupDialog(QDialog):
    """Lists the backups newest first; 立即备份 adds one, 恢复 puts the selected one back after asking."""

    restored = Signal(object)   # db.backups.RestoreResult
    before_restore = None       # callable(title) -> bool: may the restore go on? (unsaved typed figures)
    backed_up = Signal(object)  # db.backups.BackupInfo

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("备份与恢复")
        self.resize(640, 440)
        lay = QVBoxLayout(self)

        intro = QLabel("每天第一次打开、每次导入之前、编辑期间每 30 分钟自动备份；保留最近 24 小时的备份（最多 12 份）、"
                       "最近一个月每天一份、更早的每月一份，总大小不超过上限（数据库的 20 倍，最多 2 GB）。恢复前会先备份当前数据，随时可以再恢复回来。")
        intro.setWordWrap(True)
        lay.addWidget(intro)

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["备份时间", "数据截至", "类型", "大小"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_TIME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_HOLDS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_KIND, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_SIZE, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda *_: self.restore_selected())
        lay.addWidget(self.table, 1)

        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setStyleSheet("color: #5f6368;")
        self.folder_label.setWordWrap(True)
        lay.addWidget(self.folder_label)

        buttons = QHBoxLayout()
        self.backup_button = QPushButton("立即备份")
        self.restore_button = QPushButton("恢复…")
        self.folder_button = QPushButton("打开备份文件夹")
        self.close_button = QPushButton("关闭")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.folder_button.clicked.connect(self.open_folder)
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.close_button)
        lay.addLayout(buttons)
        self.refresh()

    # -- data ----------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        items = backups.list_backups(self.db.path) if self.db.path != ":memory:" else []
        self.backups = items
        self.table.setRowCount(len(items))
        for row, b in enumerate(items):
            when = QTableWidgetItem(b.taken_at.strftime("%Y-%m-%d %H:%M:%S"))
            when.setData(PATH_ROLE, str(b.path))
            when.setToolTip(str(b.path))
            # The time of the newest change it holds: a file's name can lie (a copy, a PC clock set wrong).
            holds = QTableWidgetItem(b.content_at.strftime("%Y-%m-%d %H:%M:%S") if b.content_at else "—")
            holds.setToolTip("备份中最后一次修改的时间" + ("（在未来：电脑时钟可能不准，请核对）" if b.future else ""))
            if b.future:
                holds.setForeground(Qt.GlobalColor.darkRed)
            kind = QTableWidgetItem(b.reason_label)
            size = QTableWidgetItem(fmt.file_size(b.size))
            size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for col, item in ((COL_TIME, when), (COL_HOLDS, holds), (COL_KIND, kind), (COL_SIZE, size)):
                self.table.setItem(row, col, item)
        if items:
            self.table.selectRow(0)
        folder = backups_dir(self.db.path) if self.db.path != ":memory:" else None
        if folder:
            used = sum(b.size for b in items)
            budget = backups.budget_bytes(self.db.path)
            self.folder_label.setText(f"备份文件夹：{folder}（共 {len(items)} 份，占用 {fmt.file_size(used)}，"
                                      f"上限 {fmt.file_size(budget)}）")
        else:
            self.folder_label.setText("内存数据库没有备份")
        self._update_buttons()

    def selected(self) -> backups.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        file_db = self.db.path != ":memory:"
        self.backup_button.setEnabled(file_db)
        self.folder_button.setEnabled(file_db)
        can_restore = file_db and not self.db.read_only and self.selected() is not None
        self.restore_button.setEnabled(can_restore)
        self.restore_button.setToolTip(f"只读方式打开时不能恢复（{self.db.read_only_reason}）"
                                       if self.db.read_only else "用选中的备份替换当前数据（当前数据会先备份）")

    # -- actions ---------------------------------------------------------------------------------------------
    def backup_now(self) -> None:
        try:
            info = backups.backup_now(self.db, "manual")
        except (PolicyTrackError, OSError) as exc:
            dialogs.show_error(self, "备份失败", f"没有备份成功：{exc}")
            return
        self.refresh()
        self.backed_up.emit(info)

    def restore_selected(self) -> None:
        b = self.selected()
        if b is None or not self.restore_button.isEnabled():
            return
        question = (f"用 {b.taken_at:%Y-%m-%d %H:%M:%S} 的备份（{b.reason_label}）替换当前数据？\n\n"
                    "恢复之前会先把当前数据备份一份，之后如有需要可以再恢复回来。")
        if not dialogs.confirm(self, "恢复备份", question):
            return
        if self.before_restore is not None and not self.before_restore("恢复备份"):
            return    # typed figures not yet saved: the user chose 取消 (or saving them was refused)
        try:
            result = operations.restore(db=self.db, path=b.path)
        except (PolicyTrackError, OSError) as exc:
            dialogs.show_error(self, "没有恢复", str(exc))
            self.refresh()
            return
        self.refresh()
        dialogs.show_info(self, "已恢复", f"已恢复 {b.taken_at:%Y-%m-%d %H:%M:%S} 的备份。\n"
                                         f"恢复前的数据已备份为 {result.safety_backup.name}。\n"
                                         "恢复不能用“撤销”撤回，撤销记录已清空；如需回到恢复前，请恢复上面这份备份。")
        self.restored.emit(result)

    def open_folder(self) -> None:
        folder = backups_dir(self.db.path)
        folder.mkdir(mode=0o700, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
