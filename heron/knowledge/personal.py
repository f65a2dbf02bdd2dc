"""The personal graph: what a user tells the assistant about themselves and the people and
things around them, as (subject, relation, value) facts linked through people's names.

"my sister's name is Ana" and "Ana's birthday is May 2" make "my sister" and "Ana" one
person, so "when is my sister's birthday?" is answered. This module reads statements and the
phrases questions are about, resolves them over one user's facts and words the answers;
keeping the facts is the store's job (`heron.store.repositories.Facts`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from heron.assistant.phrasing import sentence_case
from heron.language.normalize import fold, tokenize
from heron.language.times import parse_calendar_date, parse_day

MAX_FACT_CHARS = 300
"""The longest sentence read as a fact; longer ones are not facts but stories."""
ME = "me"
LOCATION = "location"
NAME = "name"
BIRTHDAY = "birthday"
IS = "is"
"""The relation of "my favourite colour is blue": the subject itself is the value."""
NOTE = "note: "
"""Prefix of free statements ("Ana likes tulips"): the relation holds the folded predicate."""

RELATION_WORDS = {
    "name": NAME, "birthday": BIRTHDAY, "birth day": BIRTHDAY, "bday": BIRTHDAY,
    "date of birth": BIRTHDAY, "phone number": "phone number", "phone": "phone number",
    "telephone number": "phone number", "mobile number": "phone number", "number": "number",
    "address": "address", "email": "email", "email address": "email", "e mail": "email",
    "age": "age",
}  # fmt: skip
"""Relations a person (or "my") can have, said many ways; "my sisters name" (spoken, with no
apostrophe) is read as the sister's name because "name" is one of them."""

PEOPLE = frozenset(
    "sister brother mother mom mum mommy father dad daddy wife husband partner girlfriend "
    "boyfriend fiance fiancee son daughter child kid baby grandmother grandma granny "
    "grandfather grandpa aunt uncle cousin niece nephew friend boss manager colleague "
    "coworker neighbour neighbor doctor dentist vet landlord landlady teacher babysitter "
    "nanny roommate flatmate housemate cat dog pet".split()
)
"""Subjects that have a name: "my sister is Ana" names her; "my car is red" does not."""

PLACE_LEADS = (
    "in front of", "on top of", "next to", "close to", "in", "on", "at", "under", "underneath",
    "behind", "inside", "beside", "by", "near", "outside", "upstairs", "downstairs", "with",
    "between", "above", "below",
)  # fmt: skip
_PLACE = "|".join(re.escape(p) for p in PLACE_LEADS)
_PLACED = r"(?:(?:parked|located|kept|stored|hidden|left|sitting|lying|hanging) )?"
_PUT = r"(?:put|left|placed|hid|stored|keep|kept|stashed|dropped|parked)"
NOT_PERSONAL = frozenset(
    "list lists timer timers alarm alarms reminder reminders time weather calendar date "
    "timezone zone capital population currency "
    # What a bank, a shop, a car or the device knows, not what the user tells:
    "balance account accounts bank credit debit apr transaction transactions bill bills "
    "paycheck payday flight flights order orders package packages delivery location battery "
    "signal score mpg mileage insurance".split()
)
"""Words that make a phrase another skill's or another service's business ("my shopping list",
"my credit score", "Texas's time zone"): asked of the memory skill they would only ever get
"you haven't told me", where the honest answer is that Heron cannot do that yet."""
QUESTION_WORDS = frozenset("what where when who whom which why how is are do does did can".split())
_DETERMINERS = frozenset(("my", "our", "the", "a", "an"))
_NOT_NAMES = frozenset(
    "later back again now soon today tonight tomorrow yesterday anytime anything about "
    "this that these those".split()
)
_JOINERS = frozenset("of for to from with and or in on at".split())
_SEARCHED = frozenset("nearest closest nearby cheapest best local next".split())
"""Words that make "the nearest pharmacy" a place to look up, not a thing the user left."""
_SECOND_PERSON = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "we": "you",
    "us": "you", "our": "your", "ours": "yours", "ourselves": "yourselves", "am": "are",
    "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll", "we're": "you're",
}  # fmt: skip


