"""Recording a month: derived figures, plausibility warnings, all-or-nothing saves, undo and time travel."""
from __future__ import annotations

import datetime as dt

import pytest

from db import ValidationError, auditlog, history, indicators, plan, portfolios, projects, recording, summary
from db import targets, updates
from db.recording import IndicatorEntry, IssueEntry, MonthRefused, PortfolioEntry, ProjectEntry
from db.subjects import Subject
from db.undo import UndoRefused

TABLES = ("progress_update", "progress_note", "project_issue", "accepted_warning", "audit_log", "milestone")


def snapshot(db) -> dict:
    """Everything recording can touch, row for row."""
    return {t: db.query("SELECT * FROM " + t + " ORDER BY id") for t in TABLES}


@pytest.fixture
def yubei(builtin_db):
    """The built-in dataset plus one fully described project with figures for January to June."""
    db = builtin_db
    py = plan.current_plan_year(db)
    district = portfolios.by_level(db, py["id"], "district")["id"]
    pid = projects.create(db, portfolio_id=district, name="渝北数据中心二期", annual_plan_wan=120_000,
                          total_investment_wan=500_000, start_year=2022, responsible_unit="区经信委")
    projects.add_milestone(db, pid, name="主体封顶", planned_date="2023-08-31")
    for month in range(1, 7):
        recording.save_month(db, f"2023-{month:02d}", [ProjectEntry(pid, completed_wan=10_000 * month,
                                                                    stage="主体施工" if month > 2 else "开工")])
    db.pid = pid
    db.district = district
    db.city = portfolios.by_level(db, py["id"], "city")["id"]
    return db


def completed(db, pid, date):
    row = updates.standing(db, Subject("project", pid), "completed", date)
    return None if row is None else row["value"]


def codes(report):
    return [w.code for w in report.warnings]


# -- derived figures ---------------------------------------------------------------------------------

def test_month_amount_adds_to_last_months_standing_figure(yubei):
    [r] = recording.check_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, month="1.2")])
    assert (r.previous, r.completed_wan, r.month_wan) == (60_000, 72_000, 12_000)
    recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, month="1.2")])
    assert completed(yubei, yubei.pid, "2023-07-31") == 72_000


def test_year_to_date_gives_this_months_amount(yubei):
    [r] = recording.check_month(yubei, "2023-07", [ProjectEntry(yubei.pid, completed="7.5亿")])
    assert (r.completed_wan, r.month_wan) == (75_000, 15_000)
    [r] = recording.check_month(yubei, "2023-07", [ProjectEntry(yubei.pid, completed="75000万")])
    assert r.completed_wan == 75_000


def test_both_given_must_agree(yubei):
    [ok] = recording.check_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="7", month="1")])
    assert ok.ok and ok.completed_wan == 70_000
    [bad] = recording.check_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="7", month="2")])
    assert [p.field for p in bad.errors] == ["本月完成投资"] and "不一致" in bad.errors[0].message


def test_january_starts_the_year_from_zero(builtin_db):
    pid = projects.find(builtin_db, "长安汽车渝北新工厂")["id"]
    [r] = recording.check_month(builtin_db, "2023-01-31", [ProjectEntry(pid, month="3")])
    assert r.ok and (r.previous, r.completed_wan, r.month_wan) == (None, 30_000, 30_000)


