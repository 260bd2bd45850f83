"""The monthly collection cycle: 下发 a 填报表 per 责任单位, file what comes back as a submission, 审核 it.

1. ``dispatch(db, as_of, out_dir, units)`` writes one .xlsx 填报表 per 责任单位 for the 报告期: identity columns
   locked (sheet protection without a password), input cells unlocked, a drop-down of the stages, last month's
   figures shown, and a hidden metadata sheet (unit, period, database identity, token, row ids, checksum). Each
   file is recorded in ``dispatch``.
2. ``is_fill_form(path)`` recognises a returned 填报表; ``read_form(db, path)`` checks its metadata against the
   dispatch record (a tampered sheet or checksum, another database, another unit or period: FormRefused) and runs
   the same checks as typing the figures (db.recording); ``submit(db, form)`` files it as a submission (a pending
   one of the same unit and period is replaced, kept in history). Nothing enters the figures yet.
3. ``pass_submission`` / ``return_submission``: the review. The number of levels (0, 1 or 2; default 1) is a
   setting, fixed per submission when it arrives. Only the final 通过 writes the figures, through
   recording.save_month, in the same transaction as the event, logged with the reviewer's name. Level 0 passes a
   submission as it is filed (today's behaviour: what a unit sends counts at once).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from db import audit, identity, ledger, plan, projects, recording, settings, targets, updates
from db.connection import Database
from db.errors import PolicyTrackError, ValidationError
from db.reporting import UNKNOWN_UNIT, deadline_day, deadline_for
from db.validate import month_end, parse_date, parse_text

MARKER = "PolicyTrack 填报表 v1"
FORM_SHEET = "填报表"
META_SHEET = "填报表信息"
FIRST_ROW = 5  # the first project row of the form
LEVELS_KEY = "review_levels"
DEFAULT_LEVELS = 1

# (key, header, width, input?)
COLUMNS = [
    ("seq", "序号", 6, False),
    ("code", "项目代码", 20, False),
    ("name", "项目名称", 34, False),
    ("total", "总投资（万元）", 13, False),
    ("plan", "年度计划（万元）", 13, False),
    ("prev", "上月累计完成（万元）", 14, False),
    ("prev_stage", "上月形象进度", 12, False),
    ("completed", "累计完成投资（万元）", 14, True),
    ("month", "本月完成（万元）", 12, True),
    ("stage", "形象进度", 12, True),
    ("note", "本月进展", 36, True),
    ("issue", "存在问题", 30, True),
]
COL = {key: i + 1 for i, (key, *_rest) in enumerate(COLUMNS)}

PENDING_1, PENDING_2, RETURNED, PASSED, REPLACED = "待初审", "待终审", "已退回", "已通过", "已替换"


class FormRefused(PolicyTrackError):
    """A returned 填报表 that cannot be filed: nothing was stored."""


class ReviewRefused(PolicyTrackError):
    """A review step that cannot be taken: nothing was changed."""


# -- settings ---------------------------------------------------------------------------------------

def review_levels(db: Database) -> int:
    raw = settings.get(db, LEVELS_KEY)
    return int(raw) if raw in ("0", "1", "2") else DEFAULT_LEVELS


def set_review_levels(db: Database, levels: object) -> int:
    text = str(levels).strip()
    if text not in ("0", "1", "2"):
        raise ValidationError("审核级数", levels, "只能是 0（不审核）、1（初审）或 2（初审和终审）")
    names = {"0": "不审核，报送即入库", "1": "一级审核", "2": "两级审核（初审、终审）"}
    settings.put(db, LEVELS_KEY, text, f"审核级数：{names[text]}")
    return int(text)


# -- 下发 -------------------------------------------------------------------------------------------

def unit_name(project: dict[str, Any]) -> str:
    return (project.get("responsible_unit") or "").strip() or UNKNOWN_UNIT


def units(db: Database, year: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """The plan year's active projects per 责任单位, in the order of each unit's first project."""
    py = plan.current_plan_year(db, year)
    out: dict[str, list[dict[str, Any]]] = {}
    for p in projects.list_for(db, py["id"]):
        out.setdefault(unit_name(p), []).append(p)
    return out


def _checksum(meta: dict[str, Any]) -> str:
    canonical = json.dumps([MARKER, meta["unit"], meta["period"], meta["site_id"], meta["token"],
                            meta["row_ids"]], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_name_for(unit: str, period: dt.date) -> str:
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", unit).strip(" .") or "责任单位"
    return f"{period.year}年{period.month}月填报表-{safe[:60]}.xlsx"


def period_of(db: Database, as_of: object) -> tuple[dict[str, Any], dt.date]:
    d = parse_date(as_of, "截至日期")
    py = plan.for_date(db, d)          # the date names its plan year
    return py, month_end(d.year, d.month)


@dataclass
class DispatchedFile:
    unit: str
    path: Path
    projects: int
    deadline: dt.date


def dispatch(db: Database, as_of: object, out_dir: str | os.PathLike, chosen: Sequence[str] = (), *,
             force: bool = False) -> list[DispatchedFile]:
    """Write one 填报表 per chosen 责任单位 (all when none chosen) into ``out_dir`` and record each file."""
    py, period = period_of(db, as_of)
    by_unit = units(db, py["year"])
    wanted = [u.strip() for u in chosen if u.strip()]
    unknown = [u for u in wanted if u not in by_unit]
    if unknown:
        raise ValidationError("责任单位", unknown[0], f"没有项目（可选：{'、'.join(by_unit) or '无'}）")
    names = wanted or list(by_unit)
    if not names:
        raise ValidationError("责任单位", "", "计划年度中没有项目，无法下发填报表")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValidationError("输出文件夹", str(out), "不是文件夹")
    targets_for = [(u, out / file_name_for(u, period)) for u in names]
    if not force:
        existing = [p for _u, p in targets_for if p.exists()]
        if existing:
            raise ValidationError("输出文件", str(existing[0]), "已存在（加 --force 替换）")
    out.mkdir(parents=True, exist_ok=True)
    deadline = deadline_for(period, deadline_day(db))
    site = ledger.site_id(db)
    written: list[DispatchedFile] = []
    prev_end = dt.date(period.year, period.month, 1) - dt.timedelta(days=1)
    since = dt.date(period.year, 1, 1)
    prev_completed = updates.as_of(db, "project", "completed", prev_end, since=since) if period.month > 1 else {}
    prev_stage = updates.as_of(db, "project", "stage", prev_end)
    annual = targets.as_of(db, "project", "annual_plan", period)
    stages = plan.stages(db)
    seal = identity.sealer(db)
    for unit, path in targets_for:
        rows = by_unit[unit]
        token = secrets.token_hex(16)
        meta = {"unit": unit, "period": period.isoformat(), "site_id": site, "token": token,
                "row_ids": [p["id"] for p in rows]}
        meta["checksum"] = _checksum(meta)
        # The record and the file together: a file that could not be written leaves no record behind.
        with db.transaction("dispatch"):
            cur = db.conn.execute(
                "INSERT INTO dispatch (token, plan_year_id, unit, period, project_ids, checksum, file_name,"
                " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (token, py["id"], unit, period.isoformat(), json.dumps(meta["row_ids"]), meta["checksum"],
                 path.name, db.now(), db.user))
            audit.log(db, action="dispatch.write", entity="dispatch", entity_id=int(cur.lastrowid),
                      summary=f"下发填报表：{unit}，{period.year}年{period.month}月，{len(rows)} 个项目",
                      after={"file": path.name, "unit": unit, "period": period.isoformat(), "projects": len(rows)})
            _write_form(path, py, meta, rows, deadline=deadline, stages=stages,
                        prev_completed=prev_completed, prev_stage=prev_stage, annual=annual,
                        seal_row=lambda pid, cells, unit=unit: _row_seal(seal, unit, period.isoformat(), pid, cells))
        written.append(DispatchedFile(unit, path, len(rows), deadline))
    return written


def _write_form(path: Path, py: dict[str, Any], meta: dict[str, Any], rows: list[dict[str, Any]], *,
                deadline: dt.date, stages: list[str], prev_completed: dict, prev_stage: dict, annual: dict,
                seal_row: Any = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    seals: list[str] = []   # one per row: the HMAC seal on its locked cells (_row_seal)

    from db.xlsx_export import safe_text

    period = dt.date.fromisoformat(meta["period"])
    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    last = len(COLUMNS)
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.cell(1, 1, f"{py['district']}重点项目{period.year}年{period.month}月调度填报表").font = Font(size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws.cell(2, 1, f"责任单位：{meta['unit']}　　报告期：{period.year}年{period.month}月"
                  f"（截至{period.year}年{period.month}月{period.day}日）　　"
                  f"报送截止：{deadline.year}年{deadline.month}月{deadline.day}日")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=last)
    ws.cell(3, 1, "填写说明：只填写浅黄色单元格；累计完成投资与本月完成填一项即可（单位：万元）；"
                  "形象进度从下拉列表中选择；请勿改动其他单元格和表格结构。")
    ws.cell(3, 1).font = Font(color="C00000")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    for i, (_key, header, width, _inp) in enumerate(COLUMNS, 1):
        c = ws.cell(4, i, header)
        c.font = Font(bold=True)
        c.fill = head_fill
        c.border = box
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[4].height = 32
    for n, p in enumerate(rows, 1):
        r = FIRST_ROW + n - 1
        prev = prev_completed.get(p["id"])
        stage = prev_stage.get(p["id"])
        plan_row = annual.get(p["id"])
        values = {"seq": n, "code": safe_text(p.get("code") or ""), "name": safe_text(p["name"]),
                  "total": p.get("total_investment_wan"), "plan": plan_row["value"] if plan_row else None,
                  "prev": prev["value"] if prev else None, "prev_stage": stage["text_value"] if stage else ""}
        if seal_row is not None:
            seals.append(seal_row(p["id"], [values[k] for k in LOCKED_KEYS]))
        for key, _header, _width, inp in COLUMNS:
            c = ws.cell(r, COL[key], None if inp else values[key])
            c.border = box
            if inp:
                c.fill = input_fill
                c.protection = Protection(locked=False)
                if key in ("note", "issue"):
                    c.alignment = Alignment(wrap_text=True, vertical="top")
            if key in ("total", "plan", "prev", "completed", "month"):
                c.number_format = "#,##0"
    end = FIRST_ROW + len(rows) - 1
    if rows:
        money = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                               showErrorMessage=True, errorTitle="请输入整数", error="请输入不小于 0 的整数（万元）")
        for key in ("completed", "month"):
            letter = get_column_letter(COL[key])
            money.add(f"{letter}{FIRST_ROW}:{letter}{end}")
        ws.add_data_validation(money)
        stage_list = ",".join(s.replace(",", "，").replace('"', "“") for s in stages)
        if stages and len(stage_list) <= 250:
            formula = f'"{stage_list}"'
        else:  # too long for an inline list: point at the metadata sheet's copy
            formula = f"'{META_SHEET}'!$D$1:$D${max(len(stages), 1)}"
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                            errorTitle="形象进度", error="请从下拉列表中选择形象进度")
        letter = get_column_letter(COL["stage"])
        dv.add(f"{letter}{FIRST_ROW}:{letter}{end}")
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(FIRST_ROW, COL["completed"])
    ws.print_title_rows = "4:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True           # no password: filling needs none, changing identity cells is blocked
    ws.protection.formatColumns = False  # widening a column is allowed
    ws.protection.formatRows = False

    meta_ws = wb.create_sheet(META_SHEET)
    items = [("marker", MARKER), ("unit", meta["unit"]), ("period", meta["period"]), ("site_id", meta["site_id"]),
             ("token", meta["token"]), ("row_ids", ",".join(str(i) for i in meta["row_ids"])),
             ("checksum", meta["checksum"]), ("seals", ",".join(seals))]
    for i, (k, v) in enumerate(items, 1):
        meta_ws.cell(i, 1, k)
        meta_ws.cell(i, 2, v)
    for i, s in enumerate(stages, 1):
        meta_ws.cell(i, 4, s)
    meta_ws.sheet_state = "hidden"
    meta_ws.protection.sheet = True
    wb.active = 0
    tmp = path.with_name(path.name + ".tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# -- 报送 -------------------------------------------------------------------------------------------

def is_fill_form(path: str | os.PathLike) -> bool:
    """True when ``path`` is a 填报表 this program wrote (its metadata sheet carries the marker)."""
    from db.spreadsheet import MAX_FILE_BYTES, ZIP_MAGIC, input_problem

    if not str(path).lower().endswith((".xlsx", ".xlsm")):
        return False
    # A pipe, a device, a missing or huge file is never opened here: the 调度表 reader refuses it with its reason.
    try:
        if input_problem(path) is not None or os.stat(path).st_size > MAX_FILE_BYTES:
            return False
        with open(path, "rb") as f:
            if not f.read(len(ZIP_MAGIC)).startswith(ZIP_MAGIC):
                return False
    except OSError:
        return False
    if not _has_sheet(path, META_SHEET):   # the sheet names alone, without loading every sheet
        return False
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # not a readable workbook: the 调度表 reader says why
        return False
    try:
        if META_SHEET not in wb.sheetnames:
            return False
        return wb[META_SHEET].cell(1, 2).value == MARKER
    finally:
        wb.close()


def _has_sheet(path: str | os.PathLike, name: str) -> bool:
    """Whether the workbook's index (xl/workbook.xml, parsed with defusedxml) names a sheet ``name``; True when
    the index cannot be read, so the full check decides."""
    import zipfile

    from defusedxml import ElementTree as SafeET

    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > 16 << 20:
                return True
            book = SafeET.fromstring(zf.read(info), forbid_dtd=True)
    except Exception:
        return True
    return any((el.tag == "sheet" or el.tag.endswith("}sheet")) and el.get("name") == name for el in book.iter())


@dataclass
class FormRow:
    project_id: int
    name: str
    entry: dict[str, Any]           # what the unit filled in (completed_wan, month_wan, stage, note, issue)
    previous: int | None = None
    completed: int | None = None
    month: int | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Form:
    path: Path
    sha256: str
    dispatch: dict[str, Any]
    unit: str
    period: dt.date
    rows: list[FormRow]
    skipped: int                    # rows left blank

    @property
    def warnings(self) -> list[str]:
        return [f"{r.name}：{w}" for r in self.rows for w in r.warnings]


def _cell_int(value: Any, where: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FormRefused(f"{where}：不是数字")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise FormRefused(f"{where}：不能为负数（输入：{value}）")
        return value
    text = str(value).strip().replace(",", "")
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text))
    raise FormRefused(f"{where}：应为不小于 0 的整数万元（输入：'{str(value)[:40]}'）")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


LOCKED_KEYS = [key for key, _h, _w, inp in COLUMNS if not inp]


def _locked_text(value: Any) -> str:
    """A locked cell's value as compared: numbers by value (a spreadsheet may save 1200 as 1200.0), text without
    the apostrophe that keeps a formula-like text from running."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _text(value).lstrip("'")


