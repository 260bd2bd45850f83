"""Identities and the 单位名册: a key pair per database (a copy gets its own), enrolment only with the fingerprint
read out by phone, re-keying and revoking logged, roster rows never deleted."""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from db import identity, open_database
from db.errors import NotFoundError, ValidationError
from tests.safety.cli_case import assert_one_line_refusal, run_in_process, sha


def unit_identity(tmp_path, name="区经济信息委", file="unit.db"):
    """A unit's own database and its exported 身份文件."""
    db = open_database(tmp_path / file)
    try:
        identity.set_name(db, name)
        out = tmp_path / f"{name}.ptid"
        ident = identity.write_identity(db, out)
    finally:
        db.close()
    return out, ident


def test_the_office_is_named_after_its_district(builtin_db):
    assert identity.ensure_key(builtin_db).name == "渝北区发展和改革委员会"


def test_the_key_is_made_once_and_kept(tmp_path):
    db = open_database(tmp_path / "a.db")
    try:
        first = identity.ensure_key(db)
        assert first.name == "本单位"          # an empty database has no district yet
        groups = first.fingerprint.split(" ")
        assert len(groups) == 6 and all(len(g) == 5 and g.isdigit() for g in groups)
    finally:
        db.close()
    db = open_database(tmp_path / "a.db")
    try:
        assert identity.ensure_key(db) == first
        assert any(e["action"] == "identity.create" for e in db.query("SELECT action FROM audit_log"))
    finally:
        db.close()


def test_a_copied_database_gets_its_own_key(tmp_path):
    db = open_database(tmp_path / "a.db")
    try:
        original = identity.ensure_key(db).fingerprint
    finally:
        db.close()
    shutil.copy(tmp_path / "a.db", tmp_path / "copy.db")
    copy = open_database(tmp_path / "copy.db")
    try:
        assert "签名密钥" in (copy.identity_notice or "")
        assert identity.ensure_key(copy).fingerprint != original
    finally:
        copy.close()


def test_the_identity_file_holds_the_public_key_only(tmp_path):
    out, ident = unit_identity(tmp_path)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert set(doc) == {"format", "version", "unit", "public_key", "fingerprint", "made"}
    db = open_database(tmp_path / "unit.db")
    try:
        private = db.scalar("SELECT value FROM setting WHERE key = 'identity_private_key'")
    finally:
        db.close()
    assert private and private not in out.read_text(encoding="utf-8")
    assert identity.read_identity(out) == ident


def test_enrol_needs_the_fingerprint_read_out(builtin_db, tmp_path):
    out, ident = unit_identity(tmp_path)
    with pytest.raises(ValidationError, match="指纹.*电话核对"):
        identity.enrol(builtin_db, identity.read_identity(out), confirmed_fingerprint="12345 67890")
    assert identity.units(builtin_db) == []
    got = identity.enrol(builtin_db, identity.read_identity(out),
                         confirmed_fingerprint=ident.fingerprint.replace(" ", ""))
    assert (got.unit, got.fingerprint, got.active) == ("区经济信息委", ident.fingerprint, True)


def test_rekey_revokes_the_old_key_and_revoke_is_logged(builtin_db, tmp_path):
    out, ident = unit_identity(tmp_path)
    identity.enrol(builtin_db, ident, confirmed_fingerprint=ident.fingerprint)
    out2, ident2 = unit_identity(tmp_path, file="unit-new-pc.db")
    with pytest.raises(identity.IdentityRefused, match="--rekey"):
        identity.enrol(builtin_db, ident2, confirmed_fingerprint=ident2.fingerprint)
    identity.enrol(builtin_db, ident2, confirmed_fingerprint=ident2.fingerprint, rekey=True)
    roster = identity.units(builtin_db)
    assert [(u.fingerprint, u.active) for u in roster] == [(ident2.fingerprint, True), (ident.fingerprint, False)]
    assert roster[1].revoke_reason == "更换密钥"
    identity.revoke(builtin_db, "区经济信息委", reason="电脑丢失")
    assert identity.active_key(builtin_db, "区经济信息委") is None
    with pytest.raises(NotFoundError):
        identity.revoke(builtin_db, "区经济信息委", reason="再次")
    actions = [r["action"] for r in builtin_db.query("SELECT action FROM audit_log WHERE entity = 'unit_key'")]
    assert actions == ["unit.enrol", "unit.rekey", "unit.revoke"]
    # the same key cannot be enrolled again, even after it was revoked
    with pytest.raises(identity.IdentityRefused, match="已登记"):
        identity.enrol(builtin_db, ident2, confirmed_fingerprint=ident2.fingerprint)


