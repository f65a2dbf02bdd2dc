"""Translation as Heron offers it: any installed direction, directly or through pivot
languages; the source language detected when not given; long texts cut into sentences;
names, addresses and numbers protected; a phrase memory for everyday expressions; Spanish
punctuation put right.
"""

from __future__ import annotations

import csv
import itertools
import logging
import re
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from heron.errors import BadInput, UnsupportedLanguage
from heron.language.langid import Detection, LanguageIdentifier, language_name
from heron.translation.base import Engine, Pair, Segment
from heron.translation.protect import protect

log = logging.getLogger(__name__)

ROUTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("en", "es"): ("en", "pt", "es"),
    ("es", "en"): ("es", "pt", "en"),
    ("en", "ca"): ("en", "pt", "ca"),
    ("ca", "en"): ("ca", "pt", "en"),
    ("en", "gl"): ("en", "pt", "gl"),
    ("gl", "en"): ("gl", "pt", "en"),
    ("en", "fr"): ("en", "pt", "es", "fr"),
    ("fr", "en"): ("fr", "es", "pt", "en"),
    ("en", "it"): ("en", "pt", "es", "it"),
    ("it", "en"): ("it", "es", "pt", "en"),
}
"""Directions translated better through Portuguese than directly (bench/translation.py: +8 to
+17 chrF on the Asterisk prompts and the Declaration of Human Rights; paired bootstrap): the
neural English↔Portuguese engine, then Apertium between the Romance languages."""
MIN_ROUTE_WORDS = 3
"""A word or two goes the direct way: the neural model, given no context, turns a lone word
into something else ("biblioteca" → "Libraries"); a bilingual dictionary does not."""
SURE = 0.9
"""A detection this confident is taken as it is; a less confident one is checked against
the next likeliest languages."""
CANDIDATES = 3
PIVOTS = ("en", "es", "pt", "ca", "fr")
"""Tried first when a direction needs a pivot (the languages with the most pairs)."""
MAX_SEGMENT_CHARS = 600
"""A sentence longer than this (no full stop in sight) is cut at commas or spaces."""

NameFinder = Callable[[str], Sequence[tuple[int, int]]]
"""Character spans of the people's and organisations' names in an English text."""
NAME_LABELS = frozenset({"PERSON"})
"""The kinds of spaCy entity kept as they are. Not places (London is Londres), nor
organisations: the small model takes "the United Nations", "Mailbox" and "Password" for
them, and a placeholder breaks the agreement around it (bench/translation.py)."""


@dataclass(frozen=True)
class Hop:
    source: str
    target: str
    engine: str

    def to_json(self) -> dict[str, str]:
        return {"from": self.source, "to": self.target, "engine": self.engine}


@dataclass(frozen=True)
class Translation:
    text: str
    source: str
    target: str
    route: tuple[Hop, ...]
    """The engines the text went through, in order (empty when source is target)."""
    detected: Detection | None = None
    """How the source language was found, when the caller did not give it."""
    unknown: tuple[str, ...] = ()
    """Source words no engine knew: left as they were."""
    remembered: bool = False
    """The whole text came from the phrase memory."""

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "from": self.source,
            "to": self.target,
            "detected": self.detected.to_json() if self.detected else None,
            "route": [hop.to_json() for hop in self.route],
            "unknown": list(self.unknown),
            "remembered": self.remembered,
        }


