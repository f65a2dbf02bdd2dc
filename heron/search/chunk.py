"""Passages out of an extracted document: sentence-aware windows of a few sentences, sized for
the sentence embedding model (all-MiniLM-L6-v2 reads 256 tokens), overlapping a little.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from heron.search.extract import Extracted

TITLE_SEPARATOR = " › "

# CJK text has no spaces: each character counts as a word (the embedding model's tokenizer
# also gives each one a token). Other runs of non-space characters are words, cut every 40
# characters so a pasted blob cannot make one passage of any size.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]{{1,40}}")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Passage:
    """A few sentences of one section: what the index stores and a hit shows."""

    position: int
    """0-based order in the document."""
    title: str
    """The document title, then " › " and the section title when there is one."""
    text: str
    page: int | None
    start: int
    """Offset of the passage in the document's whole text (`Extracted.text`: the sections
    joined by blank lines), so that `doc.text[start:end] == text`."""
    end: int


def passages(doc: Extracted, *, max_words: int = 180, overlap_words: int = 30) -> list[Passage]:
    """Sentence-aware windows: each section is cut into sentences (and paragraphs) that are
    packed into passages of at most max_words words; the next passage starts at a sentence that
    repeats at most the last overlap_words words of the previous one (or exactly that many when
    the last sentence is longer). A passage never crosses a section boundary, and a sentence
    longer than max_words is cut by words. Empty sections give no passages.

    A word is a run of non-space characters (at most 40 long) or one CJK character."""
    if max_words < 1 or not 0 <= overlap_words < max_words:
        raise ValueError("need max_words >= 1 and 0 <= overlap_words < max_words")
    found: list[Passage] = []
    offset = 0
    for section in doc.sections:
        if section.title and section.title != doc.title:
            title = f"{doc.title}{TITLE_SEPARATOR}{section.title}"
        else:
            title = doc.title
        for start, end in _windows(section.text, max_words, overlap_words):
            found.append(
                Passage(
                    position=len(found),
                    title=title,
                    text=section.text[start:end],
                    page=section.page,
                    start=offset + start,
                    end=offset + end,
                )
            )
        offset += len(section.text) + 2  # the blank line that joins sections
    return found


def _windows(text: str, max_words: int, overlap_words: int) -> list[tuple[int, int]]:
    """(start, end) character offsets of the passages of one section's text."""
    words = [(match.start(), match.end()) for match in _WORD.finditer(text)]
    count = len(words)
    if count == 0:
        return []
    # Word indexes where a sentence or paragraph starts (other than the first): a window may
    # end before one.
    starts = [
        index
        for index in range(1, count)
        if _SENTENCE_END.search(text, words[index - 1][0], words[index - 1][1])
        or _PARAGRAPH_BREAK.search(text, words[index - 1][1], words[index][0])
    ]
    starts.append(count)

    def window_end(first: int) -> int:
        """The furthest sentence start that keeps the window within max_words, else the word
        that reaches it (a long sentence is cut)."""
        limit = min(first + max_words, count)
        at = bisect.bisect_right(starts, limit) - 1
        return starts[at] if at >= 0 and starts[at] > first else limit

    windows: list[tuple[int, int]] = []
    first = 0
    while True:
        last = window_end(first)
        windows.append((words[first][0], words[last - 1][1]))
        if last >= count:
            return windows
        # The next window repeats the sentences among the last overlap_words words, or the
        # last overlap_words words of a longer sentence; but it starts afresh when that would
        # leave no room for the sentence that follows.
        candidates = []
        at = bisect.bisect_left(starts, max(last - overlap_words, first + 1))
        if starts[at] < last:
            candidates.append(starts[at])
        elif last - overlap_words > first:
            candidates.append(last - overlap_words)
        first = next((c for c in candidates if window_end(c) > last), last)