def _row_seal(seal: Callable[[bytes], str], unit: str, period: str, pid: int, cells: list[Any]) -> str:
    """The seal on one row's locked cells (with the unit and period), ``seal`` from db.identity.sealer: an HMAC by
    this database's key, so a file whose locked cells were changed, or a row moved from another unit's or month's
    form, does not match."""
    message = json.dumps([MARKER, unit, period, pid, [_locked_text(c) for c in cells]], ensure_ascii=False,
                         separators=(",", ":"))
    return seal(message.encode("utf-8"))[:24]


def read_form(db: Database, path: str | os.PathLike, *, as_of: object | None = None) -> Form:
    """Read a returned 填报表 and check it; FormRefused (one line naming the file) when it cannot be filed."""
    from openpyxl import load_workbook

    from db.spreadsheet import check_input

    p = Path(path)
    name = p.name
    check_input(p)
    try:
        wb = load_workbook(p, data_only=True)
    except Exception as exc:
        raise FormRefused(f"{name}：无法读取填报表（{type(exc).__name__}）") from None
    if META_SHEET not in wb.sheetnames or FORM_SHEET not in wb.sheetnames:
        raise FormRefused(f"{name}：不是本程序下发的填报表（缺少“{FORM_SHEET}”或“{META_SHEET}”工作表）")
    mws = wb[META_SHEET]
    raw = {_text(mws.cell(i, 1).value): _text(mws.cell(i, 2).value) for i in range(1, 9)}
    try:
        meta = {"unit": raw["unit"], "period": raw["period"], "site_id": raw["site_id"], "token": raw["token"],
                "row_ids": [int(x) for x in raw["row_ids"].split(",") if x.strip()]}
        checksum = raw["checksum"]
    except (KeyError, ValueError):
        raise FormRefused(f"{name}：填报表信息工作表被改动（内容不完整），未导入") from None
    if _checksum(meta) != checksum:
        raise FormRefused(f"{name}：填报表信息被改动（校验码不符），未导入；请使用下发的原始文件填写")
    record = db.query_one("SELECT * FROM dispatch WHERE token = ?", (meta["token"],))
    # The token names the dispatch; the site id is not compared, since a database moved or copied to another PC
    # gets a new one (db.ledger) and the forms it sent out before must still come back.
    if record is None:
        raise FormRefused(f"{name}：这份填报表不是由本数据库下发的，未导入")
    if (record["checksum"] != checksum or record["unit"] != meta["unit"] or record["period"] != meta["period"]
            or json.loads(record["project_ids"]) != meta["row_ids"]):
        raise FormRefused(f"{name}：填报表信息与下发记录不符（校验码不符），未导入")
    period = dt.date.fromisoformat(meta["period"])
    if as_of is not None:
        d = parse_date(as_of, "截至日期")
        if (d.year, d.month) != (period.year, period.month):
            raise FormRefused(f"{name}：这是 {period.year}年{period.month}月 的填报表，与指定的截至日期 "
                              f"{d.isoformat()} 不是同一报告期，未导入")
    ws = wb[FORM_SHEET]
    title = _text(ws.cell(2, 1).value)
    if f"责任单位：{meta['unit']}" not in title or f"报告期：{period.year}年{period.month}月" not in title:
        raise FormRefused(f"{name}：表头的责任单位或报告期与填报表信息不符，未导入")
    seals = [x for x in raw.get("seals", "").split(",") if x]
    seal = identity.sealer(db) if seals else None   # a form with seals was sealed here: the key exists
    known = {p["id"]: p for p in projects.list_for(db, record["plan_year_id"])}
    rows: list[FormRow] = []
    entries: list[recording.ProjectEntry] = []
    skipped = 0
    for i, pid in enumerate(meta["row_ids"]):
        r = FIRST_ROW + i
        where = f"{name} 第 {r} 行"
        shown = _text(ws.cell(r, COL["name"]).value).lstrip("'")
        project = known.get(pid)
        if project is None:
            raise FormRefused(f"{where}：项目 #{pid} 已不在本年度项目中，请重新下发填报表")
        if shown != project["name"]:
            raise FormRefused(f"{where}「项目名称」：与下发时不同（“{shown[:30]}”），请勿改动锁定的单元格")
        if seals:   # forms dispatched before seals were written have none: the checks above still hold
            cells = [ws.cell(r, COL[k]).value for k in LOCKED_KEYS]
            if i >= len(seals) or _row_seal(seal, meta["unit"], meta["period"], pid, cells) != seals[i]:
                raise FormRefused(f"{where}（{project['name'][:30]}）：锁定的单元格（序号、项目代码、总投资、年度计划、"
                                  f"上月数据）与下发时不同，或这一行不是本单位本月填报表中的，未导入；"
                                  f"请使用下发的原始文件填写")
        completed = _cell_int(ws.cell(r, COL["completed"]).value, f"{where}「累计完成投资」")
        month = _cell_int(ws.cell(r, COL["month"]).value, f"{where}「本月完成」")
        stage = _text(ws.cell(r, COL["stage"]).value)
        note = _text(ws.cell(r, COL["note"]).value)
        issue = _text(ws.cell(r, COL["issue"]).value)
        if completed is None and month is None and not stage and not note and not issue:
            skipped += 1
            continue
        entry = {"completed_wan": completed, "month_wan": month, "stage": stage, "note": note, "issue": issue}
        rows.append(FormRow(pid, project["name"], entry))
        entries.append(_project_entry(pid, entry))
    wb.close()
    if not rows:
        raise FormRefused(f"{name}：填报表中没有填写任何数据（浅黄色单元格都是空的），未导入")
    reports = recording.check_month(db, period, entries)
    bad = [(row, rep) for row, rep in zip(rows, reports) if rep.errors]
    if bad:
        row, rep = bad[0]
        first = rep.errors[0]
        more = f"（另有 {len(bad) - 1} 行有问题）" if len(bad) > 1 else ""
        raise FormRefused(f"{name}：{row.name}「{first.field}」{first.message}，未导入{more}")
    for row, rep in zip(rows, reports):
        row.previous, row.completed, row.month = rep.previous, rep.completed_wan, rep.month_wan
        row.warnings = [f"［{w.label}］{w.message}" for w in rep.warnings]
    return Form(p, ledger.file_sha256(p), record, meta["unit"], period, rows, skipped)


