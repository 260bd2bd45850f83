"""The lean standing reads behind the month checks and the 调度表 matcher (db.updates.standing_values and
standing_values_multi, db.targets.values_at, the import's derived standings) give exactly what the reference
reads (db.updates.as_of, db.targets.as_of) give — corrections, retractions of a whole date, plan revisions and
figures of earlier years included — in the same subject order."""
from __future__ import annotations

import calendar
import datetime as dt
import random
import shutil

import pytest

from db import open_database, targets, updates
from db.subjects import Subject
from db.xlsx_import import _Standing

YEAR_START = dt.date(2023, 1, 1)


@pytest.fixture(scope="module")
def generated_path(tmp_path_factory):
    from bench.generate import generate
    return generate(tmp_path_factory.mktemp("standing") / "gen.db", projects=300, months=12, detailed=True)


@pytest.fixture
def db(generated_path, tmp_path):
    path = tmp_path / "gen.db"
    shutil.copy(generated_path, path)
    d = open_database(path)
    _rewrite_history(d)
    yield d
    d.close()


def _rewrite_history(db) -> None:
    """Corrections, retractions of a month's newest figure (some then written again), a project with figures
    only before this plan year, revisions of the plan: every case the lean reads must answer as as_of() does."""
    rng = random.Random(5)
    pids = [r[0] for r in db.conn.execute("SELECT DISTINCT project_id FROM progress_update"
                                          " WHERE project_id IS NOT NULL AND metric = 'completed' ORDER BY 1")]
    for pid in rng.sample(pids, 60):
        subject = Subject("project", pid)
        month = rng.randrange(2, 13)
        d = dt.date(2023, month, calendar.monthrange(2023, month)[1])
        current = updates.standing(db, subject, "completed", d)
        if current is None or current["as_of"] != d.isoformat():
            continue
        what = rng.randrange(4)
        if what == 0:      # a correction: a newer row for the same date
            updates.record(db, subject, "completed", d, value=current["value"] + 7)
        else:              # the date withdrawn (the month before stands again)
            updates.record(db, subject, "completed", d, retract=True)
            if what == 3:  # … and written again
                updates.record(db, subject, "completed", d, value=current["value"] + 1)
        stage = updates.standing(db, subject, "stage", d)
        if stage is not None and stage["as_of"] == d.isoformat() and rng.random() < 0.5:
            updates.record(db, subject, "stage", d, retract=True)
    for pid in rng.sample(pids, 30):
        targets.revise(db, Subject("project", pid), "annual_plan", rng.randrange(1000, 90000),
                       reason="年中调整", effective_from=dt.date(2023, rng.randrange(2, 12), 1))
    for pid in rng.sample(pids, 5):
        targets.revise(db, Subject("project", pid), "annual_plan", None, reason="取消计划",
                       effective_from=dt.date(2023, 9, 1))


def _reference(db, kind, metric, d, since):
    return {k: (r["value"], r["text_value"], r["as_of"]) for k, r in
            updates.as_of(db, kind, metric, d, since=since).items()}


MONTH_ENDS = [dt.date(2023, m, calendar.monthrange(2023, m)[1]) for m in range(1, 13)]
DATES = [dt.date(2022, 12, 31), dt.date(2023, 7, 15)] + MONTH_ENDS


def test_standing_values_answer_as_as_of_does(db):
    for kind, metric in (("project", "completed"), ("project", "stage"), ("portfolio", "completed"),
                         ("indicator", "value"), ("cluster", "output")):
        for d in DATES:
            for since in ("0000-01-01", YEAR_START):
                want = _reference(db, kind, metric, d, since)
                got = updates.standing_values(db, kind, metric, d, since=since)
                assert got == want and list(got) == list(want), (kind, metric, d, since)
                ids = sorted(want)[::3] + [987654]
                some = updates.standing_values(db, kind, metric, d, since=since, subject_ids=ids)
                assert some == {k: v for k, v in want.items() if k in set(ids)}, (kind, metric, d, since)


def test_several_figures_read_in_one_pass_answer_as_one_at_a_time(db):
    for d in DATES:
        got = updates.standing_values_multi(db, "project", d, [("completed", YEAR_START), ("stage", "0000-01-01")])
        for (metric, since), figures in zip((("completed", YEAR_START), ("stage", "0000-01-01")), got):
            want = _reference(db, "project", metric, d, since)
            assert figures == want and list(figures) == list(want), (metric, d)


def test_plan_values_answer_as_targets_as_of_does(db):
    for kind, metric in (("project", "annual_plan"), ("portfolio", "annual_plan"), ("indicator", "value")):
        for d in DATES + [dt.date(9999, 12, 31)]:
            want = targets.as_of(db, kind, metric, d)
            got = targets.values_at(db, kind, metric, d)
            assert got == {k: r["value"] for k, r in want.items()} and list(got) == list(want), (kind, d)


@pytest.mark.parametrize("together", [set(), {"completed", "stage"}])
def test_the_importer_standings_derived_from_this_month_equal_their_own_reads(db, together):
    for month in range(1, 13):
        d = MONTH_ENDS[month - 1]
        standing = _Standing(db)
        standing.together = set(together)
        for metric in ("completed", "stage"):
            assert standing.update(metric, d, 2023) == _reference(db, "project", metric, d, YEAR_START)
            if month > 1:   # last month's standing, taken from this month's read where it is the same row
                prev = MONTH_ENDS[month - 2]
                got = standing.update(metric, prev, 2023)
                want = _reference(db, "project", metric, prev, YEAR_START)
                assert got == want and list(got) == list(want), (metric, month)
        first = d.replace(day=1) - dt.timedelta(days=1)
        got = standing.stage_before(d, 2023)
        want = _reference(db, "project", "stage", first, "0000-01-01")
        assert got == want and list(got) == list(want), month


def test_bulk_steps_give_the_cycle_collector_back_even_when_refused(db):
    import gc

    from db import recording
    pids = [r[0] for r in db.conn.execute("SELECT id FROM project WHERE active = 1 ORDER BY id LIMIT 250")]
    entries = [recording.ProjectEntry(pid, completed_wan=-1) for pid in pids]   # every row refused
    assert gc.isenabled()
    with pytest.raises(recording.MonthRefused):
        recording.save_month(db, "2023-12-31", entries)
    assert gc.isenabled()
    recording.check_month(db, "2023-12-31", entries)
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with updates.paused_gc():
            assert not gc.isenabled()
            with updates.paused_gc():   # nested: the outer pause gives it back
                pass
            assert not gc.isenabled()
            raise ValueError
    assert gc.isenabled()
