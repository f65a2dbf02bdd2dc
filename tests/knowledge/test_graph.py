"""The world graph as built from the packaged sources (once per suite, see conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from heron.errors import EngineUnavailable, NotFound
from heron.knowledge import vocabulary as v
from heron.knowledge.graph import WorldGraph


@pytest.fixture(scope="module")
def graph(knowledge_dir: Path) -> WorldGraph:
    return WorldGraph(knowledge_dir)


def select(graph: WorldGraph, query: str, union: bool = True) -> list[dict[str, object]]:
    rows = graph.store.query(v.PREFIXES + query, use_default_graph_as_union=union)
    return [{str(k.value): s[k].value for k in rows.variables if s[k] is not None} for s in rows]  # type: ignore[union-attr]


def test_the_graph_holds_every_country_and_the_cities(graph: WorldGraph) -> None:
    stats = graph.stats()

    assert stats["current"]
    assert stats["entities"]["countries"] >= 240
    assert stats["entities"]["cities"] > 60_000
    assert stats["entities"]["word senses"] > 100_000
    assert set(stats["quads"]) == {"geonames", "countryinfo", "pycountry", "keys", "wordnet"}


def test_sources_are_reconciled_into_one_entity_per_country(graph: WorldGraph) -> None:
    rows = select(graph, 'SELECT DISTINCT ?c WHERE { ?c h:iso2 "KE" }')
    named = select(graph, 'SELECT DISTINCT ?c WHERE { ?c h:name "Kenya" }')

    assert [r["c"] for r in rows] == [v.BASE + "country/KE"]
    assert [r["c"] for r in named] == [v.BASE + "country/KE"]


def test_each_fact_keeps_the_source_that_stated_it(graph: WorldGraph) -> None:
    rows = select(
        graph, "SELECT ?g ?p WHERE { GRAPH ?g { <" + v.BASE + "country/KE> h:population ?p } }"
    )
    by_source = {str(r["g"]).rsplit("/", 1)[-1]: int(str(r["p"])) for r in rows}

    assert by_source["geonames"] == 51_393_010
    assert "countryinfo" in by_source  # an older figure, kept side by side


def test_capitals_link_to_the_city_entity(graph: WorldGraph) -> None:
    rows = select(graph, "SELECT ?name WHERE { h:country\\/FR h:capital/h:name ?name }")

    assert {r["name"] for r in rows} == {"Paris"}


def test_entity_lists_facts_with_names_and_sources(graph: WorldGraph) -> None:
    kenya = graph.entity("country/KE")

    assert kenya["name"] == "Kenya"
    capital = kenya["facts"]["capital"]
    assert {"id": "city/184745", "name": "Nairobi", "source": "geonames"} in capital
    assert "key/name" not in kenya["facts"]  # lookup keys are an index, not facts
    assert {f["value"] for f in kenya["facts"]["demonym"]} == {"Kenyan"}


@pytest.mark.parametrize("entity_id", ["country/XX", "city/1", "../../etc/passwd", "a b"])
def test_unknown_or_malformed_entity_ids_are_not_found(graph: WorldGraph, entity_id: str) -> None:
    with pytest.raises(NotFound):
        graph.entity(entity_id)


def test_a_graph_that_was_never_built_says_how_to_build_it(tmp_path: Path) -> None:
    empty = WorldGraph(tmp_path)

    assert not empty.current()
    with pytest.raises(EngineUnavailable, match="heron kg build"):
        _ = empty.store
