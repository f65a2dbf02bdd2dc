"""What a translation must carry over unchanged, or only reformatted: web addresses, e-mail
addresses, people's and organisations' names, and numbers.

Each is swapped for a placeholder word that no engine knows (engines copy unknown words),
and put back after. Apertium turns "Rose" into "Ascendió" and the neural engine breaks
"https://example.com/a?b=1" apart; behind a placeholder neither can. Numbers come back in
the target language's style: "1,000.5" in English is "1.000,5" in Spanish.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DOT_DECIMAL = frozenset({"en", "hi", "ur", "ms"})
"""Languages writing 1,000.5; the others installed write 1.000,5 (French: 1 000,5)."""
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_DOT_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w]|[.,]\d)|(?<![\w.,])\d+\.\d+(?![\w]|[.,]\d)"
)
_COMMA_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\w]|[.,]\d)|(?<![\w.,])\d+,\d+(?![\w]|[.,]\d)"
)


@dataclass(frozen=True)
class Protected:
    text: str
    """The text with placeholders."""
    values: dict[str, str]
    """placeholder → what it stands for in the target language"""

    def restore(self, translated: str) -> str | None:
        """The translation with the placeholders put back; None if the engine lost or
        repeated one (the caller then translates the text unprotected)."""
        for placeholder in self.values:
            if len(re.findall(rf"\b{placeholder}\b", translated)) != 1:
                return None
        return re.sub(
            r"\b(" + "|".join(self.values) + r")\b",
            lambda m: self.values[m.group(1)],
            translated,
        ) if self.values else translated  # fmt: skip


def protect(
    text: str, source: str, target: str, names: Sequence[tuple[int, int]] = ()
) -> Protected:
    """`text` with its addresses, names (character spans) and formatted numbers replaced."""
    spans: list[tuple[int, int, str]] = []
    for pattern in (_URL, _EMAIL):
        spans += [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]
    spans += [(start, end, text[start:end]) for start, end in names]
    numbers = _DOT_NUMBER if source in DOT_DECIMAL else _COMMA_NUMBER
    spans += [
        (m.start(), m.end(), number(m.group(0), source, target)) for m in numbers.finditer(text)
    ]
    if not spans:
        return Protected(text, {})
    prefix = _free_prefix(text)
    values: dict[str, str] = {}
    parts, at = [], 0
    for start, end, value in sorted(spans):
        if start < at:
            continue  # inside one already taken (a number in an address)
        placeholder = f"{prefix}{len(values)}"
        values[placeholder] = value
        parts += [text[at:start], placeholder]
        at = end
    parts.append(text[at:])
    return Protected("".join(parts), values)


def number(written: str, source: str, target: str) -> str:
    """A number as written in `source`, written as `target` writes it."""
    if (source in DOT_DECIMAL) == (target in DOT_DECIMAL) and target != "fr":
        return written
    thousands, decimal = (",", ".") if source in DOT_DECIMAL else (".", ",")
    whole, _, fraction = written.partition(decimal)
    digits = whole.replace(thousands, "")
    if target in DOT_DECIMAL:
        to_thousands, to_decimal = ",", "."
    else:
        to_thousands, to_decimal = ("\u202f" if target == "fr" else "."), ","
    grouped = f"{int(digits):,}".replace(",", to_thousands) if thousands in whole else digits
    return grouped + (to_decimal + fraction if fraction else "")


def _free_prefix(text: str) -> str:
    """A placeholder stem that is not in the text: "Xq", else "Xqq", …"""
    prefix = "Xq"
    while prefix in text:
        prefix += "q"
    return prefix
