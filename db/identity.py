"""Who a database speaks for: its signing key pair, and the office's 单位名册 (the units whose keys it trusts).

Each database has one Ed25519 key pair, made the first time it is needed (so start-up never loads the crypto
library) and made anew when the file turns out to be a copy (db.ledger.ensure_site_identity drops the old one). The
private key never leaves the database: exchange files carry signatures and the public key's fingerprint only.

Enrolment is deliberately two-sided: a unit exports a small 身份文件 (its name and public key); the office imports it
and must type the fingerprint the unit reads out by phone (groups of digits, the same on both screens), so a file
swapped on the way cannot enrol a stranger. Re-keying and revoking are logged; a revoked key is kept (rows are never
deleted), so old signatures can still be told apart from forged ones.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from db import audit
from db.connection import Database
from db.errors import NotFoundError, PolicyTrackError, ValidationError
from db.validate import parse_name, parse_text

IDENTITY_FORMAT = "policytrack-identity"
IDENTITY_VERSION = 1
IDENTITY_SUFFIX = ".ptid"
MAX_IDENTITY_BYTES = 64 * 1024
_PRIVATE_KEY = "identity_private_key"   # setting: base64 of the raw 32-byte Ed25519 private key
_PUBLIC_KEY = "identity_public_key"     # setting: base64 of the raw 32-byte public key
ROLE_LABELS = {"unit": "责任单位", "office": "区发改委（不限范围）"}
_NAME = "identity_name"
_SEAL_KEY = "form_seal_key"               # setting: base64 of 32 random bytes (sealer), kept when the file moves                 # setting: the name this site enrols under (a unit's or the office's)


class IdentityRefused(PolicyTrackError):
    """A 身份文件 or an enrolment that cannot be accepted; nothing was changed."""


@dataclass(frozen=True)
class Identity:
    name: str
    public_key: str        # base64, raw 32 bytes
    fingerprint: str       # 6 groups of 5 digits, read out by phone


@dataclass(frozen=True)
class EnrolledUnit:
    id: int
    unit: str
    public_key: str
    fingerprint: str
    enrolled_by: str
    enrolled_at: str
    revoked_at: str | None
    revoked_by: str | None
    revoke_reason: str | None
    role: str = "unit"     # 'unit': its files carry its own projects' figures only; 'office': no such limit

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def fingerprint(public_key_b64: str) -> str:
    """Thirty digits in six groups of five, from SHA-256 of the raw public key: easy to read out and compare."""
    digest = hashlib.sha256(base64.b64decode(public_key_b64)).digest()
    digits = str(int.from_bytes(digest[:16], "big") % 10 ** 30).zfill(30)
    return " ".join(digits[i:i + 5] for i in range(0, 30, 5))


def normalise_fingerprint(text: str) -> str:
    digits = "".join(ch for ch in str(text) if ch.isdigit())
    return " ".join(digits[i:i + 5] for i in range(0, len(digits), 5))


def _setting(db: Database, key: str) -> str | None:
    value = db.scalar("SELECT value FROM setting WHERE key = ?", (key,))
    return None if value is None else str(value)


def _put(db: Database, key: str, value: str) -> None:
    db.conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def default_name(db: Database) -> str:
    district = db.scalar("SELECT district FROM plan_year ORDER BY year DESC LIMIT 1")
    return f"{district}发展和改革委员会" if district else "本单位"


def ensure_key(db: Database) -> Identity:
    """This database's identity, making its key pair the first time (logged)."""
    public = _setting(db, _PUBLIC_KEY)
    if public is None or _setting(db, _PRIVATE_KEY) is None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = Ed25519PrivateKey.generate()
        private_raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
        public_raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        public = base64.b64encode(public_raw).decode("ascii")
        with db.transaction("setting"):
            if _setting(db, _PUBLIC_KEY) is None or _setting(db, _PRIVATE_KEY) is None:
                _put(db, _PRIVATE_KEY, base64.b64encode(private_raw).decode("ascii"))
                _put(db, _PUBLIC_KEY, public)
                audit.log(db, action="identity.create", entity="setting", entity_id=None,
                          summary=f"生成本机签名密钥，指纹 {fingerprint(public)}",
                          after={"fingerprint": fingerprint(public)})
            public = _setting(db, _PUBLIC_KEY)
    assert public is not None
    return Identity(name=_setting(db, _NAME) or default_name(db), public_key=public, fingerprint=fingerprint(public))


def own_fingerprint(db: Database) -> str | None:
    """This database's key fingerprint, or None while it has none yet (never makes one: safe in a read)."""
    public = _setting(db, _PUBLIC_KEY)
    return None if public is None else fingerprint(public)


