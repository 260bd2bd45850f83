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


def synthetic_projects(rows: int, seed_value: int = 1) -> list[dict]:
    """Projects that exist nowhere yet (the first import of a year creates them all)."""
    rnd = random.Random(seed_value)
    out = []
    for n in range(1, rows + 1):
        total = rnd.randrange(5_000, 2_000_000)
        plan = max(1000, total // rnd.randrange(3, 8))
        out.append({"name": f"{SECTIONS[n % len(SECTIONS)][:4]}示范项目{n:05d}号", "level": "district",
                    "unit": UNITS[(n - 1) // 2 % len(UNITS)],
                    "total": total, "plan": plan, "done": plan * rnd.randrange(30, 70) // 100})
    return out


def projects_of(db_path: Path, month: int, seed_value: int = 2) -> list[dict]:
    """The database's own projects with next month's figures: the monthly report a unit sends back."""
    rnd = random.Random(seed_value)
    db = open_database(db_path)
    rows = db.query("SELECT p.id, p.name, pf.level, p.total_investment_wan AS total, p.responsible_unit AS unit"
                    " FROM project p"
                    " JOIN portfolio pf ON pf.id = p.portfolio_id WHERE p.active = 1 ORDER BY pf.position, p.id")
    plans = {r["project_id"]: r["value"] for r in db.query(
        "SELECT project_id, value FROM target WHERE project_id IS NOT NULL AND metric = 'annual_plan'")}
    db.close()
    out = []
    for r in rows:
        plan = plans.get(r["id"]) or 1000
        out.append({"name": r["name"], "level": r["level"], "total": r["total"], "plan": plan, "unit": r["unit"],
                    "done": plan * month * rnd.randrange(60, 130) // 1200})
    return out


def write_sheet(path: Path, projects: list[dict], month: int) -> Path:
    """A 调度表 like the ones offices send: a sheet per level, title with the date, unit line, merged two-row
    header, sections with counts, a 合计 row, amounts partly typed as text with separators, one 责任单位 merged
    over two projects where they share it."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    day = 30 if month in (4, 6, 9, 11) else 31
    for level, sheet in (("district", "区级"), ("city", "市级")):
        members = [p for p in projects if p["level"] == level]
        if not members:
            continue
        ws = wb.create_sheet(sheet)
        ws.append([f"渝北区2023年{sheet}重点项目投资完成情况调度表（截至{month}月{day}日）"])
        ws.append([None] * 9 + ["单位：万元"])
        ws.append(["序号", "项目名称", "总投资", "2023年", None, None, "形象进度", "责任单位", "本月进展", "备注"])
        ws.append([None, None, None, "年度计划投资", f"1-{month}月完成", "完成率", None, None, None, None])
        merges = ["A1:J1", "D3:F3"] + [f"{c}3:{c}4" for c in "ABCGHIJ"]
        per_section = max(1, len(members) // len(SECTIONS))
        r, n = 4, 0
        for s_i, name in enumerate(SECTIONS):
            chunk = members[s_i * per_section:(s_i + 1) * per_section] if s_i < len(SECTIONS) - 1 else \
                members[s_i * per_section:]
            if not chunk:
                continue
            r += 1
            ws.append([f"{'一二三四五'[s_i]}、{name}（{len(chunk)}个）"])
            merges.append(f"A{r}:J{r}")
            shared_with_previous = False
            for i, p in enumerate(chunk):
                n += 1
                r += 1
                total, plan, done = p["total"], p["plan"], p["done"]
                ws.append([
                    n, p["name"], f"{total:,}" if (n % 3 == 0 and total) else total, plan,
                    str(done) if n % 5 == 0 else done, round(done / plan, 4) if plan else None,
                    STAGES[min(5, (month + n) % 6)], None if shared_with_previous else p["unit"],
                    f"第{month}月推进正常" if n % 4 == 0 else None, None,
                ])
                shares_next = (not shared_with_previous and i + 1 < len(chunk) and p["unit"]
                               and chunk[i + 1]["unit"] == p["unit"])
                if shares_next:
                    merges.append(f"H{r}:H{r + 1}")
                shared_with_previous = shares_next
        ws.append([None, "合计"] + [None] * 8)
        for m in merges:
            ws.merged_cells.add(m)
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
    from bench.generate import generate

    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-xlsx-"))
    work.mkdir(parents=True, exist_ok=True)
    city_db = work / "city.db"
    t0 = time.perf_counter()
    generate(city_db, args.rows, months=7)
    gen_s = time.perf_counter() - t0
    monthly = projects_of(city_db, 8)
    august = write_sheet(work / "august.xlsx", monthly, 8)
    first = write_sheet(work / "first.xlsx", synthetic_projects(args.rows), 7)
    size_kb = august.stat().st_size // 1024

    rows = []
    t, n = timed(lambda: openpyxl_read_only(august), 3)
    rows.append(("openpyxl read-only: read every cell (baseline)", t))
    base = t
    t, _ = timed(lambda: calamine_read(august), 3)
    rows.append(("python-calamine: read every cell", t))
    t, _ = timed(lambda: spreadsheet.check_xlsx(august), 3)
    rows.append(("our safety checks alone (zip/XML-bomb scan, defusedxml)", t))
    lo = soffice_csv(august, work)
    if lo is not None:
        rows.append(("soffice --headless --convert-to csv", lo))

    db = open_database(city_db)
    t, pv = timed(lambda: xlsx_import.read(db, august, reader="openpyxl"))
    rows.append(("preview, openpyxl full load (merges, formats)", t))
    t, pv = timed(lambda: xlsx_import.read(db, august))
    rows.append((f"preview, calamine (read {pv.seconds['read']:.2f} + parse {pv.seconds['parse']:.2f}"
                 f" + match {pv.seconds['match']:.2f})", t))
    t_prev = t
    assert not pv.new_projects and len(pv.rows) == len(monthly), (len(pv.new_projects), len(pv.rows))
    t, res = timed(lambda: xlsx_import.apply(db, pv))
    rows.append((f"apply: {res.updates_recorded} updates, {res.fields_changed} field edits, one transaction", t))
    rows.append(("import of a month, total (preview + apply)", t_prev + t))
    t, pv3 = timed(lambda: xlsx_import.read(db, august))
    assert pv3.nothing_to_do
    rows.append(("the same file again: preview finds nothing new", t))
    t, ex = timed(lambda: xlsx_export.export(db, work / "export.xlsx", as_of="2023-08-31"))
    rows.append((f"export {ex.projects} projects (formatted, print-ready)", t))
    t, pv4 = timed(lambda: xlsx_import.read(db, work / "export.xlsx"))
    assert pv4.nothing_to_do, pv4.change_count
    rows.append(("re-import of the export: nothing new", t))
    db.close()

    fresh = work / "fresh.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(fresh) + suffix).unlink(missing_ok=True)
    db = open_database(fresh)
    seed.load_builtin(db)
    t, pv5 = timed(lambda: xlsx_import.read(db, first))
    t2, res5 = timed(lambda: xlsx_import.apply(db, pv5))
    rows.append((f"first import of a year: preview {t:.2f} + create {res5.projects_created} projects", t + t2))
    db.close()

    print(f"{args.rows:,}-row 调度表 ({size_kb} KB, {n:,} sheet rows); database generated in {gen_s:.1f} s;"
          f" Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"{'step':<78} {'seconds':>8} {'× openpyxl read-only':>22}")
    for name, secs in rows:
        print(f"{name:<78} {secs:8.2f} {secs / base:22.2f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
