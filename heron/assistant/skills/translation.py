"""Translation: "how do you say 'where is the station' in Spanish?", "translate thank you into
Catalan", "what does 'gracias' mean?" — the translation said back in its language's voice.

The translating is the engine's (`Heron.translate`); this skill names languages in English,
picks the language a phrase is in when the user does not say (English first when translating
out of it, the one whose words the engines know), and says the reply in parts: the framing
in the assistant's voice, the translation in a voice that speaks its language.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from heron.assistant.phrasing import join_words
from heron.assistant.skill import Context, Request, Response, Skill, Spoken
from heron.errors import NotFound, UnsupportedLanguage
from heron.language.intents import Intent, SlotSpec
from heron.language.langid import language_name
from heron.language.normalize import tokenize
from heron.language.slots import ParseContext, SlotType, SlotValue, Span, register_slot_type
from heron.translation.translator import Translation

if TYPE_CHECKING:
    from heron.engine import Heron

ENGLISH = "en"
"""The assistant's own language: the one phrases are taken to be in when translated out of."""
OTHER_NAMES = {
    "castilian": "es", "valencian": "ca", "asturian": "ast", "arpitan": "frp",
    "franco provencal": "frp", "serbo croatian": "hbs", "silesian": "szl", "bokmal": "nb",
    "nynorsk": "nn", "farsi": "fa", "flemish": "nl", "moldovan": "ro", "punjabi": "pa",
    "pashto": "ps", "filipino": "tl", "gaelic": "gd", "kyrgyz": "ky", "uyghur": "ug",
    "sinhalese": "si", "mandarin": "zh",
}  # fmt: skip
"""Names people use that are not the ISO 639-1 English names (or name a language by a
three-letter code that Apertium uses)."""
SAME_LANGUAGE = {"hr": "hbs", "sr": "hbs", "bs": "hbs", "sh": "hbs", "no": "nb"}
"""A language the engines translate under another code (Apertium's Serbo-Croatian covers
Croatian, Serbian and Bosnian)."""
SUGGESTED = ("es", "fr", "pt", "it", "ca", "de", "nl", "eo", "gl")
"""The languages named first when saying which ones there are."""
LIKELY_SOURCES = ("es", "fr", "it", "ca", "pt", "gl", "eo")
"""Tried in turn for a phrase whose language could not be told (a single word usually)."""
MAX_TRIES = 4
"""Source languages tried for a phrase before settling for the first translation."""
NAMED = 5
"""Languages named in a reply about what can be translated."""
_QUOTES = "\"'“”‘’«»„ "


# --- languages by their English names -------------------------------------------------


@functools.cache
def language_codes() -> dict[str, str]:
    """Folded English language name ("spanish", "norwegian bokmal") → its code."""
    import pycountry

    found = {}
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code is not None:
            found[_key(tokenize(language_name(code)))] = code
    found.update(OTHER_NAMES)
    return found


def _key(tokens: Sequence[str]) -> str:
    return " ".join(t for t in tokens if t != "-")


def _language(span: Span, _: ParseContext) -> SlotValue | None:
    words = list(span.tokens)
    if len(words) > 1 and words[-1] == "language":  # "in the Spanish language"
        words = words[:-1]
        if len(words) > 1 and words[0] == "the":
            words = words[1:]
    return language_codes().get(_key(words))


register_slot_type(
    SlotType(
        "language",
        _language,
        ("spanish", "french", "catalan", "portuguese"),
        4,
        describe="a language",
    )
)


# --- intents ----------------------------------------------------------------------------

_PHRASE = SlotSpec("phrase", "text", required=True, prompt="What should I translate?")
_TARGET = SlotSpec("language", "language", required=True, prompt="Into which language?")
_INTO = SlotSpec("language", "language")
_SOURCE = SlotSpec("source", "language")
_HOW = "how (do|would|can|could|should) (you|i|we|one) say"

