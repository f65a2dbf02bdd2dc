"""Timers and reminders ring on the user's devices over the WebSocket: on time while the server
runs, and once (marked late) for what came due while it was down."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.harness import (
    HeronServer,
    events_socket,
    receive,
    socket_to,
    until_pong,
    wait_for,
)

LATE_AFTER_S = 5
"""An event that fires more than this long after its time says it is late (while offline)."""


@pytest.fixture(scope="module")
def key(server: HeronServer) -> str:
    return server.first_user_key()


def ask(api: httpx.Client, text: str) -> dict[str, Any]:
    response = api.post("/v1/assistant/ask", json={"text": text})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def ask_async(api: httpx.AsyncClient, text: str) -> dict[str, Any]:
    response = await api.post("/v1/assistant/ask", json={"text": text})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def seconds_since(moment: str) -> float:
    return (datetime.now(UTC) - datetime.fromisoformat(moment)).total_seconds()


async def test_a_finished_timer_rings_within_a_second_of_its_end(
    server: HeronServer, key: str
) -> None:
    async with events_socket(server, key, "kitchen") as ws, server.async_client(key) as api:
        assert await receive(ws) == {"type": "hello", "user": "me", "device": "kitchen"}
        timer = (await ask_async(api, "set a timer for 2 seconds"))["data"]["timer"]
        event = await wait_for(
            ws, lambda m: m["type"] == "timer.finished" and m["timer_id"] == timer["id"]
        )
        lateness = seconds_since(timer["ends_at"])
        finished = (await api.get(f"/v1/timers/{timer['id']}")).json()

    assert 0 <= lateness < 1.0, f"rang {lateness:.3f} s after the timer's end"
    assert event["late"] is False
    assert event["ended_at"] == timer["ends_at"]
    assert "done" in event["text"]
    assert finished["state"] == "finished"


async def test_a_due_reminder_is_announced_within_a_second(server: HeronServer, key: str) -> None:
    async with events_socket(server, key, "kitchen") as ws, server.async_client(key) as api:
        await receive(ws)
        answer = await ask_async(api, "remind me in 2 seconds to stretch")
        reminder = answer["data"]["reminder"]
        event = await wait_for(
            ws, lambda m: m["type"] == "reminder.due" and m["reminder_id"] == reminder["id"]
        )
        lateness = seconds_since(reminder["due_at"])
        left = (await api.get("/v1/reminders")).json()["reminders"]

    assert 0 <= lateness < 1.0, f"announced {lateness:.3f} s after it was due"
    assert event["text"] == "Reminder: stretch."
    assert event["late"] is False
    assert reminder["id"] not in [r["id"] for r in left]


async def test_paused_and_cancelled_timers_do_not_ring(server: HeronServer, key: str) -> None:
    async with events_socket(server, key, "kitchen") as ws, server.async_client(key) as api:
        await receive(ws)
        tea = (await ask_async(api, "set a tea timer for 2 seconds"))["data"]["timer"]
        egg = (await ask_async(api, "set an egg timer for 2 seconds"))["data"]["timer"]
        assert (await api.post(f"/v1/timers/{tea['id']}/pause")).status_code == 200
        assert (await api.delete(f"/v1/timers/{egg['id']}")).status_code == 200
        await asyncio.sleep(2.5)
        heard = await until_pong(ws)
        resumed = (await api.post(f"/v1/timers/{tea['id']}/resume")).json()
        await wait_for(ws, lambda m: m["type"] == "timer.finished" and m["timer_id"] == tea["id"])
        lateness = seconds_since(resumed["ends_at"])

    assert [m for m in heard if m.get("timer_id") in (tea["id"], egg["id"])] == []
    assert resumed["state"] == "running"
    assert 1.0 < resumed["remaining_s"] <= 2.0
    assert 0 <= lateness < 1.0, f"rang {lateness:.3f} s after the resumed timer's end"


async def test_every_connected_device_of_the_user_gets_the_event(
    server: HeronServer, key: str
) -> None:
    async with (
        events_socket(server, key, "kitchen") as kitchen,
        events_socket(server, key, "bedroom") as bedroom,
        server.async_client(key) as api,
    ):
        await receive(kitchen)
        await receive(bedroom)
        timer = (await ask_async(api, "set a timer for 1 second"))["data"]["timer"]
        got = await asyncio.gather(
            *(wait_for(ws, lambda m: m.get("timer_id") == timer["id"]) for ws in (kitchen, bedroom))
        )
        devices = (await api.get("/v1/devices")).json()["devices"]
    assert got[0] == got[1]
    assert {"kitchen", "bedroom"} <= {d["name"] for d in devices}


async def test_a_device_can_send_its_key_as_a_token_parameter(
    server: HeronServer, key: str
) -> None:
    async with socket_to(f"{server.ws_url}?token={key}&device=watch") as ws:
        assert await receive(ws) == {"type": "hello", "user": "me", "device": "watch"}
        assert await until_pong(ws) == []


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?token=heron_notarealkey", {}),
        ("", {"Authorization": "Bearer heron_notarealkey"}),
        ("?token=garbage", {}),
        ("", {}),
    ],
    ids=["bad-token", "bad-header", "garbage-token", "no-key"],
)
async def test_a_bad_key_is_told_so_and_closed_with_4401(
    server: HeronServer, query: str, headers: dict[str, str]
) -> None:
    async with socket_to(server.ws_url + query, headers) as ws:
        error = await receive(ws)
        with pytest.raises(ConnectionClosed):
            await receive(ws)
    assert error["type"] == "error"
    assert error["status"] == 401
    assert ws.close_code == 4401


# --- across a restart -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def across_restart(server: HeronServer) -> dict[str, Any]:
    """A user sets things up, the server dies (SIGKILL: no clean shutdown), stays down until a
    3-second timer is clearly over, and starts again on the same data dir."""
    key = server.add_user("ida")
    with server.client(key) as api:
        short = ask(api, "set a timer for 3 seconds")["data"]["timer"]
        long = ask(api, "set a pasta timer for 10 minutes")["data"]["timer"]
        reminder = ask(api, "remind me in 2 hours to water the plants")["data"]["reminder"]
        ask(api, "add milk and eggs to my shopping list")
    server.stop(kill=True)
    offline_until = datetime.fromisoformat(short["ends_at"]) + timedelta(seconds=LATE_AFTER_S + 1)
    time.sleep(max(0.0, (offline_until - datetime.now(UTC)).total_seconds()))
    server.start()
    return {"key": key, "short": short, "long": long, "reminder": reminder}


async def test_a_timer_that_ended_while_the_server_was_down_rings_once_and_late(
    server: HeronServer, across_restart: dict[str, Any]
) -> None:
    key, short = across_restart["key"], across_restart["short"]
    async with events_socket(server, key, "phone") as ws:
        assert (await receive(ws))["type"] == "hello"
        backlog = await until_pong(ws)

    assert [(m["type"], m["timer_id"]) for m in backlog] == [("timer.finished", short["id"])]
    assert backlog[0]["late"] is True
    assert "while I was offline" in backlog[0]["text"]
    assert backlog[0]["ended_at"] == short["ends_at"]
    for device in ("phone", "tablet"):  # delivered is delivered: no device gets it twice
        async with events_socket(server, key, device) as ws:
            assert (await receive(ws))["type"] == "hello"
            assert await until_pong(ws) == []


def test_what_was_set_survives_a_server_crash(
    server: HeronServer, across_restart: dict[str, Any]
) -> None:
    long, reminder = across_restart["long"], across_restart["reminder"]
    with server.client(across_restart["key"]) as api:
        timers = api.get("/v1/timers").json()["timers"]
        reminders = api.get("/v1/reminders").json()["reminders"]
        lists = api.get("/v1/lists").json()["lists"]
        remaining = ask(api, "how much time is left on my pasta timer?")["reply"]

    assert [(t["id"], t["name"], t["state"]) for t in timers] == [(long["id"], "pasta", "running")]
    left = (datetime.fromisoformat(long["ends_at"]) - datetime.now(UTC)).total_seconds()
    assert abs(timers[0]["remaining_s"] - left) < 2
    assert 500 < timers[0]["remaining_s"] < 600 - LATE_AFTER_S
    assert re.search(r"\b(9|8) minutes", remaining), remaining
    assert [(r["id"], r["text"]) for r in reminders] == [(reminder["id"], "water the plants")]
    assert [(x["name"], [i["text"] for i in x["items"]]) for x in lists] == [
        ("shopping", ["milk", "eggs"])
    ]
