"""Document search: retrieval quality of BM25 alone, dense alone and hybrid (Heron's index) side
by side, with SQLite FTS5, TF-IDF and exact-cosine baselines in the same run; indexing
throughput, query latency (Heron's against FTS5's BM25) and index size at 10,000 and 100,000
passages.

The set is a BEIR-format folder (--beir DIR: corpus.jsonl, queries.jsonl, qrels/test.tsv) or,
by default, the known-item set built from this machine's manual pages (bench/search_data.py).

    .venv/bin/python bench/search.py [--quick] [--beir DIR] [--no-write] [--scale 10000,100000]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from report import p50_p95, percentile, write_section
from rich.progress import Progress
from search_data import CACHE_DIR, RetrievalSet, load_beir, manpages
from sklearn.feature_extraction.text import TfidfVectorizer

import heron.search.index
from heron.language.embeddings import MODEL_NAME, SentenceEncoder, load_encoder
from heron.search import chunk
from heron.search.extract import Extracted, Section
from heron.search.index import IndexedPassage, SearchIndex, query_terms
from heron.search.words import FOLDER as WORDS_FOLDER

COMMAND = ".venv/bin/python bench/search.py"
USER = 1
DEPTH = 100  # Recall@100 needs a ranking this deep
START_WORDS = 300  # "page start": more words than the embedding model reads (256 tokens)
NOISE = 0.5  # the scaled copies' vectors: cosine ≈ 0.9 to the original's
LATENCY_TARGET_MS = 30.0  # a hybrid query's median at the largest size (the target)
Ranking = list[str]


# --- metrics ---------------------------------------------------------------------------


def ndcg(ranking: Sequence[str], judged: dict[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains, as trec_eval and BEIR compute it."""
    dcg = sum(judged.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranking[:k]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    best = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(ranking: Sequence[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {doc for doc, g in judged.items() if g > 0}
    return len(relevant.intersection(ranking[:k])) / len(relevant) if relevant else 0.0


# Checked by hand: relevant b and c at ranks 2 and 3 give (1/log2 3 + 1/log2 4) / (1 + 1/log2 3).
assert abs(ndcg(["a", "b", "c"], {"b": 1, "c": 1}) - 0.6934) < 1e-4
assert recall(["a", "b", "c"], {"b": 1, "c": 1}, k=2) == 0.5
assert ndcg(["x"], {"b": 2}) == 0.0 and ndcg(["b"], {"b": 2, "c": 0}) == 1.0


@dataclass
class Scores:
    """One system's rankings of every query, scored against the judgements."""

    ndcg10: float
    recall100: float
    first: float  # share of queries whose top hit is relevant
    times: list[float]

    @staticmethod
    def of(
        rankings: dict[str, Ranking], qrels: dict[str, dict[str, int]], times: list[float]
    ) -> Scores:
        n = len(rankings)
        return Scores(
            sum(ndcg(r, qrels[q]) for q, r in rankings.items()) / n,
            sum(recall(r, qrels[q]) for q, r in rankings.items()) / n,
            sum(bool(r) and qrels[q].get(r[0], 0) > 0 for q, r in rankings.items()) / n,
            times,
        )


# --- what is indexed -------------------------------------------------------------------


def page_start(text: str, words: int = START_WORDS) -> str:
    return " ".join(text.split()[:words])


def embedded_text(title: str, text: str) -> str:
    # What SearchIndex.add embeds for a passage when it is given no vectors.
    return f"{title}\n{text}" if title else text


class VectorCache:
    """Embeddings of texts, kept on disk by the text's digest, so a rerun (or a subset of a
    set seen before) embeds nothing again."""

    CHUNK = 512  # passages embedded between two saves

    def __init__(self, folder: Path) -> None:
        self.file = folder / f"vectors-{MODEL_NAME}.npz"
        self.keys: dict[str, int] = {}
        self.vectors = np.zeros((0, SentenceEncoder.dimensions), np.float32)
        if self.file.exists():
            with np.load(self.file) as stored:
                self.keys = {str(key): row for row, key in enumerate(stored["keys"])}
                self.vectors = stored["vectors"]

    def embed(self, texts: list[str], encoder: SentenceEncoder, progress: Progress) -> np.ndarray:
        digests = [hashlib.sha256(t.encode()).hexdigest()[:24] for t in texts]
        pending = sorted(
            {d: t for d, t in zip(digests, texts, strict=True) if d not in self.keys}.items()
        )
        if pending:
            task = progress.add_task("embedding passages", total=len(pending))
            for start in range(0, len(pending), self.CHUNK):
                batch = pending[start : start + self.CHUNK]
                self._add([d for d, _ in batch], encoder.encode([t for _, t in batch]))
                progress.advance(task, len(batch))
            progress.remove_task(task)
        return self.vectors[[self.keys[d] for d in digests]]

    def _add(self, digests: list[str], vectors: np.ndarray) -> None:
        for digest in digests:
            self.keys[digest] = len(self.keys)
        self.vectors = np.concatenate([self.vectors, vectors])
        self.file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.file.with_name(f".{self.file.stem}-{os.getpid()}.npz")
        np.savez(partial, keys=np.array(list(self.keys)), vectors=self.vectors)
        partial.replace(self.file)  # whole or not at all


# --- quality ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How a document becomes the one passage the index holds for it."""

    name: str
    words: int | None  # None: the whole document

    def passages(self, collection: RetrievalSet) -> list[IndexedPassage]:
        return [
            IndexedPassage(
                id=number,
                document_id=number,
                user_id=USER,
                title=doc.title,
                text=doc.text if self.words is None else page_start(doc.text, self.words),
            )
            for number, doc in enumerate(collection.corpus, start=1)
        ]


CHUNKED = "passages of ≤ 180 words (heron.search.chunk), a document where its best one is"
WHOLE = Layout("whole document", None)
START = Layout(f"first {START_WORDS} words", START_WORDS)


@contextmanager
def no_snippets() -> Iterator[None]:
    """Hits without snippets: a snippet costs about 1 ms for every 300 words of a passage, so
    a top 100 of whole manual pages would take a second a query. The order does not depend on
    them; the latency figures are taken with them."""
    real = heron.search.index.snippet
    heron.search.index.snippet = lambda text, terms, words=0: ""
    try:
        yield
    finally:
        heron.search.index.snippet = real


System = Callable[[str, int], Ranking]
"""A search: (query, k) → the ids of the best k documents, best first."""


def timed(
    label: str, system: System, queries: dict[str, str], k: int, progress: Progress
) -> tuple[dict[str, Ranking], list[float]]:
    """Every query's top `k` from `system`, and the milliseconds each took (after a warm-up)."""
    for text in list(queries.values())[:5]:
        system(text, k)
    task = progress.add_task(label, total=len(queries))
    rankings, times = {}, []
    for qid, text in queries.items():
        started = time.perf_counter()
        rankings[qid] = system(text, k)
        times.append(1000 * (time.perf_counter() - started))
        progress.advance(task)
    progress.remove_task(task)
    return rankings, times


def heron_search(
    index: SearchIndex,
    ids: list[str] | None,
    mode: str,
    spread: int = 1,
    weights: tuple[float, float] = heron.search.index.WEIGHTS,
) -> System:
    """Heron's index in one mode; `ids`: the set's document ids, by index document id - 1.
    With several passages a document, the top k documents are found among `spread` * k
    passages, each document where its best passage is."""

    def search(query: str, k: int) -> Ranking:
        hits = index.search(USER, query, k=spread * k, mode=mode, weights=weights)  # type: ignore[arg-type]
        found = (ids[h.document_id - 1] if ids else str(h.document_id) for h in hits)
        return list(dict.fromkeys(found))[:k]

    return search


class Fts5:
    """Baseline: BM25 in SQLite FTS5, as Heron's words index was before tantivy (Porter
    stemming, accents folded, a title word counting twice, the same query words), without its
    user filter or snippets: ids only, so its times are a lower bound."""

    def __init__(self, folder: Path) -> None:
        self.db = sqlite3.connect(folder / "fts5.db")
        self.db.execute(
            "CREATE VIRTUAL TABLE words USING fts5 (title, text,"
            " tokenize='porter unicode61 remove_diacritics 2')"
        )

    def add(self, passages: Iterable[IndexedPassage]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO words (rowid, title, text) VALUES (?, ?, ?)",
                ((p.id, p.title, p.text) for p in passages),
            )

    def search(self, query: str, k: int) -> list[int]:
        terms = query_terms(query)
        if not terms:
            return []
        rows = self.db.execute(
            "SELECT rowid FROM words WHERE words MATCH ? ORDER BY bm25(words, 2.0, 1.0) LIMIT ?",
            (" OR ".join(f'"{term}"' for term in terms), k),
        )
        return [int(row[0]) for row in rows]

    def system(self, ids: list[str]) -> System:
        """Documents by passage id - 1, one passage a document."""
        return lambda query, k: [ids[i - 1] for i in self.search(query, k)]


def tfidf_search(collection: RetrievalSet) -> System:
    """Baseline: TF-IDF cosine over the whole documents (scikit-learn, sublinear tf)."""
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    matrix = vectorizer.fit_transform(embedded_text(d.title, d.text) for d in collection.corpus)
    ids = [doc.id for doc in collection.corpus]

    def search(query: str, k: int) -> Ranking:
        scores = (matrix @ vectorizer.transform([query]).T).toarray().ravel()
        return top(scores, ids, k)

    return search


def exact_search(vectors: np.ndarray, encoder: SentenceEncoder, ids: list[str]) -> System:
    """Baseline: the same vectors, every one compared with the query (no approximate index)."""

    def search(query: str, k: int) -> Ranking:
        return top(vectors @ encoder.encode([query])[0], ids, k)

    return search


def top(scores: np.ndarray, ids: list[str], k: int) -> Ranking:
    best = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
    return [ids[i] for i in best[np.argsort(-scores[best], kind="stable")] if scores[i] > 0]


@dataclass(frozen=True)
class Tuning:
    """nDCG@10 of the fusion for each BM25 weight (the dense ranking's is 1), on one half of
    the queries (tuning) and on the other (held out)."""

    tuned: dict[float, float]
    held_out: dict[float, float]

    @property
    def best(self) -> float:
        return max(self.tuned, key=lambda w: self.tuned[w])

    @property
    def chosen(self) -> float:
        """Equal weights unless another beats them clearly on the tuning half."""
        return self.best if self.tuned[self.best] - self.tuned[1.0] > TUNING_MARGIN else 1.0


BM25_WEIGHTS = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
TUNING_MARGIN = 0.01
"""nDCG@10 a weight must gain over equal weights to be chosen: about one standard error of
the mean over 1,000 queries here."""


def tune(
    index: SearchIndex, ids: list[str], collection: RetrievalSet, progress: Progress
) -> Tuning:
    """The fusion's weights tried on alternate queries: even positions tune, odd ones test."""
    qids = sorted(collection.queries)
    halves = [
        {q: collection.queries[q] for q in qids[0::2]},
        {q: collection.queries[q] for q in qids[1::2]},
    ]
    results: list[dict[float, float]] = [{}, {}]
    with no_snippets():
        for weight in BM25_WEIGHTS:
            system = heron_search(index, ids, "hybrid", weights=(weight, 1.0))
            for half, queries in enumerate(halves):
                rankings, _ = timed(f"fusion, BM25 weight {weight}", system, queries, 10, progress)
                results[half][weight] = Scores.of(rankings, collection.qrels, []).ndcg10
    return Tuning(*results)


def tuning_table(tuning: Tuning) -> str:
    lines = [
        "| BM25 weight (dense: 1) | nDCG@10, tuning half | nDCG@10, held-out half |",
        "|---|---|---|",
    ]
    for weight in BM25_WEIGHTS:
        mark = " (Heron's)" if weight == heron.search.index.WEIGHTS[0] else ""
        lines.append(
            f"| {weight}{mark} | {tuning.tuned[weight]:.3f} | {tuning.held_out[weight]:.3f} |"
        )
    return "\n".join(lines)


@dataclass
class Row:
    system: str
    indexed: str
    scores: Scores


def quality(
    collection: RetrievalSet,
    cut: Chunked,
    vectors: np.ndarray,
    encoder: SentenceEncoder,
    latency_queries: dict[str, str],
    progress: Progress,
) -> tuple[list[Row], float, Tuning]:
    """Every system's top 100 for every query, scored, and the time of a top 10 for each of
    `latency_queries`; the small index's indexing rate (passages/s, vectors given); and the
    fusion's weights tried."""

    def run(label: str, system: System) -> Scores:
        with no_snippets():
            rankings, _ = timed(label, system, queries, DEPTH, progress)
        _, times = timed(f"{label} (latency)", system, latency_queries, 10, progress)
        scores = Scores.of(rankings, qrels, times)
        print(f"  {label}: {describe(scores)}")
        return scores

    ids = [doc.id for doc in collection.corpus]
    queries, qrels = collection.queries, collection.qrels
    rows: list[Row] = []
    rate = 0.0
    for layout in (WHOLE, START):
        with tempfile.TemporaryDirectory(prefix="heron-search-bench-") as folder:
            index = SearchIndex(Path(folder), encoder)
            passages = layout.passages(collection)
            started = time.perf_counter()
            index.add(passages, vectors)
            if layout is WHOLE:
                rate = len(passages) / (time.perf_counter() - started)
            modes = ("bm25", "dense", "hybrid") if layout is WHOLE else ("bm25", "hybrid")
            for mode in modes:
                scores = run(f"Heron {mode}, {layout.name}", heron_search(index, ids, mode))
                indexed = layout.name if mode != "dense" else "first 256 tokens"
                if mode == "hybrid":
                    indexed = f"{layout.name}; dense: first 256 tokens"
                rows.append(Row(f"Heron {NAMES[mode]}", indexed, scores))
            if layout is START:
                tuning = tune(index, ids, collection, progress)
            index.close()
            fts5 = Fts5(Path(folder))
            fts5.add(passages)
            label = "baseline: BM25 in SQLite FTS5 (Heron's before tantivy)"
            rows.append(Row(label, layout.name, run(f"{label}, {layout.name}", fts5.system(ids))))
            fts5.db.close()
    with tempfile.TemporaryDirectory(prefix="heron-search-bench-") as folder:
        # Words only: these passages have no vectors of their own (embedding them all would
        # take far longer than the rest of the run).
        index = SearchIndex(Path(folder), None)
        index.add(cut.passages())
        scores = run("Heron bm25, passages", heron_search(index, ids, "bm25", spread=3))
        rows.append(Row(f"Heron {NAMES['bm25']}", CHUNKED, scores))
        index.close()
    for label, system, indexed in (
        ("baseline: TF-IDF cosine (scikit-learn)", tfidf_search(collection), WHOLE.name),
        ("baseline: exact cosine, same vectors (NumPy)", exact_search(vectors, encoder, ids),
         "first 256 tokens"),
    ):  # fmt: skip
        rows.append(Row(label, indexed, run(label, system)))
    return rows, rate, tuning


NAMES = {
    "bm25": "BM25 alone (tantivy)",
    "dense": "dense alone (MiniLM, usearch)",
    "hybrid": "hybrid (reciprocal-rank fusion)",
}


def describe(scores: Scores) -> str:
    return (
        f"nDCG@10 {scores.ndcg10:.3f}, Recall@100 {scores.recall100:.3f}, "
        f"first hit {100 * scores.first:.1f} %, p50/p95 {p50_p95(scores.times)} ms"
    )


# --- scale -----------------------------------------------------------------------------


@dataclass
class Scaled:
    passages: int
    index_rate: float  # passages/s, vectors given
    size: dict[str, int]  # bytes on disk by file kind
    times: dict[str, list[float]]  # ms a query, by mode (and "fts5": the FTS5 baseline's)
    add_one: list[float]  # ms to add one more single-passage document


@dataclass(frozen=True)
class Chunked:
    """The corpus cut into passages as Heron cuts a document it is given (heron.search.chunk)."""

    titles: list[str]
    texts: list[str]
    documents: np.ndarray  # the corpus index of each passage's document

    @staticmethod
    def of(collection: RetrievalSet) -> Chunked:
        titles, texts, documents = [], [], []
        for number, doc in enumerate(collection.corpus):
            extracted = Extracted(doc.title, "text", (Section("", doc.text),), "en")
            for passage in chunk.passages(extracted):
                titles.append(passage.title)
                texts.append(passage.text)
                documents.append(number)
        return Chunked(titles, texts, np.array(documents))

    def passages(self) -> list[IndexedPassage]:
        """Each passage once, with its own document."""
        return [
            IndexedPassage(
                id=number, document_id=int(document) + 1, user_id=USER, title=title, text=text
            )
            for number, (title, text, document) in enumerate(
                zip(self.titles, self.texts, self.documents, strict=True), start=1
            )
        ]

    def scaled(
        self, vectors: np.ndarray, first: int, count: int, rng: np.random.Generator
    ) -> tuple[list[IndexedPassage], np.ndarray]:
        """Passages first+1 … first+count of the passages repeated without end, a repeated one
        under new ids. Each has its document's vector moved a little (noise): the passages of
        a document are not embedded one by one here, and the nearest-neighbour graph must not
        be made of exact duplicates."""
        numbers = np.arange(first, first + count)
        rows = numbers % len(self.texts)
        documents = self.documents[rows] + (numbers // len(self.texts)) * (self.documents[-1] + 1)
        noise = rng.standard_normal((count, vectors.shape[1])).astype(np.float32)
        chosen = vectors[self.documents[rows]] + NOISE * noise / math.sqrt(vectors.shape[1])
        chosen /= np.linalg.norm(chosen, axis=1, keepdims=True)
        passages = [
            IndexedPassage(
                id=int(number) + 1,
                document_id=int(document) + 1,
                user_id=USER,
                title=self.titles[row],
                text=self.texts[row],
            )
            for number, row, document in zip(numbers, rows, documents, strict=True)
        ]
        return passages, chosen


def scale(
    passages: Chunked,
    vectors: np.ndarray,
    encoder: SentenceEncoder,
    size: int,
    queries: list[str],
    progress: Progress,
) -> Scaled:
    rng = np.random.default_rng(size)
    with tempfile.TemporaryDirectory(prefix="heron-search-bench-") as folder:
        index = SearchIndex(Path(folder) / "heron", encoder)
        fts5 = Fts5(Path(folder))
        task = progress.add_task(f"indexing {size:,} passages", total=size)
        spent = 0.0
        batch = 10_000
        for first in range(0, size, batch):
            added, chosen = passages.scaled(vectors, first, min(batch, size - first), rng)
            started = time.perf_counter()
            index.add(added, chosen)
            spent += time.perf_counter() - started
            fts5.add(added)
            progress.advance(task, len(added))
        progress.remove_task(task)
        times = {}
        numbered = {str(i): q for i, q in enumerate(queries)}
        for mode in ("bm25", "dense", "hybrid"):
            label = f"{mode} queries over {size:,} passages"
            _, times[mode] = timed(label, heron_search(index, None, mode), numbered, 10, progress)
        _, times["fts5"] = timed(
            f"FTS5 queries over {size:,} passages",
            lambda query, k: [str(i) for i in fts5.search(query, k)],
            numbered,
            10,
            progress,
        )
        fts5.db.close()
        add_one = []
        for extra in range(5):
            added, chosen = passages.scaled(vectors, size + extra, 1, rng)
            started = time.perf_counter()
            index.add(added, chosen)
            add_one.append(1000 * (time.perf_counter() - started))
        index.close()
        files = [f for f in (Path(folder) / "heron").rglob("*") if f.is_file()]
        sizes = {
            "passages": sum(f.stat().st_size for f in files if ".db" in f.name),
            "words": sum(f.stat().st_size for f in files if WORDS_FOLDER in f.parts),
            "vectors": sum(f.stat().st_size for f in files if ".usearch" in f.name),
            "all": index.size_bytes(),
        }
    return Scaled(size, size / spent, sizes, times, add_one)


# --- the run ---------------------------------------------------------------------------


def embedding_rate(texts: list[str], encoder: SentenceEncoder, sample: int) -> float:
    """Passages embedded a second, timed on a fixed sample (the cached vectors are not)."""
    chosen = [texts[i] for i in np.random.default_rng(7).permutation(len(texts))[:sample]]
    encoder.encode(chosen[:8])
    started = time.perf_counter()
    encoder.encode(chosen)
    return len(chosen) / (time.perf_counter() - started)


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 10e6 else f"{size / 1e6:.1f} MB"


def quality_table(rows: list[Row]) -> str:
    lines = [
        "| system | indexed text | nDCG@10 | Recall@100 | top hit right | query p50 / p95 ms |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        s = row.scores
        lines.append(
            f"| {row.system} | {row.indexed} | {s.ndcg10:.3f} | {s.recall100:.3f} | "
            f"{100 * s.first:.1f} % | {p50_p95(s.times)} |"
        )
    return "\n".join(lines)


def scale_table(results: list[Scaled], embed_rate: float) -> str:
    lines = [
        "| passages | indexing, vectors given | with embedding "
        "| on disk (passages + words + vectors) | BM25 p50 / p95 ms "
        "| baseline: FTS5 BM25 p50 / p95 ms | dense p50 / p95 ms | hybrid p50 / p95 ms "
        "| add one document ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        both = 1 / (1 / r.index_rate + 1 / embed_rate)
        lines.append(
            f"| {r.passages:,} | {r.index_rate:,.0f} passages/s | {both:,.1f} passages/s | "
            f"{megabytes(r.size['all'])} ({megabytes(r.size['passages'])} + "
            f"{megabytes(r.size['words'])} + {megabytes(r.size['vectors'])}) | "
            f"{p50_p95(r.times['bm25'])} | {p50_p95(r.times['fts5'])} | "
            f"{p50_p95(r.times['dense'])} | {p50_p95(r.times['hybrid'])} | "
            f"{p50_p95(r.add_one, 0)} |"
        )
    return "\n".join(lines)


def scale_summary(largest: Scaled) -> str:
    """Heron's BM25 against FTS5's, and the hybrid query against the target."""
    median = {mode: percentile(times, 0.5) for mode, times in largest.times.items()}
    target = "met" if median["hybrid"] < LATENCY_TARGET_MS else "missed"
    return (
        f"At {largest.passages:,} passages Heron's BM25 (tantivy) answers in "
        f"{median['bm25']:.1f} ms at the median against FTS5's {median['fts5']:.1f} ms "
        f"({median['fts5'] / median['bm25']:.0f}× faster), and a hybrid query takes "
        f"{median['hybrid']:.1f} ms: the < {LATENCY_TARGET_MS:.0f} ms target is {target}."
    )


def set_description(collection: RetrievalSet, beir: Path | None) -> str:
    if beir is not None:
        return (
            f"**Set**: the BEIR-format folder `{beir.name}` ({collection.sizes()}); "
            "a document is its title and text."
        )
    return f"""**Set**: a known-item set built from the English manual pages installed on this
machine (`bench/search_data.py`; no BEIR set is in ../shared/datasets yet). Every page in
/usr/share/man/man1–man8 that is not an alias is rendered to text with groff; the one-line
description of its NAME section is the query ("ls - list directory contents" → "list
directory contents") and the page without its NAME section, header and footer is the one
relevant document (no title). Pages sharing a description or a text with another page are
never queries; the 16,600 generated pages of the Google Cloud CLI (`gcloud_*`, most of them
alpha, beta and GA near-copies) are left out. In all {collection.sizes()}; the queries
are a seeded sample of the pages that can be. The command names are in the documents and
in some queries, as a user would type them."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run (smoke test)")
    parser.add_argument("--beir", type=Path, help="a BEIR-format folder instead of man pages")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--scale", default=None, help="passage counts (default 10000,100000)")
    parser.add_argument("--latency-queries", type=int, default=None)
    args = parser.parse_args()
    sizes = [int(n) for n in (args.scale or ("10000" if args.quick else "10000,100000")).split(",")]
    latency_n = args.latency_queries or (50 if args.quick else 300)
    load_before = os.getloadavg()
    started = time.perf_counter()
    collection = load_beir(args.beir) if args.beir else manpages()
    if args.quick:
        collection = collection.subset(queries=200, documents=1000)
    print(collection.describe())
    encoder = load_encoder()
    texts = [embedded_text(d.title, page_start(d.text)) for d in collection.corpus]
    with Progress() as progress:
        vectors = VectorCache(CACHE_DIR.parent / "search").embed(texts, encoder, progress)
        embed_rate = embedding_rate(texts, encoder, 64 if args.quick else 256)
        print(f"embedding: {embed_rate:.1f} passages/s")
        questions = list(collection.queries.values())
        chosen = [
            questions[i] for i in np.random.default_rng(3).permutation(len(questions))[:latency_n]
        ]
        cut = Chunked.of(collection)
        rows, small_rate, tuning = quality(
            collection, cut, vectors, encoder, {str(i): q for i, q in enumerate(chosen)}, progress
        )
        results = []
        for size in sizes:
            results.append(scale(cut, vectors, encoder, size, chosen, progress))
            print(f"  {size:,} passages: {scale_table(results[-1:], embed_rate).splitlines()[-1]}")
    load_after = os.getloadavg()
    minutes = (time.perf_counter() - started) / 60
    hybrid = max((r for r in rows if "hybrid" in r.system), key=lambda r: r.scores.ndcg10)
    bm25 = max((r for r in rows if "BM25" in r.system), key=lambda r: r.scores.ndcg10)
    reference = ""
    if args.beir is not None and "scifact" in args.beir.name.lower():
        reference = (
            "\n\nPublished reference: BM25 (Elasticsearch) nDCG@10 0.665 on SciFact "
            "(Thakur et al. 2021, BEIR)."
        )
    body = f"""
{set_description(collection, args.beir)}

**Quality.** Every query against one index holding every document, in Heron's three modes
(`SearchIndex.search(mode=…)`), with a document indexed three ways: whole as one passage, its
first {START_WORDS} words as one passage, or cut into passages as Heron cuts a document it
is given (BM25 only: each of those passages would need its own vector, {len(cut.texts):,}
passages, {len(cut.texts) / embed_rate / 60:.0f} min of embedding here). The embedding model
(all-MiniLM-L6-v2) reads the first 256 tokens of a passage, so the dense side sees the start
of each document. The metrics score each query's top {DEPTH} (snippets switched off: they
cost time, not order); latency is a top 10 with snippets, as a user gets it, one query at a
time, in-process, query embedding included, for {latency_n} of the queries (the FTS5
baseline's are ids only: no user filter, rows or snippets). The baselines run in the same
process on the same documents and vectors.

{quality_table(rows)}

Best hybrid against best BM25 alone: nDCG@10 {hybrid.scores.ndcg10:.3f} ({hybrid.indexed})
against {bm25.scores.ndcg10:.3f} ({bm25.indexed}).{reference}

**The fusion's weights.** Reciprocal-rank fusion adds weight / (60 + rank) from each
ranking. The BM25 ranking's weight was tried against the dense ranking's 1 on the first
{START_WORDS} words index, choosing on one half of the queries (alternate ids) and checking on
the other:

{tuning_table(tuning)}

Best on the tuning half: {tuning.best} (nDCG@10 {tuning.tuned[tuning.best]:.3f} against
{tuning.tuned[1.0]:.3f} for equal weights). The rule: equal weights unless another weight gains
more than {TUNING_MARGIN} on the tuning half, which chooses {tuning.chosen}; Heron uses
{heron.search.index.WEIGHTS[0]}.

**Scale.** The corpus cut into passages as Heron cuts a document it is given
(`heron.search.chunk.passages`, at most 180 words: {len(cut.texts):,} passages), repeated under
new ids up to each size. A passage's vector is its document's plus a little noise (cosine ≈
0.9 to it): embedding every passage would take {len(cut.texts) / embed_rate / 60:.0f} min
here, and repeated passages must not be exact duplicates in the nearest-neighbour graph.
Indexing is `add` of 10,000 passages a call, vectors given; "with embedding" adds MiniLM's
rate on this machine, {embed_rate:.1f} passages/s (timed on {64 if args.quick else 256}
passages; the quality run's small index took {small_rate:,.0f} passages/s without
embedding). Latency: the same {latency_n} queries, top 10, one at a time in each mode; Heron's
include the user filter, the passages' rows and snippets, the FTS5 baseline's (the same
passages in one FTS5 table) are ids only. "Add one document" is `add` of a one-passage
document to the full index (five times). Sizes after closing the index: the passages and
their vectors in SQLite, the words index (tantivy), the vector index (usearch).

{scale_table(results, embed_rate)}

{scale_summary(results[-1])}

Load average before / after the run: {load_before[0]:.2f} / {load_after[0]:.2f}
({os.cpu_count()} cores); the run took {minutes:.0f} min.
"""
    print(body)
    if not args.no_write:
        title = "Document search" + (f" (BEIR {args.beir.name})" if args.beir else "")
        command = COMMAND + (" --quick" if args.quick else "")
        if args.beir:
            command += f" --beir {args.beir}"
        if args.scale:
            command += f" --scale {args.scale}"
        write_section(title, body, command=command)


if __name__ == "__main__":
    main()