INTENTS = (
    Intent(
        "translation.translate",
        templates=(
            "translate {phrase} (into|to|in) {language}",
            "translate {phrase} from {source} (into|to) {language}",
            "translate {phrase}",
            f"{_HOW} {{phrase}} [(in|into) {{language}}]",
            "[tell me] how to say {phrase} in {language}",
            "say {phrase} in {language}",
            "what is {phrase} in {language}",
            "what (is|are) [the] {language} (for|word for|words for) {phrase}",
        ),
        slots=(_PHRASE, _TARGET, _SOURCE),
        examples=(
            "translate something for me",
            "help me translate a phrase",
            "how do I say something in another language",
            "what is the word for this in another language",
        ),
    ),
    Intent(
        "translation.meaning",
        templates=(
            "what (does|do) {phrase} mean [in {language}]",
            "what is the meaning of {phrase} in {language}",
            "translate {phrase} from {source}",
        ),
        slots=(_PHRASE, _INTO, _SOURCE),
        examples=("what does this foreign word mean", "what does that mean in English"),
    ),
)


# --- answering --------------------------------------------------------------------------


async def handle(request: Request, context: Context) -> Response:
    if request.intent not in ("translation.translate", "translation.meaning"):
        raise NotFound(f"translation has no intent {request.intent}")
    heron: Heron = context.services
    phrase = str(request.slots["phrase"]).strip(_QUOTES)
    target = str(request.slots.get("language") or ENGLISH)
    source = request.slots.get("source")
    languages = await asyncio.to_thread(lambda: heron.translator.languages())
    known = {language["code"] for language in languages}
    target = _installed(target, known)
    if target not in known:
        return await _unavailable(heron, target, "into")
    if source is not None:
        source = _installed(str(source), known)
        if source not in known:
            return await _unavailable(heron, source, "from")
    found = await _translate(heron, phrase, target, source)
    if found is None:
        return await _untranslatable(heron, phrase, target, source)
    return _say(phrase, found, meaning=request.intent == "translation.meaning")


async def meaning(phrase: str, context: Context) -> Response | None:
    """What a word or phrase in another language means in English, said as this skill says
    it; None when it is English or no installed language knows it (for a skill that
    answers about words to hand a foreign one over)."""
    heron: Heron = context.services
    phrase = phrase.strip(_QUOTES)
    found = await _translate(heron, phrase, ENGLISH, None)
    if found is None or not found.route or found.unknown:
        return None
    return _say(phrase, found, meaning=True)


def _installed(code: str, known: set[str]) -> str:
    """The code the engines know a language by."""
    other = SAME_LANGUAGE.get(code)
    return other if code not in known and other in known else code


async def _translate(
    heron: Heron, phrase: str, target: str, source: str | None
) -> Translation | None:
    """The phrase in `target` from `source`, or from the likeliest language it is in (with
    the detection); None when no language it may be in can be translated into `target`."""
    if source is not None:
        try:
            [done] = await heron.translate(phrase, target, source)
        except UnsupportedLanguage:
            return None
        return done
    [detected] = await asyncio.to_thread(heron.language_identifier.detect, [phrase])
    candidates = [detected.code] if detected.reliable else []
    if target != ENGLISH:
        candidates.append(ENGLISH)
    candidates += [c.code for c in detected.alternatives] + list(LIKELY_SOURCES)
    first: Translation | None = None
    tried = 0
    for code in dict.fromkeys(candidates):
        if tried == MAX_TRIES:
            break
        if code == target and not (detected.reliable and code == detected.code):
            continue  # only a sure detection says a phrase is in the language asked for
        try:
            [done] = await heron.translate(phrase, target, code)
        except UnsupportedLanguage:
            continue  # not installed, or not into `target`: no try spent
        tried += 1
        done = replace(done, detected=detected)
        if _understood(done, phrase):
            return done
        first = first or done
    return first


def _understood(translation: Translation, phrase: str) -> bool:
    """Whether every word was known: none reported unknown, and not simply given back (the
    neural engine copies what it does not know)."""
    if translation.unknown:
        return False
    return not translation.route or translation.text.casefold() != phrase.casefold()


