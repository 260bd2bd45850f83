"""What a target or an update is about: a portfolio, a project, an indicator or a cluster node."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["portfolio", "project", "indicator", "cluster"]
COLUMNS: dict[str, str] = {
    "portfolio": "portfolio_id",
    "project": "project_id",
    "indicator": "indicator_id",
    "cluster": "cluster_id",
}
KIND_LABELS = {"portfolio": "项目盘子", "project": "重点项目", "indicator": "指标", "cluster": "产业集群节点"}

# Which metrics each kind has, as targets and as updates.
TARGET_METRICS = {
    "portfolio": {"annual_plan"},
    "project": {"annual_plan"},
    "indicator": {"value"},
    "cluster": {"scale", "annual_output"},
}
UPDATE_METRICS = {
    "portfolio": {"completed"},
    "project": {"completed", "stage", "physical_progress"},
    "indicator": {"value"},
    "cluster": {"output", "growth"},
}
METRIC_LABELS = {
    "annual_plan": "年度计划投资",
    "value": "数值",
    "scale": "规模层级",
    "annual_output": "年度产值目标",
    "completed": "累计完成投资",
    "stage": "形象进度",
    "physical_progress": "工程量完成比例",
    "output": "产值",
    "growth": "同比增长",
}
# Ratios are stored in basis points (1/10000): 8.6% -> 860, 56% -> 5600.
BASIS_POINT_METRICS = {"growth", "physical_progress"}
MONEY_METRICS = {"annual_plan", "completed", "scale", "output", "annual_output"}


@dataclass(frozen=True)
class Subject:
    kind: Kind
    id: int

    def __post_init__(self) -> None:
        if self.kind not in COLUMNS:
            raise ValueError(f"unknown subject kind: {self.kind}")

    @property
    def column(self) -> str:
        return COLUMNS[self.kind]

    def params(self) -> dict[str, int | None]:
        """The four subject columns as insert parameters, exactly one of them set."""
        return {col: (self.id if col == self.column else None) for col in COLUMNS.values()}


def sql_for_each_kind(template: str) -> dict[str, str]:
    """Expand ``{col}`` in a fixed SQL template for each subject column (identifiers from a fixed list only)."""
    return {kind: template.replace("{col}", col) for kind, col in COLUMNS.items()}