def _project_entry(pid: int, entry: dict[str, Any], accepted: dict[str, str] | None = None) -> recording.ProjectEntry:
    issues = [recording.IssueEntry(entry["issue"])] if entry.get("issue") else []
    return recording.ProjectEntry(project_id=pid, completed_wan=entry.get("completed_wan"),
                                  month_wan=entry.get("month_wan"),  # both given: recording checks they agree
                                  stage=entry.get("stage") or None, progress_note=entry.get("note") or "",
                                  issues=issues, accepted=accepted or {})


@dataclass
class Submission:
    id: int
    unit: str
    period: dt.date
    levels: int
    file_name: str
    received_at: str
    received_by: str
    rows: list[dict[str, Any]]
    warnings: list[str]
    events: list[dict[str, Any]]

    @property
    def passes(self) -> int:
        return sum(1 for e in self.events if e["action"] == "pass")

    @property
    def status(self) -> str:
        actions = [e["action"] for e in self.events]
        if "replace" in actions:
            return REPLACED
        if "return" in actions:
            return RETURNED
        if self.passes >= self.levels:
            return PASSED
        return PENDING_2 if self.passes == 1 else PENDING_1

    @property
    def pending(self) -> bool:
        return self.status in (PENDING_1, PENDING_2)

    @property
    def comment(self) -> str:
        notes = [e["note"] for e in self.events if e["note"]]
        return notes[-1] if notes else ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "unit": self.unit, "period": f"{self.period.year:04d}-{self.period.month:02d}",
                "status": self.status, "rows": len(self.rows), "warnings": self.warnings,
                "levels": self.levels, "file": self.file_name, "received_at": self.received_at,
                "comment": self.comment}


