"""审核: the submissions (returned 填报表) of the 报告期 with their status, each row's change against last month and
its warnings; 通过 (at each level) and 退回 with a reason, and the 退回说明 to send back with the unit's file."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from db import PolicyTrackError, cycle, settings
from desktop import dialogs
from desktop.app import AppContext
from desktop.style import status_ink, status_tint

STATUS_COLOURS = {cycle.PENDING_1: "amber", cycle.PENDING_2: "amber", cycle.RETURNED: "red",
                  cycle.PASSED: "green", cycle.REPLACED: "unreported"}
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def yi(wan: int | None) -> str:
    return "" if wan is None else f"{wan / 10000:.2f}"


class ReviewTab(QWidget):
    key = "review"
    title = "审核"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.subs: list[cycle.Submission] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        buttons = QHBoxLayout()
        self.pass_button = QPushButton("通过…")
        self.pass_button.setToolTip("通过所选报送（最后一级通过时，其数据写入数据库）")
        self.pass_button.clicked.connect(self.pass_selected)
        self.return_button = QPushButton("退回…")
        self.return_button.setToolTip("退回所选报送（填写理由；数据不变），并生成退回说明")
        self.return_button.clicked.connect(self.return_selected)
        self.save_notice_button = QPushButton("保存退回说明…")
        self.save_notice_button.clicked.connect(self.save_notice)
        for b in (self.pass_button, self.return_button, self.save_notice_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.levels_label = QLabel()
        buttons.addWidget(self.levels_label)
        lay.addLayout(buttons)

        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, 7)
        self.table.setHorizontalHeaderLabels(["编号", "责任单位", "报告期", "状态", "项目数", "提醒", "审核意见／退回理由"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.show_selected)
        split.addWidget(self.table)

        self.rows = QTableWidget(0, 8)
        self.rows.setHorizontalHeaderLabels(["项目名称", "上月累计（亿元）", "本月累计（亿元）", "本月完成（亿元）",
                                             "形象进度", "本月进展", "存在问题", "提醒"])
        self.rows.verticalHeader().setVisible(False)
        self.rows.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.rows.setWordWrap(True)
        rh = self.rows.horizontalHeader()
        rh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rh.setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        split.addWidget(self.rows)
        self.notice = QPlainTextEdit()
        self.notice.setReadOnly(True)
        self.notice.setPlaceholderText("退回说明：退回一份报送后在此显示，可复制或保存后随原文件发回责任单位。")
        split.addWidget(self.notice)
        split.setSizes([220, 320, 160])
        lay.addWidget(split, 1)
        ctx.as_of_changed.connect(self.refresh)
        ctx.data_changed.connect(self.refresh)
        self.refresh()

    # -- showing ---------------------------------------------------------------------------------------
    def refresh(self, *_args) -> None:
        keep = self.selected()
        try:
            self.subs = cycle.submissions(self.ctx.db, self.ctx.as_of)
            levels = cycle.review_levels(self.ctx.db)
        except PolicyTrackError as exc:
            self.heading.setText(f"无法读取报送：{exc}")
            return
        p = self.ctx.as_of
        pending = sum(1 for s in self.subs if s.pending)
        self.heading.setText(f"报告期 {p.year}年{p.month}月 · 报送 {len(self.subs)} 份 · 待审核 {pending} 份")
        self.levels_label.setText({0: "审核级数：0（报送即入库）", 1: "审核级数：1（初审通过即入库）",
                                   2: "审核级数：2（初审、终审）"}[levels])
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.subs))
        for r, s in enumerate(self.subs):
            cells = [QTableWidgetItem(f"#{s.id}"), QTableWidgetItem(s.unit),
                     QTableWidgetItem(f"{s.period.year}-{s.period.month:02d}"), QTableWidgetItem(s.status),
                     QTableWidgetItem(str(len(s.rows))), QTableWidgetItem(str(len(s.warnings))),
                     QTableWidgetItem(s.comment)]
            colour = STATUS_COLOURS.get(s.status)
            cells[3].setBackground(status_tint(colour))
            cells[3].setForeground(status_ink(colour))
            cells[3].setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            for c in (4, 5):
                cells[c].setTextAlignment(RIGHT)
            cells[0].setToolTip(f"{s.file_name}，{s.received_at} 收到")
            for c, item in enumerate(cells):
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)
        first_pending = next((i for i, s in enumerate(self.subs) if s.pending), 0 if self.subs else -1)
        index = next((i for i, s in enumerate(self.subs) if keep and s.id == keep.id), first_pending)
        if index >= 0:
            self.table.selectRow(index)
        self.show_selected()

    def select_submission(self, submission_id: int) -> None:
        for i, s in enumerate(self.subs):
            if s.id == submission_id:
                self.table.selectRow(i)
                return

    def selected(self) -> cycle.Submission | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model else []
        if not rows or rows[0].row() >= len(self.subs):
            return None
        return self.subs[rows[0].row()]

    def show_selected(self) -> None:
        s = self.selected()
        rows = s.rows if s else []
        self.rows.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = [QTableWidgetItem(row["name"]), QTableWidgetItem(yi(row.get("previous"))),
                     QTableWidgetItem(yi(row.get("completed"))), QTableWidgetItem(yi(row.get("month"))),
                     QTableWidgetItem(row.get("stage") or ""), QTableWidgetItem(row.get("note") or ""),
                     QTableWidgetItem(row.get("issue") or ""), QTableWidgetItem("；".join(row.get("warnings", [])))]
            for c in (1, 2, 3):
                cells[c].setTextAlignment(RIGHT)
            if row.get("warnings"):
                cells[7].setForeground(status_ink("red"))
            for c, item in enumerate(cells):
                self.rows.setItem(r, c, item)
        pending = bool(s and s.pending) and not self.ctx.db.read_only
        self.pass_button.setEnabled(pending)
        self.return_button.setEnabled(pending)
        self.save_notice_button.setEnabled(bool(s and s.status == cycle.RETURNED))
        if s and s.status == cycle.RETURNED:
            self.notice.setPlainText(cycle.return_notice(self.ctx.db, s, self._organization()))
        else:
            self.notice.clear()
        if s and s.pending:
            level = "终审" if s.levels == 2 and s.passes == 1 else "初审"
            self.pass_button.setText(f"{level}通过…")
        else:
            self.pass_button.setText("通过…")

    def _organization(self) -> str:
        py = self.ctx.plan_year
        return settings.get(self.ctx.db, "organization") or f"{py['district']}发展和改革委员会"

    # -- acting --------------------------------------------------------------------------------------
    def pass_selected(self) -> None:
        s = self.selected()
        if s is None:
            return
        final = s.passes + 1 >= s.levels
        tail = "通过后其数据写入数据库。" if final else "通过后进入终审。"
        note = dialogs.ask_text(self, "通过报送", f"报送 #{s.id}（{s.unit}，{len(s.rows)} 个项目）：{tail}\n审核意见（可不填）：")
        if note is None:
            return
        try:
            cycle.pass_submission(self.ctx.db, s.id, note)
        except PolicyTrackError as exc:
            dialogs.show_error(self, "未能通过", str(exc))
        self.refresh()

    def return_selected(self) -> None:
        s = self.selected()
        if s is None:
            return
        reason = dialogs.ask_text(self, "退回报送", f"报送 #{s.id}（{s.unit}）退回理由（必填，写入退回说明）：")
        if reason is None:
            return
        try:
            cycle.return_submission(self.ctx.db, s.id, reason)
        except PolicyTrackError as exc:
            dialogs.show_error(self, "未能退回", str(exc))
        self.refresh()

    def save_notice(self) -> None:
        """The 退回说明 as a PDF (or, chosen by the file name, plain text) to send back with the unit's file."""
        s = self.selected()
        if s is None or s.status != cycle.RETURNED:
            return
        path = dialogs.ask_save_path(self, "保存退回说明",
                                     str(Path.home() / f"退回说明-{s.unit}-{s.period.year}年{s.period.month}月.pdf"),
                                     "PDF 文件 (*.pdf);;文本文件 (*.txt)")
        if not path:
            return
        try:
            if path.lower().endswith(".txt"):
                Path(path).write_text(self.notice.toPlainText(), encoding="utf-8")
            else:
                from desktop.report.return_notice import build_return_notice

                heading, paragraphs = cycle.return_notice_parts(self.ctx.db, s)
                py = self.ctx.plan_year
                build_return_notice({"district": py["district"], "plan_year": py["year"],
                                     "as_of": s.period.isoformat(), "organization": self._organization(),
                                     "heading": heading, "paragraphs": paragraphs}, path)
        except OSError as exc:
            dialogs.show_error(self, "未能保存", f"无法写入 {path}：{exc.strerror or exc}")
            return
        dialogs.show_info(self, "退回说明", f"已保存 {path}")
