"""单位名册: this database's own identity (name, fingerprint, 导出身份文件) and the units whose keys it trusts, with
登记 (the fingerprint must be typed as the unit reads it out by phone) and 注销. The work is db/identity.py's."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from db import Database, PolicyTrackError, identity, outputs

COLUMNS = ["单位", "身份", "公钥指纹", "登记人", "登记时间", "状态"]
COL_UNIT, COL_ROLE, COL_FP, COL_BY, COL_AT, COL_STATUS = range(6)
REVOKED_INK = "#8a8f95"


class UnitRosterDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("单位名册")
        self.resize(860, 460)
        lay = QVBoxLayout(self)
        self.me_label = QLabel()
        self.me_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.me_label.setStyleSheet("font-size: 14px;")
        lay.addWidget(self.me_label)
        hint = QLabel("登记单位时，请单位在电话中读出它的公钥指纹，与身份文件中的逐组核对；一致才登记。"
                      "单位的交换包只能报送本单位项目的数字；注销后，该单位签名的文件不再被接受（记录保留）。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5f6368;")
        lay.addWidget(hint)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_UNIT, QHeaderView.ResizeMode.Stretch)
        for col in (COL_ROLE, COL_FP, COL_BY, COL_AT, COL_STATUS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("导出本单位身份文件…")
        self.export_button.clicked.connect(self.ask_export)
        self.enrol_button = QPushButton("登记单位身份文件…")
        self.enrol_button.clicked.connect(lambda: self.ask_enrol("unit"))
        self.enrol_office_button = QPushButton("登记区发改委身份文件…")
        self.enrol_office_button.setToolTip("在单位电脑上登记区发改委：它签名的文件可以修改目标、新建项目")
        self.enrol_office_button.clicked.connect(lambda: self.ask_enrol("office"))
        self.revoke_button = QPushButton("注销…")
        self.revoke_button.clicked.connect(self.ask_revoke)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        for b in (self.export_button, self.enrol_button, self.enrol_office_button, self.revoke_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        read_only = bool(getattr(db, "read_only", False))
        self.enrol_button.setEnabled(not read_only)
        self.enrol_office_button.setEnabled(not read_only)
        self.refresh()

    # -- data ----------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        if not getattr(self.db, "read_only", False):
            me = identity.ensure_key(self.db)
            self.me_label.setText(f"本单位：<b>{me.name}</b>　公钥指纹：<b>{me.fingerprint}</b>")
        else:
            self.me_label.setText("数据库以只读方式打开：不能生成密钥或登记单位")
        self.roster = identity.units(self.db)
        self.table.setRowCount(len(self.roster))
        for row, u in enumerate(self.roster):
            status = "有效" if u.active else f"已注销（{u.revoke_reason}）"
            cells = (u.unit, u.role_label, u.fingerprint, u.enrolled_by, u.enrolled_at, status)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not u.active:
                    item.setForeground(QColor(REVOKED_INK))
                    item.setToolTip(f"{u.revoked_by} 于 {u.revoked_at} 注销：{u.revoke_reason}")
                self.table.setItem(row, col, item)
        self._update_buttons()

    def selected(self) -> identity.EnrolledUnit | None:
        rows = self.table.selectionModel().selectedRows()
        return self.roster[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        u = self.selected()
        self.revoke_button.setEnabled(u is not None and u.active and not getattr(self.db, "read_only", False))

    # -- actions (the ask_* methods ask, the others do: tests call those) ---------------------------------------
    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出本单位身份文件", str(Path.home() / "本单位身份.ptid"),
                                              "身份文件 (*.ptid)")
        if not path:
            return
        name, ok = QInputDialog.getText(self, "本单位名称", "登记用的单位名称：", text=identity.ensure_key(self.db).name)
        if not ok:
            return
        try:
            ident = self.export_to(path, name)
        except PolicyTrackError as exc:
            QMessageBox.warning(self, "导出身份文件", str(exc))
            return
        QMessageBox.information(self, "导出身份文件",
                                f"已导出 {path}\n\n请把文件交给区发改委，并在电话中读出指纹：\n{ident.fingerprint}")

    def export_to(self, path: str, name: str) -> identity.Identity:
        out = outputs.check_output(path, outputs.IDENTITY, force=True, open_db=self.db.path)
        if name.strip() and name.strip() != identity.ensure_key(self.db).name:
            identity.set_name(self.db, name)
        ident = identity.write_identity(self.db, out)
        self.refresh()
        return ident

    def ask_enrol(self, role: str = "unit") -> None:
        path, _ = QFileDialog.getOpenFileName(self, "登记身份文件", "", "身份文件 (*.ptid);;所有文件 (*)")
        if not path:
            return
        try:
            ident = identity.read_identity(path)
        except PolicyTrackError as exc:
            QMessageBox.warning(self, "登记身份文件", str(exc))
            return
        typed, ok = QInputDialog.getText(
            self, "核对指纹",
            f"「{ident.name}」的身份文件中的指纹：\n{ident.fingerprint}\n\n"
            "请对方在电话中读出它的指纹，并在下面输入（空格可省略）：")
        if not ok:
            return
        rekey = False
        current = identity.active_key(self.db, ident.name)
        if current is not None:
            answer = QMessageBox.question(self, "更换密钥",
                                          f"「{ident.name}」已登记公钥（指纹 {current.fingerprint}）。\n"
                                          "注销旧公钥并登记新的？")
            if answer != QMessageBox.StandardButton.Yes:
                return
            rekey = True
        try:
            self.enrol(ident, typed, rekey=rekey, role=role)
        except PolicyTrackError as exc:
            QMessageBox.warning(self, "登记身份文件", str(exc))

    def enrol(self, ident: identity.Identity, typed: str, *, rekey: bool = False,
              role: str = "unit") -> identity.EnrolledUnit:
        got = identity.enrol(self.db, ident, confirmed_fingerprint=typed, rekey=rekey, role=role)
        self.refresh()
        return got

    def ask_revoke(self) -> None:
        u = self.selected()
        if u is None:
            return
        reason, ok = QInputDialog.getText(self, "注销公钥", f"注销「{u.unit}」的公钥（指纹 {u.fingerprint}）的原因：")
        if not ok:
            return
        try:
            self.revoke(u.unit, reason)
        except PolicyTrackError as exc:
            QMessageBox.warning(self, "注销公钥", str(exc))

    def revoke(self, unit: str, reason: str) -> identity.EnrolledUnit:
        got = identity.revoke(self.db, unit, reason=reason)
        self.refresh()
        return got
