"""Entity linking: names, alternate names, demonyms, codes, misspellings, namesakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from heron.knowledge.graph import WorldGraph
from heron.knowledge.linking import EntityIndex
from heron.language.normalize import tokenize


@pytest.fixture(scope="module")
def index(knowledge_dir: Path) -> EntityIndex:
    return EntityIndex(WorldGraph(knowledge_dir).store)


def link(
    index: EntityIndex, text: str, kinds: tuple[str, ...] = ("country", "city", "continent")
) -> str | None:
    match = index.lookup(tokenize(text), text, kinds)
    return None if match is None else match.entity.id


@pytest.mark.parametrize(
    ("said", "entity"),
    [
        ("Kenya", "country/KE"),
        ("kenya", "country/KE"),
        ("Republic of Kenya", "country/KE"),  # official name (pycountry)
        ("Kenyan", "country/KE"),  # demonym (countryinfo)
        ("Côte d'Ivoire", "country/CI"),
        ("Ivory Coast", "country/CI"),
        ("the Netherlands", "country/NL"),
        ("USA", "country/US"),
        ("usa", "country/US"),
        ("DEU", "country/DE"),  # ISO codes when typed in capitals
        ("KE", "country/KE"),
        ("Kazakstan", "country/KZ"),  # a small misspelling
        ("Germny", "country/DE"),
        ("Africa", "continent/AF"),
        ("Bombay", "city/1275339"),  # an old name of Mumbai
        ("São Paulo", "city/3448439"),
        ("Sao Paulo", "city/3448439"),
    ],
)
def test_names_aliases_codes_and_misspellings(index: EntityIndex, said: str, entity: str) -> None:
    assert link(index, said) == entity


def test_paris_is_the_french_capital_unless_texas_is_said(index: EntityIndex) -> None:
    assert link(index, "Paris") == "city/2988507"
    assert link(index, "Paris, Texas") == "city/4717560"
    assert index.lookup(tokenize("Paris Texas"), "Paris Texas") is not None


def test_a_country_name_beats_a_namesake_city(index: EntityIndex) -> None:
    assert link(index, "Mexico") == "country/MX"
    assert link(index, "Georgia") == "country/GE"
    assert link(index, "Mexico", ("city",)) is not None  # a city called Mexico exists too


def test_small_words_are_not_codes(index: EntityIndex) -> None:
    assert link(index, "in") is None
    assert link(index, "it") is None
    assert link(index, "IN") == "country/IN"


def test_one_wrong_letter_is_forgiven_in_longer_names(index: EntityIndex) -> None:
    assert link(index, "Equador", ("country",)) == "country/EC"  # a Brazilian town otherwise
    assert link(index, "Hungery") == "country/HU"
    assert link(index, "Portugul") == "country/PT"
    assert link(index, "Merlin") is None  # too short to tell from another word: not Berlin


def test_made_up_places_are_not_linked(index: EntityIndex) -> None:
    assert link(index, "Narnia") is None
    assert link(index, "Wakanda") is None
    assert link(index, "Atlantis", ("country",)) is None


def test_search_lists_namesakes_with_where_they_are(index: EntityIndex) -> None:
    found = index.search("Springfield", limit=5)

    assert len(found) == 5
    assert all(m.entity.name == "Springfield" for m in found)
    assert len({m.entity.where for m in found}) == 5
    populations = [m.entity.population for m in found]
    assert populations == sorted(populations, reverse=True)


def test_search_forgives_spelling(index: EntityIndex) -> None:
    found = index.search("Kazakstan", limit=3)

    assert found[0].entity.id == "country/KZ"
    assert found[0].score < 100