class StoredFact(Protocol):
    """What resolution needs of a stored fact (`heron.store.models.Fact` has it)."""

    @property
    def subject(self) -> str: ...
    @property
    def subject_key(self) -> str: ...
    @property
    def relation(self) -> str: ...
    @property
    def value(self) -> str: ...


F = TypeVar("F", bound=StoredFact)


@dataclass(frozen=True)
class Subject:
    said: str
    """As the user said it, possessive removed: "my sister", "Ana", "me"."""
    key: str
    """Folded for matching: "sister", "ana", "me"."""


@dataclass(frozen=True)
class Topic:
    """What a question or a "forget" is about: a subject and maybe one of its relations."""

    subject: Subject
    relation: str | None


@dataclass(frozen=True)
class Statement:
    subject: Subject
    relation: str
    value: str


# --- reading ------------------------------------------------------------------------------


def _clean(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"\bI'm\b", "I am", text, flags=re.I)
    return " ".join(text.strip().strip('?!.,;:"').split())


def subject_key(words: str) -> str:
    """ "my sister's" → "sister"; "the keys" → "key"; "Ana" → "ana"; "I" → "me".

    A final "s" is dropped on both sides of every comparison, so "my keys" and "my key",
    "Ana's" and a spoken "anas" meet.
    """
    tokens = [t for t in tokenize(words) if t not in _DETERMINERS]
    if not tokens:
        return ""
    if tokens in (["me"], ["myself"], ["i"]):
        return ME
    last = _singular(tokens[-1]) if len(tokens[-1]) > 3 else tokens[-1]
    return " ".join([*tokens[:-1], last])[:100]


def _singular(word: str) -> str:
    """ "sisters" → "sister", "bosses" → "boss", "boss" → "boss" (a plural or a spoken
    possessive; "glasses" → "glass" is wrong English but the same on both sides)."""
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _subject(said: str) -> Subject:
    said = re.sub(r"'s?$", "", said.strip())
    said = re.sub(r"^(My|Our) ", lambda m: m[1].lower() + " ", said)
    key = subject_key(said)
    return Subject(ME if key == ME else said, key)


def _relation(words: str) -> str:
    folded = " ".join(tokenize(words))
    return RELATION_WORDS.get(folded, folded)[:64]