def _load(db: Database, row: dict[str, Any]) -> Submission:
    events = db.query("SELECT * FROM submission_event WHERE submission_id = ? ORDER BY id", (row["id"],))
    return Submission(row["id"], row["unit"], dt.date.fromisoformat(row["period"]), row["levels"], row["file_name"],
                      row["received_at"], row["received_by"], json.loads(row["rows"]), json.loads(row["warnings"]),
                      events)


def get(db: Database, submission_id: object) -> Submission:
    try:
        sid = int(str(submission_id).strip().lstrip("#"))
    except ValueError:
        raise ReviewRefused(f"没有编号为 {str(submission_id)[:20]} 的报送") from None
    row = db.query_one("SELECT * FROM submission WHERE id = ?", (sid,))
    if row is None:
        raise ReviewRefused(f"没有编号为 {sid} 的报送")
    return _load(db, row)


def submissions(db: Database, period: dt.date | None = None, *, include_replaced: bool = False) -> list[Submission]:
    """Submissions, newest first; of one 报告期 when given."""
    rows = db.query("SELECT * FROM submission WHERE (:p IS NULL OR period = :p) ORDER BY id DESC",
                    {"p": period.isoformat() if period else None})
    out = [_load(db, r) for r in rows]
    return out if include_replaced else [s for s in out if s.status != REPLACED]


