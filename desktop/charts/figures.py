"""Pure figure builders: data from ``desktop.charts.data.gather`` in, a matplotlib Figure out.

The GUI, printing and the PDF briefing all draw these same figures. Built on ``matplotlib.figure.Figure``
(never pyplot), so no GUI backend is involved. Every chart states its as-of date and unit in the title,
carries status by hatching and by words as well as colour (it must survive a black-and-white printer),
wraps long Chinese names, and draws a clear “暂无数据” figure when there is nothing to show.
"""
from __future__ import annotations

from typing import Any, Iterable

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from db.progress import STATUS_LABELS, UNJUDGED_LABEL, UNREPORTED_LABEL
from desktop import formatting as fmt
from desktop.charts.data import UNFILLED_STAGE, group_projects
from desktop.fonts import register_matplotlib_fonts

register_matplotlib_fonts()

DEFAULT_SIZE = (10.0, 6.2)
INK = "#222222"
GRID = "#d0d0d0"
# The app's status colours (desktop/style.py STATUS_SOLID); hatching and the word carry the status in grey print.
STATUS_STYLE: dict[str | None, dict[str, str]] = {
    "green": {"color": "#2e7d32", "hatch": "", "label": STATUS_LABELS["green"]},
    "amber": {"color": "#e0a100", "hatch": "///", "label": STATUS_LABELS["amber"]},
    "red": {"color": "#c62828", "hatch": "xxx", "label": STATUS_LABELS["red"]},
    None: {"color": "#c8c8c8", "hatch": "...", "label": UNJUDGED_LABEL},
    "unreported": {"color": "#9e9e9e", "hatch": "\\\\", "label": UNREPORTED_LABEL},
}
STATUS_ORDER = ("red", "amber", "green", "unreported", None)


def shown(item: dict[str, Any]) -> str | None:
    """The state a chart draws: an item whose figure is older than the 报告期 is 未报送 (grey), never red."""
    return item.get("status") if item.get("current", True) else "unreported"


def _as_of_suffix(item: dict[str, Any], key: str) -> str:
    """'（截至6月）' after a figure older than the 报告期."""
    if item.get("current", True) or not item.get(key):
        return ""
    return f"（{fmt.as_of_note(item[key])}）"
NEUTRAL = "#5b7db1"
TARGET_GREY = "#e3e3e3"
EMPTY_TEXT = "暂无数据"
# A white box behind a label so a reference line crossing it does not strike the text through.
_CLEAR = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.9}


# -- text helpers ------------------------------------------------------------------------------------

