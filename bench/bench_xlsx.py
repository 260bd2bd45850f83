"""Benchmark: import and export of a 10,000-row 调度表, beside openpyxl merely reading the same file and, when
LibreOffice is installed, `soffice --headless --convert-to csv` of it — all measured in one run.

    python bench/bench_xlsx.py [--rows 10000] [--keep DIR]

Prints one table; copy the figures into bench/README.md. Timing is never asserted in tests.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db import open_database, seed, spreadsheet, xlsx_export, xlsx_import  # noqa: E402

STAGES = ["前期", "开工", "主体施工", "设备安装", "试生产", "投产"]
UNITS = ["区经信委", "区商务委", "区住建委", "区交通局", "区发改委", "两江新区", "区文旅委", "国网重庆市电力公司"]
SECTIONS = ["先进制造业项目", "现代服务业项目", "基础设施项目", "社会民生项目", "生态环保项目"]


def write_sheet(path: Path, rows: int, month: int, seed_value: int = 1) -> Path:
    """A 调度表 like the ones offices send: title with the date, unit line, merged two-row header, sections with
    counts, a 合计 row, amounts partly typed as text with separators, one 责任单位 merged over pairs of projects."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    rnd = random.Random(seed_value)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("区级")
    ws.append([f"渝北区2023年区级重点项目投资完成情况调度表（截至{month}月{30 if month in (4, 6, 9, 11) else 31}日）"])
    ws.append([None] * 9 + ["单位：万元"])
    ws.append(["序号", "项目名称", "总投资", "2023年", None, None, "形象进度", "责任单位", "本月进展", "备注"])
    ws.append([None, None, None, "年度计划投资", f"1-{month}月完成", "完成率", None, None, None, None])
    merges = ["A1:J1", "D3:F3"] + [f"{c}3:{c}4" for c in "ABCGHIJ"]
    per_section = rows // len(SECTIONS)
    r = 4
    n = 0
    for s_i, name in enumerate(SECTIONS):
        count = per_section if s_i < len(SECTIONS) - 1 else rows - per_section * (len(SECTIONS) - 1)
        r += 1
        ws.append([f"{'一二三四五'[s_i]}、{name}（{count}个）"])
        merges.append(f"A{r}:J{r}")
        for i in range(count):
            n += 1
            r += 1
            total = rnd.randrange(5_000, 2_000_000)
            plan = max(1000, total // rnd.randrange(3, 8))
            done = plan * month * rnd.randrange(60, 130) // 1200
            shared_unit = (i % 2 == 0) and i + 1 < count
            ws.append([
                n, f"{name[:4]}示范项目{n:05d}号",
                f"{total:,}" if n % 3 == 0 else total,
                plan,
                str(done) if n % 5 == 0 else done,
                round(done / plan, 4),
                STAGES[min(5, (month + n) % 6)],
                UNITS[n % len(UNITS)] if (i % 2 == 0) else None,
                f"第{month}月推进正常" if n % 4 == 0 else None,
                None,
            ])
            if shared_unit:
                merges.append(f"H{r}:H{r + 1}")
    r += 1
    total_row = [None] * 10
    total_row[1] = "合计"
    ws.append(total_row)
    for m in merges:
        ws.merged_cells.add(m)
    _ = WriteOnlyCell
    wb.save(path)
    return path


def timed(fn, repeat: int = 1):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def openpyxl_read_only(path: Path) -> int:
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True))
    wb.close()
    return n


def calamine_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(str(path))
    n = sum(len(wb.get_sheet_by_name(s).to_python()) for s in wb.sheet_names)
    wb.close()
    return n


def soffice_csv(path: Path, out: Path) -> float | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return None
    profile = out / "lo-profile"
    cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "csv", "--outdir",
           str(out), str(path)]
    subprocess.run(cmd, capture_output=True, timeout=600)  # first run creates the profile: not timed
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, timeout=600, check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-xlsx-"))
    work.mkdir(parents=True, exist_ok=True)
    july = write_sheet(work / "july.xlsx", args.rows, 7, 1)
    august = write_sheet(work / "august.xlsx", args.rows, 8, 2)
    size_kb = july.stat().st_size // 1024

    rows = []
    t, n = timed(lambda: openpyxl_read_only(july), 3)
    rows.append(("openpyxl read-only: read every cell (baseline)", t))
    base = t
    t, _ = timed(lambda: calamine_read(july), 3)
    rows.append(("python-calamine: read every cell", t))
    t, _ = timed(lambda: spreadsheet.check_xlsx(july), 3)
    rows.append(("safety checks (zip/XML-bomb scan, defusedxml)", t))
    lo = soffice_csv(july, work)
    if lo is not None:
        rows.append(("soffice --headless --convert-to csv", lo))

    db_path = work / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    db = open_database(db_path)
    seed.load_builtin(db)
    t, pv = timed(lambda: xlsx_import.read(db, july, reader="openpyxl"))
    rows.append(("preview with openpyxl (full load: merges, formats)", t))
    t, pv = timed(lambda: xlsx_import.read(db, july))
    rows.append((f"preview with calamine (read {pv.seconds['read']:.2f} + parse {pv.seconds['parse']:.2f}"
                 f" + match {pv.seconds['match']:.2f})", t))
    assert len(pv.new_projects) == args.rows, len(pv.new_projects)
    t, res = timed(lambda: xlsx_import.apply(db, pv))
    rows.append((f"apply: create {res.projects_created} projects + {res.updates_recorded} updates, one transaction", t))
    t, pv2 = timed(lambda: xlsx_import.read(db, august))
    rows.append(("preview of next month (10,000 matched projects)", t))
    t, res2 = timed(lambda: xlsx_import.apply(db, pv2))
    rows.append((f"apply next month: {res2.updates_recorded} updates + {res2.targets_revised} plan revisions", t))
    t_total = rows[-1][1] + rows[-2][1]
    rows.append(("import next month, total (preview + apply)", t_total))
    t, pv3 = timed(lambda: xlsx_import.read(db, august))
    assert pv3.nothing_to_do
    rows.append(("re-import the same file: preview finds nothing new", t))
    t, ex = timed(lambda: xlsx_export.export(db, work / "export.xlsx", as_of="2023-08-31"))
    rows.append((f"export {ex.projects} projects (formatted, print-ready)", t))
    t, pv4 = timed(lambda: xlsx_import.read(db, work / "export.xlsx"))
    assert pv4.nothing_to_do, pv4.change_count
    rows.append(("re-import the export: nothing new", t))
    db.close()

    print(f"{args.rows:,}-row 调度表 ({size_kb} KB, {n:,} sheet rows), Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    print(f"{'step':<78} {'seconds':>8} {'× openpyxl read-only':>22}")
    for name, secs in rows:
        print(f"{name:<78} {secs:8.2f} {secs / base:22.2f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    _ = statistics
    main()
