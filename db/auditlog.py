"""Reading the audit log (变更记录): filters by date, user and entity, readable before/after, xlsx export."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from db import money
from db.connection import Database
from db.portfolios import LEVELS
from db.projects import FIELDS as PROJECT_FIELDS
from db.subjects import BASIS_POINT_METRICS, METRIC_LABELS, MONEY_METRICS
from db.validate import parse_date

ENTITY_LABELS = {
    "project": "重点项目", "portfolio": "项目盘子", "indicator": "指标", "cluster": "产业集群",
    "plan_year": "计划年度", "stage": "形象进度列表", "setting": "设置", "recording": "录入批次",
    "import_batch": "导入批次", "backup": "备份",
}
ACTION_LABELS = {
    "update.record": "记录数据", "update.retract": "撤回数据", "update.batch": "批量记录数据", "target.revise": "修改目标",
    "project.create": "新增项目", "project.edit": "修改项目", "project.remove": "删除项目",
    "project.restore": "恢复项目", "milestone.add": "新增节点", "milestone.actual": "节点实际日期",
    "note.record": "本月进展", "note.retract": "撤回本月进展", "issue.open": "存在问题",
    "issue.resolved": "问题已解决", "issue.withdrawn": "撤回问题", "warning.accept": "确认提示",
    "recording.save": "保存录入", "recording.undo": "撤销录入", "recording.redo": "重做录入",
    "setting.set": "修改设置", "stage.set": "形象进度列表", "plan_year.create": "新建年度",
    "portfolio.create": "新建项目盘子", "indicator.create": "新增指标",
    "target.undo": "撤销目标修改", "target.redo": "重做目标修改", "target.exchange": "交换包修改目标",
    "import.xlsx": "导入调度表",
    "import.exchange": "导入交换包", "cluster.add": "新增集群节点", "cluster.rename": "重命名集群节点",
    "cluster.move": "调整集群顺序", "cluster.remove": "删除集群节点", "cluster.restore": "恢复集群节点",
    "backup.restore": "恢复备份", "issue.record": "存在问题", "stage.move": "调整形象进度",
    "problem.add": "新增问题", "problem.edit": "修改问题", "problem.resolve": "问题已解决", "problem.close": "问题销号",
    "problem.undo": "撤销问题修改", "problem.category": "问题类别",
}

# Entity names resolved in SQL from fixed tables; the entity kind selects one branch.
_SEARCH = """
SELECT * FROM (
    SELECT a.id, a.at, a.user, a.action, a.entity, a.entity_id, a.summary, a.before, a.after,
           CASE a.entity
               WHEN 'project' THEN (SELECT name FROM project WHERE id = a.entity_id)
               WHEN 'portfolio' THEN (SELECT name FROM portfolio WHERE id = a.entity_id)
               WHEN 'indicator' THEN (SELECT name FROM indicator WHERE id = a.entity_id)
               WHEN 'cluster' THEN (SELECT name FROM cluster WHERE id = a.entity_id)
               WHEN 'plan_year' THEN (SELECT year || '年 ' || district FROM plan_year WHERE id = a.entity_id)
           END AS entity_name
    FROM audit_log a
    WHERE (:since IS NULL OR a.at >= :since) AND (:until IS NULL OR a.at < :until)
      AND (:user IS NULL OR a.user = :user)
      AND (:entity IS NULL OR a.entity = :entity)
      AND (:entity_id IS NULL OR a.entity_id = :entity_id)
)
WHERE (:text IS NULL OR instr(summary, :text) > 0 OR instr(coalesce(entity_name, ''), :text) > 0)
ORDER BY id DESC
LIMIT :limit
"""


def search(db: Database, *, date_from: object = None, date_to: object = None, user: str | None = None,
           entity: str | None = None, entity_id: int | None = None, text: str | None = None,
           limit: int = 10_000) -> list[dict[str, Any]]:
    """Log entries, newest first. Dates are inclusive days ('2023-07-01' … '2023-07-31'); ``text`` matches the
    summary or the entity's name. Each row also carries readable ``summary_text``, ``action_label``,
    ``entity_label``, ``before_text`` and ``after_text``."""
    since = None if date_from in (None, "") else parse_date(date_from, "开始日期")
    until = None if date_to in (None, "") else parse_date(date_to, "结束日期") + dt.timedelta(days=1)
    params = {
        "since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
        "user": user or None, "entity": entity or None, "entity_id": entity_id,
        "text": (text or "").strip() or None, "limit": limit}
    rows = db.query(_SEARCH, params)
    if entity in _BATCH_SUBJECT_SQL and entity_id is not None:
        # A large write logs one entry listing its figures (db.updates.record_many): this subject's are shown as
        # the entries a row-by-row write would have made, under the batch entry's id, time and user.
        rows = sorted(rows + _batch_rows(db, entity, entity_id, params), key=lambda r: r["id"], reverse=True)[:limit]
    ind_ids = {r["entity_id"] for r in rows if r["entity"] == "indicator"}
    inds = {i["id"]: i for i in db.query("SELECT id, unit, decimals FROM indicator")} if ind_ids else {}
    for r in rows:
        ind = inds.get(r["entity_id"]) if r["entity"] == "indicator" else None
        r["summary_text"] = _update_summary(r, ind) or _target_summary(r, ind) or r["summary"]
        r["action_label"] = ACTION_LABELS.get(r["action"], r["action"])
        r["entity_label"] = ENTITY_LABELS.get(r["entity"], r["entity"])
        if r["action"] == "update.batch":
            r["before_text"], r["after_text"] = "", _batch_text(r["after"])
        else:
            r["before_text"] = readable(r["before"], ind)
            r["after_text"] = readable(r["after"], ind)
    return rows


_BATCH_SUBJECT_SQL = {kind: """
    SELECT a.id, a.at, a.user, a.action, a.entity, a.entity_id, a.summary, a.before, a.after,
           (SELECT name FROM """ + kind + """ WHERE id = :entity_id) AS entity_name
    FROM audit_log a
    WHERE a.action = 'update.batch' AND instr(a.after, :needle) > 0
      AND (:since IS NULL OR a.at >= :since) AND (:until IS NULL OR a.at < :until)
      AND (:user IS NULL OR a.user = :user)
    ORDER BY a.id DESC
