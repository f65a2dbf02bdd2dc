"""Matching templates against an utterance's tokens, with typed slots checked as they match.

A slot takes a span of words only if its type's parser accepts them; among complete matches
the most specific wins (more literal words, typed slots over free text).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from heron.language.normalize import Utterance
from heron.language.slots import ParseContext, SlotType, Span
from heron.language.templates import Alternative, Node, Sequence, Slot, Word

MAX_STEPS = 20_000
_MISSING = object()


@dataclass(frozen=True)
class Match:
    slots: dict[str, Any]
    literals: int
    """Template words matched: more means more specific."""
    free_tokens: int
    """Words taken by free-text slots: fewer means more specific."""

    @property
    def score(self) -> tuple[int, int]:
        return (self.literals, -self.free_tokens)


# A partial match: (position, slots so far as (name, value) pairs, literal count, free tokens)
_State = tuple[int, tuple[tuple[str, Any], ...], int, int]


class _Run:
    def __init__(
        self, utterance: Utterance, types: dict[str, SlotType], context: ParseContext
    ) -> None:
        self.tokens = utterance.tokens
        self.utterance = utterance
        self.types = types
        self.context = context
        self.cache: dict[tuple[str, int, int], Any] = {}
        self.steps = 0

    def parse(self, slot_type: SlotType, start: int, end: int) -> Any:
        key = (slot_type.name, start, end)
        value = self.cache.get(key, _MISSING)
        if value is _MISSING:
            span = Span(self.tokens[start:end], self.utterance.original(start, end))
            value = slot_type.parse(span, self.context)
            self.cache[key] = value
        return value

    def walk(self, node: Node, state: _State) -> Iterator[_State]:
        self.steps += 1
        if self.steps > MAX_STEPS:
            return
        pos, slots, literals, free = state
        if isinstance(node, Word):
            if pos < len(self.tokens) and self.tokens[pos] == node.text:
                yield (pos + 1, slots, literals + 1, free)
        elif isinstance(node, Slot):
            slot_type = self.types[node.name]
            longest = min(len(self.tokens), pos + slot_type.max_tokens)
            for end in range(longest, pos, -1):
                value = self.parse(slot_type, pos, end)
                if value is not None:
                    taken = end - pos if slot_type.free else 0
                    yield (end, (*slots, (node.name, value)), literals, free + taken)
        elif isinstance(node, Sequence):
            yield from self._sequence(node.items, 0, state)
        else:
            assert isinstance(node, Alternative)
            for option in node.options:
                yield from self.walk(option, state)
            if node.optional:
                yield state

    def _sequence(self, items: tuple[Node, ...], index: int, state: _State) -> Iterator[_State]:
        if index == len(items):
            yield state
            return
        for next_state in self.walk(items[index], state):
            yield from self._sequence(items, index + 1, next_state)


class Recognizer:
    """Holds the utterance-wide parse cache while several templates are tried."""

    def __init__(
        self, utterance: Utterance, types: dict[str, SlotType], context: ParseContext
    ) -> None:
        self._run = _Run(utterance, types, context)

    def match(self, node: Node, types: dict[str, SlotType]) -> Match | None:
        """The best complete match of `node` over the whole utterance, or None."""
        run = self._run
        run.types = types
        run.steps = 0
        best: Match | None = None
        length = len(run.tokens)
        for pos, slots, literals, free in run.walk(node, (0, (), 0, 0)):
            if pos != length:
                continue
            found = Match(dict(slots), literals, free)
            if best is None or found.score > best.score:
                best = found
        return best
