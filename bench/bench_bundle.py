"""The frozen bundle beside the source tree: its size by component, and the same commands timed in one run.

    packaging/build.sh --bundle-only          (once: dist/policytrack/)
    python -m bench.bench_bundle [--bundle dist/policytrack] [--runs 7]
    python -m bench.bench_bundle --size-only  (just the size and the breakdown)

Size: every regular file's size (links not counted), in MiB, grouped by component (docs/PACKAGING.md explains
each). Measured 2026-12-08 (issue 19, point 5) with ``python -m bench.bench_bundle --size-only --bundle
/tmp/pbundle/final/policytrack``, on bundles built by ``packaging/build.sh --bundle-only``:

    before (cc64c17): 256.7 MiB, 533 files (227 MiB when the issue was filed, before cryptography and python-docx)
    after:            179.3 MiB, 450 files; goal ≤ 180 MiB with matplotlib kept: met

      30.7 MiB  Qt libraries                              11.2 MiB  the executable with the compressed Python modules
      27.2 MiB  OpenBLAS with gfortran (numpy's BLAS)     10.5 MiB  numpy
      15.4 MiB  PySide6 bindings and shiboken             10.5 MiB  Python (libpython, extension modules, base library)
      13.2 MiB  system libraries (X11/xcb, GLib, ...)      9.6 MiB  matplotlib (with contourpy, kiwisolver)
      11.8 MiB  cryptography (Ed25519 signatures)          9.2 MiB  ICU (37.3 before: data cut to zh/en)
       8.9 MiB  Pillow and its codecs (14.7 before)        5.5 MiB  bundled font PolicyTrack Serif SC
       5.3 MiB  lxml (9.4 before)                          4.0 MiB  bundled font PolicyTrack Sans SC (13.0 before)
       2.3 MiB  Qt plugins and zh_CN translations          1.7 MiB  python-calamine
       1.5 MiB  python-docx templates and sources          0.7 MiB  fontTools; 0.1 other resources

Cases, each a fresh process, offscreen, on one built-in database, interleaved so machine noise hits all alike:
``summary --json`` and ``screenshot`` from the bundle and from ``python -m desktop``, each warmed once. Reports
medians and, per command, the median of the frozen ÷ source ratios of the runs paired in each round, with their
spread. Onedir was chosen over onefile for start-up; this shows what it costs. 2026-12-08, the 179.3 MiB bundle,
``--runs 5``, load average 3-6 from other jobs: summary --json 0.275 s frozen vs 0.191 s source, pair ratio 1.58
(1.43-1.61); screenshot 3.77 s vs 3.66 s, 1.15 (0.90-1.21).
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

# (component, test on the path inside the bundle, relative to _internal/ where it is there); first match wins.
COMPONENTS = [
    ("ICU (Qt's Unicode library)", lambda p: "/libicu" in "/" + p),
    ("Qt libraries", lambda p: p.startswith("PySide6/Qt/lib/")),
    ("Qt plugins and zh_CN translations", lambda p: p.startswith("PySide6/Qt/")),
    ("PySide6 bindings and shiboken", lambda p: p.startswith(("PySide6/", "shiboken6/"))),
    ("OpenBLAS with gfortran (numpy's BLAS)", lambda p: p.startswith("numpy.libs/")),
    ("numpy", lambda p: p.startswith("numpy")),
    ("matplotlib (with contourpy, kiwisolver)", lambda p: p.startswith(("matplotlib", "contourpy", "kiwisolver",
                                                                         "mpl_toolkits"))),
    ("Pillow and its codecs (matplotlib needs it)", lambda p: p.startswith(("PIL/", "pillow.libs/"))),
    ("fontTools (matplotlib's PDF font subsetting)", lambda p: p.startswith("fontTools")),
    ("cryptography (Ed25519 signatures)", lambda p: p.startswith(("cryptography", "_cffi_backend"))),
    ("lxml (python-docx, openpyxl)", lambda p: p.startswith("lxml")),
    ("python-calamine (xlsx reading)", lambda p: p.startswith("python_calamine")),
    ("python-docx templates and sources", lambda p: p.startswith("docx")),
    ("bundled font PolicyTrack Sans SC", lambda p: p.startswith("resources/fonts/PolicyTrackSans")),
    ("bundled font PolicyTrack Serif SC", lambda p: p.startswith("resources/fonts/PolicyTrackSerif")),
    ("other resources (dataset, icons, guide)", lambda p: p.startswith("resources/")),
    ("Python (libpython, extension modules, base library)", lambda p: p.startswith(("libpython", "python3",
                                                                                     "base_library.zip"))),
    ("the executable with the compressed Python modules", lambda p: p == "../policytrack"),
    ("system libraries (X11/xcb, GLib, D-Bus, fontconfig, ...)", lambda p: "/" not in p and ".so" in p),
    ("other", lambda p: True),
]


def size_breakdown(bundle: Path) -> tuple[int, list[tuple[str, int]]]:
    """Total bytes of the bundle's regular files and the bytes per component, largest first."""
    internal = bundle / "_internal"
    sizes: dict[str, int] = {}
    total = 0
    for p in bundle.rglob("*"):
        if not p.is_file() or p.is_symlink():
            continue
        rel = p.relative_to(internal).as_posix() if internal in p.parents else "../" + p.relative_to(bundle).as_posix()
        name = next(n for n, test in COMPONENTS if test(rel))
        sizes[name] = sizes.get(name, 0) + p.stat().st_size
        total += p.stat().st_size
    return total, sorted(sizes.items(), key=lambda kv: -kv[1])


def print_size(bundle: Path) -> None:
    total, parts = size_breakdown(bundle)
    print(f"bundle: {total / 2**20:.1f} MiB in {bundle} (goal: at most 180 MiB)")
    for name, size in parts:
        print(f"  {size / 2**20:6.1f} MiB  {name}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", type=Path, default=ROOT / "dist" / "policytrack")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--size-only", action="store_true", help="print the size and its breakdown, run nothing")
    args = ap.parse_args()
    exe = args.bundle / "policytrack"
    if not exe.exists():
        sys.exit(f"no bundle at {args.bundle}: run packaging/build.sh --bundle-only first")
    print_size(args.bundle)
    if args.size_only:
        return
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
    print(f"{'case':26} {'median s':>9} {'min s':>7}   frozen/source: median of pair ratios (min-max)")
    for name, ts in times.items():
        ratio = ""
        if name.endswith("frozen"):
            pairs = [f / s for f, s in zip(ts, times[name.replace("frozen", "source")])]
            ratio = f"  {statistics.median(pairs):.2f} ({min(pairs):.2f}-{max(pairs):.2f})"
        print(f"{name:26} {statistics.median(ts):9.3f} {min(ts):7.3f} {ratio}")


if __name__ == "__main__":
    main()
