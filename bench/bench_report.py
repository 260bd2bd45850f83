"""The monthly briefing (policytrack report) against matplotlib alone and LibreOffice, in interleaved pairs.

    python -m bench.bench_report [--projects 10000] [--pairs 5] [--no-libreoffice] [--no-floor] [--keep DIR]

Data: the built-in dataset plus N generated projects (bench.generate, 12 months), gathered once as of
2023-06-30 (the gather's CPU seconds are printed on their own). Each comparison warms both sides once, then runs
A/B pairs one after the other (so the shared machine's noise hits both alike) and prints every pair and the
median ratio A/B with its spread (min–max). All figures are CPU seconds: in-process ``time.process_time`` for
PolicyTrack and matplotlib, the child's user + system time (rusage) for LibreOffice.

* briefing (all attachments) ÷ matplotlib alone — A: the whole PDF with ``attachments="all"`` (版头, 一…六,
  six 附图, 附件1 调度表 with 小计/合计, 附件2 预警及滞后事项), composing the document included; B: matplotlib
  alone building the same six figures and drawing them on an Agg canvas (``matplotlib_alone``).  Goal ≤ 1.3.
* briefing (default) ÷ matplotlib alone — the same with ``attachments="auto"`` (what ``policytrack report``
  writes by default; at 10,000 projects that is the body and the charts, the attachments start below 500).
* (gather + briefing, all attachments) ÷ LibreOffice — B: one ``soffice --headless --convert-to pdf`` of the
  same two attachment tables written as .xlsx files (openpyxl; 调度表 with its section and 小计/合计 rows, 预警
  with the red/amber items), with its own profile directory, warmed once by a discarded conversion of the same
  files. Ours does more (gather, body, charts); LibreOffice prints the same rows.

Measured 2026-12-08, shared 2-core machine, 10,013 projects, 5 pairs each, median ratio (spread), CPU seconds:

    python -m bench.bench_report --keep DIR             before (cc64c17)   after (this file's commit)
    briefing, all attachments (409 pages) ÷ mpl alone   2.66 (2.19–2.74)   2.48 (2.29–2.85)   goal ≤ 1.3: not met
    briefing, default (auto: 10 pages) ÷ mpl alone      1.01 (0.94–1.05)   0.84 (0.74–1.04)   (unchanged path: noise)
    floor 1: the body and charts only ÷ mpl alone       0.76 (0.56–1.01)   0.97 (0.93–1.03)   (same code: noise)
    floor 2: Qt's PDF engine alone, attachments' text   0.33 (0.30–0.37)   0.30 (0.29–0.37)
    (gather + briefing) ÷ LibreOffice, 15,774 rows      0.54 (0.52–0.62)   0.55 (0.44–0.68)   (325 pages in LO)

Where the 409-page briefing's CPU goes (one run ≈ 2.3 s; matplotlib alone ≈ 0.9 s): the six charts 0.7 s
(matplotlib building and laying out the figures as matplotlib alone does, then drawing through QPainter);
the 399 attachment pages 0.95 s, of which ≈ 0.7 s is Qt's drawText (130,000 cells: itemize, shape, one PDF
text object each) and ≈ 0.25 s our per-cell Python (fit to width, alignment); page breaks 0.33 s (Qt
compressing ≈ 25 bytes of page content a glyph); composing the two tables 0.19 → 0.14 s (gaps and rates
formatted once per distinct value, the red/amber items read once). The floor (floor 1 + floor 2: the body as
it is, plus Qt writing the same 704,695 glyphs with every glyph run built beforehand, no rules, fills or
per-cell work) is 1.0–1.3× matplotlib alone, so ≤ 1.3× leaves no room for laying out 130,000 cells on this
stack. Tried and measured against the current painter (same process, interleaved runs, charts off, 5–11
runs each; pdftotext plain text identical in all three): a kept QGlyphRun per repeated string drawn per cell was
1.09–1.25× (PySide's per-call and per-QPointF costs eat the saved shaping); kept runs only for strings met 12
times or more (shaped once by QTextLayout; word boxes identical) 0.87–1.00×, within the machine's noise; one
glyph run per row 1.00×, and pdftotext -layout then moved a column by one space in 35 of 20,000 lines. None
was kept: the text drawing left is Qt's own per-glyph work.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AS_OF = "2023-06-30"


def cpu(fn):
    """CPU seconds of ``fn()`` in this process, and its result."""
    c0 = time.process_time()
    result = fn()
    return time.process_time() - c0, result


def matplotlib_alone(data) -> None:
    """Build every briefing figure and draw it with Agg (what a matplotlib-only chart export costs)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from desktop.charts import CHARTS, build

    for spec in CHARTS:
        if spec.in_briefing:
            fig = build(spec.key, data, figsize=(10.9, 6.3))
            FigureCanvasAgg(fig).draw()


