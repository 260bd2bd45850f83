"""The bulk write path (db.updates.record_many) behind month saves, 调度表 imports, exchange imports and undo:
large writes are set-based, keep every guarantee of the row-by-row path, and show up in history and the log."""
from __future__ import annotations

import re
import shutil

import pytest

from db import auditlog, check, open_database, recording, updates, xlsx_import
from db.errors import ValidationError
from db.subjects import Subject
from db.undo import UndoRefused
from db.updates import NewUpdate

DEC = "2023-12-31"


@pytest.fixture(scope="module")
def generated_path(tmp_path_factory):
    from bench.generate import generate
    return generate(tmp_path_factory.mktemp("bulk") / "gen.db", projects=260, months=11)


@pytest.fixture
def gen_db(generated_path, tmp_path):
    path = tmp_path / "gen.db"
    shutil.copy(generated_path, path)
    db = open_database(path)
    yield db
    db.close()


def december(db):
    from bench.bench_save_month import accept_warnings, month_entries
    entries = month_entries(db)
    accept_warnings(db, entries)
    return entries


def counts(db):
    return {t: db.scalar(f"SELECT count(*) FROM {t}") for t in ("progress_update", "audit_log", "accepted_warning")}


def standing(db, pids, metric="completed"):
    rows = updates.as_of(db, "project", metric, DEC, since="2023-01-01")
    return {pid: rows[pid]["value"] if pid in rows else None for pid in pids}


def test_a_big_month_save_is_one_batch_and_undo_restores_the_previous_standing(gen_db):
    db = gen_db
    entries = december(db)
    pids = [e.project_id for e in entries]
    assert len(entries) >= updates.BULK_FROM
    before = standing(db, pids)                       # November's figures stand at the end of December
    start = db.scalar("SELECT max(id) FROM audit_log")
    n0 = counts(db)["progress_update"]

    result = recording.save_month(db, DEC, entries)
    assert standing(db, pids) == {e.project_id: e.completed_wan for e in entries}
    ids = result.update_ids
    assert len(ids) == counts(db)["progress_update"] - n0 == len(entries) + sum(1 for e in entries if e.stage)
    # Every row got a fresh uid of its own (made in Python; none left for the trigger to fill).
    uids = [r[0] for r in db.conn.execute("SELECT uid FROM progress_update WHERE id >= ?", (min(ids),))]
    assert len(set(uids)) == len(ids) and all(re.fullmatch(r"[0-9a-f]{32}", u) for u in uids)

    # One audit entry lists the batch's rows; no entry per figure.
    new = db.query("SELECT action, after FROM audit_log WHERE id > ? ORDER BY id", (start,))
    assert [e["action"] for e in new] == ["update.batch", "recording.save"]
    import json
    listed = json.loads(new[0]["after"])["rows"]
    assert [r[7] for r in listed] == ids and {r[1] for r in listed} == set(pids)
    # The project's 修改记录 shows its own figure from that entry, as a row-by-row save would have logged it.
    pid = pids[0]
    mine = auditlog.search(db, entity="project", entity_id=pid, date_from="2000-01-01")
    shown = [e for e in mine if "截至 2023-12-31" in e["summary_text"]]
    assert shown and shown[0]["action_label"] == "记录数据" and shown[0]["entity_name"]
    assert shown[0]["summary_text"].startswith("累计完成投资（截至 2023-12-31）：")
    # The audit tab lists the batch entry with its count, readable.
    batch = auditlog.search(db, entity="recording")[1]
    assert batch["action_label"] == "批量记录数据" and f"共 {len(ids)} 条" in batch["after_text"]
    # The data check finds the batch's rows logged (the generator's own rows are not: it writes no log).
    assert not [f for f in check.run(db, full=False) if f.code == "audit" and f.row_id >= min(ids)]

    undone = recording.undo_save(db, result)
    assert standing(db, pids) == before
    assert counts(db)["progress_update"] == n0 + 2 * len(ids)     # history keeps every row
    again = recording.redo_save(db, result, undone)
    assert standing(db, pids) == {e.project_id: e.completed_wan for e in entries}

    # A figure recorded since: undo refuses and writes nothing.
    updates.record(db, Subject("project", pid), "completed", DEC, value=entries[0].completed_wan + 1)
    n = counts(db)
    with pytest.raises(UndoRefused, match="之后又记录为"):
        recording.undo_save(db, again)
    assert counts(db) == n


