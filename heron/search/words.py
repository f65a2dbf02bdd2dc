"""BM25 over the passages' words: a tantivy index, kept beside the passages' database.

Tantivy ranks a user's best passages without scoring every passage that shares a word with
the query (block-max WAND), so a query costs about a millisecond at 100,000 passages where
SQLite FTS5, which scores every match, took 90 (docs/benchmarks.md).

The index is derived: every passage is also in the database, and each user's words carry
a marker with the database version of that user's passages they hold. A writer holds the
index's lock (tantivy's lock file, so across processes too) from before the database
changes until the words are committed; a reader that finds the marker behind the database
while nobody holds the lock knows a writer died in between, and rebuilds that user's words
from the database.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import tantivy

from heron.errors import StoreError

log = logging.getLogger(__name__)

FOLDER = "words-1"
"""The index's folder; its number changes with the schema, so an old index is never read."""
TITLE_WEIGHT = 2.0
"""A word in a passage's title counts this many times one in its text."""
WRITER_HEAP = 50_000_000
"""Bytes a writer may buffer before it writes a segment."""
WAIT_FOR_WRITER = 60.0
"""Seconds to wait for another writer (another process adding documents) to finish."""
_ANALYZER = "heron"


class IndexBusy(StoreError):
    """Another writer held the index for longer than we could wait (HTTP 503)."""


class Passage(Protocol):
    """A passage as the words index keeps it."""

    @property
    def id(self) -> int: ...
    @property
    def document_id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def collection(self) -> str: ...
    @property
    def created(self) -> float: ...


@dataclass(frozen=True)
class Filters:
    collection: str | None = None
    kind: str | None = None
    after: float | None = None
    before: float | None = None

    def sql(self, table: str = "p") -> tuple[str, list[Any]]:
        """The filters as ` AND …` clauses on the passages table, and their values."""
        clauses, values = [], []
        for column, value, op in (
            ("collection", self.collection, "="),
            ("kind", self.kind, "="),
            ("created", self.after, ">="),
            ("created", self.before, "<"),
        ):
            if value is not None:
                clauses.append(f"{table}.{column} {op} ?")
                values.append(value)
        return "".join(f" AND {c}" for c in clauses), values


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", indexed=True, fast=True)
    builder.add_integer_field("document", indexed=True)
    builder.add_integer_field("user", indexed=True)
    # Term frequencies without positions: BM25 needs no more, and the index is smaller.
    builder.add_text_field("title", tokenizer_name=_ANALYZER, index_option="freq")
    builder.add_text_field("text", tokenizer_name=_ANALYZER, index_option="freq")
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("collection", tokenizer_name="raw", index_option="basic")
    builder.add_float_field("created", indexed=True, fast=True)
    # A user's marker: a document with no words whose `version` is the database version of
    # the user's passages the index holds.
    builder.add_integer_field("marker", indexed=True)
    builder.add_integer_field("version", fast=True)
    return builder.build()


