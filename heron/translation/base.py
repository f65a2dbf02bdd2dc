"""What every translation engine offers: directed language pairs, and text translated one
segment at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Pair:
    """A direction an engine translates in, by ISO 639-1 codes where they exist ("en",
    "es"; "ast" for Asturian)."""

    source: str
    target: str
    engine: str

    def __str__(self) -> str:
        return f"{self.source}-{self.target}"


@dataclass(frozen=True)
class Segment:
    """One segment's translation by one engine."""

    text: str
    unknown: tuple[str, ...] = field(default=())
    """Source words the engine did not know; they are left as they were, unmarked."""


class Engine(Protocol):
    """A translation engine. `translate` blocks: callers run it in a worker thread."""

    name: str
    handles_markup: bool
    """Whether `translate(markup=True)` keeps tags where they belong."""
    keeps_names: bool
    """Whether names come through as they were (a neural engine's do; Apertium's do not:
    "Rose" becomes "Ascendió"), or must be protected."""

    def pairs(self) -> list[Pair]: ...

    def translate(
        self, segments: Sequence[str], source: str, target: str, *, markup: bool = False
    ) -> list[Segment]:
        """Each segment (one line, no newlines) translated. `markup`: the segments hold
        HTML/XML tags, which are kept where they are and never translated."""
        ...

    def close(self) -> None: ...
