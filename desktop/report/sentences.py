"""The briefing's standard sentences, drafted from the data (pure text, no Qt).

“1—6月，区级重点项目完成投资222亿元，占年度计划的55.6%，超序时进度5.6个百分点。” and the same kind of
sentence for every portfolio, cluster tier and indicator group, plus counts of projects by status and stage
and the red and amber items. Numbers follow desktop.formatting (亿元 with at most one decimal in prose,
percentages with one decimal, gaps in 百分点).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from db.progress import STATUS_LABELS, UNJUDGED_LABEL
from desktop import formatting as fmt
from desktop.charts.data import UNFILLED_STAGE, group_projects

STATUS_WORDS = {**STATUS_LABELS, None: UNJUDGED_LABEL}
NUMERALS = "一二三四五六七八九十"


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)


def yi_prose(x: float | None) -> str:
    """亿元 in prose: one decimal, a trailing .0 dropped (222亿元, 50.5亿元)."""
    return fmt.plain(x, 1)


def gap_prose(gap: float | None) -> str:
    """'超序时进度5.6个百分点' without the spaces the tables use."""
    return fmt.gap_sentence(gap).replace(" ", "")


def period(as_of: str) -> str:
    return fmt.month_range_cn(as_of)


def portfolio_sentence(p: dict[str, Any], as_of: str) -> str:
    """Said for the period the figure covers: a June total read in September is June's, and says so."""
    if p.get("completed_yi") is None:
        return f"{period(as_of)}，{p['name']}尚未报送完成投资。"
    own = p.get("completed_as_of") or as_of
    stale = "" if p.get("current", True) else f"{p['name']}{fmt.month_cn(as_of)}数据未报送；"
    text = f"{stale}{period(own)}，{p['name']}完成投资{yi_prose(p['completed_yi'])}亿元"
    if p.get("annual_plan_yi") and dt.date.fromisoformat(own).month == 12:
        # The year-end briefing reads as an annual summary: was the year's plan met, and by how much.
        diff = p["completed_yi"] - p["annual_plan_yi"]
        text += f"，为年度计划的{fmt.percent(p['completion_rate'])}，"
        text += (f"超额完成全年计划{yi_prose(diff)}亿元" if diff > 0 else "完成全年计划" if diff == 0
                 else f"未完成全年计划，差{yi_prose(-diff)}亿元")
    elif p.get("annual_plan_yi"):
        text += f"，占年度计划的{fmt.percent(p['completion_rate'])}，{gap_prose(p['gap_points'])}"
    return text + "。"


def portfolio_detail(p: dict[str, Any], months_left: int) -> str:
    parts = []
    if p.get("projects") is not None:
        parts.append(f"共{p['projects']}个项目")
    if p.get("total_investment_yi") is not None:
        parts.append(f"总投资{yi_prose(p['total_investment_yi'])}亿元")
    if p.get("annual_plan_yi") is not None:
        parts.append(f"年度计划投资{yi_prose(p['annual_plan_yi'])}亿元")
    text = "，".join(parts)
    if p.get("catch_up_yi_per_month") is not None and months_left > 0 and p.get("current", True):
        text += f"；完成全年计划，剩余{months_left}个月需月均完成{yi_prose(p['catch_up_yi_per_month'])}亿元"
    if p.get("itemised_projects") is not None and p.get("projects"):
        text += f"；已逐个录入{p['itemised_projects']}个项目"
    return (text + "。") if text else ""


def cluster_paragraphs(clusters: list[dict[str, Any]], as_of: str) -> list[str]:
    """One paragraph per tier: each cluster's output against its scale target and growth; then the rest."""
    out: list[str] = []
    by_tier: dict[str, list[dict[str, Any]]] = {}
    tier_label: dict[str, str] = {}
    below: dict[str, list[dict[str, Any]]] = {}
    for c in clusters:
        if c["kind"] == "tier":
            tier_label[c["path"][-1]] = c["scale_label"]
            by_tier.setdefault(c["path"][-1], [])
        elif c["kind"] == "cluster" and len(c["path"]) >= 2:
            by_tier.setdefault(c["path"][-2], []).append(c)
        elif c["kind"] in ("industry", "enterprise") and len(c["path"]) >= 2 and (
                c["output_yi"] is not None or c["growth"] is not None):
            below.setdefault(c["path"][-2], []).append(c)
    for tier, members in by_tier.items():
        if not members:
            continue
        label = f"{tier}（{tier_label[tier]}）" if tier_label.get(tier) else tier
        done, waiting = [], []
        for c in members:
            if c["output_yi"] is None and c["growth"] is None:
                waiting.append(c["path"][-1])
                continue
            bits = [c["path"][-1]]
            own = c.get("output_as_of") or as_of
            if c["output_yi"] is not None:
                stale = "" if c.get("current", True) else f"（{fmt.month_cn(as_of)}未报送）"
                bits.append(f"{period(own)}实现产值{yi_prose(c['output_yi'])}亿元{stale}")
            if c["growth"] is not None:
                bits.append(_growth(c["growth"]))
            if c["output_yi"] is not None and c.get("annual_output_target_yi") and c["completion_rate"] is not None:
                bits.append(f"为年度产值目标{yi_prose(c['annual_output_target_yi'])}亿元的"
                            f"{fmt.percent(c['completion_rate'])}，{gap_prose(c['gap_points'])}")
            text = "，".join(bits)
            for child in below.get(c["path"][-1], []):
                extra = [child["path"][-1]]
                if child["output_yi"] is not None:
                    extra.append(f"产值{yi_prose(child['output_yi'])}亿元")
                if child["growth"] is not None:
                    extra.append(_growth(child["growth"]))
                text += "（其中" + "，".join(extra) + "）"
            done.append(text)
        sentence = f"{label}："
        if done:
            sentence += "；".join(done)
        if waiting:
            sentence += ("；" if done else "") + "、".join(waiting) + "本期暂无产值数据"
        out.append(sentence + "。")
    return out


