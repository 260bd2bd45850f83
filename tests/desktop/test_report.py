"""The briefing PDF (`policytrack report`): the text a reader finds in it, the font, the pages, the refusals."""
from __future__ import annotations

import math
import re
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path

import pytest

from db import open_database
from desktop import formatting as fmt
from desktop.charts.data import gather
from desktop.report import briefing
from desktop.report.briefing import Cancelled, _tenths, build_briefing, rows_per_page

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def pdf_pages_text(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")[:-1]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


@pytest.fixture(scope="module")
def builtin_pdf(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    out = run("report", str(folder / "briefing.pdf"), "--db", str(folder / "yubei.db"), "--as-of", "2023-06-30")
    assert out.returncode == 0, out.stderr
    return folder / "briefing.pdf", out


def test_report_text_has_date_rate_portfolios_and_the_standard_sentence(builtin_pdf):
    path, out = builtin_pdf
    assert "共 9 页" in out.stdout and "2023年第1期" in out.stdout
    pages = pdf_pages_text(path)
    text = squeeze("".join(pages))
    assert "2023年6月30日" in text and "2023-06-30" in text
    assert "55.6%" in text
    for name in ("区级重点项目", "市级重大项目"):
        assert name in text
    assert "1—6月，区级重点项目完成投资222亿元，占年度计划的55.6%，超序时进度5.6个百分点" in text
    assert "1—6月，市级重大项目完成投资50.5亿元，占年度计划的57.2%，超序时进度7.2个百分点" in text
    assert "新培育科技型中小企业359家，完成全年目标的101.7%" in text          # an indicator group sentence
    assert "新一代电子信息制造业，1—6月实现产值855.8亿元，同比增长2.0%" in text   # a cluster tier sentence
    first = squeeze(pages[0])
    for piece in ("渝北区重点项目调度简报", "2023年第1期", "渝北区发展和改革委员会", "一、总体情况"):
        assert piece in first
    assert first.index("渝北区重点项目调度简报") < first.index("2023年第1期") < first.index("一、总体情况")
    # leaders' order, one date style in prose, no sentence that says nothing
    positions = [text.index(h) for h in ("一、总体情况", "二、重点项目", "三、产业集群", "四、政策指标", "五、存在问题",
                                         "六、下步工作")]
    assert positions == sorted(positions)
    assert "正常0个" not in text and "预警0个" not in text
    assert text.count("本期暂无产值数据") == 1
    body = squeeze("".join(p for p in pages if "附件1" not in p))
    assert not re.search(r"\d{4}-\d{2}-\d{2}", body.replace("附图", ""))      # no ISO dates in the prose
    table_pages = [p for p in pages if "附件1" in p and "重点项目调度表" in p]
    assert table_pages and "续表" not in table_pages[0] and "合计" in squeeze(table_pages[-1])


def test_report_text_is_real_unicode_in_the_embedded_bundled_font(builtin_pdf):
    path, _ = builtin_pdf
    text = "".join(pdf_pages_text(path))
    assert "智能网联新能源汽车" in text                     # 网 is U+7F51 ...
    assert not [ch for ch in text if 0x2F00 <= ord(ch) <= 0x2FDF or 0x2E80 <= ord(ch) <= 0x2EFF]  # ... not ⽹
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    lines = [line for line in fonts.splitlines() if "PolicyTrackSansSC" in line or "PolicyTrackSerifSC" in line]
    assert any("PolicyTrackSerifSC" in line for line in lines) and any("PolicyTrackSansSC" in line for line in lines)
    for line in lines:
        cols = line.split()
        assert cols[-5] == "yes" and cols[-3] == "yes", line   # emb, uni (ToUnicode map)
    # Chart text is text too (painted through QPainter, not a bitmap).
    assert "累计完成投资与计划进度（逐月）" in squeeze(text)
    assert "剩余6个月需月均完成29.5亿元" in squeeze(text)


def test_every_page_but_the_cover_is_numbered_with_the_as_of_date(builtin_pdf):
    path, _ = builtin_pdf
    pages = pdf_pages_text(path)
    total = int(pdfinfo(path)["Pages"])
    assert len(pages) == total == 9
    for n, page in enumerate(pages[1:], 2):
        assert f"第{n}页共{total}页" in squeeze(page)
        assert "数据截至2023年6月30日" in squeeze(page)


def test_the_table_pages_match_the_number_of_projects(tmp_path):
    """300 generated projects + 13 built-in: the 调度表 needs ceil(313 / rows per page) landscape pages, each
    starting with the header row and continuing the numbering."""
    from bench.generate import generate

    db_path = generate(tmp_path / "gen.db", projects=300, months=6)
    out = run("report", str(tmp_path / "b.pdf"), "--db", str(db_path), "--as-of", "2023-06-30")
    assert out.returncode == 0, out.stderr
    pages = pdf_pages_text(tmp_path / "b.pdf")
    rpp = rows_per_page("A4")
    assert 40 <= rpp <= 70
    db = open_database(db_path)
    try:
        rows = briefing.docmod.schedule_table(gather(db, "2023-06-30")).rows
    finally:
        db.close()
    assert sum(1 for r in rows if r[1] == "row") == 313
    table = [p for p in pages if "重点项目调度表" in p and "附件1" in p]
    assert len(table) == math.ceil(len(rows) / rpp)
    assert "续表" not in table[0] and all("续表" in page for page in table[1:])
    numbers = []
    for page in table:
        assert "项目名称" in page and "责任单位" in page and "形象进度" in page      # header repeated
        numbers += [int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s+\S", page, re.M)]
    assert numbers == list(range(1, 314))                                       # numbering continues
    assert "合计" in squeeze(table[-1]) and "小计" in squeeze("".join(table))
    assert int(pdfinfo(tmp_path / "b.pdf")["Pages"]) == len(pages)
    first_table = next(i for i, p in enumerate(pages, 1) if "附件1" in p and "重点项目调度表" in p)
    info = subprocess.run(["pdfinfo", "-f", str(first_table), "-l", str(first_table), str(tmp_path / "b.pdf")],
                          capture_output=True, text=True, check=True).stdout
    assert "842 x 595" in info                                                  # the table is landscape
    alerts = squeeze("".join(p for p in pages if "预警及滞后事项" in p))
    assert "滞后" in alerts and "重点项目" in alerts


def test_a3_paper(tmp_path):
    out = run("report", str(tmp_path / "a3.pdf"), "--db", str(tmp_path / "x.db"), "--as-of", "2023-06-30",
              "--paper", "a3")
    assert out.returncode == 0, out.stderr
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "3", str(tmp_path / "a3.pdf")], capture_output=True,
                          text=True, check=True).stdout
    assert "842 x 1191" in info and "1191 x 842" in info     # A3 portrait cover, A3 landscape chart page


@pytest.mark.parametrize("args, message", [
    (["--as-of", "2023-02-30"], "截至日期"),
    (["--as-of", "2022-06-30"], "截至日期"),
    (["--paper", "B5"], "参数错误"),
])
def test_refusals_are_one_line_and_write_nothing(tmp_path, args, message):
    out = run("report", str(tmp_path / "r.pdf"), "--db", str(tmp_path / "x.db"), *args)
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_refusals_for_a_missing_folder_and_an_empty_database(tmp_path):
    out = run("report", str(tmp_path / "no" / "r.pdf"), "--db", str(tmp_path / "x.db"))
    assert out.returncode == 2 and "文件夹不存在" in out.stderr
    empty = open_database(tmp_path / "empty.db")
    empty.close()
    out = run("report", str(tmp_path / "r.pdf"), "--db", str(tmp_path / "empty.db"))
    assert out.returncode == 2 and "无法生成简报" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".pdf"] == []


