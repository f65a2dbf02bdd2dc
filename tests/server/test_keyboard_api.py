"""/v1/keyboard over HTTP and its WebSocket on a real `heron serve`: suggestions that complete
what is typed, typos corrected, a word learnt by one user suggested to them and to no one
else, exported, forgotten, an undone correction never made again; keys, bad input and sizes;
and the socket's replies matched to their messages, surviving bad ones."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.e2e.harness import HeronServer, socket_to
from tests.server.test_api import assert_problem

LEARN_LIMIT = 250_000
"""HERON_MAX_KEYBOARD_LEARN_CHARS here: small enough that a text over it is quick to send,
large enough that a text under it in escaped JSON is over the 1 MB other bodies are held to."""
ZORB = "We met at the zorbulax again. The zorbulax was full, so we left the zorbulax early."
"""A made-up word no shared model holds, used three times."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeronServer]:
    running = HeronServer(tmp_path_factory.mktemp("keyboard-api") / "data")
    running.env["HERON_MAX_KEYBOARD_LEARN_CHARS"] = str(LEARN_LIMIT)
    with running:
        yield running


@pytest.fixture
def api(server: HeronServer, key: str) -> Iterator[httpx.Client]:
    with server.client(key) as client:
        yield client


def as_user(server: HeronServer, name: str) -> httpx.Client:
    """A client for a new user of its own, so what it learns touches no other test."""
    return server.client(server.add_user(name))


def suggest(client: httpx.Client, context: str, prefix: str = "", n: int = 3) -> list[str]:
    response = client.post(
        "/v1/keyboard/predict", json={"context": context, "prefix": prefix, "n": n}
    )
    assert response.status_code == 200, response.text
    suggestions: list[str] = response.json()["suggestions"]
    return suggestions


def keyboard_socket(server: HeronServer, key: str | None) -> connect:
    headers = {"Authorization": f"Bearer {key}"} if key else None
    return socket_to(f"ws://127.0.0.1:{server.port}/v1/keyboard/ws", headers=headers)


async def ask(ws: ClientConnection, message: dict[str, Any] | str) -> dict[str, Any]:
    await ws.send(message if isinstance(message, str) else json.dumps(message))
    reply: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 30))
    return reply


# --- suggestions and corrections ------------------------------------------------------------


def test_suggestions_complete_the_letters_typed(api: httpx.Client) -> None:
    found = suggest(api, "See you ", "tom")

    assert 1 <= len(found) <= 3
    assert all(word.lower().startswith("tom") for word in found), found
    assert "tomorrow" in found


def test_without_letters_the_next_word_is_suggested(api: httpx.Client) -> None:
    found = suggest(api, "Thank you very ", n=5)

    assert "much" in found
    assert all(" " not in word and word for word in found)


def test_a_sentence_start_is_suggested_with_a_capital(api: httpx.Client) -> None:
    found = suggest(api, "It rained all day. ", "th")

    assert found and all(word[0].isupper() for word in found), found


def test_a_typo_is_corrected_and_a_real_word_left_alone(api: httpx.Client) -> None:
    typo = api.post("/v1/keyboard/correct", json={"word": "teh", "context": "I saw "})
    word = api.post("/v1/keyboard/correct", json={"word": "house", "context": "a big "})

    assert typo.status_code == 200, typo.text
    assert typo.json()["correction"] == "the" and typo.json()["corrected"] is True
    assert typo.json()["word"] == "teh" and typo.json()["candidates"][0] == "the"
    assert word.json()["corrected"] is False and word.json()["correction"] is None


def test_a_confused_word_is_corrected_once_the_next_word_is_sent(api: httpx.Client) -> None:
    alone = api.post("/v1/keyboard/correct", json={"word": "there", "context": "They sold "})
    followed = api.post(
        "/v1/keyboard/correct",
        json={"word": "there", "context": "They sold ", "after": " house."},
    )
    assert alone.json()["corrected"] is False
    assert followed.json()["correction"] == "their", followed.text


# --- the user's own model -------------------------------------------------------------------


def test_a_learnt_word_is_suggested_to_its_user_and_to_no_one_else(server: HeronServer) -> None:
    with as_user(server, "ada") as ada, as_user(server, "bo") as bo:
        assert "zorbulax" not in [w.lower() for w in suggest(ada, "Let's meet at the ", "zorb")]

        learnt = ada.post("/v1/keyboard/learn", json={"text": ZORB})

        assert learnt.status_code == 200, learnt.text
        assert learnt.json()["words"] >= 15 and learnt.json()["new_words"] >= 1
        assert "zorbulax" in suggest(ada, "Let's meet at the ", "zorb")
        assert "zorbulax" not in [w.lower() for w in suggest(bo, "Let's meet at the ", "zorb")]
        assert "zorbulax" not in json.dumps(bo.get("/v1/keyboard/me").json())