def submit(db: Database, form: Form) -> tuple[Submission, list[int]]:
    """File a checked form as a submission (one transaction). A pending submission of the same unit and period is
    replaced (kept in history). Returns the submission and the ids it replaced. With 0 review levels it passes at
    once and its figures are written."""
    levels = review_levels(db)
    with db.transaction("submission"):
        replaced = [s.id for s in submissions(db, form.period) if s.unit == form.unit and s.pending]
        rows = [{"project_id": r.project_id, "name": r.name, **r.entry, "previous": r.previous,
                 "completed": r.completed, "month": r.month, "warnings": r.warnings} for r in form.rows]
        cur = db.conn.execute(
            "INSERT INTO submission (dispatch_id, unit, period, levels, file_name, file_sha256, rows, warnings,"
            " received_at, received_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (form.dispatch["id"], form.unit, form.period.isoformat(), levels, form.path.name, form.sha256,
             json.dumps(rows, ensure_ascii=False), json.dumps(form.warnings, ensure_ascii=False),
             db.now(), db.user))
        sid = int(cur.lastrowid)
        for old in replaced:
            _event(db, old, "replace", 0, f"被报送 #{sid} 替换")
        audit.log(db, action="submission.receive", entity="submission", entity_id=sid,
                  summary=f"收到报送：{form.unit}，{form.period.year}年{form.period.month}月，{len(rows)} 个项目"
                          + (f"（替换报送 #{'、#'.join(map(str, replaced))}）" if replaced else ""),
                  after={"file": form.path.name, "rows": len(rows), "warnings": len(form.warnings),
                         "replaced": replaced})
        sub = get(db, sid)
        if levels == 0:
            _event(db, sid, "pass", 1, "审核级数 0：报送即入库")
            _write_figures(db, sub, "报送即入库（审核级数 0）")
    return get(db, sid), replaced


