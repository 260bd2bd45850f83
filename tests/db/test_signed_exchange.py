"""Signed exchange files (format 2): an edit after export is caught by the signature; once the office keeps a 单位名册,
a file from a key not in it is refused unless accepted once with a reason (logged); a revoked key is refused; old
unsigned (format 1) files still import, marked 未签名."""
from __future__ import annotations

import hashlib
import json

import pytest

from db import exchange, identity, targets, updates
from db.subjects import Subject
from tests.db.test_exchange import counts, make_pc, pid
from tests.exchange_util import rewrite


@pytest.fixture
def pcs(tmp_path):
    office, unit_a, stranger = (make_pc(tmp_path, "office", "王五"), make_pc(tmp_path, "unit_a", "张三"),
                                make_pc(tmp_path, "stranger", "赵六"))
    updates.record(unit_a, Subject("project", pid(unit_a, "大洋电机项目")), "completed", "2023-07-31", value=800)
    updates.record(stranger, Subject("project", pid(stranger, "大洋电机项目")), "completed", "2023-07-31", value=900)
    yield office, unit_a, stranger
    for db in (office, unit_a, stranger):
        db.close()


def enrol(office, unit, name):
    me = identity.ensure_key(unit)
    return identity.enrol(office, identity.Identity(name, me.public_key, me.fingerprint),
                          confirmed_fingerprint=me.fingerprint)


def test_the_file_is_signed_and_an_enrolled_units_file_says_who(pcs, tmp_path):
    office, unit_a, _ = pcs
    path = exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委").path
    doc = json.loads(path.read_text("utf-8"))
    assert doc["version"] == 2 and doc["signature"]["fingerprint"] == identity.ensure_key(unit_a).fingerprint
    assert "private" not in json.dumps(doc)
    enrol(office, unit_a, "区经信委")
    preview = exchange.read(office, path)
    assert preview.signer["status"] == "enrolled" and preview.signer["label"] == "已登记单位签名：区经信委"
    exchange.apply(office, preview)
    summary = office.scalar("SELECT summary FROM audit_log WHERE action = 'import.exchange' ORDER BY id DESC")
    assert summary is None or "已登记单位签名：区经信委" in summary
    batch = office.scalar("SELECT summary FROM import_batch ORDER BY id DESC LIMIT 1")
    assert "已登记单位签名：区经信委" in batch


def test_an_unenrolled_signer_is_refused_once_the_office_keeps_a_roster(pcs, tmp_path):
    office, unit_a, stranger = pcs
    path = exchange.export(stranger, tmp_path / "s.ptx", unit="区经信委").path
    # no 名册 yet: the file reads, marked as from an unenrolled signer
    assert exchange.read(office, path).signer["status"] == "unenrolled"
    enrol(office, unit_a, "区经信委")
    before = counts(office)
    with pytest.raises(exchange.ExchangeRefused, match="签名者不在单位名册中"):
        exchange.read(office, path)
    assert counts(office) == before
    preview = exchange.read(office, path, accept_unenrolled="电话核实为区经信委新电脑")
    assert "已确认接受，理由：电话核实为区经信委新电脑" in preview.signer["label"]
    exchange.apply(office, preview)
    assert "电话核实为区经信委新电脑" in office.scalar("SELECT summary FROM import_batch ORDER BY id DESC LIMIT 1")


def test_a_revoked_key_is_refused(pcs, tmp_path):
    office, unit_a, _ = pcs
    enrol(office, unit_a, "区经信委")
    identity.revoke(office, "区经信委", reason="电脑丢失")
    path = exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委").path
    before = counts(office)
    with pytest.raises(exchange.ExchangeRefused, match="已于 .* 注销（电脑丢失）"):
        exchange.read(office, path, accept_unenrolled="试试")
    assert counts(office) == before


def test_a_file_edited_after_export_is_refused_even_with_its_checksum_fixed(pcs, tmp_path):
    office, unit_a, _ = pcs
    path = exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委").path
    doc = json.loads(path.read_text("utf-8"))
    doc["payload"]["updates"][0]["value"] = 8000
    doc["checksum"]["value"] = hashlib.sha256(exchange.canonical(doc["payload"])).hexdigest()
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    before = counts(office)
    with pytest.raises(exchange.ExchangeRefused, match="文件在发出后被修改过"):
        exchange.read(office, path)
    assert counts(office) == before


