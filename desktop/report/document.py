"""The 调度简报 as a document (pure Python, no Qt): 版头, sections 一、… 六、, tables, attachments, 版记.

One structure, two writers: desktop.report.briefing paints it into a PDF, desktop.report.docx_writer writes
it as a Word document. Leaders' order, short at any scale: the body names at most ``worst_n`` projects
(grouped by 责任单位) and counts the rest; the full 调度表 and 预警 list are attachments (附件), on by
default below ``ATTACHMENTS_AUTO_LIMIT`` projects.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from desktop import formatting as fmt
from desktop.report import sentences

NUMERALS = sentences.NUMERALS
SUB_NUMERALS = "一二三四五六七八九十"
ATTACHMENTS_AUTO_LIMIT = 500
ATTACHMENT_MODES = ("auto", "all", "none")
UNREPORTED = "unreported"

SECTION_KEYS = ("总体情况", "重点项目", "产业集群", "政策指标", "存在问题", "下步工作")


@dataclass(frozen=True)
class Column:
    title: str
    weight: float          # share of the table width
    align: str = "left"    # left, right or center


@dataclass
class Table:
    columns: tuple[Column, ...]
    # (cells, kind, status): kind is "row", "section" (a 一、 line across the table), "group" (a cluster or
    # unit line), "subtotal" or "total"; status colours the 状态 cell of a row.
    rows: list[tuple[list[str], str, str | None]] = field(default_factory=list)
    status_column: int = -1
    note_column: int = -1           # wraps to two lines
    unit: str = ""                  # “金额单位：亿元”


@dataclass
class Block:
    kind: str                       # "sub" ((一) heading), "para", "table"
    text: str = ""
    table: Table | None = None


@dataclass
class Section:
    key: str                        # one of SECTION_KEYS
    title: str                      # “一、总体情况”
    blocks: list[Block] = field(default_factory=list)
    edited: bool = False

    def text(self) -> str:
        """The section's prose as the clerk edits it: (一) headings and paragraphs, one per line."""
        return "\n".join(b.text for b in self.blocks if b.kind in ("sub", "para"))


@dataclass
class Document:
    title: str
    year: int
    issue: int
    issuer: str
    date: dt.date
    as_of: str
    plain: bool
    sections: list[Section]
    report_to: str
    send_to: str
    printer: str
    attachments: list[tuple[str, Table]]
    charts: bool = True
    warnings: list[str] = field(default_factory=list)

    @property
    def issue_label(self) -> str:
        return f"第{self.issue}期"

    @property
    def doc_title(self) -> str:
        return f"{self.title}（{self.year}年{self.issue_label}）"

    def imprint(self) -> list[str]:
        """The 版记 lines, those with nothing to say left out."""
        lines = []
        if self.report_to:
            lines.append(f"报：{self.report_to}")
        if self.send_to:
            lines.append(f"送：{self.send_to}")
        return lines

    @property
    def printed_line(self) -> tuple[str, str]:
        return (self.printer or self.issuer, f"{fmt.date_cn(self.date)}印发")

    def body_text(self) -> list[str]:
        """Every heading and sentence of the body in order (tests and the docx check read this)."""
        out = [self.title, self.issue_label, self.issuer, fmt.date_cn(self.date)]
        for s in self.sections:
            out.append(s.title)
            out += [b.text for b in s.blocks if b.kind in ("sub", "para")]
        return out


# -- tables ------------------------------------------------------------------------------------------------

WORST_COLUMNS = (
    Column("序号", 8, "right"),
    Column("项目名称", 58),
    Column("年度计划\n（亿元）", 16, "right"),
    Column("累计完成\n（亿元）", 16, "right"),
    Column("完成率", 14, "right"),
    Column("偏差\n（百分点）", 15, "right"),
    Column("状态", 10, "center"),
    Column("说明", 60),
)