def is_name(words: str) -> bool:
    """A person's or a pet's name: one to three words of letters, none a little word."""
    parts = words.split()
    folded = tokenize(words)
    return (
        1 <= len(parts) <= 3
        and len(folded) == len(parts)
        and all(re.fullmatch(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", p) for p in parts)
        and not any(f in QUESTION_WORDS or f in _DETERMINERS or f in _SECOND_PERSON for f in folded)
        and not any(f in NOT_PERSONAL or f in _NOT_NAMES or f in _JOINERS for f in folded)
        and folded[0] not in ("it", "there", "they", "he", "she", "you", "your")
    )


def proper(name: str) -> str:
    """A name as a name is written: a speech recogniser's "ana" → "Ana"."""
    return name.title() if name.islower() else name


def person_name(words: str, today: date) -> str | None:
    """ "Bob" in "call me Bob" — not "tomorrow" or "later"."""
    text = _clean(words)
    tokens = tokenize(text)
    if not is_name(text) or parse_day(tokens, today) is not None or tokens[0] in _NOT_NAMES:
        return None
    return proper(text)


def _owned(words: str) -> bool:
    """ "my car", "our keys", "my sister's doctor" (a thing of the user's, 1 to 4 words)."""
    parts = words.split()
    return (
        2 <= len(parts) <= 5
        and parts[0].lower() in ("my", "our")
        and not any(fold(p).strip("'s") in NOT_PERSONAL or fold(p) in _JOINERS for p in parts)
        and all(re.fullmatch(r"[^\W\d_]+(?:'s?)?", p) for p in parts[1:])
    )


def _owner(words: str) -> bool:
    return _owned(words) or is_name(words) or fold(words) in ("me", "i")


def read_topic(phrase: str) -> Topic | None:
    """The subject (and relation) a phrase is about: "my sister's name", "Ana's birthday",
    "my wifi password", "my sisters name" (spoken), "me"; None if it is not personal."""
    text = _clean(phrase)
    if not text:
        return None
    lowered = fold(text)
    if lowered in ("me", "myself"):
        return Topic(Subject(ME, ME), None)
    possessive = re.fullmatch(r"(?P<owner>.+)(?:'s|s') (?P<attribute>.+)", text)
    if possessive is not None:
        owner, attribute = possessive["owner"], possessive["attribute"]
        personal = not any(w in NOT_PERSONAL for w in tokenize(attribute))
        if _owner(owner) and _is_words(attribute) and personal:
            return Topic(_subject(owner), _relation(attribute))
        return None
    words = text.split()
    if words[0].lower() in ("my", "our"):
        rest = " ".join(words[1:])
        if fold(rest) in RELATION_WORDS:
            return Topic(Subject(ME, ME), _relation(rest))
        if not _owned(text):
            return None
        split = _relation_suffix(words[1:])
        if split is not None:
            owner = words[: 1 + split]
            owner[-1] = _singular(owner[-1])  # spoken "my sisters name" is "my sister's name"
            return Topic(_subject(" ".join(owner)), _relation(" ".join(words[1 + split :])))
        return Topic(_subject(text), None)
    split = _relation_suffix(words)
    if split is not None and is_name(" ".join(words[:split])):
        return Topic(_subject(" ".join(words[:split])), _relation(" ".join(words[split:])))
    return None


def _is_words(text: str) -> bool:
    parts = text.split()
    return 1 <= len(parts) <= 4 and all(re.fullmatch(r"[^\W\d_]+", p) for p in parts)


def _relation_suffix(words: Sequence[str]) -> int | None:
    """Where a trailing relation word starts ("sisters name" → 1), if there is one."""
    for start in range(1, len(words)):
        if fold(" ".join(words[start:])) in RELATION_WORDS:
            return start
    return None


def read_person(phrase: str) -> Subject | None:
    """Someone (or something) to ask about as a whole: "Ana", "my sister", "me"."""
    text = _clean(phrase)
    if fold(text) in ("me", "myself", "i"):
        return Subject(ME, ME)
    if "'" in text:
        return None
    if _owned(text) or is_name(text):
        return _subject(text)
    return None


def read_belonging(phrase: str) -> Subject | None:
    """Something that has a place: "my car", "the keys", "our passports"."""
    text = _clean(phrase)
    words = text.split()
    if len(words) >= 2 and words[0].lower() == "the" and _owned("my " + " ".join(words[1:])):
        return None if _SEARCHED.intersection(fold(text).split()) else _subject(text)
    return _subject(text) if _owned(text) else None


_PARKED = r"(?:i|we) (?:have |just )?parked(?: (?:the|my|our) car)? (?P<value>.+)"
_PUT_IN = rf"(?:i|we) (?:have |just )?{_PUT} (?P<thing>.+?) (?P<value>(?:{_PLACE}) .+)"
_VERBS = frozenset(
    "is are was were parked put left placed hid stored keep kept stashed dropped".split()
)
_STATEMENTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(_PARKED, re.I), "parked"),
    (re.compile(_PUT_IN, re.I), "put"),
    (re.compile(rf"(?P<thing>.+?) (?:is|are) {_PLACED}(?P<value>(?:{_PLACE}) .+)", re.I), "placed"),
    (re.compile(r"(?P<who>.+?) (?:was|were) born (?:on )?(?P<value>.+)", re.I), "born"),
    (re.compile(r"(?P<thing>.+?) (?:is|are) (?:called|named) (?P<value>.+)", re.I), "called"),
    (re.compile(r"(?P<phrase>.+?) (?:is|are) (?P<value>.+)", re.I), "is"),
]  # fmt: skip