def forget_key(db: Database) -> None:
    """Drop the key pair (inside the caller's transaction): a copied database must not sign as its original."""
    db.conn.execute("DELETE FROM setting WHERE key IN (?, ?)", (_PRIVATE_KEY, _PUBLIC_KEY))


def sign(db: Database, payload: bytes) -> tuple[str, str]:
    """(signature, fingerprint) of ``payload`` with this database's key; base64 signature."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    ident = ensure_key(db)
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(_setting(db, _PRIVATE_KEY) or ""))
    return base64.b64encode(key.sign(payload)).decode("ascii"), ident.fingerprint


def sealer(db: Database) -> Callable[[bytes], str]:
    """A function giving the HMAC-SHA256 (hex) of a message under this database's sealing key: a value only this
    database can make and check, e.g. the seal on a 填报表's locked cells (db.cycle). The key is a random secret of
    its own (made on first use, logged), not the signing key: a database moved to another PC gets a new signing key,
    but the forms it sent out before must still check. Read once, so sealing many rows costs one HMAC each."""
    import hmac

    raw = _setting(db, _SEAL_KEY)
    if raw is None:
        with db.transaction("setting"):
            if _setting(db, _SEAL_KEY) is None:
                _put(db, _SEAL_KEY, base64.b64encode(os.urandom(32)).decode("ascii"))
                audit.log(db, action="setting.set", entity="setting", entity_id=None,
                          summary="生成填报表封签密钥", after={_SEAL_KEY: "（已生成）"})
        raw = _setting(db, _SEAL_KEY)
    key = base64.b64decode(raw or "")
    return lambda message: hmac.new(key, message, hashlib.sha256).hexdigest()


def verify(public_key_b64: str, payload: bytes, signature_b64: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64)).verify(
            base64.b64decode(signature_b64), payload)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def set_name(db: Database, name: object) -> str:
    value = parse_name(name, "本单位名称")
    before = _setting(db, _NAME)
    with db.transaction("setting"):
        _put(db, _NAME, value)
        audit.log(db, action="setting.set", entity="setting", entity_id=None, summary=f"本单位名称：{value}",
                  before={_NAME: before}, after={_NAME: value})
    return value


def identity_document(db: Database, name: str | None = None) -> dict[str, Any]:
    """The 身份文件's content: the name and public key only (never the private key)."""
    ident = ensure_key(db)
    return {"format": IDENTITY_FORMAT, "version": IDENTITY_VERSION, "unit": name or ident.name,
            "public_key": ident.public_key, "fingerprint": ident.fingerprint,
            "made": dt.date.today().isoformat()}


def write_identity(db: Database, out: str | os.PathLike, name: str | None = None) -> Identity:
    """Write the 身份文件 to ``out`` (the caller checked the path); returns what it holds."""
    from db.outputs import atomic_output

    doc = identity_document(db, parse_name(name, "单位名称") if name else None)
    with atomic_output(out) as tmp:
        Path(tmp).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Identity(name=doc["unit"], public_key=doc["public_key"], fingerprint=doc["fingerprint"])


def read_identity(path: str | os.PathLike) -> Identity:
    """Read and check a 身份文件; IdentityRefused names the file and the problem."""
    p = Path(path)
    try:
        if not p.is_file():
            raise IdentityRefused(f"身份文件 {p} 不存在或不是普通文件")
        if p.stat().st_size > MAX_IDENTITY_BYTES:
            raise IdentityRefused(f"身份文件 {p} 过大（超过 64 KB），不是 PolicyTrack 身份文件")
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
            raise IdentityRefused(f"读取身份文件 {p} 失败：{exc.strerror or exc}") from None
        raise IdentityRefused(f"身份文件 {p} 无法读取或不是 PolicyTrack 身份文件") from None
    if not isinstance(doc, dict) or doc.get("format") != IDENTITY_FORMAT:
        raise IdentityRefused(f"{p} 不是 PolicyTrack 身份文件")
    if doc.get("version") != IDENTITY_VERSION:
        raise IdentityRefused(f"身份文件 {p} 的版本 {doc.get('version')!r} 不受支持")
    key = doc.get("public_key")
    try:
        if not isinstance(key, str) or len(base64.b64decode(key, validate=True)) != 32:
            raise ValueError
    except ValueError:
        raise IdentityRefused(f"身份文件 {p} 的公钥无效") from None
    try:
        unit = parse_name(doc.get("unit"), "单位名称")
    except ValidationError as exc:
        raise IdentityRefused(f"身份文件 {p}：{exc}") from None
    return Identity(name=unit, public_key=key, fingerprint=fingerprint(key))