def _growth(g: float) -> str:
    if g > 0:
        return f"同比增长{fmt.percent(g)}"
    if g < 0:
        return f"同比下降{fmt.percent(-g)}"
    return "与上年同期持平"


def indicator_paragraphs(indicators: list[dict[str, Any]]) -> list[str]:
    """One paragraph per campaign (indicator group)."""
    groups: dict[str, list[str]] = {}
    for i in indicators:
        if i["actual"] is None:
            text = f"{i['name']}尚未报数"
        else:
            stale = "" if i.get("current", True) else f"（截至{fmt.month_cn(i['as_of'])}）"
            text = f"{i['name']}{stale}{fmt.plain(i['actual'])}{i['unit']}"
            if i["completion_rate"] is not None:
                text += f"，完成全年目标的{fmt.percent(i['completion_rate'])}"
                if i.get("target_derived"):
                    text += f"（全年目标{fmt.plain(i['target'])}{i['unit']}为推算）"
                if i["status"] in ("amber", "red") and i.get("current", True):
                    text += f"（{STATUS_WORDS[i['status']]}）"
            if i["direction"] == "lower":
                text += "（越低越好）"
        groups.setdefault(i["campaign"], []).append(text)
    return [f"{campaign}：" + "；".join(items) + "。" for campaign, items in groups.items()]


def project_paragraphs(data: dict[str, Any]) -> list[str]:
    projects = data.get("projects", [])
    if not projects:
        return ["尚未逐个录入重点项目。"]
    counts = {s: 0 for s in STATUS_WORDS}
    unreported = 0
    for p in projects:
        if p.get("current", True):
            counts[p["status"]] += 1
        else:
            unreported += 1
    text = (f"已录入的{len(projects)}个项目中，正常{counts['green']}个、预警{counts['amber']}个、"
            f"滞后{counts['red']}个")
    if unreported:
        text += f"，{fmt.month_cn(data['as_of'])}未报送{unreported}个"
    if counts[None]:
        text += f"，另有{counts[None]}个项目缺少年度计划、未作评价"
    out = [text + "。"]
    stage_counts: dict[str, int] = {}
    for p in projects:
        stage_counts[p["stage"] or UNFILLED_STAGE] = stage_counts.get(p["stage"] or UNFILLED_STAGE, 0) + 1
    order = list(data.get("stages", [])) + [UNFILLED_STAGE]
    stage_text = "、".join(f"{s}{stage_counts[s]}个" for s in order if stage_counts.get(s))
    extra = [s for s in stage_counts if s not in order]
    stage_text += "".join(f"、{s}{stage_counts[s]}个" for s in extra)
    out.append(f"按形象进度分：{stage_text}。")
    units = [g for g in group_projects(data, "unit") if g["status"] == "red"]
    if units:
        units.sort(key=lambda g: g["gap_points"])
        names = "、".join(f"{g['name']}（{fmt.points(g['gap_points'])}个百分点）" for g in units[:8])
        more = f"等{len(units)}个" if len(units) > 8 else ""
        out.append(f"完成进度滞后于时序进度超过预警线的责任单位有：{names}{more}。")
    upcoming = sorted((p for p in projects if p["next_milestone_date"] and p["next_milestone_date"] > data["as_of"]),
                      key=lambda p: (p["next_milestone_date"], p["name"]))
    if upcoming:
        items = "；".join(f"{p['name']}预计{_month_cn(p['next_milestone_date'])}{p['next_milestone']}"
                         for p in upcoming[:5])
        out.append(f"近期节点：{items}。")
    return out


