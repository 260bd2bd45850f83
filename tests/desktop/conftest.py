"""Desktop fixtures: no modal question may block a test."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def unsaved_answer(monkeypatch):
    """The 保存 / 放弃 / 取消 question about typed, unsaved figures answers 放弃 unless a test sets another answer:
    ``unsaved_answer.answer = "save"``; every question asked is in ``unsaved_answer.asked`` as (title, text)."""
    from desktop import dialogs

    class Answer:
        answer = "discard"
        asked: list[tuple[str, str]] = []

    state = Answer()
    state.asked = []

    def ask(parent, title, text):
        state.asked.append((title, text))
        return state.answer

    monkeypatch.setattr(dialogs, "ask_unsaved", ask)
    return state
