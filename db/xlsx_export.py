"""Export of the key projects as a print-ready 调度表 (.xlsx) in the layout the importer reads back.

Title with the as-of date, unit line, two-row header, section rows per level and cluster, a 合计 row with real SUM
formulas, number formats, frozen header, A4 landscape fit-to-width with the header repeated on every page. Text
that a spreadsheet could run (= + - @ tab CR at the start) gets a leading apostrophe.
"""
from __future__ import annotations

import copy
import datetime as dt
import math
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from db import clusters, portfolios, problems, projects, summary, targets, updates
from db.connection import Database
from db.errors import PolicyTrackError

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
CN_NUMERALS = "一二三四五六七八九十"

# (key, header row 1, header row 2 or None, width)
COLUMNS = [
    ("seq", "序号", None, 6),
    ("name", "项目名称", None, 34),
    ("code", "项目代码", None, 24),
    ("responsible_unit", "责任单位", None, 16),
    ("total_investment", "总投资", None, 13),
    ("annual_plan", "{year}年", "年度计划投资", 13),
    ("completed", "{year}年", "{months}完成投资", 13),
    ("rate", "{year}年", "完成率", 9),
    ("stage", "形象进度", None, 11),
    ("physical_progress", "工程量完成比例", None, 10),
    ("progress_note", "本月进展", None, 24),
    ("start_year", "开工年份", None, 9),
    ("finish_year", "竣工年份", None, 9),
    ("note", "备注", None, 30),
    ("problem", "存在问题", None, 30),
]
KEYS = [c[0] for c in COLUMNS]


class ExportCancelled(PolicyTrackError):
    def __init__(self) -> None:
        super().__init__("导出已取消，没有写出文件")


@dataclass
class ExportResult:
    path: Path
    as_of: dt.date
    projects: int
    rows: int  # spreadsheet rows written


def safe_text(text: str) -> str:
    """Text a spreadsheet will show, never run: a leading = + - @ tab or CR gets an apostrophe before it."""
    return "'" + text if text.startswith(DANGEROUS_START) else text


def _col(key: str) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(KEYS.index(key) + 1)


def _lines(text: str | None, width: float) -> int:
    """How many lines wrapped text needs in a column ``width`` characters wide (a Chinese character takes about
    1.7 widths): spreadsheet programs do not grow a row for wrapped text a program wrote, so the export sets heights."""
    if not text:
        return 1
    units = sum(1.7 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.0 for ch in text)
    return max(1, min(8, math.ceil(units / max(1.0, width - 1.5))))


def _months(d: dt.date) -> str:
    return "1月累计" if d.month == 1 else f"1—{d.month}月"


def rows_for_export(db: Database, as_of: object | None = None) -> tuple[dict[str, Any], dt.date, list[dict[str, Any]]]:
    """(plan year, as-of date, sections) — each section: level, name, clusters [(name, [project dicts])]."""
    py, d = summary.resolve_as_of(db, as_of)
    year_start = dt.date(py["year"], 1, 1)
    plan = targets.as_of(db, "project", "annual_plan", d)
    done = updates.as_of(db, "project", "completed", d, since=year_start)
    stage = updates.as_of(db, "project", "stage", d, since=year_start)
    pp = updates.as_of(db, "project", "physical_progress", d, since=year_start)
    open_problems: dict[int, list[str]] = {}
    for _unit, rows in problems.open_by_unit(db, d):
        for r in rows:
            open_problems.setdefault(r["project_id"], []).append(problems.cell_text(r))
    notes = {r["project_id"]: r["text"] for r in db.query(
        "SELECT project_id, text, retracted FROM progress_note n WHERE as_of = ? AND id = (SELECT max(id)"
        " FROM progress_note m WHERE m.project_id = n.project_id AND m.as_of = n.as_of)", (d.isoformat(),))
        if not r["retracted"]}
    # Each project is grouped under the 产业集群 its node belongs to (or the node itself above that level).
    group_of: dict[int, tuple[int, str]] = {}
    order = 0
    for root in clusters.tree(db, py["id"]):
        for _path, node in root.walk():
            order += 1
            group_of[node.id] = (order, node.name)
    parents = {r["id"]: (r["parent_id"], r["kind"]) for r in db.query(
        "SELECT id, parent_id, kind FROM cluster WHERE plan_year_id = ? AND active = 1", (py["id"],))}

    def cluster_group(cid: int | None) -> tuple[int, str]:
        node = cid
        while node is not None and node in parents:
            if parents[node][1] == "cluster":
                return group_of.get(node, (10**9, "其他项目"))
            node = parents[node][0]
        return group_of.get(cid, (10**9, "其他项目")) if cid is not None else (10**9, "其他项目")

    sections = []
    all_projects = projects.list_for(db, py["id"])
    for pf in portfolios.list_for(db, py["id"]):
        members = [p for p in all_projects if p["portfolio_id"] == pf["id"]]
        if not members:
            continue
        groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
        for p in members:
            pid = p["id"]
            row = {
                "name": p["name"],
                "code": p["code"],
                "responsible_unit": p["responsible_unit"],
                "total_investment": p["total_investment_wan"],
                "annual_plan": plan[pid]["value"] if pid in plan else None,
                "completed": done[pid]["value"] if pid in done else None,
                "stage": stage[pid]["text_value"] if pid in stage else None,
                "physical_progress": pp[pid]["value"] if pid in pp else None,
                "progress_note": notes.get(pid),
                "start_year": p["start_year"],
                "finish_year": p["finish_year"],
                "note": p["note"],
                "problem": "；".join(open_problems.get(pid, [])) or None,
            }
            groups.setdefault(cluster_group(p["cluster_id"]), []).append(row)
        sections.append({"level": pf["level"], "name": pf["name"],
                         "clusters": [(name, rows) for (_, name), rows in sorted(groups.items())]})
    return py, d, sections


