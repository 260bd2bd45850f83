"""Exchange files between PCs (交换包): a unit exports its updates and target revisions, the office imports them.

The format is JSON, versioned and checksummed (docs/exchange-format.md). Rows are named by their stable uid, so
importing a file twice, or receiving one's own rows back, records nothing. Subjects are named by their natural
keys (plan year, level and project name; indicator name; cluster path), because every PC numbers rows itself.
A conflict — the same subject, metric and month holding different values from two sources — is never decided
silently: the preview lists it side by side and apply refuses until the user has chosen.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from db import (backups, clusters, exchange_photos, exchange_problems, identity, ledger, plan, portfolios, projects,
                seed, targets, updates)
from db.connection import Database
from db.errors import PolicyTrackError, ValidationError, quote
from db.spreadsheet import input_problem
from db.subjects import METRIC_LABELS, TARGET_METRICS, UPDATE_METRICS, Subject
from db.validate import month_end, name_key, parse_date

FORMAT = "policytrack-exchange"
VERSION = 2          # 2: signed by the sender's key (db/identity.py); 1: checksum only, still read
SUFFIX = ".ptx"
MAX_BYTES = 200 * 1024 * 1024
ALL_UNITS = ("全部", "*", "all")
ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]
PROJECT_DESCRIPTOR_FIELDS = ("responsible_unit", "responsible_leader", "location", "total_investment_wan",
                             "start_year", "finish_year", "description", "code")


class ExchangeRefused(PolicyTrackError):
    """An exchange file we will not read; nothing was changed."""

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"无法导入交换包 {Path(path).name}：{reason}")


class UnenrolledSigner(ExchangeRefused):
    """Signed by a key not in the 单位名册 (which is not empty): read again with accept_unenrolled=REASON to take
    it once."""


class ExchangeCancelled(PolicyTrackError):
    def __init__(self) -> None:
        super().__init__("导入已取消，数据库没有任何改动")


def canonical(payload: dict[str, Any]) -> bytes:
    """The bytes the checksum is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


# -- export ----------------------------------------------------------------------------------------------------

@dataclass
class ExportSummary:
    path: Path
    updates: int
    targets: int
    projects: int
    sender: dict[str, str]
    problems: int = 0  # 存在问题 versions (db/exchange_problems.py)
    photos: int = 0  # 现场照片 (db/exchange_photos.py)


def _subject_refs(db: Database) -> dict[tuple[str, int], dict[str, Any]]:
    """Natural keys of every active subject: how another PC finds the same thing."""
    refs: dict[tuple[str, int], dict[str, Any]] = {}
    years = {r["id"]: r["year"] for r in plan.plan_years(db)}
    for r in db.query("SELECT id, plan_year_id, level FROM portfolio"):
        refs[("portfolio", r["id"])] = {"kind": "portfolio", "year": years[r["plan_year_id"]], "level": r["level"]}
    for r in db.query("SELECT p.id, p.name, p.code, pf.plan_year_id, pf.level FROM project p"
                      " JOIN portfolio pf ON pf.id = p.portfolio_id WHERE p.active = 1"):
        refs[("project", r["id"])] = {"kind": "project", "year": years[r["plan_year_id"]], "level": r["level"],
                                      "name": r["name"]}
        if r["code"]:
            refs[("project", r["id"])]["code"] = r["code"]   # 项目代码: matched first (a name may differ)
    for r in db.query("SELECT id, name, plan_year_id FROM indicator WHERE active = 1"):
        refs[("indicator", r["id"])] = {"kind": "indicator", "year": years[r["plan_year_id"]], "name": r["name"]}
    for py_id, year in years.items():
        for root in clusters.tree(db, py_id):
            for path, node in root.walk():
                refs[("cluster", node.id)] = {"kind": "cluster", "year": year, "path": list(path)}
    return refs


def _subject_of(row: dict[str, Any]) -> tuple[str, int]:
    for kind in ("portfolio", "project", "indicator", "cluster"):
        if row.get(kind + "_id") is not None:
            return kind, int(row[kind + "_id"])
    raise AssertionError(row)


def _origins(db: Database, entity: str) -> dict[int, dict[str, str]]:
    rows = db.query("SELECT local_id, origin_site_id, origin_site_name, origin_user, origin_recorded_at,"
                    " origin_source_kind, origin_source FROM exchange_row WHERE entity = ? AND local_id IS NOT NULL",
                    (entity,))
    return {r["local_id"]: {"site_id": r["origin_site_id"], "site_name": r["origin_site_name"],
                            "user": r["origin_user"], "recorded_at": r["origin_recorded_at"],
                            "source_kind": r["origin_source_kind"], "source": r["origin_source"]} for r in rows}


def sender_identity(db: Database, name: str | None = None) -> dict[str, str]:
    return {"site_id": ledger.site_id(db), "name": name or ledger.site_name(db) or ledger.host_name(),
            "user": db.user, "host": ledger.host_name(), "fingerprint": ledger.fingerprint(db)}


