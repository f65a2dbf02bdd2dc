"""Training data for a language app: labelled examples, checked before any training starts.

Every problem is reported with the example it is in ("example 12 ('wake me up'): ..."), so a
user with ten thousand lines can find it.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from heron.errors import BadInput, TooLarge
from heron.language.slots import SLOT_TYPES

MAX_EXAMPLES = 50_000
MAX_TEXT_CHARS = 500
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")
BUILTIN_ENTITIES = ("number", "duration", "datetime", "date", "unit", "quantity", "city")
"""Core parsers an app may use: found without training, or giving a tagged span its value."""


@dataclass(frozen=True)
class EntityMark:
    entity: str
    start: int
    end: int
    """Character offsets into the example's text, end exclusive."""


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[EntityMark, ...] = ()


@dataclass(frozen=True)
class TrainingSet:
    examples: tuple[Example, ...]
    out_of_scope: tuple[str, ...] = ()
    """Optional sentences the app must not accept: they set the rejection threshold."""
    builtin_entities: tuple[str, ...] = ()
    """Core entity types to find in every text without training (e.g. "duration")."""
    entity_types: dict[str, str] = field(default_factory=dict)
    """A learnt entity → the core type that parses its value (e.g. "time" → "datetime")."""
    embeddings: bool = True
    """Use sentence embeddings (more accurate on paraphrases); false: n-grams only, about five
    times faster to predict and to train."""

    @property
    def intents(self) -> list[str]:
        return sorted({example.intent for example in self.examples})

    @property
    def entities(self) -> list[str]:
        return sorted({mark.entity for ex in self.examples for mark in ex.entities})

    @classmethod
    def from_json(cls, data: Any, *, test: bool = False) -> TrainingSet:
        """Checks everything; BadInput naming the first offending example otherwise. A `test`
        set (for evaluation) may have any number of examples per intent."""
        if not isinstance(data, dict):
            raise BadInput('training data must be a JSON object: {"examples": [...]}')
        unknown = set(data) - {
            "examples",
            "out_of_scope",
            "builtin_entities",
            "entity_types",
            "embeddings",
        }
        if unknown:
            raise BadInput(f"unknown training data fields: {sorted(unknown)}")
        raw = data.get("examples")
        if not isinstance(raw, list) or not raw:
            raise BadInput('training data needs a non-empty "examples" list')
        if len(raw) > MAX_EXAMPLES:
            raise TooLarge(f"{len(raw)} examples is more than the limit of {MAX_EXAMPLES}")
        examples = tuple(_example(index, item) for index, item in enumerate(raw))
        if not test:
            _check_counts(examples)
            _check_conflicts(examples)
        out_of_scope = _strings(data.get("out_of_scope", []), "out_of_scope")
        builtins = _strings(data.get("builtin_entities", []), "builtin_entities")
        for name in builtins:
            if name not in BUILTIN_ENTITIES:
                raise BadInput(
                    f"builtin_entities: unknown type {name!r}; known: {list(BUILTIN_ENTITIES)}"
                )
        types = data.get("entity_types", {})
        if not isinstance(types, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in types.items()
        ):
            raise BadInput('"entity_types" must map entity names to core type names')
        for entity, kind in types.items():
            if kind not in BUILTIN_ENTITIES:
                raise BadInput(
                    f"entity_types: {entity!r} maps to unknown type {kind!r}; "
                    f"known: {list(BUILTIN_ENTITIES)}"
                )
        embeddings = data.get("embeddings", True)
        if not isinstance(embeddings, bool):
            raise BadInput('"embeddings" must be true or false')
        return cls(examples, out_of_scope, builtins, dict(types), embeddings)

    def value_type(self, entity: str) -> str | None:
        """The core type that parses this entity's value, if any."""
        if entity in self.entity_types:
            return self.entity_types[entity]
        return entity if entity in BUILTIN_ENTITIES and entity in SLOT_TYPES else None

    def to_json(self) -> dict[str, Any]:
        return {
            "examples": [
                {
                    "text": ex.text,
                    "intent": ex.intent,
                    **(
                        {
                            "entities": [
                                {"entity": m.entity, "start": m.start, "end": m.end}
                                for m in ex.entities
                            ]
                        }
                        if ex.entities
                        else {}
                    ),
                }
                for ex in self.examples
            ],
            **({"out_of_scope": list(self.out_of_scope)} if self.out_of_scope else {}),
            **({"builtin_entities": list(self.builtin_entities)} if self.builtin_entities else {}),
            **({"entity_types": self.entity_types} if self.entity_types else {}),
            **({} if self.embeddings else {"embeddings": False}),
        }