def test_export_holds_what_was_learnt_and_delete_forgets_it(server: HeronServer) -> None:
    with as_user(server, "cy") as cy:
        assert cy.post("/v1/keyboard/learn", json={"text": ZORB}).status_code == 200

        exported = cy.get("/v1/keyboard/me")
        assert exported.status_code == 200
        assert {"words", "ngrams", "kept"} <= exported.json().keys()
        assert "zorbulax" in json.dumps(exported.json()["words"])

        deleted = cy.delete("/v1/keyboard/me")

        assert deleted.status_code == 200 and deleted.json()["deleted"] > 0
        assert "zorbulax" not in json.dumps(cy.get("/v1/keyboard/me").json())
        assert "zorbulax" not in [w.lower() for w in suggest(cy, "Let's meet at the ", "zorb")]
        assert cy.delete("/v1/keyboard/me").json() == {"deleted": 0}


def test_an_undone_correction_is_not_made_again_for_that_user_only(server: HeronServer) -> None:
    with as_user(server, "dee") as dee, as_user(server, "eve") as eve:
        first = dee.post("/v1/keyboard/correct", json={"word": "thier", "context": "I took "})
        assert first.json()["correction"] == "their"

        undone = dee.post("/v1/keyboard/undo", json={"word": "thier", "correction": "their"})

        assert undone.status_code == 204
        again = dee.post("/v1/keyboard/correct", json={"word": "thier", "context": "I took "})
        assert again.json()["corrected"] is False
        assert "thier" in json.dumps(dee.get("/v1/keyboard/me").json()["kept"])
        other = eve.post("/v1/keyboard/correct", json={"word": "thier", "context": "I took "})
        assert other.json()["correction"] == "their"


def test_a_learnt_word_survives_the_server_being_killed_right_after(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with HeronServer(tmp_path_factory.mktemp("keyboard-durable") / "data") as server:
        key = server.first_user_key()
        with server.client(key) as client:
            assert client.post("/v1/keyboard/learn", json={"text": ZORB}).status_code == 200
        server.stop(kill=True)
        server.start()
        with server.client(key) as client:
            assert "zorbulax" in suggest(client, "Let's meet at the ", "zorb")


# --- keys, bad input, sizes -----------------------------------------------------------------


def test_every_endpoint_needs_a_key(server: HeronServer) -> None:
    with server.client() as anonymous, server.client("heron_wrong") as wrong:
        for client in (anonymous, wrong):
            assert_problem(client.post("/v1/keyboard/predict", json={"context": "I"}), 401)
            assert_problem(client.post("/v1/keyboard/learn", json={"text": ZORB}), 401)
            assert_problem(client.get("/v1/keyboard/me"), 401)
            assert_problem(client.delete("/v1/keyboard/me"), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"context": "See you ", "prefix": "tom", "n": 0},
        {"context": "See you ", "prefix": "tom", "n": 11},
        {"context": "See you ", "prefix": "to m"},
        {"context": "See you ", "prefix": "tom", "colour": "red"},
        {"context": 42},
    ],
    ids=["n=0", "n=11", "prefix-with-a-space", "unknown-field", "context-not-text"],
)
def test_malformed_predictions_are_refused(api: httpx.Client, body: dict[str, Any]) -> None:
    assert_problem(api.post("/v1/keyboard/predict", json=body), 422)


def test_malformed_json_and_empty_words_are_refused(api: httpx.Client) -> None:
    broken = api.post(
        "/v1/keyboard/predict",
        content=b'{"context": "See you ", "prefix": ',
        headers={"content-type": "application/json"},
    )

    assert_problem(broken, 422)
    assert_problem(api.post("/v1/keyboard/correct", json={"word": ""}), 422)
    assert_problem(api.post("/v1/keyboard/undo", json={"word": "teh"}), 422)


def test_too_long_a_context_or_learnt_text_is_413(api: httpx.Client) -> None:
    long_context = api.post("/v1/keyboard/predict", json={"context": "word " * 401, "prefix": "th"})
    long_text = api.post("/v1/keyboard/learn", json={"text": "a" * (LEARN_LIMIT + 1)})
    huge_body = api.post("/v1/keyboard/predict", json={"context": "x" * 2_000_000})

    assert_problem(long_context, 413)
    assert_problem(long_text, 413)
    assert_problem(huge_body, 413)


