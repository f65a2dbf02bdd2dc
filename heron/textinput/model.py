"""The shared language model on disk: memory-mapped arrays, loaded in milliseconds.

- words.txt: the vocabulary by id, most frequent first (then the markers START, NUMBER, BREAK);
- unigram.npy: P(word);
- bi_pointer / bi_next / bi_p: for each word id, its likeliest followers and P(follower | word);
  bi_lambda: how far that word's followers are trusted over the unigrams;
- tri_keys (sorted u * size + v) / tri_pointer / tri_next / tri_p / tri_lambda: the same for
  two-word contexts;
- dictionary.npy: whether each word is in a spelling dictionary (SymSpell's, from SCOWL) — the
  web's word lists hold common typos ("teh", "recieve") as words;
- offensive.npy: swearing and slurs, never offered unless the user typed them (offensive.py);
- alphabetical.npy: the word ids in alphabetical order (for completions);
- forms.json: words usually written capitalised ("London", "NASA").

A word's probability after (u, v) interpolates the three orders (Witten-Bell style):
λ3·P(w|u v) + (1 - λ3)·(λ2·P(w|v) + (1 - λ2)·P(w)).
"""

from __future__ import annotations

import bisect
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.errors import EngineUnavailable
from heron.textinput.build import FORMAT

_ARRAYS = (
    "unigram",
    "bi_pointer",
    "bi_next",
    "bi_p",
    "bi_lambda",
    "tri_keys",
    "tri_pointer",
    "tri_next",
    "tri_p",
    "tri_lambda",
    "alphabetical",
    "dictionary",
    "offensive",
)

Row = dict[int, float]
ROWS_CACHED = 4096
"""One-word contexts whose rows are kept as dictionaries (a few MB)."""


class NgramModel:
    def __init__(self, folder: Path) -> None:
        meta_path = folder / "meta.json"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise EngineUnavailable(f"no keyboard model in {folder} ({error})") from None
        if meta.get("format") != FORMAT:
            raise EngineUnavailable(f"the keyboard model in {folder} is of an older format")
        self.folder = folder
        self.meta: dict[str, Any] = meta
        self.words: list[str] = (folder / "words.txt").read_text(encoding="utf-8").split("\n")
        self.ids = {word: i for i, word in enumerate(self.words)}
        self.forms: dict[str, str] = json.loads((folder / "forms.json").read_text("utf-8"))
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        self.unigram: npt.NDArray[np.float32] = arrays["unigram"]
        self._bi = (arrays["bi_pointer"], arrays["bi_next"], arrays["bi_p"])
        self.bi_lambda: npt.NDArray[np.float32] = arrays["bi_lambda"]
        self._tri_keys: npt.NDArray[np.int64] = arrays["tri_keys"]
        self._tri = (arrays["tri_pointer"], arrays["tri_next"], arrays["tri_p"])
        self.tri_lambda: npt.NDArray[np.float32] = arrays["tri_lambda"]
        self.dictionary: npt.NDArray[np.bool_] = arrays["dictionary"]
        self.offensive: npt.NDArray[np.bool_] = arrays["offensive"]
        self.size = len(self.words)
        self._followers = lru_cache(maxsize=ROWS_CACHED)(self._read_followers)
        # For completions: the words in alphabetical order, and their ids.
        self._alphabetical_ids: npt.NDArray[np.int32] = arrays["alphabetical"]
        self._alphabetical = [self.words[i] for i in self._alphabetical_ids.tolist()]

    def bytes_on_disk(self) -> int:
        return sum(path.stat().st_size for path in self.folder.iterdir())

    def id(self, word: str) -> int | None:
        return self.ids.get(word)

    def p(self, word_id: int) -> float:
        return float(self.unigram[word_id])

    def followers(self, word_id: int) -> tuple[Row, float]:
        """P(· | word) for its likeliest followers (likeliest first), and how far to trust
        them (λ2). Kept for the most recent contexts: a frequent word's row is long."""
        return self._followers(word_id)

    def _read_followers(self, word_id: int) -> tuple[Row, float]:
        pointer, nexts, probabilities = self._bi
        start, end = int(pointer[word_id]), int(pointer[word_id + 1])
        if start == end:
            return {}, 0.0
        row = dict(zip(nexts[start:end].tolist(), probabilities[start:end].tolist(), strict=True))
        return row, float(self.bi_lambda[word_id])

    def followers2(self, u: int, v: int) -> tuple[Row, float]:
        """P(· | u v) for the likeliest followers, and λ3."""
        key = u * self.size + v
        index = int(np.searchsorted(self._tri_keys, key))
        if index >= len(self._tri_keys) or int(self._tri_keys[index]) != key:
            return {}, 0.0
        pointer, nexts, probabilities = self._tri
        start, end = int(pointer[index]), int(pointer[index + 1])
        row = dict(zip(nexts[start:end].tolist(), probabilities[start:end].tolist(), strict=True))
        return row, float(self.tri_lambda[index])

    def starting(self, prefix: str, limit: int) -> list[int]:
        """The `limit` most frequent words that start with `prefix` (ids, most frequent first)."""
        words = self._alphabetical
        low = bisect.bisect_left(words, prefix)
        high = bisect.bisect_left(words, prefix + "\U0010ffff", lo=low)
        if low == high:
            return []
        ids = self._alphabetical_ids[low:high]
        if len(ids) > limit:
            ids = np.partition(ids, limit - 1)[:limit]
        return sorted(ids.tolist())

    def top(self, limit: int) -> list[int]:
        """The most frequent words (no prefix): ids 0.. are in frequency order."""
        return list(range(min(limit, self.size)))