def text_width(text: str) -> float:
    """Width in em: CJK and full-width characters count 1, everything else about half."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def wrap(text: str, width: float = 10, max_lines: int = 2) -> str:
    """Break a (Chinese) label into lines of at most ``width`` em; past ``max_lines`` end with “…”."""
    if not text:
        return ""
    lines: list[str] = []
    line, w = "", 0.0
    for ch in text:
        cw = text_width(ch)
        if w + cw > width and line:
            lines.append(line)
            line, w = "", 0.0
        line += ch
        w += cw
    lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last) + 1 > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return "\n".join(lines)


def _row_points(fig: Figure, n_rows: int) -> float:
    """Roughly how many points of height one bar row gets (the axes take about 70% of the figure)."""
    return fig.get_figheight() * 72 * 0.70 / max(n_rows, 1)


def fit_labels(names: list[str], width_em: float, row_pt: float, base: float = 8.5) -> tuple[list[str], float]:
    """Row labels and a font size that fit rows ``row_pt`` points apart without touching: two lines when
    there is room, one (truncated with “…”) when there is not, never below 5.5 pt."""
    two = [wrap(n, width_em, 2) for n in names]
    one_line_size = max(min(base, row_pt / 1.45), 5.5)
    if not any("\n" in t for t in two):
        return two, one_line_size
    size = min(base, row_pt / 2.7)
    if size >= 7:
        return two, size
    return [wrap(n, width_em, 1) for n in names], one_line_size


def _new_figure(figsize: tuple[float, float] | None) -> Figure:
    fig = Figure(figsize=figsize or DEFAULT_SIZE, layout="constrained")
    fig.get_layout_engine().set(h_pad=0.06, w_pad=0.06)
    return fig


def _title(fig: Figure, title: str, data: dict[str, Any], unit: str) -> None:
    extra = ""
    if data.get("time_progress") is not None:
        extra = f"　时序进度：{fmt.percent(data['time_progress'])}"
    when = f"截至{fmt.date_cn(data['as_of'])}" if data.get("as_of") else "截至日期：—"
    fig.suptitle(f"{title}\n{when}　单位：{unit}{extra}", fontsize=12, fontweight="bold",
                 x=0.01, ha="left", color=INK, linespacing=1.5)


def _footnote(fig: Figure, text: str) -> None:
    if text:
        fig.supxlabel(text, fontsize=8, x=0.01, ha="left", color="#555555")


def _status_legend(fig: Figure, statuses: Iterable[str | None], *, extra: list | None = None) -> None:
    handles = [Patch(facecolor=STATUS_STYLE[s]["color"], hatch=STATUS_STYLE[s]["hatch"], edgecolor=INK,
                     linewidth=0.6, label=STATUS_STYLE[s]["label"]) for s in STATUS_ORDER if s in set(statuses)]
    handles += extra or []
    if handles:
        _legend(fig, handles)


def _legend(fig: Figure, handles: list, labels: list | None = None) -> None:
    """Legends sit top right, level with the title's second line, clear of the bars and the footnote."""
    if labels is None:
        fig.legend(handles=handles, loc="outside upper right", ncols=len(handles), fontsize=9, frameon=False,
                   handlelength=2.2, handleheight=1.2, borderaxespad=0.2)
    else:
        fig.legend(handles, labels, loc="outside upper right", ncols=len(handles), fontsize=9, frameon=False,
                   handlelength=2.2, handleheight=1.2, borderaxespad=0.2)


def _style_axes(ax, *, grid_axis: str = "x") -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9, colors=INK)
    ax.grid(axis=grid_axis, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def _bar_style(status: str | None) -> dict[str, Any]:
    s = STATUS_STYLE[status]
    return {"color": s["color"], "hatch": s["hatch"], "edgecolor": INK, "linewidth": 0.6}


def empty_figure(title: str, data: dict[str, Any], unit: str, reason: str = "",
                 figsize: tuple[float, float] | None = None) -> Figure:
    """A figure that says plainly that there is nothing to draw, and why."""
    fig = _new_figure(figsize)
    _title(fig, title, data, unit)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.56, EMPTY_TEXT, ha="center", va="center", fontsize=28, color="#888888", fontweight="bold",
            transform=ax.transAxes)
    why = reason or data.get("reason") or ""
    if why:
        ax.text(0.5, 0.40, wrap(why, 40, 3), ha="center", va="center", fontsize=11, color="#666666",
                transform=ax.transAxes)
    fig.empty = True  # lets callers and tests tell a “暂无数据” figure from a chart
    return fig


def _cap(rows: list, limit: int, what: str) -> tuple[list, str]:
    if len(rows) <= limit:
        return rows, ""
    return rows[:limit], f"共 {len(rows)} 个{what}，仅列前 {limit} 个（其余见调度表）"


# -- 1. completion against time progress -------------------------------------------------------------

_BY = {"portfolio": ("项目盘子", "项目盘子"), "level": ("项目级别", "级别"), "cluster": ("产业集群", "集群"),
       "unit": ("责任单位", "责任单位")}


