"""Time the monthly briefing (policytrack report) against matplotlib alone and, when installed, LibreOffice.

    python -m bench.bench_report [--projects 10000] [--repeat 3] [--no-libreoffice] [--keep DIR]

For the built-in dataset and for the built-in dataset plus N generated projects (bench.generate), as of
2023-06-30, it measures, each in the same run (the machine is shared: compare ratios, not seconds):

* gather      reading the data from SQLite (desktop.charts.data.gather)
* briefing    the whole PDF from that data (cover, summary, charts, 调度表, red/amber list)
* matplotlib  matplotlib alone building and drawing the same figures (Agg canvas, and savefig to PDF)
* libreoffice ``soffice --headless --convert-to pdf`` of the same 调度表 written as an .xlsx (openpyxl)

Wall and CPU seconds are both printed: on a loaded machine the CPU seconds are the steadier figure.
For LibreOffice, CPU is the child process's user+system time.
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


def timed(fn, repeat: int = 1):
    """Median wall and CPU seconds of ``repeat`` runs, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), result


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


def write_xlsx(data, path: Path) -> int:
    """The 调度表 as a plain spreadsheet, landscape A4, header row repeated, fitted to the page width."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from desktop.report.briefing import TABLE_COLUMNS, table_rows

    wb = Workbook()
    ws = wb.active
    ws.title = "调度表"
    ws.append([c.title.replace("\n", "") for c in TABLE_COLUMNS])
    rows = table_rows(data)
    for cells, _status in rows:
        ws.append(cells)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    for i, c in enumerate(TABLE_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.weight * 0.6
    wb.save(path)
    return len(rows)


def libreoffice(xlsx: Path, outdir: Path) -> tuple[float, float]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)],
                   check=True, capture_output=True, timeout=1800)
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pdf_pages(path: Path) -> int:
    if shutil.which("pdfinfo") is None:
        return -1
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def case(name: str, db_path: Path, folder: Path, repeat: int, lo: bool) -> dict:
    from db import open_database
    from desktop.charts.data import gather
    from desktop.report.briefing import build_briefing

    db = open_database(db_path)
    try:
        g_wall, g_cpu, data = timed(lambda: gather(db, AS_OF), repeat)
    finally:
        db.close()
    out = folder / f"briefing-{name}.pdf"
    b_wall, b_cpu, result = timed(lambda: build_briefing(data, out), repeat)
    m_wall, m_cpu, _ = timed(lambda: matplotlib_alone(data), repeat)
    p_wall, p_cpu, _ = timed(lambda: matplotlib_pdf(data, folder), repeat)
    row = {"case": name, "projects": len(data["projects"]), "pages": result["pages"],
           "table_pages": result["table_pages"], "gather": (g_wall, g_cpu), "briefing": (b_wall, b_cpu),
           "mpl_agg": (m_wall, m_cpu), "mpl_pdf": (p_wall, p_cpu), "size_mb": out.stat().st_size / 1e6}
    if lo:
        xlsx = folder / f"table-{name}.xlsx"
        write_xlsx(data, xlsx)
        lo_wall, lo_cpu = libreoffice(xlsx, folder)
        row["libreoffice"] = (lo_wall, lo_cpu)
        row["lo_pages"] = pdf_pages(folder / f"table-{name}.pdf")
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="keep the PDFs and databases in DIR")
    args = ap.parse_args()

    from desktop.report.briefing import ensure_qt

    ensure_qt()
    import desktop.charts.figures  # noqa: F401  (import matplotlib and the font before timing)

    from bench.generate import generate
    from db import open_database, seed

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    lo = not args.no_libreoffice and (shutil.which("soffice") or shutil.which("libreoffice")) is not None
    builtin = folder / "builtin.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(builtin) + suffix).unlink(missing_ok=True)
    db = open_database(builtin)
    seed.load_builtin(db)
    db.close()
    big = folder / f"projects-{args.projects}.db"
    if not big.exists():
        generate(big, args.projects)
    rows = [case("builtin", builtin, folder, args.repeat, lo=False),
            case(f"{args.projects}", big, folder, args.repeat, lo=lo)]

    def f(pair):
        return f"{pair[0]:7.2f} / {pair[1]:6.2f}"

    print(f"as of {AS_OF}; each figure wall / CPU seconds, median of {args.repeat} (LibreOffice: one run)")
    print(f"{'case':>8} {'projects':>8} {'pages':>6} {'gather':>16} {'briefing':>16} {'mpl Agg':>16}"
          f" {'mpl PDF':>16} {'LibreOffice':>16}")
    for r in rows:
        lo_text = f(r["libreoffice"]) if "libreoffice" in r else "—"
        print(f"{r['case']:>8} {r['projects']:>8} {r['pages']:>6} {f(r['gather']):>16} {f(r['briefing']):>16}"
              f" {f(r['mpl_agg']):>16} {f(r['mpl_pdf']):>16} {lo_text:>16}")
    big_row = rows[-1]
    b_wall, b_cpu = big_row["briefing"]
    g_wall, g_cpu = big_row["gather"]
    print(f"\n{big_row['case']} projects: briefing {big_row['pages']} pages ({big_row['table_pages']} of 调度表),"
          f" {big_row['size_mb']:.1f} MB")
    print(f"  briefing ÷ matplotlib alone (Agg): wall {b_wall / big_row['mpl_agg'][0]:.1f}×,"
          f" CPU {b_cpu / big_row['mpl_agg'][1]:.1f}×")
    if "libreoffice" in big_row:
        lo_wall, lo_cpu = big_row["libreoffice"]
        print(f"  LibreOffice, same 调度表 only: {big_row['lo_pages']} pages")
        print(f"  (gather + briefing) ÷ LibreOffice: wall {(g_wall + b_wall) / lo_wall:.2f},"
              f" CPU {(g_cpu + b_cpu) / lo_cpu:.2f}  (aim: under 0.5)")
    print(f"\nfiles in {folder}")


if __name__ == "__main__":
    main()
