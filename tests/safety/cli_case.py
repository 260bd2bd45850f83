"""Helpers for refusal tests: run a command, assert exit 2, one line on stderr without a traceback, nothing
changed (the database byte-identical)."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_process(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def run_in_process(capsys, *args: str) -> tuple[int, str, str]:
    from desktop import cli

    capsys.readouterr()
    code = cli.run([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_one_line_refusal(code: int, err: str, *words: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def refused(capsys, db_path: Path, *args: str, words: tuple[str, ...] = ()) -> str:
    """Run in process; exit 2, one line with every word, the database file byte-identical."""
    before = sha(db_path)
    code, _out, err = run_in_process(capsys, *args)
    line = assert_one_line_refusal(code, err, *words)
    assert sha(db_path) == before
    return line