def test_progress_reports_every_page_and_cancel_leaves_no_file(app, builtin_db, tmp_path):
    data = gather(builtin_db, "2023-06-30")
    seen = []
    result = build_briefing(data, tmp_path / "ok.pdf", progress=lambda done, total, text: seen.append((done, total)))
    assert seen[0] == (0, result["pages"]) and seen[-1] == (result["pages"], result["pages"])
    assert [d for d, _ in seen] == list(range(result["pages"] + 1))

    def stop_at_three(done, total, text):
        return done < 3

    with pytest.raises(Cancelled):
        build_briefing(data, tmp_path / "cancelled.pdf", progress=stop_at_three)
    written = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf" or p.name.startswith(".briefing"))
    assert written == ["ok.pdf"]                                         # no half file, no temporary left


def test_built_off_the_gui_thread(app, builtin_db, tmp_path):
    data = gather(builtin_db, "2023-06-30")
    errors, results = [], []

    def work():
        try:
            results.append(build_briefing(data, tmp_path / "thread.pdf"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join(120)
    assert not errors and results[0]["pages"] == 9
    assert "55.6%" in "".join(pdf_pages_text(tmp_path / "thread.pdf"))


def test_table_figures_are_formatted_like_everywhere_else():
    """The table's fast integer formatting gives exactly desktop.formatting's text (half up, -0.0, +x.x)."""
    import random

    rng = random.Random(5)
    for _ in range(20000):
        plan, done = rng.randrange(1, 400_000), rng.randrange(0, 600_000)
        tp = Fraction(rng.randrange(0, 13), 12)
        assert _tenths(1000 * done, plan) + "%" == fmt.percent(Fraction(done, plan))
        gap = _tenths(1000 * (done * tp.denominator - tp.numerator * plan), plan * tp.denominator)
        gap = gap if gap.startswith("-") or gap == "0.0" else "+" + gap
        assert gap == fmt.points((Fraction(done, plan) - tp) * 100)
    assert briefing._yi_wan(2_220_000) == "222.0" and briefing._yi_wan(2500) == "0.3"
    assert briefing._yi_wan(None) == fmt.DASH


def test_red_items_are_listed_with_their_notes(app, builtin_db, tmp_path):
    from db import projects
    from db.subjects import Subject
    from db.targets import revise
    from db.updates import record

    p = projects.find(builtin_db, "大洋电机项目")
    revise(builtin_db, Subject("project", p["id"]), "annual_plan", 50_000, reason="年度计划")          # 5 亿元
    record(builtin_db, Subject("project", p["id"]), "completed", "2023-06-30", value=10_000,           # 1 亿元
           note="征地拆迁尚未完成，计划7月底前交地")
    data = gather(builtin_db, "2023-06-30")
    build_briefing(data, tmp_path / "b.pdf")
    pages = pdf_pages_text(tmp_path / "b.pdf")
    alerts = squeeze("".join(p for p in pages if "预警及滞后事项" in p))
    assert "大洋电机项目" in alerts and "20.0%" in alerts and "-30.0" in alerts and "滞后" in alerts
    assert "征地拆迁尚未完成，计划7月底前交地" in alerts
    summary = squeeze("".join(pages[:2]))
    assert "重点项目中滞后1个。按责任单位列示如下。" in summary and "正常0个" not in summary
    assert "1.大洋电机项目（滞后）：征地拆迁尚未完成，计划7月底前交地" in summary       # 五、存在问题
    table = squeeze("".join(p for p in pages if "附件1" in p and "重点项目调度表" in p))
    assert "大洋电机项目" in table and "5.01.020.0%-30.0" in table
