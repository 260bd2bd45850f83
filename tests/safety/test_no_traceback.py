"""No traceback from any command: ordinary mistakes and OS errors give one Chinese line naming the file, exit 2,
and leave the database byte-identical. Also the writer's lock for CLI writes, and disk full reported as such."""
from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
import zipfile

import openpyxl
import pytest

from db import open_database, spreadsheet
from tests.safety.cli_case import assert_one_line_refusal, refused, run_in_process, run_process, sha
from tests.exchange_util import rewrite


def test_missing_folder_and_special_input_files(capsys, db_path, tmp_path):
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    ptx_fifo = tmp_path / "管道.ptx"
    os.mkfifo(ptx_fifo)
    dangling = tmp_path / "链接.xlsx"
    os.symlink(tmp_path / "nowhere.xlsx", dangling)
    loop = tmp_path / "loop.xlsx"
    os.symlink(loop, loop)
    cases = [
        (("import-xlsx", tmp_path / "没有这个文件.xlsx"), ("没有这个文件.xlsx", "文件不存在")),
        (("import-xlsx", tmp_path), ("文件夹",)),
        (("import-xlsx", fifo), ("管道.xlsx", "不是普通文件")),  # would block forever if opened
        (("import-xlsx", "/dev/zero"), ("zero", "不是普通文件")),
        (("import-xlsx", dangling), ("链接.xlsx", "不存在")),
        (("import-xlsx", loop), ("loop.xlsx", "链接循环")),
        (("import-xlsx", tmp_path / ("很" * 300 + ".xlsx")), ("文件名太长",)),
        (("exchange", "import", tmp_path / "没有.ptx"), ("没有.ptx", "文件不存在")),
        (("exchange", "import", tmp_path), ("文件夹",)),
        (("exchange", "import", ptx_fifo), ("管道.ptx", "不是普通文件")),
    ]
    for args, words in cases:
        refused(capsys, db_path, *args, "--db", db_path, words=words)


def test_process_level_no_traceback_for_a_mistyped_name(db_path, tmp_path):
    before = sha(db_path)
    r = run_process("import-xlsx", tmp_path / "调度表（错字）.xlsx", "--db", db_path)
    assert_one_line_refusal(r.returncode, r.stderr, "调度表（错字）.xlsx", "文件不存在")
    assert sha(db_path) == before


def test_stray_far_cell_refused_before_reading_fast(capsys, db_path, tmp_path):
    path = tmp_path / "远处有一个单元格.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "调度表"
    ws["A1"] = "2023年重点项目推进情况（截至6月30日）"
    ws["XFD1048576"] = "x"
    wb.save(path)
    assert path.stat().st_size < 10_000
    started = time.monotonic()
    line = refused(capsys, db_path, "import-xlsx", path, "--db", db_path,
                   words=("调度表", "1048576", "100,000", "200"))
    assert time.monotonic() - started < 10 and "远处有一个单元格.xlsx" in line
    # the GUI reads through the same function
    with pytest.raises(spreadsheet.SpreadsheetRefused):
        spreadsheet.read(path)


def test_width_limit_is_200_columns(tmp_path):
    ok, wide = tmp_path / "ok.xlsx", tmp_path / "wide.xlsx"
    for path, ref in ((ok, "GR2"), (wide, "GS2")):  # GR = column 200
        wb = openpyxl.Workbook()
        wb.active["A1"] = "项目"
        wb.active[ref] = 1
        wb.save(path)
    assert spreadsheet.read(ok).sheets[0].width == 200
    with pytest.raises(spreadsheet.SpreadsheetRefused, match="第 2 行、第 201 列"):
        spreadsheet.read(wide)


def test_used_range_counts_rows_without_reference(tmp_path):
    path = tmp_path / "norefs.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        rows = "".join("<row><c t=\"n\"><v>1</v></c></row>" for _ in range(spreadsheet.MAX_ROWS + 1))
        with zf.open("xl/worksheets/sheet1.xml") as f:
            xml = f.read().decode()
    head, _, rest = xml.partition("<sheetData>")
    _, _, tail = rest.partition("</sheetData>")
    out = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (head + "<sheetData>" + rows + "</sheetData>" + tail).encode()
            dst.writestr(info, data)
    with zipfile.ZipFile(out) as zf:
        assert spreadsheet.used_range(zf, "xl/worksheets/sheet1.xml")[0] == spreadsheet.MAX_ROWS + 1
    with pytest.raises(spreadsheet.SpreadsheetRefused, match="100,000"):
        spreadsheet.check_size(out)


def test_csv_unclosed_quote_over_128_kb(capsys, db_path, tmp_path):
    path = tmp_path / "引号.csv"
    path.write_text("项目,累计完成投资\n\"某项目," + "x" * 200_000 + "\n", encoding="utf-8")
    refused(capsys, db_path, "import-xlsx", path, "--db", db_path, words=("引号.csv", "未闭合的引号"))


def test_very_long_digit_strings_quoted_short(capsys, db_path):
    digits = "9" * 5000
    line = refused(capsys, db_path, "record", "--project", "1", "--as-of", "2023-07-31", "--completed-yi", digits,
                   "--db", db_path, words=("累计完成投资", "共 5000 个字符"))
    assert len(line) < 300


def test_control_characters_escaped_and_quote_clipped():
    from db.errors import ValidationError
    from desktop.cli import refusal_line

    exc = ValidationError("项目名称", "\x1b[2J\x1b[31m红色" + "长" * 500, "不对")
    text = refusal_line(exc)
    assert "\x1b" not in text and "\\x1b[2J" in text and "共 511 个字符" in text and len(text) < 200
    assert "\n" not in refusal_line("第一行\n第二行")


