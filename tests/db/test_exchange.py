"""Exchange files between PCs: three database files (two units and the office), a conflict, idempotence, origins."""
from __future__ import annotations

import json

import pytest

from db import exchange, ledger, open_database, projects, seed, targets, updates
from db.errors import ValidationError
from db.subjects import Subject
from tests.exchange_util import rewrite


def make_pc(tmp_path, name, user):
    db = open_database(tmp_path / f"{name}.db")
    seed.load_builtin(db)
    db.user = user
    for project, unit in (("金康赛力斯龙兴工厂", "区经信委"), ("大洋电机项目", "区经信委"),
                          ("顺丰西南运营总部一期快件分拨中心", "区商务委")):
        projects.edit(db, projects.find(db, project)["id"], responsible_unit=unit)
    return db


def pid(db, name):
    return projects.find(db, name)["id"]


def completed(db, name, as_of="2023-07-31"):
    row = updates.standing(db, Subject("project", pid(db, name)), "completed", as_of)
    return None if row is None else row["value"]


def counts(db):
    return {t: db.scalar("SELECT count(*) FROM " + t) for t in
            ("project", "progress_update", "target", "audit_log", "import_batch", "exchange_row")}


@pytest.fixture
def pcs(tmp_path):
    office = make_pc(tmp_path, "office", "王五")
    unit_a = make_pc(tmp_path, "unit_a", "张三")
    unit_b = make_pc(tmp_path, "unit_b", "李四")
    yield office, unit_a, unit_b
    for db in (office, unit_a, unit_b):
        db.close()