def completion(data: dict[str, Any], *, by: str = "portfolio", figsize=None, limit: int = 20) -> Figure:
    """Completion rate per portfolio (or level, cluster, responsible unit) with the 时序进度 line."""
    what, short = _BY[by]
    title = "重点项目完成率与时序进度" + ("" if by == "portfolio" else f"（按{what}）")
    if data.get("empty"):
        return empty_figure(title, data, "%", figsize=figsize)
    if by == "portfolio":
        rows = [dict(p) for p in data["portfolios"] if p.get("completion_rate") is not None]
        source_note = "项目盘子数据为申报总量（含未逐个录入的项目）"
    else:
        rows = [g for g in group_projects(data, by) if g["completion_rate"] is not None]
        rows.sort(key=lambda g: -g["completion_rate"])
        source_note = "按已录入且有年度计划、完成投资的项目汇总"
    if not rows:
        return empty_figure(title, data, "%", "还没有可计算完成率的数据：需要年度计划投资和累计完成投资", figsize)
    rows, cap_note = _cap(rows, limit, short)
    fig = _new_figure(figsize)
    _title(fig, title, data, "%")
    ax = fig.add_subplot()
    _style_axes(ax)
    n = len(rows)
    ys = list(range(n))[::-1]
    rates = [r["completion_rate"] * 100 for r in rows]
    for y, r, v in zip(ys, rows, rates):
        ax.barh(y, v, height=0.42 if n <= 3 else 0.55, **_bar_style(shown(r)))
    tp = (data.get("time_progress") or 0) * 100
    xmax = max(max(rates) * (1.45 if n <= 8 else 1.9), tp * 1.45, 100)
    ax.set_xlim(0, xmax)
    ax.set_ylim(-0.7, n - 0.3)
    ax.axvline(tp, color=INK, linestyle="--", linewidth=1.2)
    ax.text(tp, n - 0.35, f" 时序进度 {fmt.percent(data.get('time_progress'))}", ha="left", va="bottom",
            fontsize=9, color=INK)
    few = n <= 8
    label_size = 9 if few else 8
    labels = []
    for y, r, v in zip(ys, rows, rates):
        gap = r.get("gap_points")
        gap_text = "" if gap is None else f"（{fmt.points(gap)}个百分点）"
        if not r.get("current", True):
            gap_text = f"（{fmt.last_standing(r.get('completed_as_of'), gap, r['status'])}）"
        amount = (f"完成{fmt.yi(r.get('completed_yi'))}/计划{fmt.yi(r.get('annual_plan_yi'))}亿元"
                  + _as_of_suffix(r, "completed_as_of"))
        text = f"{fmt.percent(r['completion_rate'])}{gap_text} {STATUS_STYLE[shown(r)]['label']}"
        ax.text(v + xmax * 0.01, y, text if few else f"{text}　{amount}", va="center", ha="left",
                fontsize=label_size, color=INK, bbox=_CLEAR)
        labels.append(wrap(r["name"], 11, 2) + "\n" + amount if few else wrap(r["name"], 12, 1))
    ax.set_yticks(ys, labels, fontsize=label_size if few else min(8, max(_row_points(fig, n) / 1.45, 5.5)))
    ax.set_xlabel("完成率（%）", fontsize=9)
    _status_legend(fig, [shown(r) for r in rows])
    _footnote(fig, "；".join(t for t in (source_note, cap_note) if t))
    return fig


# -- 2. cumulative completed investment by month -------------------------------------------------------