def _event(db: Database, sid: int, action: str, level: int, note: str) -> None:
    db.conn.execute("INSERT INTO submission_event (submission_id, action, level, note, at, by)"
                    " VALUES (?, ?, ?, ?, ?, ?)", (sid, action, level, note, db.now(), settings.user_name(db)))


def _write_figures(db: Database, sub: Submission, note: str) -> recording.SaveResult:
    reviewer = settings.user_name(db)
    reason = f"审核通过（{reviewer}）" + (f"：{note}" if note else "")
    entries = []
    for r in sub.rows:
        entry = _project_entry(r["project_id"], r)
        codes = recording.check_month(db, sub.period, [entry])[0].warning_codes
        entry.accepted = {c: reason[:500] for c in codes}
        entries.append(entry)
    return recording.save_month(db, sub.period, entries, source_kind="import",
                                source=f"填报表 {sub.file_name}（报送 #{sub.id}，{reviewer} 审核通过）",
                                label=f"审核通过：{sub.unit} {sub.period.month}月填报表（{len(entries)} 个项目）")


def pass_submission(db: Database, submission_id: object, note: str = "") -> Submission:
    """通过 at the submission's next level; the final one writes its figures in the same transaction."""
    text = parse_text(note, "审核意见", max_length=500)
    with db.transaction("submission"):
        sub = get(db, submission_id)
        if sub.status == PASSED:
            raise ReviewRefused(f"报送 #{sub.id}（{sub.unit}）已通过审核，不能再次通过")
        if not sub.pending:
            raise ReviewRefused(f"报送 #{sub.id}（{sub.unit}）{sub.status}，不能通过")
        level = sub.passes + 1
        _event(db, sub.id, "pass", level, text)
        final = level >= sub.levels
        reviewer = settings.user_name(db)
        what = "终审" if sub.levels == 2 and level == 2 else "初审"
        audit.log(db, action="submission.pass", entity="submission", entity_id=sub.id,
                  summary=f"{what}通过：{sub.unit} {sub.period.year}年{sub.period.month}月报送 #{sub.id}"
                          f"（审核人 {reviewer}）" + ("，数据入库" if final else ""),
                  after={"level": level, "final": final, "reviewer": reviewer, "note": text})
        if final:
            try:
                _write_figures(db, sub, text)
            except recording.MonthRefused as exc:
                raise ReviewRefused(f"报送 #{sub.id} 无法入库：{exc}；请退回责任单位更正") from None
    return get(db, sub.id)


