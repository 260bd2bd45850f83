"""The architecture rules a reviewer would otherwise have to check by eye.

- Views hold no SQL: nothing under desktop/ writes SQL text, reaches a database's ``.conn`` or calls
  ``.execute(``; every read is a function in db/ (docs/DEVELOPING.md).
- The import contracts declared in pyproject.toml ([tool.importlinter]) hold: db/ never imports desktop/,
  Qt or matplotlib, and widgets never import db.connection.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = ROOT / "desktop"

# What `grep -rn "execute(\|SELECT \|db\.conn" desktop/` looks for, plus the other statement words and the
# query helpers of db.connection.Database called with SQL text.
FORBIDDEN = [
    (re.compile(r"execute\("), "execute("),
    (re.compile(r"db\.conn"), "db.conn"),   # db.conn and db.connection alike: the grep, exactly
    (re.compile(r"\.conn\.\w"), ".conn."),
    # Statement words in capitals, as every statement in db/ is written (case-sensitive: prose says "select").
    (re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE|ALTER TABLE|PRAGMA \w)"), "SQL"),
    (re.compile(r"\.(query|query_one|scalar)\(\s*[\"'f]"), "SQL passed to db.query/query_one/scalar"),
]


def sql_in_desktop() -> list[str]:
    found = []
    for path in sorted(DESKTOP.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, what in FORBIDDEN:
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {what}: {line.strip()}")
    return found


def test_no_sql_under_desktop():
    assert sql_in_desktop() == []


def test_the_check_would_see_sql(tmp_path, monkeypatch):
    """The scan itself works: a view that queries is caught (so an empty result above means something)."""
    fake = tmp_path / "desktop"
    fake.mkdir()
    (fake / "view.py").write_text('rows = ctx.db.query("SELECT name FROM project")\nctx.db.conn.execute("x")\n',
                                  encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "DESKTOP", fake)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = sql_in_desktop()
    assert any("SQL" in f for f in found) and any("db.conn" in f for f in found)


def lint_imports_command() -> list[str]:
    script = Path(sys.executable).with_name("lint-imports")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                                  "sys.exit(lint_imports_command())"]


def test_import_contracts_hold():
    result = subprocess.run(lint_imports_command() + ["--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            encoding="utf-8")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
