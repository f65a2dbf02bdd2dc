"""Builds the keyboard's shared language model from text that comes inside installed packages.

Sources (all offline; see docs/keyboard.md for the licences):
- `wordfreq` (PyPI): the English word frequencies (a blend of subtitles, web text, Wikipedia,
  Reddit, Twitter, Google Books) — the vocabulary and the unigram probabilities.
- `symspellpy` (PyPI): its English unigram and bigram counts from Google Books Ngrams — the
  word-pair probabilities.
- Debian text: the `fortunes` and `fortunes-min` quotations and WordNet's glosses and usage
  examples (`wordnet-base`) — sentences, so sentence starts and word triples.

The result is a folder of NumPy arrays (memory-mapped when loaded) and a word list; see
`model.NgramModel` for what each holds.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from heron.errors import EngineUnavailable
from heron.textinput.offensive import offensive
from heron.textinput.tokens import BREAK, MARKERS, NUMBER, START, is_word, normal, sentences

log = logging.getLogger(__name__)

FORMAT = 8
"""Bumped when the files change: a model of another format is built again."""
VOCABULARY = 100_000
"""Words kept from wordfreq's list (with their frequency order)."""
BIGRAM_KEEP = 4096
"""Continuations kept per one-word context, most likely first (all but the rarest after the
commonest words: "the weather" must be known to rank "weather" over "wear"; 4096 against 256
measured +0.4 points of keystroke savings on CLINC150's validation texts, for 1 MB)."""
TRIGRAM_KEEP = 24
TRIGRAM_MIN_CONTEXT = 2
"""A two-word context seen fewer times than this is left to the bigrams (keeping these and the
triples seen once measured +0.25 points of keystroke savings on CLINC150's validation texts,
for 13 MB on disk instead of 8)."""
TRIGRAM_MIN = 1
BOOKS_WEIGHT = 0.6
"""The Google Books pairs' share of a one-word context's distribution where the sentences
have it too (the books are 10,000 times bigger, but without sentence starts and dated)."""
SCALE_WORDS = 25
BOOKS_CONFIDENCE = 0.7
"""How far a Google Books context is trusted over the unigrams (its pairs are pruned to the
frequent ones, so its own counts cannot say)."""
FORTUNE_SKIP = frozenset({"ascii-art", "translate-me", "zippy"})
"""Collections that are not running English prose."""
FORTUNES = (Path("/usr/share/games/fortunes"),)
WORDNET = Path("/usr/share/wordnet")

Progress = Callable[[str, float], None]
"""(what is being done, the share done 0..1)."""


def _no_progress(what: str, done: float) -> None:
    log.debug("keyboard model: %s %.0f%%", what, 100 * done)


def fortune_texts() -> Iterator[str]:
    for folder in FORTUNES:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix or path.name in FORTUNE_SKIP or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for entry in text.split("\n%\n"):
                # Attributions ("-- Mark Twain") are names, not sentences.
                yield re.sub(r"^\s*--.*$", "", entry, flags=re.M)


def wordnet_texts() -> Iterator[tuple[str, bool]]:
    """WordNet's glosses and usage examples; whether each is a sentence (an example is; a
    definition, "a general concept formed by …", is not, so it says nothing of how sentences
    start)."""
    for part in ("noun", "verb", "adj", "adv"):
        path = WORDNET / f"data.{part}"
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if line.startswith("  ") or "|" not in line:
                    continue  # the licence header
                gloss = line.split("|", 1)[1]
                for piece in gloss.split(";"):
                    piece = piece.strip()
                    example = piece.startswith('"')
                    piece = piece.strip('"').strip()
                    if piece:
                        yield piece + ".", example


def _symspell_files() -> tuple[Path, Path]:
    try:
        import symspellpy
    except ImportError:  # pragma: no cover - a dependency
        raise EngineUnavailable("the keyboard needs symspellpy: pip install symspellpy") from None
    folder = Path(symspellpy.__file__).parent
    return (
        folder / "frequency_dictionary_en_82_765.txt",
        folder / "frequency_bigramdictionary_en_243_342.txt",
    )


