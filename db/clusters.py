"""The cluster tree (产业集群体系): tiers → clusters → industries/enterprises, any depth, ordered."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from db import audit
from db.connection import Database
from db.errors import NotFoundError, ValidationError
from db.validate import parse_name, parse_text

KINDS = {"system": "体系", "tier": "层级", "cluster": "产业集群", "industry": "产业", "enterprise": "企业"}


@dataclass
class Node:
    id: int
    parent_id: int | None
    kind: str
    name: str
    scale_label: str
    position: int
    note: str
    source: str
    children: list["Node"] = field(default_factory=list)

    def walk(self, path: tuple[str, ...] = ()):
        """Yield (path, node) depth-first in display order."""
        here = path + (self.name,)
        yield here, self
        for child in self.children:
            yield from child.walk(here)


def _get(db: Database, node_id: int) -> dict[str, Any]:
    row = db.query_one("SELECT * FROM cluster WHERE id = ? AND active = 1", (node_id,))
    if row is None:
        raise NotFoundError(f"找不到产业集群节点 #{node_id}")
    return row


def tree(db: Database, plan_year_id: int) -> list[Node]:
    """The roots of the tree, each with its children in order (removed nodes left out)."""
    rows = db.query("SELECT id, parent_id, kind, name, scale_label, position, note, source FROM cluster"
                    " WHERE plan_year_id = ? AND active = 1 ORDER BY position, id", (plan_year_id,))
    nodes = {r["id"]: Node(**r) for r in rows}
    roots = []
    for n in nodes.values():
        parent = nodes.get(n.parent_id) if n.parent_id is not None else None
        (parent.children if parent else roots).append(n)
    return roots


def add_node(db: Database, *, plan_year_id: int, parent_id: int | None, name: str, kind: str,
             scale_label: str = "", note: str = "", source: str = "") -> int:
    clean = parse_name(name, "名称")
    if kind not in KINDS:
        raise ValidationError("节点类型", kind, "未知")
    with db.transaction("cluster"):
        if parent_id is not None:
            parent = _get(db, parent_id)
            if parent["plan_year_id"] != plan_year_id:
                raise ValidationError("上级节点", parent_id, "不属于同一计划年度")
        siblings = db.query("SELECT name FROM cluster WHERE plan_year_id = ? AND parent_id IS ? AND active = 1",
                            (plan_year_id, parent_id))
        if any(s["name"] == clean for s in siblings):
            raise ValidationError("名称", name, "同一上级下已有同名节点")
        position = len(siblings)
        cur = db.conn.execute(
            "INSERT INTO cluster (plan_year_id, parent_id, kind, name, scale_label, position, note, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (plan_year_id, parent_id, kind, clean, parse_text(scale_label, "规模级别"), position,
             parse_text(note, "备注"), source))
        node_id = int(cur.lastrowid)
        audit.log(db, action="cluster.add", entity="cluster", entity_id=node_id, summary=f"新增{KINDS[kind]}：{clean}",
                  after={"name": clean, "kind": kind, "parent_id": parent_id, "position": position})
    return node_id


def rename(db: Database, node_id: int, name: str) -> None:
    clean = parse_name(name, "名称")
    with db.transaction("cluster"):
        row = _get(db, node_id)
        if db.scalar("SELECT 1 FROM cluster WHERE parent_id IS ? AND name = ? AND id <> ? AND active = 1",
                     (row["parent_id"], clean, node_id)):
            raise ValidationError("名称", name, "同一上级下已有同名节点")
        db.conn.execute("UPDATE cluster SET name = ? WHERE id = ?", (clean, node_id))
        audit.log(db, action="cluster.rename", entity="cluster", entity_id=node_id,
                  summary=f"重命名：{row['name']} → {clean}", before={"name": row["name"]}, after={"name": clean})


def move(db: Database, node_id: int, offset: int) -> None:
    """Move a node up (−1) or down (+1) among its siblings."""
    with db.transaction("cluster"):
        row = _get(db, node_id)
        ids = [r[0] for r in db.conn.execute(
            "SELECT id FROM cluster WHERE plan_year_id = ? AND parent_id IS ? AND active = 1 ORDER BY position, id",
            (row["plan_year_id"], row["parent_id"]))]
        i = ids.index(node_id)
        j = i + offset
        if not 0 <= j < len(ids):
            raise ValidationError("位置", offset, "已经在最前或最后")
        ids.insert(j, ids.pop(i))
        db.conn.executemany("UPDATE cluster SET position = ? WHERE id = ?", [(p, nid) for p, nid in enumerate(ids)])
        audit.log(db, action="cluster.move", entity="cluster", entity_id=node_id,
                  summary=f"移动：{row['name']}（第 {i + 1} 位 → 第 {j + 1} 位）", before={"index": i}, after={"index": j})


def dependants(db: Database, node_id: int) -> dict[str, int]:
    """What hangs on a node: active child nodes and linked active projects in its whole subtree."""
    sub = _subtree_ids(db, node_id)
    marks = ",".join("?" * len(sub))
    children = len(sub) - 1
    projects = db.scalar("SELECT count(*) FROM project WHERE active = 1 AND cluster_id IN (" + marks + ")", sub)
    return {"children": children, "projects": int(projects)}


def _subtree_ids(db: Database, node_id: int) -> list[int]:
    return [r[0] for r in db.conn.execute(
        "WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT c.id FROM cluster c JOIN sub ON c.parent_id = sub.id"
        " WHERE c.active = 1) SELECT id FROM sub", (node_id,))]


def remove(db: Database, node_id: int, *, confirmed: bool = False) -> dict[str, Any]:
    """Remove a node and its subtree (kept in the file, marked removed). Linked projects are unlinked, not lost.

    A node with children or linked projects needs ``confirmed=True`` (the GUI asks first). Returns what
    ``restore`` needs to undo it: {"nodes": [ids], "unlinked": {project_id: cluster_id}}.
    """
    with db.transaction("cluster", "project"):
        row = _get(db, node_id)
        deps = dependants(db, node_id)
        if (deps["children"] or deps["projects"]) and not confirmed:
            raise ValidationError("删除", row["name"],
                                  f"下有 {deps['children']} 个子节点、{deps['projects']} 个关联项目，请确认后再删除")
        sub = _subtree_ids(db, node_id)
        marks = ",".join("?" * len(sub))
        unlinked = {pid: cid for pid, cid in db.conn.execute(
            "SELECT id, cluster_id FROM project WHERE active = 1 AND cluster_id IN (" + marks + ")", sub)}
        db.conn.execute("UPDATE project SET cluster_id = NULL WHERE active = 1 AND cluster_id IN (" + marks + ")", sub)
        db.conn.execute("UPDATE cluster SET active = 0 WHERE id IN (" + marks + ")", sub)
        audit.log(db, action="cluster.remove", entity="cluster", entity_id=node_id,
                  summary=f"删除节点：{row['name']}（含 {len(sub) - 1} 个子节点，解除 {len(unlinked)} 个项目的关联）",
                  before={"node": row, "subtree": sub, "unlinked_projects": unlinked})
    return {"nodes": sub, "unlinked": unlinked}


def restore(db: Database, removed: dict[str, Any]) -> None:
    """Bring removed nodes back (undo of remove), re-linking the projects that were unlinked."""
    node_ids: list[int] = removed["nodes"]
    with db.transaction("cluster", "project"):
        marks = ",".join("?" * len(node_ids))
        db.conn.execute("UPDATE cluster SET active = 1 WHERE id IN (" + marks + ")", node_ids)
        for project_id, cluster_id in removed.get("unlinked", {}).items():
            db.conn.execute("UPDATE project SET cluster_id = ? WHERE id = ? AND cluster_id IS NULL",
                            (cluster_id, project_id))
        names = [r[0] for r in db.conn.execute("SELECT name FROM cluster WHERE id = ?", (node_ids[0],))]
        audit.log(db, action="cluster.restore", entity="cluster", entity_id=node_ids[0],
                  summary=f"恢复节点：{names[0] if names else node_ids[0]}（共 {len(node_ids)} 个）",
                  after={"subtree": node_ids, "relinked": removed.get("unlinked", {})})


def get(db: Database, node_id: int) -> dict[str, Any]:
    return _get(db, node_id)


def find_by_path(db: Database, plan_year_id: int, path: list[str]) -> int:
    parent = None
    for name in path:
        row = db.scalar("SELECT id FROM cluster WHERE plan_year_id = ? AND parent_id IS ? AND name = ? AND active = 1",
                        (plan_year_id, parent, name))
        if row is None:
            raise NotFoundError("找不到产业集群节点：" + " / ".join(path))
        parent = row
    assert parent is not None
    return int(parent)


def linked_project_counts(db: Database, plan_year_id: int) -> dict[int, int]:
    """Per cluster node of the plan year: how many active projects are linked to it directly."""
    return dict(db.conn.execute(
        "SELECT p.cluster_id, count(*) FROM project p JOIN cluster c ON c.id = p.cluster_id"
        " WHERE p.active = 1 AND c.plan_year_id = ? GROUP BY p.cluster_id", (plan_year_id,)).fetchall())


def names_by_node(db: Database, plan_year_id: int) -> dict[int, dict[str, str]]:
    """Per cluster node: its own name, the enclosing cluster (kind 'cluster') and tier."""
    out: dict[int, dict[str, str]] = {}
    for root in tree(db, plan_year_id):
        stack = [(root, None, None)]
        while stack:
            node, tier_name, cluster = stack.pop()
            tier_name = node.name if node.kind == "tier" else tier_name
            cluster = node.name if node.kind == "cluster" else cluster
            out[node.id] = {"name": node.name, "cluster": cluster or node.name, "tier": tier_name or ""}
            stack.extend((c, tier_name, cluster) for c in node.children)
    return out
