"""The 产业集群 tree as a QAbstractItemModel: tiers → clusters → industries/enterprises with their figures."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from db import clusters
from desktop import formatting as fmt
from desktop.style import status_ink, status_tint

# 规模层级 (千亿级) is a level the district builds towards, not a target: only 年度产值目标 judges a cluster.
COLUMNS = ["名称", "规模层级", "年度产值目标（亿元）", "产值（亿元）", "截至", "同比增长", "完成率", "预警", "关联项目"]
(COL_NAME, COL_SCALE, COL_TARGET, COL_OUTPUT, COL_AS_OF, COL_GROWTH, COL_RATE, COL_STATUS,
 COL_PROJECTS) = range(len(COLUMNS))
NODE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(eq=False)
class _Item:
    node_id: int
    name: str
    kind: str
    figures: dict[str, Any]
    parent: "_Item | None" = None
    children: list["_Item"] = field(default_factory=list)

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0


class ClusterTreeModel(QAbstractItemModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._roots: list[_Item] = []
        self._by_id: dict[int, _Item] = {}

    def load(self, db, plan_year_id: int, standing: dict[str, Any]) -> None:
        """Rebuild the tree from the database, with the figures of ``standing`` (db.summary.standing)."""
        figures = {c["id"]: c for c in standing["clusters"]}
        self.beginResetModel()
        self._by_id = {}
        self._roots = [self._build(n, None, figures) for n in clusters.tree(db, plan_year_id)]
        self.endResetModel()

    def _build(self, node: clusters.Node, parent: _Item | None, figures: dict[int, dict]) -> _Item:
        item = _Item(node.id, node.name, node.kind, figures.get(node.id, {}), parent)
        self._by_id[node.id] = item
        item.children = [self._build(c, item, figures) for c in node.children]
        return item

    def index_for(self, node_id: int, column: int = 0) -> QModelIndex:
        item = self._by_id.get(node_id)
        if item is None:
            return QModelIndex()
        return self.createIndex(item.row() if item.parent else self._roots.index(item), column, item)

    # -- QAbstractItemModel ------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        siblings = parent.internalPointer().children if parent.isValid() else self._roots
        return self.createIndex(row, column, siblings[row])

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        item: _Item = index.internalPointer()
        p = item.parent
        if p is None:
            return QModelIndex()
        row = p.parent.children.index(p) if p.parent else self._roots.index(p)
        return self.createIndex(row, 0, p)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        if parent.column() > 0:
            return 0
        return len(parent.internalPointer().children) if parent.isValid() else len(self._roots)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section != COL_NAME:
                return RIGHT if section != COL_STATUS else int(Qt.AlignmentFlag.AlignCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item: _Item = index.internalPointer()
        f = item.figures
        col = index.column()
        status = fmt.shown_status(f) if f.get("output_yi") is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_NAME:
                label = f.get("scale_label")
                return f"{item.name}（{label}）" if item.kind == "tier" and label else item.name
            if col == COL_SCALE:
                return "" if f.get("tier_scale_yi") is None else fmt.scale_level(f["tier_scale_yi"]).split(" ")[-1]
            if col == COL_TARGET:
                return "" if f.get("annual_output_target_yi") is None else fmt.yi(f["annual_output_target_yi"])
            if col == COL_AS_OF:
                return "" if not f.get("output_as_of") else fmt.month_range_cn(f["output_as_of"])
            if col == COL_OUTPUT:
                return "" if f.get("output_yi") is None else fmt.yi(f["output_yi"])
            if col == COL_GROWTH:
                return "" if f.get("growth") is None else fmt.percent(f["growth"])
            if col == COL_RATE:
                return "" if f.get("completion_rate") is None else fmt.percent(f["completion_rate"])
            if col == COL_STATUS:
                if status == "unreported" and f.get("status"):
                    return f"未报送（{fmt.month_cn(f['output_as_of'])}：{fmt.status_label(f['status'])}）"
                return "" if status is None or (status != "unreported" and not f.get("status")) \
                    else fmt.status_label(status)
            if col == COL_PROJECTS:
                n = f.get("linked_projects", 0)
                return str(n) if n else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and col != COL_NAME:
            return RIGHT if col != COL_STATUS else int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_STATUS:
            return status_tint(status)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS and status:
            return status_ink(status)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_NAME:
            return {"system": "体系", "tier": "层级", "cluster": "产业集群", "industry": "产业",
                    "enterprise": "企业"}.get(item.kind, item.kind)
        if role == NODE_ID_ROLE:
            return item.node_id
        if role == SORT_ROLE:
            key = {COL_SCALE: "tier_scale_yi", COL_TARGET: "annual_output_target_yi", COL_OUTPUT: "output_yi",
                   COL_AS_OF: "output_as_of", COL_GROWTH: "growth",
                   COL_RATE: "completion_rate", COL_PROJECTS: "linked_projects"}.get(col)
            return f.get(key) if key else item.name
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def node_kind(self, node_id: int) -> str | None:
        item = self._by_id.get(node_id)
        return item.kind if item else None