def test_unexpected_error_is_one_line_and_logged(capsys, db_path, monkeypatch):
    from desktop.commands import summary

    def boom(args):
        raise KeyError("bug")
    monkeypatch.setattr(summary, "run", boom)  # bound when the parser is built, i.e. inside cli.run
    code, _, err = run_in_process(capsys, "summary", "--db", db_path)
    assert_one_line_refusal(code, err, "程序内部错误", "KeyError", "日志")


def test_new_database_in_read_only_folder(capsys, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    with _mounted(ro, "ro") as ok:
        if not ok:
            pytest.skip("cannot mount a read-only tmpfs here (needs root)")
        code, _, err = run_in_process(capsys, "summary", "--db", ro / "new.db")
        assert_one_line_refusal(code, err, "new.db", "只读")
        assert list(ro.iterdir()) == []


@contextlib.contextmanager
def _mounted(where, options):
    """A small (4 MB) tmpfs at ``where`` (root only); yields False when mounting is not possible."""
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size=4m,{options}", "tmpfs", str(where)],
                       capture_output=True)
    if r.returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_disk_full_reported_as_disk_full_and_works_again_when_freed(capsys, tmp_path):
    """A real full disk: a 4 MB tmpfs filled with a file (needs root; skipped elsewhere)."""
    where = tmp_path / "small"
    where.mkdir()
    with _mounted(where, "rw") as ok:
        if not ok:
            pytest.skip("cannot mount a tmpfs here (needs root)")
        db_path = where / "pt.db"
        assert run_in_process(capsys, "summary", "--db", db_path)[0] == 0
        summary_before = run_in_process(capsys, "summary", "--json", "--db", db_path)[1]
        # a 调度表 moving one project's 形象进度 on, kept off the small disk: importing it needs a backup first
        sheet = tmp_path / "调度表.xlsx"
        assert run_in_process(capsys, "export-xlsx", sheet, "--as-of", "2023-06-30", "--db", db_path)[0] == 0
        wb = openpyxl.load_workbook(sheet)
        ws = wb.active
        row = next(r for r in ws.iter_rows(min_row=5) if r[8].value == "前期")
        row[8].value = "开工"
        wb.save(sheet)
        filler = where / "filler"
        with open(filler, "wb", buffering=0) as f:
            for chunk in (65536, 4096, 512, 1):      # to the last byte: no room left for any write
                with contextlib.suppress(OSError):
                    while True:
                        f.write(b"\0" * chunk)
        for args in (("summary",), ("record", "--project", "1", "--as-of", "2023-07-31", "--completed-yi", "1"),
                     ("backup", where / "b.db"), ("export-xlsx", where / "o.xlsx"),
                     ("import-xlsx", sheet)):   # disk full during the backup made before an import
            line = refused(capsys, db_path, *args, "--db", db_path, words=("磁盘空间不足",))
            assert "损坏" not in line.replace("没有损坏", "") and "恢复：" not in line
        filler.unlink()
        code, out, err = run_in_process(capsys, "summary", "--json", "--db", db_path)
        assert code == 0 and out == summary_before, err


def test_cli_write_waits_for_the_gui_lock_then_refuses_naming_the_holder(capsys, db_path):
    holder = open_database(db_path, lock=True)
    try:
        started = time.monotonic()
        line = refused(capsys, db_path, "record", "--project", "1", "--as-of", "2023-07-31", "--completed-yi",
                       "1", "--wait", "1", "--db", db_path, words=(holder.user, "电脑", "起", "--wait"))
        assert 0.9 < time.monotonic() - started < 10
        assert "等待 1 秒" in line
    finally:
        holder.close()


def test_cli_write_proceeds_when_the_holder_closes_within_the_wait(capsys, db_path):
    holder = open_database(db_path, lock=True)
    threading.Timer(1.0, holder.lock.release).start()  # the GUI closes a second later
    try:
        code, out, err = run_in_process(capsys, "record", "--project", "1", "--as-of", "2023-07-31",
                                        "--completed-yi", "1", "--accept-warning", "测试", "--wait", "20",
                                        "--db", db_path)
    finally:
        holder.conn.close()
    assert code == 0 and "已记录" in out, err


def test_exchange_file_repeating_a_row_id_refused(capsys, db_path, tmp_path):
    import shutil

    unit = tmp_path / "unit.db"
    shutil.copyfile(db_path, unit)
    # a second site: the unit's copy must not share the office's identity for this test
    code, _, err = run_in_process(capsys, "record", "--project", "1", "--as-of", "2023-07-31", "--completed-yi",
                                  "1", "--accept-warning", "测试", "--db", unit)
    assert code == 0, err
    ptx = tmp_path / "unit.ptx"
    assert run_in_process(capsys, "exchange", "export", ptx, "--unit", "全部", "--db", unit)[0] == 0
    rewrite(ptx, lambda d: d["payload"]["updates"].append(dict(d["payload"]["updates"][0], value=999)), unit)
    refused(capsys, db_path, "exchange", "import", ptx, "--db", db_path, words=("unit.ptx", "行标识重复"))


def test_unreadable_input_file_refused_before_reading(capsys, db_path, tmp_path, monkeypatch):
    """Permission denied (simulated: these tests run as root, who may read anything): os.access says no."""
    path = tmp_path / "别人的.xlsx"
    path.write_bytes(b"PK\x03\x04")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p) == str(path) else real_access(p, mode))
    refused(capsys, db_path, "import-xlsx", path, "--db", db_path, words=("别人的.xlsx", "没有读取这个文件的权限"))
    refused(capsys, db_path, "exchange", "import", path, "--db", db_path, words=("别人的.xlsx", "权限"))
