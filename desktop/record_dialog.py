"""记录更新: one project's (or portfolio total's, or indicator's) figures for a month, checked as they are typed."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QRadioButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from db import indicators, plan, portfolios, progress, projects, recording, updates
from db.recording import IndicatorEntry, IssueEntry, PortfolioEntry, ProjectEntry
from db.subjects import Subject
from desktop import dialogs, formatting as fmt, operations
from desktop.app import AppContext
from desktop.style import STATUS_INK

KIND_TITLES = {"project": "重点项目", "portfolio": "项目盘子合计", "indicator": "指标"}


class RecordDialog(QDialog):
    def __init__(self, ctx: AppContext, kind: str, subject_id: int, parent: QWidget | None = None, *,
                 as_of: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.subject_id = subject_id
        self.result_: recording.SaveResult | None = None
        self.report: recording.RowReport | None = None
        self.reason_codes: set[str] = set()
        db = ctx.db
        if kind == "project":
            self.row = projects.get(db, subject_id)
        elif kind == "portfolio":
            self.row = portfolios.get(db, subject_id)
        elif kind == "indicator":
            self.row = indicators.get(db, subject_id)
        else:
            raise ValueError(kind)
        self.setWindowTitle(f"记录更新 — {self.row['name']}")
        self.setMinimumWidth(620)
        lay = QVBoxLayout(self)
        head = QLabel(f"{KIND_TITLES[kind]}：<b>{self.row['name']}</b>")
        head.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(head)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        lay.addLayout(form)

        self.month_combo = QComboBox()
        for d in progress.month_ends(ctx.year):
            self.month_combo.addItem(f"{d.year}年{d.month}月（截至 {d.isoformat()}）", d.isoformat())
        # Opens on the month to report for this item (the first after its latest figure), unless told otherwise.
        start = as_of or updates.next_month_to_report(db, ctx.year, Subject(kind, subject_id), self.metric)
        i = self.month_combo.findData(start.isoformat())
        self.month_combo.setCurrentIndex(i if i >= 0 else self.month_combo.count() - 1)
        form.addRow("报告期：", self.month_combo)
        self.previous_label = QLabel()
        self.previous_label.setStyleSheet("color: #5f6368;")
        form.addRow("", self.previous_label)
        self.recorded_label = QLabel()     # the figure already recorded for the chosen month, if any
        self.recorded_label.setStyleSheet(f"color: {STATUS_INK['amber']};")
        form.addRow("", self.recorded_label)

        self.amount = QLineEdit()
        self.stage_combo = QComboBox()
        self.progress_note = QPlainTextEdit()
        self.progress_note.setTabChangesFocus(True)   # Tab / Shift+Tab move on, as in every other field
        self.issue_text = QLineEdit()
        self.issue_owner = QLineEdit()
        self.issue_deadline = QLineEdit()
        self.milestone_table = QTableWidget(0, 3)
        self.resolved: list[tuple[int, QCheckBox]] = []
        self.actual = QLineEdit()
        if kind in ("project", "portfolio"):
            mode = QHBoxLayout()
            self.ytd_radio = QRadioButton("年度累计")
            self.month_radio = QRadioButton("本月完成")
            self.ytd_radio.setChecked(True)
            group = QButtonGroup(self)
            group.addButton(self.ytd_radio)
            group.addButton(self.month_radio)
            mode.addWidget(self.ytd_radio)
            mode.addWidget(self.month_radio)
            self.amount.setPlaceholderText("亿元，如 12.5；也可写“3000万”")
            mode.addWidget(self.amount, 1)
            mode.addWidget(QLabel("亿元"))
            form.addRow("完成投资：", mode)
            self.derived_label = QLabel()
            self.derived_label.setStyleSheet("color: #5f6368;")
            form.addRow("", self.derived_label)
            self.ytd_radio.toggled.connect(self.recheck)
        if kind == "project":
            self.stage_combo.addItem("（不变）", "")
            for s in plan.stages(db):
                self.stage_combo.addItem(s, s)
            form.addRow("形象进度：", self.stage_combo)
            self.milestones = projects.milestones(db, subject_id)
            if self.milestones:
                t = self.milestone_table
                t.setHorizontalHeaderLabels(["节点", "计划日期", "实际日期（YYYY-MM-DD）"])
                t.setRowCount(len(self.milestones))
                for r, m in enumerate(self.milestones):
                    for c, text in enumerate((m["name"], m["planned_date"] or "", m["actual_date"] or "")):
                        item = QTableWidgetItem(text)
                        if c < 2:
                            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                        t.setItem(r, c, item)
                t.verticalHeader().setVisible(False)
                t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
                t.resizeColumnToContents(1)
                t.setColumnWidth(2, t.fontMetrics().horizontalAdvance("实际日期（YYYY-MM-DD）") + 24)
                t.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
                rows_h = t.verticalHeader().defaultSectionSize() * min(len(self.milestones), 5)
                t.setFixedHeight(t.horizontalHeader().sizeHint().height() + rows_h + 2 * t.frameWidth() + 2)
                form.addRow("节点：", t)
                t.itemChanged.connect(self.recheck)
            self.progress_note.setPlaceholderText("本月形象进度、完成的工作量等")
            self.progress_note.setMaximumHeight(self.fontMetrics().height() * 3 + 12)
            form.addRow("本月进展：", self.progress_note)
            issue = QHBoxLayout()
            self.issue_text.setPlaceholderText("存在问题（如：用地指标未落实）")
            self.issue_owner.setPlaceholderText("责任人/单位")
            self.issue_deadline.setPlaceholderText("整改时限 YYYY-MM-DD")
            issue.addWidget(self.issue_text, 3)
            issue.addWidget(self.issue_owner, 2)
            issue.addWidget(self.issue_deadline, 2)
            form.addRow("存在问题：", issue)
            self.issues_box = QVBoxLayout()
            form.addRow("未解决问题：", self.issues_box)
            self.stage_combo.currentIndexChanged.connect(self.recheck)
            self.progress_note.textChanged.connect(self.recheck)
            for w in (self.issue_text, self.issue_owner, self.issue_deadline):
                w.textChanged.connect(self.recheck)
        if kind == "indicator":
            unit = QHBoxLayout()
            self.actual.setPlaceholderText(f"截至报告期的实际值（{self.row['unit']}）")
            unit.addWidget(self.actual, 1)
            unit.addWidget(QLabel(self.row["unit"]))
            form.addRow("实际值：", unit)
            self.actual.textChanged.connect(self.recheck)
        self.note = QLineEdit()
        self.note.setPlaceholderText("数据来源、口径说明等")
        form.addRow("备注：", self.note)

        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        self.check_label.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.check_label)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("核实无误时写明理由，确认上面的提示")
        reason_row = QHBoxLayout()
        self.reason_label = QLabel("确认理由：")
        reason_row.addWidget(self.reason_label)
        reason_row.addWidget(self.reason, 1)
        lay.addLayout(reason_row)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.history_button = buttons.addButton("历史…", QDialogButtonBox.ButtonRole.HelpRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.history_button.clicked.connect(self.show_history)
        lay.addWidget(buttons)

        self.month_combo.currentIndexChanged.connect(self._month_changed)
        self.amount.textChanged.connect(self.recheck)
        self.reason.textChanged.connect(self._reason_typed)
        self.note.textChanged.connect(self.recheck)
        self._month_changed()
        self._baseline = self.entry()

    # -- state ---------------------------------------------------------------------------------------
    @property
    def as_of(self) -> dt.date:
        return dt.date.fromisoformat(self.month_combo.currentData())

    def _month_changed(self, *_args) -> None:
        d = self.as_of
        prev_date = d.replace(day=1) - dt.timedelta(days=1)
        subject = Subject(self.kind, self.subject_id)
        metric = self.metric
        self._show_recorded(subject, d)
        prev = (updates.standing(self.ctx.db, subject, metric, prev_date)
                if prev_date.year == d.year else None)
        if prev and prev["as_of"] < f"{d.year}-01-01":
            prev = None
        if self.kind == "indicator":
            shown = "—" if prev is None else (f"{fmt.plain(float(indicators.to_number(self.row, prev['value'])), 4)}"
                                              f"{self.row['unit']}（截至 {prev['as_of']}）")
            self.previous_label.setText(f"上次报送：{shown}")
        else:
            shown = "今年尚无记录" if prev is None else f"{fmt.yi_exact(prev['value'])} 亿元（截至 {prev['as_of']}）"
            stage = ""
            if self.kind == "project":
                st = updates.standing(self.ctx.db, subject, "stage", prev_date)
                stage = f"；形象进度：{st['text_value']}" if st else ""
                self.stage_combo.setItemText(0, f"（不变：{st['text_value']}）" if st else "（不填）")
            self.previous_label.setText(f"上月累计完成投资：{shown}{stage}")
        if self.kind == "project":
            while self.issues_box.count():
                w = self.issues_box.takeAt(0).widget()
                if w is not None:
                    w.deleteLater()
            self.resolved = []
            for issue in recording.open_issues(self.ctx.db, self.subject_id, d):
                owner = f"（{issue['owner']}" + (f"，{issue['deadline']}）" if issue["deadline"] else "）") \
                    if issue["owner"] else (f"（{issue['deadline']}）" if issue["deadline"] else "")
                box = QCheckBox(f"本月已解决：{issue['description']}{owner}")
                box.toggled.connect(self.recheck)
                self.issues_box.addWidget(box)
                self.resolved.append((issue["thread"], box))
            if not self.resolved:
                self.issues_box.addWidget(QLabel("无"))
        self.recheck()

    @property
    def metric(self) -> str:
        return "value" if self.kind == "indicator" else "completed"

    def _show_recorded(self, subject: Subject, d: dt.date) -> None:
        """“已报 12.5 亿元，保存即更正” when the chosen month already has a figure of its own."""
        now = updates.standing(self.ctx.db, subject, self.metric, d)
        if now is None or now["as_of"] != d.isoformat():
            self.recorded_label.setText("")
            self.recorded_label.hide()
            return
        if self.kind == "indicator":
            shown = f"{fmt.plain(float(indicators.to_number(self.row, now['value'])), 4)} {self.row['unit']}"
        else:
            shown = f"{fmt.yi_exact(now['value'])} 亿元"
        self.recorded_label.setText(f"{d.month}月已报 {shown}，保存即更正")
        self.recorded_label.show()

    def entry(self) -> PortfolioEntry | ProjectEntry | IndicatorEntry:
        """What the form says; the 确认理由 accepts the warnings it was written for."""
        reason = self.reason.text().strip()
        accepted = {code: reason for code in self.reason_codes} if reason else {}
        note = self.note.text()
        if self.kind == "indicator":
            return IndicatorEntry(self.subject_id, actual=self.actual.text().strip() or None, note=note,
                                  accepted=accepted)
        amount = self.amount.text().strip() or None
        ytd = amount if self.ytd_radio.isChecked() else None
        month = None if self.ytd_radio.isChecked() else amount
        if self.kind == "portfolio":
            return PortfolioEntry(self.subject_id, completed=ytd, month=month, note=note, accepted=accepted)
        milestones = {}
        for r, m in enumerate(getattr(self, "milestones", [])):
            text = (self.milestone_table.item(r, 2).text() or "").strip()
            if text != (m["actual_date"] or ""):
                milestones[m["id"]] = text or None
        issues = []
        if self.issue_text.text().strip() or self.issue_owner.text().strip() or self.issue_deadline.text().strip():
            issues.append(IssueEntry(self.issue_text.text(), owner=self.issue_owner.text(),
                                     deadline=self.issue_deadline.text().strip() or None))
        return ProjectEntry(self.subject_id, completed=ytd, month=month, stage=self.stage_combo.currentData() or None,
                            milestones=milestones, progress_note=self.progress_note.toPlainText(), issues=issues,
                            resolved_issues=[t for t, box in self.resolved if box.isChecked()], note=note,
                            accepted=accepted)

    def _reason_typed(self, text: str) -> None:
        # The reason is for the warnings on screen while it is typed.
        self.reason_codes = {w.code for w in self.report.warnings} if self.report and text.strip() else set()
        self.recheck()

    def recheck(self, *_args) -> recording.RowReport:
        report = recording.check_month(self.ctx.db, self.as_of, [self.entry()])[0]
        if self.reason.text().strip() and {w.code for w in report.warnings} - self.reason_codes:
            # A warning the reason was not written for: it needs a fresh look, so the reason goes.
            self.reason.blockSignals(True)
            self.reason.clear()
            self.reason.blockSignals(False)
            self.reason_codes = set()
            report = recording.check_month(self.ctx.db, self.as_of, [self.entry()])[0]
        self.report = report
        self._show(report)
        return report

    def _show(self, r: recording.RowReport) -> None:
        if self.kind in ("project", "portfolio"):
            parts = []
            if not r.errors and r.completed_wan is not None:
                parts.append(f"年度累计 {fmt.yi_exact(r.completed_wan)} 亿元")
                if r.month_wan is not None:
                    parts.append(f"本月完成 {fmt.yi_exact(r.month_wan)} 亿元")
            self.derived_label.setText("→ " + "，".join(parts) if parts else "")
        lines = [f"错误：「{p.field}」{p.message}" for p in r.errors]
        lines += [f"{'已确认' if w.accepted else '提示'}［{w.label}］{w.message}" for w in r.warnings]
        empty = [p for p in r.errors if "没有要记录的数据" in p.message]
        if empty and len(r.errors) == 1:
            lines = ["请填写本月数据。"]
        colour = STATUS_INK["red"] if r.errors and not empty else (
            STATUS_INK["amber"] if r.unaccepted else STATUS_INK["green"])
        self.check_label.setText("\n".join(lines) if lines else "检查通过，可以保存。")
        self.check_label.setStyleSheet(f"color: {colour};")
        self.reason.setEnabled(bool(r.warnings))
        self.reason_label.setEnabled(bool(r.warnings))
        self.save_button.setEnabled(r.ok)

    # -- actions -------------------------------------------------------------------------------------
    def save(self) -> None:
        report = self.recheck()
        if not report.ok:
            return  # the reason is on screen; nothing is saved
        result = operations.save_month(ctx=self.ctx, parent=self, as_of=self.as_of, entries=[self.entry()],
                                       label=recording.describe(self.as_of, [report]))
        if result is None:
            return
        self.result_ = result
        self._baseline = self.entry()
        self.accept()

    def has_typed(self) -> bool:
        """Figures, notes or ticks typed here and not saved (what the dialog showed when opened is not)."""
        return self.entry() != self._baseline

    def reject(self) -> None:
        """Esc, 取消 or the close button: with typed, unsaved figures ask 保存 / 放弃 / 取消 first."""
        if self.result_ is None and self.has_typed():
            choice = dialogs.ask_unsaved(self, "记录更新", "本窗口中填写的数据尚未保存。")
            if choice == "cancel":
                return
            if choice == "save":
                self.save()    # closes the dialog when saved; a refusal keeps it open with the reason
                return
        super().reject()

    def show_history(self) -> None:
        from desktop.history_view import HistoryDialog
        HistoryDialog(self.ctx, Subject(self.kind, self.subject_id), self).exec()


def open_record_dialog(ctx: AppContext, kind: str, subject_id: int, parent: QWidget | None = None, *,
                       as_of: dt.date | None = None) -> recording.SaveResult | None:
    dialog = RecordDialog(ctx, kind, subject_id, parent, as_of=as_of)
    dialog.exec()
    return dialog.result_
