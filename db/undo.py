"""Undo and redo that refuse rather than overwrite.

Every write the GUI can undo returns a receipt: what is needed to write the inverse later. Undoing first checks
that nothing newer was written to the same figures since (by the GUI, an import, an exchange file, the command
line or another user); if something was, it raises ``UndoRefused`` naming what is newer and writes nothing.
Redo checks the same against the rows its undo wrote, and writes the original figures again with their original
reason and source. Undo and redo are themselves appended, logged writes: history keeps every step.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from db.connection import Database
from db.errors import PolicyTrackError
from db.subjects import METRIC_LABELS, Subject

_NAME_SQL = {kind: f"SELECT name FROM {kind} WHERE id = ?"
             for kind in ("portfolio", "project", "indicator", "cluster")}


class UndoRefused(PolicyTrackError):
    """Undo or redo would overwrite a newer figure; the message (Chinese) names what is newer. Nothing written."""


def subject_name(db: Database, subject: Subject) -> str:
    name = db.scalar(_NAME_SQL[subject.kind], (subject.id,))
    return f"“{name}”" if name else f"#{subject.id}"


def who_when(row: dict[str, Any], at: str, by: str, source: str = "") -> str:
    """'2026-12-08 02:30:00，张三，交换包 某文件' from a row's time, user and source columns."""
    parts = [str(row.get(at) or "")[:19], str(row.get(by) or "")]
    if source:
        parts.append(source)
    return "，".join(p for p in parts if p)


# -- target revisions ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TargetReceipt:
    """One target revision written: its id and what it needs to be undone (the value in force before it)."""
    subject: Subject
    metric: str
    revision: int
    before: int | None
    effective: str
    label: str = ""


_NEWEST_REVISION = {kind: f"SELECT * FROM target WHERE {kind}_id = ? AND metric = ? ORDER BY id DESC LIMIT 1"
                    for kind in ("portfolio", "project", "indicator", "cluster")}


def _check_newest_revision(db: Database, subject: Subject, metric: str, expected: int, doing: str) -> None:
    row = db.query_one(_NEWEST_REVISION[subject.kind], (subject.id, metric))
    if row is not None and int(row["id"]) != expected:
        from db.targets import show_value
        source = row.get("source") or ""
        raise UndoRefused(
            f"不能{doing}：{subject_name(db, subject)}的{METRIC_LABELS[metric]}之后又改为 "
            f"{show_value(metric, row['value'])}（{row['effective_from']} 起生效；"
            f"{who_when(row, 'revised_at', 'revised_by', source)}）。{doing}会覆盖这个更新的目标，已取消；"
            "如需修改，请直接修改目标。")


def set_target(db: Database, subject: Subject, metric: str, value: int | None, *, reason: str, doc_no: str = "",
               effective: dt.date | str | None = None, source: str = "") -> TargetReceipt:
    """A dated target revision (db.targets.revise) and the receipt to undo it."""
    from db import targets

    with db.transaction("target"):
        before = targets.value(db, subject, metric, effective or "9999-12-31")
        rev = targets.revise(db, subject, metric, value, reason=reason, doc_no=doc_no, effective_from=effective,
                             source=source)
        eff = db.scalar("SELECT effective_from FROM target WHERE id = ?", (rev,))
    return TargetReceipt(subject, metric, rev, before, eff, reason.strip())


def undo_target(db: Database, receipt: TargetReceipt) -> TargetReceipt:
    """Revise back, at the same 生效日期, to the value in force before; refused when a newer revision exists."""
    from db import targets

    with db.transaction("target"):
        _check_newest_revision(db, receipt.subject, receipt.metric, receipt.revision, "撤销")
        rev = targets.revise(db, receipt.subject, receipt.metric, receipt.before, reason=f"撤销：{receipt.label}",
                             action="target.undo", effective_from=receipt.effective)
    return TargetReceipt(receipt.subject, receipt.metric, rev, None, receipt.effective, receipt.label)


def redo_target(db: Database, receipt: TargetReceipt, undone: TargetReceipt) -> TargetReceipt:
    """Write the original revision again (its value, reason, 文号, 生效日期 and source); refused when something
    newer than the undo was written."""
    from db import targets

    with db.transaction("target"):
        _check_newest_revision(db, receipt.subject, receipt.metric, undone.revision, "重做")
        row = db.query_one("SELECT * FROM target WHERE id = ?", (receipt.revision,))
        rev = targets.revise(db, receipt.subject, receipt.metric, row["value"], reason=row["reason"],
                             doc_no=row["doc_no"], effective_from=row["effective_from"], source=row["source"],
                             action="target.redo")
    return TargetReceipt(receipt.subject, receipt.metric, rev, receipt.before, receipt.effective, receipt.label)


# -- progress updates ----------------------------------------------------------------------------------

_NEWEST_UPDATE = {kind: f"SELECT * FROM progress_update WHERE {kind}_id = ? AND metric = ? AND as_of = ?"
                        " ORDER BY id DESC LIMIT 1"
                  for kind in ("portfolio", "project", "indicator", "cluster")}


