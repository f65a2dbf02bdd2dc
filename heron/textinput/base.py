"""What the keyboard engine answers with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Correction:
    """A word the user typed, and what autocorrection makes of it."""

    word: str
    """As typed."""
    correction: str | None
    """What replaces it (cased like the typed word), or None: it is left alone."""
    candidates: tuple[str, ...] = field(default=())
    """Spellings to offer, best first (the correction first when there is one)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "correction": self.correction,
            "corrected": self.correction is not None,
            "candidates": list(self.candidates),
        }


@dataclass(frozen=True)
class Learnt:
    """What `learn` took in."""

    words: int
    """Words counted (numbers, URLs, e-mail addresses and the like are never learnt)."""
    new_words: int
    """Of which were not in the user's model before."""

    def as_dict(self) -> dict[str, Any]:
        return {"words": self.words, "new_words": self.new_words}