def monthly(data: dict[str, Any], *, figsize=None) -> Figure:
    """Cumulative completed investment per month against the straight plan line, one panel per portfolio."""
    title = "累计完成投资与计划进度（逐月）"
    if data.get("empty"):
        return empty_figure(title, data, "亿元", figsize=figsize)
    series = [s for s in data.get("monthly", []) if s.get("annual_plan_yi") and any(
        v is not None for v in s["months"])]
    if not series:
        return empty_figure(title, data, "亿元", "还没有项目盘子的年度计划和逐月完成投资", figsize)
    series = series[:3]
    fig = _new_figure(figsize)
    _title(fig, title, data, "亿元")
    axes = fig.subplots(1, len(series), squeeze=False)[0]
    months = list(range(1, 13))
    for ax, s in zip(axes, series):
        _style_axes(ax, grid_axis="y")
        plan = s["annual_plan_yi"]
        plan_line = [plan * m / 12 for m in months]
        values = s["months"]
        xs = [m for m, v in zip(months, values) if v is not None]
        vs = [v for v in values if v is not None]
        ax.bar(xs, vs, width=0.62, color=NEUTRAL, edgecolor=INK, linewidth=0.5, label="累计完成投资", zorder=2)
        ax.plot(months, plan_line, linestyle="--", color=INK, linewidth=1.2, marker="o", markersize=3.5,
                markerfacecolor="white", label="按序时进度的计划", zorder=3)
        ax.axhline(plan, color="#777777", linestyle=":", linewidth=1)
        ax.text(0.6, plan, f"年度计划 {fmt.yi(plan)}", ha="left", va="bottom", fontsize=8, color="#555555")
        m0 = s["as_of_month"]
        if 1 <= m0 <= 12:
            ax.axvspan(m0 - 0.45, m0 + 0.45, color="#000000", alpha=0.07, zorder=1, linewidth=0)
            v0 = values[m0 - 1]
            top = max(plan, v0 or 0)
            ax.text(m0, top * 1.13, f"截至{m0}月", ha="center", va="bottom", fontsize=8, color=INK,
                    fontweight="bold")
            if v0 is not None:
                ax.text(m0, v0, fmt.yi(v0), ha="center", va="bottom", fontsize=8, color=INK)
        ax.set_xticks(months, [f"{m}月" for m in months], fontsize=8)
        ax.set_xlim(0.4, 12.6)
        ax.set_ylim(0, max(plan, max(vs)) * 1.32)
        ax.set_title(wrap(s["name"], 16, 1), fontsize=10, loc="left", color=INK)
        lines = [f"{_as_of_suffix(s, 'completed_as_of').strip('（）')}完成 {fmt.yi(s['completed_yi'])} 亿元，"
                 f"占年度计划 {fmt.percent(s['completion_rate'])}［{STATUS_STYLE[shown(s)]['label']}］"]
        left = 12 - s["months_elapsed"]
        if s.get("catch_up_yi_per_month") is not None and left > 0 and s.get("current", True):
            lines.append(f"剩余 {left} 个月需月均完成 {fmt.yi(s['catch_up_yi_per_month'])} 亿元")
        elif left <= 0:
            lines.append("全年已结束")
        ax.text(0.02, 0.97, "\n".join(lines), transform=ax.transAxes, ha="left", va="top", fontsize=8.5,
                color=INK, bbox={"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#999999",
                                 "linewidth": 0.6})
    axes[0].set_ylabel("亿元", fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    _legend(fig, handles, labels)
    _footnote(fig, "计划线按年度计划 × 已过月数 ÷ 12；没有当月报数的月份不画柱。")
    return fig


# -- 3. projects by stage ---------------------------------------------------------------------------------

def stages(data: dict[str, Any], *, figsize=None) -> Figure:
    """Number of projects per stage (形象进度), stacked by status."""
    title = "重点项目形象进度分布"
    if data.get("empty") or not data.get("projects"):
        return empty_figure(title, data, "个", "还没有录入重点项目" if not data.get("empty") else "", figsize)
    names = list(data.get("stages") or [])
    counts: dict[str, dict[str | None, int]] = {n: {s: 0 for s in STATUS_ORDER} for n in names}
    for p in data["projects"]:
        stage = p["stage"] if p["stage"] in counts else (p["stage"] or UNFILLED_STAGE)
        counts.setdefault(stage, {s: 0 for s in STATUS_ORDER})[shown(p)] += 1
    cats = [c for c in counts if c in names or sum(counts[c].values())]
    fig = _new_figure(figsize)
    _title(fig, title, data, "个")
    ax = fig.add_subplot()
    _style_axes(ax, grid_axis="y")
    xs = list(range(len(cats)))
    bottoms = [0] * len(cats)
    totals = [sum(counts[c].values()) for c in cats]
    top = max(totals) or 1
    used = set()
    for status in STATUS_ORDER:
        heights = [counts[c][status] for c in cats]
        if not any(heights):
            continue
        used.add(status)
        ax.bar(xs, heights, bottom=bottoms, width=0.6, **_bar_style(status))
        for x, h, b in zip(xs, heights, bottoms):
            if h and h / top > 0.06:
                ax.text(x, b + h / 2, str(h), ha="center", va="center", fontsize=8.5, color=INK,
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"})
        bottoms = [b + h for b, h in zip(bottoms, heights)]
    for x, t in zip(xs, totals):
        ax.text(x, t + top * 0.02, f"{t} 个", ha="center", va="bottom", fontsize=9, color=INK, fontweight="bold")
    rotate = len(cats) > 8 or max(text_width(c) for c in cats) * len(cats) > 48
    ax.set_xticks(xs, [wrap(c, 6, 2) for c in cats], fontsize=9, rotation=30 if rotate else 0,
                  ha="right" if rotate else "center")
    ax.set_ylim(0, top * 1.15)
    ax.set_ylabel("项目个数", fontsize=9)
    _status_legend(fig, used)
    unrated = sum(1 for p in data["projects"] if shown(p) is None)
    late = sum(1 for p in data["projects"] if shown(p) == "unreported")
    notes = [f"共 {len(data['projects'])} 个已录入项目"]
    if late:
        notes.append(f"“未报送”为本报告期尚无完成投资数据的 {late} 个项目")
    if unrated:
        notes.append(f"“未评价”为缺少年度计划的 {unrated} 个项目")
    _footnote(fig, "；".join(notes) + "。")
    return fig


# -- 4. the cluster system --------------------------------------------------------------------------------

def clusters(data: dict[str, Any], *, figsize=None) -> Figure:
    """Each tier's clusters: output (with the period it covers) against the annual output target where one was
    set (bullet bars), and year-on-year growth. A tier's scale (千亿级) is a level, shown in its header only."""
    title = "产业集群产值、年度目标与增速"
    if data.get("empty"):
        return empty_figure(title, data, "亿元、%", figsize=figsize)
    rows: list[dict[str, Any]] = []
    tier_of: dict[str, str] = {}
    silent: dict[str, int] = {}
    for c in data.get("clusters", []):
        if c["kind"] == "tier":
            tier_of[c["path"][-1]] = c["scale_label"]
        if c["kind"] != "cluster":
            continue
        if (c.get("annual_output_target_yi") is not None or c["output_yi"] is not None
                or c["growth"] is not None):
            rows.append(c)
        elif len(c["path"]) >= 2:
            silent[c["path"][-2]] = silent.get(c["path"][-2], 0) + 1
    if not rows:
        return empty_figure(title, data, "亿元、%", "还没有产业集群的产值或年度产值目标", figsize)
    # Header rows for tiers, then their clusters.
    layout: list[tuple[str, dict[str, Any] | None]] = []
    last_tier = None
    for c in rows:
        tier = c["path"][-2] if len(c["path"]) >= 2 else ""
        if tier != last_tier:
            label = f"【{tier}】" + (f" {tier_of[tier]}" if tier_of.get(tier) else "")
            layout.append((label, None))
            last_tier = tier
        layout.append((c["path"][-1], c))
    fig = _new_figure(figsize)
    names, label_size = fit_labels([lab for lab, _ in layout], 10, _row_points(fig, len(layout)))
    layout = [(name if c is not None else lab, c) for name, (lab, c) in zip(names, layout)]
    _title(fig, title, data, "亿元、%")
    ax, ax2 = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3.2, 1]})
    _style_axes(ax)
    _style_axes(ax2)
    n = len(layout)
    ys = list(range(n))[::-1]
    xmax = max([c.get("annual_output_target_yi") or 0 for c in rows] + [c["output_yi"] or 0 for c in rows]) or 1
    for y, (_label, c) in zip(ys, layout):
        if c is None:
            continue
        scale, output = c.get("annual_output_target_yi"), c["output_yi"]
        if scale is not None:
            ax.barh(y, scale, height=0.62, color=TARGET_GREY, edgecolor="#888888", linewidth=0.6)
        if output is not None:
            ax.barh(y, output, height=0.3, color="#34495e", edgecolor=INK, linewidth=0.5)
        end = max(scale or 0, output or 0)
        when = fmt.month_range_cn(c["output_as_of"]) if c.get("output_as_of") else ""
        if output is not None and scale and c.get("completion_rate") is not None:
            text = (f"{when} {fmt.yi(output)} / 年度目标 {fmt.yi(scale)}（{fmt.percent(c['completion_rate'])}）"
                    f" {STATUS_STYLE[shown(c)]['label']}")
        elif output is not None:
            text = f"{when}产值 {fmt.yi(output)}" + ("" if c.get("current", True) else "，本期未报送")
        else:
            text = f"年度目标 {fmt.yi(scale)}，暂无产值"
        ax.text(end + xmax * 0.01, y, text, va="center", ha="left", fontsize=8, color=INK)
        g = c["growth"]
        if g is not None:
            ax2.barh(y, g * 100, height=0.45, color="#8c8c8c" if g >= 0 else STATUS_STYLE["red"]["color"],
                     edgecolor=INK, linewidth=0.5, hatch="" if g >= 0 else "xxx")
            ax2.text(g * 100, y, f" {fmt.points(g * 100)}%", va="center", ha="left" if g >= 0 else "right",
                     fontsize=8, color=INK)
        else:
            ax2.text(0, y, " —", va="center", ha="left", fontsize=8, color="#777777")
    ax.set_xlim(0, xmax * 1.45)
    ax.set_yticks(ys, [lab for lab, _ in layout], fontsize=label_size)
    for tick, (_lab, c) in zip(ax.get_yticklabels(), layout):
        if c is None:
            tick.set_fontweight("bold")
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("产值与年度产值目标（亿元）", fontsize=9)
    growths = [c["growth"] * 100 for c in rows if c["growth"] is not None]
    lo, hi = min(growths + [0]), max(growths + [0])
    span = max(hi - lo, 5)
    ax2.set_xlim(lo - span * 0.35, hi + span * 0.6)
    ax2.axvline(0, color=INK, linewidth=0.8)
    ax2.set_xlabel("同比增长（%）", fontsize=9)
    ax2.tick_params(axis="y", length=0)
    handles = [Patch(facecolor=TARGET_GREY, edgecolor="#888888", label="年度产值目标"),
               Patch(facecolor="#34495e", edgecolor=INK, label="截至当期产值"),
               Patch(facecolor="#8c8c8c", edgecolor=INK, label="同比增长")]
    _legend(fig, handles)
    missing = "；".join(f"{tier}{n}个集群暂无产值，未列出" for tier, n in silent.items())
    _footnote(fig, "规模目标为该层级集群的规模等级（千亿级、500亿级、100亿级）；“—”为未报增速。" + (
        f"\n{missing}。" if missing else ""))
    return fig