def _month_cn(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月"


def alert_items(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Red and amber items of every kind, red first, the furthest behind first within each colour."""
    items: list[dict[str, Any]] = []
    def alarming(item: dict[str, Any]) -> bool:  # an old figure is 未报送, never red or amber for being old
        return item["status"] in ("red", "amber") and item.get("current", True)

    for p in data.get("portfolios", []):
        if alarming(p):
            items.append({"kind": "项目盘子", "name": p["name"], "unit": "", "rate": p["completion_rate"],
                          "gap": p["gap_points"], "status": p["status"], "note": ""})
    for i in data.get("indicators", []):
        if alarming(i):
            items.append({"kind": "指标", "name": f"{i['campaign']}｜{i['name']}", "unit": "",
                          "rate": i["completion_rate"], "gap": i["gap_points"], "status": i["status"],
                          "note": i.get("note") or ""})
    for c in data.get("clusters", []):
        if alarming(c):
            items.append({"kind": "产业集群", "name": " / ".join(c["path"][1:]), "unit": "",
                          "rate": c["completion_rate"], "gap": c.get("gap_points"), "status": c["status"],
                          "note": ""})
    for p in data.get("projects", []):
        if alarming(p):
            items.append({"kind": "重点项目", "name": p["name"], "unit": p["responsible_unit"],
                          "rate": p["completion_rate"], "gap": p["gap_points"], "status": p["status"],
                          "note": p["note"]})
    severity = {"red": 0, "amber": 1}
    items.sort(key=lambda it: (severity[it["status"]], it["gap"] if it["gap"] is not None else 0))
    return items


def reporting_paragraph(data: dict[str, Any]) -> str:
    """报送情况 in one paragraph: what has not been reported for the 报告期, by unit, and the deadline."""
    r = data.get("reporting")
    if not r:
        return ""
    month = fmt.month_cn(data["as_of"])
    late = [u for u in r["units"] if u["missing"]]
    if not late and not r["portfolios_unreported"]:
        return f"{month}数据各责任单位均已报送。"
    parts = []
    if r["portfolios_unreported"]:
        parts.append(f"{'、'.join(r['portfolios_unreported'])}{month}合计数尚未报送")
    if late:
        parts.append(f"{r['project_count'] - r['reported_count']}个项目尚未报送{month}数据，涉及"
                     + "、".join(f"{u['unit']}{len(u['missing'])}个" for u in late[:8])
                     + (f"等{len(late)}个单位" if len(late) > 8 else ""))
    text = "；".join(parts) + f"（报送截止{fmt.date_cn(r['deadline'])}"
    text += f"，已逾期{r['days_overdue']}天）" if r.get("days_overdue") else "）"
    return text + "。以上项目在本简报中按最近一次报送的数据列示，并注明截至月份。"


def draft(data: dict[str, Any]) -> list[Section]:
    """The summary page: sections of auto-drafted standard sentences."""
    as_of = data["as_of"]
    months_left = 12 - next((m["months_elapsed"] for m in data.get("monthly", [])), 0)
    overall = Section("一、总体情况", [
        f"截至{fmt.date_cn(as_of)}，全年时序进度为{fmt.percent(data['time_progress'])}"
        "（按已过月份计）。" if data.get("time_progress_mode", "month") == "month" else
        f"截至{fmt.date_cn(as_of)}，全年时序进度为{fmt.percent(data['time_progress'])}（按天计）。"])
    projects = Section("二、重点项目")
    for p in data.get("portfolios", []):
        detail = portfolio_detail(p, months_left)
        projects.paragraphs.append(portfolio_sentence(p, as_of) + detail)
    projects.paragraphs += project_paragraphs(data)
    sections = [overall, projects]
    cl = cluster_paragraphs(data.get("clusters", []), as_of)
    if cl:
        sections.append(Section("三、产业集群", cl))
    ind = indicator_paragraphs(data.get("indicators", []))
    if ind:
        sections.append(Section(f"{NUMERALS[len(sections)]}、政策指标", ind))
    alerts = alert_items(data)
    red = sum(1 for a in alerts if a["status"] == "red")
    amber = len(alerts) - red
    text = (f"本期滞后{red}项、预警{amber}项，逐项列于简报末尾“预警及滞后事项”。" if alerts
            else "本期没有滞后或预警事项。")
    sections.append(Section(f"{NUMERALS[len(sections)]}、预警事项", [text]))
    rep = reporting_paragraph(data)
    if rep:
        sections.append(Section(f"{NUMERALS[len(sections)]}、报送情况", [rep]))
    for n, s in enumerate(sections):
        s.title = f"{NUMERALS[n]}、{s.title.split('、', 1)[1]}"
    return sections
