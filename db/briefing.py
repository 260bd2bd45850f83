"""The 调度简报's own settings and the clerk's edits, kept as setting keys (no schema change).

Keys: ``briefing_title`` (报头, default “{区}重点项目调度简报”), ``briefing_issuer`` (发文单位, default the
organisation), ``briefing_report_to`` (版记“报”), ``briefing_send_to`` (版记“送”), ``briefing_printer``
(印发单位, default the issuer), ``briefing_plain`` ("1": no red 版头, for internal use), ``briefing_worst_n``
(projects listed by name in 二、重点项目, default 20), ``briefing_issue:{year}`` (the 期号 last issued in a
year) and ``briefing_edits:{year}:{issue}`` (JSON: per section, the edited text and the draft it replaced).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from db import settings
from db.connection import Database
from db.errors import ValidationError

DEFAULT_WORST_N = 20
MAX_WORST_N = 200
TEXT_FIELDS = {"title": "报头名称", "issuer": "发文单位", "report_to": "报", "send_to": "送", "printer": "印发单位"}


@dataclass
class BriefingSettings:
    title: str = ""
    issuer: str = ""
    report_to: str = ""
    send_to: str = ""
    printer: str = ""
    plain: bool = False
    worst_n: int = DEFAULT_WORST_N


def load(db: Database) -> BriefingSettings:
    s = BriefingSettings(**{k: settings.get(db, f"briefing_{k}") or "" for k in TEXT_FIELDS})
    s.plain = settings.get(db, "briefing_plain") == "1"
    try:
        s.worst_n = int(settings.get(db, "briefing_worst_n") or DEFAULT_WORST_N)
    except ValueError:
        s.worst_n = DEFAULT_WORST_N
    return s


def save(db: Database, **changes: Any) -> BriefingSettings:
    """Store the given fields (validated first, all in one transaction)."""
    for key, value in changes.items():
        if key in TEXT_FIELDS:
            if len(str(value)) > 200:
                raise ValidationError(TEXT_FIELDS[key], value, "不能超过200个字")
        elif key == "worst_n":
            try:
                n = int(value)
            except (TypeError, ValueError):
                raise ValidationError("列出项目数", value, "应为整数") from None
            if not 0 <= n <= MAX_WORST_N:
                raise ValidationError("列出项目数", value, f"应在0到{MAX_WORST_N}之间")
        elif key != "plain":
            raise ValueError(f"unknown briefing setting {key}")
    with db.transaction("setting"):
        for key, value in changes.items():
            if key == "plain":
                settings.put(db, "briefing_plain", "1" if value else "0",
                             "简报版式：" + ("普通版（无红头）" if value else "红头版"))
            elif key == "worst_n":
                settings.put(db, "briefing_worst_n", str(int(value)), f"简报列出项目数：{int(value)}")
            else:
                settings.put(db, f"briefing_{key}", str(value).strip(), f"简报{TEXT_FIELDS[key]}：{value}")
    return load(db)


def issue_number(db: Database, year: int) -> int:
    """The 期号 of the briefing for ``year``: the one last set, else 1."""
    raw = settings.get(db, f"briefing_issue:{year}")
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else 1


def set_issue_number(db: Database, year: int, number: object) -> int:
    try:
        n = int(str(number))
    except ValueError:
        raise ValidationError("期号", number, "应为正整数") from None
    if not 1 <= n <= 999:
        raise ValidationError("期号", number, "应在1到999之间")
    if settings.get(db, f"briefing_issue:{year}") != str(n):
        settings.put(db, f"briefing_issue:{year}", str(n), f"{year}年调度简报期号：第{n}期")
    return n


def edits(db: Database, year: int, issue: int) -> dict[str, dict[str, str]]:
    """{section key: {"text": edited text, "draft": the drafted text it replaced}} for one 期."""
    raw = settings.get(db, f"briefing_edits:{year}:{issue}")
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return {k: v for k, v in value.items() if isinstance(v, dict) and isinstance(v.get("text"), str)}


def save_edit(db: Database, year: int, issue: int, section: str, text: str, draft: str) -> None:
    """Keep the clerk's text for one section of one 期 (an empty text goes back to the draft)."""
    if len(text) > 20_000:
        raise ValidationError(section, text[:20] + "…", "不能超过20000个字")
    current = edits(db, year, issue)
    if text.strip():
        current[section] = {"text": text.strip(), "draft": draft}
    else:
        current.pop(section, None)
    settings.put(db, f"briefing_edits:{year}:{issue}", json.dumps(current, ensure_ascii=False),
                 f"{year}年第{issue}期调度简报：修改“{section}”")
