"""db.board: the board's rows at an as-of date, checked against the db API one project at a time."""
from __future__ import annotations

import datetime as dt
import shutil
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from db import board, clusters, open_database, plan, portfolios, progress, projects, settings, summary, targets, updates
from db.errors import ValidationError
from db.subjects import Subject

JUNE = dt.date(2023, 6, 30)
JULY = dt.date(2023, 7, 31)


@pytest.fixture(scope="module")
def generated_path(tmp_path_factory):
    from bench.generate import generate
    return generate(tmp_path_factory.mktemp("gen") / "gen.db", projects=300, months=12, detailed=True)


@pytest.fixture
def gen_db(generated_path, tmp_path):
    path = tmp_path / "gen.db"
    shutil.copy(generated_path, path)
    db = open_database(path)
    yield db
    db.close()


def add(db, name, *, level="district", plan_wan=None, done=(), stage=None, unit="", note="", cluster=None,
        milestones=()):
    """A project with its plan, year-to-date completions {date: wan} and a stage, through the normal API."""
    py = plan.current_plan_year(db)
    pf = portfolios.by_level(db, py["id"], level)
    pid = projects.create(db, portfolio_id=pf["id"], name=name, annual_plan_wan=plan_wan, responsible_unit=unit,
                          note=note, cluster_id=cluster)
    for d, v in dict(done).items():
        updates.record(db, Subject("project", pid), "completed", d, value=v)
    if stage:
        updates.record(db, Subject("project", pid), "stage", "2023-06-30", text_value=stage)
    for m in milestones:
        projects.add_milestone(db, pid, **m)
    return pid


def query(db, as_of=JUNE, **filters):
    py = plan.current_plan_year(db)
    return board.Query(py["id"], py["year"], as_of, board.Filters(**filters))


def expected(db, as_of=JUNE, *, level=None, cluster_id=None, stage=None, responsible_unit=None, status=None,
             text=""):
    """The board's filter rules restated with the db API, one project at a time (no shared SQL)."""
    py = plan.current_plan_year(db)
    tp = progress.time_progress(as_of, py["year"], settings.time_progress_mode(db))
    th = settings.thresholds(db)
    plans = targets.as_of(db, "project", "annual_plan", as_of)
    done = updates.as_of(db, "project", "completed", as_of, since=dt.date(py["year"], 1, 1))
    stages = updates.as_of(db, "project", "stage", as_of)
    subtree = None
    if cluster_id is not None:
        subtree = {n.id for root in clusters.tree(db, py["id"]) for _, top in root.walk() if top.id == cluster_id
                   for _, n in top.walk()}
    out = {}
    for p in projects.list_for(db, py["id"]):
        plan_wan = plans.get(p["id"], {}).get("value")
        done_wan = done[p["id"]]["value"] if p["id"] in done else None
        st = stages[p["id"]]["text_value"] if p["id"] in stages else None
        a = progress.judge(done_wan, plan_wan, done[p["id"]]["as_of"] if p["id"] in done else None, as_of,
                           py["year"], thresholds=th)
        words = text.split()
        haystacks = [p["name"], p["responsible_unit"], p["responsible_leader"], p["location"], p["note"],
                     p["description"]]
        if level is not None and p["level"] != level:
            continue
        if subtree is not None and p["cluster_id"] not in subtree:
            continue
        if stage is not None and st != (None if stage == board.NO_STAGE else stage):
            continue
        if responsible_unit is not None and p["responsible_unit"].strip() != responsible_unit:
            continue
        if status == board.UNREPORTED:
            if a.current:
                continue
        elif status is not None and (a.status != (None if status == board.NO_STATUS else status)
                                     or (status != board.NO_STATUS and not a.current)):
            continue
        if not all(any(w.casefold() in h.casefold() for h in haystacks) for w in words):
            continue
        out[p["id"]] = (plan_wan, done_wan, st, a.status)
    return out


FILTER_CASES = [
    {},
    {"level": "city"},
    {"text": "汽车"},
    {"text": "汽车 区交通局"},
    {"status": "red"},
    {"status": "green", "level": "district"},
    {"status": board.NO_STATUS},
    {"status": board.UNREPORTED},
    {"status": board.UNREPORTED, "level": "city"},
    {"stage": "开工", "status": "amber"},
    {"stage": board.NO_STAGE},
    {"responsible_unit": "区经济信息委", "text": "项目"},
    {"level": "district", "stage": "主体施工", "responsible_unit": "石船镇", "status": "green"},
    {"text": "_编号_"},
    {"text": "50%"},
]


