"""Exchange imports run the same plausibility checks as typing: refused with every warning listed unless
--accept-warnings REASON; the reason is kept with the import batch."""
from __future__ import annotations

import shutil

from db import ledger, open_database, projects, updates
from db.subjects import Subject
from tests.exchange_util import rewrite
from tests.safety.cli_case import assert_one_line_refusal, run_in_process, sha


def test_exchange_with_a_figure_10000_times_too_large_refused_then_accepted_with_reason(capsys, tmp_path):
    office, unit = tmp_path / "office.db", tmp_path / "unit.db"
    for path in (office, unit):
        assert run_in_process(capsys, "summary", "--db", path)[0] == 0
    d = open_database(unit)
    pid = projects.find(d, "大洋电机项目")["id"]
    plan = 60_000  # the case: 600,000,000 万元 recorded from a sheet labelled 亿元
    updates.record(d, Subject("project", pid), "completed", "2023-07-31", value=plan * 10_000)  # 亿元 typed as 万元
    d.close()
    ptx = tmp_path / "unit.ptx"
    assert run_in_process(capsys, "exchange", "export", ptx, "--unit", "全部", "--db", unit)[0] == 0
    before = sha(office)
    code, out, err = run_in_process(capsys, "exchange", "import", ptx, "--db", office)
    assert_one_line_refusal(code, err, "合理性提示", "--accept-warnings")
    assert "项目“大洋电机项目”（截至 2023-07-31）：数量级异常" in out and "是否把万元当作亿元录入" in out
    assert sha(office) == before
    code, out, err = run_in_process(capsys, "exchange", "import", ptx, "--db", office, "--accept-warnings", " ")
    assert_one_line_refusal(code, err, "理由")
    code, out, err = run_in_process(capsys, "exchange", "import", ptx, "--db", office,
                                    "--accept-warnings", "单位核实：确为新增产能")
    assert code == 0 and "已导入：记录更新 1 条" in out, err
    d = open_database(office)
    try:
        assert "单位核实：确为新增产能" in d.scalar("SELECT summary FROM import_batch ORDER BY id DESC LIMIT 1")
        assert updates.standing(d, Subject("project", pid), "completed", "2023-07-31")["value"] == plan * 10_000
    finally:
        d.close()


def test_a_copied_database_gets_its_own_identity_and_old_copies_are_refused(capsys, tmp_path, db_path):
    d = open_database(db_path)
    original = ledger.site_id(d)
    d.close()
    # A copy made after this version: the first open at another path gives it a new identity, with a notice.
    copy = tmp_path / "copy" / "pt.db"
    copy.parent.mkdir()
    shutil.copyfile(db_path, copy)
    c = open_database(copy)
    try:
        assert ledger.site_id(c) != original and "新的本机标识" in c.identity_notice
        assert c.scalar("SELECT count(*) FROM audit_log WHERE summary LIKE '%新的本机标识%'") == 1
    finally:
        c.close()
    d = open_database(db_path)
    assert ledger.site_id(d) == original and d.identity_notice is None  # the original keeps its identity
    d.close()
    # A copy that still shares the identity (made before this version, i.e. with the same stored site_id but
    # exporting from elsewhere): its file is refused instead of overwriting figures.
    ptx = tmp_path / "twin.ptx"
    code, _, err = run_in_process(capsys, "exchange", "export", ptx, "--unit", "全部", "--db", copy)
    assert code == 0, err
    rewrite(ptx, lambda d: d["payload"]["sender"].update(site_id=original), copy)
    before = sha(db_path)
    code, _, err = run_in_process(capsys, "exchange", "import", ptx, "--db", db_path)
    assert_one_line_refusal(code, err, "twin.ptx", "同一标识")
    assert sha(db_path) == before