# -- refusals ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("entry,field,needle", [
    (dict(completed="abc"), "累计完成投资", "不是有效的数字"),
    (dict(completed="-3"), "累计完成投资", "不能为负数"),
    (dict(month="1e309"), "本月完成投资", "不是有效的数字"),
    (dict(month="1000000000000000"), "本月完成投资", "数值过大"),
    (dict(completed="1.000001"), "累计完成投资", "小数位过多"),
    (dict(stage="竣工验收"), "形象进度", "不在形象进度列表中"),
    (dict(milestones={"ms": "2023-02-30"}), "节点“主体封顶”实际日期", "不是日历上存在的日期"),
    (dict(milestones={"ms": "2023-09-15"}), "节点“主体封顶”实际日期", "晚于截至日期"),
    (dict(issues=[IssueEntry("", owner="区住建委")]), "存在问题1", "没有写问题内容"),
    (dict(issues=[IssueEntry("土方外运受阻", deadline="2023-13-01")]), "存在问题1整改时限", "日期"),
    (dict(), "本月数据", "没有要记录的数据"),
])
def test_bad_input_is_a_row_error_and_nothing_is_saved(yubei, entry, field, needle):
    if "milestones" in entry:
        mid = projects.milestones(yubei, yubei.pid)[0]["id"]
        entry = {"milestones": {mid: entry["milestones"]["ms"]}}
    before = snapshot(yubei)
    [r] = recording.check_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, **entry)])
    assert not r.ok and r.errors[0].field == field and needle in r.errors[0].message, r.errors
    with pytest.raises(MonthRefused, match=field):
        recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, **entry)])
    assert snapshot(yubei) == before


def test_date_outside_the_plan_year_and_bad_dates(yubei):
    [r] = recording.check_month(yubei, "2024-01-31", [ProjectEntry(yubei.pid, completed="1")])
    assert r.errors[0].field == "截至日期" and "计划年度 2023" in r.errors[0].message
    for bad in ("2023-02-29", "2023-13", "yesterday"):
        with pytest.raises(ValidationError, match="截至日期"):
            recording.check_month(yubei, bad, [ProjectEntry(yubei.pid, completed="1")])


def test_removed_project_is_refused(yubei):
    projects.remove(yubei, yubei.pid)
    [r] = recording.check_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="7")])
    assert r.errors[0].field == "重点项目"


# -- plausibility warnings ---------------------------------------------------------------------------

@pytest.mark.parametrize("entry,code,needle", [
    (dict(completed="6"), "same_as_last_month", "与上月（2023-06-30）相同"),
    (dict(month="0"), "same_as_last_month", "真的报送"),
    (dict(completed="5.5"), "ytd_down", "降到 5.5 亿元"),
    (dict(completed="52"), "above_total", "超过总投资 50.0 亿元"),
    (dict(completed="19"), "above_plan", "远超计划"),
    (dict(month="10000"), "scale", "是否把万元当作亿元录入"),
    (dict(completed_wan=60_001), "scale", "是否把亿元当作万元录入"),
    (dict(stage="开工"), "stage_back", "退回到“开工”"),
    (dict(milestones={"ms": "2021-11-30"}), "milestone_before_start", "早于项目开工（2022年）"),
])
def test_each_warning_case(yubei, entry, code, needle):
    if "milestones" in entry:
        mid = projects.milestones(yubei, yubei.pid)[0]["id"]
        entry = {"milestones": {mid: entry["milestones"]["ms"]}}
    [r] = recording.check_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, **entry)])
    assert not r.errors
    assert code in codes(r), r.warnings
    w = next(w for w in r.warnings if w.code == code)
    assert needle in w.message
    assert not r.ok


def test_ordinary_month_raises_no_warning(yubei):
    mid = projects.milestones(yubei, yubei.pid)[0]["id"]
    [r] = recording.check_month(yubei, "2023-07-31", [ProjectEntry(
        yubei.pid, month="1.1", stage="主体施工", milestones={mid: "2023-07-20"}, progress_note="主体结构完成八成")])
    assert r.ok and r.warnings == []


def test_month_without_any_previous_figure_warns(builtin_db):
    pid = projects.find(builtin_db, "大洋电机项目")["id"]
    [r] = recording.check_month(builtin_db, "2023-07-31", [ProjectEntry(pid, month="2")])
    assert codes(r) == ["no_previous"] and r.completed_wan == 20_000


def test_ten_thousand_fold_slip_on_a_project_with_no_history(builtin_db):
    # 5000 typed in the 亿元 column by someone reading a 万元 sheet: 5000 亿元 for one factory.
    pid = projects.find(builtin_db, "长安汽车渝北新工厂")["id"]
    [r] = recording.check_month(builtin_db, "2023-07-31", [ProjectEntry(pid, completed="5000")])
    assert codes(r) == ["scale"]


