"""Two processes recording 1,000 updates each at the same time: no "database is locked", nothing lost."""
from __future__ import annotations

from db import check, open_database

from tests.safety import harness

PER_WRITER = 1000


def test_two_writers_thousand_updates_each(tmp_path):
    path = tmp_path / "busy.db"
    harness.prepare(path)
    db = open_database(path)
    before = db.scalar("SELECT count(*) FROM progress_update")
    db.close()
    report = harness.concurrent_writers(path, writers=2, per_writer=PER_WRITER)
    print("concurrent writers:", report["seconds"], "s")
    for r in report["results"]:
        assert r["n_errors"] == 0, r["errors"]
        assert r["done"] == PER_WRITER
    db = open_database(path)
    try:
        assert db.scalar("SELECT count(*) FROM progress_update") == before + 2 * PER_WRITER
        for w in (1, 2):
            values = {r["value"] for r in db.query("SELECT value FROM progress_update WHERE note = ?",
                                                   ("进程" + str(w),))}
            assert values == {w * 1_000_000 + i for i in range(PER_WRITER)}
        assert check.run(db) == []
    finally:
        db.close()
