"""Passages: sentence-aware windows within word limits, overlapping, in order, never crossing a
section, with offsets that point at their text in the whole document."""

from __future__ import annotations

import itertools

import pytest

from heron.search.chunk import Passage, passages
from heron.search.extract import Extracted, Section


def sentence(number: int, words: int = 10) -> str:
    return " ".join([f"s{number}w{i}" for i in range(words - 1)] + [f"end{number}."])


def document(*sections: Section, title: str = "Guide") -> Extracted:
    return Extracted(title, "text", sections, "en")


def words(passage: Passage) -> list[str]:
    return passage.text.split()


LONG = " ".join(sentence(n) for n in range(40))  # 400 words in 40 sentences
DOC = document(
    Section("", LONG),
    Section("Tomatoes", "Short one. Short two!\n\nA new paragraph", page=2),
    Section("Empty", ""),
    Section("Beans", " ".join(sentence(n, 25) for n in range(100, 110)), page=3),
)


def test_passages_stay_within_the_word_limit_and_end_at_sentences() -> None:
    found = passages(DOC, max_words=50, overlap_words=10)
    assert all(1 <= len(words(p)) <= 50 for p in found)
    long = [p for p in found if p.page is None]
    assert all(p.text.endswith(".") for p in long)
    assert all(p.text.startswith("s") for p in long)  # each starts at a sentence


def test_each_passage_repeats_the_last_sentences_of_the_previous_one() -> None:
    found = [p for p in passages(DOC, max_words=50, overlap_words=10) if p.page is None]
    for previous, following in itertools.pairwise(found):
        repeated = words(previous)[-10:]
        assert words(following)[:10] == repeated
    assert (
        " ".join(words(p)[-1] for p in found)
        == " ".join(f"end{n}." for n in range(4, 40, 4)) + " end39."
    )


def test_passages_cover_every_word_of_the_document() -> None:
    found = passages(DOC, max_words=50, overlap_words=10)
    covered: set[int] = set()
    for passage in found:
        covered.update(range(passage.start, passage.end))
    text = DOC.text
    assert {i for i, c in enumerate(text) if not c.isspace()} <= covered


def test_positions_ascend_and_offsets_point_at_the_text_in_the_whole_document() -> None:
    found = passages(DOC, max_words=50, overlap_words=10)
    assert [p.position for p in found] == list(range(len(found)))
    assert [p.start for p in found] == sorted(p.start for p in found)
    for passage in found:
        assert DOC.text[passage.start : passage.end] == passage.text


def test_no_passage_crosses_a_section_and_empty_sections_give_none() -> None:
    found = passages(DOC, max_words=50, overlap_words=10)
    bounds = []
    offset = 0
    for section in DOC.sections:
        bounds.append((offset, offset + len(section.text), section))
        offset += len(section.text) + 2
    for passage in found:
        (section,) = [s for a, b, s in bounds if a <= passage.start and passage.end <= b]
        assert passage.page == section.page
    assert not any("Empty" in p.title for p in found)


def test_passage_titles_join_document_and_section_titles() -> None:
    found = passages(DOC)
    assert [(p.title, p.page) for p in found] == [
        *[("Guide", None)] * 3,
        ("Guide › Tomatoes", 2),
        *[("Guide › Beans", 3)] * 2,
    ]
    same = document(Section("Guide", "Text under the top heading."), title="Guide")
    assert passages(same)[0].title == "Guide"


def test_default_passages_hold_at_most_180_words_with_some_overlap() -> None:
    found = passages(document(Section("", LONG)))
    assert [len(words(p)) for p in found] == [180, 180, 100]
    assert words(found[1])[:30] == words(found[0])[-30:]


def test_a_sentence_longer_than_the_limit_is_cut_by_words_with_overlap() -> None:
    text = " ".join(f"w{i}" for i in range(100)) + "."
    found = passages(document(Section("", text)), max_words=40, overlap_words=5)
    assert [len(words(p)) for p in found] == [40, 40, 30]
    assert words(found[1])[0] == "w35"
    assert words(found[2])[-1] == "w99."


def test_a_short_sentence_before_a_long_one_is_not_repeated_forever() -> None:
    text = "Short. " + " ".join(f"w{i}" for i in range(60))
    found = passages(document(Section("", text)), max_words=20, overlap_words=5)
    assert found[0].text == "Short."
    assert found[-1].text.endswith("w59")
    assert len(found) < 10


def test_paragraph_breaks_are_places_to_end_a_passage() -> None:
    text = "first paragraph without stop\n\nsecond paragraph without stop either"
    found = passages(document(Section("", text)), max_words=6, overlap_words=0)
    assert [p.text for p in found] == [
        "first paragraph without stop",
        "second paragraph without stop either",
    ]


def test_cjk_characters_count_as_words() -> None:
    text = "番茄需要充足的阳光。" * 30  # 300 characters, no spaces
    found = passages(document(Section("", text)), max_words=50, overlap_words=0)
    assert all(len(p.text) <= 50 for p in found)
    assert "".join(p.text for p in found) == text


def test_unusable_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        passages(DOC, max_words=10, overlap_words=10)
    with pytest.raises(ValueError):
        passages(DOC, max_words=0, overlap_words=0)