def test_a_text_under_the_limit_is_learnt_however_its_json_is_escaped(
    server: HeronServer,
) -> None:
    text = "жжжж " * (LEARN_LIMIT // 5 - 100)
    body = json.dumps({"text": text}).encode()  # every letter as \u0436: six bytes
    assert len(body) > 1_000_000

    with as_user(server, "fay") as fay:
        learnt = fay.post(
            "/v1/keyboard/learn", content=body, headers={"content-type": "application/json"}
        )

    assert learnt.status_code == 200, learnt.text
    assert learnt.json()["words"] == LEARN_LIMIT // 5 - 100


# --- the WebSocket --------------------------------------------------------------------------


async def test_the_socket_answers_each_message_echoing_its_id(server: HeronServer) -> None:
    key = server.add_user("gus")
    async with keyboard_socket(server, key) as ws:
        ready = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ready == {"type": "ready", "user": "gus"}

        typed = await ask(ws, {"type": "predict", "context": "See you ", "prefix": "tom", "id": 7})
        fixed = await ask(ws, {"type": "correct", "word": "teh", "context": "I saw ", "id": "c1"})
        learnt = await ask(ws, {"type": "learn", "text": ZORB, "id": 8})
        known = await ask(ws, {"type": "predict", "context": "at the ", "prefix": "zorb", "id": 9})
        undone = await ask(ws, {"type": "undo", "word": "teh", "correction": "the", "id": 10})
        kept = await ask(ws, {"type": "correct", "word": "teh", "id": 11})

    assert typed["type"] == "suggestions" and typed["id"] == 7
    assert "tomorrow" in typed["suggestions"]
    assert fixed["type"] == "correction" and fixed["id"] == "c1" and fixed["correction"] == "the"
    assert learnt["type"] == "learnt" and learnt["id"] == 8 and learnt["new_words"] >= 1
    assert known["id"] == 9 and "zorbulax" in known["suggestions"]
    assert undone["type"] == "undone" and undone["id"] == 10
    assert kept["id"] == 11 and kept["corrected"] is False


async def test_the_socket_survives_bad_messages_and_says_what_was_wrong(
    server: HeronServer, key: str
) -> None:
    async with keyboard_socket(server, key) as ws:
        await asyncio.wait_for(ws.recv(), 10)  # ready

        broken = await ask(ws, '{"type": "predict", "prefix": ')
        not_an_object = await ask(ws, "[1, 2]")
        unknown = await ask(ws, {"type": "dance", "id": 1})
        bad_n = await ask(ws, {"type": "predict", "context": "I", "n": 0, "id": 2})
        spaced = await ask(ws, {"type": "predict", "context": "I", "prefix": "a b", "id": 3})
        too_long = await ask(ws, {"type": "predict", "context": "word " * 401, "id": 4})
        await ws.send(b"\x00\x01")
        binary = json.loads(await asyncio.wait_for(ws.recv(), 10))
        still = await ask(ws, {"type": "predict", "context": "See you ", "prefix": "tom", "id": 5})

    assert broken["type"] == "error" and broken["status"] == 422 and broken["id"] is None
    assert not_an_object["status"] == 422
    assert unknown["type"] == "error" and unknown["status"] == 422 and unknown["id"] == 1
    assert bad_n["status"] == 422 and bad_n["id"] == 2 and "n" in bad_n["detail"]
    assert spaced["status"] == 422 and spaced["id"] == 3
    assert too_long["status"] == 413 and too_long["id"] == 4
    assert binary["type"] == "error" and binary["status"] == 422
    assert (
        still["type"] == "suggestions" and still["id"] == 5 and "tomorrow" in still["suggestions"]
    )


async def test_the_socket_refuses_a_bad_key(server: HeronServer) -> None:
    for key in (None, "heron_wrong"):
        async with keyboard_socket(server, key) as ws:
            error = json.loads(await asyncio.wait_for(ws.recv(), 10))
            await ws.wait_closed()
        assert error["type"] == "error" and error["status"] == 401
        assert ws.close_code == 4401


async def test_the_token_in_the_url_works_as_a_browser_sends_it(
    server: HeronServer, key: str
) -> None:
    url = f"ws://127.0.0.1:{server.port}/v1/keyboard/ws?token={key}"
    async with socket_to(url) as ws:
        ready = json.loads(await asyncio.wait_for(ws.recv(), 10))
        reply = await ask(ws, {"type": "ping", "id": 1})

    assert ready["type"] == "ready"
    assert reply == {"type": "pong", "id": 1}
    assert "ws?token=" in server.log() and f"token={key}" not in server.log()  # not logged