def export(db: Database, path: str | os.PathLike, *, unit: str | None = None, since: dt.date | str | None = None,
           sender_name: str | None = None) -> ExportSummary:
    """Write the updates and target revisions recorded since ``since`` (all when None), optionally only those of
    projects whose 责任单位 is ``unit``, to an exchange file. The built-in dataset is never exported: every PC has it.
    """
    since_d = None if since is None else parse_date(since, "起始日期")
    unit_key = None
    if unit is not None and unit.strip() not in ALL_UNITS:
        unit_key = name_key(unit)
        if not unit_key:
            raise ValidationError("责任单位", unit, "不能为空")
        if not any(name_key(r["responsible_unit"]) == unit_key
                   for r in db.query("SELECT responsible_unit FROM project WHERE active = 1")):
            raise ValidationError("责任单位", unit, "没有哪个项目的责任单位是它（请检查名称）")
    refs = _subject_refs(db)
    unit_projects = None
    if unit_key is not None:
        unit_projects = {r["id"] for r in db.query("SELECT id, responsible_unit FROM project WHERE active = 1")
                         if name_key(r["responsible_unit"]) == unit_key}
    me = sender_identity(db, sender_name or (unit if unit_key else None))
    since_text = since_d.isoformat() if since_d else "0000-00-00"

    def wanted(row: dict[str, Any]) -> tuple[str, int] | None:
        key = _subject_of(row)
        if key not in refs:
            return None  # removed subjects stay home
        if unit_projects is not None and (key[0] != "project" or key[1] not in unit_projects):
            return None
        return key

    origins_u = _origins(db, "progress_update")
    uid_by_id_u = dict(db.conn.execute("SELECT id, uid FROM progress_update").fetchall())
    out_updates = []
    used_projects: set[int] = set()
    for r in db.query("SELECT * FROM progress_update WHERE source_kind <> 'seed' AND recorded_at >= ? ORDER BY id",
                      (since_text,)):
        key = wanted(r)
        if key is None:
            continue
        if key[0] == "project":
            used_projects.add(key[1])
        origin = origins_u.get(r["id"]) or {"site_id": me["site_id"], "site_name": me["name"],
                                            "user": r["recorded_by"], "recorded_at": r["recorded_at"],
                                            "source_kind": r["source_kind"], "source": r["source"]}
        out_updates.append({
            "uid": r["uid"], "subject": refs[key], "metric": r["metric"], "as_of": r["as_of"], "value": r["value"],
            "text_value": r["text_value"], "retracted": bool(r["retracted"]), "note": r["note"],
            "source": r["source"], "source_kind": r["source_kind"], "recorded_at": r["recorded_at"],
            "recorded_by": r["recorded_by"],
            "supersedes": uid_by_id_u.get(r["supersedes_id"]) if r["supersedes_id"] else None,
            "origin": origin,
        })
    origins_t = _origins(db, "target")
    out_targets = []
    previous: dict[tuple[str, int, str], str] = {}
    for r in db.query("SELECT * FROM target ORDER BY id"):
        key = _subject_of(r)
        chain = (key[0], key[1], r["metric"])
        prev_uid = previous.get(chain)
        previous[chain] = r["uid"]
        if r["revised_by"] == seed.SEED_USER or r["revised_at"] < since_text or wanted(r) is None:
            continue
        if key[0] == "project":
            used_projects.add(key[1])
        origin = origins_t.get(r["id"]) or {"site_id": me["site_id"], "site_name": me["name"],
                                            "user": r["revised_by"], "recorded_at": r["revised_at"],
                                            "source_kind": "typed", "source": r["source"]}
        out_targets.append({
            "uid": r["uid"], "subject": refs[key], "metric": r["metric"], "value": r["value"],
            "effective_from": r["effective_from"], "reason": r["reason"], "doc_no": r["doc_no"],
            "source": r["source"], "revised_at": r["revised_at"], "revised_by": r["revised_by"],
            "previous": prev_uid, "origin": origin,
        })
    out_problems, problem_projects = exchange_problems.export_rows(db, refs, unit_projects, since_text)
    out_photos, photo_projects = exchange_photos.export_rows(db, refs, unit_projects, since_text)
    used_projects |= problem_projects | photo_projects
    descriptors = []
    for pid in sorted(used_projects):
        p = projects.get(db, pid)
        ref = refs[("project", pid)]
        d = {"year": ref["year"], "level": ref["level"], "name": p["name"]}
        d.update({f: p[f] for f in PROJECT_DESCRIPTOR_FIELDS})
        d["cluster_path"] = refs[("cluster", p["cluster_id"])]["path"] if p["cluster_id"] and (
            "cluster", p["cluster_id"]) in refs else None
        descriptors.append(d)
    payload = {
        "generator": "PolicyTrack",
        "created_at": db.now(),
        "sender": me,
        "scope": {"unit": unit if unit_key else None, "since": since_d.isoformat() if since_d else None},
        "projects": descriptors,
        "updates": out_updates,
        "targets": out_targets,
        "problems": out_problems,
        "photos": out_photos,
    }
    signature, fp = identity.sign(db, canonical(payload))
    doc = {"format": FORMAT, "version": VERSION,
           "checksum": {"algorithm": "sha256", "value": hashlib.sha256(canonical(payload)).hexdigest()},
           "signature": {"algorithm": "ed25519", "fingerprint": fp, "public_key": identity.ensure_key(db).public_key,
                         "value": signature},
           "payload": payload}
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
            f.write("\n")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return ExportSummary(target, len(out_updates), len(out_targets), len(descriptors), me, len(out_problems),
                         len(out_photos))


# -- reading and checking a file ---------------------------------------------------------------------------------

def load(path: str | os.PathLike) -> dict[str, Any]:
    """The checked payload of an exchange file, or ExchangeRefused (bad JSON, wrong format, newer version,
    checksum mismatch, bad signature, malformed rows)."""
    return load_signed(path)[0]