def _row(r: dict[str, Any]) -> EnrolledUnit:
    return EnrolledUnit(**{k: r[k] for k in EnrolledUnit.__dataclass_fields__})


_SELECT = ("SELECT id, unit, public_key, fingerprint, enrolled_by, enrolled_at, revoked_at, revoked_by, revoke_reason,"
           " role FROM unit_key")


def units(db: Database, *, include_revoked: bool = True) -> list[EnrolledUnit]:
    """The 单位名册, by unit name, newest enrolment first within a unit."""
    rows = db.query(_SELECT + " WHERE (? OR revoked_at IS NULL)"
                    " ORDER BY unit, enrolled_at DESC, id DESC", (int(include_revoked),))
    return [_row(r) for r in rows]


def active_key(db: Database, unit: str) -> EnrolledUnit | None:
    r = db.query_one(_SELECT + " WHERE unit = ? AND revoked_at IS NULL", (unit,))
    return None if r is None else _row(r)


def by_fingerprint(db: Database, fp: str) -> EnrolledUnit | None:
    """The enrolment of the key with this fingerprint (an active one first), or None."""
    r = db.query_one(_SELECT + " WHERE fingerprint = ?"
                     " ORDER BY revoked_at IS NOT NULL, id DESC", (normalise_fingerprint(fp),))
    return None if r is None else _row(r)


def enrol(db: Database, ident: Identity, *, confirmed_fingerprint: str, rekey: bool = False,
          role: str = "unit") -> EnrolledUnit:
    """Add a unit's key to the 名册 once its fingerprint was confirmed (typed as read out by the unit).

    Refused, changing nothing: a fingerprint that does not match; a key already enrolled; a unit that already has
    an active key unless ``rekey`` (then the old key is revoked in the same transaction, logged)."""
    if role not in ROLE_LABELS:
        raise ValidationError("身份", role, "只能是 unit（责任单位）或 office（区发改委）")
    typed = normalise_fingerprint(confirmed_fingerprint)
    if typed != ident.fingerprint:
        raise ValidationError("指纹", confirmed_fingerprint,
                              f"与身份文件中的公钥不符（应为 {ident.fingerprint}，请与该单位电话核对）")
    existing = by_fingerprint(db, ident.fingerprint)
    if existing is not None:
        raise IdentityRefused(f"这个公钥已登记给「{existing.unit}」（{existing.enrolled_at}），不能重复登记")
    with db.transaction("unit_key"):
        old = active_key(db, ident.name)
        if old is not None:
            if not rekey:
                raise IdentityRefused(f"「{ident.name}」已登记公钥（指纹 {old.fingerprint}）；"
                                      f"更换密钥请加 --rekey（旧公钥会被注销）")
            db.conn.execute("UPDATE unit_key SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?",
                            (db.now(), db.user, "更换密钥", old.id))
        cur = db.conn.execute("INSERT INTO unit_key (unit, public_key, fingerprint, enrolled_by, enrolled_at, role)"
                              " VALUES (?, ?, ?, ?, ?, ?)",
                              (ident.name, ident.public_key, ident.fingerprint, db.user, db.now(), role))
        new_id = int(cur.lastrowid)
        audit.log(db, action="unit.rekey" if old is not None else "unit.enrol", entity="unit_key",
                  entity_id=new_id,
                  summary=(f"更换「{ident.name}」的公钥，新指纹 {ident.fingerprint}" if old is not None
                           else f"登记「{ident.name}」（{ROLE_LABELS[role]}），指纹 {ident.fingerprint}"),
                  before=None if old is None else {"fingerprint": old.fingerprint},
                  after={"unit": ident.name, "fingerprint": ident.fingerprint, "role": role})
    got = active_key(db, ident.name)
    assert got is not None
    return got


def revoke(db: Database, unit: str, *, reason: object) -> EnrolledUnit:
    """Revoke a unit's active key (logged); its files are refused from now on until it enrols again."""
    why = parse_text(reason, "注销原因")
    if not why:
        raise ValidationError("注销原因", reason, "不能为空")
    with db.transaction("unit_key"):
        old = active_key(db, unit)
        if old is None:
            raise NotFoundError(f"单位名册中没有「{unit}」的有效公钥")
        db.conn.execute("UPDATE unit_key SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?",
                        (db.now(), db.user, why, old.id))
        audit.log(db, action="unit.revoke", entity="unit_key", entity_id=old.id,
                  summary=f"注销「{unit}」的公钥（指纹 {old.fingerprint}）：{why}",
                  before={"fingerprint": old.fingerprint}, after={"revoked": why})
    return _row(db.query_one(_SELECT + " WHERE id = ?", (old.id,)) or {})