def matplotlib_pdf(data, folder: Path) -> None:
    """The same figures saved as one multi-page PDF by matplotlib's own PDF backend."""
    from matplotlib.backends.backend_pdf import PdfPages

    from desktop.charts import CHARTS, build

    with PdfPages(folder / "mpl.pdf") as pdf:
        for spec in CHARTS:
            if spec.in_briefing:
                pdf.savefig(build(spec.key, data, figsize=(10.9, 6.3)))


def write_xlsx(data, folder: Path) -> tuple[list[Path], int]:
    """The two attachment tables as plain workbooks, one file each (landscape A4, header row repeated, fitted to
    the page width): 调度表.xlsx with every row the briefing prints (sections, clusters, projects, 小计/合计) and
    预警.xlsx with the red/amber items. (One workbook with both sheets took LibreOffice 20 s of CPU against
    3.5 + 2.5 s for the two files apart, so each table gets its own file.) Returns the files and the row count."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from desktop.report import document as docmod

    files, n = [], 0
    for title, table in (("调度表", docmod.schedule_table(data)), ("预警", docmod.alert_table(data))):
        wb = Workbook()
        ws = wb.active
        ws.title = title
        ws.append([c.title.replace("\n", "") for c in table.columns])
        for cells, _kind, _status in table.rows:
            ws.append(cells)
            n += 1
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.print_title_rows = "1:1"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        for i, c in enumerate(table.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = c.weight * 0.6
        path = folder / f"{title}.xlsx"
        wb.save(path)
        files.append(path)
    return files, n


def libreoffice(files: list[Path], outdir: Path, profile: Path) -> float:
    """CPU seconds (user + system of the child) of one headless soffice converting ``files`` to PDF."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), *map(str, files)], check=True, capture_output=True, timeout=1800)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def text_floor(data, folder: Path):
    """What Qt's PDF engine alone costs to write the attachment pages' text: every row's glyphs laid out
    beforehand (one QGlyphRun a row, the same glyphs the briefing draws, in the table font), then only the
    drawing, the page breaks and the file's end are timed. No Python per cell is left in the timed part, so
    no way of painting those pages through QPdfWriter can cost less. Returns a function giving CPU seconds."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QFont, QGlyphRun, QPainter, QPdfWriter, QRawFont

    from desktop.report import briefing as b
    from desktop.report import document as docmod

    doc = docmod.compose(data, attachments="all")
    painter_for = b._Briefing(data, folder / "floor-setup.pdf", "A4", doc.date, None, doc)
    raw = {bold: QRawFont.fromFont(QFont(painter_for.font(b.TABLE_FONT_PT, bold), painter_for.writer))
           for bold in (False, True)}
    pages = []
    for _title, table in doc.attachments:
        per = b.alert_rows_per_page() if table.note_column >= 0 else b.rows_per_page()
        for k in range(0, len(table.rows), per):
            runs = []
            for r, (cells, kind, _status) in enumerate(table.rows[k:k + per]):
                font = raw[kind != "row"]
                glyphs = font.glyphIndexesForString("".join(cells))
                x, positions = 600.0, []
                for advance in font.advancesForGlyphIndexes(glyphs):
                    positions.append(QPointF(x, 0.0))
                    x += advance.x() * 1.2
                run = QGlyphRun()
                run.setRawFont(font)
                run.setGlyphIndexes(glyphs)
                run.setPositions(positions)
                runs.append((QPointF(0.0, 1400.0 + r * 143.0), run))
            pages.append(runs)
    layout = painter_for.layouts["landscape"]

    def run_once() -> float:
        writer = QPdfWriter(str(folder / "floor.pdf"))
        writer.setResolution(b.RESOLUTION)
        writer.setPageLayout(layout)
        c0 = time.process_time()
        painter = QPainter(writer)
        for i, page in enumerate(pages):
            if i:
                writer.newPage()
            for at, glyph_run in page:
                painter.drawGlyphRun(at, glyph_run)
        painter.end()
        return time.process_time() - c0
    run_once.pages = len(pages)
    run_once.glyphs = sum(len(g.glyphIndexes()) for page in pages for _at, g in page)
    return run_once


def pdf_pages(path: Path) -> int:
    if shutil.which("pdfinfo") is None:
        return -1
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def pairs(label: str, a_name: str, a, b_name: str, b, n: int) -> list[float]:
    """Warm each side once, then ``n`` interleaved A/B pairs; prints each pair and the median ratio (spread)."""
    a()
    b()
    ratios = []
    print(f"\n{label}")
    for i in range(n):
        ta, tb = a(), b()
        ratios.append(ta / tb)
        print(f"  pair {i + 1}: {a_name} {ta:.2f} s, {b_name} {tb:.2f} s, ratio {ta / tb:.2f}")
    print(f"  median ratio {statistics.median(ratios):.2f} (spread {min(ratios):.2f}–{max(ratios):.2f})")
    return ratios


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--no-floor", dest="floor", action="store_false",
                    help="skip the floor: the body alone and Qt's PDF engine alone writing the attachments' text")
    ap.add_argument("--keep", metavar="DIR", help="keep the PDFs and the database in DIR")
    args = ap.parse_args()

    from desktop.report.briefing import ensure_qt

    ensure_qt()
    import desktop.charts.figures  # noqa: F401  (import matplotlib and the font before timing)

    from bench.generate import generate
    from db import open_database
    from desktop.charts.data import gather
    from desktop.report import document as docmod
    from desktop.report.briefing import build_briefing

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    lo = not args.no_libreoffice and (shutil.which("soffice") or shutil.which("libreoffice")) is not None
    big = folder / f"projects-{args.projects}.db"
    if not big.exists():
        generate(big, args.projects)

    def read():
        db = open_database(big, read_only=True)
        try:
            return gather(db, AS_OF)
        finally:
            db.close()

    read()
    gather_cpu, data = cpu(read)
    out = folder / "briefing-all.pdf"
    results = {}

    def briefing(mode: str, path: Path):
        def run():
            t, results[mode] = cpu(lambda: build_briefing(data, path, document=docmod.compose(data, attachments=mode)))
            return t
        return run

    def mpl():
        return cpu(lambda: matplotlib_alone(data))[0]

    print(f"{len(data['projects'])} projects as of {AS_OF}; gather {gather_cpu:.2f} s CPU; CPU seconds below")
    all_ratios = pairs("briefing, all attachments ÷ matplotlib alone (goal ≤ 1.3)", "briefing", briefing("all", out),
                       "matplotlib alone", mpl, args.pairs)
    r = results["all"]
    print(f"  {r['pages']} pages ({r['table_pages']} of 调度表, {r['alert_pages']} of 预警), "
          f"{out.stat().st_size / 1e6:.1f} MB")
    pairs("briefing, default attachments (auto) ÷ matplotlib alone", "briefing", briefing("auto", folder / "auto.pdf"),
          "matplotlib alone", mpl, args.pairs)
    print(f"  {results['auto']['pages']} pages")
    if args.floor:
        body = pairs("floor, part 1: briefing without attachments (body and six charts) ÷ matplotlib alone",
                     "body", briefing("none", folder / "none.pdf"), "matplotlib alone", mpl, args.pairs)
        floor = text_floor(data, folder)
        text = pairs(f"floor, part 2: Qt's PDF engine alone writing the attachments' text ({floor.pages} pages,"
                     f" {floor.glyphs} glyphs laid out beforehand) ÷ matplotlib alone", "Qt text", floor,
                     "matplotlib alone", mpl, args.pairs)
        print(f"\nfloor for the whole briefing with attachments (part 1 + part 2, no Python per cell, no rules or"
              f" fills, no formatting of the cells): {statistics.median(body) + statistics.median(text):.2f}×"
              f" matplotlib alone")
    if lo:
        files, rows = write_xlsx(data, folder)
        profile = folder / "lo-profile"

        def whole():
            return cpu(read)[0] + briefing("all", out)()

        def office():
            return libreoffice(files, folder, profile)

        pairs(f"(gather + briefing, all attachments) ÷ LibreOffice converting the same {rows} table rows",
              "PolicyTrack", whole, "LibreOffice", office, args.pairs)
        print(f"  LibreOffice: {sum(pdf_pages(f.with_suffix('.pdf')) for f in files)} pages")
    print(f"\nmedian briefing ÷ matplotlib alone (all attachments): {statistics.median(all_ratios):.2f}; files in {folder}")


if __name__ == "__main__":
    main()