def test_indicator_warnings(builtin_db):
    py = plan.current_plan_year(builtin_db)["id"]
    sme = indicators.find(builtin_db, "新培育科技型中小企业", plan_year_id=py)["id"]
    cases = {"359": "same_as_last_month", "350": "ytd_down", "3590000": "scale"}
    for typed, code in cases.items():
        [r] = recording.check_month(builtin_db, "2023-07-31", [IndicatorEntry(sme, typed)])
        assert codes(r) == [code], (typed, r.warnings)
    [r] = recording.check_month(builtin_db, "2023-07-31", [IndicatorEntry(sme, "372")])
    assert r.ok and r.value == 372


def test_portfolio_total_warnings(builtin_db):
    py = plan.current_plan_year(builtin_db)["id"]
    city = portfolios.by_level(builtin_db, py, "city")["id"]
    [r] = recording.check_month(builtin_db, "2023-07-31", [PortfolioEntry(city, completed="800")])
    assert codes(r) == ["above_total", "above_plan"]
    # The 万元 figure of the sheet (58.3 亿元 = 583000 万元) typed into the 亿元 column.
    [r] = recording.check_month(builtin_db, "2023-07-31", [PortfolioEntry(city, completed="583000")])
    assert "scale" in codes(r)
    [r] = recording.check_month(builtin_db, "2023-07-31", [PortfolioEntry(city, month="8.8")])
    assert r.ok and r.completed_wan == 505_000 + 88_000


def test_unaccepted_warning_refuses_the_save(yubei):
    before = snapshot(yubei)
    with pytest.raises(MonthRefused, match="与上月相同"):
        recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="6")])
    with pytest.raises(MonthRefused):  # a blank reason is no reason
        recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="6",
                                                                accepted={"same_as_last_month": "  "})])
    assert snapshot(yubei) == before


def test_accepted_warning_is_saved_with_its_reason(yubei):
    reason = "本月停工检修，确无新增投资"
    result = recording.save_month(yubei, "2023-07-31", [ProjectEntry(
        yubei.pid, completed="6", accepted={"same_as_last_month": reason})])
    assert completed(yubei, yubei.pid, "2023-07-31") == 60_000
    [acc] = recording.accepted_warnings(yubei, "project", yubei.pid)
    assert acc["reason"] == reason and acc["code"] == "same_as_last_month"
    assert acc["update_id"] == result.update_ids[0]
    assert any(reason in e["summary"] for e in auditlog.search(yubei, entity="project", entity_id=yubei.pid))
    row = next(t for t in history.timeline(yubei, Subject("project", yubei.pid)) if t.get("id") == acc["update_id"]
               and t["kind"] == "update")
    assert any(reason in a for a in row["accepted"])


def test_acceptance_for_another_warning_does_not_count(yubei):
    [r] = recording.check_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="5",
                                                                   accepted={"same_as_last_month": "停工"})])
    assert codes(r) == ["ytd_down"] and not r.ok


# -- one transaction ---------------------------------------------------------------------------------

def _many_projects(db, n):
    py = plan.current_plan_year(db)["id"]
    pf = portfolios.by_level(db, py, "district")["id"]
    with db.transaction("project"):
        return [projects.create(db, portfolio_id=pf, name=f"批量项目{i:03d}", annual_plan_wan=30_000)
                for i in range(n)]


def test_two_hundred_rows_are_one_transaction(builtin_db):
    ids = _many_projects(builtin_db, 200)
    statements = []
    builtin_db.conn.set_trace_callback(statements.append)
    try:
        result = recording.save_month(builtin_db, "2023-07-31",
                                      [ProjectEntry(pid, completed=f"{0.5 + i / 100:.2f}", stage="开工")
                                       for i, pid in enumerate(ids)])
    finally:
        builtin_db.conn.set_trace_callback(None)
    begins = [s for s in statements if s.strip().upper().startswith("BEGIN")]
    commits = [s for s in statements if s.strip().upper().startswith("COMMIT")]
    assert len(begins) == 1 and len(commits) == 1
    assert len(result.update_ids) == 400
    assert completed(builtin_db, ids[199], "2023-07-31") == 24_900