SCHEDULE_COLUMNS = (
    Column("序号", 9, "right"),
    Column("项目名称", 54),
    Column("责任单位", 26),
    Column("总投资\n（亿元）", 14, "right"),
    Column("年度计划\n（亿元）", 14, "right"),
    Column("累计完成\n（亿元）", 16, "right"),
    Column("完成率", 13, "right"),
    Column("偏差\n（百分点）", 14, "right"),
    Column("形象进度", 14, "center"),
    Column("本月进展", 30),
    Column("下一节点", 34),
    Column("存在问题及备注", 34),
    Column("状态", 11, "center"),
)

ALERT_COLUMNS = (
    Column("序号", 10, "right"),
    Column("类别", 16, "center"),
    Column("名称", 70),
    Column("责任单位", 30),
    Column("完成率", 16, "right"),
    Column("偏差\n（百分点）", 18, "right"),
    Column("状态", 14, "center"),
    Column("说明", 103),
)


def yi_wan(wan: int | None) -> str:
    """万元 integer -> 亿元 with one decimal, half up, exactly (the table's hot path avoids Decimal)."""
    if wan is None:
        return fmt.DASH
    tenths = (abs(wan) + 500) // 1000
    sign = "-" if wan < 0 and tenths else ""
    return f"{sign}{tenths // 10}.{tenths % 10}"


def tenths(num: int, den: int) -> str:
    """num/den with one decimal, rounded half away from zero as desktop.formatting does, in integers."""
    q = (2 * abs(num) + den) // (2 * den)
    sign = "-" if num < 0 else ""  # like desktop.formatting.points: a tiny shortfall reads -0.0
    return f"{sign}{q // 10}.{q % 10}"


def _memo(fn):
    """``fn`` of one value, remembered per table build: a 10,000-row table repeats the same gaps and rates
    thousands of times, and desktop.formatting rounds each exactly (Decimal/Fraction), ~10 µs a call. The key
    holds the type, so an int, a float and a Fraction that compare equal never share an answer."""
    cache: dict[tuple[type, Any], str] = {}

    def call(value):
        key = (type(value), value)
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = fn(value)
        return hit
    return call


def _rate(done: int | None, plan: int | None) -> str:
    return tenths(1000 * done, plan) + "%" if plan and done is not None else fmt.DASH


def _status_of(p: dict[str, Any]) -> tuple[str | None, str]:
    if p.get("current", True):
        return p["status"], fmt.status_label(p["status"])
    return UNREPORTED, fmt.UNREPORTED


def _milestone(p: dict[str, Any], as_of: str) -> str:
    if not p.get("next_milestone"):
        return ""
    when = p.get("next_milestone_date")
    text = p["next_milestone"] + (f"（{when}）" if when else "")
    if when and when < as_of:
        text = "【逾期】" + text
    return text


def schedule_table(data: dict[str, Any]) -> Table:
    """附件1 重点项目调度表: by portfolio (一、二、…), then by cluster, with 小计 per cluster and portfolio and a
    合计 at the end; 逾期 marked on milestones past the 报告期."""
    as_of = data["as_of"]
    by_portfolio: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for p in data.get("projects", []):
        by_portfolio.setdefault(p.get("portfolio") or "其他项目", {}).setdefault(
            p.get("cluster") or "未归入产业集群", []).append(p)
    table = Table(SCHEDULE_COLUMNS, status_column=len(SCHEDULE_COLUMNS) - 1, unit="金额单位：亿元")
    rows = table.rows
    points = _memo(fmt.points)
    grand = [0, 0, 0, 0, 0]
    n = 0
    for k, (portfolio, clusters) in enumerate(by_portfolio.items()):
        count = sum(len(v) for v in clusters.values())
        rows.append(([f"{NUMERALS[k % 10]}、{portfolio}（{count}个）"], "section", None))
        ptot = [0, 0, 0, 0, 0]
        for cluster, projects in clusters.items():
            if len(clusters) > 1 or cluster != "未归入产业集群":
                rows.append(([f"{cluster}（{len(projects)}个）"], "group", None))
            ctot = [0, 0, 0, 0, 0]
            for p in projects:
                n += 1
                plan, done = p["plan_wan"], p["completed_wan"]
                done_text = yi_wan(done)
                state, label = _status_of(p)
                if state == UNREPORTED and p.get("completed_as_of"):
                    done_text = f"{done_text}（{fmt.as_of_note(p['completed_as_of'])}）"
                rows.append(([
                    str(n), p["name"], p["responsible_unit"] or "", yi_wan(p["total_investment_wan"]), yi_wan(plan),
                    done_text, _rate(done, plan), points(p["gap_points"]), p["stage"] or "",
                    _progress_text(p.get("physical_progress")), _milestone(p, as_of), p.get("note") or "", label,
                ], "row", state))
                ctot[0] += p["total_investment_wan"] or 0
                if plan:
                    ctot[1] += plan
                    ctot[2] += done or 0
                ctot[3] += done or 0
                ctot[4] |= (1 if p["total_investment_wan"] is not None else 0) | (2 if plan else 0) \
                    | (4 if done is not None else 0)
            if len(clusters) > 1:
                rows.append((_total_cells("小计", ctot), "subtotal", None))
            ptot = [a + b for a, b in zip(ptot[:4], ctot[:4])] + [ptot[4] | ctot[4]]
        rows.append((_total_cells(f"{portfolio}小计" if len(by_portfolio) > 1 else "合计", ptot),
                     "subtotal" if len(by_portfolio) > 1 else "total", None))
        grand = [a + b for a, b in zip(grand[:4], ptot[:4])] + [grand[4] | ptot[4]]
    if len(by_portfolio) > 1:
        rows.append((_total_cells("合计", grand), "total", None))
    return table