""" for kind in ("project", "portfolio", "indicator", "cluster")}


_DECODER = json.JSONDecoder()
_SOURCE_KIND = re.compile(r'^\{"source_kind": "([a-z]*)"')


def _batch_rows(db: Database, kind: str, subject_id: int, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures of one subject in batch entries, each as the entry record() writes for one figure.

    A batch entry lists thousands of rows: only this subject's rows are decoded (found by their opening
    '["project", 12,'), so a project's 修改记录 stays quick however many large saves and imports there were.
    """
    needle = json.dumps([kind, subject_id], ensure_ascii=False)[:-1] + ","
    out = []
    for entry in db.query(_BATCH_SUBJECT_SQL[kind], {**params, "needle": needle}):
        raw = entry["after"] or ""
        m = _SOURCE_KIND.match(raw)
        source_kind = m.group(1) if m else None
        at = raw.find(needle)
        while at >= 0:
            try:
                row, end = _DECODER.raw_decode(raw, at)
            except ValueError:
                break
            at = raw.find(needle, end)
            if not isinstance(row, list) or len(row) < 10 or row[0] != kind or row[1] != subject_id:
                continue
            _k, _sid, metric, as_of, value, text_value, retracted, update_id, before_v, before_t = row[:10]
            label = METRIC_LABELS.get(metric, metric)
            shown = "撤回" if retracted else (text_value if metric == "stage" else value)
            before = None
            if before_v is not None or before_t is not None:
                before = json.dumps({"metric": metric, "as_of": as_of, "value": before_v, "text_value": before_t},
                                    ensure_ascii=False)
            after = json.dumps({"metric": metric, "as_of": as_of, "value": value, "text_value": text_value,
                                "update": update_id, "source_kind": source_kind}, ensure_ascii=False)
            summary = f"{label}（截至 {as_of}）：{shown}"
            if params["text"] and params["text"] not in summary and params["text"] not in (entry["entity_name"] or ""):
                continue
            out.append({**entry, "action": "update.retract" if retracted else "update.record", "entity": kind,
                        "entity_id": subject_id, "summary": summary, "before": before, "after": after,
                        "batch": entry["summary"]})
    return out