def return_submission(db: Database, submission_id: object, reason: str) -> Submission:
    """退回 with a reason: the data stay unchanged; the unit fills the same file again and re-sends it."""
    text = parse_text(reason, "退回理由", max_length=500)
    if not text:
        raise ValidationError("退回理由", reason, "不能为空")
    with db.transaction("submission"):
        sub = get(db, submission_id)
        if not sub.pending:
            raise ReviewRefused(f"报送 #{sub.id}（{sub.unit}）{sub.status}，不能退回")
        _event(db, sub.id, "return", sub.passes + 1, text)
        audit.log(db, action="submission.return", entity="submission", entity_id=sub.id,
                  summary=f"退回：{sub.unit} {sub.period.year}年{sub.period.month}月报送 #{sub.id}：{text}",
                  after={"reason": text, "reviewer": settings.user_name(db)})
    return get(db, sub.id)


def return_notice_parts(db: Database, sub: Submission) -> tuple[str, list[str]]:
    """The 退回说明's heading and paragraphs (the first one is the addressee; numbered ones are the warnings)."""
    events = [e for e in sub.events if e["action"] == "return"]
    reason = events[-1]["note"] if events else ""
    deadline = deadline_for(sub.period, deadline_day(db))
    y, m = sub.period.year, sub.period.month
    paras = [f"{sub.unit}：",
             f"你单位报送的{y}年{m}月重点项目调度填报表（{sub.file_name}）经审核，因以下原因退回，请在原文件上更正后于"
             f"{deadline.year}年{deadline.month}月{deadline.day}日前重新报送。",
             f"退回原因：{reason}"]
    warned = [f"{r['name']}：{w}" for r in sub.rows for w in r.get("warnings", [])]
    if warned:
        paras.append("请一并核实以下提醒：")
        paras += [f"{i}. {w}" for i, w in enumerate(warned, 1)]
    return f"填报表退回说明（{y}年{m}月）", paras


