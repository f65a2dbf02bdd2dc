"""The hybrid index on its own: words and meaning each find what the other misses, the fusion
keeps both, users never see each other's passages, filters, removal, and an index that
survives losing or tearing its vector files."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from heron.language.embeddings import SentenceEncoder, load_encoder
from heron.search.index import IndexedPassage, Mode, SearchIndex, query_terms, snippet
from heron.search.words import FOLDER, WordIndex, WordWriter

ANA, BEN = 1, 2
PASSAGES = [
    IndexedPassage(1, 10, ANA, "Lease", "Tenants may keep one cat or a small dog with the "
                   "landlord's written consent. Rent is due on the first day of each month.",
                   kind="pdf", collection="home", created=100.0),
    IndexedPassage(2, 11, ANA, "Dishwasher manual", "The appliance is covered by a two year "
                   "warranty from the date of purchase. Keep the receipt.",
                   kind="pdf", collection="home", created=200.0),
    IndexedPassage(3, 12, ANA, "Sourdough notes", "Feed the starter with equal weights of flour "
                   "and water, then bake at 250 degrees with steam for twenty minutes.",
                   kind="markdown", collection="kitchen", created=300.0),
    IndexedPassage(4, 13, BEN, "Ben's lease", "No pets are allowed in the flat. The warranty "
                   "of the boiler is void.", kind="pdf", collection="home", created=100.0),
]  # fmt: skip


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder()


@pytest.fixture
def index(tmp_path: Path, encoder: SentenceEncoder) -> Iterator[SearchIndex]:
    opened = SearchIndex(tmp_path / "search", encoder)
    opened.add(PASSAGES)
    yield opened
    opened.close()


def ids(hits: list) -> list[int]:  # type: ignore[type-arg]
    return [hit.passage_id for hit in hits]


def test_words_find_a_passage_by_what_it_says(index: SearchIndex) -> None:
    [first, *_] = index.search(ANA, "warranty receipt", mode="bm25")

    assert first.passage_id == 2
    assert first.bm25_rank == 1 and first.dense_rank is None
    assert "**warranty**" in first.snippet and "**receipt**." in first.snippet


def test_meaning_finds_a_passage_that_shares_no_word_with_the_query(index: SearchIndex) -> None:
    query = "can I have animals in my apartment"

    assert index.search(ANA, query, mode="bm25") == []
    assert ids(index.search(ANA, query, mode="dense"))[0] == 1
    best = index.search(ANA, query)[0]
    assert best.passage_id == 1
    assert best.similarity is not None and best.similarity > 0.3


def test_the_fusion_ranks_a_passage_both_rankings_like_first(index: SearchIndex) -> None:
    hits = index.search(ANA, "how long is the dishwasher guarantee")

    assert hits[0].passage_id == 2
    assert hits[0].bm25_rank == 1 and hits[0].dense_rank == 1
    assert hits[0].score > hits[1].score


def test_a_user_never_sees_another_users_passages(index: SearchIndex) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        assert 4 not in ids(index.search(ANA, "no pets allowed boiler warranty", mode=mode))
        assert ids(index.search(BEN, "pets", mode=mode)) == [4]


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_filters_keep_only_the_collection_kind_and_dates_asked_for(
    index: SearchIndex, mode: Mode
) -> None:
    query = "warranty flour cat"
    assert ids(index.search(ANA, query, mode=mode, collection="kitchen")) == [3]
    assert set(ids(index.search(ANA, query, mode=mode, kind="pdf"))) == {1, 2}
    assert set(ids(index.search(ANA, query, mode=mode, after=150.0))) == {2, 3}
    assert ids(index.search(ANA, query, mode=mode, before=200.0)) == [1]
    assert ids(index.search(ANA, query, mode=mode, after=200.0, before=300.0)) == [2]


def test_removing_a_document_removes_its_passages_from_both_rankings(index: SearchIndex) -> None:
    index.remove_document(11)

    for mode in ("bm25", "dense", "hybrid"):
        assert 2 not in ids(index.search(ANA, "dishwasher warranty", mode=mode))
    assert index.count(ANA) == 2


def test_adding_a_passage_again_replaces_it(index: SearchIndex) -> None:
    index.add([IndexedPassage(3, 12, ANA, "Sourdough notes", "Bake rye bread at 230 degrees.")])

    assert index.count(ANA) == 3
    assert index.search(ANA, "starter flour", mode="bm25") == []
    assert ids(index.search(ANA, "rye", mode="bm25")) == [3]


def vector_file(folder: Path, user: int) -> Path:
    [found] = folder.glob(f"vectors-{user}-v*.usearch")
    return found


def test_a_lost_or_torn_vector_file_is_rebuilt_from_the_database(
    tmp_path: Path, encoder: SentenceEncoder, index: SearchIndex
) -> None:
    folder = tmp_path / "search"
    expected = ids(index.search(ANA, "can I have animals in my apartment", mode="dense"))
    index.close()
    torn = vector_file(folder, ANA)
    torn.write_bytes(torn.read_bytes()[:100])  # half a file
    vector_file(folder, BEN).unlink()  # lost

    reopened = SearchIndex(folder, encoder)
    try:
        assert ids(reopened.search(ANA, "can I have animals in my apartment", mode="dense")) == (
            expected
        )
        assert ids(reopened.search(BEN, "animals", mode="dense")) == [4]
    finally:
        reopened.close()


def test_vectors_that_lag_the_database_are_rebuilt(
    tmp_path: Path, encoder: SentenceEncoder, index: SearchIndex
) -> None:
    folder = tmp_path / "search"
    before = vector_file(folder, ANA)
    saved = before.read_bytes()
    index.add([IndexedPassage(5, 14, ANA, "Bike", "The bicycle's tyres take 4 bar.")])
    index.close()
    # As if the process died after the database committed, before the vector file was saved.
    vector_file(folder, ANA).unlink()
    before.write_bytes(saved)

    reopened = SearchIndex(folder, encoder)
    try:
        assert ids(reopened.search(ANA, "tire pressure of my bike", mode="dense"))[0] == 5
    finally:
        reopened.close()


def test_a_second_process_sees_passages_another_added(
    tmp_path: Path, encoder: SentenceEncoder, index: SearchIndex
) -> None:
    # A server keeps its index open while `heron docs add` (another process) adds to it.
    assert ids(index.search(ANA, "tire pressure of my bike", mode="dense"))[0] != 5
    other = SearchIndex(tmp_path / "search", encoder)
    try:
        other.add([IndexedPassage(5, 14, ANA, "Bike", "The bicycle's tyres take 4 bar.")])
        other.remove_document(10)
    finally:
        other.close()

    found = ids(index.search(ANA, "tire pressure of my bike", mode="dense"))
    assert found[0] == 5 and 1 not in found
    assert ids(index.search(ANA, "bicycle tyres cat", mode="bm25")) == [5]


def test_words_behind_the_database_are_rebuilt(
    tmp_path: Path, encoder: SentenceEncoder, index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the process died after the database committed, before the words were.
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(WordWriter, "add", fail)
        with pytest.raises(OSError):
            index.add([IndexedPassage(5, 14, ANA, "Bike", "The bicycle's tyres take 4 bar.")])

    assert ids(index.search(ANA, "bicycle tyres", mode="bm25")) == [5]
    assert ids(index.search(ANA, "tire pressure of my bike", mode="dense"))[0] == 5


def test_a_lost_words_index_is_rebuilt_from_the_database(
    tmp_path: Path, encoder: SentenceEncoder, index: SearchIndex
) -> None:
    index.close()
    shutil.rmtree(tmp_path / "search" / FOLDER)

    reopened = SearchIndex(tmp_path / "search", encoder)
    try:
        assert ids(reopened.search(ANA, "warranty receipt", mode="bm25")) == [2]
        assert ids(reopened.search(BEN, "warranty", mode="bm25")) == [4]
    finally:
        reopened.close()


def test_a_writer_waits_for_another_and_searches_never_wait(
    tmp_path: Path, index: SearchIndex
) -> None:
    # Another process (here: another index object on the same folder) is writing.
    other = WordIndex(tmp_path / "search")
    released = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with other.writing():
            holding.set()
            time.sleep(0.5)
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    try:
        assert ids(index.search(ANA, "warranty receipt", mode="bm25")) == [2]
        assert not released.is_set()
        index.add([IndexedPassage(5, 14, ANA, "Bike", "The bicycle's tyres take 4 bar.")])
        assert released.is_set()
    finally:
        holder.join()
    assert ids(index.search(ANA, "bicycle tyres", mode="bm25")) == [5]


def test_query_words_drop_the_commonest_and_snippets_mark_the_rest() -> None:
    assert query_terms("What does my lease say about the pets?") == [
        "lease",
        "say",
        "about",
        "pets",
    ]
    assert query_terms("the") == ["the"]
    text = " ".join(["filler"] * 40) + " the pets clause says cats are fine " + "tail " * 40
    shown = snippet(text, ["pets", "cats"])
    assert shown.startswith("… ") and shown.endswith(" …")
    assert "**pets**" in shown and "**cats**" in shown