def analyzer() -> tantivy.TextAnalyzer:
    """Words as the index keeps them: split at anything not a letter or digit, lower case,
    accents folded, English stems ("pets" → "pet")."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


class WordIndex:
    """Every user's passages, ranked by BM25 over their title and text."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / FOLDER
        self.schema = _schema()
        self._analyzer = analyzer()
        self._index = self._open()
        self._known: dict[int, int] = {}
        """user → the version of the user's passages the index was last seen holding"""

    def _open(self) -> tantivy.Index:
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            index = tantivy.Index(self.schema, path=str(self.folder), reuse=True)
        except ValueError as error:
            # Unreadable: it is derived, so it is started again and refilled from the database.
            log.warning("search words unreadable, starting again: %s", error)
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            index = tantivy.Index(self.schema, path=str(self.folder), reuse=False)
        index.register_tokenizer(_ANALYZER, self._analyzer)
        index.config_reader("manual")
        return index

    # --- reading ----------------------------------------------------------------------

    def reload(self) -> None:
        """Sees what was committed since, by this process or another."""
        self._index.reload()

    def holds(self, user_id: int, version: int) -> bool:
        """Whether the index holds version `version` of the user's passages (as committed by
        any process)."""
        if self._known.get(user_id) == version:
            return True
        self.reload()
        searcher = self._index.searcher()
        found = searcher.search(self._term("marker", user_id), 1, count=False).hits
        held = 0
        if found:
            [value] = searcher.fast_field_values("version", [found[0][1]])
            held = int(value or 0)
        self._known[user_id] = held
        return held == version

    def terms(self, text: str) -> list[str]:
        """The index's words for `text`, each once."""
        return list(dict.fromkeys(self._analyzer.analyze(text)))

    def search(self, user_id: int, words: Sequence[str], k: int, filters: Filters) -> list[int]:
        """Ids of the user's best `k` passages for the words (already as `terms` gives them)."""
        if not words:
            return []
        should: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for word in words:
            should.append(
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(self._words("title", word), TITLE_WEIGHT),
                )
            )
            should.append((tantivy.Occur.Should, self._words("text", word)))
        must = [tantivy.Query.boolean_query(should), self._term("user", user_id)]
        if filters.collection is not None:
            must.append(self._term("collection", filters.collection))
        if filters.kind is not None:
            must.append(self._term("kind", filters.kind))
        if filters.after is not None or filters.before is not None:
            must.append(
                tantivy.Query.range_query(
                    self.schema,
                    "created",
                    tantivy.FieldType.Float,
                    filters.after,
                    filters.before,
                    include_upper=filters.before is None,
                )
            )
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])
        searcher = self._index.searcher()
        hits = searcher.search(query, k, count=False).hits
        ids = searcher.fast_field_values("id", [address for _, address in hits])
        return [int(i) for i in ids if i is not None]

    def _term(self, field: str, value: str | int) -> tantivy.Query:
        """Passages with the value, all scored alike."""
        return tantivy.Query.const_score_query(
            tantivy.Query.term_query(self.schema, field, value, index_option="basic"), 0.0
        )

    def _words(self, field: str, word: str) -> tantivy.Query:
        """Passages with the word, scored by BM25 (its frequency in them counts)."""
        return tantivy.Query.term_query(self.schema, field, word, index_option="freq")

    # --- writing ----------------------------------------------------------------------

    @contextmanager
    def writing(self, wait: float = WAIT_FOR_WRITER) -> Iterator[WordWriter]:
        """The index's writer, held (across processes) for the block; what the block wrote
        is committed when it ends without an error and thrown away when it raises.
        `IndexBusy` if another writer held it for `wait` seconds."""
        writer = self._writer(wait)
        changes = WordWriter(writer)
        try:
            yield changes
        except BaseException:
            writer.rollback()
            raise
        else:
            writer.commit()
            self._known.update(changes.marks)
        finally:
            # Finishes the merges the commit started, and gives the lock back.
            writer.wait_merging_threads()
            self.reload()

    def _writer(self, wait: float) -> tantivy.IndexWriter:
        deadline = time.monotonic() + wait
        pause = 0.01
        while True:
            try:
                return self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as error:
                if "LockBusy" not in str(error):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        "the search index is being written by another process; try again"
                    ) from error
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.folder.rglob("*") if f.is_file())


class WordWriter:
    """Changes to the words index, committed together (see `WordIndex.writing`)."""

    def __init__(self, writer: tantivy.IndexWriter) -> None:
        self._writer = writer
        self.marks: dict[int, int] = {}
        """user → the version marked"""

    def add(self, passages: Sequence[Passage], *, replace: bool = True) -> None:
        for passage in passages:
            if replace:
                self._writer.delete_documents_by_term("id", passage.id)
            document = tantivy.Document(
                id=passage.id,
                document=passage.document_id,
                user=passage.user_id,
                title=passage.title,
                text=passage.text,
                kind=passage.kind,
                collection=passage.collection,
            )
            document.add_float("created", passage.created)
            self._writer.add_document(document)

    def remove_document(self, document_id: int) -> None:
        self._writer.delete_documents_by_term("document", document_id)

    def remove_user(self, user_id: int) -> None:
        """The user's passages and marker."""
        self._writer.delete_documents_by_term("user", user_id)
        self._writer.delete_documents_by_term("marker", user_id)

    def mark(self, user_id: int, version: int) -> None:
        """Records that the index now holds version `version` of the user's passages."""
        self._writer.delete_documents_by_term("marker", user_id)
        self._writer.add_document(tantivy.Document(marker=user_id, version=version))
        self.marks[user_id] = version