@pytest.mark.parametrize("filters", FILTER_CASES, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "all")
@pytest.mark.parametrize("as_of", [JUNE, JULY, dt.date(2023, 12, 31)])
def test_rows_equal_the_db_api_project_by_project(gen_db, filters, as_of):
    rows = board.rows(gen_db, query(gen_db, as_of, **filters))
    want = expected(gen_db, as_of, **filters)
    assert {r.id: (r.plan_wan, r.done_wan, r.stage, r.status) for r in rows} == want
    assert board.count(gen_db, query(gen_db, as_of, **filters)) == len(want)


def test_cluster_filter_takes_the_whole_subtree(gen_db):
    py = plan.current_plan_year(gen_db)
    tier = clusters.find_by_path(gen_db, py["id"], ["“2335”现代制造业集群", "主导产业集群"])
    rows = board.rows(gen_db, query(gen_db, cluster_id=tier, status="amber"))
    assert rows and set(r.id for r in rows) == set(expected(gen_db, cluster_id=tier, status="amber"))
    leaf_ids = {r.cluster_id for r in rows}
    assert tier not in leaf_ids and len(leaf_ids) > 1      # matched through the tier's descendants


def test_reader_returns_what_the_direct_query_returns_and_sees_new_commits(gen_db):
    reader = board.Reader(gen_db.path)
    try:
        for f in FILTER_CASES:
            for sort in ("seq", "rate", "name", "status", "milestone"):
                q = query(gen_db, JULY, **f).with_(sort=sort, descending=sort == "rate")
                assert reader.load(q).rows == board.rows(gen_db, q)
        q = query(gen_db, JULY)
        first = next(r for r in reader.load(q).rows if r.plan_wan and r.status == "green")
        updates.record(gen_db, Subject("project", first.id), "completed", "2023-07-31", value=0)
        again = next(r for r in reader.load(q).rows if r.id == first.id)
        assert again.done_wan == 0 and again.status == "red"
    finally:
        reader.close()


def test_sort_by_completion_rate_is_numeric(empty_db_with_year):
    db = empty_db_with_year
    for name, done in (("甲", 95), ("乙", 102), ("丙", 1000), ("丁", 9)):
        add(db, name, plan_wan=1000, done={"2023-06-30": done})
    add(db, "戊", plan_wan=None)
    rows = board.rows(db, query(db).with_(sort="rate"))
    assert [r.name for r in rows] == ["丁", "甲", "乙", "丙", "戊"]      # 0.9% < 9.5% < 10.2% < 100%, none last
    rows = board.rows(db, query(db).with_(sort="rate", descending=True))
    assert [r.name for r in rows] == ["丙", "乙", "甲", "丁", "戊"]


@pytest.fixture
def empty_db_with_year(empty_db):
    py = plan.create_plan_year(empty_db, year=2023, district="测试区")
    portfolios.create(empty_db, plan_year_id=py, level="district", name="区级重点项目", declared_count=10)
    portfolios.create(empty_db, plan_year_id=py, level="city", name="市级重大项目", declared_count=3)
    return empty_db


@pytest.mark.parametrize("done,as_of,status", [
    (600, JUNE, "green"),       # 50.0% at 50.0%: exactly on time is green
    (599, JUNE, "amber"),
    (700, JULY, "green"),       # 7/12 exactly
    (580, JULY, "amber"),       # exactly 10 points behind: amber (a float says -10.000000000000004, red)
    (579, JULY, "amber"),       # 48.25% is printed 48.3%, 58.3% − 48.3% = 10.0 points: amber, as the page reads
    (578, JULY, "red"),         # 48.2%: 10.1 points behind
])
def test_status_is_exact_at_the_boundaries(empty_db_with_year, done, as_of, status):
    db = empty_db_with_year
    add(db, "项目", plan_wan=1200, done={"2023-06-30": done} if as_of == JUNE else {"2023-07-31": done})
    (row,) = board.rows(db, query(db, as_of))
    assert row.status == status
    py = plan.current_plan_year(db)
    assert progress.assess(done, 1200, progress.time_progress(as_of, py["year"])).status == status