def test_a_refused_row_in_a_big_save_stores_nothing(gen_db):
    db = gen_db
    entries = december(db)
    entries[150].stage = "不存在的阶段"
    n = counts(db)
    with pytest.raises(recording.MonthRefused, match="不存在的阶段"):
        recording.save_month(db, DEC, entries)
    assert counts(db) == n


def test_a_refused_row_in_a_big_bulk_write_stores_nothing_and_says_what_record_says(gen_db):
    db = gen_db
    pids = [r[0] for r in db.conn.execute("SELECT id FROM project WHERE active = 1 ORDER BY id LIMIT 300")]
    rows = [NewUpdate(Subject("project", pid), "completed", DEC, value=1000 + i) for i, pid in enumerate(pids)]
    n = counts(db)
    for bad in (rows[250]._replace(value=-5), rows[250]._replace(metric="stage", value=None, text_value="没有"),
                rows[250]._replace(as_of="2024-01-31"), rows[250]._replace(value=None, retract=True)):
        with pytest.raises(ValidationError) as row_by_row:
            updates.record(db, bad.subject, bad.metric, bad.as_of, value=bad.value, text_value=bad.text_value,
                           retract=bad.retract)
        with pytest.raises(ValidationError) as bulk:
            updates.record_many(db, rows[:250] + [bad] + rows[251:])
        assert str(bulk.value) == str(row_by_row.value)
        assert counts(db) == n


def test_bulk_rows_are_the_rows_record_writes(generated_path, tmp_path, monkeypatch):
    """Corrections of a stored date, two rows for one figure in one batch, a retraction, a stage, an indicator."""
    dbs = []
    for name in ("each.db", "bulk.db"):
        shutil.copy(generated_path, tmp_path / name)
        dbs.append(open_database(tmp_path / name))
    each, bulk = dbs
    pids = [r[0] for r in each.conn.execute(
        "SELECT DISTINCT project_id FROM progress_update WHERE recorded_by = 'bench'"
        " AND metric = 'completed' AND as_of = '2023-11-30' ORDER BY 1 LIMIT 5")]
    ind = each.scalar("SELECT id FROM indicator WHERE active = 1 ORDER BY id LIMIT 1")
    p = [Subject("project", pid) for pid in pids]
    rows = [NewUpdate(p[0], "completed", "2023-11-30", value=7),                 # corrects November's row
            NewUpdate(p[1], "completed", DEC, value=8, note="第一次"),
            NewUpdate(p[1], "completed", DEC, value=9, note="更正"),             # supersedes the row above
            NewUpdate(p[2], "completed", "2023-11-30", retract=True),             # withdraws November's row
            NewUpdate(p[3], "stage", DEC, text_value="投产", source="来源"),
            NewUpdate(Subject("indicator", ind), "value", DEC, value=42)]
    for r in rows:
        updates.record(each, r.subject, r.metric, r.as_of, value=r.value, text_value=r.text_value, note=r.note,
                       source=r.source, source_kind="import", retract=r.retract)
    monkeypatch.setattr(updates, "BULK_FROM", 1)     # the set-based path even for six rows
    ids = updates.record_many(bulk, rows, source_kind="import", label="测试")
    cols = ("id, portfolio_id, project_id, indicator_id, cluster_id, metric, as_of, value, text_value, retracted,"
            " note, source, source_kind, recorded_by, supersedes_id")
    sql = f"SELECT {cols} FROM progress_update WHERE id >= ? ORDER BY id"
    assert bulk.query(sql, (min(ids),)) == each.query(sql, (min(ids),))
    assert ids == [r["id"] for r in bulk.query("SELECT id FROM progress_update WHERE id >= ?", (min(ids),))]
    for subject in p[:4]:
        assert updates.history(bulk, subject) == updates.history(each, subject)
    for db in dbs:
        db.close()


