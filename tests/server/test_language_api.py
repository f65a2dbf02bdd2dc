"""/v1/language over HTTP on a real `heron serve`: language detection, named entities and
analysis, with their limits and errors."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.harness import HeronServer
from tests.server.test_api import assert_problem

APPLE = "Apple is opening a store in Paris next March"


@pytest.fixture
def api(server: HeronServer, key: str) -> Iterator[httpx.Client]:
    with server.client(key) as client:
        yield client


def test_detect_gives_each_text_its_language_in_order(api: httpx.Client) -> None:
    texts = ["Ich möchte einen Tisch reservieren", "¿Qué tiempo hará mañana?", "ok"]

    response = api.post("/v1/language/detect", json={"texts": texts})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["index"], r["language"], r["name"]) for r in results] == [
        (0, "de", "German"),
        (1, "es", "Spanish"),
        (2, "und", "Undetermined"),
    ]
    assert results[0]["reliable"] is True
    assert results[0]["confidence"] > 0.9
    assert results[2]["reliable"] is False
    assert results[2]["confidence"] < 0.5
    assert response.json()["engine"] == "py3langid"


def test_detect_takes_one_text_too(api: httpx.Client) -> None:
    response = api.post("/v1/language/detect", json={"text": "Wie weit ist es bis zum Bahnhof?"})

    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["language"] == "de"
    assert isinstance(result["alternatives"], list)


def test_detect_lists_alternatives_of_an_unsure_guess(api: httpx.Client) -> None:
    response = api.post("/v1/language/detect", json={"text": "Как далеко до вокзала?"})

    [result] = response.json()["results"]
    assert result["language"] == "und"
    assert "ru" in [a["language"] for a in result["alternatives"]]
    assert {"language", "name", "confidence"} == set(result["alternatives"][0])


def test_an_empty_text_is_named_by_its_index(api: httpx.Client) -> None:
    blank = api.post("/v1/language/detect", json={"texts": ["Guten Tag, wie geht's?", " \n\t"]})
    empty = api.post("/v1/language/detect", json={"text": ""})

    assert "texts[1]" in assert_problem(blank, 422)["detail"]
    assert "text is empty" in assert_problem(empty, 422)["detail"]


def test_detect_needs_texts_or_text_but_not_both(api: httpx.Client) -> None:
    assert_problem(api.post("/v1/language/detect", json={}), 422)
    assert_problem(api.post("/v1/language/detect", json={"texts": []}), 422)
    both = api.post("/v1/language/detect", json={"texts": ["Hallo Welt"], "text": "Hallo"})
    assert "either" in assert_problem(both, 422)["detail"]


def test_too_many_or_too_long_texts_are_413(api: httpx.Client) -> None:
    many = api.post("/v1/language/detect", json={"texts": ["Bonjour tout le monde"] * 101})
    long = api.post("/v1/language/detect", json={"texts": ["ok", "a" * 100_001]})
    limit = api.post("/v1/language/detect", json={"texts": ["Bonjour tout le monde"] * 100})

    assert "101 texts" in assert_problem(many, 413)["detail"]
    assert "texts[1] has 100,001 characters" in assert_problem(long, 413)["detail"]
    assert limit.status_code == 200


def test_language_endpoints_need_a_key(server: HeronServer) -> None:
    with server.client() as anonymous:
        for path in ("detect", "entities", "analyze"):
            assert_problem(anonymous.post(f"/v1/language/{path}", json={"text": APPLE}), 401)


def test_entities_with_labels_and_offsets(api: httpx.Client) -> None:
    response = api.post("/v1/language/entities", json={"text": APPLE})

    assert response.status_code == 200
    body = response.json()
    assert [(e["text"], e["label"], e["start"], e["end"]) for e in body["entities"]] == [
        ("Apple", "ORG", 0, 5),
        ("Paris", "GPE", 28, 33),
        ("next March", "DATE", 34, 44),
    ]
    assert body["entities"][0]["description"] == "Companies, agencies, institutions, etc."
    assert body["language"]["language"] == "en"
    assert body["model"] == "en_core_web_sm 3.8.0"


def test_analyze_gives_sentences_tokens_entities_and_language(api: httpx.Client) -> None:
    text = "Apple is opening a store in Paris next March. Tim Cook will be there."

    response = api.post("/v1/language/analyze", json={"text": text})

    assert response.status_code == 200
    body = response.json()
    assert [(s["text"], s["start"], s["end"]) for s in body["sentences"]] == [
        ("Apple is opening a store in Paris next March.", 0, 45),
        ("Tim Cook will be there.", 46, 69),
    ]
    assert body["tokens"][1] == {
        "text": "is",
        "lemma": "be",
        "pos": "AUX",
        "start": 6,
        "end": 8,
        "is_stop": True,
    }
    assert ("Tim Cook", "PERSON") in {(e["text"], e["label"]) for e in body["entities"]}
    assert body["language"]["language"] == "en"


def test_other_languages_are_refused_unless_declared_english(api: httpx.Client) -> None:
    german = {"text": "Angela Merkel besuchte gestern das Rathaus in Hamburg."}

    refused = api.post("/v1/language/analyze", json=german)
    declared = api.post("/v1/language/entities", json={**german, "language": "en"})
    french = api.post("/v1/language/analyze", json={"text": APPLE, "language": "fr"})

    assert "German" in assert_problem(refused, 422)["detail"]
    assert declared.status_code == 200
    assert "Hamburg" in [e["text"] for e in declared.json()["entities"]]
    assert "only English" in assert_problem(french, 422)["detail"]


def test_analysis_limits_and_empty_text(api: httpx.Client) -> None:
    too_long = api.post("/v1/language/analyze", json={"text": "word " * 20_001})
    empty = api.post("/v1/language/entities", json={"text": "   "})
    missing = api.post("/v1/language/analyze", json={})

    assert "100,000" in assert_problem(too_long, 413)["detail"]
    assert assert_problem(empty, 422)["title"] == "Bad input"
    assert assert_problem(missing, 422)["title"] == "Malformed request"