def test_a_file_re_signed_with_another_key_does_not_pass_as_the_enrolled_unit(pcs, tmp_path):
    office, unit_a, stranger = pcs
    enrol(office, unit_a, "区经信委")
    path = exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委").path
    rewrite(path, lambda d: d["payload"]["updates"][0].update(value=8000), stranger)
    before = counts(office)
    with pytest.raises(exchange.ExchangeRefused, match="签名者不在单位名册中"):
        exchange.read(office, path)
    assert counts(office) == before


def test_a_version_1_file_still_imports_marked_unsigned(pcs, tmp_path):
    office, unit_a, _ = pcs
    path = exchange.export(unit_a, tmp_path / "a.ptx", unit="区经信委").path
    doc = json.loads(path.read_text("utf-8"))
    doc["version"] = 1
    del doc["signature"]
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    enrol(office, unit_a, "区经信委")   # a 名册 does not stop old files: they are marked
    preview = exchange.read(office, path)
    assert preview.signer["status"] == "unsigned" and preview.signer["label"] == "未签名（旧版交换包）"
    exchange.apply(office, preview)
    assert "未签名（旧版交换包）" in office.scalar("SELECT summary FROM import_batch ORDER BY id DESC LIMIT 1")
    assert updates.standing(office, Subject("project", pid(office, "大洋电机项目")), "completed",
                            "2023-07-31")["value"] == 800


def test_a_units_file_carries_only_its_own_projects(pcs, tmp_path):
    """区经信委's signed file with its own project, another unit's project and a target revision: only its own
    project's figure is imported; the other two are listed as out of scope."""
    office, unit_a, _ = pcs
    shunfeng = Subject("project", pid(unit_a, "顺丰西南运营总部一期快件分拨中心"))     # 区商务委's project
    updates.record(unit_a, shunfeng, "completed", "2023-07-31", value=5000)
    ind = unit_a.query_one("SELECT id FROM indicator WHERE name = '新培育科技型中小企业'")["id"]
    targets.revise(unit_a, Subject("indicator", ind), "value", 400, reason="单位自行调整", effective_from="2023-08-01")
    path = exchange.export(unit_a, tmp_path / "a.ptx", unit="全部").path
    enrol(office, unit_a, "区经信委")
    preview = exchange.read(office, path)
    beyond = {(g.label, g.reason) for g in preview.out_of_scope}
    assert ("项目“顺丰西南运营总部一期快件分拨中心”", "该项目的责任单位是「区商务委」，不是发送单位「区经信委」") in beyond
    assert any(g.entity == "target" and "目标调整只接受区发改委发出的文件" in g.reason for g in preview.out_of_scope)
    result = exchange.apply(office, preview)
    assert result.recorded_updates == 1 and result.recorded_targets == 0
    assert updates.standing(office, Subject("project", pid(office, "大洋电机项目")), "completed",
                            "2023-07-31")["value"] == 800
    assert updates.standing(office, Subject("project", pid(office, "顺丰西南运营总部一期快件分拨中心")), "completed",
                            "2023-07-31") is None


def test_the_office_enrolled_as_such_may_revise_targets(pcs, tmp_path):
    office, unit_a, _ = pcs
    ind = office.query_one("SELECT id FROM indicator WHERE name = '新培育科技型中小企业'")["id"]
    targets.revise(office, Subject("indicator", ind), "value", 380, reason="区政府调整", effective_from="2023-08-01")
    path = exchange.export(office, tmp_path / "o.ptx", unit="全部").path
    me = identity.ensure_key(office)
    identity.enrol(unit_a, identity.Identity("渝北区发展和改革委员会", me.public_key, me.fingerprint),
                   confirmed_fingerprint=me.fingerprint, role="office")
    preview = exchange.read(unit_a, path)
    assert preview.out_of_scope == [] and preview.signer["role"] == "office"
    preview.resolve_all("theirs")
    assert exchange.apply(unit_a, preview).recorded_targets == 1