def _batch_text(raw: str | None) -> str:
    """A batch entry's after, short: how many figures, of which kinds (the rows are shown per subject)."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return raw or ""
    if not isinstance(data, dict):
        return ""
    counts: dict[str, int] = {}
    for row in data.get("rows", []):
        if isinstance(row, list) and len(row) > 2:
            counts[METRIC_LABELS.get(row[2], str(row[2]))] = counts.get(METRIC_LABELS.get(row[2], str(row[2])), 0) + 1
    source = _VALUE_LABELS["source_kind"].get(data.get("source_kind"), data.get("source_kind") or "")
    parts = [f"共 {data.get('count', len(data.get('rows', [])))} 条"] + [f"{k} {n} 条" for k, n in counts.items()]
    return "；".join(parts) + (f"；来源 {source}" if source else "")


def _metric_entry(entry: dict[str, Any]) -> tuple[dict, dict, str | None]:
    """(before, after, metric) of a log entry about one metric; metric None when it is not one."""
    try:
        before = json.loads(entry["before"]) if entry["before"] else {}
        after = json.loads(entry["after"]) if entry["after"] else {}
    except ValueError:
        return {}, {}, None
    if not isinstance(before, dict) or not isinstance(after, dict):
        return {}, {}, None
    return before, after, after.get("metric")


def _update_summary(entry: dict[str, Any], indicator: dict[str, Any] | None) -> str | None:
    """update.record/retract summaries carry stored integers (125000); say them in their unit (12.5 亿元)."""
    if entry["action"] not in ("update.record", "update.retract"):
        return None
    _before, after, metric = _metric_entry(entry)
    if metric is None:
        return None
    label = "实际值" if entry["entity"] == "indicator" else METRIC_LABELS.get(metric, metric)
    head = f"{label}（截至 {after.get('as_of')}）："
    if entry["action"] == "update.retract":
        return head + "撤回"
    shown = readable(json.dumps({"metric": metric, "value": after.get("value"),
                                 "text_value": after.get("text_value")}), indicator)
    return head + shown.split(" ", 1)[-1] if shown else None


def _target_summary(entry: dict[str, Any], indicator: dict[str, Any] | None) -> str | None:
    """Target revisions as people read them, older entries too: '年度计划投资：（无） → 20.0 亿元（2023-08-01 起生效）；
    理由：…' rather than the stored '→ 200000'."""
    if not entry["action"].startswith("target."):
        return None
    before, after, metric = _metric_entry(entry)
    if metric is None:
        return None

    def shown(v: Any) -> str:
        if v is None:
            return "（无）"
        if indicator is not None and metric == "value" and isinstance(v, int):
            return f"{Decimal(v).scaleb(-indicator['decimals']):f}{indicator['unit']}"
        return money_text(v) if metric in MONEY_METRICS and isinstance(v, int) else str(v)

    label = "目标值" if entry["entity"] == "indicator" else METRIC_LABELS.get(metric, metric)
    text = f"{label}：{shown((before or {}).get('value'))} → {shown(after.get('value'))}"
    if after.get("effective_from"):
        text += f"（{after['effective_from']} 起生效）"
    return text + (f"；理由：{after['reason']}" if after.get("reason") else "")


def users(db: Database) -> list[str]:
    return [r[0] for r in db.conn.execute("SELECT DISTINCT user FROM audit_log ORDER BY user")]


def entities(db: Database) -> list[str]:
    return [r[0] for r in db.conn.execute("SELECT DISTINCT entity FROM audit_log ORDER BY entity")]


# -- readable before/after --------------------------------------------------------------------------