def test_roster_rows_are_never_deleted_or_rewritten(builtin_db, tmp_path):
    _, ident = unit_identity(tmp_path)
    identity.enrol(builtin_db, ident, confirmed_fingerprint=ident.fingerprint)
    with pytest.raises(sqlite3.IntegrityError):
        with builtin_db.transaction("unit_key"):
            builtin_db.conn.execute("DELETE FROM unit_key")
    with pytest.raises(sqlite3.IntegrityError):
        with builtin_db.transaction("unit_key"):
            builtin_db.conn.execute("UPDATE unit_key SET public_key = ?", ("A" * 44,))
    assert len(identity.units(builtin_db)) == 1


@pytest.mark.parametrize("content, words", [
    (b"not json", "不是 PolicyTrack 身份文件"),
    (b'{"format": "policytrack-exchange"}', "不是 PolicyTrack 身份文件"),
    (b'{"format": "policytrack-identity", "version": 1, "unit": "x", "public_key": "abc"}', "公钥无效"),
    (b'{"format": "policytrack-identity", "version": 9}', "版本"),
])
def test_cli_enrol_refuses_a_bad_identity_file_in_one_line(capsys, tmp_path, content, words):
    db_path = tmp_path / "office.db"
    assert run_in_process(capsys, "summary", "--db", db_path)[0] == 0
    before = sha(db_path)
    bad = tmp_path / "bad.ptid"
    bad.write_bytes(content)
    code, _, err = run_in_process(capsys, "units", "enrol", bad, "--fingerprint", "1", "--db", db_path)
    assert_one_line_refusal(code, err, words, str(bad))
    assert sha(db_path) == before


def test_cli_enrol_without_the_fingerprint_shows_it_and_changes_nothing(capsys, tmp_path):
    out, ident = unit_identity(tmp_path)
    db_path = tmp_path / "office.db"
    assert run_in_process(capsys, "summary", "--db", db_path)[0] == 0
    before = sha(db_path)
    code, _, err = run_in_process(capsys, "units", "enrol", out, "--db", db_path)
    assert_one_line_refusal(code, err, "未登记", ident.fingerprint)
    assert sha(db_path) == before
    code, printed, err = run_in_process(capsys, "units", "enrol", out, "--fingerprint", ident.fingerprint,
                                        "--db", db_path)
    assert code == 0 and "已登记「区经济信息委」" in printed, err
    code, printed, _ = run_in_process(capsys, "units", "list", "--json", "--db", db_path)
    assert json.loads(printed) == [{"unit": "区经济信息委", "fingerprint": ident.fingerprint, "enrolled_by":
                                    json.loads(printed)[0]["enrolled_by"], "enrolled_at":
                                    json.loads(printed)[0]["enrolled_at"], "status": "active", "role": "unit"}]


def test_identity_export_refuses_to_overwrite_a_database(capsys, tmp_path):
    db_path = tmp_path / "office.db"
    assert run_in_process(capsys, "summary", "--db", db_path)[0] == 0
    other = tmp_path / "x.ptid"
    shutil.copy(db_path, other)
    before = sha(other)
    code, _, err = run_in_process(capsys, "identity", "export", other, "--db", db_path)
    assert_one_line_refusal(code, err, "不会覆盖")
    assert sha(other) == before
