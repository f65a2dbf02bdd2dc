"""Read-only SPARQL with a time limit and a row limit, through the engine."""

from __future__ import annotations

import pytest

from heron import Heron, Settings
from heron.errors import QueryRejected, QueryTimeout
from heron.knowledge.sparql import check_query


async def test_select_returns_sparql_json(engine: Heron) -> None:
    result = await engine.sparql(
        'SELECT DISTINCT ?name WHERE { ?c h:iso2 "JP" ; h:capital/h:name ?name }'
    )

    assert result["head"]["vars"] == ["name"]
    assert result["results"]["bindings"] == [{"name": {"type": "literal", "value": "Tokyo"}}]
    assert result["truncated"] is False


async def test_ask_queries_answer_true_or_false(engine: Heron) -> None:
    yes = await engine.sparql("ASK { h:country\\/KE h:borders h:country\\/UG }")
    no = await engine.sparql("ASK { h:country\\/KE h:borders h:country\\/FR }")

    assert (yes["boolean"], no["boolean"]) == (True, False)


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX x: <urn:x:>\nDELETE WHERE { ?s ?p ?o }",
        "  # a comment\n clear all",
        "DROP GRAPH <https://heron.invalid/kg/source/geonames>",
    ],
)
def test_updates_are_rejected_with_400(update: str) -> None:
    with pytest.raises(QueryRejected, match="read-only") as raised:
        check_query(update)
    assert raised.value.status == 400


async def test_a_malformed_query_is_rejected(engine: Heron) -> None:
    with pytest.raises(QueryRejected, match="not valid"):
        await engine.sparql("SELECT ?x WHERE { ?x ")


async def test_big_results_are_cut_at_the_row_limit(settings: Settings) -> None:
    settings.sparql_max_rows = 5
    async with Heron(settings) as engine:
        result = await engine.sparql("SELECT ?c WHERE { ?c a h:City }")

    assert len(result["results"]["bindings"]) == 5
    assert result["truncated"] is True


async def test_a_runaway_query_is_stopped_and_the_next_one_runs(settings: Settings) -> None:
    settings.sparql_timeout_s = 1.0
    async with Heron(settings) as engine:
        with pytest.raises(QueryTimeout) as raised:
            await engine.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }")
        after = await engine.sparql("ASK { h:country\\/KE a h:Country }")

    assert raised.value.status == 504
    assert after["boolean"] is True