def test_three_pcs_with_a_conflict(pcs, tmp_path):
    office, unit_a, unit_b = pcs
    # Unit A (区经信委) reports its projects for July, revises a plan and adds a project.
    a_jk = Subject("project", pid(unit_a, "金康赛力斯龙兴工厂"))
    updates.record(unit_a, a_jk, "completed", "2023-07-31", value=150_000, note="7月报")
    updates.record(unit_a, a_jk, "stage", "2023-07-31", text_value="设备安装")
    targets.revise(unit_a, a_jk, "annual_plan", 260_000, reason="区政府调增", doc_no="渝北府〔2023〕12号")
    new_id = projects.create(unit_a, portfolio_id=1, name="新能源电池材料项目", responsible_unit="区经信委",
                             total_investment_wan=60_000)
    updates.record(unit_a, Subject("project", new_id), "completed", "2023-07-31", value=12_000)
    # Unit B (区商务委) reports its project — and, by mistake, 金康 for the same month with another figure.
    updates.record(unit_b, Subject("project", pid(unit_b, "顺丰西南运营总部一期快件分拨中心")), "completed",
                   "2023-07-31", value=42_000)
    updates.record(unit_b, Subject("project", pid(unit_b, "金康赛力斯龙兴工厂")), "completed", "2023-07-31",
                   value=155_000)

    file_a = exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委", since="2023-01-01").path
    file_b = exchange.export(unit_b, tmp_path / "b.ptx", unit="全部", sender_name="区商务委").path

    # The office takes A's file: everything is new, the new project is created.
    pa = exchange.read(office, file_a)
    assert pa.sender["name"] == "区经信委" and pa.sender["user"] == "张三" and not pa.conflicts
    titles = {(g.label, g.metric, g.status) for g in pa.changes}
    assert ("项目“金康赛力斯龙兴工厂”", "completed", "new") in titles
    assert ("项目“金康赛力斯龙兴工厂”", "annual_plan", "new") in titles  # the article gives it no plan
    assert [d["name"] for d in pa.new_projects] == ["新能源电池材料项目"]
    ra = exchange.apply(office, pa)
    assert ra.projects_created == 1 and ra.recorded_updates == 3 and ra.recorded_targets == 1
    from db import backups
    assert len([b for b in backups.list_backups(office.path) if b.reason == "exchange"]) == 1
    assert completed(office, "金康赛力斯龙兴工厂") == 150_000
    assert completed(office, "新能源电池材料项目") == 12_000
    o_jk = Subject("project", pid(office, "金康赛力斯龙兴工厂"))
    rev = targets.current(office, o_jk, "annual_plan")
    assert rev["value"] == 260_000 and rev["doc_no"] == "渝北府〔2023〕12号" and rev["reason"] == "区政府调增"

    # B's file: the same project, metric and month with a different value from another source — a conflict,
    # shown side by side, and nothing is written until the user chooses.
    pb = exchange.read(office, file_b)
    (conflict,) = pb.conflicts
    assert conflict.label == "项目“金康赛力斯龙兴工厂”" and conflict.metric == "completed"
    assert conflict.period == "2023-07"
    assert (conflict.mine.value, conflict.mine.site_name, conflict.mine.user) == (150_000, "区经信委", "张三")
    assert (conflict.theirs.value, conflict.theirs.site_name, conflict.theirs.user) == (155_000, "区商务委", "李四")
    before = counts(office)
    with pytest.raises(ValidationError, match="冲突"):
        exchange.apply(office, pb)
    assert counts(office) == before
    pb.resolve(conflict.key, "theirs")
    rb = exchange.apply(office, pb)
    assert rb.recorded_updates == 2 and completed(office, "金康赛力斯龙兴工厂") == 155_000
    assert completed(office, "顺丰西南运营总部一期快件分拨中心") == 42_000

    # History keeps both figures, each with its origin.
    hist = updates.history(office, o_jk, "completed")
    july = [h for h in hist if h["as_of"] == "2023-07-31"]
    assert [h["value"] for h in july] == [150_000, 155_000]
    assert all(h["source_kind"] == "exchange" for h in july)
    assert "来自 区经信委" in july[0]["source"] and "张三" in july[0]["source"]
    assert "来自 区商务委" in july[1]["source"] and "李四" in july[1]["source"]
    assert july[0]["note"] == "7月报"

    # Importing either file again records nothing and asks nothing.
    snapshot = counts(office)
    for f in (file_a, file_b):
        again = exchange.read(office, f)
        assert not again.changes and not again.conflicts and again.earlier_imports
        assert exchange.apply(office, again).nothing_new
    assert counts(office) == snapshot

    # The office sends everything back out. Unit A sees the office's decision as a correction of exactly its own
    # figure (not a new conflict); unit B already holds that figure.
    file_o = exchange.export(office, tmp_path / "office.ptx", unit="全部", sender_name="区发改委").path
    back_a = exchange.read(unit_a, file_o)
    assert not back_a.conflicts
    jk = next(g for g in back_a.groups if g.label == "项目“金康赛力斯龙兴工厂”" and g.metric == "completed")
    assert jk.status == "update" and (jk.mine.value, jk.theirs.value) == (150_000, 155_000)
    assert jk.theirs.site_name == "区商务委"  # forwarded rows keep their first origin
    exchange.apply(unit_a, back_a)
    assert completed(unit_a, "金康赛力斯龙兴工厂") == 155_000
    assert completed(unit_a, "顺丰西南运营总部一期快件分拨中心") == 42_000
    back_b = exchange.read(unit_b, file_o)
    assert not back_b.conflicts
    exchange.apply(unit_b, back_b)
    assert completed(unit_b, "新能源电池材料项目") == 12_000
    assert targets.value(unit_b, Subject("project", pid(unit_b, "金康赛力斯龙兴工厂")), "annual_plan") == 260_000
    # All three PCs now agree.
    for name in ("金康赛力斯龙兴工厂", "顺丰西南运营总部一期快件分拨中心", "新能源电池材料项目"):
        assert completed(office, name) == completed(unit_a, name) == completed(unit_b, name)
    # And A's own rows, coming back, were recognised by their uids.
    assert any(g.status == "known" for g in back_a.groups)


def test_keeping_mine_is_remembered(pcs, tmp_path):
    office, unit_a, _ = pcs
    updates.record(office, Subject("project", pid(office, "大洋电机项目")), "completed", "2023-07-31", value=30_000)
    updates.record(unit_a, Subject("project", pid(unit_a, "大洋电机项目")), "completed", "2023-07-31", value=31_000)
    f = exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委").path
    p = exchange.read(office, f)
    p.resolve_all("mine")
    result = exchange.apply(office, p)
    assert result.kept_mine == 1 and completed(office, "大洋电机项目") == 30_000
    row = office.query_one("SELECT * FROM exchange_row WHERE decision = 'kept_mine'")
    assert row["origin_user"] == "张三" and row["local_id"] is None
    again = exchange.read(office, f)
    assert not again.conflicts and not again.changes


