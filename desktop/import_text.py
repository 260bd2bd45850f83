"""How import and exchange previews read to a person (shared by the command line and the dialogs)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from db import portfolios
from db.errors import printable, quote
from db.xlsx_import import Change, ImportPreview, RowPlan

if TYPE_CHECKING:   # names for annotations only: `import-xlsx` need not load the exchange module (≈ 40 ms)
    from db.exchange import ExchangePreview, Group, Side
from desktop import formatting as fmt

NONE = "（无）"
WAN_KEYS = {"total_investment", "annual_plan", "completed", "month_completed", "output", "scale"}


def value_text(key: str, value: Any) -> str:
    """A stored value in the words a table uses: 万元 amounts grouped, basis points as %, text as it is."""
    if value is None or value == "":
        return NONE
    if key in WAN_KEYS and isinstance(value, int):
        return f"{value:,} 万元"
    if key in ("physical_progress", "growth") and isinstance(value, int):
        return fmt.percent_bp(value)
    return str(value)


def change_text(c: Change) -> str:
    if c.kind == "create":
        return f"新建项目 {c.after}"
    return f"{c.label} {value_text(c.key, c.before)} → {value_text(c.key, c.after)}"


def row_status(r: RowPlan) -> str:
    if r.status == "skipped":
        return "跳过"
    if r.status == "new":
        return "新项目"
    return "有变化" if r.changes else "无变化"


def xlsx_report(p: ImportPreview, *, verbose: bool = True) -> list[str]:
    lines = [f"调度表 {p.file_name}（读取方式：{p.reader}）"]
    if p.earlier_imports:
        e = p.earlier_imports[0]
        lines.append(f"注意：这个文件已于 {e['imported_at']} 由 {e['imported_by']} 导入过；只会记录与数据库不同的数字")
    for s in p.sheets:
        lay = s.layout
        assert lay is not None
        h0, h1 = lay.header_rows
        head = f"第 {h0} 行" if h0 == h1 else f"第 {h0}–{h1} 行"
        as_of = f"截至 {lay.as_of.isoformat()}（{lay.as_of_source}）" if lay.as_of else "截至日期未知"
        unit = lay.unit or "万元（未注明）"
        level = portfolios.LEVELS[lay.level] + f"（{lay.level_source}）" if lay.level else "级别未写明"
        lines.append(f"工作表“{quote(s.name)}”：表头 {head}；{as_of}；单位 {unit}；{level}；{len(s.rows)} 个项目行")
        lines.append("  识别的列：" + "，".join(f"{c.letter} {c.label}" for c in sorted(
            lay.columns.values(), key=lambda c: c.index)))
        lines.append(f"  完成投资：{lay.completed_source}")
        if lay.ignored_columns:
            lines.append("  未使用的列：" + "，".join(f"{letter} {label}（{why}）"
                                                     for letter, label, why in lay.ignored_columns))
        for r in s.rows:
            if not verbose and r.status == "matched" and not r.changes:
                continue
            where = f"  第 {r.row} 行 {quote(r.name)}"
            if r.status == "skipped":
                lines.append(f"{where} —— 跳过：{r.reason}")
                continue
            kind = "新项目" if r.status == "new" else (
                f"已有项目“{quote(r.project_name)}”" if r.project_name and r.project_name != r.name else "已有项目")
            what = "；".join(change_text(c) for c in r.changes) or "与数据库一致，不记录"
            lines.append(f"{where} —— {kind}：{what}")
            for w in r.warnings:
                lines.append(f"      提醒：{w}")
            for w in r.checks:
                accepted = f"（已确认：{p.accept_reason}）" if p.accept_reason else ""
                lines.append(f"      需核实：［{w.label}］{w.message}{accepted}")
    for name, why in p.skipped_sheets:
        lines.append(f"工作表“{quote(name)}”未导入：{why}")
    problems = p.problems
    if problems:
        lines.append(f"无法读取的单元格（{len(problems)} 个，导入时跳过）：")
        for sheet, c in problems:
            col = f"{c.column} 列" if c.column else ""
            lines.append(f"  工作表“{sheet}” 第 {c.row} 行 {col}（{c.field}）“{quote(c.value)}”：{c.reason}")
    if p.warnings:
        lines.append("提醒：")
        lines += [f"  {w}" for w in p.warnings]
    checks = p.checks
    if checks:
        lines.append(f"需核实的提醒（{len(checks)} 条，与手工录入相同的合理性检查）：")
        lines += [f"  工作表“{r.sheet}” 第 {r.row} 行 {r.name}：［{w.label}］{w.message}" for r, w in checks]
    refusals = p.refusals
    if refusals:
        lines.append(f"无法导入（{len(refusals)} 处）：")
        lines += [f"  {why}" for why in refusals]
    lines.append(xlsx_totals(p))
    return [printable(line) for line in lines]  # names and cells from a file may carry control characters


def skip_reasons(p: ImportPreview) -> str:
    """Why rows were skipped, counted: '无法确定项目级别 2 行；数据库中没有 2024 年的计划年度 1 行'."""
    counts: dict[str, int] = {}
    for r in p.skipped_rows:
        head = r.reason.split("，")[0].split("：")[0] if r.reason else "未说明"
        counts[head] = counts.get(head, 0) + 1
    return "；".join(f"{why} {n} 行" for why, n in counts.items())


def xlsx_totals(p: ImportPreview) -> str:
    skipped = p.skipped_rows
    if p.nothing_to_do:
        if skipped:
            return (f"没有可导入的数据：{len(skipped)} 行跳过（{skip_reasons(p)}），"
                    f"其余 {len(p.rows) - len(skipped)} 行与数据库一致")
        return "没有新的数据：文件中的数字与数据库一致，不会记录任何内容"
    n_updates = sum(1 for r in p.rows if r.status != "skipped" for c in r.changes if c.kind == "update")
    n_targets = sum(1 for r in p.rows if r.status != "skipped" for c in r.changes if c.kind == "target")
    n_fields = sum(1 for r in p.rows if r.status == "matched" for c in r.changes if c.kind == "field")
    n_notes = sum(1 for r in p.rows if r.status != "skipped" for c in r.changes if c.kind == "note")
    rows = sum(1 for r in p.rows if r.status != "skipped" and r.changes)
    return (f"共 {rows} 行有变化：新建项目 {len(p.new_projects)} 个，记录更新 {n_updates} 条，"
            f"年度计划 {n_targets} 个，项目信息 {n_fields} 项，本月进展 {n_notes} 条；跳过 {len(p.skipped_rows)} 行，"
            f"无法读取的单元格 {len(p.problems)} 个")


# -- exchange ---------------------------------------------------------------------------------------------------

def side_value(g: Group, s: Side | None) -> str:
    if s is None:
        return NONE
    if s.retracted:
        return "（已撤回）"
    return quote(value_text(g.metric, s.text_value if s.text_value is not None else s.value))


def side_origin(s: Side | None, g: Group | None = None) -> str:
    if s is None:
        return ""
    who = " ".join(x for x in (s.site_name, s.user) if x)
    when = s.recorded_at
    date = (f"{s.as_of} 起生效" if g is not None and g.entity == "target" else f"截至 {s.as_of}") if s.as_of else ""
    return "，".join(x for x in (who, f"{when} 录入" if when else "", date) if x)


def group_title(g: Group) -> str:
    period = f"（{g.period}）" if g.period else ""
    return f"{g.label} {g.metric_label}{period}"


STATUS_CN = {"new": "新增", "update": "修改", "conflict": "冲突", "same": "相同", "known": "已导入过",
             "unresolved": "无法对应", "out_of_scope": "超出发送单位范围"}


def exchange_report(p: ExchangePreview) -> list[str]:
    s = p.sender
    scope = p.scope or {}
    where = []
    if scope.get("unit"):
        where.append(f"责任单位 {scope['unit']}")
    if scope.get("since"):
        where.append(f"自 {scope['since']} 起")
    lines = [f"交换包 {p.file_name}：来自 {quote(s.get('name') or '（未署名）')}"
             f"（{quote(s.get('user'), 40)}@{quote(s.get('host'), 40)}），"
             f"导出于 {p.created_at}" + (f"；范围：{'，'.join(where)}" if where else "")]
    if p.signer:
        lines.append(f"签名：{p.signer['label']}" + (f"，指纹 {p.signer['fingerprint']}" if p.signer.get("fingerprint")
                                                     and p.signer["status"] != "self" else ""))
    if p.from_myself:
        lines.append("注意：这是本机自己导出的交换包")
    if p.earlier_imports:
        lines.append(f"注意：这个文件已于 {p.earlier_imports[0]['imported_at']} 导入过")
    changes = [g for g in p.groups if g.status in ("new", "update")]
    if changes:
        lines.append(f"将写入（{len(changes)} 项）：")
        for g in changes:
            create = f"（新建项目：{quote(g.create_project['name'])}）" if g.create_project else ""
            lines.append(f"  {group_title(g)}：{side_value(g, g.mine)} → {side_value(g, g.theirs)}{create}"
                         f"  [{side_origin(g.theirs, g)}]")
    incoming = getattr(p, "problems", [])
    if incoming:
        lines.append(f"存在问题（{len(incoming)} 条记录）：")
        lines += [f"  {quote(it.label, 120)}" + (f"（不导入：{it.reason}）" if it.reason else "") for it in incoming]
    pictures = getattr(p, "photos", [])
    if pictures:
        lines.append(f"现场照片（{len(pictures)} 张）：")
        lines += [f"  {quote(it.label, 120)}" + (f"（不导入：{it.reason}）" if it.reason else "") for it in pictures]
    conflicts = p.conflicts
    if conflicts:
        lines.append(f"冲突（{len(conflicts)} 处，同一对象、同一指标、同一月份，两个来源的数字不同）：")
        for g in conflicts:
            chosen = {"mine": "，已选：保留本机", "theirs": "，已选：采用交换包"}.get(g.choice or "", "")
            lines.append(f"  {group_title(g)}{chosen}")
            lines.append(f"      本机：  {side_value(g, g.mine)}  [{side_origin(g.mine, g)}]")
            lines.append(f"      交换包：{side_value(g, g.theirs)}  [{side_origin(g.theirs, g)}]")
    for status in ("unresolved", "out_of_scope"):
        items = [g for g in p.groups if g.status == status]
        if items:
            lines.append(f"{STATUS_CN[status]}（{len(items)} 项，不导入）：")
            lines += [f"  {group_title(g)}：{g.reason}" for g in items]
    lines.append(f"相同 {p.count('same')} 项，已导入过 {p.count('known')} 项")
    if not changes and not conflicts:
        lines.append("没有新的数据：不会记录任何内容")
    return [printable(line) for line in lines]
