"""The portfolios' itemised projects, plans and completed investment in the window's standing (itemised=False,
no per-project list) and in `summary --json`'s (itemised=True): the same figures, and the right ones, whatever the
history: corrections, retractions, revised, cleared and future-dated targets, projects removed, several years."""
from __future__ import annotations

import datetime as dt

import pytest

from db import plan, portfolios, projects, summary, targets, updates, years
from db.subjects import Subject

DATES = ["2023-01-31", "2023-03-31", "2023-06-30", "2023-08-15", "2023-12-31"]


def portfolio_figures(db, as_of, itemised):
    keys = ("id", "itemised_projects", "itemised_annual_plan_yi", "itemised_completed_yi")
    return [{k: p[k] for k in keys} for p in summary.standing(db, as_of, itemised=itemised)["portfolios"]]


def both_ways(db, as_of):
    sql = portfolio_figures(db, as_of, False)
    python = portfolio_figures(db, as_of, True)
    assert sql == python
    full = summary.standing(db, as_of)
    del full["projects"]
    assert full == summary.standing(db, as_of, itemised=False)   # nothing else differs
    return sql


@pytest.mark.parametrize("as_of", DATES)
def test_the_built_in_data(builtin_db, as_of):
    both_ways(builtin_db, as_of)


def test_an_eventful_history(builtin_db):
    db = builtin_db
    py = plan.current_plan_year(db)
    pf = portfolios.by_level(db, py["id"], "district")["id"]

    def district(as_of):
        return next(f for f in both_ways(db, as_of) if f["id"] == pf)
    before = {d: district(d) for d in DATES}
    made = [projects.create(db, portfolio_id=pf, name=f"测试项目{i}", annual_plan_wan=1000 * (i + 1))
            for i in range(6)]
    p = [Subject("project", i) for i in made]
    updates.record(db, p[0], "completed", "2023-03-31", value=300)
    updates.record(db, p[0], "completed", "2023-03-31", value=350)            # a correction of the same date
    updates.record(db, p[1], "completed", "2023-03-31", value=200)
    updates.record(db, p[1], "completed", "2023-06-30", value=900)
    updates.record(db, p[1], "completed", "2023-06-30", retract=True)         # June withdrawn: March counts
    updates.record(db, p[2], "completed", "2023-08-31", value=1200)           # after some of the dates
    targets.revise(db, p[4], "annual_plan", None, reason="计划取消")             # a cleared plan counts nothing
    targets.revise(db, p[5], "annual_plan", 9999, reason="调增", effective_from="2023-07-01")
    after = {d: district(d) for d in DATES}
    march, december = after["2023-03-31"], after["2023-12-31"]
    assert march["itemised_projects"] == before["2023-03-31"]["itemised_projects"] + 6
    assert round(march["itemised_completed_yi"] - before["2023-03-31"]["itemised_completed_yi"], 4) == 0.055
    # plans 1000+2000+3000+4000 (+0 cleared) +6000, then 9999 from July: in 亿元
    assert round(march["itemised_annual_plan_yi"] - before["2023-03-31"]["itemised_annual_plan_yi"], 4) == 1.6
    assert round(december["itemised_annual_plan_yi"] - before["2023-12-31"]["itemised_annual_plan_yi"], 4) \
        == 1.9999
    projects.remove(db, made[2])                                             # a removed project drops out
    assert district("2023-12-31")["itemised_projects"] == december["itemised_projects"] - 1


def test_a_second_year(builtin_db):
    years.new_year(builtin_db, 2024)
    for d in ("2023-06-30", "2024-01-31", "2024-06-30"):
        both_ways(builtin_db, d)