class Translator:
    """Translates between every pair of languages its engines connect."""

    def __init__(
        self,
        engines: Sequence[Engine],
        identifier: LanguageIdentifier,
        *,
        names: NameFinder | None = None,
        routes: dict[tuple[str, str], tuple[str, ...]] | None = None,
        memory: PhraseMemory | None = None,
    ) -> None:
        self.engines = {engine.name: engine for engine in engines}
        self.identifier = identifier
        self.names = names
        self.routes = ROUTES if routes is None else routes
        self.memory = memory if memory is not None else PhraseMemory.packaged()
        self._edges: dict[str, list[Pair]] | None = None
        self._directions: list[dict[str, Any]] | None = None
        self._lock = threading.Lock()

    # --- what can be translated -------------------------------------------------------

    def edges(self) -> dict[str, list[Pair]]:
        """source language → the directions the engines translate it in, preferred first."""
        with self._lock:
            if self._edges is None:
                edges: dict[str, list[Pair]] = {}
                for engine in self.engines.values():
                    for pair in engine.pairs():
                        edges.setdefault(pair.source, []).append(pair)
                self._edges = edges
            return self._edges

    def route(
        self, source: str, target: str, *, markup: bool = False, words: int | None = None
    ) -> tuple[Hop, ...]:
        """The hops from `source` to `target`: a measured route if it is installed (for a
        text of `words` words, at least MIN_ROUTE_WORDS), else the fewest hops
        (UnsupportedLanguage if none)."""
        found = self._find(source, target, markup, words)
        if found is None:
            raise UnsupportedLanguage(self._unsupported(source, target))
        return found

    def _find(
        self, source: str, target: str, markup: bool, words: int | None = None
    ) -> tuple[Hop, ...] | None:
        if source == target:
            return ()
        usable = self._usable(markup)
        short = words is not None and words < MIN_ROUTE_WORDS
        preferred = None if short else self.routes.get((source, target))
        if preferred is not None:
            hops = [self._hop(a, b, usable) for a, b in itertools.pairwise(preferred)]
            if all(hop is not None for hop in hops):
                return tuple(hop for hop in hops if hop is not None)
        return _shortest(source, target, usable)

    def _usable(self, markup: bool) -> dict[str, list[Pair]]:
        if not markup:
            return self.edges()
        return {
            source: [p for p in pairs if self.engines[p.engine].handles_markup]
            for source, pairs in self.edges().items()
        }

    @staticmethod
    def _hop(source: str, target: str, usable: dict[str, list[Pair]]) -> Hop | None:
        for pair in usable.get(source, []):
            if pair.target == target:
                return Hop(source, target, pair.engine)
        return None

    def directions(self) -> list[dict[str, Any]]:
        """Every direction that can be translated, with its route."""
        languages = sorted(
            set(self.edges()) | {p.target for ps in self.edges().values() for p in ps}
        )
        found = []
        for source in languages:
            for target in languages:
                if source == target:
                    continue
                try:
                    hops = self.route(source, target)
                except UnsupportedLanguage:
                    continue
                found.append(
                    {
                        "from": source,
                        "to": target,
                        "via": [hop.target for hop in hops[:-1]],
                        "engines": sorted({hop.engine for hop in hops}),
                    }
                )
        self._directions = found
        return found

    def languages(self) -> list[dict[str, str]]:
        codes = set(self.edges()) | {p.target for ps in self.edges().values() for p in ps}
        return [{"code": code, "name": language_name(code)} for code in sorted(codes)]

    def _unsupported(self, source: str, target: str) -> str:
        known = {language["code"] for language in self.languages()}
        if not known:
            return (
                "no translation engine is installed (Debian: apt-get install apertium "
                "apertium-eng-spa)"
            )
        missing = [code for code in dict.fromkeys((source, target)) if code not in known]
        if missing:
            return (
                f"no engine translates {' or '.join(map(repr, missing))}; the languages are: "
                + ", ".join(sorted(known))
            )
        targets = sorted(t for t in known if self._find(source, t, markup=False))
        return f"{source} cannot be translated into {target}; it can into: {', '.join(targets)}"

    # --- translating ------------------------------------------------------------------

    def translate(
        self,
        texts: Sequence[str],
        target: str,
        source: str | None = None,
        *,
        markup: bool = False,
    ) -> list[Translation]:
        """Each text translated into `target`, from `source` or from the language each is
        detected in. Blocks (engines run here): call it in a worker thread."""
        target = _code(target)
        if target not in {language["code"] for language in self.languages()}:
            raise UnsupportedLanguage(self._unsupported(source or target, target))
        if source is not None:
            source = _code(source)
            self.route(source, target, markup=markup)  # an unsupported pair fails first
            return [self._translate(text, source, target, markup, None) for text in texts]
        detections = self.identifier.detect(list(texts))
        return [
            self._detected(text, detected, target, markup, len(texts) > 1 and i)
            for i, (text, detected) in enumerate(zip(texts, detections, strict=True))
        ]

    def _detected(
        self, text: str, detected: Detection, target: str, markup: bool, i: int | bool
    ) -> Translation:
        """`text` translated from the language it is detected in. A sure detection is
        taken; an unsure one (a few words) tries the likely languages that can be translated
        and keeps the translation with the fewest unknown words ("El perro come carne" looks
        Italian to the detector, but Apertium's Italian knows neither "perro" nor "carne")."""
        which = "the text" if i is False else f"texts[{i}]"
        known = {language["code"] for language in self.languages()}
        if detected.reliable and detected.code not in known:
            raise UnsupportedLanguage(
                f"{which} looks like {detected.name} ({detected.code}), which no engine "
                f'translates; if it is in another language, say which with "from"'
            )
        likely = [detected.code] if detected.reliable else []
        likely += [c.code for c in detected.alternatives]
        if detected.reliable and (detected.code == target or detected.confidence >= SURE):
            likely = likely[:1]
        candidates = [
            code
            for code in dict.fromkeys(likely)
            if code == target or self._find(code, target, markup) is not None
        ][:CANDIDATES]
        if not candidates:
            raise UnsupportedLanguage(
                f"could not tell which language {which} is in among those that can be "
                f'translated into {target}; say which with "from"'
            )
        tried = [self._translate(text, code, target, markup, detected) for code in candidates]
        return min(tried, key=lambda t: len(t.unknown))  # the first of the best: likeliest

    def _translate(
        self, text: str, source: str, target: str, markup: bool, detected: Detection | None
    ) -> Translation:
        hops = self.route(source, target, markup=markup, words=len(text.split()))
        if not hops:
            return Translation(text, source, target, hops, detected)
        remembered = None if markup else self.memory.lookup(text, source, target)
        if remembered is not None:
            done = postedit(remembered, target)
            return Translation(done, source, target, hops, detected, remembered=True)
        pieces = split(text)
        unknown: list[str] = []
        out = []
        for piece, is_text in pieces:
            if not is_text:
                out.append(piece)
                continue
            segment = self._segment(piece, hops, markup)
            out.append(segment.text)
            unknown += segment.unknown
        return Translation(
            "".join(out), source, target, hops, detected, tuple(dict.fromkeys(unknown))
        )

    def _segment(self, text: str, hops: tuple[Hop, ...], markup: bool) -> Segment:
        """One sentence, translated and post-edited (before its placeholders are put back, so
        an address's '?' is not taken for a question's)."""
        target = hops[-1].target
        remembered = None if markup else self.memory.lookup(text, hops[0].source, target)
        if remembered is not None:
            return Segment(postedit(remembered, target))
        names = self._names(text, hops) if not markup else ()
        guarded = protect(text, hops[0].source, target, names)
        if guarded.values:
            done = self._through(guarded.text, hops, markup)
            restored = guarded.restore(postedit(done.text, target))
            if restored is not None:
                return Segment(restored, tuple(w for w in done.unknown if w not in guarded.values))
            log.info("translation lost a placeholder; translating unprotected: %r", text[:80])
        done = self._through(text, hops, markup)
        return Segment(postedit(done.text, target), done.unknown)

    def _through(self, text: str, hops: tuple[Hop, ...], markup: bool) -> Segment:
        """The text through every hop. Unknown words of a later hop are the pivot's, left in
        the output ("áudio" in Spanish): reported too."""
        unknown: list[str] = []
        for hop in hops:
            [done] = self.engines[hop.engine].translate(
                [text], hop.source, hop.target, markup=markup
            )
            unknown += done.unknown
            text = done.text
        return Segment(text, tuple(dict.fromkeys(unknown)))

    def _names(self, text: str, hops: tuple[Hop, ...]) -> Sequence[tuple[int, int]]:
        """Names to protect: English ones, when the first engine would translate them."""
        if hops[0].source != "en" or self.names is None:
            return ()
        if self.engines[hops[0].engine].keeps_names:
            return ()
        try:
            return self.names(text)
        except Exception:  # names help; a failure to find them must not stop a translation
            log.exception("finding names failed")
            return ()

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()


