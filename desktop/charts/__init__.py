"""The chart catalogue: which charts exist, in which order, with which Chinese titles.

This module imports neither matplotlib nor Qt, so the main window can list the charts without loading
them; ``build`` imports the figure builders (and matplotlib) on first use.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: str
    builder: str                     # function name in desktop.charts.figures
    options: dict[str, Any] = field(default_factory=dict)
    in_briefing: bool = True


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("completion", "项目完成率与时序进度", "completion", {"by": "portfolio"}),
    ChartSpec("completion_level", "完成率：按项目级别", "completion", {"by": "level"}, in_briefing=False),
    ChartSpec("completion_cluster", "完成率：按产业集群", "completion", {"by": "cluster"}, in_briefing=False),
    ChartSpec("completion_unit", "完成率：按责任单位", "completion", {"by": "unit"}, in_briefing=False),
    ChartSpec("monthly", "累计完成投资（逐月）", "monthly"),
    ChartSpec("stages", "形象进度分布", "stages"),
    ChartSpec("clusters", "产业集群产值与增速", "clusters"),
    ChartSpec("indicators", "指标完成情况", "indicators"),
    ChartSpec("units", "责任单位差距排名", "units"),
)
BY_KEY = {c.key: c for c in CHARTS}


def build(key: str, data: dict[str, Any], *, figsize: tuple[float, float] | None = None) -> "Figure":
    """The matplotlib Figure for chart ``key`` from ``desktop.charts.data.gather`` output."""
    from desktop.charts import figures

    spec = BY_KEY[key]
    return getattr(figures, spec.builder)(data, figsize=figsize, **spec.options)
