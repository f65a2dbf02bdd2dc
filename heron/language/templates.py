"""Sentence templates as data: `set [a] {name} timer for {duration}`, `(what|which) day ...`.

Syntax: words; `(a|b c)` alternatives; `[a|b]` optional alternatives; `{slot}` a typed slot.
A template parses into a small expression tree that `recognize` matches and `sample` expands.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from heron.errors import BadInput
from heron.language.normalize import tokenize


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Slot:
    name: str


@dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alternative:
    options: tuple[Node, ...]
    optional: bool = False


Node = Word | Slot | Sequence | Alternative


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0

    def fail(self, why: str) -> BadInput:
        return BadInput(f"template {self.source!r}: {why} at character {self.pos}")

    def parse(self) -> Node:
        node = self.sequence(closing="")
        if self.pos != len(self.source):
            raise self.fail(f"unexpected {self.source[self.pos]!r}")
        return node

    def sequence(self, closing: str) -> Node:
        """Alternatives separated by `|` up to `closing`; returns the alternative's node."""
        options: list[Node] = []
        items: list[Node] = []
        text: list[str] = []

        def flush_text() -> None:
            if text:
                items.extend(Word(w) for w in tokenize("".join(text)))
                text.clear()

        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char in ")]":
                if char != closing:
                    raise self.fail(f"unbalanced {char!r}")
                break
            self.pos += 1
            if char == "(":
                flush_text()
                items.append(self._group(")", optional=False))
            elif char == "[":
                flush_text()
                items.append(self._group("]", optional=True))
            elif char == "{":
                flush_text()
                end = self.source.find("}", self.pos)
                if end < 0:
                    raise self.fail("unclosed '{'")
                name = self.source[self.pos : end].strip()
                if not name.isidentifier():
                    raise self.fail(f"bad slot name {name!r}")
                items.append(Slot(name))
                self.pos = end + 1
            elif char == "}":
                raise self.fail("unbalanced '}'")
            elif char == "|":
                flush_text()
                options.append(_seq(items))
                items = []
            else:
                text.append(char)
        flush_text()
        if closing and (self.pos >= len(self.source) or self.source[self.pos] != closing):
            raise self.fail(f"missing {closing!r}")
        options.append(_seq(items))
        return options[0] if len(options) == 1 else Alternative(tuple(options))

    def _group(self, closing: str, optional: bool) -> Node:
        inner = self.sequence(closing)
        self.pos += 1  # the closing bracket
        if isinstance(inner, Alternative):
            return Alternative(inner.options, optional=optional)
        return Alternative((inner,), optional=optional)


def _seq(items: list[Node]) -> Node:
    return items[0] if len(items) == 1 else Sequence(tuple(items))


def parse_template(source: str) -> Node:
    return _Parser(source).parse()


def slots_of(node: Node) -> set[str]:
    if isinstance(node, Slot):
        return {node.name}
    if isinstance(node, Word):
        return set()
    children = node.items if isinstance(node, Sequence) else node.options
    return set().union(*(slots_of(child) for child in children))


def required_words(node: Node) -> frozenset[str]:
    """Words every sentence the template matches must contain (a fast pre-filter)."""
    if isinstance(node, Word):
        return frozenset((node.text,))
    if isinstance(node, Slot):
        return frozenset()
    if isinstance(node, Sequence):
        return frozenset().union(*(required_words(i) for i in node.items))
    if node.optional:
        return frozenset()
    sets = [required_words(o) for o in node.options]
    return frozenset.intersection(*sets) if sets else frozenset()


def sample(node: Node, fill: dict[str, list[str]], rng: random.Random) -> Iterator[str]:
    """One random sentence the template matches, with slots filled from `fill`."""
    if isinstance(node, Word):
        yield node.text
    elif isinstance(node, Slot):
        yield rng.choice(fill[node.name])
    elif isinstance(node, Sequence):
        for item in node.items:
            yield from sample(item, fill, rng)
    else:
        choices = list(node.options) + ([Sequence(())] if node.optional else [])
        yield from sample(rng.choice(choices), fill, rng)