def _code(language: str) -> str:
    code = language.strip().lower().replace("_", "-").split("-")[0]
    if not code:
        raise BadInput("a language is empty")
    return code


def _shortest(source: str, target: str, usable: dict[str, list[Pair]]) -> tuple[Hop, ...] | None:
    """The fewest hops from source to target (breadth first, the usual pivots first)."""
    came: dict[str, Hop | None] = {source: None}
    queue = deque([source])
    while queue:
        here = queue.popleft()
        pairs = sorted(
            usable.get(here, []),
            key=lambda p: PIVOTS.index(p.target) if p.target in PIVOTS else len(PIVOTS),
        )
        for pair in pairs:
            if pair.target in came:
                continue
            came[pair.target] = Hop(here, pair.target, pair.engine)
            if pair.target == target:
                hops = []
                at = target
                while (hop := came[at]) is not None:
                    hops.append(hop)
                    at = hop.source
                return tuple(reversed(hops))
            queue.append(pair.target)
    return None


# --- segments ---------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…。])(\s+)(?=\S)")
_LINE = re.compile(r"(\r?\n)")


def split(text: str) -> list[tuple[str, bool]]:
    """`text` as (piece, is_text) in order: sentences to translate, and the line breaks and
    spaces between them to keep. Joined, the pieces are the text."""
    pieces: list[tuple[str, bool]] = []
    for line in _LINE.split(text):
        if not line:
            continue
        if _LINE.fullmatch(line) or not line.strip():
            pieces.append((line, False))
            continue
        indent = len(line) - len(line.lstrip())
        if indent:
            pieces.append((line[:indent], False))
        at = indent
        for gap in _SENTENCE_END.finditer(line):
            pieces += _cut(line[at : gap.start()])
            pieces.append((gap.group(1), False))
            at = gap.end()
        pieces += _cut(line[at:])
    return pieces