def _progress_text(value: Any) -> str:
    """形象进度/本月进展: a share (0.56) as 工程量完成56.0%, text as it was reported."""
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)):
        return f"工程量完成{fmt.percent(value)}"
    return str(value)


def _total_cells(label: str, t: list[int]) -> list[str]:
    """A 小计/合计 row: sums of 总投资, 年度计划 and 累计完成; the rate over projects that have a plan."""
    def shown(value: int, bit: int) -> str:
        return yi_wan(value) if t[4] & bit else fmt.DASH

    return ["", label, "", shown(t[0], 1), shown(t[1], 2), shown(t[3], 4), _rate(t[2], t[1]) if t[1] else fmt.DASH,
            "", "", "", "", "", ""]


def alert_table(data: dict[str, Any], items: list[dict[str, Any]] | None = None) -> Table:
    """附件2 预警及滞后事项; ``items``: sentences.alert_items(data) when the caller has it already."""
    table = Table(ALERT_COLUMNS, status_column=len(ALERT_COLUMNS) - 2, note_column=len(ALERT_COLUMNS) - 1)
    percent, points = _memo(fmt.percent), _memo(fmt.points)
    labels = fmt.STATUS_LABELS
    rows = table.rows
    for n, a in enumerate(sentences.alert_items(data) if items is None else items, 1):
        rows.append(([str(n), a["kind"], a["name"], a["unit"] or "", percent(a["rate"]), points(a["gap"]),
                      labels.get(a["status"], fmt.DASH), a["note"] or ""], "row", a["status"]))
    return table


def worst_table(projects: list[dict[str, Any]]) -> Table:
    """The N worst projects, grouped by 责任单位 (the unit with the worst project first)."""
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for p in projects:
        by_unit.setdefault(p["responsible_unit"] or "未填写责任单位", []).append(p)
    table = Table(WORST_COLUMNS, status_column=6, note_column=7, unit="金额单位：亿元")
    n = 0
    for unit, items in by_unit.items():
        table.rows.append(([f"{unit}（{len(items)}个）"], "group", None))
        for p in items:
            n += 1
            table.rows.append(([str(n), p["name"], yi_wan(p["plan_wan"]), yi_wan(p["completed_wan"]),
                                _rate(p["completed_wan"], p["plan_wan"]), fmt.points(p["gap_points"]),
                                fmt.status_label(p["status"]), p.get("note") or ""], "row", p["status"]))
    return table


# -- the sections ------------------------------------------------------------------------------------------

def _alarming(item: dict[str, Any]) -> bool:
    return item.get("status") in ("red", "amber") and item.get("current", True)


def _counts_sentence(parts: list[tuple[str, int]]) -> str:
    """“滞后3个、预警2个”: the non-zero counts only."""
    return "、".join(f"{label}{n}个" for label, n in parts if n)