def _say(phrase: str, translation: Translation, *, meaning: bool) -> Response:
    source, target, detected = translation.source, translation.target, translation.detected
    sure = detected is None or (detected.reliable and detected.code == source)
    said_in = None if source == ENGLISH else source
    if not translation.route:
        parts: list[tuple[str, str | None, bool]] = [
            (phrase, said_in, True),
            (f" is {language_name(target)} already.", None, False),
        ]
    elif meaning and target == ENGLISH:
        named = sure and source != ENGLISH
        parts = [
            (phrase, said_in, True),
            (f" is {language_name(source)} for " if named else " means ", None, False),
            (translation.text, ENGLISH, True),
            (".", None, False),
        ]
    else:
        parts = [
            (phrase, said_in, True),
            (f" in {language_name(target)}: ", None, False),
            (translation.text, target, True),
            (".", None, False),
        ]
    if translation.unknown:
        words = join_words([f'"{w}"' for w in translation.unknown])
        one = len(translation.unknown) == 1
        parts.append(
            (
                f" I don't know the word{'' if one else 's'} {words}, so I left "
                f"{'it as it is' if one else 'them as they are'}.",
                None,
                False,
            )
        )
    text = "".join(f'"{part}"' if quoted else part for part, _, quoted in parts)
    data = {"phrase": phrase, **translation.to_json()}
    return Response(text, data, spoken=_spoken(parts))


def _spoken(parts: Sequence[tuple[str, str | None, bool]]) -> tuple[Spoken, ...]:
    """The parts as said: neighbours in the same language joined, no quotation marks, the
    punctuation that closes a part said with the part before it."""
    said: list[Spoken] = []
    for text, language, _ in parts:
        if said and (said[-1].language == language or not text.strip(" .")):
            said[-1] = Spoken(said[-1].text + text, said[-1].language)
        else:
            said.append(Spoken(text, language))
    return tuple(Spoken(s.text.strip(), s.language) for s in said if s.text.strip())


async def _directions(heron: Heron) -> list[tuple[str, str]]:
    found = await heron.translation_languages()
    return [(d["from"], d["to"]) for d in found["directions"]]


def _some(codes: set[str]) -> str:
    """A few of the languages, the best known first, and how many more there are."""
    first = [c for c in SUGGESTED if c in codes]
    first += sorted(codes - set(first), key=language_name)
    names = [language_name(c) for c in first[:NAMED]]
    more = len(first) - len(names)
    if more:
        names.append(f"{more} other language{'' if more == 1 else 's'}")
    return join_words(names)


async def _unavailable(heron: Heron, code: str, way: str) -> Response:
    """A language no installed engine has: say so, and name some that there are."""
    directions = await _directions(heron)
    there = {d[1] if way == "into" else d[0] for d in directions}
    return Response(
        f"Sorry, I can't translate {way} {language_name(code)}. I can translate {way} "
        f"{_some(there)}.",
        {"language": code, "available": sorted(there)},
    )


async def _untranslatable(heron: Heron, phrase: str, target: str, source: str | None) -> Response:
    """No route to `target` from the phrase's language (or none could be told)."""
    directions = await _directions(heron)
    into = {t for _, t in directions}
    name = language_name(target)
    if target not in into:
        return Response(
            f"Sorry, I can translate from {name} but not into it. I can translate into "
            f"{_some(into)}.",
            {"language": target, "available": sorted(into)},
        )
    start = source or (ENGLISH if target != ENGLISH else None)
    if start is None:
        return Response(
            f'Sorry, I couldn\'t tell which language "{phrase}" is in. Say it with the '
            f'language, like "translate {phrase} from Spanish".',
            {"language": target},
        )
    reachable = {t for s, t in directions if s == start}
    return Response(
        f"Sorry, I can't translate {language_name(start)} into {name}. From "
        f"{language_name(start)} I can translate into {_some(reachable)}.",
        {"language": target, "available": sorted(reachable)},
    )


skill = Skill(
    name="translation",
    description="Translation between the installed languages, said back in a voice that "
    "speaks the language.",
    examples=(
        "how do you say 'where is the station' in Spanish?",
        "translate thank you into Catalan",
        "what does 'gracias' mean in English?",
    ),
    intents=INTENTS,
    handle=handle,
)
