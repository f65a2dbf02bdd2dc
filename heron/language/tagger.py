"""The entity tagger of a language app: a linear-chain CRF (CRFsuite) over token features.

Tokens keep their character offsets, so tags become spans of the user's own text. The
sentence's intent is a feature too: "tomorrow" is a date in one intent and a title in another.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from heron.errors import EngineUnavailable

TOKEN = re.compile(r"\w+(?:'\w+)?|[^\w\s]")
ITERATIONS = 10
SMALL = 2000
"""Below this many sentences the tagger trains with L-BFGS, above with the perceptron."""
SEED = 7
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Tagged:
    entity: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


def _shape(word: str) -> str:
    shape = re.sub(r"[A-Z]", "X", word)
    shape = re.sub(r"[a-z]", "x", shape)
    shape = re.sub(r"\d", "d", shape)
    return re.sub(r"(.)\1+", r"\1\1", shape)


def features(tokens: Sequence[Token], intent: str) -> list[dict[str, float]]:
    words = [t.text.lower() for t in tokens]
    shapes = [_shape(t.text) for t in tokens]
    rows: list[dict[str, float]] = []
    for i, token in enumerate(tokens):
        word = words[i]
        row = {
            "bias": 1.0,
            f"w={word}": 1.0,
            f"p3={word[:3]}": 1.0,
            f"s3={word[-3:]}": 1.0,
            f"s2={word[-2:]}": 1.0,
            f"shape={shapes[i]}": 1.0,
            f"title={token.text.istitle()}": 1.0,
            f"intent={intent}": 1.0,
            f"intent_w={intent}|{word}": 1.0,
        }
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < len(tokens):
                row[f"{offset}w={words[j]}"] = 1.0
                row[f"{offset}shape={shapes[j]}"] = 1.0
            else:
                row[f"{offset}edge"] = 1.0
        if i > 0:
            row[f"-1bi={words[i - 1]}|{word}"] = 1.0
        if i + 1 < len(tokens):
            row[f"+1bi={word}|{words[i + 1]}"] = 1.0
        rows.append(row)
    return rows


def bio(tokens: Sequence[Token], spans: Sequence[tuple[str, int, int]]) -> list[str]:
    """BIO labels: a token belongs to a span when it overlaps it."""
    labels = ["O"] * len(tokens)
    for entity, start, end in spans:
        first = True
        for i, token in enumerate(tokens):
            if token.start < end and token.end > start:
                labels[i] = ("B-" if first else "I-") + entity
                first = False
    return labels


def spans(tokens: Sequence[Token], labels: Sequence[str]) -> list[Tagged]:
    found: list[Tagged] = []
    current: tuple[str, int] | None = None
    for i, label in enumerate([*labels, "O"]):
        if current is not None and (
            label == "O" or label.startswith("B-") or label[2:] != current[0]
        ):
            found.append(Tagged(current[0], tokens[current[1]].start, tokens[i - 1].end))
            current = None
        if current is None and label != "O":
            current = (label[2:], i)
    return found


def _crfsuite() -> Any:
    try:
        import pycrfsuite
    except ImportError as error:
        raise EngineUnavailable(
            "entity tagging needs python-crfsuite: pip install python-crfsuite"
        ) from error
    return pycrfsuite


def _seed_c_random() -> None:
    """CRFsuite shuffles the examples with the C library's rand(): seeded, the same examples
    train the same tagger (unseeded, it depended on whatever had called rand() before)."""
    try:
        ctypes.CDLL(None).srand(SEED)
    except (OSError, AttributeError, TypeError):  # no C library to reach: stays unseeded
        log.debug("could not seed the C library's random numbers")


class EntityTagger:
    """Trained once from (text, intent, spans); tags a text given its intent."""

    def __init__(self, model: bytes) -> None:
        self.model = model
        handle, path = tempfile.mkstemp(suffix=".crfsuite")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(model)
            self._tagger = _crfsuite().Tagger()
            self._tagger.open(path)  # CRFsuite reads the whole model into memory here
        finally:
            os.unlink(path)

    @classmethod
    def train(cls, rows: Sequence[tuple[str, str, Sequence[tuple[str, int, int]]]]) -> EntityTagger:
        """Large sets train with the averaged perceptron: 10 passes over SNIPS' 13,784
        sentences take about 15 s here, against 78 s for L-BFGS, for the same slot F1."""
        trainer = _crfsuite().Trainer(verbose=False)
        for text, intent, marks in rows:
            tokens = tokenize(text)
            if tokens:
                trainer.append(features(tokens, intent), bio(tokens, marks))
        if len(rows) < SMALL:
            # Few sentences: a regularised CRF (L-BFGS) generalises better than the perceptron,
            # which tagged stray words ("could *you* please water the orchid") in tests, and
            # it is deterministic; on so little data it takes milliseconds.
            trainer.select("lbfgs")
            trainer.set_params({"c1": 0.05, "c2": 0.01, "max_iterations": 100})
        else:
            trainer.select("ap")
            trainer.set_params({"max_iterations": ITERATIONS})
            _seed_c_random()
        handle, path = tempfile.mkstemp(suffix=".crfsuite")
        os.close(handle)
        try:
            trainer.train(path)
            with open(path, "rb") as source:
                return cls(source.read())
        finally:
            os.unlink(path)

    def tag(self, text: str, intent: str) -> list[Tagged]:
        tokens = tokenize(text)
        if not tokens:
            return []
        return spans(tokens, self._tagger.tag(features(tokens, intent)))

    def __getstate__(self) -> bytes:
        return self.model

    def __setstate__(self, state: bytes) -> None:
        self.__init__(state)  # type: ignore[misc]
