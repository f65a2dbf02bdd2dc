"""Text as the keyboard sees it: words (with their apostrophes), numbers, URLs, e-mail
addresses, emoji and punctuation, and the casing a suggestion takes where it goes.

The model's words are lowercase with a straight apostrophe ("don't"); numbers become NUMBER
(the model knows "<num> minutes"), sentence starts become START, and anything else that is not
a word (a URL, an address, an emoji, a stray symbol) breaks the context."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

START = "<s>"
"""The context at the start of a sentence."""
NUMBER = "<num>"
BREAK = "<unk>"
"""Something that is not a word (a URL, an e-mail address, an emoji): no context across it."""
MARKERS = frozenset({START, NUMBER, BREAK})

_TOKEN = regex.compile(
    r"""
    (?P<url>(?:https?://|www\.)\S+)
    | (?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
    | (?P<abbreviation>(?i:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|vs|etc|e\.g|i\.e|a\.m|p\.m)\.)
    | (?P<emoji>[0-9#*]\uFE0F?\u20E3
        | \p{Extended_Pictographic}(?:\p{EMod}|\uFE0F|\u200D\p{Extended_Pictographic})*)
    | (?P<number>\d+(?:[.,:/]\d+)*(?:st|nd|rd|th|s|am|pm|k|m)?\b)
    | (?P<code>[\p{L}\p{M}\p{N}]*(?:\p{L}\p{M}*\p{N}|\p{N}\p{L})[\p{L}\p{M}\p{N}]*)
    | (?P<word>\p{L}[\p{L}\p{M}]*(?:['’][\p{L}][\p{L}\p{M}]*)*'?)
    | (?P<end>[.!?]+|\n\s*\n)
    | (?P<other>[^\s\w])
    """,
    regex.VERBOSE,
)
WORD_PATTERN = r"\p{L}[\p{L}\p{M}]*(?:['’]\p{L}[\p{L}\p{M}]*)*'?"
"""A word: letters (with their combining marks: "नमस्ते", "مَرْحَبًا") and inner apostrophes."""
_WORD = regex.compile(WORD_PATTERN)
MAX_WORD = 48
"""Longer "words" are not words (a pasted hash, a run of letters): they break the context and
are never learnt."""
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})
PRONOUN_I = frozenset({"i", "i'm", "i'll", "i've", "i'd"})
CONTEXT_CHARS = 300
"""Only the end of a long context matters (the last words of the sentence being written)."""


def normal(word: str) -> str:
    """A word as the model keys it: composed (NFC), lowercase, straight apostrophes."""
    return unicodedata.normalize("NFC", word).translate(_APOSTROPHES).lower()


def is_word(text: str) -> bool:
    return bool(_WORD.fullmatch(text))


@dataclass(frozen=True)
class Token:
    text: str
    """As written."""
    key: str
    """As the model sees it: a normal() word, NUMBER, START (a sentence end) or BREAK."""


def tokenize(text: str) -> list[Token]:
    """Tokens in order; a sentence end is a START token (the next word begins a sentence).
    Letters mixed with digits ("hunter2", "ABC123") are a BREAK: codes and passwords are
    never taken for words."""
    found: list[Token] = []
    for match in _TOKEN.finditer(unicodedata.normalize("NFC", text)):
        kind = match.lastgroup
        value = match.group()
        if kind == "word" and len(value) <= MAX_WORD:
            found.append(Token(value, normal(value)))
        elif kind == "abbreviation":  # its full stop does not end the sentence
            found.append(Token(value, normal(value.rstrip("."))))
        elif kind == "number":
            found.append(Token(value, NUMBER))
        elif kind == "end":
            found.append(Token(value, START))
        elif kind == "other" and value in ',;:"()[]{}-–—':
            continue  # punctuation inside a sentence keeps its context
        else:
            found.append(Token(value, BREAK))
    return found


def sentences(text: str) -> list[list[Token]]:
    """The word and number tokens of each sentence (BREAKs kept: they cut n-grams)."""
    found: list[list[Token]] = []
    current: list[Token] = []
    for token in tokenize(text):
        if token.key == START:
            if current:
                found.append(current)
            current = []
        else:
            current.append(token)
    if current:
        found.append(current)
    return found


@dataclass(frozen=True)
class Context:
    """Where the next word goes: the two words before it, and how to case it."""

    before: tuple[str, str]
    """The two keys before the word (START when the sentence begins)."""
    sentence_start: bool


def context_of(text: str) -> Context:
    """The context at the end of `text` (all that is written before the current word)."""
    tail = text[-CONTEXT_CHARS:]
    keys = [START] + [t.key for t in tokenize(tail)]
    if len(text) > CONTEXT_CHARS and len(keys) > 1:
        keys = keys[1:]  # the cut tail does not start a sentence
    # Within the sentence being written: from the last START on.
    last_start = max((i for i, key in enumerate(keys) if key == START), default=-1)
    within = keys[last_start:] if last_start >= 0 else keys
    u = within[-2] if len(within) >= 2 else BREAK
    v = within[-1] if within else BREAK
    return Context((u, v), sentence_start=v == START)


def all_capitals(typed: str) -> bool:
    """Typed in capitals: two capital letters at least and no small one ("TH", not "I'")."""
    return sum(c.isupper() for c in typed) >= 2 and typed.isupper()


def display(word: str, form: str | None, *, sentence_start: bool, typed: str = "") -> str:
    """How a suggestion is written: `form` is its usual casing ("London", "NASA") or None
    (lowercase); a sentence start or a capitalised prefix capitalises it; a prefix typed in
    capitals (two letters at least) puts it all in capitals."""
    shown = form or word
    if word in PRONOUN_I:
        shown = "I" + word[1:]
    if "’" in typed:  # the user's own apostrophe
        shown = shown.replace("'", "’")
    if all_capitals(typed):
        return shown.upper()
    if sentence_start or typed[:1].isupper():
        return shown[:1].upper() + shown[1:]
    return shown


def like(typed: str, word: str) -> str:
    """`word` cased as `typed` was ("Teh" → "The", "TEH" → "THE")."""
    if all_capitals(typed):
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
