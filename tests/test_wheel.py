"""Resources load from an installed (non-editable) wheel, away from the source tree."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_installed_wheel_runs_summary_with_builtin_dataset(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__",
                                                             ".pytest_cache", ".hypothesis", "bench-out"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(wheels.glob("policytrack-*.whl"))
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    assert (target / "resources" / "seed" / "yubei-2023.json").exists()
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    # -P: do not put the current folder on sys.path, so only the installed copy can be imported.
    out = subprocess.run([sys.executable, "-P", "-c",
                          "import desktop, resources; print(desktop.__file__); print(resources.ROOT)"],
                         cwd=work, env=env, capture_output=True, text=True, check=True)
    assert all(line.startswith(str(target)) for line in out.stdout.split())
    out = subprocess.run([sys.executable, "-P", "-m", "desktop", "summary", "--json", "--db", str(work / "w.db")],
                         cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    district = next(p for p in data["portfolios"] if p["name"] == "区级重点项目")
    assert round(district["completion_rate"] * 100, 1) == 55.6
