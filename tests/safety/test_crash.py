"""SIGKILL while writing, again and again: nothing committed is lost, nothing is half-written, the file is sound,
and the next start opens normally although the killed writer left its lock behind."""
from __future__ import annotations

import os

import pytest

from tests.safety import harness

KILLS = int(os.environ.get("POLICYTRACK_CRASH_KILLS", "50"))


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_sigkill_during_writes_loses_nothing_committed(tmp_path):
    path = tmp_path / "crash.db"
    harness.prepare(path)
    stats = harness.crash_rounds(path, KILLS)
    print("crash test:", stats.as_dict())
    assert stats.problems == []
    assert stats.kills == KILLS >= 50
    # The kills must have landed while writes were going on, or the test proves nothing.
    assert stats.updates_checked > KILLS
    assert stats.batches_checked > 0 and stats.targets_checked > 0 and stats.edits_checked > 0


def test_verification_notices_a_lost_update(tmp_path):
    """The checker itself can fail: an id printed but not in the file is reported."""
    path = tmp_path / "crash.db"
    harness.prepare(path)
    stats = harness.CrashStats()
    harness._verify(path, [{"n": 1, "update": 10**9, "value": 5}], {}, {}, stats)
    assert stats.problems and "missing" in stats.problems[0]
    stats = harness.CrashStats()
    harness._verify(path, [], {1: (1, "不存在的备注")}, {}, stats)
    assert stats.problems


KILLED_BEFORE_CHECKPOINT = r"""
import os, signal, sys
sys.path.insert(0, {root!r})
from db import open_database, updates
from db.subjects import Subject
db = open_database({path!r})
db.conn.execute("PRAGMA wal_autocheckpoint = 0")
pid = db.scalar("SELECT id FROM project ORDER BY id LIMIT 1")
with db.transaction("update"):
    for i in range(3000):
        updates.record(db, Subject("project", pid), "completed", "2023-07-31", value=i, note="x" * 200)
print("committed", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_checkpoint_cut_short_is_not_taken_for_a_truncated_file(tmp_path):
    """Found by the kill loop: a checkpoint killed after writing page 1 but before extending the file leaves a
    main file shorter than its header says, with every page safe in the -wal. That must open, not be refused."""
    import struct
    import subprocess
    import sys

    from db import open_database

    path = tmp_path / "crash.db"
    harness.prepare(path)
    out = subprocess.run([sys.executable, "-c", KILLED_BEFORE_CHECKPOINT.format(root=str(harness.ROOT),
                                                                                path=str(path))],
                         capture_output=True, text=True, timeout=120)
    assert "committed" in out.stdout, out.stderr
    wal = tmp_path / "crash.db-wal"
    assert wal.stat().st_size > path.stat().st_size
    # Page 1 as the checkpoint writes it first: the new page count, while the file has not grown yet.
    data = bytearray(path.read_bytes())
    page_size = struct.unpack(">H", data[16:18])[0]
    real_pages = len(data) // page_size
    counter = struct.unpack(">I", data[24:28])[0]
    data[28:32] = struct.pack(">I", real_pages + 50)
    data[92:96] = struct.pack(">I", counter)
    path.write_bytes(bytes(data))
    db = open_database(path)
    try:
        assert db.scalar("SELECT count(*) FROM progress_update WHERE note = ?", ("x" * 200,)) == 3000
        assert db.scalar("PRAGMA integrity_check") == "ok"
    finally:
        db.close()
