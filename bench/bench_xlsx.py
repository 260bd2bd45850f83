"""Benchmark: the 调度表 import of a 10,000-project month, whole process, against LibreOffice converting the same
file to CSV (`soffice --headless --convert-to csv`), plus the import's phases in-process.

    python -m bench.bench_xlsx [--rows 10000] [--pairs 5] [--extras] [--keep DIR]

Builds a database with bench.generate (built-in dataset + N projects, January–July), writes the units' August
调度表 for every project (bench.bench_xlsx.write_sheet: two sheets, merged two-row header, sections, a 合计 row),
then runs interleaved A/B pairs, each side a fresh process, the order alternating, one warm-up pair discarded:

  * dry run:  `python -m desktop import-xlsx august.xlsx --dry-run --accept-warnings …`  vs  soffice → csv
  * import:   `python -m desktop import-xlsx august.xlsx --accept-warnings …` on a fresh copy of the database
              (its daily backup already taken, as on any but the day's first open; the import's own checked
              backup before writing is part of the import)  vs  soffice → csv

Each side is charged the CPU time (user + system) of its process and every process it waited for (rusage of
the children), so the two cores being shared with other work does not count; wall time is shown beside it.
Bytecode is cached for the children as in an installed copy (PYTHONDONTWRITEBYTECODE is dropped for them).
Prints per pair the ratio import / LibreOffice, then the median ratio with its spread (min–max), and the
import's phases measured in-process (median of the pairs): read (zip/XML checks + calamine), layout (header,
columns, rows), match (rows to projects, figures compared), validate (the plausibility checks), and apply
(the checked backup, then the one write transaction).

Timing is never asserted in tests.

Measured 2026-12-08 (2 shared cores, load 2–5), `python -m bench.bench_xlsx` (10,013 projects, 5 pairs), CPU ratios:
  before (row-by-row writes; the 填报表 check loading every sheet with openpyxl; escapes checked per character):
    dry run 3.37 s vs 1.52 s: 2.26× (spread 1.91–2.58); import 6.61 s vs 1.62 s: 3.86× (3.50–4.63)
    again:  dry run 2.00× (1.66–2.11); import 4.50× (4.12–4.68)
    phases (read/layout/match in wall seconds there, match including the checks): read 0.38, layout 0.61,
    match 1.17, checked backup 0.09, write transaction 2.66 (CPU)
  after (one bulk write path, sheet names read before any sheet, integer fast paths in the checks):
    dry run 1.58 s vs 1.37 s: 1.17× (spread 1.10–1.25); import 2.78 s vs 1.30 s: 2.19× (2.05–2.45)
    an earlier run: dry run 1.15× (0.98–1.32); import 2.10× (2.01–2.53)
    phases (CPU): read 0.20, layout 0.34, match 0.59, validate 0.20, checked backup 0.08, write transaction 1.40
  Goals (dry run ≤ 0.5×, import ≤ 1.0×) not met. The write transaction stores ~38,000 rows (18,376 updates,
  2,503 本月进展 and 7,614 accepted warnings, with their log entries), whose executemany calls alone take about
  LibreOffice's whole conversion; the dry run's SQL look-ups (five as-of reads of 10,000 projects, ~0.05 s each)
  and Python start-up with the CLI's imports (~0.2 s) leave little room under 0.7 s.
  second round (perf-writes2), `python -m bench.bench_xlsx --pairs 5`, load 0.5–0.8:
    dry run 1.14 s vs 1.39 s: 0.85× (spread 0.76–0.87); wall 0.92× (0.80–0.93)
    import  2.18 s vs 1.32 s: 1.58× (spread 1.35–1.86); wall 1.72× (1.49–2.04)
    phases (CPU): read 0.19, layout 0.23, match 0.25, validate 0.07, checked backup 0.07, write transaction 0.89
    an earlier run (load 0.7–1.0): dry run 0.91× (0.77–1.02), import 1.61× (1.46–2.16)
    (the write transaction's phase is noisy: 0.88–1.3 s in-process runs of the same work)
    What changed: the matcher's standings as (value, text, date) tuples, this month's figures the sheet carries
    read in one pass, last month's and the stage before the month taken from this month's read for every project
    whose row is dated before (the rest looked up); plans as values; 完成率 floats and whole-万元 digit texts read
    without the generic decimal parsing; messages' 亿元 worded in integers; the per-row clock reads of the
    validate split only when this benchmark asks (xlsx_import.TIME_CHECKS); accepted warnings' and 本月进展'
    audit JSON built from parts encoded once; the 本月进展 save's checks seek only its projects; the cycle
    collector paused while reading, planning and writing.
  Goals (dry run ≤ 0.5×, import ≤ 1.0×) still not met. Floor of the dry run: Python with the CLI's imports for
  import-xlsx 0.11–0.15 s CPU (db.exchange, 40 ms of it, comes in through desktop/import_text.py's type imports),
  reading 0.18 (calamine ~0.09, the zip/XML size checks ~0.06), layout 0.24 and the --dry-run report ~0.07: about
  0.65 s before any matching, i.e. LibreOffice's 0.5× already. The real import additionally writes ~38,000 rows
  whose executemany calls alone take ~0.55 s (its Python beyond them: record_many ~0.08 s for 18,376 figures,
  the rows' plans ~0.05, the 本月进展 save's checks ~0.05).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db import backups, open_database, seed, xlsx_export, xlsx_import  # noqa: E402

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


ACCEPT = "基准数据：核实无误"


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


def prepared_copy(src: Path, dst: Path) -> Path:
    """A copy of the database as a user's would be on an ordinary open: identity known, today's backup taken."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    db = open_database(src)
    db.backup_to(dst)
    db.close()
    db = open_database(dst)
    backups.on_open(db)
    db.close()
    return dst