def overall(data: dict[str, Any]) -> list[Block]:
    as_of = data["as_of"]
    mode = "按已过月份计" if data.get("time_progress_mode", "month") == "month" else "按天计"
    blocks = [Block("para", f"截至{fmt.date_cn(as_of)}，全年时序进度为{fmt.percent(data['time_progress'])}（{mode}）。")]
    for p in data.get("portfolios", []):
        blocks.append(Block("para", sentences.portfolio_sentence(p, as_of)))
    projects = data.get("projects", [])
    if projects:
        counts = {"green": 0, "amber": 0, "red": 0, None: 0}
        unreported = 0
        for p in projects:
            if p.get("current", True):
                counts[p["status"]] += 1
            else:
                unreported += 1
        text = f"逐个调度的{len(projects)}个项目中，" + _counts_sentence(
            [("进度正常", counts["green"]), ("预警", counts["amber"]), ("滞后", counts["red"])])
        if unreported:
            text += ("，" if text[-1] != "，" else "") + f"{fmt.month_cn(as_of)}未报送{unreported}个"
        if counts[None]:
            text += f"，{counts[None]}个缺少年度计划、未作评价"
        blocks.append(Block("para", text.replace("中，，", "中，") + "。"))
    if not any(_alarming(x) for key in ("portfolios", "clusters", "indicators", "projects")
               for x in data.get(key, [])):
        blocks.append(Block("para", "本期没有滞后或预警事项。"))
    rep = sentences.reporting_paragraph(data)
    if rep:
        blocks.append(Block("para", rep))
    return blocks


def key_projects(data: dict[str, Any], worst_n: int, attachments: bool) -> list[Block]:
    as_of = data["as_of"]
    months_left = 12 - next((m["months_elapsed"] for m in data.get("monthly", [])), 0)
    blocks: list[Block] = []
    k = 0

    def sub(title: str) -> None:
        nonlocal k
        blocks.append(Block("sub", f"（{SUB_NUMERALS[k]}）{title}"))
        k += 1

    portfolios = [p for p in data.get("portfolios", []) if sentences.portfolio_detail(p, months_left)]
    if portfolios:
        sub("分类推进情况")
        for p in portfolios:
            blocks.append(Block("para", f"{p['name']}：{sentences.portfolio_detail(p, months_left)}"))
    projects = data.get("projects", [])
    if projects:
        stage_counts: dict[str, int] = {}
        for p in projects:
            stage = p["stage"] or sentences.UNFILLED_STAGE
            stage_counts[stage] = stage_counts.get(stage, 0) + 1
        order = list(data.get("stages", [])) + [sentences.UNFILLED_STAGE]
        order += [s for s in stage_counts if s not in order]
        stage_text = "、".join(f"{s}{stage_counts[s]}个" for s in order if stage_counts.get(s))
        sub("形象进度")
        blocks.append(Block("para", f"按形象进度分：{stage_text}。"))
        overdue = [p for p in projects if p.get("next_milestone_date") and p["next_milestone_date"] < as_of]
        if overdue:
            names = "、".join(p["name"] for p in overdue[:5])
            blocks.append(Block("para", f"{len(overdue)}个项目的节点已逾期未完成" +
                                (f"，如{names}等" if len(overdue) > 5 else f"：{names}") + "。"))
    alarming_totals = [p for p in data.get("portfolios", []) if _alarming(p)]
    alarming_clusters = [c for c in data.get("clusters", []) if _alarming(c)]
    alarming_projects = sorted((p for p in projects if _alarming(p)),
                               key=lambda p: (p["gap_points"] if p["gap_points"] is not None else 0, p["name"]))
    if alarming_totals or alarming_clusters or alarming_projects:
        sub("滞后及预警事项")
    for p in alarming_totals:
        blocks.append(Block("para", f"{p['name']}完成年度计划的{fmt.percent(p['completion_rate'])}，"
                                    f"{sentences.gap_prose(p['gap_points'])}，{sentences.STATUS_WORDS[p['status']]}。"))
    if alarming_clusters:
        items = "；".join(f"{c['path'][-1]}完成年度产值目标的{fmt.percent(c['completion_rate'])}，"
                         f"{sentences.gap_prose(c.get('gap_points'))}" for c in alarming_clusters[:8])
        more = f"等{len(alarming_clusters)}个" if len(alarming_clusters) > 8 else ""
        blocks.append(Block("para", f"产业集群中进度滞后或预警的有{more}：{items}。"))
    if alarming_projects:
        red = sum(1 for p in alarming_projects if p["status"] == "red")
        amber = len(alarming_projects) - red
        shown = alarming_projects[:worst_n]
        text = f"重点项目中滞后{red}个、预警{amber}个。".replace("滞后0个、", "").replace("、预警0个", "")
        if shown:
            text += (f"偏差最大的{len(shown)}个按责任单位列示如下" if len(shown) < len(alarming_projects)
                     else "按责任单位列示如下") + "。"
        rest = len(alarming_projects) - len(shown)
        if rest:
            text += f"其余{rest}个" + ("见附件2。" if attachments else "未逐一列出。")
        blocks.append(Block("para", text))
        if shown:
            by_unit: dict[str, list[dict[str, Any]]] = {}
            for p in shown:
                by_unit.setdefault(p["responsible_unit"] or "", []).append(p)
            blocks.append(Block("table", table=worst_table([p for items in by_unit.values() for p in items])))
    return blocks


