"""Tenancy over the real API: one user cannot read, change or hear about another user's timers,
reminders, lists, personal facts, conversations or events — through any endpoint that takes an
id."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.harness import HeronServer, events_socket, receive, until_pong, wait_for

PROBLEM = "application/problem+json"


def ask(api: httpx.Client, text: str, **extra: str) -> dict[str, Any]:
    response = api.post("/v1/assistant/ask", json={"text": text, **extra})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture(scope="module")
def keys(server: HeronServer) -> dict[str, str]:
    return {"alice": server.add_user("alice"), "bob": server.add_user("bob")}


@pytest.fixture
def alice(server: HeronServer, keys: dict[str, str]) -> Iterator[httpx.Client]:
    with server.client(keys["alice"]) as client:
        yield client


@pytest.fixture
def bob(server: HeronServer, keys: dict[str, str]) -> Iterator[httpx.Client]:
    with server.client(keys["bob"]) as client:
        yield client


@pytest.fixture(scope="module")
def alices(server: HeronServer, keys: dict[str, str]) -> dict[str, Any]:
    """Alice's timer, reminder, list (with items) and conversation — all set by asking."""
    with server.client(keys["alice"]) as api:
        timer = ask(api, "set a pasta timer for 20 minutes")
        reminder = ask(api, "remind me in 3 hours to call the bank")
        ask(api, "add milk and eggs to my shopping list")
        fact = ask(api, "remember that my wifi password is hunter2")
        shopping = api.get("/v1/lists").json()["lists"][0]
    assert shopping["name"] == "shopping"
    return {
        "timer": timer["data"]["timer"]["id"],
        "reminder": reminder["data"]["reminder"]["id"],
        "list": shopping["id"],
        "item": shopping["items"][0]["id"],
        "conversation": timer["conversation_id"],
        "fact": fact["data"]["fact"]["id"],
    }


def snapshot(api: httpx.Client, ids: dict[str, Any]) -> dict[str, Any]:
    """What Alice can see of her things (without the seconds left, which keep moving)."""
    timer = api.get(f"/v1/timers/{ids['timer']}").json()
    timer.pop("remaining_s")
    return {
        "timer": timer,
        "reminder": api.get(f"/v1/reminders/{ids['reminder']}").json(),
        "list": api.get(f"/v1/lists/{ids['list']}").json(),
        "conversation": api.get(f"/v1/assistant/conversations/{ids['conversation']}").json(),
        "facts": api.get("/v1/knowledge/me/facts").json(),
    }


ID_ENDPOINTS = [
    ("GET", "/v1/timers/{timer}", None),
    ("DELETE", "/v1/timers/{timer}", None),
    ("POST", "/v1/timers/{timer}/pause", None),
    ("POST", "/v1/timers/{timer}/resume", None),
    ("GET", "/v1/reminders/{reminder}", None),
    ("DELETE", "/v1/reminders/{reminder}", None),
    ("GET", "/v1/lists/{list}", None),
    ("DELETE", "/v1/lists/{list}", None),
    ("DELETE", "/v1/lists/{list}/items/{item}", None),
    ("DELETE", "/v1/lists/{bobs_list}/items/{item}", None),
    ("GET", "/v1/assistant/conversations/{conversation}", None),
    ("DELETE", "/v1/knowledge/me/facts/{fact}", None),
    ("POST", "/v1/assistant/ask", {"text": "twenty minutes", "conversation_id": "{conversation}"}),
]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    ID_ENDPOINTS,
    ids=[f"{method} {path}" for method, path, _ in ID_ENDPOINTS],
)
def test_another_users_ids_are_not_found(
    alice: httpx.Client,
    bob: httpx.Client,
    alices: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, str] | None,
) -> None:
    bobs_list = bob.post("/v1/lists/by-name/hardware/items", json={"items": ["nails"]}).json()
    ids = {**alices, "bobs_list": bobs_list["id"]}
    before = snapshot(alice, alices)
    json = {k: v.format(**ids) for k, v in body.items()} if body else None

    response = bob.request(method, path.format(**ids), json=json)

    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert snapshot(alice, alices) == before
    assert before["timer"]["state"] == "running"
    assert [i["text"] for i in before["list"]["items"]] == ["milk", "eggs"]
    assert [f["id"] for f in before["facts"]["facts"]] == [alices["fact"]]


