"""World facts from the offline knowledge graph: capitals, populations, currencies, languages,
borders, areas, calling codes, time zones, comparisons and word definitions.

Places in a question are linked to the graph by the slot types below; a capitalised name the
graph does not know ("Atlantis" as a country, "Narnia") still fills the slot, as an unknown
place, so the answer is an honest "I don't know" rather than a guess or a misunderstanding.
Follow-ups work through the conversation: after "what is the capital of Peru", "how many people
live there?" asks about Lima, and "what about Chile?" repeats the question for Chile.
"""

from __future__ import annotations

from typing import Any

from heron.assistant.phrasing import join_words
from heron.assistant.skill import Context, Request, Response, Skill
from heron.assistant.skills import translation
from heron.knowledge import linking
from heron.knowledge import vocabulary as v
from heron.knowledge.linking import QUALIFIED
from heron.knowledge.qa import Answerer, Fact
from heron.language.intents import Intent, SlotSpec
from heron.language.slots import STOPWORDS, ParseContext, SlotType, SlotValue, Span
from heron.language.slots import register_slot_type as register

# --- slot types: places linked to the world graph ---------------------------------------


def _linker(kinds: tuple[str, ...]) -> Any:
    def parse(span: Span, _: ParseContext) -> SlotValue | None:
        index = linking.shared_index()
        if index is None or not span.tokens:
            return None
        match = index.lookup(span.tokens, span.original, kinds)
        if match is not None:
            return {**match.entity.as_dict(), "known": True, "qualified": match.how == QUALIFIED}
        return _unknown(span)

    return parse


def _unknown(span: Span) -> SlotValue | None:
    """A name the graph does not know, if the words look like one: "Narnia", "New Atlantis"."""
    words = span.original.strip(" ?.!,").split()
    if not 1 <= len(words) <= 3 or span.tokens[0] in STOPWORDS:
        return None
    if not all(w[:1].isupper() and w.replace("-", "").isalpha() for w in words):
        return None
    return {"name": " ".join(words), "known": False}


def _word(span: Span, _: ParseContext) -> SlotValue | None:
    tokens = [t for t in span.tokens if t not in ("a", "an", "the", "word")]
    if not 1 <= len(tokens) <= 3 or not all(t.isalpha() for t in tokens):
        return None
    return " ".join(tokens)


for _slot in (
    SlotType("country", _linker(("country",)), ("kenya", "france", "japan"), 6,
             describe="a country"),
    SlotType("place", _linker(("country", "city")), ("lima", "peru", "tokyo"), 6,
             describe="a country or city"),
    SlotType("world_city", _linker(("city",)), ("nairobi", "lima", "osaka"), 6,
             describe="a city"),
    SlotType("continent", _linker(("continent",)), ("africa", "asia", "europe"), 3,
             describe="a continent"),
    SlotType("word", _word, ("serendipity", "ephemeral", "glacier"), 4, findable=False,
             describe="a word"),
):  # fmt: skip
    register(_slot)

# --- intents ------------------------------------------------------------------------------

_COUNTRY = SlotSpec("country", "country", required=True, prompt="Which country?")
_OTHER = SlotSpec("other", "country", required=True, prompt="And which other country?")
_PLACE = SlotSpec("place", "place")
_SECOND = SlotSpec("second", "place", required=True, prompt="Compared with which place?")
_CITY = SlotSpec("city", "world_city", required=True, prompt="Which city?")
_CONTINENT = SlotSpec("continent", "continent", required=True, prompt="On which continent?")
_WORD = SlotSpec("word", "word", required=True, prompt="Which word?")
_AMOUNT = SlotSpec("amount", "number", required=True, prompt="More than how many people?")

_OF = "(of|for)"
_IN = "(of|for|in)"
_THE = "[the]"
# How a question starts; "know" is what is left of "I'd like to know" once the filler is gone.
_WHAT = "(what is|what's|whats|tell me|do you know|what are|name|give me|know|list)"
_HAS_MORE = (
    "(more people|more inhabitants|a bigger population|a larger population|a higher population)"
)
_SURROUND = "(border|neighbour|neighbor|are next to|are around|surround|touch|share a border with)"


def _intent(name: str, templates: tuple[str, ...], slots: tuple[SlotSpec, ...],
            examples: tuple[str, ...] = ()) -> Intent:  # fmt: skip
    return Intent(f"knowledge.{name}", templates, slots, examples)


