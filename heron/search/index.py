"""The hybrid passage index: BM25 over words (tantivy) and nearest neighbours over sentence
embeddings (usearch, one index per user), fused by reciprocal rank.

Everything lives in one directory. `passages.db` holds the passages and their vectors in
SQLite transactions (a torn write rolls back), and is what the rest is derived from: the
words index (`words-1/`, heron.search.words) and the approximate-nearest-neighbour indexes
`vectors-<user>-v<version>.usearch`. Every write counts up the user's version in the same
transaction. A vector file is named by the version it holds and the words index carries a
marker of the version it holds for each user, so a process sees at once when another has
changed a user's passages, and whatever is missing or behind is rebuilt from the database.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from heron.search.words import Filters, IndexBusy, WordIndex, WordWriter

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "bm25", "dense"]
DIMENSIONS = 384
CANDIDATES = 100
"""Each ranking hands this many passages to the fusion."""
RRF_K = 60.0
"""Reciprocal-rank fusion's constant (the value of the paper that introduced it)."""
WEIGHTS = (1.0, 1.0)
"""BM25's and the dense ranking's shares in the fusion (tried in bench/search.py)."""
SNIPPET_WORDS = 28
STOPWORDS = frozenset(
    "a an and are as at be but by for from has have how i if in into is it its me my of on "
    "or our so than that the their them then there these they this to was we were what when "
    "where which who why will with you your does do did can".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


class Encoder(Protocol):
    def encode(self, sentences: list[str]) -> npt.NDArray[np.float32]: ...


class LazyEncoder:
    """An encoder loaded on its first use: listing or deleting documents, and searches by
    words alone, never pay for loading the model."""

    def __init__(self, load: Callable[[], Encoder]) -> None:
        self._load = load
        self._encoder: Encoder | None = None

    def encode(self, sentences: list[str]) -> npt.NDArray[np.float32]:
        if self._encoder is None:
            self._encoder = self._load()
        return self._encoder.encode(sentences)


@dataclass(frozen=True)
class IndexedPassage:
    """A passage as the index keeps it."""

    id: int
    document_id: int
    user_id: int
    title: str
    text: str
    kind: str = "text"
    collection: str = ""
    created: float = 0.0
    """When its document was added (seconds since the epoch), for date filters."""


@dataclass(frozen=True)
class Hit:
    passage_id: int
    document_id: int
    score: float
    bm25_rank: int | None
    """1-based rank in the BM25 ranking (None: not among its candidates)."""
    dense_rank: int | None
    similarity: float | None
    """Cosine similarity of the passage to the query (None: not among the dense candidates)."""
    title: str
    snippet: str
    """A short extract around the query's words, which are marked **like this**."""

    def to_json(self) -> dict[str, Any]:
        return {
            "passage_id": self.passage_id,
            "document_id": self.document_id,
            "score": round(self.score, 5),
            "bm25_rank": self.bm25_rank,
            "dense_rank": self.dense_rank,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "title": self.title,
            "snippet": self.snippet,
        }


_SCHEMA = """
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    collection TEXT NOT NULL,
    created REAL NOT NULL,
    vector BLOB
);
CREATE INDEX IF NOT EXISTS passages_user ON passages (user_id);
CREATE TABLE IF NOT EXISTS versions (user_id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS passages_document ON passages (document_id);
"""


class SearchIndex:
    """The passages of every user, searchable by words and by meaning."""

    def __init__(self, path: Path, encoder: Encoder | None) -> None:
        self.path = path
        self.encoder = encoder
        path.mkdir(parents=True, exist_ok=True)
        # Before tantivy (0.1), words were in an FTS5 table of this file: what it held is
        # added again from Heron's store (SearchEngine reconciles the two).
        for old in path.glob("fts.db*"):
            old.unlink()
        self._db = sqlite3.connect(path / "passages.db", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._words = WordIndex(path)
        self._vectors: dict[int, tuple[int, Any]] = {}
        """user → (the version its index holds, the index)"""

    # --- writing ----------------------------------------------------------------------

    def add(
        self, passages: Sequence[IndexedPassage], vectors: npt.NDArray[np.float32] | None = None
    ) -> None:
        """Adds (or replaces) passages in one transaction; their vectors are computed with
        the encoder unless given (one row per passage, unit length)."""
        if not passages:
            return
        if vectors is None and self.encoder is not None:
            vectors = self.encoder.encode([_embedded_text(p) for p in passages])
        blobs: list[bytes | None] = (
            [np.asarray(v, np.float16).tobytes() for v in vectors]
            if vectors is not None
            else [None] * len(passages)
        )
        users = sorted({p.user_id for p in passages})
        with self._lock, self._words.writing() as words:
            with self._db:
                self._db.executemany(
                    "DELETE FROM passages WHERE id = ?", [(p.id,) for p in passages]
                )
                self._db.executemany(
                    "INSERT INTO passages (id, document_id, user_id, title, text, kind, collection,"
                    " created, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (p.id, p.document_id, p.user_id, p.title, p.text, p.kind, p.collection,
                         p.created, blob)
                        for p, blob in zip(passages, blobs, strict=True)
                    ],
                )  # fmt: skip
                self._bump(users)
            words.add(passages)
            self._mark(words, users)
            if vectors is None:
                return
            for user in users:
                index = self._written(user)
                rows = [i for i, p in enumerate(passages) if p.user_id == user]
                keys = np.array([passages[i].id for i in rows], np.uint64)
                for key in keys:
                    if index.contains(int(key)):
                        index.remove(int(key))
                index.add(keys, np.asarray(vectors[rows], np.float32))
                self._save(user, index)

    def remove_document(self, document_id: int) -> None:
        with self._lock, self._words.writing() as words:
            rows = self._db.execute(
                "SELECT id, user_id FROM passages WHERE document_id = ?", (document_id,)
            ).fetchall()
            users = sorted({user for _, user in rows})
            with self._db:
                self._db.execute("DELETE FROM passages WHERE document_id = ?", (document_id,))
                self._bump(users)
            words.remove_document(document_id)
            self._mark(words, users)
            for user in users:
                index = self._written(user)
                for passage_id, owner in rows:
                    if owner == user and index.contains(passage_id):
                        index.remove(passage_id)
                self._save(user, index)

    def _mark(self, words: WordWriter, users: Iterable[int]) -> None:
        """Marks the words of `users` as holding their current version (once committed)."""
        for user in users:
            words.mark(user, self._version(user))

    def _check_words(self, user_id: int) -> None:
        """Rebuilds the user's words from the database if they are behind it and no writer is
        at work: a process died between committing the passages and their words."""
        if self._words.holds(user_id, self._version(user_id)):
            return
        try:
            with self._words.writing(wait=0) as words:
                version = self._version(user_id)  # no other writer now: it stays
                if self._words.holds(user_id, version):
                    return
                log.warning("search words behind the database, rebuilding user=%s", user_id)
                words.remove_user(user_id)
                rows = self._db.execute(
                    "SELECT id, document_id, user_id, title, text, kind, collection, created"
                    " FROM passages WHERE user_id = ?",
                    (user_id,),
                )
                while batch := rows.fetchmany(10_000):
                    words.add([IndexedPassage(*row) for row in batch], replace=False)
                words.mark(user_id, version)
        except IndexBusy:
            pass  # another process is writing: this search sees the words as they were

    def _bump(self, users: Iterable[int]) -> None:
        self._db.executemany(
            "INSERT INTO versions (user_id, version) VALUES (?, 1) "
            "ON CONFLICT (user_id) DO UPDATE SET version = version + 1",
            [(user,) for user in users],
        )

    def _written(self, user_id: int) -> Any:
        """After this process changed the user's passages in the database: the index to
        change the same way (the one in memory or the file, if either was current just
        before; else one rebuilt from the database, where the change already is)."""
        version = self._version(user_id)
        cached = self._vectors.get(user_id)
        index = cached[1] if cached is not None and cached[0] == version - 1 else None
        if index is None:
            index = self._load(user_id, version - 1)
        if index is None:
            self._vectors.pop(user_id, None)
            return self._user_vectors(user_id)
        self._vectors[user_id] = (version, index)
        return index

    def _version(self, user_id: int) -> int:
        row = self._db.execute(
            "SELECT version FROM versions WHERE user_id = ?", (user_id,)
        ).fetchone()
        return int(row[0]) if row else 0

    def remove_user(self, user_id: int) -> None:
        with self._lock, self._words.writing() as words:
            with self._db:
                self._db.execute("DELETE FROM passages WHERE user_id = ?", (user_id,))
                self._bump([user_id])
            words.remove_user(user_id)
            self._mark(words, [user_id])
            self._vectors.pop(user_id, None)
            for file in self.path.glob(f"vectors-{user_id}-v*.usearch"):
                file.unlink(missing_ok=True)

    # --- reading ----------------------------------------------------------------------

    def document_passages(self) -> dict[int, int]:
        """Every document in the index: id → how many passages it has."""
        with self._lock:
            rows = self._db.execute(
                "SELECT document_id, count(*) FROM passages GROUP BY document_id"
            ).fetchall()
        return {int(row[0]): int(row[1]) for row in rows}

    def count(self, user_id: int | None = None) -> int:
        with self._lock:
            if user_id is None:
                row = self._db.execute("SELECT count(*) FROM passages").fetchone()
            else:
                row = self._db.execute(
                    "SELECT count(*) FROM passages WHERE user_id = ?", (user_id,)
                ).fetchone()
        return int(row[0])

    def search(
        self,
        user_id: int,
        query: str,
        k: int = 10,
        *,
        mode: Mode = "hybrid",
        collection: str | None = None,
        kind: str | None = None,
        after: float | None = None,
        before: float | None = None,
        weights: tuple[float, float] = WEIGHTS,
    ) -> list[Hit]:
        """The user's best `k` passages for `query`. `weights`: BM25's and the dense
        ranking's shares in the fusion."""
        filters = Filters(collection, kind, after, before)
        terms = query_terms(query)
        depth = max(k, CANDIDATES)
        bm25 = self._bm25(user_id, terms, depth, filters) if mode != "dense" else []
        near = self._dense(user_id, query, depth, filters) if mode != "bm25" else {}
        dense = list(near)
        scores: dict[int, float] = {}
        bm25_rank = {pid: rank for rank, pid in enumerate(bm25, start=1)}
        dense_rank = {pid: rank for rank, pid in enumerate(dense, start=1)}
        for pid, rank in bm25_rank.items():
            scores[pid] = scores.get(pid, 0.0) + weights[0] / (RRF_K + rank)
        for pid, rank in dense_rank.items():
            scores[pid] = scores.get(pid, 0.0) + weights[1] / (RRF_K + rank)
        best = sorted(scores, key=lambda pid: -scores[pid])[:k]
        rows = self._rows(best)
        return [
            Hit(
                passage_id=pid,
                document_id=rows[pid][0],
                score=scores[pid],
                bm25_rank=bm25_rank.get(pid),
                dense_rank=dense_rank.get(pid),
                similarity=near.get(pid),
                title=rows[pid][1],
                snippet=snippet(rows[pid][2], terms),
            )
            for pid in best
            if pid in rows
        ]

    def _bm25(self, user_id: int, terms: list[str], depth: int, filters: Filters) -> list[int]:
        words = self._words.terms(" ".join(terms))
        if not words:
            return []
        with self._lock:
            self._check_words(user_id)
            return self._words.search(user_id, words, depth, filters)

    def _dense(self, user_id: int, query: str, depth: int, filters: Filters) -> dict[int, float]:
        """The nearest passages, nearest first, with their cosine similarity."""
        if self.encoder is None or not query.strip():
            return {}
        vector = self.encoder.encode([query])[0]
        with self._lock:
            index = self._user_vectors(user_id)
            if len(index) == 0:
                return {}
            found = index.search(np.asarray(vector, np.float32), min(depth * 3, len(index)))
            near = {
                int(key): 1.0 - float(distance)
                for key, distance in zip(
                    np.atleast_1d(found.keys), np.atleast_1d(found.distances), strict=True
                )
            }
            if filters != Filters():
                where, values = filters.sql()
                marks = ",".join("?" * len(near))
                kept = {
                    int(row[0])
                    for row in self._db.execute(
                        f"SELECT p.id FROM passages p WHERE p.id IN ({marks}){where}",
                        (*near, *values),
                    )
                }
                near = {key: sim for key, sim in near.items() if key in kept}
        return dict(list(near.items())[:depth])

    def _rows(self, ids: list[int]) -> dict[int, tuple[int, str, str]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._lock:
            found = self._db.execute(
                f"SELECT id, document_id, title, text FROM passages WHERE id IN ({marks})", ids
            ).fetchall()
        return {int(r[0]): (int(r[1]), str(r[2]), str(r[3])) for r in found}

    # --- the vector indexes -----------------------------------------------------------

    def _vector_file(self, user_id: int, version: int) -> Path:
        return self.path / f"vectors-{user_id}-v{version}.usearch"

    def _user_vectors(self, user_id: int) -> Any:
        """The user's ANN index as of the database's version: the one in memory, else the
        file of that version, else rebuilt from the vectors stored with the passages."""
        version = self._version(user_id)
        cached = self._vectors.get(user_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        index = self._load(user_id, version)
        if index is None:
            index = _new_index()
            self._rebuild(user_id, index)
            self._vectors[user_id] = (version, index)
            self._save(user_id, index)
        self._vectors[user_id] = (version, index)
        return index

    def _load(self, user_id: int, version: int) -> Any:
        """The user's vector file of `version`, or None if there is none or it is torn."""
        file = self._vector_file(user_id, version)
        if not file.exists():
            return None
        index = _new_index()
        try:
            index.load(str(file))
        except (RuntimeError, ValueError) as error:
            log.warning("search vectors unreadable, rebuilding user=%s: %s", user_id, error)
            return None
        return index

    def _rebuild(self, user_id: int, index: Any) -> None:
        rows = self._db.execute(
            "SELECT id, vector FROM passages WHERE user_id = ? AND vector IS NOT NULL", (user_id,)
        )
        while batch := rows.fetchmany(10_000):
            keys = np.array([row[0] for row in batch], np.uint64)
            vectors = np.stack([np.frombuffer(row[1], np.float16) for row in batch])
            index.add(keys, vectors.astype(np.float32))

    def _save(self, user_id: int, index: Any) -> None:
        """Writes the index as the version it holds; older files of the user go."""
        version = self._vectors[user_id][0]
        file = self._vector_file(user_id, version)
        # Written aside, then renamed: a crash leaves the old file or the new, never half.
        partial = file.with_suffix(".partial")
        index.save(str(partial))
        os.replace(partial, file)
        for old in self.path.glob(f"vectors-{user_id}-v*.usearch"):
            if old != file:
                old.unlink(missing_ok=True)

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._vectors.clear()


def query_terms(query: str) -> list[str]:
    """The query's words for BM25: lower case, without the commonest English words (unless
    that leaves nothing), each once."""
    words = [w.lower() for w in _WORD.findall(query)]
    kept = [w for w in words if w not in STOPWORDS] or words
    return list(dict.fromkeys(kept))


def snippet(text: str, terms: Iterable[str], words: int = SNIPPET_WORDS) -> str:
    """A window of the passage around its densest stretch of query words, which are marked
    **so**; the passage's start when none of them is in it. Regular expressions do the
    scanning, so a long passage costs little more than a short one."""
    if not text.strip():
        return ""
    width = words * 7  # characters: about `words` English words
    pattern = _terms_pattern(terms)
    spans = [m.start() for m in pattern.finditer(text)] if pattern is not None else []
    begin = 0
    if spans:
        # The run of matches that fits the most of them in two thirds of the window.
        reach = width * 2 // 3
        first = best_first = best_count = 0
        for last in range(len(spans)):
            while spans[last] - spans[first] > reach:
                first += 1
            if last - first + 1 > best_count:
                best_count, best_first = last - first + 1, first
        # From the start of the sentence of the first of them if it is near, else a little
        # before it; never so late that the window ends early.
        at = spans[best_first]
        sentence = max(text.rfind(mark, 0, at) for mark in (". ", "! ", "? ", "\n"))
        begin = sentence + 2 if sentence >= 0 and at - sentence < width // 2 else at - width // 6
        if sentence < 0 and at < width // 2:
            begin = 0
        begin = max(0, min(begin, len(text) - width))
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < begin + 20 else begin
    end = begin + width
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    shown = text[begin:end].strip()
    if pattern is not None:
        shown = pattern.sub(lambda m: f"**{m.group(0)}**", shown)
    return ("… " if begin > 0 else "") + shown + (" …" if end < len(text) else "")


def _terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Words starting like a query word (the index stems: "pets" also finds "pet")."""
    stems = set()
    for term in terms:
        term = term.lower()
        if len(term) > 5:
            term = term[:5]
        elif len(term) >= 4 and term.endswith("s"):
            term = term[:-1]
        if term:
            stems.add(re.escape(term))
    if not stems:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(sorted(stems, key=len, reverse=True))})\w*", re.I)


def _embedded_text(passage: IndexedPassage) -> str:
    return f"{passage.title}\n{passage.text}" if passage.title else passage.text


def _new_index() -> Any:
    from usearch.index import Index

    return Index(ndim=DIMENSIONS, metric="cos", dtype="f16")
