"""The shape: db/ never imports Qt, matplotlib or desktop/, and SQL is never built from values."""
from __future__ import annotations

import ast
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


SQL_METHODS = {"execute", "executemany", "executescript", "query", "query_one", "scalar"}


def _function_scopes(tree: ast.AST):
    """(scope node, parameter names) for the module and every function in it."""
    yield tree, set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            params = {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs}
            params |= {p.arg for p in (a.vararg, a.kwarg) if p is not None}
            yield node, params - {"self", "cls", "db"}


def _own_nodes(scope: ast.AST):
    """Nodes of a scope, not descending into nested functions (they are scopes of their own)."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def _assignments(scope: ast.AST) -> dict[str, list[ast.expr]]:
    out: dict[str, list[ast.expr]] = {}
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, []).append(node.value)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name) and node.value:
            out.setdefault(node.target.id, []).append(node.value)
    return out


def _why_unsafe(expr: ast.expr, params: set[str], assigned: dict[str, list[ast.expr]], depth: int = 0) -> str | None:
    """Why this SQL text is built from values (f-string, %, .format, + with a caller's value), or None."""
    if depth > 5:
        return None
    if isinstance(expr, ast.JoinedStr):
        return "f-string"
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
        return "% formatting"
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        return ".format()"
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        for side in (expr.left, expr.right):
            if isinstance(side, ast.Name) and side.id in params:
                return "+ with the caller's value '" + side.id + "'"
            if isinstance(side, ast.Subscript) and isinstance(side.value, ast.Name) and side.value.id in params:
                return "+ with the caller's value '" + side.value.id + "[...]'"
            why = _why_unsafe(side, params, assigned, depth + 1)
            if why:
                return why
    if isinstance(expr, ast.Name):
        for value in assigned.get(expr.id, []):
            why = _why_unsafe(value, params, assigned, depth + 1)
            if why:
                return why
    return None


def sql_offenders(source: str, filename: str = "<source>") -> list[str]:
    """Every call of execute/query/... whose SQL is built from values rather than passed as parameters."""
    tree = ast.parse(source, filename)
    found = []
    for scope, params in _function_scopes(tree):
        assigned = _assignments(scope)
        for node in _own_nodes(scope):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SQL_METHODS and node.args):
                why = _why_unsafe(node.args[0], params, assigned)
                if why:
                    found.append(f"{filename}:{node.lineno}: SQL built with {why}")
    return found


def test_no_sql_built_from_values():
    offenders = []
    for folder in ("db", "desktop"):
        for path in (ROOT / folder).rglob("*.py"):
            offenders += sql_offenders(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert offenders == []


BAD_SQL = """
def find(db, name, column):
    db.query(f"SELECT * FROM project WHERE name = '{name}'")
    db.conn.execute("SELECT * FROM project WHERE name = '%s'" % name)
    db.scalar("SELECT id FROM project WHERE name = '" + name + "'")
    sql = "SELECT * FROM project WHERE name = '{}'".format(name)
    db.query(sql)
    q = "SELECT " + column + " FROM project"
    db.conn.execute(q)
    db.query("SELECT * FROM project ORDER BY " + column)
"""
GOOD_SQL = """
FIELDS = {"name": "项目名称"}
def find(db, name):
    db.query("SELECT * FROM project WHERE name = ?", (name,))
    for col in FIELDS:
        db.conn.execute("UPDATE project SET " + col + " = ? WHERE id = ?", (name, 1))
    db.conn.execute("PRAGMA user_version = " + str(int(3)))
"""


def test_sql_checker_catches_each_way_of_building_sql_from_values():
    found = sql_offenders(BAD_SQL)
    assert sorted(int(f.split(":")[1]) for f in found) == [3, 4, 5, 7, 9, 10], found
    assert sql_offenders(GOOD_SQL) == []


class _RecordingConnection:
    """Stands in for the sqlite3 connection and keeps the SQL text of every statement."""

    def __init__(self, conn):
        self._conn = conn
        self.statements: list[str] = []

    def execute(self, sql, *args):
        self.statements.append(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql, *args):
        self.statements.append(sql)
        return self._conn.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_typed_text_never_appears_in_sql_text():
    """Values typed by people travel as parameters: a marker typed into every text field never shows up in the
    statements SQLite is given, yet it is stored."""
    from db import clusters, indicators, open_database, plan, portfolios, projects, seed, targets, updates
    from db.subjects import Subject

    db = open_database(":memory:")
    seed.load_builtin(db)
    rec = _RecordingConnection(db.conn)
    db.conn = rec
    mark = "ZQX'\"; --注入"
    py = plan.current_plan_year(db)["id"]
    py2 = plan.create_plan_year(db, year=2024, district="区" + mark, title=mark)
    pf = portfolios.create(db, plan_year_id=py2, level="district", name="盘子" + mark)
    pid = projects.create(db, portfolio_id=pf, name="项目" + mark, responsible_unit=mark, location=mark,
                          description=mark, note=mark, annual_plan_wan=100, reason="理由" + mark)
    projects.edit(db, pid, responsible_leader=mark, name="改名" + mark)
    projects.add_milestone(db, pid, name="节点" + mark, planned_date="2023-09-30", note=mark)
    targets.revise(db, Subject("project", pid), "annual_plan", 200, reason=mark, doc_no=mark)
    updates.record(db, Subject("project", pid), "completed", "2024-07-31", value=5, note=mark)
    iid = indicators.create(db, plan_year_id=py2, campaign="行动" + mark, name="指标" + mark, unit="家", note=mark)
    updates.record(db, Subject("indicator", iid), "value", "2024-07-31", value=3, note=mark)
    root = db.scalar("SELECT min(id) FROM cluster")
    clusters.add_node(db, plan_year_id=py, parent_id=root, name="集群" + mark, kind="cluster")
    projects.find(db, "改名" + mark)
    assert rec.statements
    assert [s for s in rec.statements if "ZQX" in s] == []
    stored = db.scalar("SELECT count(*) FROM audit_log WHERE summary LIKE ?", ("%ZQX%",))
    assert stored >= 5
    assert db.scalar("SELECT responsible_leader FROM project WHERE id = ?", (pid,)) == mark