def test_status_follows_threshold_settings_exactly(empty_db_with_year):
    db = empty_db_with_year
    settings.set_thresholds(db, green_from="-2.5", amber_from="-7.5")
    for name, done in (("正好-2.5", 570), ("差一点", 569), ("正好-7.5", 510), ("再差一点", 509)):
        add(db, name, plan_wan=1200, done={"2023-06-30": done})
    got = {r.name: r.status for r in board.rows(db, query(db))}
    assert got == {"正好-2.5": "green", "差一点": "amber", "正好-7.5": "amber", "再差一点": "red"}


def test_corrections_retractions_and_plan_revisions_follow_the_db_rules(empty_db_with_year):
    db = empty_db_with_year
    pid = add(db, "项目", plan_wan=1000, done={"2023-05-31": 300, "2023-06-30": 400})
    s = Subject("project", pid)
    updates.record(db, s, "completed", "2023-06-30", value=450)                 # correction: newest row wins
    assert board.rows(db, query(db))[0].done_wan == 450
    updates.record(db, s, "completed", "2023-06-30", retract=True)              # June withdrawn: May stands
    (row,) = board.rows(db, query(db))
    assert (row.done_wan, row.done_as_of) == (300, "2023-05-31")
    targets.revise(db, s, "annual_plan", 2000, reason="年中调整", effective_from="2023-07-01")
    assert board.rows(db, query(db))[0].plan_wan == 1000                       # not yet effective in June
    assert board.rows(db, query(db, JULY))[0].plan_wan == 2000
    targets.revise(db, s, "annual_plan", None, reason="取消计划", effective_from="2023-07-01")
    (row,) = board.rows(db, query(db, JULY))
    assert row.plan_wan is None and row.status is None


def test_text_search_matches_two_chinese_characters_and_takes_wildcards_literally(empty_db_with_year):
    db = empty_db_with_year
    add(db, "长安汽车渝北新工厂")
    add(db, "汽配城", unit="区经济信息委")
    add(db, "物流园", unit="两江新区汽车办")
    add(db, "数据中心_一期", note="含 50% 配套")
    add(db, "数据中心二期")
    add(db, "ＡＢＣ Robot 基地")
    names = lambda text: sorted(r.name for r in board.rows(db, query(db, text=text)))  # noqa: E731
    assert names("汽车") == ["物流园", "长安汽车渝北新工厂"]
    assert names("汽") == ["汽配城", "物流园", "长安汽车渝北新工厂"]
    assert names("_") == ["数据中心_一期"]                  # '_' is not LIKE's any-character here
    assert names("%") == ["数据中心_一期"]
    assert names("50%") == ["数据中心_一期"]
    assert names("abc robot") == ["ＡＢＣ Robot 基地"]      # full-width and case folded like names are
    assert names("数据 二期") == ["数据中心二期"]            # every word must match
    assert names("  ") == sorted(r.name for r in board.rows(db, query(db)))


def test_next_milestone_and_overdue_flag(empty_db_with_year):
    db = empty_db_with_year
    add(db, "项目", milestones=[{"name": "开工", "planned_date": "2023-03-01", "actual_date": "2023-03-05"},
                              {"name": "封顶", "planned_date": "2023-06-15"},
                              {"name": "竣工", "planned_date": "2023-11-30"}])
    (row,) = board.rows(db, query(db, dt.date(2023, 2, 28)))
    assert (row.milestone_name, bool(row.milestone_overdue)) == ("开工", False)   # not yet done in February
    (row,) = board.rows(db, query(db))
    assert (row.milestone_name, row.milestone_date, bool(row.milestone_overdue)) == ("封顶", "2023-06-15", True)
    (row,) = board.rows(db, query(db, dt.date(2023, 5, 31)))
    assert bool(row.milestone_overdue) is False


def test_removed_projects_leave_the_board(empty_db_with_year):
    db = empty_db_with_year
    pid = add(db, "项目")
    projects.remove(db, pid)
    assert board.rows(db, query(db)) == []
    projects.restore(db, pid)
    assert [r.id for r in board.rows(db, query(db))] == [pid]