def child_env(db_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(POLICYTRACK_DB=str(db_path), PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return env


def run_child(cmd: list[str], env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(CPU seconds of the process and every process it waited for, wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, timeout=900)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        raise SystemExit(f"{cmd[:4]} exited {done.returncode}: {done.stderr.decode(errors='replace')[-800:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def soffice_cmd(path: Path, out: Path) -> list[str] | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return None
    return [exe, f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless", "--convert-to", "csv",
            "--outdir", str(out), str(path)]


def import_cmd(path: Path, *, dry: bool) -> list[str]:
    return [sys.executable, "-m", "desktop", "import-xlsx", str(path), "--accept-warnings", ACCEPT] + (
        ["--dry-run"] if dry else [])


def paired(name: str, pairs: int, run_a, run_b) -> list[tuple[float, float, float, float]]:
    """Interleaved pairs (order alternating), the first one a warm-up that is not counted."""
    out = []
    for i in range(pairs + 1):
        if i % 2 == 0:
            a, b = run_a(), run_b()
        else:
            b, a = run_b(), run_a()
        if i:
            out.append((a[0], b[0], a[1], b[1]))
            print(f"  {name} pair {i}: import {a[0]:.2f} s CPU ({a[1]:.2f} s wall), LibreOffice {b[0]:.2f} s CPU "
                  f"({b[1]:.2f} s wall): {a[0] / b[0]:.2f}×", flush=True)
    return out


def summary(name: str, runs: list[tuple[float, float, float, float]]) -> str:
    cpu = [a / b for a, b, _, _ in runs]
    wall = [wa / wb for _, _, wa, wb in runs]
    a, b = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    return (f"{name:<44} {a:6.2f} s vs {b:5.2f} s"
            f"  CPU ratio {statistics.median(cpu):.2f}× (spread {min(cpu):.2f}–{max(cpu):.2f})"
            f"  wall {statistics.median(wall):.2f}× ({min(wall):.2f}–{max(wall):.2f})")


def phases(city_db: Path, august: Path, work: Path, runs: int) -> dict[str, float]:
    """The import's phases in-process, on fresh copies: median CPU seconds of ``runs`` runs after one warm-up."""
    seen: dict[str, list[float]] = {}
    xlsx_import.TIME_CHECKS = True   # the checks' CPU time counted apart from matching (a clock read per row)
    for i in range(runs + 1):
        db = open_database(prepared_copy(city_db, work / "phases.db"))
        try:
            pv = xlsx_import.read(db, august)
            pv.accept_reason = ACCEPT
            t0 = time.process_time()
            backups.backup_before(db, "import")
            t1 = time.process_time()
            with db.transaction("import"):
                res = xlsx_import.apply(db, pv)
            t2 = time.process_time()
        finally:
            db.close()
        assert res.updates_recorded > 0
        if i:
            for key, secs in (("read", pv.seconds["read"]), ("layout", pv.seconds["parse"]),
                              ("match", pv.seconds["match"]), ("validate", pv.seconds.get("validate", 0.0)),
                              ("apply: checked backup", t1 - t0), ("apply: write transaction", t2 - t1)):
                seen.setdefault(key, []).append(secs)
    return {k: statistics.median(v) for k, v in seen.items()}


def extras(city_db: Path, august: Path, first: Path, work: Path) -> list[tuple[str, float]]:
    """The other import/export figures (single runs, wall seconds): reading alone, re-reading, export, first import."""
    rows = []
    t, _ = timed(lambda: openpyxl_read_only(august), 3)
    rows.append(("openpyxl read-only: read every cell", t))
    t, _ = timed(lambda: calamine_read(august), 3)
    rows.append(("python-calamine: read every cell", t))
    db = open_database(prepared_copy(city_db, work / "extras.db"))
    pv = xlsx_import.read(db, august)
    pv.accept_reason = ACCEPT
    xlsx_import.apply(db, pv)
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
    pv5.accept_reason = ACCEPT
    t2, res5 = timed(lambda: xlsx_import.apply(db, pv5))
    rows.append((f"first import of a year: preview {t:.2f} + create {res5.projects_created} projects", t + t2))
    db.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--extras", action="store_true", help="also time reading alone, re-reading, export, first import")
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
    size_kb = august.stat().st_size // 1024
    lo = soffice_cmd(august, work)
    if lo is None:
        raise SystemExit("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc")
    print(f"{len(monthly):,}-project 调度表 august.xlsx ({size_kb} KB); database generated in {gen_s:.1f} s; "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)
    run_child(lo)  # LibreOffice's first run creates its profile: not a pair

    dry_db = prepared_copy(city_db, work / "dry.db")
    dry = paired("dry run", args.pairs, lambda: run_child(import_cmd(august, dry=True), child_env(dry_db)),
                 lambda: run_child(lo))
    real_db = work / "real.db"

    def real_import() -> tuple[float, float]:
        prepared_copy(city_db, real_db)     # a fresh copy each time, made before the clock starts
        return run_child(import_cmd(august, dry=False), child_env(real_db))

    real = paired("import", args.pairs, real_import, lambda: run_child(lo))
    ph = phases(city_db, august, work, args.pairs)

    print()
    print(f"pairs: {args.pairs} (after one warm-up pair); ratio = import / LibreOffice, CPU time of each process tree")
    print(summary("import-xlsx --dry-run vs soffice → csv", dry))
    print(summary("import-xlsx (writes) vs soffice → csv", real))
    print("phases of the import, in-process (median CPU seconds):")
    for key, secs in ph.items():
        print(f"  {key:<28} {secs:6.2f}")
    print(f"  {'total':<28} {sum(ph.values()):6.2f}")
    if args.extras:
        first = write_sheet(work / "first.xlsx", synthetic_projects(args.rows), 7)
        print("other figures (wall seconds, best of a few):")
        for name, secs in extras(city_db, august, first, work):
            print(f"  {name:<70} {secs:6.2f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
