"""Benchmark of the 重点项目 board at city scale: filtering, sorting and changing the as-of date, in SQL and in the
Qt models, each against a baseline measured in the same run (a plain SELECT of the same projects).

    python -m bench.bench_board [--db PATH] [--projects 10000] [--months 12] [--repeat 5]

Without --db it generates (once) a database with bench.generate(detailed=True) in the temporary folder.
Prints a Markdown
table; the figures in bench/README.md come from it. Timing is never asserted in tests.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from db import board, clusters, open_database, plan  # noqa: E402

BASELINE_SQL = ("SELECT p.id, p.name, pf.level, p.portfolio_id, p.cluster_id, p.location, p.responsible_unit,"
                " p.responsible_leader, p.total_investment_wan, p.note FROM project p"
                " JOIN portfolio pf ON pf.id = p.portfolio_id WHERE pf.plan_year_id = ? AND p.active = 1"
                " ORDER BY pf.position, p.position, p.id")


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time in milliseconds over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db")
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    path = Path(args.db) if args.db else Path(tempfile.gettempdir()) / (
        f"policytrack-board-{args.projects}x{args.months}.db")
    if not path.exists():
        from bench.generate import generate
        t0 = time.perf_counter()
        generate(path, args.projects, args.months, detailed=True)
        print(f"generated {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    db = open_database(path)
    py = plan.current_plan_year(db)
    n = args.repeat
    june = dt.date(py["year"], 6, 30)
    q = board.Query(py["id"], py["year"], june)
    F = board.Filters
    tier = next(node.id for root in clusters.tree(db, py["id"]) for _, node in root.walk() if node.kind == "tier")
    rows_out: list[tuple[str, float, int]] = []

    base_ms, base_rows = timed(lambda: db.conn.execute(BASELINE_SQL, (py["id"],)).fetchall(), n)
    rows_out.append(("baseline: plain SELECT of the same projects (no as-of figures)", base_ms, len(base_rows)))

    def sql(label, query, repeat=n):
        ms, r = timed(lambda: board.rows(db, query), repeat)
        rows_out.append((label, ms, len(r)))

    sql("SQL: all projects, 序号 order", q)
    sql("SQL: sort by 完成率 (descending)", q.with_(sort="rate", descending=True))
    sql("SQL: sort by 项目名称", q.with_(sort="name"))
    sql("SQL: text search 汽车 (LIKE, 2 characters)", q.with_(filters=F(text="汽车")))
    sql("SQL: text search 汽车 区交通局 (two words)", q.with_(filters=F(text="汽车 区交通局")))
    sql("SQL: status 滞后", q.with_(filters=F(status="red")))
    sql("SQL: level + cluster subtree + stage + status", q.with_(
        filters=F(level="district", cluster_id=tier, stage="主体施工", status="amber")))
    month_ends = [dt.date(py["year"], m, 28) + dt.timedelta(days=4) for m in range(1, 13)]
    month_ends = [d - dt.timedelta(days=d.day) for d in month_ends]
    ms_asof = [timed(lambda d=d: board.rows(db, q.with_(as_of=d)), 1)[0] for d in month_ends]
    rows_out.append(("SQL: change the as-of date (median over 12 month ends)", statistics.median(ms_asof),
                     len(board.rows(db, q.with_(as_of=month_ends[-1])))))
    ms, c = timed(lambda: board.count(db, q.with_(filters=F(status="red"))), n)
    rows_out.append(("SQL: count(*) of status 滞后", ms, c))
    ms, _ = timed(lambda: board.bands(db, q), n)
    rows_out.append(("SQL: portfolio bands (itemised sums)", ms, 2))

    # The worker's Reader: an as-of change rebuilds its TEMP table, filters and sorts then read that table.
    reader = board.Reader(path)
    rebuild = []
    for d in month_ends[:6]:
        t0 = time.perf_counter()
        reader.load(q.with_(as_of=d))
        rebuild.append((time.perf_counter() - t0) * 1000)
    rows_out.append(("Reader (worker): change the as-of date (rebuild, median of 6)", statistics.median(rebuild),
                     len(reader.load(q).rows)))
    for label, query in (("Reader: sort by 完成率", q.with_(sort="rate", descending=True)),
                         ("Reader: text search 汽车", q.with_(filters=F(text="汽车"))),
                         ("Reader: status 滞后", q.with_(filters=F(status="red"))),
                         ("Reader: level + cluster subtree + stage + status", q.with_(
                             filters=F(level="district", cluster_id=tier, stage="主体施工", status="amber")))):
        reader.load(q)
        ms, r = timed(lambda query=query: reader.load(query), n)
        rows_out.append((label, ms, len(r.rows)))
    reader.close()

    rows_out += search_alternatives(db, n)
    rows_out += qt_side(db, path, py, q, n)

    print(f"Database: {path.name} — {len(base_rows):,} projects, "
          f"{db.scalar('SELECT count(*) FROM progress_update'):,} updates; "
          f"SQLite {db.scalar('SELECT sqlite_version()')}"
          f"; repeat {n}; baseline {base_ms:.1f} ms\n")
    print("| operation | median ms | × baseline | rows |")
    print("|---|---:|---:|---:|")
    for label, ms, count in rows_out:
        print(f"| {label} | {ms:.1f} | {ms / base_ms:.1f} | {count:,} |")
    db.close()
    return 0


def search_alternatives(db, n: int) -> list[tuple[str, float, int]]:
    """Why LIKE: the same question asked with instr() and with an FTS5 trigram index (which needs 3 characters)."""
    out = []
    cols = ("name", "responsible_unit", "responsible_leader", "location", "note", "description")
    like = " OR ".join(c + " LIKE ? ESCAPE '\\'" for c in cols)
    instr = " OR ".join("instr(" + c + ", ?)" for c in cols)
    for word in ("汽车", "汽车零部件"):
        ms, r = timed(lambda w=word: db.conn.execute("SELECT id FROM project WHERE active = 1 AND (" + like + ")",
                                                     ["%" + w + "%"] * len(cols)).fetchall(), n)
        out.append((f"search only, LIKE '%{word}%' over 6 columns", ms, len(r)))
        ms, r = timed(lambda w=word: db.conn.execute("SELECT id FROM project WHERE active = 1 AND (" + instr + ")",
                                                     [w] * len(cols)).fetchall(), n)
        out.append((f"search only, instr() '{word}' over 6 columns", ms, len(r)))
    t0 = time.perf_counter()
    db.conn.execute("CREATE VIRTUAL TABLE temp.project_trigram USING fts5(" + ", ".join(cols)
                    + ", tokenize = 'trigram')")
    db.conn.execute("INSERT INTO temp.project_trigram (rowid, " + ", ".join(cols) + ") SELECT id, "
                    + ", ".join(cols) + " FROM project WHERE active = 1")
    out.append(("FTS5 trigram: build the index (a cost at every change)", (time.perf_counter() - t0) * 1000, 0))
    for word in ("汽车", "汽车零部件"):
        ms, r = timed(lambda w=word: db.conn.execute(
            "SELECT rowid FROM temp.project_trigram WHERE project_trigram MATCH ?", ('"' + w + '"',)).fetchall(), n)
        out.append((f"search only, FTS5 trigram MATCH '{word}'" + ("（不足3字，匹配不到）" if len(word) < 3 else ""),
                    ms, len(r)))
    db.conn.execute("DROP TABLE temp.project_trigram")
    return out


def qt_side(db, path, py, q, n: int) -> list[tuple[str, float, int]]:
    """What the GUI thread does: the model reset, painting the visible page, and how long the window stalls."""
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop import fonts
    from desktop.app import AppContext
    from desktop.models.board import BoardTableModel
    from desktop.tabs.board import BoardTab

    app = QApplication.instance() or QApplication([])
    fonts.apply_app_font(app)
    out = []
    result = board.load(db, q)
    model = BoardTableModel()
    ms, _ = timed(lambda: model.set_rows(result.rows, result.time_progress, result.thresholds), n)
    out.append(("Qt: model reset with every row (lazy: the view gets 500)", ms, model.rowCount()))

    def page():
        for r in range(40):
            for c in range(model.columnCount()):
                model.data(model.index(r, c))
    ms, _ = timed(page, n)
    out.append(("Qt: format one screen (40 rows × 15 columns)", ms, 40))

    ctx = AppContext(db, as_of=q.as_of)
    for mode, async_from in (("worker thread", 0), ("GUI thread", 10**9)):
        tab = BoardTab(ctx, async_from=async_from)
        tab.resize(1500, 900)
        tab.show()
        wait_idle(app, tab)
        for label, act in (("change the as-of date", lambda: ctx.set_as_of(dt.date(py["year"], 9, 30))),
                           ("sort by 完成率", lambda: tab.model.sort(10, Qt.SortOrder.DescendingOrder)),
                           ("filter status 滞后", lambda: tab.status_combo.setCurrentIndex(
                               tab.status_combo.findData("red")))):
            stalls, totals = [], []
            for _ in range(3):
                ctx.set_as_of(q.as_of)
                tab.clear_filters()
                tab.model.sort(0, Qt.SortOrder.AscendingOrder)
                wait_idle(app, tab)
                ticks: list[float] = []
                clock = QElapsedTimer()
                clock.start()
                timer = QTimer()
                timer.setInterval(5)
                timer.timeout.connect(lambda: ticks.append(clock.elapsed()))
                timer.start()
                t0 = clock.elapsed()
                act()
                ticks.append(clock.elapsed())          # the GUI thread is free again here
                wait_idle(app, tab)
                totals.append(clock.elapsed() - t0)
                timer.stop()
                stamps = [t0] + ticks
                stalls.append(max(b - a for a, b in zip(stamps, stamps[1:])))
            out.append((f"Qt ({mode}): {label} — longest stall of the window", statistics.median(stalls),
                        tab.model.total))
            out.append((f"Qt ({mode}): {label} — until the rows are shown", statistics.median(totals),
                        tab.model.total))
        tab.loader.close()
        tab.deleteLater()
        app.processEvents()
    ctx.close()
    return out


def wait_idle(app, tab) -> None:
    for _ in range(2000):
        app.processEvents()
        if not tab.loader.busy:
            break
        time.sleep(0.002)
    app.processEvents()


if __name__ == "__main__":
    sys.exit(main())
