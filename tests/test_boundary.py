"""The shape: db/ never imports Qt, matplotlib or desktop/, and SQL is never built from values."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "shiboken6", "matplotlib", "desktop")


def test_db_source_imports_nothing_forbidden():
    offenders = []
    for path in (ROOT / "db").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_every_db_module_loads_no_qt_or_matplotlib():
    modules = sorted("db." + p.stem for p in (ROOT / "db").glob("*.py") if p.stem != "__init__")
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            "bad = [m for m in sys.modules if m.split('.')[0] in %r]\nprint(bad)\n" % (FORBIDDEN,))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


SQL_CALL = re.compile(r"\.(execute|executemany|executescript|query|query_one|scalar)\(\s*(f[\"']|[\"'][^\"']*[\"']\s*%)")


def test_no_sql_built_from_fstrings_or_percent():
    offenders = []
    for folder in ("db", "desktop"):
        for path in (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if SQL_CALL.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []
