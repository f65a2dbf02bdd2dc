"""Keystroke savings: a user types each word letter by letter and taps a suggestion as soon as
it shows the word (a tap writes the word and the space after it); what they typed against what
the text has. Also how often the word was the first suggestion, or among the first three,
before any letter of it was typed (next-word accuracy)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import regex

from heron.textinput.tokens import WORD_PATTERN

Predict = Callable[[str, str, int], list[str]]
"""(text before the word, letters typed of it, how many) → suggestions."""

_WORD = regex.compile(WORD_PATTERN.removesuffix("'?"))


@dataclass
class Evaluation:
    keystrokes: int = 0
    """What typing the texts takes with suggestions tapped."""
    typed: int = 0
    """What typing them takes letter by letter (every character, spaces too)."""
    words: int = 0
    top1: float = 0.0
    """Share of words that were the first suggestion before a letter was typed."""
    top3: float = 0.0

    @property
    def savings(self) -> float:
        return 1 - self.keystrokes / self.typed if self.typed else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "keystroke_savings": round(self.savings, 4),
            "keystrokes": self.keystrokes,
            "characters": self.typed,
            "words": self.words,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
        }


def word_cost(predict: Predict, context: str, word: str, n: int) -> tuple[int, bool, list[str]]:
    """Keystrokes to enter `word` (its letters, or the ones typed before a tap plus the tap),
    whether it was tapped, and the suggestions shown before its first letter."""
    first: list[str] = []
    for typed in range(len(word)):
        shown = predict(context, word[:typed], n)
        if typed == 0:
            first = shown
        if word in shown:
            return typed + 1, True, first
    return len(word), False, first


def evaluate(
    predict: Predict,
    texts: Iterable[str],
    *,
    n: int = 3,
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Simulates typing each text (`progress` gets the number of words of each text done)."""
    result = Evaluation()
    first_hits = hits = 0
    for text in texts:
        done = 0
        at = 0
        for match in _WORD.finditer(text):
            result.keystrokes += match.start() - at  # what lies between words is typed
            word = match.group()
            cost, tapped, shown = word_cost(predict, text[: match.start()], word, n)
            result.keystrokes += cost
            at = match.end()
            if tapped and text[at : at + 1] == " ":
                at += 1  # the tap wrote the space too
            first_hits += bool(shown) and shown[0] == word
            hits += word in shown[:3]
            result.words += 1
            done += 1
        result.keystrokes += len(text) - at
        result.typed += len(text)
        if progress is not None:
            progress(done)
    if result.words:
        result.top1 = first_hits / result.words
        result.top3 = hits / result.words
    return result
