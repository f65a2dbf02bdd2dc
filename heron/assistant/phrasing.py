"""Small helpers for replies that read naturally: lists of things and counted nouns."""

from __future__ import annotations

from collections.abc import Sequence


def sentence_case(text: str) -> str:
    """A capital first letter and a full stop at the end (unless it ends already)."""
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def join_words(words: Sequence[str], separator: str = ", ") -> str:
    """ "a", "a and b", "a, b and c" (with "; " the last joint is "; and")."""
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    last = "; and " if separator.strip() == ";" else " and "
    return separator.join(words[:-1]) + last + words[-1]


def count(amount: int, noun: str) -> str:
    """ "1 timer", "3 timers", "2 cities"."""
    return f"{amount:,} {noun if amount == 1 else plural(noun)}"


def plural(noun: str) -> str:
    """Regular English plurals: "timer" → "timers", "city" → "cities", "box" → "boxes"."""
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    return noun + "s"