def _vocabulary() -> tuple[list[str], np.ndarray]:
    """wordfreq's most frequent real words (no digits, no symbols), most frequent first."""
    try:
        import wordfreq
    except ImportError:  # pragma: no cover - a dependency
        raise EngineUnavailable("the keyboard needs wordfreq: pip install wordfreq") from None
    frequencies = wordfreq.get_frequency_dict("en", wordlist="large")
    ranked = sorted(
        ((normal(word), freq) for word, freq in frequencies.items() if is_word(word)),
        key=lambda item: -item[1],
    )
    words: list[str] = []
    probabilities: list[float] = []
    seen: set[str] = set()
    for word, freq in ranked:
        if word in seen:
            continue
        seen.add(word)
        words.append(word)
        probabilities.append(freq)
        if len(words) == VOCABULARY:
            break
    p = np.asarray(probabilities, np.float64)
    return words, p / p.sum()


class _Counts:
    """Counts of the sentences' words, pairs and triples (by word id)."""

    def __init__(self, ids: dict[str, int]) -> None:
        self.ids = ids
        self.pairs: defaultdict[int, Counter[int]] = defaultdict(Counter)
        self.triples: defaultdict[tuple[int, int], Counter[int]] = defaultdict(Counter)
        self.cased: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def add(self, text: str, *, starts: bool = True) -> None:
        """Counts the sentences of `text` (`starts`: they are whole sentences, so their first
        words are sentence starts)."""
        ids = self.ids
        for sentence in sentences(text):
            keys = [START if starts else BREAK]
            for position, token in enumerate(sentence):
                key = token.key
                if key not in ids and key not in MARKERS:
                    key = BREAK
                keys.append(key)
                if position > 0 and token.key not in MARKERS and token.text[:1].isupper():
                    self.cased[token.key][token.text.translate({0x2019: 0x27})] += 1
                elif position > 0 and token.key not in MARKERS:
                    self.cased[token.key][token.key] += 1
            numbered = [ids[k] for k in keys]
            for i in range(1, len(numbered)):
                if keys[i] == BREAK:
                    continue
                if keys[i - 1] != BREAK:
                    self.pairs[numbered[i - 1]][numbered[i]] += 1
                if i >= 2 and BREAK not in (keys[i - 2], keys[i - 1]):
                    self.triples[(numbered[i - 2], numbered[i - 1])][numbered[i]] += 1