def _where(index: int, text: Any) -> str:
    if isinstance(text, str):
        shown = text if len(text) <= 40 else text[:37] + "..."
        return f"example {index} ({shown!r})"
    return f"example {index}"


def check_text(text: Any, where: str) -> str:
    """A usable sentence: a non-blank string no longer than the limit."""
    if not isinstance(text, str):
        raise BadInput(f"{where}: text must be a string")
    if not text.strip():
        raise BadInput(f"{where}: text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise BadInput(f"{where}: text is longer than {MAX_TEXT_CHARS} characters")
    return text


def _example(index: int, item: Any) -> Example:
    if not isinstance(item, dict):
        raise BadInput(f"example {index}: must be an object with text and intent")
    text = item.get("text")
    where = _where(index, text)
    unknown = set(item) - {"text", "intent", "entities"}
    if unknown:
        raise BadInput(f"{where}: unknown fields {sorted(unknown)}")
    text = check_text(text, where)
    intent = item.get("intent")
    if not isinstance(intent, str) or not NAME.match(intent):
        raise BadInput(f"{where}: intent must be a name (a letter, then letters, digits, _ . : -)")
    marks = item.get("entities", [])
    if not isinstance(marks, list):
        raise BadInput(f"{where}: entities must be a list")
    found = tuple(_mark(where, text, mark) for mark in marks)
    ordered = sorted(found, key=lambda m: m.start)
    for first, second in itertools.pairwise(ordered):
        if second.start < first.end:
            raise BadInput(
                f"{where}: entities {first.entity!r} ({first.start}-{first.end}) and "
                f"{second.entity!r} ({second.start}-{second.end}) overlap"
            )
    return Example(text, intent, tuple(ordered))


def _mark(where: str, text: str, mark: Any) -> EntityMark:
    if not isinstance(mark, dict):
        raise BadInput(f"{where}: each entity must be an object with entity, start and end")
    entity, start, end = mark.get("entity"), mark.get("start"), mark.get("end")
    if not isinstance(entity, str) or not NAME.match(entity):
        raise BadInput(f"{where}: entity must be a name (a letter, then letters, digits, _ . : -)")
    if type(start) is not int or type(end) is not int:
        raise BadInput(f"{where}: entity {entity!r} needs integer start and end")
    if not 0 <= start < end <= len(text):
        raise BadInput(
            f"{where}: entity {entity!r} span {start}-{end} is outside the text "
            f"({len(text)} characters)"
        )
    if not text[start:end].strip():
        raise BadInput(f"{where}: entity {entity!r} span {start}-{end} is blank")
    return EntityMark(entity, start, end)


def _strings(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise BadInput(f'"{name}" must be a list of strings')
    return tuple(check_text(text, f"{name}[{index}]") for index, text in enumerate(value))


def _check_counts(examples: tuple[Example, ...]) -> None:
    counts = Counter(ex.intent for ex in examples)
    if len(counts) < 2:
        raise BadInput(
            f"an app needs at least two intents to tell apart; only {next(iter(counts))!r} "
            "has examples"
        )
    for index, ex in enumerate(examples):
        if counts[ex.intent] < 2:
            raise BadInput(
                f"{_where(index, ex.text)}: intent {ex.intent!r} has only this one example; "
                "give every intent at least two"
            )


def _check_conflicts(examples: tuple[Example, ...]) -> None:
    first: dict[str, tuple[int, str]] = {}
    for index, ex in enumerate(examples):
        key = " ".join(ex.text.lower().split())
        seen = first.setdefault(key, (index, ex.intent))
        if seen[1] != ex.intent:
            raise BadInput(
                f"{_where(index, ex.text)}: labelled {ex.intent!r}, but example {seen[0]} "
                f"has the same text labelled {seen[1]!r}"
            )