_KEY_LABELS = {
    "value": "数值", "text_value": "文字", "as_of": "截至日期", "reason": "理由", "doc_no": "文号",
    "effective_from": "生效日期", "actual_date": "实际日期", "planned_date": "计划日期", "text": "内容",
    "description": "问题", "owner": "责任人", "deadline": "时限", "status": "状态", "name": "名称",
    "source_kind": "来源", "rows": "行数", "written": "写入", "campaign": "所属行动", "unit": "单位",
    "direction": "方向", "accumulation": "统计方式", "level": "级别", "declared_count": "申报项目数",
    "portfolio_id": "项目盘子", "district": "区县", "year": "年度", "code": "提示", "kind": "类型",
}
_VALUE_LABELS = {
    "status": {"open": "未解决", "resolved": "已解决", "withdrawn": "已撤回"},
    "source_kind": {"seed": "内置数据", "typed": "手工录入", "import": "导入调度表", "exchange": "交换包",
                    "undo": "撤销", "cli": "命令行"},
    "direction": {"higher": "越高越好", "lower": "越低越好"},
    "accumulation": {"cumulative": "累计", "point": "时点"},
    "level": LEVELS,
}
_HIDDEN = {"update", "revision", "milestone", "note", "issue", "thread", "metric"}


def money_text(wan: int) -> str:
    """Exact 亿元 (a 万元 figure needs at most four decimals), never fewer than one: 14.0, 12.3456."""
    return money.yi_exact(wan) + " 亿元"


def readable(raw: str | None, indicator: dict[str, Any] | None = None) -> str:
    """A log entry's before/after JSON as a short line a person can read ('累计完成投资 12.5 亿元；截至日期 …').

    ``indicator`` (its row) turns an indicator's stored integer back into its unit.
    """
    if raw is None:
        return ""
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(data, dict):
        return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    metric = data.get("metric")
    parts = []
    for key, v in data.items():
        if key in _HIDDEN or v is None and key in ("text_value", "value") and metric is not None:
            continue
        label = _KEY_LABELS.get(key) or METRIC_LABELS.get(key) or PROJECT_FIELDS.get(key, (key,))[0]
        if key == "value" and metric is not None:
            label = METRIC_LABELS.get(metric, label)
            if isinstance(v, int) and indicator is not None and metric == "value":
                v = f"{Decimal(v).scaleb(-indicator['decimals']):f}{indicator['unit']}"
            elif isinstance(v, int) and metric in MONEY_METRICS:
                v = money_text(v)
            elif isinstance(v, int) and metric in BASIS_POINT_METRICS:
                v = f"{Decimal(v) / 100}%"
        elif key == "text_value" and metric is not None:
            label = METRIC_LABELS.get(metric, label)
        elif key.endswith("_wan") and isinstance(v, int):
            v = money_text(v)
        elif key in _VALUE_LABELS and isinstance(v, str):
            v = _VALUE_LABELS[key].get(v, v)
        parts.append(f"{label} {'（无）' if v is None else v}")
    return "；".join(parts)


# -- export -----------------------------------------------------------------------------------------

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet could run as a formula gets a leading apostrophe; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return "'" + value
    return value


EXPORT_COLUMNS = [("at", "时间", 20), ("user", "用户", 12), ("action_label", "操作", 14),
                  ("entity_label", "对象类别", 12), ("entity_name", "对象", 30), ("summary_text", "摘要", 60),
                  ("before_text", "修改前", 40), ("after_text", "修改后", 40)]


def export_xlsx(rows: Iterable[dict[str, Any]], path: str | os.PathLike, *, title: str = "变更记录") -> Path:
    """Write log entries (as ``search`` returns them) to an .xlsx file, written atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([h for _, h, _ in EXPORT_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([neutralise(r.get(key) if r.get(key) is not None else "") for key, _, _ in EXPORT_COLUMNS])
    for i, (_, _, width) in enumerate(EXPORT_COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            # Everything is text: openpyxl would otherwise take a leading '=' for a formula.
            cell.data_type = "s"
    ws.freeze_panes = "A2"
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    os.replace(tmp, path)
    return path