def test_a_senders_own_correction_is_not_a_conflict(pcs, tmp_path):
    office, unit_a, _ = pcs
    s = Subject("project", pid(unit_a, "大洋电机项目"))
    updates.record(unit_a, s, "completed", "2023-07-31", value=30_000)
    exchange.apply(office, exchange.read(office, exchange.export(unit_a, tmp_path / "1.ptx", unit="区经信委").path))
    updates.record(unit_a, s, "completed", "2023-07-31", value=30_500)  # A corrects its figure
    p = exchange.read(office, exchange.export(unit_a, tmp_path / "2.ptx", unit="区经信委").path)
    g = next(g for g in p.groups if g.status != "known")
    assert g.status == "update" and (g.mine.value, g.theirs.value) == (30_000, 30_500)
    exchange.apply(office, p)
    assert completed(office, "大洋电机项目") == 30_500


def test_target_conflict_side_by_side(pcs, tmp_path):
    office, unit_a, _ = pcs
    targets.revise(office, Subject("project", pid(office, "大洋电机项目")), "annual_plan", 50_000, reason="区里定")
    targets.revise(unit_a, Subject("project", pid(unit_a, "大洋电机项目")), "annual_plan", 55_000, reason="单位报")
    p = exchange.read(office, exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委").path)
    (c,) = p.conflicts
    assert c.entity == "target" and (c.mine.value, c.theirs.value) == (50_000, 55_000)
    assert c.mine.source == "区里定" and c.theirs.source == "单位报"
    p.resolve_all("theirs")
    exchange.apply(office, p)
    assert targets.value(office, Subject("project", pid(office, "大洋电机项目")), "annual_plan") == 55_000


def test_export_scope_unit_since_and_no_builtin_rows(pcs, tmp_path):
    office, unit_a, _ = pcs
    updates.record(unit_a, Subject("project", pid(unit_a, "大洋电机项目")), "completed", "2023-07-31", value=1)
    updates.record(unit_a, Subject("project", pid(unit_a, "顺丰西南运营总部一期快件分拨中心")), "completed",
                   "2023-07-31", value=2)
    s = exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委")
    data = json.loads(s.path.read_text("utf-8"))["payload"]
    assert [u["subject"]["name"] for u in data["updates"]] == ["大洋电机项目"]
    assert all(u["source_kind"] != "seed" for u in data["updates"])
    assert data["sender"]["name"] == "区经信委" and data["sender"]["site_id"] == ledger.site_id(unit_a)
    everything = json.loads(exchange.export(unit_a, tmp_path / "all.ptx", unit="全部").path.read_text("utf-8"))
    assert len(everything["payload"]["updates"]) == 2
    future = exchange.export(unit_a, tmp_path / "f.ptx", unit="全部", since="2099-01-01")
    assert future.updates == 0 and future.targets == 0
    with pytest.raises(ValidationError, match="责任单位"):
        exchange.export(unit_a, tmp_path / "x.ptx", unit="不存在的单位")


def _tamper(path, fn):
    doc = json.loads(path.read_text("utf-8"))
    fn(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def test_bad_exchange_files_are_refused_and_change_nothing(pcs, tmp_path):
    office, unit_a, _ = pcs
    updates.record(unit_a, Subject("project", pid(unit_a, "大洋电机项目")), "completed", "2023-07-31", value=1)
    good = exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委").path
    raw = good.read_text("utf-8")
    before = counts(office)
    cases = {
        "changed": (_tamper(tmp_path / "c.ptx", lambda d: d["payload"]["updates"][0].update(value=999))
                    if (tmp_path / "c.ptx").write_text(raw, "utf-8") else None, "校验和不符"),
        "newer": (_tamper(tmp_path / "n.ptx", lambda d: d.update(version=3))
                  if (tmp_path / "n.ptx").write_text(raw, "utf-8") else None, "更新版本"),
        "not json": ((tmp_path / "j.ptx"), "不是有效的 JSON"),
        "other json": ((tmp_path / "o.ptx"), "格式标记不对"),
        "empty": ((tmp_path / "e.ptx"), "文件为空"),
    }
    (tmp_path / "j.ptx").write_text("{not json", "utf-8")
    (tmp_path / "o.ptx").write_text('{"format": "something-else"}', "utf-8")
    (tmp_path / "e.ptx").write_bytes(b"")
    for name, (path, words) in cases.items():
        with pytest.raises(exchange.ExchangeRefused) as exc:
            exchange.read(office, path)
        assert words in str(exc.value), name
    # Edited after export with the checksum made to fit again: the signature tells.
    doc = json.loads(raw)
    doc["payload"]["updates"][0]["value"] = 999
    doc["checksum"]["value"] = __import__("hashlib").sha256(exchange.canonical(doc["payload"])).hexdigest()
    (tmp_path / "s.ptx").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    with pytest.raises(exchange.ExchangeRefused, match="文件在发出后被修改过"):
        exchange.read(office, tmp_path / "s.ptx")
    # A malformed row with a correct checksum and signature is refused too (a faulty producer).
    (tmp_path / "m.ptx").write_text(raw, "utf-8")
    rewrite(tmp_path / "m.ptx", lambda d: d["payload"]["updates"][0].update(value="很多"), unit_a)
    with pytest.raises(exchange.ExchangeRefused, match="内容不完整"):
        exchange.read(office, tmp_path / "m.ptx")
    assert counts(office) == before


def test_unknown_subjects_are_listed_not_dropped_silently(pcs, tmp_path):
    office, unit_a, _ = pcs
    ind = unit_a.query_one("SELECT id, name FROM indicator LIMIT 1")
    updates.record(unit_a, Subject("indicator", ind["id"]), "value", "2023-07-31", value=1)
    office.conn.execute("UPDATE indicator SET active = 0 WHERE name = ?", (ind["name"],))
    p = exchange.read(office, exchange.export(unit_a, tmp_path / "a.ptx", unit="全部").path)
    (g,) = p.unresolvable
    assert g.label == f"指标“{ind['name']}”" and "没有这个指标" in g.reason


def test_origin_uids_survive_migration_of_an_old_file(tmp_path, monkeypatch):
    from db import schema

    path = tmp_path / "old.db"
    v1_only = [m for m in schema._MIGRATIONS if m[0] == 1]
    monkeypatch.setattr(schema, "_MIGRATIONS", v1_only)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 1)
    db = open_database(path)
    seed.load_builtin(db)
    n = db.scalar("SELECT count(*) FROM progress_update")
    db.close()
    monkeypatch.undo()
    db = open_database(path)
    assert db.migrated_from == 1 and db.scalar("SELECT count(*) FROM progress_update WHERE uid IS NULL") == 0
    assert db.scalar("SELECT count(DISTINCT uid) FROM progress_update") == n
    assert db.scalar("SELECT count(*) FROM target WHERE uid IS NULL") == 0
    with pytest.raises(Exception, match="append-only"):
        db.conn.execute("UPDATE progress_update SET value = 1 WHERE id = 1")
    with pytest.raises(Exception, match="append-only"):
        db.conn.execute("UPDATE progress_update SET uid = 'x' WHERE id = 1")
    assert len(ledger.site_id(db)) == 32
    db.close()


def test_a_project_is_found_by_its_code_first_even_when_renamed(pcs, tmp_path):
    """项目代码 travels with the rows and the descriptor; a project renamed on one PC is still the same project."""
    office, unit_a, _ = pcs
    code = "2301-500112-04-01-123456"
    for db in (office, unit_a):
        projects.edit(db, pid(db, "大洋电机项目"), code=code)
    projects.edit(unit_a, pid(unit_a, "大洋电机项目"), name="大洋电机新能源汽车电机项目")
    updates.record(unit_a, Subject("project", pid(unit_a, "大洋电机新能源汽车电机项目")), "completed", "2023-07-31",
                   value=1234)
    path = exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委").path
    doc = json.loads(path.read_text("utf-8"))
    assert doc["payload"]["updates"][0]["subject"]["code"] == code
    assert doc["payload"]["projects"][0]["code"] == code
    result = exchange.apply(office, exchange.read(office, path))
    assert result.projects_created == 0 and result.recorded_updates == 1
    assert completed(office, "大洋电机项目") == 1234