def test_bands_agree_with_the_summary(builtin_db, gen_db):
    for db in (builtin_db, gen_db):
        for as_of in (JUNE, JULY):
            q = query(db, as_of)
            got = board.bands(db, q)
            want = summary.standing(db, as_of)["portfolios"]
            assert [b.name for b in got] == [w["name"] for w in want]
            for b, w in zip(got, want):
                assert b.declared_count == w["projects"]
                assert b.itemised_projects == w["itemised_projects"]
                assert Fraction(b.itemised_plan_wan, 10000) == Fraction(str(w["itemised_annual_plan_yi"]))
                assert Fraction(b.itemised_completed_wan, 10000) == Fraction(str(w["itemised_completed_yi"]))
                assert b.status == w["status"]
                assert (None if b.rate is None else round(float(b.rate), 6)) == w["completion_rate"]


def test_builtin_bands_read_like_the_article(builtin_db):
    bands = {b.level: b for b in board.bands(builtin_db, query(builtin_db))}
    d = bands["district"]
    assert (d.declared_count, d.annual_plan_wan, d.completed_wan, d.itemised_projects) == (197, 3_990_000, 2_220_000, 8)
    assert d.status == "green" and round(float(d.gap), 1) == 5.6


def test_stage_move_records_an_update_and_undo_withdraws_it(empty_db_with_year):
    db = empty_db_with_year
    pid = add(db, "项目", stage="开工")
    s = Subject("project", pid)
    moved = board.move_stage(db, pid, "主体施工", JULY, note="主体结构施工中")
    assert updates.standing(db, s, "stage", JULY)["text_value"] == "主体施工"
    last = updates.history(db, s, "stage")[-1]
    assert (last["as_of"], last["text_value"], last["note"], last["source_kind"]) == \
        ("2023-07-31", "主体施工", "主体结构施工中", "typed")
    board.undo_stage(db, moved)
    assert updates.standing(db, s, "stage", JULY)["text_value"] == "开工"      # June's stage stands again
    # Same date twice: undo brings back the figure it superseded, not the older date's.
    board.move_stage(db, pid, "设备安装", JUNE)
    assert updates.standing(db, s, "stage", JUNE)["text_value"] == "设备安装"
    with pytest.raises(ValidationError, match="与当前形象进度相同"):
        board.move_stage(db, pid, "设备安装", JUNE)
    second = board.move_stage(db, pid, "试生产", JUNE)
    board.undo_stage(db, second)
    assert updates.standing(db, s, "stage", JUNE)["text_value"] == "设备安装"
    with pytest.raises(ValidationError, match="形象进度"):
        board.move_stage(db, pid, "不存在的阶段", JUNE)


def test_bad_queries_are_refused(empty_db_with_year):
    db = empty_db_with_year
    with pytest.raises(ValidationError, match="排序"):
        board.rows(db, query(db).with_(sort="name; DROP TABLE project"))
    with pytest.raises(ValidationError, match="预警"):
        board.rows(db, query(db, status="purple"))
    with pytest.raises(ValidationError, match="级别"):
        board.rows(db, query(db, level="province"))


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan_wan=st.integers(1, 10**7), share=st.fractions(0, 2), month=st.integers(1, 12))
def test_board_gap_and_status_agree_with_what_the_page_prints(empty_db_with_year, plan_wan, share, month):
    """The board's integer SQL and db.progress give the same rounded gap and status, and the printed rate minus the
    printed time progress is the printed gap."""
    from desktop import formatting as fmt
    db = empty_db_with_year
    done = int(plan_wan * share)
    as_of = dt.date(2023, month, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    name = f"项目{plan_wan}-{done}-{month}"
    if db.scalar("SELECT 1 FROM project WHERE name = ?", (name,)):
        return
    add(db, name, plan_wan=plan_wan, done={as_of.isoformat(): done})
    row = next(r for r in board.rows(db, query(db, as_of)) if r.name == name)
    j = progress.judge(done, plan_wan, as_of, as_of, 2023)
    assert row.status == j.status and Fraction(row.gap_tenths, 10) == j.gap
    printed = Fraction(fmt.percent(j.rate).rstrip("%")) - Fraction(fmt.percent(j.time_progress).rstrip("%"))
    assert Fraction(fmt.points(j.gap)) == printed
