"""Answers from the world graph: one small SPARQL query per relation, said naturally, with
the source named. What the graph does not hold gets "I don't know", never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolution, QuerySolutions, Store

from heron.assistant.phrasing import count, join_words
from heron.knowledge import vocabulary as v
from heron.knowledge.graph import plain_value
from heron.knowledge.linking import EntityIndex

POPULATION_SOURCES = ("geonames", "countryinfo")
BORDER_SOURCES = ("geonames", "countryinfo")


@dataclass(frozen=True)
class Fact:
    text: str
    data: dict[str, Any] = field(default_factory=dict)


def _three_figures(value: float) -> str:
    """51.39 → "51.4", 2.1386 → "2.14", 1.0 → "1", 126.19 → "126"."""
    decimals = max(0, 2 - int(f"{value:e}".split("e")[1]))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def say_people(number: int) -> str:
    """Three significant figures: "about 51.4 million people", "about 2.14 million people"."""
    if number >= 1_000_000_000:
        return f"about {_three_figures(number / 1e9)} billion people"
    if number >= 1_000_000:
        return f"about {_three_figures(number / 1e6)} million people"
    if number >= 10_000:
        return f"about {round(number, -3):,} people"
    return f"{number:,} people"


def say_area(km2: float) -> str:
    """ "about 583,000 square kilometres"; three figures below 10 ("about 0.49", the Vatican)."""
    if km2 >= 10_000:
        return f"about {round(km2, -3):,.0f} square kilometres"
    if km2 < 10:
        return f"about {_three_figures(km2)} square kilometres"
    return f"about {km2:,.0f} square kilometres"


class Answerer:
    """Questions about entities already linked (their IRIs), answered from `store`."""

    def __init__(self, store: Store, index: EntityIndex) -> None:
        self.store = store
        self.index = index

    # --- queries ----------------------------------------------------------------------

    def rows(self, sparql: str, *, union: bool = True) -> list[QuerySolution]:
        """Solutions of a SELECT over all sources (or the named graphs it names)."""
        found = self.store.query(v.PREFIXES + sparql, use_default_graph_as_union=union)
        assert isinstance(found, QuerySolutions), "only SELECT queries are asked here"
        return list(found)

    def values(self, iri: str, prop: NamedNode) -> list[Any]:
        query = f"SELECT DISTINCT ?o WHERE {{ <{iri}> <{prop.value}> ?o }}"
        return [plain_value(s["o"]) for s in self.rows(query)]

    def value(self, iri: str, prop: NamedNode) -> Any:
        found = self.values(iri, prop)
        return found[0] if found else None

    def name(self, iri: str) -> str:
        return str(self.value(iri, v.NAME) or iri.rsplit("/", 1)[-1])

    def stated(self, iri: str, prop: NamedNode, source: str) -> list[Any]:
        """The values of `prop` that one source states."""
        graph = v.SOURCES[source].value
        query = f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <{iri}> <{prop.value}> ?o }} }}"
        return [plain_value(r["o"]) for r in self.rows(query, union=False)]

    def sourced(self, iri: str, prop: NamedNode, sources: Sequence[str]) -> tuple[Any, str] | None:
        """The value from the first source (in order of preference) that states one."""
        for source in sources:
            found = self.stated(iri, prop, source)
            if found:
                return found[0], v.SOURCE_LABELS[source]
        return None

    def preferred(self, iri: str, prop: NamedNode, sources: Sequence[str]) -> list[Any]:
        """The values of the first source (in order of preference) that states any."""
        for source in sources:
            found = self.stated(iri, prop, source)
            if found:
                return found
        return []

    # --- relations --------------------------------------------------------------------

    def capital(self, country: str) -> Fact:
        capital = self.value(country, v.CAPITAL)
        if capital is None:
            return self.unknown(f"the capital of {self.name(country)}")
        return Fact(
            f"The capital of {self.name(country)} is {self.name(capital)}.",
            {"capital": capital, "name": self.name(capital)},
        )

    def capital_of(self, city: str) -> Fact:
        query = f"SELECT ?c WHERE {{ ?c h:capital <{city}> }}"
        found = [str(plain_value(s["c"])) for s in self.rows(query)]
        if not found:
            country = self.value(city, v.COUNTRY_OF)
            where = f" It is a city in {self.name(country)}." if country else ""
            return Fact(f"{self.name(city)} is not a national capital.{where}")
        return Fact(
            f"{self.name(city)} is the capital of {self.name(found[0])}.", {"country": found[0]}
        )

    def country_of(self, city: str) -> Fact:
        country = self.value(city, v.COUNTRY_OF)
        if country is None:
            return self.unknown(f"which country {self.name(city)} is in")
        return Fact(f"{self.name(city)} is in {self.name(country)}.", {"country": country})

    def continent(self, place: str) -> Fact:
        country = place if "/country/" in place else self.value(place, v.COUNTRY_OF)
        if country is None:
            return self.unknown(f"where {self.name(place)} is")
        continent = self.value(country, v.CONTINENT_OF)
        region = self.value(country, v.SUBREGION)
        if continent is None:
            return self.unknown(f"which continent {self.name(place)} is on")
        where = f" ({region})" if region else ""
        return Fact(
            f"{self.name(place)} is in {self.name(continent)}{where}.", {"continent": continent}
        )

    def population(self, place: str) -> Fact:
        found = self.sourced(place, v.POPULATION, POPULATION_SOURCES)
        if found is None or not found[0]:
            return self.unknown(f"how many people live in {self.name(place)}")
        number, source = int(found[0]), found[1]
        verb = "has"
        return Fact(
            f"{self.name(place)} {verb} {say_people(number)} ({source}).",
            {"population": number, "source": source},
        )

    def area(self, country: str) -> Fact:
        found = self.sourced(country, v.AREA_KM2, ("geonames", "countryinfo"))
        if found is None:
            return self.unknown(f"the area of {self.name(country)}")
        km2, source = float(found[0]), found[1]
        return Fact(
            f"{self.name(country)} covers {say_area(km2)} ({source}).",
            {"area_km2": km2, "source": source},
        )

    def currency(self, country: str) -> Fact:
        names = sorted({self.name(c) for c in self.values(country, v.CURRENCY_OF)})
        if not names:
            return self.unknown(f"the currency of {self.name(country)}")
        noun = "currency is" if len(names) == 1 else "currencies are"
        return Fact(
            f"{self.name(country)}'s {noun} the {join_words(names)}.", {"currencies": names}
        )

    def languages(self, country: str) -> Fact:
        # countryinfo lists the main languages; GeoNames adds every regional one (23 for India).
        found = self.preferred(country, v.LANGUAGE_OF, ("countryinfo", "geonames"))
        names = sorted({self.name(str(language)) for language in found})
        if not names:
            return self.unknown(f"the languages of {self.name(country)}")
        return Fact(
            f"In {self.name(country)} people speak {join_words(names)}.", {"languages": names}
        )

    def neighbours(self, country: str) -> list[str]:
        # GeoNames lists land borders; countryinfo also counts some sea neighbours.
        return sorted(self.name(c) for c in self.preferred(country, v.BORDERS, BORDER_SOURCES))

    def borders(self, country: str) -> Fact:
        names = self.neighbours(country)
        if not names:
            return Fact(
                f"{self.name(country)} has no land borders that I know of.", {"borders": []}
            )
        return Fact(f"{self.name(country)} borders {join_words(names)}.", {"borders": names})

    def count_borders(self, country: str) -> Fact:
        names = self.neighbours(country)
        return Fact(
            f"{count(len(names), 'country')} border {self.name(country)}"
            + (f": {join_words(names)}." if names else "."),
            {"borders": names},
        )

    def does_border(self, first: str, second: str) -> Fact:
        neighbours = {str(c) for c in self.preferred(first, v.BORDERS, BORDER_SOURCES)}
        yes = second in neighbours
        verb = "borders" if yes else "does not border"
        return Fact(
            f"{'Yes' if yes else 'No'}, {self.name(first)} {verb} {self.name(second)}.",
            {"borders": yes},
        )

    def largest_city(self, country: str) -> Fact:
        query = (
            f"SELECT ?c ?p WHERE {{ ?c h:country <{country}> ; h:population ?p }} "
            "ORDER BY DESC(?p) LIMIT 1"
        )
        rows = self.rows(query)
        if not rows:
            return self.unknown(f"the largest city of {self.name(country)}")
        city = str(plain_value(rows[0]["c"]))
        people = int(plain_value(rows[0]["p"]))
        return Fact(
            f"The largest city in {self.name(country)} is {self.name(city)}, with "
            f"{say_people(people)} (GeoNames).",
            {"city": city},
        )

    def calling_code(self, country: str) -> Fact:
        codes = sorted({str(c) for c in self.values(country, v.CALLING_CODE)})
        if not codes:
            return self.unknown(f"the calling code of {self.name(country)}")
        return Fact(
            f"The calling code for {self.name(country)} is "
            f"{join_words(['+' + c.lstrip('+') for c in codes])}.",
            {"codes": codes},
        )

    def timezone(self, place: str) -> Fact:
        zones = sorted({str(z) for z in self.values(place, v.TIMEZONE) if "/" in str(z)})
        if not zones:
            return self.unknown(f"the time zone of {self.name(place)}")
        shown = zones[:4]
        more = f" and {len(zones) - 4} more" if len(zones) > 4 else ""
        return Fact(
            f"{self.name(place)} uses the {join_words(shown)} time zone"
            f"{'s' if len(zones) > 1 else ''}{more}.",
            {"timezones": zones},
        )

    def define(self, word: str) -> Fact:
        query = (
            f"SELECT ?d ?pos WHERE {{ ?s h:lemma {Literal(word.lower())} ; h:definition ?d ; "
            "h:partOfSpeech ?pos }"
        )
        rows = [(str(plain_value(r["d"])), str(plain_value(r["pos"]))) for r in self.rows(query)]
        if not rows:
            return Fact(f"I don't know the word {word!r}.", {"definitions": []})
        order = {"noun": 0, "verb": 1, "adjective": 2, "adverb": 3}
        rows.sort(key=lambda r: order.get(r[1], 4))
        first = rows[0]
        text = f"{word.capitalize()} ({first[1]}): {first[0]}."
        if len(rows) > 1:
            text += f" It has {count(len(rows) - 1, 'other meaning')} too."
        return Fact(text, {"definitions": [{"pos": p, "definition": d} for d, p in rows]})

    def more_people(self, first: str, second: str) -> Fact:
        a, b = (
            self.sourced(first, v.POPULATION, POPULATION_SOURCES),
            self.sourced(second, v.POPULATION, POPULATION_SOURCES),
        )
        if a is None or b is None:
            return self.unknown("both populations")
        winner, loser = (first, second) if int(a[0]) >= int(b[0]) else (second, first)
        high, low = max(int(a[0]), int(b[0])), min(int(a[0]), int(b[0]))
        return Fact(
            f"{self.name(winner)} has more people: {say_people(high)}, against "
            f"{say_people(low)} in {self.name(loser)} ({a[1]}).",
            {"winner": winner},
        )

    def superlative_country(
        self, continent: str, prop: NamedNode, what: str, *, most: bool = True
    ) -> Fact:
        order = "DESC" if most else "ASC"
        query = (
            f"SELECT ?c (MAX(?v) AS ?x) WHERE {{ ?c a h:Country ; h:continent <{continent}> ; "
            f"<{prop.value}> ?v FILTER(?v > 0) }} GROUP BY ?c ORDER BY {order}(?x) LIMIT 1"
        )
        rows = self.rows(query)
        if not rows:
            return self.unknown(f"the {what} country in {self.name(continent)}")
        country = str(plain_value(rows[0]["c"]))
        amount = float(plain_value(rows[0]["x"]))
        said = say_area(amount) if prop == v.AREA_KM2 else say_people(int(amount))
        return Fact(
            f"The {what} country in {self.name(continent)} is {self.name(country)}, with {said}.",
            {"country": country},
        )

    def cities_over(self, country: str, minimum: int) -> Fact:
        query = (
            f"SELECT ?c (MAX(?p) AS ?pop) WHERE {{ ?c a h:City ; h:country <{country}> ; "
            f"h:population ?p }} GROUP BY ?c HAVING (MAX(?p) > {int(minimum)}) ORDER BY DESC(?pop)"
        )
        rows = self.rows(query)
        names = [self.name(str(plain_value(r["c"]))) for r in rows]
        if not names:
            return Fact(
                f"No city in {self.name(country)} has more than {minimum:,} people.", {"cities": []}
            )
        shown = names[:10]
        more = f", and {len(names) - 10} more" if len(names) > 10 else ""
        return Fact(
            f"{count(len(names), 'city')} in {self.name(country)} "
            f"{'has' if len(names) == 1 else 'have'} more than {minimum:,} people: "
            f"{join_words(shown)}{more}.",
            {"cities": names},
        )

    @staticmethod
    def unknown(what: str) -> Fact:
        return Fact(f"I don't know {what}.", {"known": False})