def _rows(
    table: dict[int, dict[int, float]], size: int, keep: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compressed rows: pointer[size + 1], next word ids and probabilities (best first)."""
    pointer = np.zeros(size + 1, np.int64)
    nexts: list[int] = []
    probabilities: list[float] = []
    for context in range(size):
        row = table.get(context)
        if row:
            best = sorted(row.items(), key=lambda item: -item[1])[:keep]
            nexts.extend(word for word, _ in best)
            probabilities.extend(p for _, p in best)
        pointer[context + 1] = len(nexts)
    return pointer, np.asarray(nexts, np.int32), np.asarray(probabilities, np.float32)


def _pair_scale(words: dict[str, int], pairs: dict[str, dict[str, int]]) -> float:
    """How much bigger symspellpy's pair counts run than its word counts (they come from
    other years of Google Books: about 40 times). Measured on the most frequent words, whose
    pairs the list keeps nearly all of."""
    frequent = sorted((w for w in pairs if words.get(w)), key=lambda w: -words[w])[:SCALE_WORDS]
    ratios = sorted(sum(pairs[w].values()) / words[w] for w in frequent)
    return ratios[len(ratios) // 2] if ratios else 1.0


def _book_pairs(ids: dict[str, int]) -> tuple[dict[int, dict[int, float]], set[str]]:
    """P(second | first) from symspellpy's Google Books counts, by word id; and the words of
    its dictionary (Google Books words that SCOWL lists)."""
    unigram_file, bigram_file = _symspell_files()
    words: dict[str, int] = {}
    for line in unigram_file.read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition(" ")
        words[word] = int(count)
    pairs: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for line in bigram_file.read_text(encoding="utf-8").splitlines():
        first, second, count = line.split(" ")
        pairs[first][second] = int(count)
    scale = _pair_scale(words, pairs)
    found: defaultdict[int, dict[int, float]] = defaultdict(dict)
    for first, following in pairs.items():
        a = ids.get(first)
        if a is None or not words.get(first):
            continue
        # Over the word's count on the pairs' scale; where the pairs kept add up to more (a
        # rarer word), over their sum.
        total = max(scale * words[first], sum(following.values()))
        for second, times in following.items():
            b = ids.get(second)
            if b is not None:
                found[a][b] = times / total
    return found, set(words)


def build(target: Path, progress: Progress | None = None) -> Path:
    """Builds the model into `target` (replaced whole, never left half-written)."""
    report = progress or _no_progress
    report("vocabulary (wordfreq)", 0.0)
    words, unigram = _vocabulary()
    markers = [START, NUMBER, BREAK]
    words += markers
    unigram = np.concatenate([unigram, np.zeros(len(markers))]).astype(np.float32)
    ids = {word: i for i, word in enumerate(words)}
    size = len(words)

    report("sentences (fortunes, WordNet)", 0.1)
    counts = _Counts(ids)
    for text in fortune_texts():
        counts.add(text)
    report("sentences (fortunes, WordNet)", 0.3)
    for text, sentence in wordnet_texts():
        counts.add(text, starts=sentence)

    report("word pairs (Google Books via symspellpy)", 0.5)
    books, dictionary = _book_pairs(ids)

    report("mixing pairs", 0.65)
    pairs: dict[int, dict[int, float]] = {}
    confidence = np.zeros(size, np.float32)
    for context in set(books) | set(counts.pairs):
        row: dict[int, float] = {}
        said = counts.pairs.get(context)
        book = books.get(context)
        total = sum(said.values()) if said else 0
        weight = BOOKS_WEIGHT if book and said else (1.0 if book else 0.0)
        if book:
            for follower, p in book.items():
                row[follower] = weight * p
        if said:
            for follower, times in said.items():
                row[follower] = row.get(follower, 0.0) + (1 - weight) * times / total
        own = total / (total + len(said)) if said else 0.0
        confidence[context] = max(own, BOOKS_CONFIDENCE if book else 0.0)
        pairs[context] = row
    bi_pointer, bi_next, bi_p = _rows(pairs, size, BIGRAM_KEEP)

    report("word triples", 0.8)
    tri_contexts: list[int] = []
    tri_rows: dict[int, dict[int, float]] = {}
    tri_confidence: list[float] = []
    for (u, v), following in counts.triples.items():
        total = sum(following.values())
        if total < TRIGRAM_MIN_CONTEXT:
            continue
        kept = {f: c / total for f, c in following.items() if c >= TRIGRAM_MIN}
        if not kept:
            continue
        tri_rows[len(tri_contexts)] = kept
        tri_contexts.append(u * size + v)
        tri_confidence.append(total / (total + len(following)))
    order = np.argsort(np.asarray(tri_contexts, np.int64), kind="stable")
    keys = np.asarray(tri_contexts, np.int64)[order]
    sorted_rows = {new: tri_rows[int(old)] for new, old in enumerate(order)}
    tri_pointer, tri_next, tri_p = _rows(sorted_rows, len(keys), TRIGRAM_KEEP)
    tri_lambda = np.asarray(tri_confidence, np.float32)[order]

    report("writing", 0.95)
    forms = {}
    for key, seen in counts.cased.items():
        form, times = seen.most_common(1)[0]
        if form != key and times >= 0.6 * sum(seen.values()) and times >= 2:
            forms[key] = form
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "words.txt").write_text("\n".join(words), encoding="utf-8")
    (staging / "forms.json").write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
    arrays = {
        "unigram": unigram,
        "bi_pointer": bi_pointer,
        "bi_next": bi_next,
        "bi_p": bi_p,
        "bi_lambda": confidence,
        "tri_keys": keys,
        "tri_pointer": tri_pointer,
        "tri_next": tri_next,
        "tri_p": tri_p,
        "tri_lambda": tri_lambda,
        "offensive": np.asarray([offensive(word) for word in words], np.bool_),
        "dictionary": np.asarray([word in dictionary for word in words], np.bool_),
        "alphabetical": np.asarray(sorted(range(size), key=words.__getitem__), np.int32),
    }
    for name, array in arrays.items():
        np.save(staging / f"{name}.npy", array)
    meta = {
        "format": FORMAT,
        "words": size,
        "pairs": len(bi_next),
        "triples": len(tri_next),
        "triple_contexts": len(keys),
        "sources": [
            "wordfreq (large, en)",
            "symspellpy Google Books bigrams",
            "fortunes",
            "WordNet",
        ],
    }
    (staging / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    report("done", 1.0)
    return target
