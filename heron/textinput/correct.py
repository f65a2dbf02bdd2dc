"""Autocorrection: a noisy channel. Spellings within two edits come from a SymSpell index of the
vocabulary; each is scored by how likely it is where it goes (the language model, the words
before and, when known, the word after) times how likely the typed word is as a slip of the
finger on a QWERTY keyboard (a neighbouring key costs less than a far one). A typed word the
user has used before, or kept by undoing a correction, is never changed."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from heron.errors import EngineUnavailable
from heron.textinput.base import Correction
from heron.textinput.model import NgramModel
from heron.textinput.personal import PersonalModel
from heron.textinput.predictor import Predictor, Where
from heron.textinput.tokens import BREAK, PRONOUN_I, START, is_word, like, normal, tokenize

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl'", "zxcvbnm")
# The slips' costs were chosen on CLINC150's validation texts with typos of another seed than
# the benchmark's (a dropped letter at 0.6 rather than 0.8: recall 80 → 81 %, precision 83 →
# 84 %).
SUBSTITUTE_NEAR = 0.6
SUBSTITUTE_FAR = 1.0
INSERT_SAME = 0.5
"""A key pressed twice ("hellp" is not this; "helllo" is)."""
INSERT_NEAR = 0.7
"""An extra letter next to a letter of the word: a fat finger."""
INSERT_FAR = 1.2
DELETE = 0.6
DELETE_DOUBLE = 0.4
"""A doubled letter typed once ("leter")."""
TRANSPOSE = 0.6
APOSTROPHE = 0.2
"""A missing or extra apostrophe ("dont")."""
SLIP = 6.0
"""log P(typed | meant) = -SLIP × the weighted distance."""
TRUST_CONFUSED = math.log(10)
"""A dictionary word is replaced by one it is confused with only if that one is this much
likelier, weighed with the word after it too."""
TRUST_TWIN = math.log(20)
"""... or by its twin with an apostrophe ("wont" → "won't") if that is this much likelier."""
INFORMAL_RANK = 10_000
"""Words this frequent that no dictionary has are mostly written on purpose ("ok", "lol", "u")
(rarer ones are mostly typos the web is full of: "yu", "teh")."""
TRUST_INFORMAL = math.log(20)
"""How much likelier a spelling must be to replace such a word."""
MAX_DISTANCE = 1.6
"""Beyond this weighted distance, spellings are offered but never applied."""
MAX_DISTANCE_SHORT = 1.0
"""The same for words of four letters or fewer (two slips in "helo" make "he")."""
SPELLINGS = 64
"""Spellings weighed at most (SymSpell's nearest first, the more frequent first among equals)."""
CONFUSABLE = (
    ("their", "there", "they're"),
    ("your", "you're"),
    ("its", "it's"),
    ("to", "too"),
    ("then", "than"),
    ("whose", "who's"),
    ("were", "we're", "where"),
    ("lose", "loose"),
    ("affect", "effect"),
    ("accept", "except"),
    ("weather", "whether"),
    ("hear", "here"),
    ("know", "no"),
    ("peace", "piece"),
)
"""Words people type for one another: each is weighed against the others in context."""
CONFUSION = 0.1
"""The weighted distance between two confusable words."""


def _neighbours() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for r, row in enumerate(ROWS):
        for c, key in enumerate(row):
            near = found.setdefault(key, set())
            for dr in (-1, 0, 1):
                if not 0 <= r + dr < len(ROWS):
                    continue
                other = ROWS[r + dr]
                # Rows are staggered: the row below sits half a key to the right.
                for dc in (-1, 0, 1) if dr == 0 else ((-1, 0) if dr > 0 else (0, 1)):
                    if (dr, dc) != (0, 0) and 0 <= c + dc < len(other):
                        near.add(other[c + dc])
    return {key: frozenset(near) for key, near in found.items()}


NEIGHBOURS = _neighbours()


def near(a: str, b: str) -> bool:
    return b in NEIGHBOURS.get(a, frozenset())


@lru_cache(maxsize=200_000)
def distance(typed: str, meant: str) -> float:
    """The weighted (optimal string alignment) edit distance of a slip from `meant` to `typed`."""
    inserted = [_insert_cost(typed, i) for i in range(len(typed))]
    deleted = [_delete_cost(meant, j) for j in range(len(meant))]
    rows, cols = len(typed) + 1, len(meant) + 1
    d = [[0.0] * cols for _ in range(rows)]
    for j in range(1, cols):
        d[0][j] = d[0][j - 1] + deleted[j - 1]
    for i in range(1, rows):
        t = typed[i - 1]
        above, here = d[i - 1], d[i]
        here[0] = above[0] + inserted[i - 1]
        neighbours = NEIGHBOURS.get(t, frozenset())
        for j in range(1, cols):
            m = meant[j - 1]
            if t == m:
                best = above[j - 1]
            else:
                best = above[j - 1] + (SUBSTITUTE_NEAR if m in neighbours else SUBSTITUTE_FAR)
            best = min(best, above[j] + inserted[i - 1], here[j - 1] + deleted[j - 1])
            if i > 1 and j > 1 and t == meant[j - 2] and typed[i - 2] == m:
                best = min(best, d[i - 2][j - 2] + TRANSPOSE)
            here[j] = best
    return d[-1][-1]


def _insert_cost(typed: str, i: int) -> float:
    """Cost of `typed[i]` being an extra key press."""
    key = typed[i]
    if key == "'":
        return APOSTROPHE
    beside = [typed[k] for k in (i - 1, i + 1) if 0 <= k < len(typed)]
    if key in beside:
        return INSERT_SAME
    return INSERT_NEAR if any(near(b, key) for b in beside) else INSERT_FAR


def _delete_cost(meant: str, j: int) -> float:
    """Cost of `meant[j]` not having been typed."""
    key = meant[j]
    if key == "'":
        return APOSTROPHE
    doubled = any(meant[k] == key for k in (j - 1, j + 1) if 0 <= k < len(meant))
    return DELETE_DOUBLE if doubled else DELETE


class Corrector:
    def __init__(self, model: NgramModel, predictor: Predictor) -> None:
        self.model = model
        self.predictor = predictor
        self._index: Any = None
        self._lock = threading.Lock()
        self._confusable = {word: group for group in CONFUSABLE for word in group}

    def index(self) -> Any:
        """The SymSpell index of the vocabulary, built on first use (about 3 s)."""
        with self._lock:
            if self._index is None:
                try:
                    from symspellpy import SymSpell
                except ImportError:  # pragma: no cover - a dependency
                    raise EngineUnavailable("autocorrection needs symspellpy") from None
                index = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
                size = len(self.model.words)
                for rank, word in enumerate(self.model.words):
                    if is_word(word):
                        index.create_dictionary_entry(word, size - rank)
                self._index = index
            return self._index

    def _spellings(self, key: str) -> dict[str, float]:
        from symspellpy import Verbosity

        found = self.index().lookup(key, Verbosity.ALL, max_edit_distance=2, include_unknown=False)
        offensive = self.model.offensive
        spellings = {
            item.term: distance(key, item.term)
            for item in found[:SPELLINGS]
            if not offensive[self.model.ids[item.term]]
        }
        for other in self._confusable.get(key, ()):
            if other != key:
                spellings[other] = min(spellings.get(other, CONFUSION), CONFUSION)
        return spellings

    def _fit(
        self, word: str, where: Where, following: str | None, personal: PersonalModel | None
    ) -> float:
        """log P(word where it goes): after the words before and, if known, before the next."""
        fit = math.log(max(self.predictor.probability(word, where, personal), 1e-12))
        if following is not None:
            then = self.predictor.at(where.v, word)
            fit += math.log(max(self.predictor.probability(following, then, personal), 1e-9))
        return fit

    def correct(
        self,
        word: str,
        context: str = "",
        personal: PersonalModel | None = None,
        *,
        after: str = "",
        n: int = 3,
    ) -> Correction:
        """What `word`, typed after `context` (and before `after`, if known), should be."""
        key = normal(word)
        if not is_word(word) or (personal is not None and personal.knows(key)):
            return Correction(word, None, ())
        word_id = self.model.id(key)
        if word_id is not None and self.model.offensive[word_id]:
            return Correction(word, None, ())  # meant, whatever else it is close to
        if key in PRONOUN_I and word[:1] != "I":
            shown = "I" + word[1:]  # (with the apostrophe the user typed)
            return Correction(word, shown, (shown,))
        if key in PRONOUN_I:
            return Correction(word, None, ())
        if key.endswith("'s") and self._word(key[:-2]):
            return Correction(word, None, ())  # a possessive ("car's") of a known word
        where = self.predictor.where(context)
        nexts = [t.key for t in tokenize(after)[:1] if t.key not in (START, BREAK)]
        following = nexts[0] if nexts else None
        spellings = self._spellings(key)
        if personal is not None:
            # The user's own words the index does not hold (names, their jargon).
            ids = self.model.ids
            for own in personal.starting(key[:1], None):
                if own not in ids and abs(len(own) - len(key)) <= 2 and own != key:
                    d = distance(key, own)
                    if d <= 2:
                        spellings[own] = d
        if not spellings:
            return Correction(word, None, ())
        # Ranked by fit + the slip's likelihood; the typed word itself only if it is a word.
        ranked = sorted(
            (
                (self._fit(s, where, following, personal) - SLIP * d, d, s)
                for s, d in spellings.items()
                if s != key
            ),
            reverse=True,
        )
        typed_fit = self._fit(key, where, following, personal) if word_id is not None else -math.inf
        allowed = self._policy(key, word, word_id, where.sentence_start, following)
        best = next(
            (s for score, d, s in ranked if (margin := allowed(s, d)) is not None
             and score > typed_fit + margin),
            None,
        )  # fmt: skip
        cased = [self._cased(s, word, where.sentence_start, personal) for _, _, s in ranked[:n]]
        if best is not None:
            shown = self._cased(best, word, where.sentence_start, personal)
            return Correction(word, shown, (shown, *[c for c in cased if c != shown][: n - 1]))
        return Correction(word, None, tuple(cased))

    def _word(self, key: str) -> bool:
        """Whether `key` is a dictionary word."""
        word_id = self.model.id(key)
        return word_id is not None and bool(self.model.dictionary[word_id])

    def _policy(
        self, key: str, typed: str, word_id: int | None, sentence_start: bool, following: str | None
    ) -> Callable[[str, float], float | None]:
        """Which spellings may replace the typed word, and by how much likelier they must be
        (None: not at all)."""
        confused = self._confusable.get(key, ())
        limit = MAX_DISTANCE_SHORT if len(key) <= 4 else MAX_DISTANCE

        def twin(spelling: str) -> bool:  # the same word with an apostrophe ("dont", "don't")
            return spelling.replace("'", "") == key

        if word_id is not None and self.model.dictionary[word_id]:
            # A word for another only when it is confused with it, and once the next word
            # shows which fits ("their house", "there is"); or its far more usual twin with an
            # apostrophe ("wont" → "won't", but never "well" → "we'll").
            def known(spelling: str, d: float) -> float | None:
                if spelling in confused:
                    return TRUST_CONFUSED if following is not None else None
                return TRUST_TWIN if twin(spelling) else None

            return known
        if word_id is not None and word_id < INFORMAL_RANK:
            # Not in the dictionary, but written all the time ("ok", "lol", "dont"): its
            # apostrophe is put in; another spelling must be far likelier.
            def informal(spelling: str, d: float) -> float | None:
                if twin(spelling):
                    return 0.0
                return TRUST_INFORMAL if d <= limit else None

            return informal
        if word_id is None and typed[:1].isupper() and not sentence_start:
            return lambda spelling, d: None  # a name, most likely: offered, not applied
        return lambda spelling, d: 0.0 if d <= limit else None

    def _cased(
        self, spelling: str, typed: str, sentence_start: bool, personal: PersonalModel | None
    ) -> str:
        form = (personal.form(spelling) if personal else None) or self.model.forms.get(spelling)
        shown = like(typed, form or spelling)
        if spelling in PRONOUN_I:
            shown = "I" + shown[1:]
        if sentence_start:
            shown = shown[:1].upper() + shown[1:]
        return shown
