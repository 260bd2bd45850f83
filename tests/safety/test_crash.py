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
