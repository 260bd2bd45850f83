"""总览: the standing at the as-of date on one screen, as a leader would read it."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from desktop import formatting as fmt
from desktop.app import AppContext
from desktop.style import ProgressWithMarker, StatusChip, status_ink, status_tint

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class PortfolioCard(QFrame):
    """One portfolio: completion rate big, the gap in words, the figures, and how much is itemised."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("portfolioCard")
        self.setStyleSheet("#portfolioCard { background: white; border: 1px solid #dadce0; border-radius: 8px; }")
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        self.name_label = QLabel()
        self.name_label.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.chip = StatusChip()
        head.addWidget(self.name_label)
        head.addStretch(1)
        head.addWidget(self.chip)
        lay.addLayout(head)
        rate_row = QHBoxLayout()
        self.rate_label = QLabel()
        self.rate_label.setStyleSheet("font-size: 26pt; font-weight: bold;")
        self.gap_label = QLabel()
        self.gap_label.setStyleSheet("font-size: 11pt;")
        rate_row.addWidget(self.rate_label)
        rate_row.addSpacing(12)
        rate_row.addWidget(self.gap_label, 1, Qt.AlignmentFlag.AlignBottom)
        lay.addLayout(rate_row)
        self.bar = ProgressWithMarker()
        lay.addWidget(self.bar)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        self.values: dict[str, QLabel] = {}
        for row, (key, label) in enumerate([("count", "项目数"), ("plan", "年度计划投资"), ("done", "累计完成投资"),
                                            ("tp", "时序进度"), ("total", "总投资"), ("itemised", "已录入项目")]):
            name = QLabel(label)
            name.setStyleSheet("color: #5f6368;")
            value = QLabel()
            value.setAlignment(RIGHT)
            self.values[key] = value
            grid.addWidget(name, row // 2, (row % 2) * 2)
            grid.addWidget(value, row // 2, (row % 2) * 2 + 1)
        lay.addLayout(grid)

    def show_portfolio(self, p: dict, time_progress: float, as_of: str) -> None:
        self.name_label.setText(p["name"])
        state = fmt.shown_status(p)
        self.chip.set_status(state)
        self.rate_label.setText(fmt.percent(p["completion_rate"]))
        self.rate_label.setStyleSheet(f"font-size: 26pt; font-weight: bold; color: {status_ink(state).name()};")
        own = p.get("completed_as_of")
        if p.get("current", True):
            self.gap_label.setText(f"{fmt.month_range_cn(as_of)}完成率，{fmt.gap_sentence(p['gap_points'])}")
        else:
            self.gap_label.setText(f"{fmt.month_cn(as_of)}{fmt.UNREPORTED}；"
                                   + (f"{fmt.month_range_cn(own)}完成率，" if own else "")
                                   + fmt.last_standing(own, p["gap_points"], p["status"]))
        # The marker stands at the time progress the figure is judged against: its own month's.
        self.bar.set_values(p["completion_rate"], p.get("time_progress_at_own_date") or time_progress, state)
        self.values["done"].setText(f"{fmt.yi(p['completed_yi'])} 亿元"
                                    + ("" if p.get("current", True) or not own else f"（{fmt.as_of_note(own)}）"))
        declared = p["projects"]
        self.values["count"].setText("—" if declared is None else f"{declared} 个")
        self.values["plan"].setText(f"{fmt.yi(p['annual_plan_yi'])} 亿元")
        own_tp = p.get("time_progress_at_own_date")
        self.values["tp"].setText(fmt.percent(time_progress) if p.get("current", True) or own is None
                                  else f"{fmt.percent(own_tp)}（{fmt.month_cn(own)}）")
        self.values["total"].setText(f"{fmt.yi(p['total_investment_yi'])} 亿元" if "total_investment_yi" in p else "—")
        self.values["itemised"].setText(f"{p['itemised_projects']} / {'—' if declared is None else declared} 个")


def _item(text: str, *, align=None, status: str | None = None, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align is not None:
        item.setTextAlignment(align)
    tint = status_tint(status)
    if tint is not None:
        item.setBackground(tint)
        item.setForeground(status_ink(status))
    if tooltip:
        item.setToolTip(tooltip)
    return item


def _table(headers: list[str], numeric_from: int) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setAlternatingRowColors(True)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    h = t.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    for c in range(numeric_from, len(headers)):
        t.horizontalHeaderItem(c).setTextAlignment(RIGHT)
    t.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return t


def _fit_height(t: QTableWidget) -> None:
    h = t.horizontalHeader().height() + 2 * t.frameWidth()
    for r in range(t.rowCount()):
        h += t.rowHeight(r)
    t.setFixedHeight(h + 2)


class OverviewTab(QWidget):
    key = "overview"
    title = "总览"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll)
        body = QWidget()
        body.setObjectName("overviewBody")
        body.setStyleSheet("#overviewBody { background: #f6f8fa; }")
        scroll.setWidget(body)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(16, 12, 16, 16)
        lay.setSpacing(10)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15pt; font-weight: bold;")
        lay.addWidget(self.heading)
        self.cards_row = QHBoxLayout()
        self.cards_row.setSpacing(12)
        lay.addLayout(self.cards_row)
        self.cards: list[PortfolioCard] = []

        lay.addWidget(self._section("重点指标（滞后于时序进度的排在前面）"))
        self.indicator_table = _table(["所属行动", "指标", "单位", "年度目标", "实际", "截至", "完成率",
                                       "序时差（百分点）", "预警"], 3)
        lay.addWidget(self.indicator_table)
        lay.addWidget(self._section("“2335”产业集群：产值与年度产值目标（规模层级是发展方向，不作考核）"))
        self.cluster_table = _table(["层级", "产业集群", "规模层级", "年度产值目标（亿元）", "产值（亿元）", "截至",
                                     "完成率", "同比增长", "预警"], 3)
        lay.addWidget(self.cluster_table)
        lay.addStretch(1)

        ctx.as_of_changed.connect(self.refresh)
        ctx.data_changed.connect(self.refresh)
        ctx.standing_ready.connect(self.refresh)
        self.refresh()

    @staticmethod
    def _section(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-size: 12pt; font-weight: bold; margin-top: 8px;")
        return label

    def refresh(self, *_args) -> None:
        data = self.ctx.standing_now()
        if data is None:   # a large database: the window shows first, the figures follow from a worker
            self.heading.setText(f"{self.ctx.plan_year['district']} {self.ctx.year}年 · "
                                 f"截至{fmt.date_cn(self.ctx.as_of.isoformat())} · 正在计算完成情况…")
            self.ctx.request_standing()
            return
        self.data = data
        self.heading.setText(f"{data['district']} {data['plan_year']}年 · 截至{fmt.date_cn(data['as_of'])}"
                             f" · 时序进度 {fmt.percent(data['time_progress'])}")
        while len(self.cards) < len(data["portfolios"]):
            card = PortfolioCard()
            self.cards.append(card)
            self.cards_row.addWidget(card, 1)
        for card, p in zip(self.cards, data["portfolios"]):
            card.show_portfolio(p, data["time_progress"], data["as_of"])
        for card in self.cards[len(data["portfolios"]):]:
            card.hide()
        self._fill_indicators(data)
        self._fill_clusters(data)

    def is_loading(self) -> bool:
        """True while the figures are being computed (the screenshot command waits for them)."""
        return self.ctx.standing_now() is None

    def _fill_indicators(self, data: dict) -> None:
        rows = sorted(data["indicators"],
                      key=lambda i: (not i["current"], i["gap_points"] is None,
                                     i["gap_points"] if i["gap_points"] is not None else 0))
        t = self.indicator_table
        t.setRowCount(len(rows))
        for r, i in enumerate(rows):
            st = fmt.shown_status(i)
            target = (fmt.plain(i["target"]) + fmt.derived_mark(i.get("target_derived", False))
                      if i["target"] is not None else "—")
            word = fmt.status_label(st)
            if not i["current"] and i["status"]:
                word += f"（{fmt.month_cn(i['as_of'])}：{fmt.status_label(i['status'])}）"
            cells = [_item(i["campaign"]), _item(i["name"], tooltip=i["source"]), _item(i["unit"]),
                     _item(target, align=RIGHT), _item(fmt.plain(i["actual"]), align=RIGHT),
                     _item(fmt.month_cn(i["as_of"]) if i["as_of"] else "—", align=RIGHT),
                     _item(fmt.percent(i["completion_rate"]), align=RIGHT),
                     _item(fmt.points(i["gap_points"]), align=RIGHT, status=st),
                     _item(word, align=Qt.AlignmentFlag.AlignCenter, status=st)]
            for c, item in enumerate(cells):
                t.setItem(r, c, item)
        _fit_height(t)

    def _fill_clusters(self, data: dict) -> None:
        rows = [c for c in data["clusters"] if c["kind"] == "cluster"]
        t = self.cluster_table
        t.setRowCount(len(rows))
        for r, c in enumerate(rows):
            tier = c["path"][-2] if len(c["path"]) >= 2 else ""
            st = fmt.shown_status(c) if c["output_yi"] is not None else None
            word = fmt.status_label(st) if c["status"] or st == "unreported" else "未设年度目标"
            if st == "unreported" and c["status"]:
                word += f"（{fmt.month_cn(c['output_as_of'])}：{fmt.status_label(c['status'])}）"
            cells = [_item(tier), _item(c["path"][-1]), _item(c["scale_label"] or fmt.scale_level(c["tier_scale_yi"]).removeprefix("规模层级 ")),
                     _item(fmt.yi(c.get("annual_output_target_yi")), align=RIGHT),
                     _item(fmt.yi(c["output_yi"]), align=RIGHT),
                     _item(fmt.month_range_cn(c["output_as_of"]) if c.get("output_as_of") else "—", align=RIGHT),
                     _item(fmt.percent(c["completion_rate"]), align=RIGHT),
                     _item(fmt.percent(c["growth"]), align=RIGHT),
                     _item(word, align=Qt.AlignmentFlag.AlignCenter, status=st)]
            for col, item in enumerate(cells):
                t.setItem(r, col, item)
        _fit_height(t)