def return_notice(db: Database, sub: Submission, organization: str = "") -> str:
    """The 退回说明 to send back with the unit's file, as plain text."""
    heading, paras = return_notice_parts(db, sub)
    events = [e for e in sub.events if e["action"] == "return"]
    when = ""
    if events:
        d = dt.date.fromisoformat(events[-1]["at"][:10])
        when = f"{d.year}年{d.month}月{d.day}日"
    body = [paras[0]] + [p if p[:1].isdigit() else "\u3000\u3000" + p for p in paras[1:]]
    tail = "　".join(x for x in (organization, when) if x)
    return "\n".join([heading, "", *body, "", tail]).rstrip() + "\n"


# -- 报送情况: where each unit stands in the cycle ------------------------------------------------------

CYCLE_STATES = ("未下发", "已下发", "已报送", "已退回", "已通过")


@dataclass
class UnitCycle:
    unit: str
    state: str
    dispatched_at: str = ""
    file_name: str = ""
    submission_id: int | None = None
    submission_status: str = ""


def cycle_status(db: Database, period: dt.date) -> dict[str, UnitCycle]:
    """Per 责任单位 of the plan year: 未下发 / 已下发 / 已报送 (pending review) / 已退回 / 已通过."""
    p = month_end(period.year, period.month)
    out = {u: UnitCycle(u, "未下发") for u in units(db, p.year)}
    for d in db.query("SELECT unit, file_name, created_at FROM dispatch WHERE period = ? ORDER BY id",
                      (p.isoformat(),)):
        c = out.setdefault(d["unit"], UnitCycle(d["unit"], "未下发"))
        c.state, c.dispatched_at, c.file_name = "已下发", d["created_at"], d["file_name"]
    for sub in reversed(submissions(db, p)):  # oldest first: the newest decides
        c = out.setdefault(sub.unit, UnitCycle(sub.unit, "已下发"))
        c.submission_id, c.submission_status = sub.id, sub.status
        c.state = {PASSED: "已通过", RETURNED: "已退回"}.get(sub.status, "已报送")
    return out


def any_dispatched(db: Database, period: dt.date) -> bool:
    p = month_end(period.year, period.month)
    return bool(db.scalar("SELECT 1 FROM dispatch WHERE period = ? LIMIT 1", (p.isoformat(),)))


def annotate(db: Database, details: dict[str, Any], period: dt.date) -> dict[str, Any]:
    """``reporting.Status.details()`` with each unit's place in the cycle (``cycle``, ``dispatched_at``,
    ``file_name``), for the 催报通知."""
    states = cycle_status(db, period)
    for u in details["units"]:
        c = states.get(u["unit"])
        if c is not None:
            u.update(cycle=c.state, dispatched_at=c.dispatched_at, file_name=c.file_name)
    return details
