"""The 简报's body (no attachments) against matplotlib alone drawing the same charts (issue 17's goal: ≤ 1.3×).

    python -m bench.bench_briefing_body DB [--pairs 5] [--as-of 2023-06-30]

DB: e.g. one made by ``python -m bench.generate`` (10,000 projects). The data is gathered once; then A/B pairs are
interleaved — A: the whole briefing PDF with ``attachments="none"`` (版头, 一…六, 附图 through QPainter); B:
matplotlib alone building the same six figures and drawing them on an Agg canvas — after one warm-up of each.
Prints the pages, each pair's CPU seconds and the median ratio A/B with its spread (min–max).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--as-of", default="2023-06-30")
    args = ap.parse_args()

    from bench.bench_report import matplotlib_alone
    from db import open_database
    from desktop.charts.data import gather
    from desktop.report import document as docmod
    from desktop.report.briefing import build_briefing, ensure_qt

    ensure_qt()
    db = open_database(args.db, read_only=True)
    try:
        data = gather(db, args.as_of)
    finally:
        db.close()
    out = Path(tempfile.mkdtemp()) / "body.pdf"

    def body():
        return build_briefing(data, out, document=docmod.compose(data, attachments="none"))

    def mpl():
        matplotlib_alone(data)

    def cpu(fn):
        c0 = time.process_time()
        result = fn()
        return time.process_time() - c0, result

    _, result = cpu(body)      # warm each once
    cpu(mpl)
    ratios = []
    for i in range(args.pairs):
        a, _ = cpu(body)
        b, _ = cpu(mpl)
        ratios.append(a / b)
        print(f"pair {i + 1}: body {a:.2f} s CPU, matplotlib alone {b:.2f} s CPU, ratio {a / b:.2f}")
    print(f"pages: {result.get('pages')}; projects: {len(data.get('projects', []))}")
    print(f"median ratio {statistics.median(ratios):.2f} (spread {min(ratios):.2f}–{max(ratios):.2f})")


if __name__ == "__main__":
    main()
