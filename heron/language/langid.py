"""Which language a text is in: an interface and the default engine (py3langid, a naive Bayes
model over byte n-grams, 0.1 ms a sentence); an unlikely guess is reported as undetermined.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from heron.errors import EngineUnavailable

log = logging.getLogger(__name__)

UNDETERMINED = "und"
"""ISO 639-2 for "no language could be told" (also used by BCP 47)."""
MIN_CONFIDENCE = 0.5
"""Below this the best guess is not reported as the language. Measured on 5,670 message-catalog
strings in 63 languages (docs/language.md): 95% of sentences get an answer, 98% of them right;
half the strings of 5 to 20 characters get one, 96% of them right."""
ALTERNATIVES = 3
MIN_ALTERNATIVE = 0.05
"""Less likely alternatives are left out: noise, not candidates (a word like "ok" gives every
language about 1%)."""


@dataclass(frozen=True)
class Candidate:
    """One language a text may be in."""

    code: str
    """ISO 639-1."""
    name: str
    confidence: float
    """The probability that the text is in this language (0 to 1)."""

    def to_json(self) -> dict[str, Any]:
        return {"language": self.code, "name": self.name, "confidence": self.confidence}


@dataclass(frozen=True)
class Detection:
    """The language of one text, or `und` when no language is likely enough."""

    code: str
    """ISO 639-1, or "und" (undetermined)."""
    name: str
    confidence: float
    """The probability of the best candidate: low when `code` is "und"."""
    reliable: bool
    """False exactly when `code` is "und"."""
    alternatives: tuple[Candidate, ...]
    """The other likely languages, best first; for "und", the best guesses."""

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.code,
            "name": self.name,
            "confidence": self.confidence,
            "reliable": self.reliable,
            "alternatives": [c.to_json() for c in self.alternatives],
        }


class LanguageIdentifier(Protocol):
    """Tells the language of texts. Texts must not be empty (the caller checks)."""

    name: str

    def detect(self, texts: Sequence[str]) -> list[Detection]: ...


@functools.cache
def language_name(code: str) -> str:
    """The English name of an ISO 639 code ("de" → "German"), without qualifiers such as
    "(macrolanguage)"; the code itself if it is unknown."""
    import pycountry

    found = pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    if found is None:
        return code
    return re.sub(r"\s*\(.*\)$", "", str(found.name)).removeprefix("Modern ")


def decide(ranked: Sequence[tuple[str, float]], min_confidence: float) -> Detection:
    """A detection from candidate codes with their probabilities, best first."""
    candidates = [
        Candidate(code, language_name(code), round(confidence, 3))
        for code, confidence in ranked[: ALTERNATIVES + 1]
    ]
    best = candidates[0] if candidates else None
    if best is None or best.confidence < min_confidence:
        guesses = [c for c in candidates[:ALTERNATIVES] if c.confidence >= MIN_ALTERNATIVE]
        return Detection(
            UNDETERMINED,
            language_name(UNDETERMINED),
            best.confidence if best else 0.0,
            reliable=False,
            alternatives=tuple(guesses),
        )
    others = [c for c in candidates[1:] if c.confidence >= MIN_ALTERNATIVE]
    return Detection(best.code, best.name, best.confidence, True, tuple(others))


class Py3LangId:
    """py3langid's model restricted to the languages that have an ISO 639-1 code (114), loaded
    on first use (half a second) and then shared by every thread."""

    name = "py3langid"
    NO_LANGUAGE = "zxx"
    """py3langid's class for "no linguistic content" (numbers, symbols): never an answer."""

    def __init__(self, min_confidence: float = MIN_CONFIDENCE) -> None:
        self.min_confidence = min_confidence
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            try:
                from py3langid.langid import MODEL_FILE
                from py3langid.langid import LanguageIdentifier as NaiveBayes
            except ImportError as error:
                raise EngineUnavailable(
                    "language identification needs py3langid: pip install py3langid"
                ) from error
            log.info("loading language identification engine=%s", self.name)
            # norm_probs: calibrated probabilities, so a low one can be reported as "und".
            model = NaiveBayes.from_model_file(MODEL_FILE, norm_probs=True)
            # The model also knows dialects and languages with only a three-letter code (Wu
            # Chinese, Egyptian Arabic, Nigerian Pidgin); they take probability from the
            # language a user means ("Set a timer for ten minutes" was 47% English) and have
            # no ISO 639-1 code to answer with.
            model.set_languages(
                [code for code in model.labels if len(code) == 2 or code == self.NO_LANGUAGE]
            )
            self._model = model

    def detect(self, texts: Sequence[str]) -> list[Detection]:
        self.load()
        detections = []
        for text in texts:
            # `rank` only reads the model: safe from several threads at once.
            ranked = [(c, p) for c, p in self._model.rank(text) if c != self.NO_LANGUAGE]
            detections.append(decide(ranked, self.min_confidence))
        return detections


_default: Py3LangId | None = None
_default_lock = threading.Lock()


def default_identifier() -> LanguageIdentifier:
    """The default engine, one per process (engines and tests share its model)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Py3LangId()
        return _default
