"""Numbers from digits and words: "12", "2.5", "twelve", "twenty-five", "a couple of",
"one and a half", "a dozen". Word numbers above the small ones are read by `text2num`.
"""

from __future__ import annotations

import re
from fractions import Fraction

from text_to_num import text2num

SMALL: dict[str, int | Fraction] = {
    "zero": 0,
    "no": 0,
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "couple": 2,
    "pair": 2,
    "few": 3,
    "several": 3,
    "dozen": 12,
    "half": Fraction(1, 2),
    "quarter": Fraction(1, 4),
}
FRACTIONS = {"half": Fraction(1, 2), "quarter": Fraction(1, 4), "third": Fraction(1, 3)}
_DIGITS = re.compile(r"^-?\d+(?:,\d{3})*(?:\.\d+)?$")
_NUMBER_WORDS = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "million", "billion",
}  # fmt: skip


def as_number(value: Fraction | float | int) -> float | int:
    """An int when the value is whole, else a float: what users expect to read back."""
    number = float(value)
    return int(number) if number.is_integer() else number


def _words_number(words: list[str]) -> Fraction | None:
    if not words or not all(w in _NUMBER_WORDS or w == "and" for w in words):
        return None
    if words[0] == "and" or words[-1] == "and":
        return None
    try:
        return Fraction(text2num(" ".join(words), "en"))
    except ValueError:
        return None


def parse_number(tokens: list[str] | tuple[str, ...]) -> Fraction | None:
    """The whole token span as one number, or None.

    "a couple of" → 2, "one and a half" → 3/2, "two point five" → 5/2, "twenty five" → 25.
    """
    words = [t for t in tokens if t not in ("-",)]
    if not words:
        return None
    if words[-1] == "of" and len(words) > 1:  # "a couple of", "a dozen of"
        words = words[:-1]
    if len(words) == 1 and _DIGITS.match(words[0]):
        return Fraction(words[0].replace(",", ""))
    # "X and a half", "X and a quarter"
    if len(words) >= 3 and words[-3:-1] == ["and", "a"] and words[-1] in FRACTIONS:
        whole = parse_number(words[:-3])
        return None if whole is None else whole + FRACTIONS[words[-1]]
    # "two point five"
    if "point" in words:
        index = words.index("point")
        whole = parse_number(words[:index])
        digits = [
            _words_number([w]) or (Fraction(w) if w.isdigit() else None) for w in words[index + 1 :]
        ]
        if whole is None or not digits or any(d is None or d > 9 for d in digits):
            return None
        return whole + Fraction("0." + "".join(str(int(d)) for d in digits if d is not None))
    if words[0] in ("a", "an") and len(words) == 2 and words[1] in SMALL:
        return Fraction(SMALL[words[1]])  # "a couple", "a dozen", "a half"
    if len(words) == 1 and words[0] in SMALL:
        return Fraction(SMALL[words[0]])
    if len(words) == 2 and words[1] in _SCALES and _DIGITS.match(words[0]):
        return Fraction(words[0].replace(",", "")) * _SCALES[words[1]]  # "1.5 million"
    if len(words) == 2 and words[1] == "dozen":
        first = parse_number(words[:1])
        return None if first is None else first * 12
    return _words_number(words)


_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}


def parse_ordinal(token: str) -> int | None:
    """ "4th" → 4, "fourth" → 4, "twenty-first" is two tokens and not handled here."""
    match = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", token)
    if match:
        return int(match.group(1))
    return ORDINALS.get(token)


ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
