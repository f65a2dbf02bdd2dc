"""Next words and completions: the shared model's interpolated n-grams, blended with the
user's own model."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from heron.textinput.model import NgramModel, Row
from heron.textinput.personal import PersonalModel
from heron.textinput.tokens import MARKERS, context_of, display, normal

PERSONAL_SHARE = 0.6
"""The most the user's own model weighs against the shared one (once they have typed a lot)."""
PERSONAL_HALF = 300
"""Words typed by the user at which their model weighs half of PERSONAL_SHARE."""
CONTEXT_HALF = 2
"""Times the user wrote the words before the current one at which their model weighs half of
PERSONAL_SHARE here, however little they typed overall (a phrase typed twice is learnt)."""
ROW_CANDIDATES = 256
"""A context's likeliest followers looked at for candidates (its row may hold thousands; the
others still count when the word list brings them)."""
CANDIDATES = 24
"""Completions of a prefix taken from the word list (most frequent first), besides the ones
the context brings."""


@dataclass(frozen=True)
class Where:
    """The place of the next word, looked up once: the two words before it and their rows."""

    u: str
    v: str
    sentence_start: bool
    tri: Row
    tri_trust: float
    bi: Row
    bi_trust: float


class Predictor:
    def __init__(self, model: NgramModel) -> None:
        self.model = model

    def where(self, context: str) -> Where:
        found = context_of(context)
        return self.at(*found.before, sentence_start=found.sentence_start)

    def at(self, u: str, v: str, *, sentence_start: bool = False) -> Where:
        model = self.model
        uid, vid = model.id(u), model.id(v)
        tri, tri_trust = (
            model.followers2(uid, vid) if uid is not None and vid is not None else ({}, 0.0)
        )
        bi, bi_trust = model.followers(vid) if vid is not None else ({}, 0.0)
        return Where(u, v, sentence_start, tri, tri_trust, bi, bi_trust)

    @staticmethod
    def share(personal: PersonalModel | None, where: Where) -> float:
        """How much the user's own model weighs here."""
        if personal is None or not personal.total:
            return 0.0
        seen = max(personal.seen[(where.u, where.v)], personal.seen[(where.v,)])
        overall = personal.total / (personal.total + PERSONAL_HALF)
        return PERSONAL_SHARE * max(overall, seen / (seen + CONTEXT_HALF))

    def probability(self, word: str, where: Where, personal: PersonalModel | None = None) -> float:
        """P(word | where), `word` a model key."""
        word_id = self.model.id(word)
        p = 0.0 if word_id is None else self._shared(word_id, where)
        share = self.share(personal, where)
        if share:
            assert personal is not None
            p = (1 - share) * p + share * personal.p(word, where.u, where.v)
        return p

    def _shared(self, word_id: int, where: Where) -> float:
        p = self.model.p(word_id)
        p = where.bi_trust * where.bi.get(word_id, 0.0) + (1 - where.bi_trust) * p
        return where.tri_trust * where.tri.get(word_id, 0.0) + (1 - where.tri_trust) * p

    def scores(
        self, where: Where, prefix: str = "", personal: PersonalModel | None = None
    ) -> dict[str, float]:
        """Candidate words (model keys) that start with `prefix`, with their probabilities."""
        model = self.model
        start = normal(prefix)
        candidates: set[int] = set()
        for row in (where.tri, where.bi):
            for word_id in itertools.islice(row, ROW_CANDIDATES):
                if model.words[word_id].startswith(start):
                    candidates.add(word_id)
        candidates.update(model.starting(start, CANDIDATES) if start else model.top(CANDIDATES))
        own_words = personal.words if personal is not None else None
        scored = {
            model.words[word_id]: self._shared(word_id, where)
            for word_id in candidates
            if model.words[word_id] not in MARKERS
            and (not model.offensive[word_id] or (own_words and own_words[model.words[word_id]]))
        }
        for word in [w for w in scored if "'" in w]:
            # "dont" is not offered beside "don't" (the user's own "dont" is, if they write so).
            bare = word.replace("'", "")
            bare_id = model.id(bare)
            dictionary = bare_id is not None and model.dictionary[bare_id]
            if bare in scored and not dictionary and not (own_words and own_words[bare]):
                del scored[bare]
        share = self.share(personal, where)
        if share:
            assert personal is not None
            for word in personal.followers(where.u, where.v):
                if word.startswith(start) and word not in MARKERS:
                    scored.setdefault(word, 0.0)
            if start:  # (with no letters typed, the context's words are the candidates)
                for word in personal.starting(start, CANDIDATES):
                    scored.setdefault(word, 0.0)
            for word, p in scored.items():
                scored[word] = (1 - share) * p + share * personal.p(word, where.u, where.v)
        return scored

    def predict(
        self, context: str, prefix: str = "", n: int = 3, personal: PersonalModel | None = None
    ) -> list[str]:
        where = self.where(context)
        scored = sorted(self.scores(where, prefix, personal).items(), key=lambda item: -item[1])
        found: list[str] = []
        for word, _ in scored:
            form = (personal.form(word) if personal else None) or self.model.forms.get(word)
            shown = display(word, form, sentence_start=where.sentence_start, typed=prefix)
            if shown not in found:
                found.append(shown)
            if len(found) == n:
                break
        return found