def test_one_bad_row_among_two_hundred_saves_nothing(builtin_db):
    ids = _many_projects(builtin_db, 200)
    before = snapshot(builtin_db)
    entries = [ProjectEntry(pid, completed="1") for pid in ids]
    entries[137] = ProjectEntry(ids[137], completed="1..5")
    with pytest.raises(MonthRefused) as exc:
        recording.save_month(builtin_db, "2023-07-31", entries)
    assert [r.index for r in exc.value.bad] == [137]
    assert "批量项目137" in str(exc.value)
    assert snapshot(builtin_db) == before


# -- notes, issues, milestones -----------------------------------------------------------------------

def test_notes_issues_and_milestones(yubei):
    mid = projects.milestones(yubei, yubei.pid)[0]["id"]
    recording.save_month(yubei, "2023-07-31", [ProjectEntry(
        yubei.pid, month="1", milestones={mid: "2023-07-28"}, progress_note="主体封顶",
        issues=[IssueEntry("电力增容未批复", owner="区发改委", deadline="2023-09-30")])])
    assert projects.milestones(yubei, yubei.pid)[0]["actual_date"] == "2023-07-28"
    assert recording.note_as_of(yubei, yubei.pid, "2023-07-31")["text"] == "主体封顶"
    [issue] = recording.open_issues(yubei, yubei.pid, "2023-07-31")
    assert (issue["description"], issue["owner"], issue["deadline"]) == ("电力增容未批复", "区发改委", "2023-09-30")
    assert recording.open_issues(yubei, yubei.pid, "2023-06-30") == []
    recording.save_month(yubei, "2023-08-31", [ProjectEntry(yubei.pid, month="1", resolved_issues=[issue["thread"]])])
    assert recording.open_issues(yubei, yubei.pid, "2023-08-31") == []
    assert len(recording.open_issues(yubei, yubei.pid, "2023-07-31")) == 1  # time travel keeps July's view


# -- undo --------------------------------------------------------------------------------------------

def test_undo_a_correction_restores_the_previous_value_and_history_keeps_both(yubei):
    first = recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="7")])
    fix = recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="7.2")])
    assert completed(yubei, yubei.pid, "2023-07-31") == 72_000
    recording.undo_save(yubei, fix)
    assert completed(yubei, yubei.pid, "2023-07-31") == 70_000
    july = [h for h in updates.history(yubei, Subject("project", yubei.pid), "completed")
            if h["as_of"] == "2023-07-31"]
    assert [(h["value"], h["source_kind"]) for h in july] == [(70_000, "typed"), (72_000, "typed"),
                                                              (70_000, "undo")]
    assert first.update_ids[0] == july[0]["id"]


def test_undo_where_nothing_stood_retracts(yubei):
    mid = projects.milestones(yubei, yubei.pid)[0]["id"]
    result = recording.save_month(yubei, "2023-07-31", [ProjectEntry(
        yubei.pid, month="1", stage="设备安装", milestones={mid: "2023-07-28"}, progress_note="封顶",
        issues=[IssueEntry("电力增容未批复")])])
    recording.undo_save(yubei, result)
    assert completed(yubei, yubei.pid, "2023-07-31") == 60_000  # June's figure stands again
    stage = updates.standing(yubei, Subject("project", yubei.pid), "stage", "2023-07-31")
    assert stage["text_value"] == "主体施工" and stage["as_of"] == "2023-06-30"
    assert projects.milestones(yubei, yubei.pid)[0]["actual_date"] is None
    assert recording.note_as_of(yubei, yubei.pid, "2023-07-31") is None
    assert recording.open_issues(yubei, yubei.pid, "2023-07-31") == []
    # Redo writes the same figures again; undo of the redo works the same way.
    again = recording.redo_save(yubei, result)
    assert completed(yubei, yubei.pid, "2023-07-31") == 70_000
    assert projects.milestones(yubei, yubei.pid)[0]["actual_date"] == "2023-07-28"
    recording.undo_save(yubei, again)
    assert completed(yubei, yubei.pid, "2023-07-31") == 60_000
    actions = [e["action"] for e in auditlog.search(yubei, entity="recording")]
    assert actions[:4] == ["recording.undo", "recording.redo", "recording.undo", "recording.save"]