# -- 5. indicators -----------------------------------------------------------------------------------------

def indicators(data: dict[str, Any], *, figsize=None) -> Figure:
    """Indicators: completion against target as bullet bars, grouped by campaign; lower-is-better marked."""
    title = "政策指标完成情况"
    if data.get("empty") or not data.get("indicators"):
        return empty_figure(title, data, "% （完成率）", "还没有政策指标" if not data.get("empty") else "", figsize)
    inds = data["indicators"]
    tp = data.get("time_progress") or 0
    layout: list[tuple[str, dict[str, Any] | None]] = []
    last = None
    for i in inds:
        if i["campaign"] != last:
            layout.append((f"【{i['campaign']}】", None))
            last = i["campaign"]
        layout.append((i["name"], i))
    rated = [i for i in inds if i["completion_rate"] is not None]
    fig = _new_figure(figsize)
    names, label_size = fit_labels([lab for lab, _ in layout], 19, _row_points(fig, len(layout)), base=8)
    layout = [(name if i is not None else lab, i) for name, (lab, i) in zip(names, layout)]
    text_size = min(8, max(label_size, 6))
    _title(fig, title, data, "%（完成率 = 实际 ÷ 目标）")
    ax = fig.add_subplot()
    _style_axes(ax)
    n = len(layout)
    ys = list(range(n))[::-1]
    top_rate = max([i["completion_rate"] * 100 for i in rated] + [100])
    xmax = top_rate * 1.75
    statuses = set()
    lower_any = False
    for y, (_label, i) in zip(ys, layout):
        if i is None:
            continue
        unit = i["unit"]
        actual = "—" if i["actual"] is None else f"{fmt.plain(i['actual'])}{unit}"
        if i["completion_rate"] is None:
            why = "未设目标" if i["target"] is None else "未报实际值"
            ax.text(1, y, f"实际 {actual}（{why}，不计完成率）", va="center", ha="left", fontsize=text_size,
                    color="#555555", bbox=_CLEAR)
            continue
        rate = i["completion_rate"] * 100
        statuses.add(shown(i))
        ax.barh(y, 100, height=0.7, color=TARGET_GREY, edgecolor="#999999", linewidth=0.5)
        ax.barh(y, rate, height=0.34, **_bar_style(shown(i)))
        bench = (tp if i["accumulation"] == "cumulative" else 1.0) * 100
        ax.plot([bench, bench], [y - 0.38, y + 0.38], color=INK, linewidth=2.2, solid_capstyle="butt")
        lower = i["direction"] == "lower"
        lower_any = lower_any or lower
        target = f"{fmt.plain(i['target'])}{unit}{fmt.derived_mark(i.get('target_derived', False))}"
        ax.text(max(rate, 100) + xmax * 0.01, y,
                f"{actual}{_as_of_suffix(i, 'as_of')} / 目标 {target}，{fmt.percent(i['completion_rate'])} "
                f"{STATUS_STYLE[shown(i)]['label']}" + ("（越低越好）" if lower else ""),
                va="center", ha="left", fontsize=text_size, color=INK)
    ax.set_xlim(0, xmax)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_yticks(ys, [lab for lab, _ in layout], fontsize=label_size)
    for tick, (_lab, i) in zip(ax.get_yticklabels(), layout):
        if i is None:
            tick.set_fontweight("bold")
    ax.set_xlabel("完成率（%）", fontsize=9)
    from matplotlib.lines import Line2D
    extra = [Patch(facecolor=TARGET_GREY, edgecolor="#999999", label="全年目标（100%）"),
             Line2D([], [], color=INK, linewidth=2.2, label="应达进度（累计指标为时序进度，时点指标为100%）")]
    _status_legend(fig, statuses, extra=extra)
    notes = [f"{len(inds) - len(rated)} 项指标未设目标或未报数，只列实际值。" if len(rated) < len(inds) else ""]
    if lower_any:
        notes.append("越低越好的指标：完成率低于应达进度为好。")
    _footnote(fig, "".join(notes))
    return fig