def _cut(sentence: str) -> list[tuple[str, bool]]:
    """A sentence too long for an engine, cut after commas or spaces."""
    pieces: list[tuple[str, bool]] = []
    while len(sentence) > MAX_SEGMENT_CHARS:
        cut = max(
            sentence.rfind(", ", 0, MAX_SEGMENT_CHARS), sentence.rfind(" ", 0, MAX_SEGMENT_CHARS)
        )
        if cut <= 0:
            cut = MAX_SEGMENT_CHARS - 1
        pieces += [(sentence[: cut + 1], True), (" ", False)]
        sentence = sentence[cut + 1 :].lstrip()
    if sentence:
        pieces.append((sentence, True))
    return pieces


# --- phrase memory ----------------------------------------------------------------------

_EDGE_PUNCTUATION = "¿¡.!?…,;: \t\"'«»“”"


class PhraseMemory:
    """Everyday expressions and their usual equivalents, which rule-based translation gets
    wrong ("good morning" is not "bueno mañana"): a table, one column a language."""

    def __init__(self, rows: Sequence[dict[str, str]]) -> None:
        self._index: dict[str, dict[str, dict[str, str]]] = {}
        for row in rows:
            for language, phrase in row.items():
                # The first row with a phrase wins ("buenas noches" is "good night").
                self._index.setdefault(language, {}).setdefault(_key(phrase), row)

    @staticmethod
    def packaged() -> PhraseMemory:
        table = resources.files("heron.translation").joinpath("phrases.tsv").read_text("utf-8")
        return PhraseMemory(list(csv.DictReader(table.splitlines(), delimiter="\t")))

    def __len__(self) -> int:
        return max((len(index) for index in self._index.values()), default=0)

    def lookup(self, text: str, source: str, target: str) -> str | None:
        row = self._index.get(source, {}).get(_key(text))
        if row is None or not row.get(target):
            return None
        found = row[target]
        stripped = text.strip()
        if stripped[:1].isupper():
            found = found[:1].upper() + found[1:]
        tail = stripped[len(stripped.rstrip(_EDGE_PUNCTUATION)) :].strip()
        return found + tail


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFC", text).replace("’", "'").casefold()
    return " ".join(folded.strip(_EDGE_PUNCTUATION).split())


# --- after translation ------------------------------------------------------------------

_INTERROGATIVES = {
    "que": "qué", "donde": "dónde", "adonde": "adónde", "como": "cómo", "cuando": "cuándo",
    "cuanto": "cuánto", "cuanta": "cuánta", "cuantos": "cuántos", "cuantas": "cuántas",
    "quien": "quién", "quienes": "quiénes", "cual": "cuál", "cuales": "cuáles",
}  # fmt: skip
_CLAUSE = re.compile(r"([¿¡]?)([^.!?¿¡]*?)([?!]+)(?=\s|$|[\"'»”)])")


def postedit(text: str, target: str) -> str:
    """Spanish questions and exclamations open with ¿ and ¡, and a question's first word is
    accented when it asks ("dónde", "qué"): Apertium and the pivot leave both out."""
    if target != "es":
        return text

    def mend(match: re.Match[str]) -> str:
        opened, body, marks = match.groups()
        lead = len(body) - len(body.lstrip(" \"'«“"))
        head, rest = body[:lead], body[lead:]
        if opened or not rest:
            return match.group(0)
        if marks[0] == "?":
            word = re.match(r"\w+", rest)
            if word is not None and word.group(0).lower() in _INTERROGATIVES:
                accented = _INTERROGATIVES[word.group(0).lower()]
                if word.group(0)[0].isupper():
                    accented = accented.capitalize()
                rest = accented + rest[word.end() :]
        return f"{head}{'¿' if marks[0] == '?' else '¡'}{rest}{marks}"

    return _CLAUSE.sub(mend, text)