def test_undo_refused_when_something_newer_was_recorded(yubei):
    result = recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="7")])
    recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="7.3")])
    before = snapshot(yubei)
    with pytest.raises(UndoRefused, match="之后又记录为 7.3 亿元"):
        recording.undo_save(yubei, result)
    assert snapshot(yubei) == before


def test_undo_labels(yubei):
    changan = projects.find(yubei, "长安汽车渝北新工厂")["id"]
    r = recording.save_month(yubei, "2023-07-31", [ProjectEntry(changan, completed="12")])
    assert r.label == "记录 长安汽车渝北新工厂 7月完成投资"
    r = recording.save_month(yubei, "2023-08-31", [ProjectEntry(changan, stage="试生产")])
    assert r.label == "记录 长安汽车渝北新工厂 8月形象进度"
    r = recording.save_month(yubei, "2023-08-31", [ProjectEntry(changan, month="1"),
                                                   ProjectEntry(yubei.pid, month="1")])
    assert r.label == "月度调度录入 8月（2 行）"


# -- history and time travel -------------------------------------------------------------------------

def record_second_half(db):
    """Six months of H2 figures for the portfolios, two projects and an indicator."""
    py = plan.current_plan_year(db)["id"]
    district = portfolios.by_level(db, py, "district")["id"]
    city = portfolios.by_level(db, py, "city")["id"]
    changan = projects.find(db, "长安汽车渝北新工厂")["id"]
    sme = indicators.find(db, "新培育科技型中小企业", plan_year_id=py)["id"]
    stages = ["设备安装", "设备安装", "试生产", "试生产", "投产", "投产"]
    for i, month in enumerate(range(7, 13)):
        recording.save_month(db, f"2023-{month:02d}", [
            PortfolioEntry(district, month=str(30 + i)),
            PortfolioEntry(city, month="7.5"),
            ProjectEntry(changan, completed=str(10 + 2 * i), stage=stages[i],
                         accepted={"same_as_last_month": "本月设备安装未结算"} if i == 1 else {}),
            IndicatorEntry(sme, str(365 + 4 * i)),
        ])
    return district, city, changan, sme


def test_time_travel_to_june_reproduces_the_article_after_h2_updates(builtin_db):
    record_second_half(builtin_db)
    june = summary.standing(builtin_db, "2023-06-30")
    pf = {p["name"]: p for p in june["portfolios"]}
    assert (pf["区级重点项目"]["completed_yi"], round(pf["区级重点项目"]["completion_rate"] * 100, 1)) == (222.0, 55.6)
    assert (pf["市级重大项目"]["completed_yi"], round(pf["市级重大项目"]["completion_rate"] * 100)) == (50.5, 57)
    ind = {i["name"]: i for i in june["indicators"]}
    assert ind["新培育科技型中小企业"]["actual"] == 359
    assert round(ind["新培育科技型中小企业"]["completion_rate"] * 100, 1) == 101.7
    dec = {p["name"]: p for p in summary.standing(builtin_db, "2023-12-31")["portfolios"]}
    assert dec["区级重点项目"]["completed_yi"] == 222 + 30 + 31 + 32 + 33 + 34 + 35
    assert dec["市级重大项目"]["completed_yi"] == pytest.approx(50.5 + 6 * 7.5)


def test_monthly_series_and_timeline(builtin_db):
    district, city, changan, sme = record_second_half(builtin_db)
    series = history.monthly_series(builtin_db, Subject("portfolio", district))
    assert [s["value"] for s in series] == [None] * 5 + [2_220_000 + 10_000 * sum(range(30, 30 + k))
                                                         for k in range(0, 7)]
    stages = history.monthly_series(builtin_db, Subject("project", changan), "stage")
    assert [s["text_value"] for s in stages][5:] == ["设备安装", "设备安装", "设备安装", "试生产", "试生产", "投产",
                                                     "投产"]
    rows = history.timeline(builtin_db, Subject("indicator", sme))
    assert [r["source_kind_label"] for r in rows] == ["内置数据"] + ["手工录入"] * 6
    assert all(r["recorded_by"] for r in rows)


