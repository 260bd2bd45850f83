"""Every `$ policytrack …` example in README.md runs against the built-in dataset and prints what README shows.

An example block is a fenced block whose lines starting with "$ " are commands; the lines after a command, up to
the next command, are its output (stdout, then stderr). A last output line "…" means the output goes on. Each
block runs on a fresh database, its commands in order (a later one may depend on what an earlier one recorded).
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def example_blocks() -> list[list[tuple[str, list[str]]]]:
    blocks = []
    for body in re.findall(r"^```[a-z]*\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S):
        steps: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
        if steps:
            blocks.append(steps)
    return blocks


def test_readme_has_the_examples():
    commands = [cmd for block in example_blocks() for cmd, _ in block]
    assert any(c.startswith("policytrack record ") for c in commands)
    assert any(c.startswith("policytrack summary ") for c in commands)


@pytest.mark.parametrize("block", example_blocks(), ids=lambda b: b[0][0][:60])
def test_readme_example_prints_what_readme_shows(block, tmp_path):
    # Run in a scratch folder (files an example writes land there), importing this checkout's code.
    env = {**os.environ, "POLICYTRACK_DB": str(tmp_path / "readme.db"),
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    for command, expected in block:
        argv = shlex.split(command)
        assert argv[0] == "policytrack"
        out = subprocess.run([sys.executable, "-m", "desktop", *argv[1:]], cwd=tmp_path, env=env, capture_output=True,
                             text=True, timeout=120)
        printed = (out.stdout + out.stderr).splitlines()
        assert out.returncode == (2 if expected and expected[0].startswith("policytrack: ") else 0), out.stderr
        if expected and expected[-1] == "…":
            assert printed[:len(expected) - 1] == expected[:-1], command
            assert len(printed) > len(expected) - 1
        else:
            assert printed == expected, command
