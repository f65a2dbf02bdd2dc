"""/v1/knowledge over HTTP on a real `heron serve`: search, entities, SPARQL and questions."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.harness import HeronServer
from tests.server.test_api import assert_problem


@pytest.fixture
def api(server: HeronServer, key: str) -> Iterator[httpx.Client]:
    with server.client(key) as client:
        yield client


def test_entity_search_finds_aliases_and_misspellings(api: httpx.Client) -> None:
    exact = api.get("/v1/knowledge/entities", params={"q": "Ivory Coast"}).json()["entities"]
    close = api.get("/v1/knowledge/entities", params={"q": "Kazakstan", "limit": 3}).json()

    assert exact[0]["id"] == "country/CI"
    assert close["entities"][0]["name"] == "Kazakhstan"


def test_entity_search_can_ask_for_cities_only(api: httpx.Client) -> None:
    response = api.get("/v1/knowledge/entities", params={"q": "Mexico", "kind": "city"})

    assert response.status_code == 200
    assert {e["kind"] for e in response.json()["entities"]} == {"city"}


def test_entity_shows_facts_with_their_sources(api: httpx.Client) -> None:
    response = api.get("/v1/knowledge/entities/country/KE")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Kenya"
    sources = {f["source"] for f in body["facts"]["population"]}
    assert sources == {"geonames", "countryinfo"}


def test_unknown_entities_and_bad_kinds_get_problems(api: httpx.Client) -> None:
    assert_problem(api.get("/v1/knowledge/entities/country/ZZ"), 404)
    assert_problem(api.get("/v1/knowledge/entities", params={"q": "x", "kind": "planet"}), 422)
    assert_problem(api.get("/v1/knowledge/entities"), 422)


def test_sparql_select(api: httpx.Client) -> None:
    query = 'SELECT DISTINCT ?capital WHERE { ?c h:iso2 "PE" ; h:capital/h:name ?capital }'
    response = api.post("/v1/knowledge/sparql", json={"query": query})

    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == [
        {"capital": {"type": "literal", "value": "Lima"}}
    ]


def test_sparql_updates_and_garbage_are_rejected_with_400(api: httpx.Client) -> None:
    update = api.post("/v1/knowledge/sparql", json={"query": "DELETE WHERE { ?s ?p ?o }"})
    garbage = api.post("/v1/knowledge/sparql", json={"query": "SELECT WHERE {"})
    after = api.post("/v1/knowledge/sparql", json={"query": "ASK { ?c a h:Country }"})

    assert "read-only" in assert_problem(update, 400)["detail"]
    assert_problem(garbage, 400)
    assert after.json()["boolean"] is True  # nothing was deleted


def test_ask_answers_in_words(api: httpx.Client) -> None:
    response = api.post("/v1/knowledge/ask", json={"text": "What is the capital of Peru?"})

    assert response.status_code == 200
    body = response.json()
    assert body["reply"] == "The capital of Peru is Lima."
    assert body["intent"] == "knowledge.capital"
    assert body["answered"] is True


def test_knowledge_needs_a_key(server: HeronServer) -> None:
    with server.client() as anonymous:
        assert_problem(anonymous.get("/v1/knowledge/entities", params={"q": "Paris"}), 401)
        assert_problem(anonymous.post("/v1/knowledge/sparql", json={"query": "ASK {}"}), 401)


# --- the personal graph ---------------------------------------------------------------------


def test_facts_told_by_asking_are_listed_and_forgotten_over_http(api: httpx.Client) -> None:
    api.delete("/v1/knowledge/me/facts")
    api.post("/v1/assistant/ask", json={"text": "remember that my sister's name is Ana"})
    added = api.post("/v1/knowledge/me/facts", json={"text": "Ana's birthday is May 2"})

    assert added.status_code == 201
    listed = api.get("/v1/knowledge/me/facts").json()["facts"]
    assert [f["text"] for f in listed] == ["Your sister's name is Ana.", "Ana's birthday is May 2."]
    birthday = api.get("/v1/knowledge/me/facts", params={"q": "birthday"}).json()["facts"]
    assert [f["id"] for f in birthday] == [added.json()["id"]]
    answer = api.post("/v1/knowledge/ask", json={"text": "when is my sister's birthday?"})
    assert answer.json()["reply"].startswith("Your sister's birthday is May 2")

    forgotten = api.delete(f"/v1/knowledge/me/facts/{added.json()['id']}")

    assert forgotten.status_code == 200
    assert forgotten.json()["value"] == "May 2"
    assert_problem(api.delete(f"/v1/knowledge/me/facts/{added.json()['id']}"), 404)
    assert [f["relation"] for f in api.get("/v1/knowledge/me/facts").json()["facts"]] == ["name"]
    assert api.delete("/v1/knowledge/me/facts").status_code == 204
    assert api.get("/v1/knowledge/me/facts").json()["facts"] == []


def test_bad_facts_get_problems(api: httpx.Client) -> None:
    assert (
        "no fact found"
        in assert_problem(api.post("/v1/knowledge/me/facts", json={"text": "hello there"}), 422)[
            "detail"
        ]
    )
    assert_problem(api.post("/v1/knowledge/me/facts", json={"text": ""}), 422)
    assert_problem(api.post("/v1/knowledge/me/facts", json={"text": "my car is " + "x" * 400}), 422)
    assert_problem(api.post("/v1/knowledge/me/facts", content=b"{not json"), 422)
    assert_problem(api.delete("/v1/knowledge/me/facts/not-a-number"), 422)


def test_facts_need_a_key(server: HeronServer) -> None:
    with server.client() as anonymous:
        assert_problem(anonymous.get("/v1/knowledge/me/facts"), 401)
        assert_problem(anonymous.delete("/v1/knowledge/me/facts"), 401)
