"""The 调度简报 as an office document: 期号 and settings, the .docx, edits kept per 期, attachments by scale."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from db import briefing as store
from db import open_database
from desktop.charts.data import gather
from desktop.report import document

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path) -> str:
    return squeeze(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)


def test_issue_number_settings_and_imprint_reach_the_pdf(tmp_path):
    db_path = tmp_path / "x.db"
    out = run("report", str(tmp_path / "a.pdf"), "--db", str(db_path), "--as-of", "2023-06-30", "--issue", "7")
    assert out.returncode == 0, out.stderr
    assert "2023年第7期" in out.stdout
    db = open_database(db_path)
    try:
        assert store.issue_number(db, 2023) == 7                               # stored for the year
        store.save(db, issuer="渝北区重点项目建设指挥部办公室", report_to="区委、区政府主要领导",
                   send_to="各责任单位", plain=True)
    finally:
        db.close()
    out = run("report", str(tmp_path / "b.pdf"), "--db", str(db_path), "--as-of", "2023-06-30")
    assert out.returncode == 0, out.stderr
    text = pdf_text(tmp_path / "b.pdf")
    assert "2023年第7期" in text and "渝北区重点项目建设指挥部办公室" in text
    assert "报：区委、区政府主要领导" in text and "送：各责任单位" in text and "印发" in text


def test_docx_has_the_same_headings_and_sentences_as_the_pdf(tmp_path):
    docx = pytest.importorskip("docx")
    db_path = tmp_path / "x.db"
    out = run("report", str(tmp_path / "b.docx"), "--db", str(db_path), "--as-of", "2023-06-30")
    assert out.returncode == 0, out.stderr
    assert run("report", str(tmp_path / "b.pdf"), "--db", str(db_path), "--as-of", "2023-06-30").returncode == 0
    d = docx.Document(str(tmp_path / "b.docx"))
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、总体情况", "二、重点项目", "三、产业集群", "四、政策指标", "五、存在问题", "六、下步工作"]
    paragraphs = [p.text for p in d.paragraphs]
    assert "1—6月，区级重点项目完成投资222亿元，占年度计划的55.6%，超序时进度5.6个百分点。" in paragraphs
    assert paragraphs[0] == "渝北区重点项目调度简报" and paragraphs[1] == "2023年第1期"
    pdf = pdf_text(tmp_path / "b.pdf")
    body = paragraphs[:next(i for i, t in enumerate(paragraphs) if t.startswith("附图"))]
    for text in body:
        if text.strip() and not text.startswith("附") and "\t" not in text:
            assert squeeze(text) in pdf, text
    assert d.inline_shapes and len(d.inline_shapes) == 6                       # the charts, as images
    assert any("合计" in c.text for t in d.tables for c in t.rows[-1].cells)    # 附件1 with its 合计 row


def test_other_suffixes_are_refused(tmp_path):
    out = run("report", str(tmp_path / "b.txt"), "--db", str(tmp_path / "x.db"))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and ".pdf" in out.stderr
    assert not (tmp_path / "b.txt").exists()


def test_an_edited_section_survives_regeneration_and_a_changed_figure_is_flagged(app, builtin_db, tmp_path):
    data = gather(builtin_db, "2023-06-30")
    doc = document.from_db(builtin_db, data)
    steps = next(s for s in doc.sections if s.key == "下步工作")
    store.save_edit(builtin_db, 2023, 1, "下步工作", "（一）抓好三季度攻坚\n组织开展重点项目集中开工活动。", steps.text())
    overall = next(s for s in doc.sections if s.key == "总体情况")
    store.save_edit(builtin_db, 2023, 1, "总体情况", "上半年全区重点项目总体推进顺利。", overall.text())
    again = document.from_db(builtin_db, gather(builtin_db, "2023-06-30"))
    edited = next(s for s in again.sections if s.key == "下步工作")
    assert [b.text for b in edited.blocks] == ["（一）抓好三季度攻坚", "组织开展重点项目集中开工活动。"]
    assert edited.blocks[0].kind == "sub" and not again.warnings
    # A figure under the edited 总体情况 changes: the edit stays, and the briefing says so.
    from db import projects
    from db.subjects import Subject
    from db.targets import revise
    from db.updates import record

    p = projects.find(builtin_db, "大洋电机项目")
    revise(builtin_db, Subject("project", p["id"]), "annual_plan", 50_000, reason="年度计划")
    record(builtin_db, Subject("project", p["id"]), "completed", "2023-06-30", value=10_000)
    third = document.from_db(builtin_db, gather(builtin_db, "2023-06-30"))
    assert [b.text for b in third.sections[0].blocks] == ["上半年全区重点项目总体推进顺利。"]
    assert "“一、总体情况”已人工修改，但其下的数字已变化，请核对修改后的文字。" in third.warnings
    from desktop.report.briefing import build_briefing

    build_briefing(gather(builtin_db, "2023-06-30"), tmp_path / "e.pdf", document=third)
    text = pdf_text(tmp_path / "e.pdf")
    assert "上半年全区重点项目总体推进顺利。" in text and "组织开展重点项目集中开工活动。" in text


def test_short_at_scale_lists_the_worst_n_and_counts_the_rest(app, tmp_path):
    from bench.generate import generate

    db_path = generate(tmp_path / "gen.db", projects=600, months=6)
    db = open_database(db_path)
    try:
        data = gather(db, "2023-06-30")
    finally:
        db.close()
    doc = document.compose(data, worst_n=20)
    assert doc.attachments == []                                              # auto: none above 500 projects
    key = next(s for s in doc.sections if s.key == "重点项目")
    tables = [b.table for b in key.blocks if b.kind == "table"]
    assert len(tables) == 1 and sum(1 for r in tables[0].rows if r[1] == "row") == 20
    assert any(b.text.startswith("重点项目中滞后") and "其余" in b.text and "未逐一列出" in b.text for b in key.blocks)
    full = document.compose(data, attachments="all")
    assert [t for t, _ in full.attachments] == ["重点项目调度表", "预警及滞后事项"]
    assert full.attachments[0][1].rows[-1][0][1] == "合计"


def test_attachment_figures_read_as_everywhere_else(tmp_path):
    """附件1/附件2 word each 完成率, 偏差 and 状态 as desktop.formatting does (they are formatted once per distinct
    value), list the red/amber items in their order, and 存在问题 quotes the same items' notes."""
    from bench.generate import generate
    from desktop import formatting as fmt
    from desktop.report import sentences

    db = open_database(generate(tmp_path / "gen.db", projects=300, months=6))
    try:
        data = gather(db, "2023-06-30")
    finally:
        db.close()
    items = sentences.alert_items(data)
    doc = document.compose(data, attachments="all")
    tables = dict(doc.attachments)
    alerts = tables["预警及滞后事项"].rows
    assert items and [cells[2] for cells, _kind, _status in alerts] == [a["name"] for a in items]
    assert [(cells[4], cells[5], cells[6]) for cells, _kind, _status in alerts] == [
        (fmt.percent(a["rate"]), fmt.points(a["gap"]), fmt.status_label(a["status"])) for a in items]
    gaps = sorted((cells[1], cells[7]) for cells, kind, _status in tables["重点项目调度表"].rows if kind == "row")
    assert gaps == sorted((p["name"], fmt.points(p["gap_points"])) for p in data["projects"])
    problems = next(s for s in doc.sections if s.key == "存在问题")
    assert [b.text for b in problems.blocks] == [b.text for b in document.problems(data, 20)]