def export(db: Database, path: str | os.PathLike, *, as_of: object | None = None,
           progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> ExportResult:
    """Write the 调度表 to ``path`` (atomically: a temporary file renamed into place)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
    from openpyxl.workbook.properties import CalcProperties
    from openpyxl.worksheet.properties import PageSetupProperties

    py, d, sections = rows_for_export(db, as_of)
    target = Path(path)
    n_projects = sum(len(rows) for s in sections for _, rows in s["clusters"])

    wb = Workbook(write_only=True)
    wb.calculation = CalcProperties(fullCalcOnLoad=True)  # spreadsheet programs compute the formulas on opening
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = "宋体"

    def style(name: str, **kw: Any) -> NamedStyle:
        st = NamedStyle(name=name, **kw)
        wb.add_named_style(st)
        return st

    style("pt_title", font=Font(name=font, size=16, bold=True), alignment=Alignment(horizontal="center",
                                                                                   vertical="center"))
    style("pt_unit", font=Font(name=font, size=10), alignment=Alignment(horizontal="right"))
    style("pt_asof", font=Font(name=font, size=10), alignment=Alignment(horizontal="left"))
    style("pt_header", font=Font(name=font, size=10, bold=True), border=border,
          fill=PatternFill("solid", fgColor="D9E1F2"),
          alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
    style("pt_section", font=Font(name=font, size=10, bold=True), border=border,
          fill=PatternFill("solid", fgColor="F2F2F2"), alignment=Alignment(horizontal="left", vertical="center"))
    style("pt_text", font=Font(name=font, size=10), border=border,
          alignment=Alignment(horizontal="left", vertical="center", wrap_text=True))
    style("pt_center", font=Font(name=font, size=10), border=border,
          alignment=Alignment(horizontal="center", vertical="center"))
    style("pt_money", font=Font(name=font, size=10), border=border, number_format="#,##0",
          alignment=Alignment(horizontal="right", vertical="center"))
    style("pt_percent", font=Font(name=font, size=10), border=border, number_format="0.0%",
          alignment=Alignment(horizontal="right", vertical="center"))
    style("pt_total_text", font=Font(name=font, size=10, bold=True), border=border,
          alignment=Alignment(horizontal="center", vertical="center"))
    style("pt_total_money", font=Font(name=font, size=10, bold=True), border=border, number_format="#,##0",
          alignment=Alignment(horizontal="right", vertical="center"))
    style("pt_total_percent", font=Font(name=font, size=10, bold=True), border=border, number_format="0.0%",
          alignment=Alignment(horizontal="right", vertical="center"))

    ws = wb.create_sheet("调度表")
    # A streaming sheet writes its views, properties and columns before the first row: set them now.
    ws.freeze_panes = "C5"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ncols = len(COLUMNS)
    last_col = _col(KEYS[-1])
    for i, (_key, _h1, _h2, width) in enumerate(COLUMNS, 1):
        from openpyxl.utils import get_column_letter
        ws.column_dimensions[get_column_letter(i)].width = width

    # Assigning a named style looks it up by name every time (a third of the export's time at 10,000 rows):
    # style one prototype cell per style and give each new cell a copy of its resolved style.
    prototypes: dict[str, WriteOnlyCell] = {}

    def styled(c: WriteOnlyCell, st: str) -> WriteOnlyCell:
        proto = prototypes.get(st)
        if proto is None:
            proto = prototypes[st] = WriteOnlyCell(ws)
            proto.style = st
        c._style = copy.copy(proto._style)
        return c

    def cell(value: Any, st: str) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=safe_text(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            c.data_type = "s"  # text stays text, whatever it starts with
        return styled(c, st)

    def formula(text: str, st: str) -> WriteOnlyCell:
        return styled(WriteOnlyCell(ws, value=text), st)  # our own formula, built from cell references only

    def blank_row(st: str) -> list[WriteOnlyCell]:
        return [cell(None, st) for _ in range(ncols)]

    title = f"{py['district']}{py['year']}年重点项目投资完成情况调度表（截至{d.year}年{d.month}月{d.day}日）"
    row_no = 0

    def emit(cells: list[Any], height: float | None = None) -> None:
        nonlocal row_no
        row_no += 1
        if height:
            ws.row_dimensions[row_no].height = height
        ws.append(cells)

    emit([cell(title, "pt_title")], 30)
    ws.merged_cells.add(f"A1:{last_col}1")
    unit_row = [None] * ncols
    unit_row[0] = cell(f"报告期：{d.isoformat()}", "pt_asof")
    unit_row[-1] = cell("单位：万元", "pt_unit")
    emit(unit_row)
    ws.merged_cells.add("A2:C2")
    h1 = [cell(h.format(year=py["year"]), "pt_header") for _, h, _, _ in COLUMNS]
    h2 = [cell((h2 or h).format(year=py["year"], months=_months(d)), "pt_header") for _, h, h2, _ in COLUMNS]
    emit(h1, 20)
    emit(h2, 30)
    group_cols = [i for i, c in enumerate(COLUMNS, 1) if c[2] is not None]
    from openpyxl.utils import get_column_letter as L
    ws.merged_cells.add(f"{L(group_cols[0])}3:{L(group_cols[-1])}3")
    for i, c in enumerate(COLUMNS, 1):
        if c[2] is None:
            ws.merged_cells.add(f"{L(i)}3:{L(i)}4")

    first_data = row_no + 1
    seq = 0
    written = 0
    cm = {k: _col(k) for k in KEYS}
    widths = {c[0]: c[3] for c in COLUMNS}
    stopped = False
    for s_i, sec in enumerate(sections):
        if stopped:
            break
        count = sum(len(rows) for _, rows in sec["clusters"])
        emit([cell(f"{CN_NUMERALS[s_i % 10]}、{sec['name']}（{count}个）", "pt_section")] + blank_row("pt_section")[1:])
        ws.merged_cells.add(f"A{row_no}:{last_col}{row_no}")
        for c_i, (cluster_name, rows) in enumerate(sec["clusters"]):
            if stopped:
                break
            emit([cell(f"（{CN_NUMERALS[c_i % 10]}）{cluster_name}（{len(rows)}个）", "pt_section")]
                 + blank_row("pt_section")[1:])
            ws.merged_cells.add(f"A{row_no}:{last_col}{row_no}")
            for p in rows:
                if cancelled is not None and written % 200 == 0 and cancelled():
                    stopped = True  # finish the file so the streaming writer closes, then throw it away
                    break
                seq += 1
                r = row_no + 1
                pp = p["physical_progress"]
                lines = max(_lines(p["name"], widths["name"]), _lines(p["note"], widths["note"]),
                            _lines(p["progress_note"], widths["progress_note"]),
                            _lines(p["responsible_unit"], widths["responsible_unit"]),
                            _lines(p["problem"], widths["problem"]))
                emit([
                    cell(seq, "pt_center"),
                    cell(p["name"], "pt_text"),
                    cell(p["code"], "pt_center"),
                    cell(p["responsible_unit"] or None, "pt_text"),
                    cell(p["total_investment"], "pt_money"),
                    cell(p["annual_plan"], "pt_money"),
                    cell(p["completed"], "pt_money"),
                    formula(f'=IF(N({cm["annual_plan"]}{r})>0,N({cm["completed"]}{r})/{cm["annual_plan"]}{r},"")',
                            "pt_percent"),
                    cell(p["stage"], "pt_center"),
                    cell(None if pp is None else pp / 10000, "pt_percent"),
                    cell(p["progress_note"], "pt_text"),
                    cell(p["start_year"], "pt_center"),
                    cell(p["finish_year"], "pt_center"),
                    cell(p["note"] or None, "pt_text"),
                    cell(p["problem"], "pt_text"),
                ], 15 * lines if lines > 1 else None)
                written += 1
                if progress is not None and written % 500 == 0:
                    progress(written, n_projects, p["name"])
    last_data = row_no
    total = row_no + 1
    sums = {k: f"=SUM({cm[k]}{first_data}:{cm[k]}{max(last_data, first_data)})"
            for k in ("total_investment", "annual_plan", "completed")}
    total_cells = []
    for key in KEYS:
        if key == "name":
            total_cells.append(cell("合计", "pt_total_text"))
        elif key in sums:
            total_cells.append(formula(sums[key], "pt_total_money"))
        elif key == "rate":
            total_cells.append(formula(f'=IF({cm["annual_plan"]}{total}>0,{cm["completed"]}{total}/'
                                       f'{cm["annual_plan"]}{total},"")', "pt_total_percent"))
        else:
            total_cells.append(cell(None, "pt_total_text"))
    emit(total_cells, 20)

    ws.print_title_rows = "3:4"
    ws.print_area = f"A1:{last_col}{row_no}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    tmp = target.with_name(target.name + ".part")
    try:
        wb.save(tmp)
        if stopped:
            raise ExportCancelled()
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    if progress is not None:
        progress(n_projects, n_projects, "完成")
    return ExportResult(target, d, n_projects, row_no)
