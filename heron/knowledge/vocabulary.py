"""The graph's vocabulary: one namespace, entity IRIs, properties, and one named graph per
source so every fact records where it came from.

    Country  h:country/KE      City      h:city/184745 (GeoNames id)
    Continent h:continent/AF   Currency  h:currency/KES   Language h:language/sw
    Sense    h:sense/n-05651971 (a WordNet synset)
"""

from __future__ import annotations

from pyoxigraph import NamedNode

BASE = "https://heron.invalid/kg/"
PREFIXES = (
    f"PREFIX h: <{BASE}>\nPREFIX k: <{BASE}key/>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)


def node(path: str) -> NamedNode:
    return NamedNode(BASE + path)


def country(iso2: str) -> NamedNode:
    return node(f"country/{iso2.upper()}")


def city(geonames_id: int | str) -> NamedNode:
    return node(f"city/{geonames_id}")


def continent(code: str) -> NamedNode:
    return node(f"continent/{code.upper()}")


def currency(code: str) -> NamedNode:
    return node(f"currency/{code.upper()}")


def language(code: str) -> NamedNode:
    return node(f"language/{code.lower()}")


def sense(pos: str, offset: str) -> NamedNode:
    return node(f"sense/{pos}-{offset}")


# Classes (objects of rdf:type)
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
COUNTRY = node("Country")
CITY = node("City")
CONTINENT = node("Continent")
CURRENCY = node("Currency")
LANGUAGE = node("Language")
SENSE = node("Sense")

# Properties. Literal values: strings unless noted.
NAME = node("name")  # the preferred English name
ALIAS = node("alias")  # other names, alternate spellings, translations
OFFICIAL_NAME = node("officialName")
ISO2 = node("iso2")
ISO3 = node("iso3")
DEMONYM = node("demonym")
CAPITAL = node("capital")  # country → city
COUNTRY_OF = node("country")  # city → country
CONTINENT_OF = node("continent")  # country → continent
REGION = node("region")  # e.g. "Africa" (countryinfo)
SUBREGION = node("subregion")  # e.g. "Eastern Africa"
POPULATION = node("population")  # xsd:integer
AREA_KM2 = node("areaKm2")  # xsd:double
CURRENCY_OF = node("currency")  # country → currency
LANGUAGE_OF = node("language")  # country → language
BORDERS = node("borders")  # country → country
CALLING_CODE = node("callingCode")  # "254"
TIMEZONE = node("timezone")  # IANA name
LATITUDE = node("latitude")  # xsd:double
LONGITUDE = node("longitude")  # xsd:double
LEMMA = node("lemma")  # sense → word (lower case, spaces for underscores)
DEFINITION = node("definition")  # sense → gloss
PART_OF_SPEECH = node("partOfSpeech")  # noun | verb | adjective | adverb

# Lookup keys: every name folded the way the language layer tokenizes it ("cote divoire",
# "paris texas"), so entity linking is an index lookup in the store. Kept in their own graph.
KEY_NAME = node("key/name")  # the entity's own name
KEY_ALIAS = node("key/alias")  # an alternate name or spelling
KEY_QUALIFIED = node("key/qualified")  # "paris texas", "paris france"
KEY_DEMONYM = node("key/demonym")  # "kenyan", "kenyans"
KEYS = (KEY_NAME, KEY_ALIAS, KEY_QUALIFIED, KEY_DEMONYM)

# Named graphs: where a fact came from.
SOURCES = {
    "geonames": node("source/geonames"),
    "countryinfo": node("source/countryinfo"),
    "pycountry": node("source/pycountry"),
    "wordnet": node("source/wordnet"),
    "keys": node("source/keys"),
}
SOURCE_LABELS = {
    "geonames": "GeoNames",
    "countryinfo": "countryinfo",
    "pycountry": "ISO 3166 (pycountry)",
    "wordnet": "WordNet",
    "keys": "lookup keys (derived)",
}