def test_another_users_things_are_not_listed(
    alice: httpx.Client, bob: httpx.Client, alices: dict[str, Any]
) -> None:
    timers = bob.get("/v1/timers", params={"all": "true"}).json()["timers"]
    reminders = bob.get("/v1/reminders").json()["reminders"]
    lists = bob.get("/v1/lists").json()["lists"]
    facts = bob.get("/v1/knowledge/me/facts").json()["facts"]

    assert alices["timer"] not in [t["id"] for t in timers]
    assert alices["reminder"] not in [r["id"] for r in reminders]
    assert alices["list"] not in [x["id"] for x in lists]
    assert not [i for x in lists for i in x["items"] if i["text"] in ("milk", "eggs")]
    assert facts == []
    assert bob.get("/v1/me").json()["name"] == "bob"
    assert alice.get("/v1/me").json()["name"] == "alice"


def test_asking_about_my_things_never_reaches_another_users(
    alice: httpx.Client, bob: httpx.Client, alices: dict[str, Any]
) -> None:
    before = snapshot(alice, alices)

    asked = {
        text: ask(bob, text)
        for text in (
            "how much time is left on my timer?",
            "what's on my shopping list?",
            "what are my reminders?",
            "cancel my timer",
            "delete my shopping list",
            "cancel my reminder",
            "what is my wifi password?",
            "what do you know about me?",
            "forget my wifi password",
        )
    }

    assert [a["intent"] for a in asked.values()] == [
        "timer.remaining",
        "list.read",
        "reminder.list",
        "timer.cancel",
        "list.delete",
        "reminder.delete",
        "memory.recall",
        "memory.about",
        "memory.forget",
    ]
    for answer in asked.values():
        for alices_words in ("pasta", "20 minute", "milk", "eggs", "bank", "hunter2"):
            assert alices_words not in answer["reply"]
    assert snapshot(alice, alices) == before


def test_forgetting_everything_forgets_only_the_users_own_facts(
    alice: httpx.Client, bob: httpx.Client, alices: dict[str, Any]
) -> None:
    bob.post("/v1/knowledge/me/facts", json={"text": "my wifi password is swordfish"})
    before = snapshot(alice, alices)

    response = bob.delete("/v1/knowledge/me/facts")

    assert response.status_code == 204
    assert bob.get("/v1/knowledge/me/facts").json()["facts"] == []
    assert snapshot(alice, alices) == before
    assert ask(alice, "what is my wifi password?")["reply"] == "Your wifi password is hunter2."


def test_adding_to_a_list_by_name_makes_the_users_own_list(
    alice: httpx.Client, bob: httpx.Client, alices: dict[str, Any]
) -> None:
    before = snapshot(alice, alices)

    bobs = bob.post("/v1/lists/by-name/shopping/items", json={"items": ["tea"]}).json()

    assert bobs["id"] != alices["list"]
    assert [i["text"] for i in bobs["items"]] == ["tea"]
    assert snapshot(alice, alices) == before


async def test_a_user_never_hears_another_users_events(
    server: HeronServer, keys: dict[str, str]
) -> None:
    async with (
        events_socket(server, keys["alice"], "alice-phone") as alices_phone,
        events_socket(server, keys["bob"], "bob-phone") as bobs_phone,
        server.async_client(keys["alice"]) as api,
    ):
        await receive(alices_phone)
        await receive(bobs_phone)
        await until_pong(bobs_phone)  # whatever Bob had waiting is out of the way
        answer = await api.post("/v1/assistant/ask", json={"text": "set a timer for 1 second"})
        timer = answer.json()["data"]["timer"]
        await wait_for(alices_phone, lambda m: m.get("timer_id") == timer["id"])
        await asyncio.sleep(0.3)
        heard = await until_pong(bobs_phone)
    assert heard == []


async def test_a_user_is_not_sent_another_users_missed_events(
    server: HeronServer, keys: dict[str, str]
) -> None:
    # Alice has no device connected when her timer ends, so the event waits for her.
    async with server.async_client(keys["alice"]) as api:
        answer = await api.post("/v1/assistant/ask", json={"text": "set a timer for 1 second"})
        timer = answer.json()["data"]["timer"]
        for _ in range(50):
            if (await api.get(f"/v1/timers/{timer['id']}")).json()["state"] == "finished":
                break
            await asyncio.sleep(0.1)

    async with events_socket(server, keys["bob"], "bob-phone") as ws:
        await receive(ws)
        bobs_backlog = await until_pong(ws)
    async with events_socket(server, keys["alice"], "alice-phone") as ws:
        await receive(ws)
        alices_backlog = await until_pong(ws)

    assert timer["id"] not in [m.get("timer_id") for m in bobs_backlog]
    assert timer["id"] in [m.get("timer_id") for m in alices_backlog]