def cluster_blocks(data: dict[str, Any]) -> list[Block]:
    paragraphs, waiting = [], []
    for text in sentences.cluster_paragraphs(data.get("clusters", []), data["as_of"]):
        head, _, body = text.partition("：")
        parts = body.rstrip("。").split("；")
        keep = []
        for part in parts:
            if part.endswith("本期暂无产值数据"):
                waiting += part[:-len("本期暂无产值数据")].split("、")
            else:
                keep.append(part)
        if keep:
            paragraphs.append(f"{head}：" + "；".join(keep) + "。")
    if waiting:
        paragraphs.append("、".join(waiting) + "本期暂无产值数据。")
    return [Block("para", t) for t in paragraphs]


def problems(data: dict[str, Any], worst_n: int, items: list[dict[str, Any]] | None = None) -> list[Block]:
    """From the problem register where the data has one, else the notes of the items behind schedule
    (``items``: sentences.alert_items(data) when the caller has it already)."""
    register = data.get("problems") or []
    blocks = []
    if register:
        for n, item in enumerate(register[:worst_n], 1):
            text = (item.get("text") or item.get("title") or item.get("description") or "").rstrip("。")
            who = (item.get("owner") or item.get("unit") or item.get("responsible_unit") or "").strip("（）()")
            subject = item.get("subject") or item.get("project") or ""
            facts = [f"责任单位：{who}" if who else "", f"整改时限：{item['due']}" if item.get("due") else "",
                     f"已逾期{item['overdue_days']}天" if item.get("overdue_days") else ""]
            facts_text = "，".join(f for f in facts if f)
            blocks.append(Block("para", f"{n}. " + "：".join(x for x in (subject, text) if x)
                                + (f"（{facts_text}）" if facts_text else "") + "。"))
        if len(register) > worst_n:
            blocks.append(Block("para", f"另有{len(register) - worst_n}个问题未逐一列出。"))
        return blocks
    noted = [a for a in (sentences.alert_items(data) if items is None else items) if a.get("note")]
    for n, a in enumerate(noted[:worst_n], 1):
        note = a["note"].rstrip("。")
        blocks.append(Block("para", f"{n}. {a['name']}（{fmt.status_label(a['status'])}）：{note}。"))
    if len(noted) > worst_n:
        blocks.append(Block("para", f"另有{len(noted) - worst_n}个滞后或预警事项报有说明，未逐一列出。"))
    if not blocks:
        blocks.append(Block("para", "本期各单位未报送需协调解决的问题。"))
    return blocks


