"""One user's own model: the words, pairs and triples they type, the spellings they kept when a
correction was undone, and how they write names ("Heron", "McAllister").

Counts are what is stored (`Entry` rows, one per n-gram); numbers, URLs, e-mail addresses and
the like are never learnt, only that a number came (NUMBER), so "<num> minutes" is known but no
number ever is."""

from __future__ import annotations

import bisect
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from heron.textinput.base import Learnt
from heron.textinput.tokens import BREAK, MARKERS, START, normal, sentences

FORM_SHARE = 0.6
"""A capitalised form is the user's way of writing a word when it is this share of the times
they wrote it inside a sentence."""
NGRAM = "ngram"
KEPT = "kept"
FORM = "form"


@dataclass(frozen=True)
class Entry:
    """One stored count: an n-gram (words joined by spaces), a kept spelling, or a casing."""

    kind: str
    text: str
    count: int


def entries(text: str) -> list[Entry]:
    """What learning `text` adds: each n-gram's count (1-3 words), and the casings of words
    written capitalised inside a sentence."""
    grams: Counter[tuple[str, ...]] = Counter()
    forms: Counter[str] = Counter()
    for sentence in sentences(text):
        keys = [START]
        for position, token in enumerate(sentence):
            keys.append(token.key)
            if position > 0 and token.key not in MARKERS and token.text[:1].isupper():
                forms[token.text.replace("’", "'")] += 1
        for i in range(1, len(keys)):
            if keys[i] in MARKERS:
                continue
            grams[(keys[i],)] += 1
            if keys[i - 1] != BREAK:
                grams[(keys[i - 1], keys[i])] += 1
                if i >= 2 and keys[i - 2] != BREAK:
                    grams[(keys[i - 2], keys[i - 1], keys[i])] += 1
    found = [Entry(NGRAM, " ".join(gram), count) for gram, count in grams.items()]
    found += [Entry(FORM, form, count) for form, count in forms.items()]
    return found


class PersonalModel:
    """In memory, built from the stored entries; `add` takes new ones as they are stored."""

    def __init__(self, stored: Iterable[Entry] = ()) -> None:
        self.words: Counter[str] = Counter()
        self.total = 0
        self.pairs: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.triples: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.seen: Counter[tuple[str, ...]] = Counter()
        """How often each one- and two-word context was followed by a word."""
        self.kept: set[str] = set()
        self._forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._sorted: list[str] = []
        self.add(stored)

    @property
    def size(self) -> int:
        """N-grams held."""
        return (
            len(self.words)
            + sum(len(row) for row in self.pairs.values())
            + sum(len(row) for row in self.triples.values())
        )

    def add(self, new: Iterable[Entry]) -> Learnt:
        words = fresh = 0
        for entry in new:
            if entry.kind == KEPT:
                self.kept.add(entry.text)
                self._index(entry.text)
            elif entry.kind == FORM:
                self._forms[entry.text.lower()][entry.text] += entry.count
            elif entry.kind == NGRAM:
                gram = entry.text.split(" ")
                if len(gram) == 1:
                    words += entry.count
                    fresh += self.words[gram[0]] == 0
                    self.words[gram[0]] += entry.count
                    self.total += entry.count
                    self._index(gram[0])
                elif len(gram) == 2:
                    self.pairs[gram[0]][gram[1]] += entry.count
                    self.seen[(gram[0],)] += entry.count
                else:
                    self.triples[(gram[0], gram[1])][gram[2]] += entry.count
                    self.seen[(gram[0], gram[1])] += entry.count
        return Learnt(words=words, new_words=fresh)

    def learn(self, text: str) -> Learnt:
        return self.add(entries(text))

    def keep(self, word: str) -> Entry:
        """The user undid a correction of `word`: it is theirs, never corrected again."""
        entry = Entry(KEPT, normal(word), 1)
        self.add([entry])
        return entry

    def form(self, key: str) -> str | None:
        """How the user writes `key` inside a sentence, when it is not in lowercase: the
        capitalised form they use most, if it is most of their uses there ("Heron", "NASA";
        not "The" for having written "The Times" once)."""
        seen = self._forms.get(key)
        if not seen:
            return None
        form, times = seen.most_common(1)[0]
        starts = self.pairs.get(START)
        inside = self.words[key] - (starts[key] if starts else 0)
        return form if times >= FORM_SHARE * max(inside, 1) else None

    def knows(self, word: str) -> bool:
        key = normal(word)
        return key in self.kept or self.words[key] > 0

    def _index(self, word: str) -> None:
        at = bisect.bisect_left(self._sorted, word)
        if at == len(self._sorted) or self._sorted[at] != word:
            self._sorted.insert(at, word)

    def starting(self, prefix: str, limit: int | None) -> list[str]:
        """The user's most used words that start with `prefix` (all of them: limit None)."""
        low = bisect.bisect_left(self._sorted, prefix)
        high = bisect.bisect_left(self._sorted, prefix + "\U0010ffff", lo=low)
        found = self._sorted[low:high]
        if limit is not None and len(found) > limit:
            found = heapq.nlargest(limit, found, key=self.words.__getitem__)
        return found

    def p(self, word: str, u: str, v: str) -> float:
        """P(word | u v) by the user's own counts (Witten-Bell interpolated)."""
        if not self.total:
            return 0.0
        p = self.words[word] / self.total
        for context, row in (((v,), self.pairs.get(v)), ((u, v), self.triples.get((u, v)))):
            if row:
                seen = self.seen[context]
                trust = seen / (seen + len(row))
                p = trust * row[word] / seen + (1 - trust) * p
        return p

    def followers(self, u: str, v: str) -> list[str]:
        """The words the user has typed after (u, v) or after v."""
        found: list[str] = []
        for row in (self.triples.get((u, v)), self.pairs.get(v)):
            if row:
                found.extend(word for word, _ in row.most_common(16))
        return found

    def export(self) -> dict[str, Any]:
        return {
            "words": dict(self.words.most_common()),
            "ngrams": [
                {"words": [v, w], "count": c}
                for v, row in self.pairs.items()
                for w, c in row.items()
            ]
            + [
                {"words": [u, v, w], "count": c}
                for (u, v), row in self.triples.items()
                for w, c in row.items()
            ],
            "kept": sorted(self.kept),
            "forms": {form: n for seen in self._forms.values() for form, n in seen.items()},
        }
