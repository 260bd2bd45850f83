"""产业集群: the cluster tree with figures at the as-of date, details with sources and target history, edits."""
from __future__ import annotations

import html

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QHeaderView, QSplitter, QTextBrowser, QToolBar, QTreeView, QVBoxLayout, QWidget)

from db import PolicyTrackError, clusters, projects, targets, updates
from db.subjects import METRIC_LABELS, Subject
from db.validate import parse_money_wan
from desktop import dialogs, formatting as fmt
from desktop.app import AppContext
from desktop.models.cluster_tree import COL_NAME, NODE_ID_ROLE, SORT_ROLE, ClusterTreeModel
from desktop.target_dialog import default_effective_date
from desktop import operations

CHILD_KIND = {"system": "tier", "tier": "cluster", "cluster": "enterprise", "industry": "enterprise",
              "enterprise": "enterprise"}


class ClusterTab(QWidget):
    key = "clusters"
    title = "产业集群"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        bar = QToolBar()
        self.add_action = QAction("新增下级", self, triggered=self.add_child, shortcut=QKeySequence("Ctrl+N"))
        self.rename_action = QAction("重命名", self, triggered=self.rename, shortcut=QKeySequence("F2"))
        self.remove_action = QAction("删除", self, triggered=self.remove, shortcut=QKeySequence.StandardKey.Delete)
        self.up_action = QAction("上移", self, triggered=lambda: self.move(-1), shortcut=QKeySequence("Alt+Up"))
        self.down_action = QAction("下移", self, triggered=lambda: self.move(1), shortcut=QKeySequence("Alt+Down"))
        self.target_action = QAction("修改年度产值目标", self, triggered=self.edit_target)
        for a in (self.add_action, self.rename_action, self.remove_action, self.up_action, self.down_action,
                  self.target_action):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            bar.addAction(a)
        lay.addWidget(bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.model = ClusterTreeModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTreeView()
        self.view.setModel(self.proxy)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        self.view.header().setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        self.view.header().setStretchLastSection(False)
        self.details = QTextBrowser()
        self.details.setOpenExternalLinks(False)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        lay.addWidget(self.splitter)

        self.view.selectionModel().currentChanged.connect(lambda *_: self.show_details())
        ctx.as_of_changed.connect(self.refresh)
        ctx.data_changed.connect(self._on_data_changed)
        self.refresh()
        self.view.expandToDepth(1)
        first_cluster = self.proxy.index(0, 0, self.proxy.index(0, 0, self.proxy.index(0, 0)))
        if first_cluster.isValid():
            self.select(first_cluster.data(NODE_ID_ROLE))
        for col in range(1, self.model.columnCount()):
            self.view.resizeColumnToContents(col)

    # -- reading -----------------------------------------------------------------------------------
    def _on_data_changed(self, kinds) -> None:
        if kinds & {"cluster", "target", "update", "project", "seed"}:
            self.refresh()

    def refresh(self, *_args) -> None:
        selected = self.selected_id()
        expanded = self._expanded_ids()
        self.model.load(self.ctx.db, self.ctx.plan_year["id"], self.ctx.standing())
        for node_id in expanded:
            self.view.setExpanded(self.proxy.mapFromSource(self.model.index_for(node_id)), True)
        if selected is not None:
            self.select(selected)
        self.show_details()

    def _expanded_ids(self) -> list[int]:
        out = []

        def walk(parent):
            for r in range(self.proxy.rowCount(parent)):
                idx = self.proxy.index(r, 0, parent)
                if self.view.isExpanded(idx):
                    out.append(idx.data(NODE_ID_ROLE))
                    walk(idx)
        walk(self.view.rootIndex())
        return out

    def selected_id(self) -> int | None:
        idx = self.view.currentIndex()
        return idx.data(NODE_ID_ROLE) if idx.isValid() else None

    def select(self, node_id: int) -> None:
        idx = self.proxy.mapFromSource(self.model.index_for(node_id))
        if idx.isValid():
            self.view.setCurrentIndex(idx)
            self.view.selectionModel().select(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                              | QItemSelectionModel.SelectionFlag.Rows)
            self.view.scrollTo(idx)

    def show_details(self) -> None:
        node_id = self.selected_id()
        if node_id is None:
            self.details.setHtml("<p style='color:#5f6368'>在左侧选择一个节点，查看目标、数据来源和关联项目。</p>")
            return
        db = self.ctx.db
        try:
            node = clusters.get(db, node_id)
        except PolicyTrackError:
            self.details.clear()
            return
        e = html.escape
        subject = Subject("cluster", node_id)
        parts = [f"<h3>{e(node['name'])}</h3>",
                 f"<p>类型：{e(clusters.KINDS.get(node['kind'], node['kind']))}"
                 + (f"　级别：{e(node['scale_label'])}" if node["scale_label"] else "") + "</p>"]
        if node["note"]:
            parts.append(f"<p>备注：{e(node['note'])}</p>")
        if node["source"]:
            parts.append(f"<p style='color:#5f6368'>来源：“{e(node['source'])}”</p>")
        hist = targets.history(db, subject)
        parts.append("<h4>年度产值目标及调整记录（规模层级只表示发展方向，不作为考核目标）</h4>")
        if hist:
            rows = "".join(
                f"<tr><td>{e(h['revised_at'][:10])}</td><td>{e(METRIC_LABELS.get(h['metric'], h['metric']))}</td>"
                f"<td align='right'>{fmt.yi_from_wan(h['previous_value'])}</td>"
                f"<td align='right'>{fmt.yi_from_wan(h['value'])}</td><td>{e(h['effective_from'])}</td>"
                f"<td>{e(h['reason'])}</td><td>{e(h['doc_no'])}</td><td>{e(h['revised_by'])}</td></tr>" for h in hist)
            parts.append("<table border='1' cellspacing='0' cellpadding='3'><tr><th>日期</th><th>项目</th>"
                         "<th>原值（亿元）</th><th>新值（亿元）</th><th>生效日期</th><th>理由</th><th>文号</th>"
                         f"<th>修改人</th></tr>{rows}</table>")
        else:
            parts.append("<p>（未设年度产值目标，不评价完成率和预警）</p>")
        parts.append("<h4>数据</h4>")
        figs = []
        for metric, label in (("output", "产值"), ("growth", "同比增长")):
            row = updates.standing(db, subject, metric, self.ctx.as_of)
            if row:
                value = (f"{fmt.yi_from_wan(row['value'])} 亿元" if metric == "output"
                         else fmt.percent_bp(row["value"]))
                figs.append(f"<li>{label}：{value}（截至 {row['as_of']}）{e(row['note'])}"
                            f"<br><span style='color:#5f6368'>来源：“{e(row['source'])}”</span></li>")
        parts.append("<ul>" + "".join(figs) + "</ul>" if figs else "<p>（截至报告期无数据）</p>")
        linked = projects.in_cluster(db, node_id)
        parts.append("<h4>关联重点项目</h4>")
        parts.append("<ul>" + "".join(f"<li>{e(p['name'])}</li>" for p in linked) + "</ul>" if linked
                     else "<p>（无）</p>")
        self.details.setHtml("".join(parts))

    # -- editing (each through the undo stack, each a logged db write) ----------------------------
    def add_child(self) -> None:
        parent_id = self.selected_id()
        kind = CHILD_KIND.get(self.model.node_kind(parent_id), "tier") if parent_id is not None else "system"
        name = dialogs.ask_text(self, "新增下级节点", f"名称（{clusters.KINDS[kind]}）：")
        if name is None:
            return
        new_id = operations.add_cluster(ctx=self.ctx, parent=self, parent_id=parent_id, name=name, kind=kind,
                                        label=f"新增节点“{name.strip()}”")
        if new_id is not None:
            self.select(new_id)

    def rename(self) -> None:
        node_id = self.selected_id()
        if node_id is None:
            return
        old = clusters.get(self.ctx.db, node_id)["name"]
        name = dialogs.ask_text(self, "重命名", "新名称：", old)
        if name is None or name.strip() == old:
            return
        operations.rename_cluster(ctx=self.ctx, parent=self, node_id=node_id, old=old, name=name,
                                  label=f"重命名“{old}”")

    def remove(self) -> None:
        node_id = self.selected_id()
        if node_id is None:
            return
        db = self.ctx.db
        node = clusters.get(db, node_id)
        deps = clusters.dependants(db, node_id)
        if deps["children"] or deps["projects"]:
            if not dialogs.confirm(self, "删除节点", f"“{node['name']}”下有 {deps['children']} 个子节点、"
                                   f"{deps['projects']} 个关联项目。\n删除后这些项目将解除与该节点的关联（项目本身保留），"
                                   "可以撤销。确定删除吗？"):
                return
        operations.remove_cluster(ctx=self.ctx, parent=self, node_id=node_id, label=f"删除节点“{node['name']}”")

    def move(self, offset: int) -> None:
        node_id = self.selected_id()
        if node_id is None:
            return
        name = clusters.get(self.ctx.db, node_id)["name"]
        operations.move_cluster(ctx=self.ctx, parent=self, node_id=node_id, offset=offset,
                                label=f"{'上移' if offset < 0 else '下移'}“{name}”")
        self.select(node_id)

    def edit_target(self) -> None:
        node_id = self.selected_id()
        if node_id is None:
            dialogs.show_info(self, "修改目标", "请先在树中选择一个产业集群。")
            return
        db = self.ctx.db
        node = clusters.get(db, node_id)
        subject = Subject("cluster", node_id)
        old = targets.value(db, subject, "annual_output", self.ctx.as_of)
        answer = dialogs.ask_target(self, "修改年度产值目标", node["name"], fmt.yi_from_wan(old), "亿元",
                                    effective=default_effective_date(self.ctx.year, self.ctx.as_of), year=self.ctx.year)
        if answer is None:
            return
        value_text, reason, doc_no, effective = answer
        try:
            new = parse_money_wan(value_text, "年度产值目标", default_unit="亿元")
        except PolicyTrackError as exc:
            operations.refuse(self, exc)
            return
        operations.set_target(ctx=self.ctx, parent=self, subject=subject, metric="annual_output", value=new,
                              reason=reason, doc_no=doc_no, effective=effective,
                              label=f"修改“{node['name']}”年度产值目标")

    # -- window state ------------------------------------------------------------------------------
    def save_state(self, settings) -> None:
        settings.setValue("clusters/splitter", self.splitter.saveState())

    def restore_state(self, settings) -> None:
        state = settings.value("clusters/splitter")
        if state is not None:
            self.splitter.restoreState(state)