# -- audit log ---------------------------------------------------------------------------------------

def test_audit_search_filters_and_export(yubei, tmp_path):
    now = [dt.datetime(2023, 8, 2, 9, 0)]
    yubei.clock = lambda: now[0]
    yubei.user = "张科长"
    recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, month="1", progress_note="=HYPERLINK(1)")])
    now[0], yubei.user = dt.datetime(2023, 9, 1, 10, 0), "@李四"
    recording.save_month(yubei, "2023-08-31", [ProjectEntry(yubei.pid, month="1")])
    aug = auditlog.search(yubei, date_from="2023-08-01", date_to="2023-08-31")
    assert {e["user"] for e in aug} == {"张科长"} and len(aug) == 3  # update, note, save
    assert {e["user"] for e in auditlog.search(yubei, user="@李四")} == {"@李四"}
    mine = auditlog.search(yubei, entity="project", entity_id=yubei.pid, date_from="2023-08-01")
    assert {e["entity_name"] for e in mine} == {"渝北数据中心二期"}
    assert [e for e in auditlog.search(yubei, text="渝北数据中心二期") if e["action"] == "update.record"]
    assert "张科长" in auditlog.users(yubei) and "project" in auditlog.entities(yubei)
    upd = next(e for e in aug if e["action"] == "update.record")
    assert "累计完成投资 7.0 亿元" in upd["after_text"]
    assert upd["summary_text"] == "累计完成投资（截至 2023-07-31）：7.0 亿元"

    out = auditlog.export_xlsx(auditlog.search(yubei), tmp_path / "log.xlsx")
    from openpyxl import load_workbook
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["时间", "用户", "操作"]
    cells = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert "'@李四" in cells
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in cells)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("text,expected", [
    ("=1+1", "'=1+1"), ("+86 23", "'+86 23"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("渝北", "渝北"), ("a=b", "a=b"), (5, 5), (None, None),
])
def test_neutralise(text, expected):
    assert auditlog.neutralise(text) == expected


def test_target_revision_keeps_old_new_reason_and_doc_no_in_the_log(yubei):
    targets.revise(yubei, Subject("project", yubei.pid), "annual_plan", 150_000, reason="年中调整",
                   doc_no="渝北发改发〔2023〕88号", effective_from="2023-07-01")
    [e] = auditlog.search(yubei, entity="project", entity_id=yubei.pid, text="年中调整")
    assert "12.0 亿元" in e["before_text"] and "15.0 亿元" in e["after_text"]
    assert "渝北发改发〔2023〕88号" in e["after_text"]


def test_redo_writes_the_accepted_reason_and_the_original_source_again(yubei):
    reason = "本月停工检修，确无新增投资"
    result = recording.save_month(yubei, "2023-07-31", [ProjectEntry(
        yubei.pid, completed="6", accepted={"same_as_last_month": reason})], source_kind="import", source="渝北.xlsx")
    undone = recording.undo_save(yubei, result)
    again = recording.redo_save(yubei, result, undone)
    accs = recording.accepted_warnings(yubei, "project", yubei.pid)
    assert [a["reason"] for a in accs] == [reason, reason]
    assert accs[-1]["update_id"] == again.update_ids[0]
    last = updates.history(yubei, Subject("project", yubei.pid), "completed")[-1]
    assert (last["value"], last["source_kind"], last["source"]) == (60_000, "import", "渝北.xlsx")


def test_redo_refused_when_something_newer_was_written_over_the_undo(yubei):
    result = recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="7")])
    undone = recording.undo_save(yubei, result)
    recording.save_month(yubei, "2023-07-31", [ProjectEntry(yubei.pid, completed="7.5")])
    before = snapshot(yubei)
    with pytest.raises(UndoRefused, match="不能重做.*之后又记录为 7.5 亿元"):
        recording.redo_save(yubei, result, undone)
    assert snapshot(yubei) == before
