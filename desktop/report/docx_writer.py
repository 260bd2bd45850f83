"""The 调度简报 as a Word document (.docx, python-docx), editable in Word and WPS before it is issued.

The same structure as the PDF (desktop.report.document): the 版头 (red title, 第N期, issuing unit and date over
a red rule), real Word headings (标题 1 for 一、, 标题 2 for (一)), body paragraphs with a two-character
indent, tables with a repeated header row, the charts as images (附图), attachments on landscape pages, and the
版记. Fonts are named as Chinese offices have them (方正小标宋简体 → 宋体, 黑体, 楷体, 仿宋), so Word and WPS
use the installed face or substitute a close one; the PDF embeds the bundled faces instead.
"""
from __future__ import annotations

import io
import os
from typing import Any

from desktop import formatting as fmt
from desktop.report.document import Document, Table

TITLE_FONT = "宋体"        # offices use 方正小标宋简体 when installed; 宋体 is on every Windows PC
HEADING_FONT = "黑体"
SUB_FONT = "楷体"
BODY_FONT = "仿宋"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
RED = (0xD0, 0x02, 0x1B)


def _fonts(run_or_style, east_asian: str, size_pt: float | None = None, bold: bool | None = None,
           color: tuple[int, int, int] | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = run_or_style.font
    font.name = LATIN_FONT
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = RGBColor(*color)


def _border(paragraph, side: str, color: str = "000000", size: int = 8) -> None:
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = ppr.makeelement(qn("w:pBdr"), {})
        ppr.append(borders)
    el = borders.makeelement(qn(f"w:{side}"), {qn("w:val"): "single", qn("w:sz"): str(size),
                                                qn("w:space"): "1", qn("w:color"): color})
    borders.append(el)


def _page_number_footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    fld = p._p.makeelement(qn("w:fldSimple"), {qn("w:instr"): "PAGE"})
    r = fld.makeelement(qn("w:r"), {})
    t = r.makeelement(qn("w:t"), {})
    t.text = "1"
    r.append(t)
    fld.append(r)
    p._p.append(fld)
    p.add_run(" —")


def build_docx(data: dict[str, Any], out_path: str | os.PathLike, doc: Document, *, paper: str = "A4",
               charts: bool = True) -> dict[str, Any]:
    """Write ``doc`` as .docx to ``out_path`` (the caller writes to a temporary path and renames)."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    d = docx.Document()
    d.core_properties.title = doc.doc_title
    d.core_properties.author = doc.issuer
    section = d.sections[0]
    w, h = (210, 297) if paper == "A4" else (297, 420)
    section.page_width, section.page_height = Mm(w), Mm(h)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number_footer(section)

    styles = d.styles
    _fonts(styles["Normal"], BODY_FONT, 16)
    styles["Normal"].paragraph_format.line_spacing = Pt(28)
    styles["Normal"].paragraph_format.space_after = Pt(0)
    for name, face, size in (("Heading 1", HEADING_FONT, 16), ("Heading 2", SUB_FONT, 16)):
        st = styles[name]
        _fonts(st, face, size, bold=name == "Heading 2", color=(0, 0, 0))
        st.font.italic = False
        st.paragraph_format.space_before = Pt(0)
        st.paragraph_format.space_after = Pt(0)
        st.paragraph_format.line_spacing = Pt(28)
        st.paragraph_format.first_line_indent = Pt(32)

    red = None if doc.plain else RED
    # 版头
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing = Pt(60)
    _fonts(p.add_run(doc.title), TITLE_FONT, 30, bold=True, color=red or (0, 0, 0))
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(p.add_run(f"{doc.year}年{doc.issue_label}"), BODY_FONT, 16)
    p = d.add_paragraph()
    p.paragraph_format.tab_stops.add_tab_stop(section.page_width - section.left_margin - section.right_margin,
                                              alignment=docx.enum.text.WD_TAB_ALIGNMENT.RIGHT)
    _fonts(p.add_run(f"{doc.issuer}\t{fmt.date_cn(doc.date)}"), BODY_FONT, 16)
    _border(p, "bottom", "%02X%02X%02X" % (red or (0, 0, 0)), 18 if red else 8)
    d.add_paragraph()

    for s in doc.sections:
        d.add_heading(s.title, level=1)
        for block in s.blocks:
            if block.kind == "sub":
                d.add_heading(block.text, level=2)
            elif block.kind == "para":
                para = d.add_paragraph(block.text)
                para.paragraph_format.first_line_indent = Pt(32)
            elif block.kind == "table" and block.table is not None:
                _table(d, block.table, 10.5, section.page_width - section.left_margin - section.right_margin)
    # 版记
    d.add_paragraph()
    first = True
    for line in doc.imprint():
        para = d.add_paragraph()
        _fonts(para.add_run(line), BODY_FONT, 14)
        para.paragraph_format.left_indent = Pt(14)
        if first:
            _border(para, "top", size=8)
            first = False
        _border(para, "bottom", size=4)
    para = d.add_paragraph()
    para.paragraph_format.left_indent = Pt(14)
    para.paragraph_format.tab_stops.add_tab_stop(section.page_width - section.left_margin - section.right_margin
                                                 - Pt(14), alignment=docx.enum.text.WD_TAB_ALIGNMENT.RIGHT)
    who, when = doc.printed_line
    _fonts(para.add_run(f"{who}\t{when}"), BODY_FONT, 14)
    if first:
        _border(para, "top", size=8)
    _border(para, "bottom", size=8)

    images = 0
    if charts and doc.charts:
        from desktop.charts import CHARTS, build

        specs = [spec for spec in CHARTS if spec.in_briefing]
        landscape = _new_landscape(d, w, h)
        for i, spec in enumerate(specs, 1):
            heading = d.add_heading(f"附图{i}　{spec.title}", level=2)
            heading.paragraph_format.first_line_indent = Pt(0)
            fig = build(spec.key, data, figsize=(10.0, 5.6))
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=150)
            d.add_picture(buf, width=landscape.page_width - landscape.left_margin - landscape.right_margin)
            images += 1
            if i < len(specs):
                d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for a, (title, table) in enumerate(doc.attachments, 1):
        if images or a > 1:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        else:
            _new_landscape(d, w, h)
        heading = d.add_heading(f"附件{a}　{title}", level=2)
        heading.paragraph_format.first_line_indent = Pt(0)
        note = d.add_paragraph()
        _fonts(note.add_run(f"截至{fmt.date_cn(doc.as_of)}" + (f"　{table.unit}" if table.unit else "")),
               BODY_FONT, 10.5)
        sec = d.sections[-1]
        _table(d, table, 8, sec.page_width - sec.left_margin - sec.right_margin)
    d.save(str(out_path))
    return {"sections": len(doc.sections), "images": images, "attachments": len(doc.attachments)}


def _new_landscape(d, w: float, h: float):
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    sec = d.add_section(WD_SECTION.NEW_PAGE)
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Mm(h), Mm(w)
    sec.top_margin = sec.bottom_margin = Mm(15)
    sec.left_margin = sec.right_margin = Mm(15)
    return sec


def _table(d, table: Table, size_pt: float, width=None) -> None:
    """A Word table: the header row repeats on every page; section, group and 小计/合计 rows span or bold."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    cols = table.columns
    t = d.add_table(rows=1, cols=len(cols))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = t.rows[0]
    trpr = header._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    align = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}

    def fill(cell, text: str, bold: bool, how: str) -> None:
        para = cell.paragraphs[0]
        para.alignment = align[how]
        para.paragraph_format.first_line_indent = Pt(0)
        para.paragraph_format.line_spacing = 1.0
        _fonts(para.add_run(text), TABLE_FONT, size_pt, bold=bold)

    t.autofit = False
    total = sum(c.weight for c in cols)
    widths = [int(width * c.weight / total) for c in cols] if width else None
    for i, c in enumerate(cols):
        fill(header.cells[i], c.title.replace("\n", ""), True, "center")
    for cells, kind, _status in table.rows:
        row = t.add_row()
        if kind in ("section", "group"):
            merged = row.cells[0].merge(row.cells[-1])
            fill(merged, cells[0], True, "left")
            continue
        bold = kind != "row"
        for i, text in enumerate(cells):
            fill(row.cells[i], text, bold, "center" if bold and i == 1 else cols[i].align)
    if widths:
        for row in t.rows:   # Word reads the cell widths, LibreOffice the grid: set both
            if len(row.cells) == len(widths):
                for cell, w in zip(row.cells, widths):
                    cell.width = w
        for col, w in zip(t.columns, widths):
            col.width = w