def next_steps(data: dict[str, Any]) -> list[Block]:
    """A first draft; the clerk rewrites it in 简报编辑."""
    as_of = dt.date.fromisoformat(data["as_of"])
    nxt = (as_of.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    blocks = []
    behind = sum(1 for p in data.get("projects", []) if _alarming(p))
    if behind:
        blocks.append(Block("para", f"督促{behind}个滞后、预警项目的责任单位逐项落实整改措施，加快投资进度。"))
    deadline = ""
    r = data.get("reporting")
    if r and r.get("deadline"):
        d = dt.date.fromisoformat(r["deadline"])
        day = d.day
        deadline = f"于{nxt.month + 1 if nxt.month < 12 else 1}月{day}日前"
    blocks.append(Block("para", f"请各责任单位{deadline}报送{nxt.month}月项目进展数据。"))
    return blocks


def compose(data: dict[str, Any], *, title: str = "", issuer: str = "", issue: int = 1,
            made_on: dt.date | None = None, plain: bool = False, worst_n: int = 20, report_to: str = "",
            send_to: str = "", printer: str = "", attachments: str = "auto",
            edits: dict[str, dict[str, str]] | None = None) -> Document:
    """The document for ``data`` (desktop.charts.data.gather); ``edits`` from db.briefing.edits replace the
    drafted prose of a section (tables stay), with a warning when the draft under an edit has changed."""
    if attachments not in ATTACHMENT_MODES:
        raise ValueError(attachments)
    projects = data.get("projects", [])
    with_attachments = attachments == "all" or (attachments == "auto" and len(projects) < ATTACHMENTS_AUTO_LIMIT)
    # read once: 附件2 lists them, and 存在问题 quotes their notes when there is no problem register
    alerts_items = sentences.alert_items(data) if with_attachments or not data.get("problems") else None
    drafted = [
        ("总体情况", overall(data)),
        ("重点项目", key_projects(data, worst_n, with_attachments)),
        ("产业集群", cluster_blocks(data)),
        ("政策指标", [Block("para", t) for t in sentences.indicator_paragraphs(data.get("indicators", []))]),
        ("存在问题", problems(data, worst_n, alerts_items)),
        ("下步工作", next_steps(data)),
    ]
    sections = []
    warnings = []
    for key, blocks in drafted:
        if not blocks:
            continue
        section = Section(key, f"{NUMERALS[len(sections)]}、{key}", blocks)
        edit = (edits or {}).get(key)
        if edit:
            if edit.get("draft") is not None and edit["draft"] != section.text():
                warnings.append(f"“{section.title}”已人工修改，但其下的数字已变化，请核对修改后的文字。")
            tables = [b for b in blocks if b.kind == "table"]
            section.blocks = [Block("sub" if _is_sub(line) else "para", line.strip())
                              for line in edit["text"].splitlines() if line.strip()] + tables
            section.edited = True
        sections.append(section)
    attached: list[tuple[str, Table]] = []
    if with_attachments:
        attached.append(("重点项目调度表", schedule_table(data)))
        alerts = alert_table(data, alerts_items)
        if alerts.rows:
            attached.append(("预警及滞后事项", alerts))
    district = data.get("district", "")
    return Document(
        title=title or f"{district}重点项目调度简报", year=int(data["plan_year"]), issue=issue,
        issuer=issuer or data.get("organization") or f"{district}发展和改革委员会",
        date=made_on or dt.date.today(), as_of=data["as_of"], plain=plain, sections=sections,
        report_to=report_to, send_to=send_to, printer=printer, attachments=attached, warnings=warnings)


def _is_sub(line: str) -> bool:
    s = line.strip()
    return s.startswith("（") and s[1:2] in SUB_NUMERALS and "）" in s[:5] and len(s) <= 30


def from_db(db, data: dict[str, Any], *, issue: int | None = None, attachments: str = "auto",
            made_on: dt.date | None = None) -> Document:
    """compose() with the settings and edits kept in the database for this 期."""
    from db import briefing as store

    s = store.load(db)
    year = int(data["plan_year"])
    n = issue if issue is not None else store.issue_number(db, year)
    return compose(data, title=s.title, issuer=s.issuer, issue=n, made_on=made_on, plain=s.plain,
                   worst_n=s.worst_n, report_to=s.report_to, send_to=s.send_to, printer=s.printer,
                   attachments=attachments, edits=store.edits(db, year, n))