def read_statement(text: str, today: date, *, strict: bool) -> Statement | None:
    """A fact the user states: "my sister's name is Ana", "I parked on level 3", "Ana's
    birthday is May 2", "my keys are in the drawer".

    `strict` (a sentence said with no "remember that" before it) accepts only sentences about
    the user's own people and things, so "the sky is blue" is not taken as something to keep.
    """
    sentence = _clean(text)
    if not sentence or len(sentence) > MAX_FACT_CHARS:
        return None
    words = fold(sentence).split()
    if words[0] in QUESTION_WORDS or (strict and not _VERBS.intersection(words)):
        return None  # cheap: this runs on every utterance the assistant hears
    for pattern, shape in _STATEMENTS:
        match = pattern.fullmatch(sentence)
        if match is None:
            continue
        found = _statement(shape, match, today, strict)
        if found is not None:
            return found
    if strict:
        return None
    # "Ana likes tulips": kept as a note about the first person or thing named.
    note = re.fullmatch(
        r"(?P<who>I|(?:my|our) [^\W\d_]+|[A-Z][^\W\d_]+) (?P<rest>[a-z].+)", sentence
    )
    if note is None or not _owner(note["who"]):
        return None
    rest = note["rest"]
    return Statement(_subject(note["who"]), (NOTE + " ".join(tokenize(rest)))[:64], rest[:500])


def _statement(shape: str, match: re.Match[str], today: date, strict: bool) -> Statement | None:
    value = match["value"].strip()[:500]
    if not value or _asks(value, strict):
        return None
    if shape == "parked":
        return Statement(Subject("my car", "car"), LOCATION, value)
    if shape in ("put", "placed"):
        thing = match["thing"]
        topic = read_topic(thing)
        if topic is not None and topic.relation is not None:
            return None  # "Ana's birthday is on May 2" is a date, not a place
        if _owned(thing) or (not strict and (is_name(thing) or read_belonging(thing))):
            return Statement(_subject(thing), LOCATION, value)
        return None
    if shape == "born":
        person = read_person(match["who"])
        return None if person is None else Statement(person, BIRTHDAY, _as_date(value, today))
    if shape == "called":
        thing = match["thing"]
        return Statement(_subject(thing), NAME, proper(value)) if _owned(thing) else None
    topic = read_topic(match["phrase"])
    if topic is None:
        phrase = match["phrase"]
        if strict or not (1 <= len(phrase.split()) <= 4) or not _is_words(phrase):
            return None
        if fold(phrase.split()[0]) in ("it", "this", "that", "there", "they", "he", "she"):
            return None
        topic = Topic(_subject(phrase), None)
    relation = topic.relation
    if relation is None:
        last = fold(topic.subject.key.split()[-1])
        named = (last in PEOPLE or last + "s" in PEOPLE) and is_name(value)
        relation = NAME if named else IS
    if relation == NAME and is_name(value):
        value = proper(value)
    if relation == BIRTHDAY:
        value = _as_date(value, today)
    return Statement(topic.subject, relation, value)


def _asks(value: str, strict: bool) -> bool:
    """ "my credit rating is what", "my tires are filled enough or no", "my light is on so is
    anyone free to look": a question or a request, not a fact to keep."""
    words = tokenize(value)
    if any(w in ("what", "how", "which", "who", "whether", "why") for w in words):
        return True
    return strict and (len(words) > 8 or words[-2:] == ["or", "no"] or "so" in words)


