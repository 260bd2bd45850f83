"""Benchmark of the 重点项目 board at city scale: filtering, sorting and changing the as-of date, in SQL and in the
Qt models.

    python -m bench.bench_board [--db PATH] [--projects 10000] [--months 12] [--pairs 5]

Without --db it generates (once) a database with bench.generate(detailed=True) in the temporary folder.

Every SQL operation is paired with a baseline that returns the same rows with the same figures: a plain SELECT
of those projects (their ids given in a TEMP table) with each one's completed investment and annual plan at the
as-of date, read by correlated index look-ups — no standing, no status, no filter or sort of our own. So a
filtered or sorted result is compared with fetching what it returns, never with an unfiltered list. Each pair
(A = the board, B = its baseline) runs once to warm up, then ``--pairs`` times interleaved (A, B, A, B …); the
table gives the board's median, the median of the pair ratios A/B and their spread (min–max). Qt rows have no
baseline (they time the GUI thread: what the window does and how long it stalls). Timing is never asserted in
tests.
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

# The same projects with the same figures the board shows (completed and plan at the as-of date), plainly.
BASELINE_SQL = """
    SELECT p.id, p.name, pf.level, p.portfolio_id, p.cluster_id, p.location, p.responsible_unit,
           p.responsible_leader, p.total_investment_wan, p.note,
           (SELECT u.value FROM progress_update u
             WHERE u.project_id = p.id AND u.metric = 'completed' AND u.as_of BETWEEN :start AND :as_of
             ORDER BY u.as_of DESC, u.id DESC LIMIT 1) AS completed_wan,
           (SELECT t.value FROM target t
             WHERE t.project_id = p.id AND t.metric = 'annual_plan' AND t.effective_from <= :as_of
             ORDER BY t.effective_from DESC, t.id DESC LIMIT 1) AS plan_wan
    FROM project p JOIN portfolio pf ON pf.id = p.portfolio_id
    WHERE p.id IN (SELECT id FROM temp.bench_ids)
"""


def ms(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t0) * 1000, result


def paired(fn_a, fn_b, pairs: int) -> tuple[float, float, float, float, object]:
    """(median ms of A, median ratio A/B, min ratio, max ratio, A's result), after one warm-up of each."""
    fn_a()
    fn_b()
    a_ms, ratios, result = [], [], None
    for _ in range(pairs):
        ta, result = ms(fn_a)
        tb, _ = ms(fn_b)
        a_ms.append(ta)
        ratios.append(ta / tb)
    return statistics.median(a_ms), statistics.median(ratios), min(ratios), max(ratios), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db")
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--pairs", type=int, default=5)
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
    n = args.pairs
    june = dt.date(py["year"], 6, 30)
    q = board.Query(py["id"], py["year"], june)
    F = board.Filters
    tier = next(node.id for root in clusters.tree(db, py["id"]) for _, node in root.walk() if node.kind == "tier")
    db.conn.execute("CREATE TEMP TABLE bench_ids (id INTEGER PRIMARY KEY)")
    sql_rows: list[tuple[str, float, float, float, float, int]] = []
    other_rows: list[tuple[str, float, int]] = []

    def baseline(ids: list[int], as_of: dt.date):
        def run():
            return db.conn.execute(BASELINE_SQL, {"start": f"{py['year']:04d}-01-01",
                                                  "as_of": as_of.isoformat()}).fetchall()
        db.conn.execute("DELETE FROM temp.bench_ids")
        db.conn.executemany("INSERT INTO temp.bench_ids (id) VALUES (?)", [(i,) for i in ids])
        return run

    def pair(label, fn, ids_of, as_of=june):
        rows = fn()
        base = baseline(ids_of(rows), as_of)
        med, ratio, lo, hi, result = paired(fn, base, n)
        sql_rows.append((label, med, ratio, lo, hi, len(base())))

    def ids(rows):
        return [r.id for r in rows]

    for label, query in (("SQL: all projects, 序号 order", q),
                         ("SQL: sort by 完成率 (descending)", q.with_(sort="rate", descending=True)),
                         ("SQL: sort by 项目名称", q.with_(sort="name")),
                         ("SQL: text search 汽车 (LIKE, 2 characters)", q.with_(filters=F(text="汽车"))),
                         ("SQL: text search 汽车 区交通局 (two words)", q.with_(filters=F(text="汽车 区交通局"))),
                         ("SQL: status 滞后", q.with_(filters=F(status="red"))),
                         ("SQL: level + cluster subtree + stage + status", q.with_(
                             filters=F(level="district", cluster_id=tier, stage="主体施工", status="amber"))),
                         ("SQL: as-of 2023-12-31 instead of June", q.with_(as_of=dt.date(py["year"], 12, 31)))):
        pair(label, lambda query=query: board.rows(db, query), ids, query.as_of)

    # The worker's Reader: an as-of change rebuilds its TEMP table, filters and sorts then read that table.
    month_ends = [dt.date(py["year"], m, 28) + dt.timedelta(days=4) for m in range(1, 13)]
    month_ends = [d - dt.timedelta(days=d.day) for d in month_ends]
    reader = board.Reader(path)
    rebuild = [ms(lambda d=d: reader.load(q.with_(as_of=d)))[0] for d in month_ends[:6]]
    other_rows.append(("Reader (worker): change the as-of date (rebuild, median of 6)", statistics.median(rebuild),
                       len(reader.load(q).rows)))
    for label, query in (("Reader: sort by 完成率", q.with_(sort="rate", descending=True)),
                         ("Reader: text search 汽车", q.with_(filters=F(text="汽车"))),
                         ("Reader: status 滞后", q.with_(filters=F(status="red"))),
                         ("Reader: level + cluster subtree + stage + status", q.with_(
                             filters=F(level="district", cluster_id=tier, stage="主体施工", status="amber")))):
        reader.load(q)
        pair(label, lambda query=query: reader.load(query).rows, ids)
    reader.close()

    other_rows += [(label, t, c) for label, t, c in search_alternatives(db, n)]
    other_rows += qt_side(db, path, py, q, n)

    print(f"Database: {path.name} — {board.active_projects(db):,} projects, "
          f"{db.scalar('SELECT count(*) FROM progress_update'):,} updates; "
          f"SQLite {db.scalar('SELECT sqlite_version()')}; {n} interleaved pairs after one warm-up\n")
    print("| operation | median ms | × its baseline (same rows, same figures) | spread | rows |")
    print("|---|---:|---:|---|---:|")
    for label, med, ratio, lo, hi, count in sql_rows:
        print(f"| {label} | {med:.1f} | {ratio:.2f} | {lo:.2f}–{hi:.2f} | {count:,} |")
    print("\n| operation (no baseline) | median ms | rows |")
    print("|---|---:|---:|")
    for label, t, count in other_rows:
        print(f"| {label} | {t:.1f} | {count:,} |")
    db.close()
    return 0


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time in milliseconds over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t, result = ms(fn)
        times.append(t)
    return statistics.median(times), result


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
