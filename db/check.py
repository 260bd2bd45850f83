"""检查数据库: SQLite's own checks plus the domain's invariants, returned as data (nothing is changed).

Findings are what a person would have to act on: a damaged page, a reference to something that does not exist,
a year-to-date figure below zero, a target without a reason or an audit entry. The GUI lists them; the CLI prints
them and exits 1. When SQLite's integrity check fails, the remedy is a restore (db.backups.newest_good).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Callable

from db.connection import APPLICATION_ID, Database
from db.subjects import COLUMNS, KIND_LABELS, METRIC_LABELS
from db.validate import name_key

ERROR, WARNING = "error", "warning"

CHECK_LABELS = {
    "integrity": "文件完整性（integrity_check）",
    "foreign_key": "引用完整性（foreign_key_check）",
    "constraint": "数据约束（CHECK / NOT NULL）",
    "schema": "数据格式版本",
    "reference": "引用的记录存在",
    "negative": "累计数不为负",
    "target_reason": "目标调整有理由",
    "audit": "每次修改都有操作记录",
    "date_in_year": "报告期在计划年度内",
    "stage": "形象进度在列表中",
    "supersedes": "更正记录指向同一数据",
    "name_key": "名称的比较键",
    "cluster_tree": "产业集群树无环",
    "setting": "设置值有效",
}


@dataclass(frozen=True)
class Finding:
    code: str                  # one of CHECK_LABELS
    message: str               # Chinese, for people
    table: str | None = None
    row_id: int | None = None
    severity: str = ERROR

    def as_dict(self) -> dict:
        return {"code": self.code, "check": CHECK_LABELS.get(self.code, self.code), "message": self.message,
                "table": self.table, "row_id": self.row_id, "severity": self.severity}


TABLE_LABELS = {"progress_update": "进度更新", "target": "目标", "project": "重点项目", "milestone": "项目节点",
                "cluster": "产业集群节点", "portfolio": "项目盘子", "indicator": "指标", "audit_log": "操作记录",
                "plan_year": "计划年度", "setting": "设置", "stage": "形象进度", "progress_note": "本月进展",
                "project_issue": "存在问题", "accepted_warning": "已确认的提示", "exchange_row": "交换包记录",
                "import_batch": "导入批次"}


def run(db: Database, *, full: bool = True) -> list[Finding]:
    """Every check; ``full`` uses integrity_check (all pages and indexes) instead of quick_check."""
    findings = _integrity(db, full)
    if any(f.code == "integrity" for f in findings):
        # A damaged file answers queries with nonsense or errors; what matters now is the backup.
        return findings
    domain: list[Finding] = []
    for check in _DOMAIN_CHECKS:
        try:
            domain += check(db)
        except sqlite3.DatabaseError as exc:
            domain.append(Finding("integrity", f"检查“{check.__doc__ or check.__name__}”时读取失败：{exc}"))
    # foreign_key_check repeats, in SQLite's words, what the reference check says in ours: say it once.
    seen = {(f.table, f.row_id) for f in domain if f.code == "reference"}
    fks = [f for f in _foreign_keys(db) if (f.table, f.row_id) not in seen]
    return findings + fks + domain


def checks_run() -> list[str]:
    """The labels of every check run() performs (the GUI lists them when all pass)."""
    return list(CHECK_LABELS.values())


# -- SQLite ----------------------------------------------------------------------------------------------------

def _integrity(db: Database, full: bool) -> list[Finding]:
    pragma = "PRAGMA integrity_check" if full else "PRAGMA quick_check"
    try:
        rows = [r[0] for r in db.conn.execute(pragma).fetchall()]
    except sqlite3.DatabaseError as exc:
        return [Finding("integrity", f"数据库文件已损坏，无法完成检查（{exc}）")]
    out = []
    if rows != ["ok"]:
        # A row breaking a CHECK / NOT NULL constraint was written behind the data layer's back; the file itself
        # is sound. Anything else is damage to the file's structure.
        constraint = [r for r in rows if r.startswith(("CHECK constraint failed", "NULL value in"))]
        damage = [r for r in rows if r not in constraint]
        out += [Finding("constraint", f"有不符合数据约束的记录：{_constraint_text(r)}") for r in constraint[:20]]
        out += [Finding("integrity", f"数据库文件已损坏：{r}") for r in damage[:20]]
        if len(damage) > 20:
            out.append(Finding("integrity", f"……另有 {len(damage) - 20} 处损坏"))
    app_id = db.scalar("PRAGMA application_id")
    if app_id != APPLICATION_ID:
        out.append(Finding("schema", f"文件标识不是 PolicyTrack（application_id = {app_id}）"))
    from db import schema
    version = db.schema_version
    if version != schema.SCHEMA_VERSION:
        out.append(Finding("schema", f"数据格式版本为 {version}，本程序为 {schema.SCHEMA_VERSION}", severity=WARNING))
    return out


def _constraint_text(row: str) -> str:
    table = row.rsplit(" ", 1)[-1]
    return f"{_t(table)}（{row}）"


def _foreign_keys(db: Database) -> list[Finding]:
    out = []
    for table, rowid, parent, _fkid in db.conn.execute("PRAGMA foreign_key_check").fetchall():
        out.append(Finding("foreign_key", f"{_t(table)} #{rowid} 引用的{_t(parent)}不存在", table, rowid))
    return out


def _t(table: str) -> str:
    return TABLE_LABELS.get(table, table)


# -- the domain's invariants ----------------------------------------------------------------------------------

def references(db: Database) -> list[tuple[str, str, str, str]]:
    """Every reference the schema declares, as (table, column, parent table, parent column).

    Read from the schema itself with sqlite-utils' introspection (on the same connection, read only), so a
    migration that adds a table or a reference is checked without anyone keeping a list in step. Imported here,
    not at start-up: only 检查数据库 needs it.
    """
    schema = db.utils()
    return [(table.name, fk.column, fk.other_table, fk.other_column)
            for table in schema.tables for fk in table.foreign_keys]


def _reference_sql(table: str, column: str, parent: str, parent_column: str) -> str:
    # Identifiers from the schema's own declarations, never values.
    return ("SELECT x.rowid, x." + column + " FROM " + table + " x LEFT JOIN " + parent
            + " y ON y." + parent_column + " = x." + column
            + " WHERE x." + column + " IS NOT NULL AND y." + parent_column + " IS NULL ORDER BY x.rowid")


def _references(db: Database) -> list[Finding]:
    """引用的记录存在"""
    out = []
    for table, column, parent, parent_column in references(db):
        for row_id, ref in db.conn.execute(_reference_sql(table, column, parent, parent_column)):
            out.append(Finding("reference", f"{_t(table)} #{row_id} 所属的{_t(parent)} #{ref} 不存在", table, row_id))
    return out


def _subject_name_sql() -> str:
    return ("coalesce((SELECT name FROM project WHERE id = u.project_id), (SELECT name FROM portfolio WHERE id ="
            " u.portfolio_id), (SELECT name FROM indicator WHERE id = u.indicator_id), (SELECT name FROM cluster"
            " WHERE id = u.cluster_id), '?')")


def _negative(db: Database) -> list[Finding]:
    """累计数不为负"""
    out = []
    rows = db.conn.execute(
        "SELECT u.id, u.metric, u.as_of, u.value, " + _subject_name_sql() + " FROM progress_update u"
        " LEFT JOIN indicator i ON i.id = u.indicator_id"
        " WHERE u.value < 0 AND (u.metric IN ('completed', 'output', 'physical_progress')"
        "   OR (u.metric = 'value' AND i.accumulation = 'cumulative' AND i.unit NOT IN ('%', '百分点')))"
        " ORDER BY u.id")
    for uid, metric, as_of, value, name in rows:
        label = METRIC_LABELS.get(metric, metric)
        out.append(Finding("negative", f"「{name}」的{label}（截至 {as_of}）为负数：{value}", "progress_update", uid))
    for tid, metric, value in db.conn.execute(
            "SELECT id, metric, value FROM target WHERE metric <> 'value' AND value < 0 ORDER BY id"):
        label = METRIC_LABELS.get(metric, metric)
        out.append(Finding("negative", f"目标 #{tid} 的{label}为负数：{value}", "target", tid))
    return out


def _target_reasons(db: Database) -> list[Finding]:
    """目标调整有理由"""
    rows = db.conn.execute("SELECT id, metric FROM target WHERE length(trim(reason)) = 0"
                           " OR length(trim(revised_by)) = 0 OR length(trim(revised_at)) = 0 ORDER BY id")
    return [Finding("target_reason", f"目标 #{tid}（{METRIC_LABELS.get(m, m)}）没有调整理由或调整人", "target", tid)
            for tid, m in rows]


def _audit(db: Database) -> list[Finding]:
    """每次修改都有操作记录"""
    # A write logs one entry per update/revision (after.update / after.revision = its id), or, for a batch,
    # an entry by the same user at the same time.
    logged_updates: set[int] = set()
    logged_targets: set[int] = set()
    stamps: set[tuple[str, str]] = set()
    for at, user, after in db.conn.execute("SELECT at, user, after FROM audit_log"):
        stamps.add((at, user))
        if not after:
            continue
        try:
            data = json.loads(after)
        except ValueError:
            continue
        if isinstance(data, dict):
            if isinstance(data.get("update"), int):
                logged_updates.add(data["update"])
            if isinstance(data.get("revision"), int):
                logged_targets.add(data["revision"])
    out = []
    for uid, at, by in db.conn.execute("SELECT id, recorded_at, recorded_by FROM progress_update ORDER BY id"):
        if uid not in logged_updates and (at, by) not in stamps:
            out.append(Finding("audit", f"进度更新 #{uid}（{by}，{at}）没有对应的操作记录", "progress_update", uid))
    for tid, at, by in db.conn.execute("SELECT id, revised_at, revised_by FROM target ORDER BY id"):
        if tid not in logged_targets and (at, by) not in stamps:
            out.append(Finding("audit", f"目标 #{tid}（{by}，{at}）没有对应的操作记录", "target", tid))
    has_data = db.scalar("SELECT (SELECT count(*) FROM plan_year) + (SELECT count(*) FROM progress_update)")
    if has_data and not db.scalar("SELECT count(*) FROM audit_log"):
        out.append(Finding("audit", "数据库中有数据，但操作记录是空的", "audit_log"))
    return out


def _plan_year_sql() -> str:
    return ("coalesce((SELECT plan_year_id FROM portfolio WHERE id = u.portfolio_id),"
            " (SELECT pf.plan_year_id FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id"
            "  WHERE p.id = u.project_id),"
            " (SELECT plan_year_id FROM indicator WHERE id = u.indicator_id),"
            " (SELECT plan_year_id FROM cluster WHERE id = u.cluster_id))")


def _dates_in_year(db: Database) -> list[Finding]:
    """报告期在计划年度内"""
    rows = db.conn.execute(
        "SELECT u.id, u.as_of, y.year, " + _subject_name_sql() + " FROM progress_update u"
        " JOIN plan_year y ON y.id = " + _plan_year_sql() +
        " WHERE substr(u.as_of, 1, 4) <> CAST(y.year AS TEXT) ORDER BY u.id")
    return [Finding("date_in_year", f"「{name}」的进度更新 #{uid} 截至 {as_of}，不在计划年度 {year} 年内",
                    "progress_update", uid) for uid, as_of, year, name in rows]


def _stages(db: Database) -> list[Finding]:
    """形象进度在列表中"""
    rows = db.conn.execute(
        "SELECT u.id, u.text_value, " + _subject_name_sql() + " FROM progress_update u"
        " WHERE u.metric = 'stage' AND u.retracted = 0 AND u.text_value NOT IN (SELECT name FROM stage)"
        " ORDER BY u.id")
    return [Finding("stage", f"「{name}」的形象进度“{text}”不在形象进度列表中", "progress_update", uid, WARNING)
            for uid, text, name in rows]


def _supersedes(db: Database) -> list[Finding]:
    """更正记录指向同一数据"""
    same = " AND ".join("u." + c + " IS o." + c for c in COLUMNS.values())
    rows = db.conn.execute(
        "SELECT u.id, u.supersedes_id FROM progress_update u JOIN progress_update o ON o.id = u.supersedes_id"
        " WHERE NOT (" + same + " AND u.metric = o.metric AND u.as_of = o.as_of AND o.id < u.id) ORDER BY u.id")
    return [Finding("supersedes", f"进度更新 #{uid} 声称更正 #{old}，但两者不是同一对象、同一报告期的数据",
                    "progress_update", uid) for uid, old in rows]


def _name_keys(db: Database) -> list[Finding]:
    """名称的比较键"""
    out = []
    for table in ("project", "indicator"):
        for row_id, name, key in db.conn.execute("SELECT id, name, name_key FROM " + table + " ORDER BY id"):
            if key != name_key(name):
                out.append(Finding("name_key", f"{_t(table)}「{name}」的比较键与名称不一致，查重会出错", table, row_id))
    return out


def _cluster_tree(db: Database) -> list[Finding]:
    """产业集群树无环"""
    rows = db.conn.execute("SELECT id, parent_id, plan_year_id, name FROM cluster").fetchall()
    parent = {r[0]: r[1] for r in rows}
    year = {r[0]: r[2] for r in rows}
    out = []
    for node_id, parent_id, plan_year_id, name in rows:
        if parent_id is not None and parent_id in year and year[parent_id] != plan_year_id:
            out.append(Finding("cluster_tree", f"产业集群节点「{name}」与上级节点不在同一计划年度", "cluster", node_id))
        seen = {node_id}
        p = parent_id
        while p is not None and p in parent:
            if p in seen:
                out.append(Finding("cluster_tree", f"产业集群节点「{name}」的上级关系形成了环", "cluster", node_id))
                break
            seen.add(p)
            p = parent[p]
    return out


def _settings(db: Database) -> list[Finding]:
    """设置值有效"""
    from db import settings
    out = []
    try:
        t = settings.thresholds(db)
        if t.amber_from > t.green_from:
            out.append(Finding("setting", "预警阈值设置无效：黄色起点高于绿色起点", "setting"))
    except (ValueError, ZeroDivisionError, TypeError) as exc:
        out.append(Finding("setting", f"预警阈值设置无效：{exc}", "setting"))
    mode = db.scalar("SELECT value FROM setting WHERE key = 'time_progress_mode'")
    if mode not in (None, "month", "day"):
        out.append(Finding("setting", f"时序进度计算方式设置无效：{mode}", "setting"))
    return out


_DOMAIN_CHECKS: list[Callable[[Database], list[Finding]]] = [
    _references, _negative, _target_reasons, _audit, _dates_in_year, _stages, _supersedes, _name_keys,
    _cluster_tree, _settings,
]


def summary_text(findings: list[Finding]) -> str:
    """One line for the status bar / CLI."""
    if not findings:
        return f"检查通过：{len(CHECK_LABELS)} 项检查均未发现问题"
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    parts = [f"{errors} 个错误"] if errors else []
    if warnings:
        parts.append(f"{warnings} 个提醒")
    return "检查发现 " + "、".join(parts)


__all__ = ["Finding", "run", "summary_text", "checks_run", "CHECK_LABELS", "KIND_LABELS"]