def test_a_senders_uid_is_kept_and_a_bad_one_refused(gen_db, monkeypatch):
    monkeypatch.setattr(updates, "BULK_FROM", 1)
    pid = gen_db.scalar("SELECT id FROM project WHERE active = 1 ORDER BY id LIMIT 1")
    s = Subject("project", pid)
    [uid_id] = updates.record_many(gen_db, [NewUpdate(s, "completed", DEC, value=5, uid="sender-uid-0001")],
                                   source_kind="exchange")
    assert gen_db.scalar("SELECT uid FROM progress_update WHERE id = ?", (uid_id,)) == "sender-uid-0001"
    n = counts(gen_db)
    with pytest.raises(ValidationError, match="行标识"):
        updates.record_many(gen_db, [NewUpdate(s, "completed", DEC, value=6, uid="bad uid!")], source_kind="exchange")
    assert counts(gen_db) == n


def test_a_big_import_writes_one_batch_with_every_figure(tmp_path):
    from bench.bench_xlsx import projects_of, write_sheet
    from bench.generate import generate

    path = generate(tmp_path / "city.db", projects=230, months=7)
    sheet = write_sheet(tmp_path / "august.xlsx", projects_of(path, 8), 8)
    db = open_database(path)
    try:
        start = db.scalar("SELECT max(id) FROM audit_log")
        pv = xlsx_import.read(db, sheet)
        pv.accept_reason = "测试数据：核实无误"
        result = xlsx_import.apply(db, pv)
        assert result.updates_recorded >= updates.BULK_FROM
        batches = db.query("SELECT entity, summary, after FROM audit_log WHERE id > ? AND action = 'update.batch'",
                           (start,))
        assert len(batches) == 1 and batches[0]["entity"] == "import_batch" and "august.xlsx" in batches[0]["summary"]
        assert not db.scalar("SELECT count(*) FROM audit_log WHERE id > ? AND action = 'update.record'", (start,))
        import json
        assert json.loads(batches[0]["after"])["count"] == result.updates_recorded
        # Each figure is the sheet's, with the sheet row as its source, and stands at the reporting date.
        rp = next(r for r in pv.rows if r.status == "matched" and "completed" in r.values)
        row = updates.standing(db, Subject("project", rp.project_id), "completed", "2023-08-31")
        assert row["value"] == rp.values["completed"] and f"第 {rp.row} 行" in row["source"]
        # Accepted warnings point at the figure they were about.
        linked = db.scalar("SELECT count(*) FROM accepted_warning w JOIN progress_update u ON u.id = w.update_id"
                           " WHERE u.source_kind = 'import'")
        assert linked == sum(1 for r in pv.rows for w in r.checks if r.changes)
        first = min(r["id"] for r in db.query("SELECT id FROM progress_update WHERE source_kind = 'import'"))
        assert not [f for f in check.run(db, full=False) if f.code == "audit" and f.row_id >= first]
        # The same file again records nothing.
        again = xlsx_import.read(db, sheet)
        assert again.nothing_to_do
    finally:
        db.close()


def test_a_big_save_writes_the_notes_and_log_entries_a_small_one_writes(generated_path, tmp_path, monkeypatch):
    """本月进展 of a large save go in one executemany: the same rows and note.record entries as one by one."""
    out = []
    for name, bulk_from in (("each.db", 10 ** 9), ("bulk.db", updates.BULK_FROM)):
        shutil.copy(generated_path, tmp_path / name)
        db = open_database(tmp_path / name)
        monkeypatch.setattr(updates, "BULK_FROM", bulk_from)
        entries = december(db)
        for i, e in enumerate(entries):
            e.progress_note = f"第{i}号进展"
        first = recording.save_month(db, DEC, entries[:3])          # three notes stand already: superseded below
        result = recording.save_month(db, DEC, entries)
        notes = db.query("SELECT id, project_id, as_of, text, retracted, source_kind, supersedes_id FROM progress_note"
                         " ORDER BY id")
        log = db.query("SELECT action, entity, entity_id, summary, before, after FROM audit_log"
                       " WHERE action = 'note.record' ORDER BY id")
        out.append((notes, log, [w for w in result.written if w.kind == "note"]))
        assert first.written and recording.note_as_of(db, entries[0].project_id, DEC)["text"] == "第0号进展"
        recording.undo_save(db, result)    # undo restores the three earlier notes and retracts the rest
        assert recording.note_as_of(db, entries[0].project_id, DEC)["text"] == "第0号进展"
        assert recording.note_as_of(db, entries[5].project_id, DEC) is None
        db.close()
    assert out[0] == out[1] and len(out[1][2]) == len(out[1][0]) - 3 >= updates.BULK_FROM