def check_newest_update(db: Database, subject: Subject, metric: str, as_of: str, expected: int, doing: str) -> None:
    """Refuse (UndoRefused naming the newer figure) unless ``expected`` is the newest row of that figure."""
    row = db.query_one(_NEWEST_UPDATE[subject.kind], (subject.id, metric, as_of))
    if row is None or int(row["id"]) == expected:
        return
    from db.targets import show_value
    from db.updates import SOURCE_KINDS
    if row["retracted"]:
        shown = "撤回"
    elif row["text_value"] is not None:
        shown = f"“{row['text_value']}”"
    else:
        shown = show_value(metric, row["value"])
    source = SOURCE_KINDS.get(row["source_kind"], row["source_kind"] or "") + (
        f" {row['source']}" if row.get("source") else "")
    raise UndoRefused(
        f"不能{doing}：{subject_name(db, subject)}截至 {as_of} 的{METRIC_LABELS[metric]}之后又记录为 {shown}"
        f"（{who_when(row, 'recorded_at', 'recorded_by', source)}）。{doing}会覆盖这个更新的数，已取消；"
        "如需更正，请直接录入正确的数。")


# -- project fields ------------------------------------------------------------------------------------

def check_fields(db: Database, project_id: int, expected: dict[str, Any], doing: str) -> None:
    """Refuse unless every field still holds ``expected`` (nothing newer edited it since)."""
    from db import projects

    row = projects.get(db, project_id)
    for col, value in expected.items():
        if row[col] != value:
            raise UndoRefused(
                f"不能{doing}：项目“{row['name']}”的{projects.FIELDS[col][0]}之后又改为 "
                f"{row[col] if row[col] not in (None, '') else '（空）'}。{doing}会覆盖这个更新的内容，已取消。")


def edit_project(db: Database, project_id: int, changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """db.projects.edit; the returned diff {column: (before, after)} is the receipt."""
    from db import projects
    return projects.edit(db, project_id, **changes)


def undo_edit_project(db: Database, project_id: int, diff: dict[str, tuple[Any, Any]]) -> None:
    from db import projects
    with db.transaction("project"):
        check_fields(db, project_id, {c: a for c, (_b, a) in diff.items()}, "撤销")
        projects.edit(db, project_id, **{c: b for c, (b, _a) in diff.items()})


def redo_edit_project(db: Database, project_id: int, diff: dict[str, tuple[Any, Any]]) -> None:
    from db import projects
    with db.transaction("project"):
        check_fields(db, project_id, {c: b for c, (b, _a) in diff.items()}, "重做")
        projects.edit(db, project_id, **{c: a for c, (_b, a) in diff.items()})


# -- cluster names -------------------------------------------------------------------------------------

def rename_cluster(db: Database, node_id: int, name: str, *, expected: str, doing: str = "") -> None:
    """Rename a cluster node back or again, refused when its name changed since (``expected`` no longer holds)."""
    from db import clusters
    with db.transaction("cluster"):
        current = clusters.get(db, node_id)["name"]
        if doing and current != expected:
            raise UndoRefused(f"不能{doing}：节点名称之后又改为“{current}”，已取消。")
        clusters.rename(db, node_id, name)


# -- settings ------------------------------------------------------------------------------------------

SETTING_LABELS = {"status_green_from": "绿色起点", "status_amber_from": "黄色起点",
                  "time_progress_mode": "时序进度计算方式", "reporting_deadline_day": "报送截止日", "user_name": "用户名"}


@dataclass(frozen=True)
class SettingsReceipt:
    """The raw values of the settings a save changed: before and after, and the audit user name before."""
    before: dict[str, str | None]
    after: dict[str, str | None]
    user_before: str
    user_after: str


def _settings_now(db: Database) -> dict[str, str | None]:
    from db import settings
    return {key: settings.get(db, key) for key in SETTING_LABELS}


def save_settings(db: Database, write) -> SettingsReceipt:
    """Run ``write(db)`` (db.settings / db.reporting setters) in one transaction; the receipt to undo it."""
    user_before = db.user
    with db.transaction("setting"):
        before = _settings_now(db)
        write(db)
        after = _settings_now(db)
    changed = [k for k in SETTING_LABELS if before[k] != after[k]]
    return SettingsReceipt({k: before[k] for k in changed}, {k: after[k] for k in changed}, user_before, db.user)


def _write_settings(db: Database, values: dict[str, str | None], expected: dict[str, str | None], doing: str) -> None:
    from db import audit, settings
    with db.transaction("setting"):
        now = _settings_now(db)
        for key, value in expected.items():
            if now[key] != value:
                raise UndoRefused(f"不能{doing}：设置“{SETTING_LABELS[key]}”之后又改为 {now[key] or '（默认）'}，"
                                  f"{doing}会覆盖它，已取消。")
        for key, value in values.items():
            if value is None:
                db.conn.execute("DELETE FROM setting WHERE key = ?", (key,))
                audit.log(db, action="setting.set", entity="setting", entity_id=None,
                          summary=f"{doing}：{SETTING_LABELS[key]}恢复默认", before={key: now[key]}, after={key: None})
            else:
                settings.put(db, key, value, f"{doing}：{SETTING_LABELS[key]} {now[key] or '（默认）'} → {value}")


def undo_settings(db: Database, receipt: SettingsReceipt) -> None:
    _write_settings(db, receipt.before, receipt.after, "撤销")
    if "user_name" in receipt.before:
        db.user = receipt.user_before


def redo_settings(db: Database, receipt: SettingsReceipt) -> None:
    _write_settings(db, receipt.after, receipt.before, "重做")
    if "user_name" in receipt.after:
        db.user = receipt.user_after
