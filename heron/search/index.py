"""The hybrid passage index: BM25 over words (SQLite FTS5) and nearest neighbours over
sentence embeddings (usearch, one index per user), fused by reciprocal rank.

Everything lives in one directory: `fts.db` holds the passages, their words and their
vectors in SQLite transactions (a torn write rolls back); `vectors-<user>.usearch` are the
approximate-nearest-neighbour indexes, derived from the vectors in `fts.db` and rebuilt from
them whenever they are missing or disagree with it.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "bm25", "dense"]
DIMENSIONS = 384
CANDIDATES = 100
"""Each ranking hands this many passages to the fusion."""
RRF_K = 60.0
"""Reciprocal-rank fusion's constant (the value of the paper that introduced it)."""
SNIPPET_WORDS = 28
STOPWORDS = frozenset(
    "a an and are as at be but by for from has have how i if in into is it its me my of on "
    "or our so than that the their them then there these they this to was we were what when "
    "where which who why will with you your does do did can".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


class Encoder(Protocol):
    def encode(self, sentences: list[str]) -> npt.NDArray[np.float32]: ...


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


@dataclass(frozen=True)
class Filters:
    collection: str | None = None
    kind: str | None = None
    after: float | None = None
    before: float | None = None

    def sql(self) -> tuple[str, list[Any]]:
        clauses, values = [], []
        for column, value, op in (
            ("collection", self.collection, "="),
            ("kind", self.kind, "="),
            ("created", self.after, ">="),
            ("created", self.before, "<"),
        ):
            if value is not None:
                clauses.append(f"p.{column} {op} ?")
                values.append(value)
        return "".join(f" AND {c}" for c in clauses), values


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
CREATE INDEX IF NOT EXISTS passages_document ON passages (document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5 (
    title, text, content='passages', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS passages_added AFTER INSERT ON passages BEGIN
    INSERT INTO words (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER IF NOT EXISTS passages_removed AFTER DELETE ON passages BEGIN
    INSERT INTO words (words, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
"""


class SearchIndex:
    """The passages of every user, searchable by words and by meaning."""

    def __init__(self, path: Path, encoder: Encoder | None) -> None:
        self.path = path
        self.encoder = encoder
        path.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path / "fts.db", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._vectors: dict[int, Any] = {}

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
        with self._lock, self._db:
            self._db.executemany("DELETE FROM passages WHERE id = ?", [(p.id,) for p in passages])
            self._db.executemany(
                "INSERT INTO passages (id, document_id, user_id, title, text, kind, collection,"
                " created, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (p.id, p.document_id, p.user_id, p.title, p.text, p.kind, p.collection,
                     p.created, blob)
                    for p, blob in zip(passages, blobs, strict=True)
                ],
            )  # fmt: skip
        if vectors is not None:
            with self._lock:
                for user in {p.user_id for p in passages}:
                    rows = [i for i, p in enumerate(passages) if p.user_id == user]
                    index = self._user_vectors(user)
                    keys = np.array([passages[i].id for i in rows], np.uint64)
                    for key in keys:
                        if index.contains(int(key)):
                            index.remove(int(key))
                    index.add(keys, np.asarray(vectors[rows], np.float32))
                    self._save(user, index)

    def remove_document(self, document_id: int) -> None:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, user_id FROM passages WHERE document_id = ?", (document_id,)
            ).fetchall()
            with self._db:
                self._db.execute("DELETE FROM passages WHERE document_id = ?", (document_id,))
            for user in {user for _, user in rows}:
                index = self._user_vectors(user)
                for passage_id, owner in rows:
                    if owner == user and index.contains(passage_id):
                        index.remove(passage_id)
                self._save(user, index)

    def remove_user(self, user_id: int) -> None:
        with self._lock:
            with self._db:
                self._db.execute("DELETE FROM passages WHERE user_id = ?", (user_id,))
            self._vectors.pop(user_id, None)
            self._vector_file(user_id).unlink(missing_ok=True)

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
        weights: tuple[float, float] = (1.0, 1.0),
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
        if not terms:
            return []
        match = " OR ".join(f'"{term}"' for term in terms)
        where, values = filters.sql()
        with self._lock:
            rows = self._db.execute(
                "SELECT p.id FROM words JOIN passages p ON p.id = words.rowid "
                f"WHERE words MATCH ? AND p.user_id = ?{where} "
                "ORDER BY bm25(words, 2.0, 1.0) LIMIT ?",
                (match, user_id, *values, depth),
            ).fetchall()
        return [int(row[0]) for row in rows]

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

    def _vector_file(self, user_id: int) -> Path:
        return self.path / f"vectors-{user_id}.usearch"

    def _user_vectors(self, user_id: int) -> Any:
        """The user's ANN index: loaded from its file if that agrees with the database,
        else rebuilt from the vectors stored with the passages."""
        from usearch.index import Index

        cached = self._vectors.get(user_id)
        if cached is not None:
            return cached
        stored = self._db.execute(
            "SELECT count(*) FROM passages WHERE user_id = ? AND vector IS NOT NULL", (user_id,)
        ).fetchone()[0]
        index = Index(ndim=DIMENSIONS, metric="cos", dtype="f16")
        file = self._vector_file(user_id)
        if file.exists():
            try:
                index.load(str(file))
            except (RuntimeError, ValueError) as error:
                log.warning(
                    "search vector index unreadable, rebuilding user=%s: %s", user_id, error
                )
                index = Index(ndim=DIMENSIONS, metric="cos", dtype="f16")
        if len(index) != stored:
            if file.exists():
                log.warning("search vector index out of date, rebuilding user=%s", user_id)
            index = Index(ndim=DIMENSIONS, metric="cos", dtype="f16")
            self._rebuild(user_id, index)
            self._save(user_id, index)
        self._vectors[user_id] = index
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
        # Written aside, then renamed: a crash leaves the old file or the new, never half.
        file = self._vector_file(user_id)
        partial = file.with_suffix(".partial")
        index.save(str(partial))
        os.replace(partial, file)

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())

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
    **so**; the passage's start when none of them is in it."""
    wanted = {t.lower() for t in terms}
    tokens = text.split()
    if not tokens:
        return ""

    def hit(token: str) -> bool:
        bare = re.sub(r"\W+", "", token.lower())
        # The index stems words ("pets" finds "pet"); a shared start is near enough here.
        return any(
            bare == t
            or (len(t) > 3 and bare.startswith(t))
            or (len(bare) > 3 and t.startswith(bare))
            for t in wanted
        )

    marks = [hit(token) for token in tokens]
    best, best_count = 0, -1
    for start in range(0, max(1, len(tokens) - words + 1)):
        count = sum(marks[start : start + words])
        if count > best_count:
            best, best_count = start, count
    window = [
        f"**{t}**" if marks[best + i] else t for i, t in enumerate(tokens[best : best + words])
    ]
    return (
        ("… " if best > 0 else "") + " ".join(window) + (" …" if best + words < len(tokens) else "")
    )


def _embedded_text(passage: IndexedPassage) -> str:
    return f"{passage.title}\n{passage.text}" if passage.title else passage.text