def _as_date(value: str, today: date) -> str:
    """Relative days become dates ("tomorrow" → "December 2"); other words stay as said."""
    words = tokenize(value)
    if parse_calendar_date(words, today) is not None:
        return value
    day = parse_day(words, today)
    return f"{day.day:%B} {day.day.day}" if day is not None else value


# --- resolving ----------------------------------------------------------------------------


def aliases(key: str, facts: Iterable[StoredFact]) -> list[str]:
    """The subject's key and the keys of the same person by name: "sister" ↔ "ana"."""
    found = [key]
    for fact in facts:
        if fact.relation != NAME:
            continue
        if fact.subject_key == key:
            other = subject_key(fact.value)
        elif subject_key(fact.value) == key:
            other = fact.subject_key
        else:
            continue
        if other not in found:
            found.append(other)
    return found


def about(subject: Subject, facts: Sequence[F]) -> list[F]:
    """Every fact about the subject, under any of its names; its own facts first."""
    keys = aliases(subject.key, facts)
    return sorted(
        (f for f in facts if f.subject_key in keys), key=lambda f: keys.index(f.subject_key)
    )


def named(name_key: str, facts: Iterable[F]) -> list[F]:
    """The "name" facts whose value is this name: who "Ana" is."""
    return [f for f in facts if f.relation == NAME and subject_key(f.value) == name_key]


def find(subject: Subject, relations: Sequence[str], facts: Sequence[F]) -> F | None:
    """The first fact of the subject with one of `relations`, in that order of preference."""
    known = about(subject, facts)
    for relation in relations:
        for fact in known:
            if fact.relation == relation:
                return fact
    return None


# --- saying -------------------------------------------------------------------------------


def spoken(said: str) -> str:
    """The user's words as the assistant says them back: "my sister" → "your sister"."""
    if said == ME:
        return "you"
    return " ".join(_SECOND_PERSON.get(w.lower(), w) for w in said.split())


def _plural(said: str) -> bool:
    last = said.split()[-1].lower()
    return last.endswith("s") and not last.endswith(("ss", "us", "is")) and last != "glasses"


def be(said: str) -> str:
    return "are" if said == ME or _plural(said) else "is"


def phrase(subject: str, relation: str) -> str:
    """ "your sister's name", "Ana's birthday", "your wifi password", "your car"."""
    if relation in (IS, LOCATION) or relation.startswith(NOTE):
        return spoken(subject)
    if subject == ME:
        return f"your {relation}"
    owner = spoken(subject)
    return f"{owner}' {relation}" if owner.endswith("s") else f"{owner}'s {relation}"


def describe(fact: StoredFact, subject: str | None = None) -> str:
    """One fact in the assistant's words: "your sister's name is Ana", "your car is on level 3"."""
    who = subject or fact.subject
    if fact.relation.startswith(NOTE):
        return f"{spoken(who)} {spoken(fact.value)}"
    if fact.relation in (IS, LOCATION):
        return f"{spoken(who)} {be(who)} {spoken(fact.value)}"
    return f"{phrase(who, fact.relation)} is {spoken(fact.value)}"


def sentence(fact: StoredFact, *, subject: str | None = None, today: date | None = None) -> str:
    """`describe` as a sentence; a birthday says how far off it is."""
    text = describe(fact, subject)
    if fact.relation == BIRTHDAY and today is not None:
        text += _countdown(fact.value, today)
    return sentence_case(text)


def _countdown(value: str, today: date) -> str:
    day = parse_calendar_date(tokenize(value), today)
    if day is None:
        return ""
    for year in (today.year, today.year + 1):  # the next one, if a birth year was said
        if day >= today:
            break
        try:
            day = day.replace(year=year)
        except ValueError:  # 29 February
            day = day.replace(year=year, day=28)
    days = (day - today).days
    if days == 0:
        return " — that's today"
    return " — that's tomorrow" if days == 1 else f" — that's in {days} days"
