"""文件 → 单位名册: this database's fingerprint, enrolling a unit's 身份文件 with the fingerprint read out, revoking."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from db import identity, open_database
from db.errors import ValidationError
from desktop.roster_dialog import COL_FP, COL_ROLE, COL_STATUS, COL_UNIT, REVOKED_INK, UnitRosterDialog


@pytest.fixture
def unit_file(tmp_path):
    db = open_database(tmp_path / "unit.db")
    try:
        identity.set_name(db, "区住房城乡建委")
        out = tmp_path / "unit.ptid"
        ident = identity.write_identity(db, out)
    finally:
        db.close()
    return out, ident


def test_roster_dialog_enrols_with_the_fingerprint_and_revokes(app, builtin_db, qtbot, unit_file):
    out, ident = unit_file
    d = UnitRosterDialog(builtin_db)
    qtbot.addWidget(d)
    me = identity.ensure_key(builtin_db)
    assert "渝北区发展和改革委员会" in d.me_label.text() and me.fingerprint in d.me_label.text()
    assert d.table.rowCount() == 0
    with pytest.raises(ValidationError):
        d.enrol(identity.read_identity(out), "00000")
    assert d.table.rowCount() == 0
    d.enrol(identity.read_identity(out), ident.fingerprint.replace(" ", ""))
    assert d.table.item(0, COL_UNIT).text() == "区住房城乡建委"
    assert d.table.item(0, COL_FP).text() == ident.fingerprint
    assert d.table.item(0, COL_STATUS).text() == "有效" and d.table.item(0, COL_ROLE).text() == "责任单位"
    d.table.selectRow(0)
    assert d.revoke_button.isEnabled()
    d.revoke("区住房城乡建委", "人员调整")
    assert d.table.item(0, COL_STATUS).text() == "已注销（人员调整）"
    assert d.table.item(0, COL_UNIT).foreground().color() == QColor(REVOKED_INK)
    d.table.selectRow(0)
    assert not d.revoke_button.isEnabled()


def test_roster_dialog_exports_this_databases_identity(app, builtin_db, qtbot, tmp_path):
    d = UnitRosterDialog(builtin_db)
    qtbot.addWidget(d)
    ident = d.export_to(str(tmp_path / "office.ptid"), "渝北区发展和改革委员会")
    assert identity.read_identity(tmp_path / "office.ptid") == ident
    assert ident.fingerprint in d.me_label.text()


def test_file_menu_opens_the_roster(window, qtbot, monkeypatch):
    opened = []
    monkeypatch.setattr(UnitRosterDialog, "exec", lambda self: opened.append(self) or 0)
    assert window.roster_action.text() == "单位名册…"
    window.roster_action.trigger()
    assert len(opened) == 1
