"""Hand-made exchange files for refusal tests: change a file's payload, then make its checksum and signature fit
again (as a faulty or hostile PolicyTrack holding the sender's key would), so the checks behind them are reached."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from db import exchange, identity, open_database


def rewrite(path: str | Path, change: Callable[[dict[str, Any]], Any], signer: Any) -> Path:
    """Apply ``change`` to the document at ``path`` and re-checksum and re-sign it with ``signer``'s key (an open
    Database or a database path)."""
    p = Path(path)
    doc = json.loads(p.read_text(encoding="utf-8"))
    change(doc)
    body = exchange.canonical(doc["payload"])
    doc["checksum"]["value"] = hashlib.sha256(body).hexdigest()
    db = signer if hasattr(signer, "conn") else open_database(signer)
    try:
        value, fp = identity.sign(db, body)
        doc["signature"] = {"algorithm": "ed25519", "fingerprint": fp,
                            "public_key": identity.ensure_key(db).public_key, "value": value}
    finally:
        if db is not signer:
            db.close()
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return p
