"""Turning what a user typed or said into tokens the matchers compare.

Lower case, contractions expanded, punctuation dropped (except what numbers and sums need),
and polite filler ("please", "could you", "hey heron") stripped from the ends.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CONTRACTIONS = {
    "what's": "what is",
    "whats": "what is",
    "where's": "where is",
    "when's": "when is",
    "who's": "who is",
    "how's": "how is",
    "how're": "how are",
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
    "let's": "let us",
    "i'm": "i am",
    "i've": "i have",
    "i'd": "i would",
    "i'll": "i will",
    "you're": "you are",
    "you've": "you have",
    "we're": "we are",
    "they're": "they are",
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "can't": "can not",
    "cannot": "can not",
    "won't": "will not",
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "shouldn't": "should not",
    "wouldn't": "would not",
    "couldn't": "could not",
    "how'd": "how did",
    "wanna": "want to",
    "gonna": "going to",
}

# Filler that carries no meaning at the start of a request, longest first.
LEADING_FILLER = [
    "hey heron",
    "ok heron",
    "okay heron",
    "hi heron",
    "heron",
    "hey",
    "okay",
    "ok",
    "so",
    "um",
    "uh",
    "please",
    "could you please",
    "can you please",
    "would you please",
    "could you",
    "can you",
    "would you",
    "will you",
    "would you mind",
    "i would like you to",
    "i want you to",
    "i need you to",
    "i would like to",
    "i want to",
    "i need to",
    "kindly",
    "just",
]
TRAILING_FILLER = ["please", "thanks", "thank you", "for me", "heron", "now"]

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
# Keep digits with their decimal point, times like 9:30, percentages and arithmetic signs.
_TOKEN = re.compile(
    r"\d+(?:[.,:]\d+)*(?:st|nd|rd|th|am|pm|a\.m\.|p\.m\.)?|\b[ap]\.m\."
    r"|[^\W\d_]+(?:'[^\W\d_]+)*|[%+*/^=×÷()-]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Utterance:
    """A normalised request: `tokens` for matching, `originals` (same length) as typed."""

    text: str
    tokens: tuple[str, ...]
    originals: tuple[str, ...]
    offsets: tuple[tuple[int, int], ...]
    """Where each token's original word stands in `text` (expansions share their word's)."""

    @property
    def normalized(self) -> str:
        return " ".join(self.tokens)

    def span(self, start: int, end: int) -> str:
        return " ".join(self.tokens[start:end])

    def original(self, start: int, end: int) -> str:
        """The words from token `start` to `end` as typed, punctuation between them kept."""
        if start >= end:
            return ""
        return self.text[self.offsets[start][0] : self.offsets[end - 1][1]]


def fold(text: str) -> str:
    """Lower-case, unify apostrophes and strip accents for comparisons."""
    text = text.translate(_APOSTROPHES).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


Piece = tuple[str, str, tuple[int, int]]


_DEGREES = re.compile(r"°\s*([CFK])\b|°", re.IGNORECASE)
_DEGREE_WORDS = {"c": "celsius", "f": "fahrenheit", "k": "kelvin"}


def _degrees(match: re.Match[str]) -> str:
    letter = (match.group(1) or "").lower()
    return f" {_DEGREE_WORDS[letter]}" if letter else " degrees"


def _prepare(text: str) -> str:
    """Symbols said as words: "20°C" → "20 celsius"."""
    return _DEGREES.sub(_degrees, text) if "°" in text else text


def _split(text: str) -> list[Piece]:
    """(folded token, original word, its character offsets) for each token."""
    pieces: list[Piece] = []
    for match in _TOKEN.finditer(text.translate(_APOSTROPHES)):
        raw, where = match.group(), match.span()
        token = fold(raw).replace("a.m.", "am").replace("p.m.", "pm")
        expanded = CONTRACTIONS.get(token)
        if expanded is not None:
            pieces.extend((word, word, where) for word in expanded.split())
        elif token.endswith("'s") and len(token) > 2:
            # Possessives ("mom's") keep their word; "'s" as "is" is covered above.
            pieces.append((token[:-2], raw, where))
        elif "'" in token and token != "o'clock":
            pieces.append((token.replace("'", ""), raw, where))
        else:
            pieces.append((token, raw, where))
    return pieces


def tokenize(text: str) -> list[str]:
    return [piece[0] for piece in _split(_prepare(text))]


_LEADING = [tuple(f.split()) for f in sorted(LEADING_FILLER, key=len, reverse=True)]
_TRAILING = [tuple(f.split()) for f in sorted(TRAILING_FILLER, key=len, reverse=True)]


def _filler_bounds(tokens: list[str]) -> tuple[int, int]:
    start, end = 0, len(tokens)
    changed = True
    while changed:
        changed = False
        for filler in _LEADING:
            n = len(filler)
            if end - start > n and tuple(tokens[start : start + n]) == filler:
                start += n
                changed = True
                break
        for filler in _TRAILING:
            n = len(filler)
            if end - start > n and tuple(tokens[end - n : end]) == filler:
                end -= n
                changed = True
                break
    return start, end


def strip_filler(tokens: list[str]) -> list[str]:
    start, end = _filler_bounds(tokens)
    return tokens[start:end]


def normalize(text: str) -> Utterance:
    text = _prepare(text)
    pieces = _split(text)
    start, end = _filler_bounds([piece[0] for piece in pieces])
    kept = pieces[start:end]
    return Utterance(
        text=text,
        tokens=tuple(piece[0] for piece in kept),
        originals=tuple(piece[1] for piece in kept),
        offsets=tuple(piece[2] for piece in kept),
    )
