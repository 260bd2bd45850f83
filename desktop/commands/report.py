"""`policytrack report OUT.pdf|OUT.docx`: the 调度简报 as a PDF or a Word document, without opening the GUI."""
from __future__ import annotations

import argparse
from pathlib import Path

from desktop import formatting as fmt
from db import outputs
from desktop.cli import Refused, add_db_argument, add_output_arguments, checked_output, open_for_cli


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="生成调度简报（PDF 或可编辑的 Word .docx：版头、正文一至六、附图、附件、版记）")
    p.add_argument("out", metavar="OUT.pdf", help="输出文件：.pdf 或 .docx（按扩展名决定格式）")
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认：数据库中最新的报告期）")
    add_output_arguments(p)
    p.add_argument("--paper", default="A4", type=str.upper, choices=["A4", "A3"], help="纸张：A4（默认）或 A3")
    p.add_argument("--issue", metavar="N", help="期号（第N期，按年编号；给出时记入设置，默认：本年设置的期号，未设置为1）")
    p.add_argument("--attachments", default="auto", choices=["auto", "all", "none"],
                   help="附件（调度表、预警及滞后事项）：auto 少于500个项目时附上（默认），all 总是，none 不附")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    suffix = Path(args.out).suffix.lower()   # .docx writes Word; anything else is checked as a PDF (refused
    out = checked_output(args.out, outputs.DOCX if suffix == ".docx" else outputs.PDF, args)  # unless .pdf)
    db = open_for_cli(args.db)
    try:
        from db import briefing as store
        from desktop.charts.data import gather
        from desktop.report import document

        data = gather(db, args.as_of)
        if data["empty"]:
            raise Refused(f"无法生成简报：{data['reason']}")
        issue = None
        if args.issue is not None:
            issue = store.set_issue_number(db, int(data["plan_year"]), args.issue)
        doc = document.from_db(db, data, issue=issue, attachments=args.attachments)
    finally:
        db.close()
    from desktop.report.briefing import ensure_qt

    ensure_qt()
    try:
        with outputs.atomic_output(out) as tmp:
            if suffix == ".docx":
                from desktop.report.docx_writer import build_docx

                result = build_docx(data, tmp, doc, paper=args.paper)
            else:
                from desktop.report.briefing import build_briefing

                result = build_briefing(data, tmp, paper=args.paper, document=doc)
    except OSError as exc:
        raise Refused(f"无法写入 {out}：{exc.strerror or exc}") from exc
    line = f"已生成简报 {out}：{doc.year}年{doc.issue_label}，截至{fmt.date_cn(data['as_of'])}"
    if suffix == ".pdf":
        line += f"，共 {result['pages']} 页（正文 {result['body_pages']} 页"
        line += (f"，附件调度表 {result['table_rows']} 个项目，{result['table_pages']} 页）"
                 if result["table_pages"] else "，未附调度表）")
    else:
        line += f"，{len(doc.sections)} 部分" + (f"，附件 {len(doc.attachments)} 个" if doc.attachments else "，未附附件")
    print(line)
    for warning in doc.warnings:
        print(f"注意：{warning}")
    return 0
