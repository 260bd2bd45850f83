"""Outputs never destroy data: report, export-xlsx, exchange export and backup share one guard (db/outputs.py)."""
from __future__ import annotations

import os
import shutil

import pytest

from db import outputs
from tests.safety.cli_case import refused, run_in_process, run_process, sha

COMMANDS = {  # command prefix, own suffix
    "report": (("report",), ".pdf"),
    "export-xlsx": (("export-xlsx",), ".xlsx"),
    "exchange": (("exchange", "export"), ".ptx"),
    "backup": (("backup",), ".db"),
}


def extra(name: str) -> tuple[str, ...]:
    return ("--unit", "全部") if name == "exchange" else ()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_open_database_is_never_an_output_even_with_force(capsys, db_path, name):
    prefix, suffix = COMMANDS[name]
    # Under its own name (.db: wrong suffix for three of them, the database itself for backup) ...
    refused(capsys, db_path, *prefix, db_path, "--db", db_path, "--force", *extra(name), words=("不能写入",))
    # ... and under a name with the output's suffix (a link to it, or a copy renamed).
    link = db_path.with_name("link" + suffix)
    os.symlink(db_path, link)
    refused(capsys, db_path, *prefix, link, "--db", db_path, "--force", *extra(name),
            words=("数据库", "不会覆盖"))
    copy = db_path.with_name("copy" + suffix)
    shutil.copyfile(db_path, copy)
    before = sha(copy)
    refused(capsys, db_path, *prefix, copy, "--db", db_path, "--force", *extra(name),
            words=("PolicyTrack 数据库", "不会覆盖"))
    assert sha(copy) == before


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_file_of_another_kind_is_never_replaced(capsys, db_path, name):
    prefix, suffix = COMMANDS[name]
    other = db_path.with_name("别人的文件" + suffix)
    other.write_bytes(b"%PDF-1.4 someone's PDF" if suffix != ".pdf" else b"PK\x03\x04 a zip, not a PDF")
    before = sha(other)
    refused(capsys, db_path, *prefix, other, "--db", db_path, "--force", *extra(name), words=("不会覆盖",))
    assert sha(other) == before


@pytest.mark.parametrize("name", list(COMMANDS))
def test_folder_and_wrong_suffix_refused(capsys, db_path, tmp_path, name):
    prefix, suffix = COMMANDS[name]
    folder = tmp_path / ("folder" + suffix)
    folder.mkdir()
    refused(capsys, db_path, *prefix, folder, "--db", db_path, *extra(name), words=("文件夹",))
    refused(capsys, db_path, *prefix, tmp_path / "out.txt", "--db", db_path, *extra(name), words=(suffix,))
    refused(capsys, db_path, *prefix, tmp_path / "nope" / ("x" + suffix), "--db", db_path, *extra(name),
            words=("文件夹不存在",))
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("pt")) == [folder.name]


@pytest.mark.parametrize("name", ["export-xlsx", "exchange", "backup"])
def test_same_kind_replaced_only_with_force(capsys, db_path, tmp_path, name):
    prefix, suffix = COMMANDS[name]
    out = tmp_path / ("out" + suffix)
    code, _, err = run_in_process(capsys, *prefix, out, "--db", db_path, *extra(name))
    assert code == 0, err
    first = sha(out)
    line = refused(capsys, db_path, *prefix, out, "--db", db_path, *extra(name), words=("--force",))
    assert "已存在" in line and sha(out) == first
    code, _, err = run_in_process(capsys, *prefix, out, "--db", db_path, "--force", *extra(name))
    assert code == 0, err
    assert outputs.sniff_kind(out) == {"export-xlsx": "xlsx", "exchange": "exchange",
                                       "backup": "policytrack-backup"}[name]
    assert [p.name for p in tmp_path.iterdir() if "part" in p.name] == []


def test_report_onto_database_process_exit_2_and_pdf_replaced_atomically(db_path, tmp_path):
    """The issue's case end to end: `report x.db --db x.db` used to replace the database with a PDF."""
    before = sha(db_path)
    r = run_process("report", db_path, "--db", db_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert sha(db_path) == before
    pdf = tmp_path / "简报.pdf"
    disguised = tmp_path / "x.pdf"
    shutil.copyfile(db_path, disguised)
    r = run_process("report", disguised, "--db", db_path, "--force")
    assert r.returncode == 2 and "PolicyTrack 数据库" in r.stderr and sha(disguised) == before
    assert run_process("report", pdf, "--db", db_path).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_failed_write_leaves_the_old_output_and_no_temporary(capsys, db_path, tmp_path, monkeypatch):
    out = tmp_path / "old.xlsx"
    assert run_in_process(capsys, "export-xlsx", out, "--db", db_path)[0] == 0
    before = sha(out)
    from db import xlsx_export

    def full(db, path, **kw):
        with open(path, "wb") as f:
            f.write(b"PK\x03\x04half")
        raise OSError(28, "No space left on device", str(path))
    monkeypatch.setattr(xlsx_export, "export", full)
    refused(capsys, db_path, "export-xlsx", out, "--db", db_path, "--force", words=("磁盘空间不足",))
    assert sha(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("pt")) == ["old.xlsx"]
