"""Charts: every figure for the built-in dataset, an empty database and a generated 调度表; what a reader sees."""
from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from db import open_database
from db.indicators import create as create_indicator
from db.subjects import Subject
from db.targets import revise
from db.updates import record
from desktop.charts import CHARTS, build
from desktop.charts.data import gather, group_projects

ROOT = Path(__file__).resolve().parents[2]


def texts(fig) -> list[str]:
    """Every piece of text the figure shows (titles, tick labels, annotations, legend)."""
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def drawn(fig):
    """Draw with Agg (collecting missing-glyph warnings) so text extents are known."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        canvas.draw()
    return canvas.get_renderer(), [str(w.message) for w in caught]


def _shown_ticks(ax):
    """Tick labels matplotlib really draws (those inside the view limits)."""
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    xs = [t for t in ax.get_xticklabels() if x0 <= t.get_position()[0] <= x1]
    ys = [t for t in ax.get_yticklabels() if y0 <= t.get_position()[1] <= y1]
    return xs, ys


def assert_readable(fig) -> None:
    """No tick labels overlapping each other, no text outside the figure, no glyph missing from the font."""
    renderer, warned = drawn(fig)
    assert not [w for w in warned if "missing from font" in w or "Glyph" in w], warned
    page = fig.bbox
    from matplotlib.text import Text

    hidden = set()
    for ax in fig.axes:
        if not ax.axison:
            hidden |= {id(t) for t in ax.get_xticklabels() + ax.get_yticklabels()}
            continue
        xs, ys = _shown_ticks(ax)
        hidden |= {id(t) for t in ax.get_xticklabels() + ax.get_yticklabels()} - {id(t) for t in xs + ys}
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden:
            box = t.get_window_extent(renderer)
            assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1, f"clipped horizontally: {t.get_text()!r}"
            assert box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1, f"clipped vertically: {t.get_text()!r}"
    for ax in [a for a in fig.axes if a.axison]:
        for labels in _shown_ticks(ax):
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels
                     if t.get_visible() and t.get_text().strip()]
            for i, (a, ba) in enumerate(boxes):
                for b, bb in boxes[i + 1:]:
                    overlap_w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
                    overlap_h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
                    assert overlap_w <= 0.5 or overlap_h <= 0.5, f"tick labels overlap: {a!r} / {b!r}"


@pytest.fixture
def builtin_data(builtin_db):
    return gather(builtin_db, "2023-06-30")


@pytest.fixture(scope="module")
def generated_data(tmp_path_factory):
    from bench.generate import generate

    path = generate(tmp_path_factory.mktemp("gen") / "gen.db", projects=300, months=6)
    db = open_database(path)
    try:
        yield gather(db, "2023-06-30")
    finally:
        db.close()


def test_catalogue_does_not_import_matplotlib():
    code = ("import sys\nimport desktop.charts, desktop.charts.data\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("key", [c.key for c in CHARTS])
def test_every_chart_for_the_builtin_dataset(key, builtin_data):
    fig = build(key, builtin_data)
    shown = "\n".join(texts(fig))
    assert "截至2023年6月30日" in shown and "单位：" in shown
    assert_readable(fig)


def test_builtin_completion_chart_shows_rates_gaps_and_time_progress(builtin_data):
    fig = build("completion", builtin_data)
    assert not getattr(fig, "empty", False)
    shown = texts(fig)
    assert any(t.startswith("55.6%（+5.6个百分点） 正常") for t in shown)
    assert any(t.startswith("57.2%（+7.2个百分点） 正常") for t in shown)
    assert any("时序进度 50.0%" in t for t in shown)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].startswith("区级重点项目") and labels[1].startswith("市级重大项目")  # top to bottom
    assert "完成222.0/计划399.0亿元" in labels[0]


def test_builtin_monthly_chart_marks_the_month_and_states_the_catch_up(builtin_data):
    shown = "\n".join(texts(build("monthly", builtin_data)))
    assert "截至6月" in shown
    assert "剩余 6 个月需月均完成 29.5 亿元" in shown
    assert "完成 222.0 亿元，占年度计划 55.6%" in shown


def test_builtin_stage_clusters_and_indicator_charts_carry_the_figures(builtin_data):
    stages = "\n".join(texts(build("stages", builtin_data)))
    assert "7 个" in stages and "开工" in stages          # 7 of the 13 itemised projects have started
    assert "未报送为本报告期尚无完成投资数据的 13 个项目" in stages.replace("“", "").replace("”", "")
    clusters = "\n".join(texts(build("clusters", builtin_data)))
    # A tier's 千亿级 is a level in the header, not a target the output is a percentage of.
    assert "1—6月产值 855.8" in clusters and "+2.0%" in clusters and "/ 1000" not in clusters
    assert "【主导产业集群】 千亿级" in clusters
    assert "战略性新星产业集群5个集群暂无产值，未列出" in clusters    # left out, and said so
    indicators = "\n".join(texts(build("indicators", builtin_data)))
    assert "359家 / 目标 353家（推算），101.7% 正常" in indicators
    assert "未设目标" in indicators


def test_units_ranking_without_money_figures_says_why(builtin_data):
    fig = build("units", builtin_data)
    assert fig.empty
    assert "暂无数据" in texts(fig)
    assert any("无法按责任单位比较" in t for t in texts(fig))


@pytest.mark.parametrize("key", [c.key for c in CHARTS])
def test_every_chart_for_an_empty_database_says_no_data(key, empty_db):
    data = gather(empty_db)
    assert data["empty"]
    fig = build(key, data)
    assert fig.empty
    assert "暂无数据" in texts(fig)
    assert_readable(fig)


@pytest.mark.parametrize("key", [c.key for c in CHARTS])
def test_every_chart_for_300_generated_projects(key, generated_data):
    fig = build(key, generated_data)
    assert not getattr(fig, "empty", False)
    assert_readable(fig)


def test_units_ranking_puts_red_first_and_the_furthest_behind_on_top(generated_data):
    fig = build("units", generated_data)
    bars = [p for p in fig.axes[0].patches]
    # Bars are drawn rank 1 first; rank 1 sits at the top.
    ys = [b.get_y() for b in bars]
    assert ys == sorted(ys, reverse=True)
    groups = sorted((g for g in group_projects(generated_data, "unit") if g["gap_points"] is not None),
                    key=lambda g: ({"red": 0, "amber": 1, "green": 2}[g["status"]], g["gap_points"]))
    first = fig.axes[0].get_yticklabels()[0].get_text()
    assert first.startswith("1. " + groups[0]["name"][:9])
    assert groups[0]["status"] == "red"
    hatches = [b.get_hatch() or "" for b in bars]
    # Status is carried by hatching too (black-and-white print): red xxx, then amber ///, then plain green.
    order = [{"xxx": 0, "///": 1, "": 2}[h] for h in hatches]
    assert order == sorted(order)
    assert any("滞后" in t for t in texts(fig))


def test_completion_by_unit_and_cluster_on_demand(generated_data):
    by_unit = build("completion_unit", generated_data)
    by_cluster = build("completion_cluster", generated_data)
    assert "按责任单位" in texts(by_unit)[0] or any("按责任单位" in t for t in texts(by_unit))
    assert any("按产业集群" in t for t in texts(by_cluster))
    assert len(by_unit.axes[0].get_yticklabels()) <= 20          # capped, with a note saying so
    assert any("仅列前 20 个" in t for t in texts(by_unit))


def test_lower_is_better_indicator(builtin_db):
    py = builtin_db.query_one("SELECT id FROM plan_year")
    iid = create_indicator(builtin_db, plan_year_id=py["id"], campaign="全力拼营商环境", name="企业开办平均用时",
                           unit="天", decimals=1, direction="lower", accumulation="point")
    revise(builtin_db, Subject("indicator", iid), "value", 30, reason="年度目标 3 天")       # 3.0 days
    record(builtin_db, Subject("indicator", iid), "value", "2023-06-30", value=25)          # 2.5 days
    data = gather(builtin_db, "2023-06-30")
    row = next(i for i in data["indicators"] if i["name"] == "企业开办平均用时")
    assert row["status"] == "green"            # under target is good
    shown = texts(build("indicators", data))
    line = next(t for t in shown if t.startswith("2.5天 / 目标 3天"))
    assert "83.3% 正常" in line and "越低越好" in line
    assert any("越低越好的指标" in t for t in shown)


def test_long_names_are_wrapped_not_overlapping(builtin_db):
    from desktop.charts.figures import wrap

    assert wrap("重庆市软件和信息服务企业综合竞争力50强上榜企业", 10, 2).count("\n") == 1
    assert wrap("重庆市软件和信息服务企业综合竞争力50强上榜企业", 10, 2).endswith("…")
    py = builtin_db.query_one("SELECT id FROM plan_year")
    for n in range(6):
        create_indicator(builtin_db, plan_year_id=py["id"], campaign="全力拼营商环境",
                         name=f"第{n}项非常长的指标名称用于检验标签换行与截断是否会互相重叠以及是否会超出图表边界",
                         unit="个")
    assert_readable(build("indicators", gather(builtin_db, "2023-06-30")))


def test_figure_painted_through_qpainter_is_real_text_in_a_pdf(app, builtin_data, tmp_path):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

    from desktop.charts.qtpainter import figure_to_image, paint_figure

    fig = build("clusters", builtin_data)
    img = figure_to_image(fig, 1000, 620, 100)
    dark = sum(1 for x in range(0, 1000, 7) for y in range(0, 620, 7) if img.pixelColor(x, y).lightness() < 128)
    assert dark > 50                                                     # something was drawn
    path = tmp_path / "chart.pdf"
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    painter = QPainter(writer)
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    paint_figure(build("clusters", builtin_data), painter, QRectF(0, 0, rect.width(), rect.height()))
    painter.end()
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "新一代电子信息制造业" in text and "1—6月产值 855.8" in text
    assert "智能网联新能源汽车" in text                                     # 网 comes back as U+7F51
    assert not any(0x2F00 <= ord(ch) <= 0x2FDF for ch in text)