# -- 6. responsible units ranked by gap --------------------------------------------------------------------

_SEVERITY = {"red": 0, "amber": 1, "green": 2, None: 3}


def units(data: dict[str, Any], *, figsize=None, limit: int = 20) -> Figure:
    """Responsible units (责任单位) ranked by completion gap to time progress, red ones first."""
    title = "责任单位完成进度差距排名"
    if data.get("empty"):
        return empty_figure(title, data, "百分点", figsize=figsize)
    rows = [g for g in group_projects(data, "unit") if g["gap_points"] is not None]
    if not rows:
        return empty_figure(title, data, "百分点",
                            "已录入项目还没有年度计划和完成投资，无法按责任单位比较", figsize)
    rows.sort(key=lambda g: (_SEVERITY[g["status"]], g["gap_points"], g["name"]))
    rows, cap_note = _cap(rows, limit, "责任单位")
    fig = _new_figure(figsize)
    _title(fig, title, data, "百分点（完成率 − 时序进度）")
    ax = fig.add_subplot()
    _style_axes(ax)
    n = len(rows)
    ys = list(range(n))[::-1]
    gaps = [g["gap_points"] for g in rows]
    lo, hi = min(gaps + [0]), max(gaps + [0])
    span = max(hi - lo, 10)
    for y, g in zip(ys, rows):
        v = g["gap_points"]
        ax.barh(y, v, height=0.6, **_bar_style(g["status"]))
        text = f"{fmt.points(v)} {STATUS_STYLE[g['status']]['label']}（完成率 {fmt.percent(g['completion_rate'])}）"
        ax.text(v + (span * 0.01 if v >= 0 else -span * 0.01), y, text, va="center",
                ha="left" if v >= 0 else "right", fontsize=8 if n > 10 else 9, color=INK, bbox=_CLEAR)
    ax.axvline(0, color=INK, linewidth=1)
    ax.set_xlim(lo - span * 0.75, hi + span * 0.75)
    ax.set_ylim(-0.7, n - 0.3)
    labels = []
    for rank, g in enumerate(rows, 1):
        behind = f"，滞后{g['red']}个" if g["red"] else ""
        labels.append(f"{rank}. {wrap(g['name'], 10, 1)}（{g['projects']}个项目{behind}）")
    ax.set_yticks(ys, labels, fontsize=min(9, max(_row_points(fig, n) / 1.45, 5.5)))
    ax.set_xlabel("与时序进度的差距（百分点）", fontsize=9)
    _status_legend(fig, [g["status"] for g in rows])
    _footnote(fig, "；".join(t for t in ("按已录入且有年度计划、完成投资的项目汇总，滞后在前", cap_note) if t))
    return fig