INTENTS = (
    _intent(
        "capital",
        (
            f"[{_WHAT}] {_THE} capital [city] {_OF} {{country}}",
            "(which|what) city is the capital of {country}",
            "(which|what) city is {country} capital",
            f"[{_WHAT}] {{country}} capital [city]",
            "where is the capital of {country}",
            "(do you know|tell me|know) (what|which city) the capital [city] of {country} is",
        ),
        (_COUNTRY,),
        ("what is the capital of that country", "name a country's capital city"),
    ),
    _intent(
        "capital_of",
        (
            "(which|what) (country|nation) is {city} the capital of",
            "{city} is the capital of (which|what) [country|nation]",
            "what is {city} the capital of",
            "is {city} a capital [city]",
            "(which|what) (country|nation) has {city} as [its] capital",
            "(whose|which country|what country) capital is {city}",
        ),
        (_CITY,),
    ),
    _intent(
        "country_of",
        (
            "(which|what) (country|nation) is {place} [located] in",
            "in (which|what) (country|nation) is {place} [located]",
            "{place} is in (which|what) (country|nation)",
            "where is {place}",
            "where is {place} located",
            "(which|what) (country|nation) does {place} belong to",
        ),
        (SlotSpec("place", "place", required=True, prompt="Which place?"),),
    ),
    _intent(
        "continent",
        (
            "(which|what) continent is {place} (in|on)",
            "on (which|what) continent is {place}",
            "in (which|what) (continent|region|part of the world) is {place}",
            "(which|what) (region|part of the world) is {place} in",
            "(which|what) continent does {place} belong to",
        ),
        (SlotSpec("place", "place", required=True, prompt="Which place?"),),
    ),
    _intent(
        "population",
        (
            "how many people live there",
            "how many (people|folks|persons|inhabitants|residents) (live|are living|reside) in "
            "{place}",
            f"[{_WHAT}] {_THE} (population|population size|number of people|number of "
            f"inhabitants) {_IN} {{place}}",
            "what is {place} population",
            "how (many|much) (people|inhabitants|residents) (does|do) {place} have",
            "how (populous|populated|big a population) is {place}",
            "{place} population",
            "how many people are (in|there in) {place}",
            "how many {place} are there",  # demonyms: "how many Canadians are there"
            "what is the population there",
            "how many people (are there|is that)",
        ),
        (_PLACE,),
        ("how many inhabitants are there", "population count of that place"),
    ),
    _intent(
        "area",
        (
            "how (big|large) is {place}",
            f"[{_WHAT}] {_THE} [total|surface|land] (area|size) {_OF} {{place}}",
            "how many square (kilometers|kilometres|miles) is {place}",
            "how much (land|space|ground|territory) does {place} (cover|take up|have)",
            "{place} area",
        ),
        (SlotSpec("place", "country", required=True, prompt="Which country?"),),
    ),
    _intent(
        "currency",
        (
            "(what|which) [kind of|type of] (currency|money) (does|do) {country} use",
            f"[{_WHAT}] {_THE} [local|official|national] (currency|money) {_IN} {{country}}",
            "what (money|currency) do (they|people|you|i) (use|need) in {country}",
            "what do (they|people|you) pay with in {country}",
            "what is {country} currency",
            "(which|what) (currency|money) is used in {country}",
            "(which|what) (currency|money) (should|do|must) i (bring|take) to {country}",
            "{country} currency",
        ),
        (_COUNTRY,),
    ),
    _intent(
        "languages",
        (
            "(what|which) (languages|language) (are|is) spoken in {country}",
            "(what|which) (languages|language) do (they|people) speak in {country}",
            "what do (people|they) speak in {country}",
            f"[{_WHAT}] {_THE} [official|main|national|spoken] (language|languages) {_IN} "
            "{country}",
            "what language is spoken in {country}",
            "(what|which) (language|languages) (does|do) {country} (speak|have|use)",
            "what do {country} speak",  # demonyms: "what do Belgians speak"
        ),
        (_COUNTRY,),
    ),
    _intent(
        "borders",
        (
            "(which|what) countries border {country}",
            f"[{_WHAT}] {_THE} (neighbours|neighbors|neighbouring countries|neighboring countries) "
            f"{_OF} {{country}}",
            "(what|who) are {country} (neighbours|neighbors)",
            f"(which|what) countries {_SURROUND} {{country}}",
            "what does {country} border",
        ),
        (_COUNTRY,),
    ),
    _intent(
        "count_borders",
        (
            f"how many countries {_SURROUND} {{country}}",
            "how many countries does {country} (border|touch|share a border with)",
            "how many (neighbours|neighbors|neighbouring countries|borders) does {country} have",
            f"[{_WHAT}] {_THE} number of (countries|neighbours|neighbors) (bordering|around|next "
            "to) {country}",
        ),
        (_COUNTRY,),
    ),
    _intent(
        "does_border",
        (
            "does {country} (border|touch|share a border with) {other}",
            "(is|are) {country} (next to|bordering|adjacent to|a neighbour of|a neighbor of) "
            "{other}",
            "do {country} and {other} (share a border|border each other)",
            "are {country} and {other} (neighbours|neighbors|neighbouring countries)",
            "is there a border between {country} and {other}",
        ),
        (_COUNTRY, _OTHER),
    ),
    _intent(
        "largest_city",
        (
            f"[{_WHAT}] {_THE} (largest|biggest|most populous|most populated) (city|town) (in|of) "
            "{country}",
            "(which|what) is the (largest|biggest) (city|town) (in|of) {country}",
            "(largest|biggest) (city|town) (in|of) {country}",
            f"[{_WHAT}] {_THE} (largest|biggest|most populous) {{country}} (city|town)",
            f"[{_WHAT}] {{country}} (largest|biggest|most populous) (city|town)",
            "(which|what) (city|town) (in|of) {country} has the most (people|inhabitants)",
        ),
        (_COUNTRY,),
    ),
    _intent(
        "calling_code",
        (
            f"[{_WHAT}] {_THE} [international] (calling|dialing|dialling|phone|country|telephone) "
            f"(code|prefix) {_OF} {{country}}",
            "what (code|prefix) do i (dial|use) (for|to call) {country}",
            "{country} [international] (calling|dialing|dialling|phone|telephone) (code|prefix)",
            "how do i (call|phone|ring) {country}",
        ),
        (_COUNTRY,),
    ),
    _intent(
        "timezone",
        (
            "(what|which) (time zone|timezone) is {place} in",
            f"[{_WHAT}] {_THE} (time zone|timezone|time zones|timezones) {_OF} {{place}}",
            "(what|which) (time zone|timezone|time zones|timezones) (does|do) {place} (use|have)",
            "(what|which) (time zone|timezone) (is it|are they|are we) [in] in {place}",
            "{place} (time zone|timezone)",
        ),
        (SlotSpec("place", "place", required=True, prompt="Which place?"),),
    ),
    _intent(
        "more_people",
        (
            f"(which|who|what) has {_HAS_MORE} {{place}} or {{second}}",
            "(which|what) is (bigger|larger|more populous) {place} or {second}",
            f"(does|do) {{place}} have {_HAS_MORE} than {{second}}",
            "(is|are) there more people in {place} (or|than) [in] {second}",
        ),
        (SlotSpec("place", "place", required=True, prompt="Which place?"), _SECOND),
    ),
    _intent(
        "superlative",
        (
            f"[{_WHAT}] {_THE} (largest|biggest|smallest|most populous|least populous|most "
            "populated|least populated) country (in|of) {continent}",
            "(which|what) country (in|of) {continent} (is the largest|is the biggest|"
            "is the smallest|has the most people|has the fewest people)",
            "(which|what) is the (largest|biggest|smallest|most populous|least populous) country "
            "in {continent}",
        ),
        (_CONTINENT,),
    ),
    _intent(
        "cities_over",
        (
            "(which|what) cities (in|of) {country} have (more than|over) {amount} "
            "(people|inhabitants)",
            "[list|name] cities (in|of) {country} (with|of) (more than|over) {amount} "
            "(people|inhabitants)",
            "[list|name] cities (in|of) {country} with a population (of more than|over|of over) "
            "{amount}",
            "(which|what) cities in {country} are bigger than {amount} [people]",
            "how many cities in {country} have more than {amount} (people|inhabitants)",
        ),
        (_COUNTRY, _AMOUNT),
    ),
    _intent(
        "define",
        (
            "what does {word} mean",
            f"[{_WHAT}] {_THE} (meaning|definition) of {{word}}",
            "(define|meaning of|definition of|definition for) {word}",
            "explain the (word|term) {word}",
            "what is the meaning of the word {word}",
            "what does the word {word} mean",
            "[tell me|do you know] what {word} means",
            "look up {word} in the dictionary",
        ),
        (_WORD,),
        ("give me a definition", "what is that word's meaning"),
    ),
)

