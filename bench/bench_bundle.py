"""The frozen bundle beside the source tree: the same commands, timed in one run.

    packaging/build.sh --bundle-only          (once: dist/policytrack/)
    python -m bench.bench_bundle [--bundle dist/policytrack] [--runs 7]

Cases, each a fresh process, offscreen, on one built-in database, interleaved so machine noise hits all alike:
``summary --json`` and ``screenshot`` from the bundle and from ``python -m desktop``. Reports medians and the
ratio frozen ÷ source per command. Onedir was chosen over onefile for start-up; this shows what it costs.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", type=Path, default=ROOT / "dist" / "policytrack")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    exe = args.bundle / "policytrack"
    if not exe.exists():
        sys.exit(f"no bundle at {args.bundle}: run packaging/build.sh --bundle-only first")
    with tempfile.TemporaryDirectory() as tmp:
        env = {"HOME": tmp, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
        src_env = {**env, "PYTHONPATH": str(ROOT)}
        db = str(Path(tmp) / "bench.db")
        subprocess.run([str(exe), "summary", "--db", db], env=env, capture_output=True, check=True)  # seed once
        py = [sys.executable, "-P", "-m", "desktop"]
        cases = {
            "summary --json, frozen": ([str(exe), "summary", "--json", "--db", db], env),
            "summary --json, source": ([*py, "summary", "--json", "--db", db], src_env),
            "screenshot, frozen": ([str(exe), "screenshot", str(Path(tmp) / "f"), "--db", db], env),
            "screenshot, source": ([*py, "screenshot", str(Path(tmp) / "s"), "--db", db], src_env),
        }
        for cmd, e in cases.values():  # warm the OS file cache once
            subprocess.run(cmd, env=e, capture_output=True, check=True, timeout=300)
        times: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(args.runs):
            for name, (cmd, e) in cases.items():
                start = time.perf_counter()
                subprocess.run(cmd, env=e, capture_output=True, check=True, timeout=300)
                times[name].append(time.perf_counter() - start)
    print(f"{'case':26} {'median s':>9} {'min s':>7} {'frozen/source':>14}")
    for name, ts in times.items():
        med = statistics.median(ts)
        ratio = ""
        if name.endswith("frozen"):
            ratio = f"{med / statistics.median(times[name.replace('frozen', 'source')]):14.2f}"
        print(f"{name:26} {med:9.3f} {min(ts):7.3f} {ratio}")
    size = sum(p.stat().st_size for p in args.bundle.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"bundle: {size / 2**20:.0f} MiB in {args.bundle}")


if __name__ == "__main__":
    main()
