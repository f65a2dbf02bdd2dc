"""The second routing stage: which intent's sentences is this one most like?

Two engines behind one interface. The default embeds sentences with the packaged
all-MiniLM-L6-v2 and compares meanings; the light one compares TF-IDF character n-grams (no
model files, but it matches spelling rather than meaning). An intent's score is the cosine
similarity of its nearest known sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass(frozen=True)
class Similar:
    intent: str
    score: float
    sentence: str
    """The known sentence it resembles most."""


class SentenceSimilarity(Protocol):
    def rank(self, text: str, top: int = 2) -> list[Similar]:
        """The `top` intents by their nearest known sentence, best first."""
        ...


class _Nearest:
    """Shared bookkeeping: known (intent, sentence) pairs and picking the best per intent."""

    def __init__(self, sentences: list[tuple[str, str]]) -> None:
        if not sentences:
            raise ValueError("the similarity stage needs at least one sentence")
        self.intents = [intent for intent, _ in sentences]
        self.sentences = [text for _, text in sentences]

    def best(self, scores: np.ndarray, top: int) -> list[Similar]:
        found: dict[str, Similar] = {}
        for row in np.argsort(-scores)[:256]:
            intent = self.intents[int(row)]
            if intent not in found:
                found[intent] = Similar(intent, float(scores[row]), self.sentences[int(row)])
                if len(found) >= top:
                    break
        return list(found.values())


class TfidfSimilarity(_Nearest):
    name = "tfidf"

    def __init__(self, sentences: list[tuple[str, str]]) -> None:
        super().__init__(sentences)
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(self.sentences)

    def rank(self, text: str, top: int = 2) -> list[Similar]:
        query = self.vectorizer.transform([text])
        return self.best((self.matrix @ query.T).toarray().ravel(), top)


class EmbeddingSimilarity(_Nearest):
    name = "embeddings"

    def __init__(self, sentences: list[tuple[str, str]], cache_dir: Path | None = None) -> None:
        from heron.language.embeddings import load_encoder

        super().__init__(sentences)
        self.encoder = load_encoder()
        self.matrix = self.encoder.encode_cached(self.sentences, cache_dir)

    def rank(self, text: str, top: int = 2) -> list[Similar]:
        query = self.encoder.encode([text])[0]
        return self.best(self.matrix @ query, top)


SimilarityFactory = Callable[[list[tuple[str, str]]], SentenceSimilarity]

# Thresholds below which a similarity match gives way to the fallback, chosen on the CLINC150
# validation split (bench/assistant_routing.py) and checked on its test split.
DEFAULT_THRESHOLDS = {"embeddings": 0.6, "tfidf": 0.6}


def factory(engine: str, cache_dir: Path | None = None) -> SimilarityFactory:
    if engine == "embeddings":
        return lambda sentences: EmbeddingSimilarity(sentences, cache_dir)
    if engine == "tfidf":
        return TfidfSimilarity
    raise ValueError(f"unknown similarity engine {engine!r}: use 'embeddings' or 'tfidf'")
