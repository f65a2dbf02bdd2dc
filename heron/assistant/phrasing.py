"""Small helpers for replies that read naturally: lists of things and counted nouns."""

from __future__ import annotations

from collections.abc import Sequence


def join_words(words: Sequence[str], separator: str = ", ") -> str:
    """ "a", "a and b", "a, b and c" (with "; " the last joint is "; and")."""
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    last = "; and " if separator.strip() == ";" else " and "
    return separator.join(words[:-1]) + last + words[-1]


def count(amount: int, noun: str) -> str:
    """ "1 timer", "3 timers"."""
    return f"{amount:,} {noun}{'' if amount == 1 else 's'}"