def load_signed(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, str] | None]:
    """(payload, signature) of a checked exchange file; the signature is None for a version 1 (unsigned) file. A
    version 2 file's signature has been verified against the public key it names (who that key belongs to is for
    the 单位名册 to say: see signer_status)."""
    p = Path(path)
    problem = input_problem(p)
    if problem is not None:
        raise ExchangeRefused(p, problem)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise ExchangeRefused(p, "文件过大")
    raw = p.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise ExchangeRefused(p, "这是 Excel/ZIP 文件，不是交换包；调度表请用“导入调度表”")
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ExchangeRefused(p, "不是 PolicyTrack 交换包（文件内容不是有效的 JSON）") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExchangeRefused(p, "不是 PolicyTrack 交换包（格式标记不对）")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ExchangeRefused(p, "交换包的版本号无效")
    if version > VERSION:
        raise ExchangeRefused(p, f"由更新版本的 PolicyTrack 生成（交换包格式 {version}，本程序只支持到 {VERSION}），"
                                 "请升级程序后再导入")
    payload = doc.get("payload")
    checksum = doc.get("checksum")
    if not isinstance(payload, dict) or not isinstance(checksum, dict) or checksum.get("algorithm") != "sha256":
        raise ExchangeRefused(p, "交换包不完整（缺少内容或校验和）")
    if hashlib.sha256(canonical(payload)).hexdigest() != checksum.get("value"):
        raise ExchangeRefused(p, "交换包已损坏或被改动过（校验和不符），请让对方重新导出")
    signature = None
    if version >= 2:
        signature = doc.get("signature")
        ok = (isinstance(signature, dict) and signature.get("algorithm") == "ed25519"
              and all(isinstance(signature.get(k), str) for k in ("fingerprint", "public_key", "value")))
        if not ok:
            raise ExchangeRefused(p, "交换包缺少签名或签名格式不对，请让对方重新导出")
        try:
            same_key = identity.fingerprint(signature["public_key"]) == signature["fingerprint"]
        except (ValueError, TypeError):
            same_key = False
        if not same_key or not identity.verify(signature["public_key"], canonical(payload), signature["value"]):
            raise ExchangeRefused(p, "文件在发出后被修改过（签名不符），未导入任何内容；请让对方重新导出")
        signature = {k: signature[k] for k in ("fingerprint", "public_key")}
    try:
        _check_payload(payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise ExchangeRefused(p, f"交换包内容不完整（{exc}）") from None
    return payload, signature


SIGNER_LABELS = {"self": "本机签名", "enrolled": "已登记单位签名", "unenrolled": "签名者未登记",
                 "unsigned": "未签名（旧版交换包）"}


def signer_status(db: Database, path: Path, signature: dict[str, str] | None,
                  accept_unenrolled: str | None) -> dict[str, str]:
    """Who signed the file, by the 单位名册: {"status", "label", "unit", "fingerprint"}; ExchangeRefused for a
    revoked key, and for a key not in the 名册 once the office keeps one (a non-empty 名册) unless the user accepts
    this sender once with a reason (logged with the import)."""
    if signature is None:
        return {"status": "unsigned", "label": SIGNER_LABELS["unsigned"], "unit": "", "fingerprint": ""}
    fp = signature["fingerprint"]
    if fp == identity.own_fingerprint(db):
        return {"status": "self", "label": SIGNER_LABELS["self"], "unit": "", "fingerprint": fp}
    known = identity.by_fingerprint(db, fp)
    if known is not None and known.public_key == signature["public_key"]:
        if not known.active:
            raise ExchangeRefused(path, f"签名的公钥（「{known.unit}」，指纹 {fp}）已于 {known.revoked_at} 注销"
                                        f"（{known.revoke_reason}），不接受它签名的文件")
        return {"status": "enrolled", "label": f"{SIGNER_LABELS['enrolled']}：{known.unit}", "unit": known.unit,
                "fingerprint": fp, "role": known.role}
    if identity.units(db) and not (accept_unenrolled or "").strip():
        raise UnenrolledSigner(path, f"签名者不在单位名册中（指纹 {fp}）：请先登记该单位的身份文件，"
                                    f"或核实后确认接受这一次（--accept-unenrolled 理由）")
    reason = (accept_unenrolled or "").strip()
    label = SIGNER_LABELS["unenrolled"] + (f"（已确认接受，理由：{reason}）" if reason else "（单位名册为空）")
    return {"status": "unenrolled", "label": label, "unit": "", "fingerprint": fp, "accepted": reason}


def _need(d: dict[str, Any], key: str, types: type | tuple[type, ...], *, nullable: bool = False) -> Any:
    if key not in d:
        raise KeyError(f"缺少 {key}")
    v = d[key]
    if v is None and nullable:
        return v
    if isinstance(v, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise TypeError(f"{key} 类型不对")
    if not isinstance(v, types):
        raise TypeError(f"{key} 类型不对")
    return v


def _check_payload(payload: dict[str, Any]) -> None:
    sender = _need(payload, "sender", dict)
    for k in ("site_id", "name", "user", "host"):
        _need(sender, k, str)
    for key in ("projects", "updates", "targets"):
        _need(payload, key, list)
    for u in payload["updates"]:
        _need(u, "uid", str)
        if not ledger.UID_RE.match(u["uid"]):
            raise ValueError("行标识格式不对")
        _check_subject(_need(u, "subject", dict))
        if u["subject"]["kind"] not in UPDATE_METRICS or _need(u, "metric", str) not in UPDATE_METRICS[
                u["subject"]["kind"]]:
            raise ValueError(f"不认识的更新项 {u.get('metric')}")
        _need(u, "as_of", str)
        _need(u, "value", int, nullable=True)
        _need(u, "text_value", str, nullable=True)
        _need(u, "retracted", bool)
        for k in ("note", "source", "source_kind", "recorded_at", "recorded_by"):
            _need(u, k, str)
        _need(u, "supersedes", str, nullable=True)
        _check_origin(_need(u, "origin", dict))
    for t in payload["targets"]:
        _need(t, "uid", str)
        if not ledger.UID_RE.match(t["uid"]):
            raise ValueError("行标识格式不对")
        _check_subject(_need(t, "subject", dict))
        if t["subject"]["kind"] not in TARGET_METRICS or _need(t, "metric", str) not in TARGET_METRICS[
                t["subject"]["kind"]]:
            raise ValueError(f"不认识的目标项 {t.get('metric')}")
        _need(t, "value", int, nullable=True)
        for k in ("effective_from", "reason", "doc_no", "source", "revised_at", "revised_by"):
            _need(t, k, str)
        _need(t, "previous", str, nullable=True)
        _check_origin(_need(t, "origin", dict))
    seen: set[str] = set()
    for row in payload["updates"] + payload["targets"]:
        if row["uid"] in seen:
            raise ValueError(f"行标识重复（{quote(row['uid'], 40)}），文件可能被拼接或改动过")
        seen.add(row["uid"])
    exchange_problems.check(payload)
    exchange_photos.check(payload)
    for d in payload["projects"]:
        _need(d, "year", int)
        _need(d, "level", str)
        _need(d, "name", str)


def _check_subject(s: dict[str, Any]) -> None:
    kind = _need(s, "kind", str)
    _need(s, "year", int)
    if kind == "portfolio":
        _need(s, "level", str)
    elif kind == "project":
        _need(s, "level", str)
        _need(s, "name", str)
    elif kind == "indicator":
        _need(s, "name", str)
    elif kind == "cluster":
        path = _need(s, "path", list)
        if not path or not all(isinstance(x, str) for x in path):
            raise TypeError("集群路径不对")
    else:
        raise ValueError(f"不认识的对象类型 {kind}")


def _check_origin(o: dict[str, Any]) -> None:
    for k in ("site_id", "site_name", "user", "recorded_at", "source_kind"):
        _need(o, k, str)


# -- planning -------------------------------------------------------------------------------------------------------

def subject_label(ref: dict[str, Any]) -> str:
    kind = ref["kind"]
    if kind == "project":
        return f"项目“{ref['name']}”"
    if kind == "indicator":
        return f"指标“{ref['name']}”"
    if kind == "portfolio":
        return f"{portfolios.LEVELS.get(ref['level'], ref['level'])}项目盘子"
    return "集群“" + " / ".join(ref["path"][1:] or ref["path"]) + "”"


def _ref_key(ref: dict[str, Any]) -> tuple[Any, ...]:
    kind = ref["kind"]
    if kind == "project":
        return ("project", ref["year"], ref["level"], name_key(ref["name"]))
    if kind == "indicator":
        return ("indicator", ref["year"], name_key(ref["name"]))
    if kind == "portfolio":
        return ("portfolio", ref["year"], ref["level"])
    return ("cluster", ref["year"], tuple(ref["path"]))


@dataclass
class Side:
    """One side of a comparison: a value and where it came from."""
    value: int | None
    text_value: str | None
    retracted: bool
    as_of: str  # reporting date (updates) or effective date (targets)
    site_name: str
    user: str
    recorded_at: str
    source: str
    uid: str | None = None
    site_id: str = ""

    def same_value(self, other: "Side") -> bool:
        return (self.retracted, self.value, self.text_value) == (other.retracted, other.value, other.text_value)


@dataclass
class Group:
    """Every row of the file about one subject, metric and month (updates) or subject and metric (targets)."""
    key: tuple[Any, ...]
    entity: str  # 'progress_update' | 'target'
    subject_ref: dict[str, Any]
    label: str  # the subject in Chinese
    metric: str
    period: str  # 'YYYY-MM' for updates, '' for targets
    items: list[dict[str, Any]]
    status: str = ""  # 'known' | 'same' | 'new' | 'update' | 'conflict' | 'unresolved' | 'out_of_scope'
    reason: str = ""
    subject: Subject | None = None
    create_project: dict[str, Any] | None = None
    mine: Side | None = None
    theirs: Side | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)
    choice: str | None = None  # for conflicts: 'mine' | 'theirs'

    @property
    def metric_label(self) -> str:
        return METRIC_LABELS[self.metric]

    @property
    def will_write(self) -> bool:
        return self.status in ("new", "update") or (self.status == "conflict" and self.choice == "theirs")


@dataclass
class ExchangePreview:
    path: str
    file_name: str
    sha256: str
    sender: dict[str, str]
    scope: dict[str, Any]
    created_at: str
    groups: list[Group]
    from_myself: bool
    earlier_imports: list[dict[str, Any]]
    payload: dict[str, Any] = field(repr=False, default_factory=dict)
    stamp: tuple[int, ...] | None = None  # the database's change stamp the plan was made at
    accepted_reason: str = ""  # the reason given for accepting the plausibility warnings (kept in the batch)
    signer: dict[str, str] = field(default_factory=dict)  # signer_status(): who signed it, by the 单位名册
    problems: list[Any] = field(default_factory=list)  # exchange_problems.Incoming: versions not held here
    photos: list[Any] = field(default_factory=list)  # exchange_photos.Incoming: photos not held here

    @property
    def new_photos(self) -> list[Any]:
        return [p for p in self.photos if not p.reason]

    @property
    def new_problems(self) -> list[Any]:
        """The file's 存在问题 versions this database will append (those with no local project left out)."""
        return [p for p in self.problems if not p.reason]

    @property
    def conflicts(self) -> list[Group]:
        return [g for g in self.groups if g.status == "conflict"]

    @property
    def unresolved_conflicts(self) -> list[Group]:
        return [g for g in self.conflicts if g.choice not in ("mine", "theirs")]

    @property
    def changes(self) -> list[Group]:
        """What applying writes (field by field), conflicts resolved for theirs included."""
        return [g for g in self.groups if g.will_write]

    @property
    def unresolvable(self) -> list[Group]:
        return [g for g in self.groups if g.status == "unresolved"]

    @property
    def out_of_scope(self) -> list[Group]:
        return [g for g in self.groups if g.status == "out_of_scope"]

    @property
    def new_projects(self) -> list[dict[str, Any]]:
        seen, out = set(), []
        for g in self.groups:
            if g.create_project and g.will_write:
                k = (g.create_project["level"], name_key(g.create_project["name"]))
                if k not in seen:
                    seen.add(k)
                    out.append(g.create_project)
        return out

    def count(self, status: str) -> int:
        return sum(1 for g in self.groups if g.status == status)

    def resolve(self, key: tuple[Any, ...], choice: str) -> None:
        if choice not in ("mine", "theirs"):
            raise ValidationError("冲突处理", choice, "只能选“本机”(mine) 或“交换包”(theirs)")
        for g in self.groups:
            if g.key == key and g.status == "conflict":
                g.choice = choice
                return
        raise ValidationError("冲突", str(key), "不在这个交换包的冲突列表中")

    def resolve_all(self, choice: str) -> None:
        for g in self.conflicts:
            self.resolve(g.key, choice)


@dataclass
class ExchangeResult:
    batch_id: int | None
    recorded_updates: int
    recorded_targets: int
    projects_created: int
    kept_mine: int
    same: int
    recorded_problems: int = 0
    recorded_photos: int = 0

    @property
    def nothing_new(self) -> bool:
        return self.batch_id is None


def read(db: Database, path: str | os.PathLike, *, accept_unenrolled: str | None = None) -> ExchangePreview:
    """Check an exchange file and compare it with the database (nothing is written)."""
    payload, signature = load_signed(path)
    signer = signer_status(db, Path(path), signature, accept_unenrolled)
    sender = payload["sender"]
    if sender["site_id"] == ledger.site_id(db) and isinstance(sender.get("fingerprint"), str) \
            and sender["fingerprint"] != ledger.fingerprint(db):
        raise ExchangeRefused(Path(path), "交换包来自另一个与本数据库使用同一标识的数据库（文件是复制出来的），"
                                          "为免数字互相覆盖，已拒绝；请在对方电脑上重新打开数据库后重新导出")
    sha = ledger.file_sha256(path)
    preview = ExchangePreview(path=str(path), file_name=Path(path).name, sha256=sha, sender=payload["sender"],
                              scope=payload.get("scope") or {}, created_at=str(payload.get("created_at", "")),
                              groups=[], from_myself=payload["sender"]["site_id"] == ledger.site_id(db),
                              earlier_imports=ledger.batches_for_file(db, sha), payload=payload, signer=signer)
    plan_groups(db, preview)
    return preview


def plausibility_warnings(db: Database, preview: ExchangePreview) -> list[str]:
    """The plausibility checks typing runs (db.plausibility through recording.check_month, same words), on every
    project figure the import would write: one line per warning, naming the project and the date."""
    from db import recording

    out: list[str] = []
    for g in preview.groups:
        s = g.theirs
        if not g.will_write or g.subject is None or s is None or s.retracted or g.subject.kind != "project":
            continue
        if g.metric == "completed" and s.value is not None:
            entry = recording.ProjectEntry(g.subject.id, completed_wan=s.value)
        elif g.metric == "stage" and s.text_value:
            entry = recording.ProjectEntry(g.subject.id, stage=s.text_value)
        else:
            continue
        try:
            [report] = recording.check_month(db, s.as_of, [entry])
        except PolicyTrackError as exc:  # a date or value typing would refuse
            out.append(f"{g.label}（截至 {s.as_of}）：{exc}")
            continue
        out += [f"{g.label}（截至 {s.as_of}）：{p.field}{p.message}" for p in report.errors]
        out += [f"{g.label}（截至 {s.as_of}）：{w.label}——{w.message}" for w in report.warnings]
    return out


def _chunks(items: list[str], n: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _known_uids(db: Database, uids: list[str]) -> dict[str, tuple[str, int | None]]:
    """uid -> (where, local id) for uids this database already holds or has already decided about."""
    out: dict[str, tuple[str, int | None]] = {}
    for chunk in _chunks(uids):
        marks = ",".join("?" * len(chunk))
        for table in ("progress_update", "target"):
            for uid, rid in db.conn.execute("SELECT uid, id FROM " + table + " WHERE uid IN (" + marks + ")", chunk):
                out[uid] = (table, rid)
        for uid, local_id in db.conn.execute("SELECT uid, local_id FROM exchange_row WHERE uid IN (" + marks + ")",
                                             chunk):
            out.setdefault(uid, ("exchange_row", local_id))
    return out


class _Resolver:
    """Finds local subjects by natural keys."""

    def __init__(self, db: Database, descriptors: list[dict[str, Any]]):
        self.db = db
        self.years = {r["year"]: r["id"] for r in plan.plan_years(db)}
        self.portfolio = {(y, pf["level"]): pf["id"] for y, pid in self.years.items()
                          for pf in portfolios.list_for(db, pid)}
        self.projects: dict[tuple[int, str, str], list[int]] = {}
        self.projects_any: dict[tuple[int, str], list[int]] = {}
        inv = {v: k for k, v in self.years.items()}
        self.codes: dict[tuple[int, str], int] = {}
        for r in db.query("SELECT p.id, p.name_key, p.code, pf.plan_year_id, pf.level FROM project p"
                          " JOIN portfolio pf ON pf.id = p.portfolio_id WHERE p.active = 1"):
            y = inv[r["plan_year_id"]]
            self.projects.setdefault((y, r["level"], r["name_key"]), []).append(r["id"])
            self.projects_any.setdefault((y, r["name_key"]), []).append(r["id"])
            if r["code"]:
                self.codes[(y, r["code"])] = r["id"]
        self.indicators = {(inv[r["plan_year_id"]], r["name_key"]): r["id"] for r in db.query(
            "SELECT id, plan_year_id, name_key FROM indicator WHERE active = 1")}
        self.clusters: dict[tuple[int, tuple[str, ...]], int] = {}
        for y, pid in self.years.items():
            for root in clusters.tree(db, pid):
                for path, node in root.walk():
                    self.clusters[(y, tuple(path))] = node.id
        self.descriptors = {(d["year"], d["level"], name_key(d["name"])): d for d in descriptors}

    def find(self, ref: dict[str, Any]) -> tuple[Subject | None, dict[str, Any] | None, str]:
        """(local subject, project to create, why not found)."""
        kind, year = ref["kind"], ref["year"]
        if year not in self.years:
            return None, None, f"本机没有 {year} 年的计划年度"
        if kind == "portfolio":
            pid = self.portfolio.get((year, ref["level"]))
            return (Subject("portfolio", pid), None, "") if pid else (None, None, "本机没有这个项目盘子")
        if kind == "indicator":
            iid = self.indicators.get((year, name_key(ref["name"])))
            return (Subject("indicator", iid), None, "") if iid else (None, None, "本机没有这个指标")
        if kind == "cluster":
            cid = self.clusters.get((year, tuple(ref["path"])))
            return (Subject("cluster", cid), None, "") if cid else (None, None, "本机的集群体系中没有这个节点")
        code = ref.get("code")
        if isinstance(code, str) and (year, code) in self.codes:
            return Subject("project", self.codes[(year, code)]), None, ""
        key = name_key(ref["name"])
        ids = self.projects.get((year, ref["level"], key)) or self.projects_any.get((year, key)) or []
        if len(ids) == 1:
            return Subject("project", ids[0]), None, ""
        if len(ids) > 1:
            return None, None, "本机有多个同名项目"
        desc = self.descriptors.get((year, ref["level"], key))
        if desc is None:
            return None, None, "本机没有这个项目，交换包中也没有它的基本信息"
        if (year, ref["level"]) not in self.portfolio:
            return None, None, "本机没有对应级别的项目盘子"
        return None, desc, ""


def _local_origin(db: Database, entity: str, local_id: int, me: str, my_name: str) -> dict[str, str]:
    row = db.query_one("SELECT origin_site_id, origin_site_name, origin_user, origin_recorded_at, origin_source"
                       " FROM exchange_row WHERE entity = ? AND local_id = ?", (entity, local_id))
    if row:
        return {"site_id": row["origin_site_id"], "site_name": row["origin_site_name"], "user": row["origin_user"],
                "recorded_at": row["origin_recorded_at"], "source": row["origin_source"]}
    return {"site_id": me, "site_name": my_name or "本机", "user": "", "recorded_at": "", "source": ""}


def _incoming_update_state(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What stands at the end of the month after the file's rows: per date the last row, then the latest date."""
    per_date: dict[str, dict[str, Any]] = {}
    for it in items:
        per_date[it["as_of"]] = it
    for d in sorted(per_date, reverse=True):
        if not per_date[d]["retracted"]:
            return per_date[d]
    return None


def plan_groups(db: Database, preview: ExchangePreview) -> None:
    """(Re)compute what each group of rows in the file would do; conflict choices made so far are kept."""
    payload = preview.payload
    choices = {g.key: g.choice for g in preview.groups if g.choice}
    resolver = _Resolver(db, payload["projects"])
    me, my_name = ledger.site_id(db), ledger.site_name(db)
    all_uids = [u["uid"] for u in payload["updates"]] + [t["uid"] for t in payload["targets"]]
    known = _known_uids(db, all_uids)
    groups: dict[tuple[Any, ...], Group] = {}
    for u in payload["updates"]:
        key = ("u", _ref_key(u["subject"]), u["metric"], u["as_of"][:7])
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group(key, "progress_update", u["subject"], subject_label(u["subject"]), u["metric"],
                                    u["as_of"][:7], [])
        g.items.append(u)
    for t in payload["targets"]:
        key = ("t", _ref_key(t["subject"]), t["metric"])
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group(key, "target", t["subject"], subject_label(t["subject"]), t["metric"], "", [])
        g.items.append(t)

    for g in groups.values():
        g.pending = [it for it in g.items if it["uid"] not in known]
        last = g.items[-1]
        if not g.pending:
            g.status = "known"
            continue
        subject, create, why = resolver.find(g.subject_ref)
        g.subject, g.create_project = subject, create
        if subject is None and create is None:
            g.status, g.reason = "unresolved", why
            continue
        beyond = _out_of_scope(db, preview.signer, g, subject, create)
        if beyond:
            g.status, g.reason = "out_of_scope", beyond
            continue
        if g.entity == "progress_update":
            try:
                year = int(g.period[:4])
                month = int(g.period[5:7])
                period_end = month_end(year, month)
            except ValueError:
                g.status, g.reason = "unresolved", "日期无效"
                continue
            final = _incoming_update_state(g.items)
            theirs_row = final or last
            g.theirs = Side(None if final is None else final["value"], None if final is None else final["text_value"],
                            final is None, theirs_row["as_of"], theirs_row["origin"]["site_name"],
                            theirs_row["origin"]["user"], theirs_row["origin"]["recorded_at"],
                            theirs_row["origin"].get("source", "") or theirs_row["source"], theirs_row["uid"],
                            theirs_row["origin"]["site_id"])
            local = None
            if subject is not None:
                local = updates.as_of(db, subject.kind, g.metric, period_end, since=period_end.replace(day=1),
                                      subject_id=subject.id).get(subject.id)
            if local is None:
                g.status = "same" if final is None else "new"
                continue
            origin = _local_origin(db, "progress_update", local["id"], me, my_name)
            local_uid = db.scalar("SELECT uid FROM progress_update WHERE id = ?", (local["id"],))
            g.mine = Side(local["value"], local["text_value"], False, local["as_of"], origin["site_name"],
                          origin["user"] or local["recorded_by"], origin["recorded_at"] or local["recorded_at"],
                          origin["source"] or local["source"], local_uid, origin["site_id"])
        else:
            final = max(g.items, key=lambda it: it["effective_from"])  # ties: the later row of the file
            for it in g.items:
                if it["effective_from"] == final["effective_from"]:
                    final = it
            g.theirs = Side(final["value"], None, False, final["effective_from"], final["origin"]["site_name"],
                            final["origin"]["user"], final["origin"]["recorded_at"], final["reason"], final["uid"],
                            final["origin"]["site_id"])
            local = None if subject is None else targets.current(db, subject, g.metric)
            if local is None:
                g.status = "new"
                continue
            origin = _local_origin(db, "target", local["id"], me, my_name)
            local_uid = db.scalar("SELECT uid FROM target WHERE id = ?", (local["id"],))
            g.mine = Side(local["value"], None, False, local["effective_from"], origin["site_name"],
                          origin["user"] or local["revised_by"], origin["recorded_at"] or local["revised_at"],
                          local["reason"], local_uid, origin["site_id"])
        if g.mine.same_value(g.theirs):
            g.status = "same"
            continue
        chain_uids = {it["uid"] for it in g.items}
        follows = {it.get("supersedes") or it.get("previous") for it in g.pending}
        if g.mine.uid in chain_uids or g.mine.uid in follows or (
                g.mine.site_id == g.theirs.site_id and g.mine.recorded_at <= g.theirs.recorded_at):
            # The sender changed exactly what we hold, or corrected its own figure: not two sources.
            g.status = "update"
        else:
            g.status = "conflict"
            g.choice = choices.get(g.key)
    preview.problems = exchange_problems.plan(db, payload, resolver.find)
    preview.photos = exchange_photos.plan(db, payload, resolver.find)
    preview.stamp = ledger.change_stamp(db)
    preview.groups = sorted(groups.values(), key=lambda g: (
        {"conflict": 0, "new": 1, "update": 1, "unresolved": 2, "out_of_scope": 2, "same": 3, "known": 4}[g.status], g.label, g.metric,
        g.period))


def _out_of_scope(db: Database, signer: dict[str, str], g: Group, subject: Subject | None,
                  create: dict[str, Any] | None) -> str:
    """Why a file signed by an enrolled unit may not carry this group ('' when it may): a unit reports figures for
    the projects whose 责任单位 it is; targets and new projects come only from the office (or a key enrolled as
    such). Files from unenrolled or unsigned senders are not limited here (the preview says who signed)."""
    if signer.get("status") != "enrolled" or signer.get("role") == "office":
        return ""
    unit = signer.get("unit", "")
    if g.entity == "target":
        return f"目标调整只接受区发改委发出的文件，「{unit}」的文件不能修改目标"
    if create is not None or subject is None:
        return f"新建项目只接受区发改委发出的文件，「{unit}」的文件不能新建项目"
    if subject.kind != "project":
        return f"「{unit}」的文件只能报送本单位项目的数字"
    owner = db.scalar("SELECT responsible_unit FROM project WHERE id = ?", (subject.id,)) or ""
    if owner != unit:
        return f"该项目的责任单位是「{owner or '（未填写）'}」，不是发送单位「{unit}」"
    return ""


# -- applying -----------------------------------------------------------------------------------------------------

def _origin_of(it: dict[str, Any]) -> dict[str, str]:
    o = it["origin"]
    return {"site_id": o["site_id"], "site_name": o.get("site_name", ""), "user": o.get("user", ""),
            "recorded_at": o.get("recorded_at", ""), "source_kind": o.get("source_kind", ""),
            "source": o.get("source", "")}


def _ledger_row(rows: list[dict[str, Any]], uid: str, entity: str, batch_id: int, local_id: int | None,
                decision: str, origin: dict[str, str]) -> None:
    """One exchange_row for the ledger, kept until the end of the apply and then written in one batch."""
    rows.append({"uid": uid, "entity": entity, "batch_id": batch_id, "local_id": local_id, "decision": decision,
                 "origin_site_id": origin["site_id"], "origin_site_name": origin["site_name"],
                 "origin_user": origin["user"], "origin_recorded_at": origin["recorded_at"],
                 "origin_source_kind": origin["source_kind"], "origin_source": origin["source"]})


def _write_ledger_rows(db: Database, rows: list[dict[str, Any]]) -> None:
    """The batch of ledger rows, with sqlite-utils on the same connection and inside the apply's transaction
    (its SAVEPOINT joins the BEGIN IMMEDIATE). A uid already in the ledger is kept as it was (INSERT OR IGNORE),
    as is the first of two rows with one uid."""
    if rows:
        db.utils()["exchange_row"].insert_all(rows, ignore=True, batch_size=200)


def _source(file_name: str, sender: dict[str, str], it: dict[str, Any]) -> str:
    o = it["origin"]
    who = o.get("site_name") or sender.get("name") or "对方"
    parts = [f"交换包 {file_name}：来自 {who}"]
    if o.get("user") or o.get("recorded_at"):
        parts.append(f"（{o.get('user', '')} {o.get('recorded_at', '')} 录入）".replace("（ ", "（"))
    if o.get("source"):
        parts.append(f"；原始来源：{o['source']}")
    return "".join(parts)[:2000]


def apply(db: Database, preview: ExchangePreview, *, progress: ProgressFn | None = None,
          cancelled: CancelFn | None = None) -> ExchangeResult:
    """Import everything in one transaction (all or nothing). Refuses while a conflict has no choice."""
    if not db.in_transaction:
        backups.backup_before(db, "exchange")  # a checked copy first, outside the write, as for a migration
    try:
        with db.transaction("exchange", "project", "update", "target"):
            if preview.stamp is None or preview.stamp != ledger.change_stamp(db):
                plan_groups(db, preview)
            result = _apply_planned(db, preview, progress, cancelled)
    except BaseException:
        preview.stamp = None  # rolled back after acting on the plan: plan afresh next time
        raise
    preview.stamp = None
    return result


def _apply_planned(db: Database, preview: ExchangePreview, progress: ProgressFn | None,
                   cancelled: CancelFn | None) -> ExchangeResult:
    rec_u = rec_t = created = kept = same = 0
    open_conflicts = preview.unresolved_conflicts
    if open_conflicts:
        raise ValidationError("冲突", len(open_conflicts),
                              f"还有 {len(open_conflicts)} 处冲突没有选择采用哪一方，未导入任何数据")
    todo = [g for g in preview.groups if g.status not in ("known", "unresolved", "out_of_scope")]
    if not todo and not preview.new_problems and not preview.new_photos:
        return ExchangeResult(None, 0, 0, 0, 0, 0)
    sender = preview.sender
    summary = f"导入交换包 {preview.file_name}（来自 {sender.get('name') or sender.get('host')}）"
    if preview.accepted_reason:
        summary += f"（已确认合理性提示，理由：{preview.accepted_reason}）"
    if preview.signer:
        summary += f"（{preview.signer['label']}）"
    batch_id = ledger.add_batch(db, kind="exchange", file_name=preview.file_name, sha256=preview.sha256,
                                summary=summary, sender=sender, file_created_at=preview.created_at)
    created_ids: dict[tuple[Any, ...], int] = {}
    ledger_rows: list[dict[str, Any]] = []
    for i, g in enumerate(todo):
        if cancelled is not None and cancelled():
            raise ExchangeCancelled()
        if g.status == "same" or (g.status == "conflict" and g.choice == "mine"):
            decision = "same" if g.status == "same" else "kept_mine"
            for it in g.pending:
                _ledger_row(ledger_rows, it["uid"], g.entity, batch_id, None, decision, _origin_of(it))
            same += decision == "same"
            kept += decision == "kept_mine"
            continue
        subject = g.subject
        if subject is None:
            pkey = _ref_key(g.subject_ref)
            if pkey not in created_ids:
                created_ids[pkey] = _create_project(db, g.create_project, preview.file_name, sender)
                created += 1
            subject = Subject("project", created_ids[pkey])
        if g.entity == "progress_update":
            rec_u += _apply_update_group(db, g, subject, batch_id, preview, ledger_rows)
        else:
            rec_t += _apply_target_group(db, g, subject, batch_id, preview, ledger_rows)
        if progress is not None and (i % 50 == 0 or i + 1 == len(todo)):
            progress(i + 1, len(todo), g.label)

    def project_for(it: Any) -> int:
        nonlocal created
        pkey = _ref_key(it.row["subject"])
        if pkey not in created_ids:
            created_ids[pkey] = _create_project(db, it.create_project, preview.file_name, sender)
            created += 1
        return created_ids[pkey]

    rec_p = exchange_problems.apply(db, preview.new_problems, batch_id, preview.file_name, project_for)
    rec_ph = exchange_photos.apply(db, preview.new_photos, project_for)
    _write_ledger_rows(db, ledger_rows)
    db.conn.execute("UPDATE import_batch SET summary = ? WHERE id = ?", (
        summary + f"：记录更新 {rec_u} 条，目标调整 {rec_t} 条，新建项目 {created} 个，"
                  f"冲突保留本机 {kept} 处，相同 {same} 处" + (f"，存在问题 {rec_p} 条" if rec_p else "")
                  + (f"，现场照片 {rec_ph} 张" if rec_ph else ""), batch_id))
    return ExchangeResult(batch_id, rec_u, rec_t, created, kept, same, rec_p, rec_ph)


def _create_project(db: Database, desc: dict[str, Any] | None, file_name: str, sender: dict[str, str]) -> int:
    assert desc is not None
    pf = portfolios.by_level(db, plan.current_plan_year(db, desc["year"])["id"], desc["level"])
    fields = {f: desc.get(f) for f in PROJECT_DESCRIPTOR_FIELDS if desc.get(f) not in (None, "")}
    if desc.get("cluster_path"):
        try:
            fields["cluster_id"] = clusters.find_by_path(db, pf["plan_year_id"], desc["cluster_path"])
        except PolicyTrackError:
            pass
    return projects.create(db, portfolio_id=pf["id"], name=desc["name"],
                           source=f"交换包 {file_name}：来自 {sender.get('name', '')}", **fields)


def _apply_update_group(db: Database, g: Group, subject: Subject, batch_id: int, preview: ExchangePreview,
                        ledger_rows: list[dict[str, Any]]) -> int:
    recorded = 0
    batch: list[tuple[updates.NewUpdate, dict[str, Any]]] = []

    def flush() -> None:
        # The sender's rows keep their uids (db.updates.record_many writes them as given).
        ids = updates.record_many(db, [u for u, _it in batch], source_kind="exchange",
                                  label=f"导入交换包 {preview.file_name}", audit_entity="import_batch",
                                  audit_entity_id=batch_id)
        for (_u, it), uid_id in zip(batch, ids):
            _ledger_row(ledger_rows, it["uid"], g.entity, batch_id, uid_id, "recorded", _origin_of(it))
        batch.clear()

    for it in g.pending:
        src = _source(preview.file_name, preview.sender, it)
        if it["retracted"]:
            flush()
            same_date = updates.standing(db, subject, g.metric, it["as_of"])
            if same_date is None or same_date["as_of"] != it["as_of"]:
                _ledger_row(ledger_rows, it["uid"], g.entity, batch_id, None, "same", _origin_of(it))
                continue
        batch.append((updates.NewUpdate(subject, g.metric, it["as_of"], value=it["value"], text_value=it["text_value"],
                                        note=it["note"], source=src, retract=it["retracted"], uid=it["uid"]), it))
        recorded += 1
    flush()
    # Their figure must be what stands for the month: withdraw a later-dated local row of the same month.
    period_end = month_end(int(g.period[:4]), int(g.period[5:7]))
    for _ in range(31):
        now = updates.as_of(db, subject.kind, g.metric, period_end, since=period_end.replace(day=1),
                            subject_id=subject.id).get(subject.id)
        if now is None or g.theirs is None or g.theirs.retracted:
            break
        if (now["value"], now["text_value"]) == (g.theirs.value, g.theirs.text_value) or now["as_of"] <= g.theirs.as_of:
            break
        updates.record(db, subject, g.metric, now["as_of"], retract=True, source_kind="exchange",
                       source=f"交换包 {preview.file_name}：采用对方 {g.theirs.as_of} 的数据，撤回本机同月较晚的记录")
        recorded += 1
    return recorded


def _apply_target_group(db: Database, g: Group, subject: Subject, batch_id: int, preview: ExchangePreview,
                        ledger_rows: list[dict[str, Any]]) -> int:
    recorded = 0
    local = targets.current(db, subject, g.metric)
    for it in sorted(g.pending, key=lambda x: x["effective_from"]):
        origin = _origin_of(it)
        eff = it["effective_from"]
        reason = it["reason"]
        if local is not None and g.theirs is not None and it["uid"] == g.theirs.uid and local["effective_from"] > eff:
            # Their revision must stand: date it no earlier than the local one it replaces.
            eff = local["effective_from"]
            reason = f"{reason}（交换包冲突处理：采用对方的值）"
        with ledger.keep_uid(db, "target", it["uid"]):
            rid = targets.revise(db, subject, g.metric, it["value"], reason=reason, effective_from=eff,
                                 doc_no=it["doc_no"], source=_source(preview.file_name, preview.sender, it),
                                 action="target.exchange")
        _ledger_row(ledger_rows, it["uid"], g.entity, batch_id, rid, "recorded", origin)
        recorded += 1
    return recorded
