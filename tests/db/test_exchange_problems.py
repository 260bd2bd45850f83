"""Problems travel in exchange files: filed at a unit, resolved there later, seen at the office; twice is once."""
from __future__ import annotations

import json

import pytest

from db import exchange, open_database, problems, projects, seed
from db.exchange import ExchangeRefused


def make_pc(tmp_path, name, user):
    db = open_database(tmp_path / f"{name}.db")
    seed.load_builtin(db)
    db.user = user
    projects.edit(db, projects.find(db, "金康赛力斯龙兴工厂")["id"], responsible_unit="区经信委")
    return db


@pytest.fixture
def pcs(tmp_path):
    office, unit = make_pc(tmp_path, "office", "王五"), make_pc(tmp_path, "unit", "张三")
    yield office, unit
    office.close()
    unit.close()


def _json(rows):
    return [problems.to_json(r) | {"note": r["note"]} for r in rows]


def test_problem_round_trip_then_resolution_then_twice(pcs, tmp_path):
    office, unit = pcs
    jk = projects.find(unit, "金康赛力斯龙兴工厂")["id"]
    w = problems.add(unit, project_id=jk, text="用地指标未落实", category="用地", owner="区规划自然资源局",
                     due="2023-08-31", raised="2023-06-30")
    problems.edit(unit, w.problem_id, owner="区规划自然资源局/张伟")
    first = tmp_path / "a.ptx"
    summary = exchange.export(unit, first, unit="区经信委")
    assert summary.problems == 2
    pv = exchange.read(office, first)
    assert len(pv.new_problems) == 2
    result = exchange.apply(office, pv)
    assert result.recorded_problems == 2 and not result.nothing_new
    got = problems.register(office, today="2023-09-10")
    assert _json(got) == _json(problems.register(unit, today="2023-09-10"))
    assert got[0]["owner"] == "区规划自然资源局/张伟" and got[0]["category"] == "用地"
    # The same file again: nothing new.
    before = office.scalar("SELECT count(*) FROM project_issue")
    assert exchange.apply(office, exchange.read(office, first)).nothing_new
    assert office.scalar("SELECT count(*) FROM project_issue") == before
    # The unit resolves it; the next file carries the new version only, and the office sees it resolved.
    problems.resolve(unit, w.problem_id, "已取得用地指标", on="2023-08-20")
    second = tmp_path / "b.ptx"
    exchange.export(unit, second, unit="区经信委")
    assert exchange.apply(office, exchange.read(office, second)).recorded_problems == 1
    [row] = problems.register(office)
    assert (row["status"], row["note"]) == ("已解决", "已取得用地指标")
    assert problems.register(office, status="open") == []
    # Sent back to the unit, the office's file holds only what the unit already has.
    back = tmp_path / "c.ptx"
    exchange.export(office, back)
    pv = exchange.read(unit, back)
    assert pv.problems == []


def test_problem_of_a_project_the_office_lacks_creates_it(pcs, tmp_path):
    office, unit = pcs
    new_id = projects.create(unit, portfolio_id=1, name="新能源电池材料项目", responsible_unit="区经信委")
    problems.add(unit, project_id=new_id, text="环评批复未取得", category="环评", due="2023-10-31",
                 raised="2023-07-31")
    path = tmp_path / "n.ptx"
    exchange.export(unit, path)
    result = exchange.apply(office, exchange.read(office, path))
    assert result.projects_created == 1
    [row] = problems.register(office)
    assert (row["project"], row["text"], row["unit"]) == ("新能源电池材料项目", "环评批复未取得", "区经信委")


def test_a_malformed_problem_refuses_the_file(pcs, tmp_path):
    office, unit = pcs
    problems.add(unit, project_id=projects.find(unit, "金康赛力斯龙兴工厂")["id"], text="x", due="2023-10-31",
                 raised="2023-07-31")
    path = tmp_path / "m.ptx"
    exchange.export(unit, path)
    doc = json.loads(path.read_text("utf-8"))
    doc["payload"]["problems"][0]["status"] = "gone"
    doc["checksum"]["value"] = __import__("hashlib").sha256(exchange.canonical(doc["payload"])).hexdigest()
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    with pytest.raises(ExchangeRefused):
        exchange.read(office, path)
    assert problems.register(office) == []