# --- answering ----------------------------------------------------------------------------


def _entity(slots: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = slots.get(name)
    return value if isinstance(value, dict) else None


def _unknown_reply(value: dict[str, Any], kind: str) -> Response:
    return Response(f"Sorry, I don't know a {kind} called {value['name']}.", {"known": False}, {})


def _superlative(text: str) -> tuple[Any, str, bool]:
    words = text.lower()
    if "populous" in words or "populated" in words or "people" in words:
        most = "least" not in words and "fewest" not in words
        return v.POPULATION, "most populous" if most else "least populous", most
    most = "smallest" not in words
    return v.AREA_KM2, "largest" if most else "smallest", most


def _there(previous: dict[str, Any]) -> dict[str, Any] | None:
    """The place "there" means: the last answer's place, else the last question's."""
    for name in ("there", "place", "city", "country"):
        value = previous.get(name)
        if isinstance(value, dict) and value.get("known"):
            return value
    return None


async def handle(request: Request, context: Context) -> Response:
    answerer: Answerer = await context.services.answerer()
    slots = dict(request.slots)
    name = request.intent.removeprefix("knowledge.")
    if name == "population" and "place" not in slots:
        there = _there(context.previous)
        if there is None:
            return Response("Which place do you mean?")
        slots["place"] = there
    for slot, value in slots.items():
        if isinstance(value, dict) and value.get("known") is False:
            kind = {"country": "country", "other": "country", "continent": "continent",
                    "city": "city"}.get(slot, "place")  # fmt: skip
            return _unknown_reply(value, kind)
    fact = _answer(name, slots, request.text, answerer)
    if name == "define" and not fact.data.get("definitions"):
        # Not an English word: perhaps one of another language ("what does 'biblioteca' mean").
        foreign = await translation.meaning(str(slots["word"]), context)
        if foreign is not None:
            return foreign
    text = fact.text + _also(answerer, slots.get("place") or slots.get("city"))
    return Response(text, fact.data, _remember(name, slots, fact))


def _also(answerer: Answerer, place: Any) -> str:
    """ " There is also a Valencia in Spain." when a city's name is shared by another big one."""
    if not isinstance(place, dict) or place.get("kind") != "city" or place.get("qualified"):
        return ""
    others = answerer.index.namesakes(place["id"], place["name"], int(place["population"]))
    where = list(dict.fromkeys(e.where for e in others if e.where != place["where"]))[:2]
    if not where:
        return ""
    if len(where) == 1:
        return f" There is also a {place['name']} in {where[0]}."
    return f" There are also places called {place['name']} in {join_words(where)}."


def _iri(slots: dict[str, Any], name: str) -> str:
    value = _entity(slots, name)
    assert value is not None, f"slot {name} is required"
    return v.BASE + str(value["id"])


def _answer(name: str, slots: dict[str, Any], text: str, answerer: Answerer) -> Fact:
    if name == "capital":
        return answerer.capital(_iri(slots, "country"))
    if name == "capital_of":
        return answerer.capital_of(_iri(slots, "city"))
    if name == "country_of":
        place = _entity(slots, "place") or {}
        if place.get("kind") == "country":
            return answerer.continent(_iri(slots, "place"))
        return answerer.country_of(_iri(slots, "place"))
    if name == "continent":
        return answerer.continent(_iri(slots, "place"))
    if name == "population":
        return answerer.population(_iri(slots, "place"))
    if name == "area":
        return answerer.area(_iri(slots, "place"))
    if name == "currency":
        return answerer.currency(_iri(slots, "country"))
    if name == "languages":
        return answerer.languages(_iri(slots, "country"))
    if name == "borders":
        return answerer.borders(_iri(slots, "country"))
    if name == "count_borders":
        return answerer.count_borders(_iri(slots, "country"))
    if name == "does_border":
        return answerer.does_border(_iri(slots, "country"), _iri(slots, "other"))
    if name == "largest_city":
        return answerer.largest_city(_iri(slots, "country"))
    if name == "calling_code":
        return answerer.calling_code(_iri(slots, "country"))
    if name == "timezone":
        return answerer.timezone(_iri(slots, "place"))
    if name == "more_people":
        return answerer.more_people(_iri(slots, "place"), _iri(slots, "second"))
    if name == "superlative":
        prop, what, most = _superlative(text)
        return answerer.superlative_country(_iri(slots, "continent"), prop, what, most=most)
    if name == "cities_over":
        return answerer.cities_over(_iri(slots, "country"), int(float(slots["amount"])))
    if name == "define":
        return answerer.define(str(slots["word"]))
    raise AssertionError(f"no answer for {name}")


def _remember(name: str, slots: dict[str, Any], fact: Fact) -> dict[str, Any]:
    """What "there" means next: a capital or largest city just named, else the place asked."""
    found = fact.data.get("capital") or fact.data.get("city")
    if name in ("capital", "largest_city") and isinstance(found, str):
        index = linking.shared_index()
        entity = index.entity(found.removeprefix(v.BASE)) if index is not None else None
        if entity is not None:
            return {"there": {**entity.as_dict(), "known": True}}
    place = _entity(slots, "place") or _entity(slots, "country") or _entity(slots, "city")
    return {"there": place} if place else {}


skill = Skill(
    name="knowledge",
    description="World facts, offline: capitals, populations, currencies, languages, borders, "
    "areas, calling codes, time zones, comparisons and word definitions.",
    examples=(
        "what is the capital of Kenya?",
        "how many people live in Japan?",
        "which has more people, Peru or Chile?",
        "what does serendipity mean?",
    ),
    intents=INTENTS,
    handle=handle,
)
