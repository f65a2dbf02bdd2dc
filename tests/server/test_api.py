"""The HTTP API of a real `heron serve`, spoken to with httpx as any client would."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.harness import HeronServer

PROBLEM = "application/problem+json"
TWO_MB = 2 * 1024 * 1024


@pytest.fixture
def api(server: HeronServer, key: str) -> Iterator[httpx.Client]:
    with server.client(key) as client:
        yield client


def ask(api: httpx.Client, text: str, conversation_id: str | None = None) -> dict:
    body = {"text": text}
    if conversation_id:
        body["conversation_id"] = conversation_id
    response = api.post("/v1/assistant/ask", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == status
    assert problem["title"]
    assert problem["detail"]
    return problem


def test_health_answers_without_a_key(server: HeronServer) -> None:
    with server.client() as client:
        response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_serve_prints_a_working_key_for_the_first_user(api: httpx.Client) -> None:
    response = api.get("/v1/me")
    assert response.status_code == 200
    assert response.json()["name"] == "me"


def test_ask_says_what_it_understood(api: httpx.Client) -> None:
    answer = ask(api, "set a timer for 5 minutes")

    assert set(answer) == {
        "reply",
        "intent",
        "slots",
        "confidence",
        "conversation_id",
        "routing",
        "data",
    }
    assert "5 minutes" in answer["reply"]
    assert answer["intent"] == "timer.set"
    assert answer["slots"] == {"duration": 300}
    assert 0.0 < answer["confidence"] <= 1.0
    assert answer["conversation_id"]
    assert answer["routing"]["stage"] == "template"
    assert answer["routing"]["reason"]
    timer = answer["data"]["timer"]
    listed = api.get("/v1/timers").json()["timers"]
    assert timer["id"] in [t["id"] for t in listed]
    api.delete(f"/v1/timers/{timer['id']}")


def test_a_conversation_id_carries_a_dialogue_on(api: httpx.Client) -> None:
    question = ask(api, "set a timer")
    assert question["reply"] == "For how long?"
    assert question["intent"] == "timer.set"
    assert question["slots"] == {}
    assert "timer" not in question["data"]

    answer = ask(api, "twelve minutes", question["conversation_id"])

    assert answer["conversation_id"] == question["conversation_id"]
    assert answer["intent"] == "timer.set"
    assert answer["slots"]["duration"] == 720
    assert "12 minutes" in answer["reply"]
    timer = api.get(f"/v1/timers/{answer['data']['timer']['id']}").json()
    assert (timer["duration_s"], timer["state"]) == (720, "running")
    turns = api.get(f"/v1/assistant/conversations/{question['conversation_id']}").json()
    assert [t["text"] for t in turns["turns"]] == ["set a timer", "twelve minutes"]
    assert turns["turns"][0]["reply"] == "For how long?"
    api.delete(f"/v1/timers/{timer['id']}")


def test_timers_can_be_paused_resumed_and_cancelled(api: httpx.Client) -> None:
    timer = ask(api, "set a timer for 10 minutes")["data"]["timer"]

    paused = api.post(f"/v1/timers/{timer['id']}/pause").json()
    assert paused["state"] == "paused"
    assert 590 < paused["remaining_s"] <= 600
    assert_problem(api.post(f"/v1/timers/{timer['id']}/pause"), 422)
    resumed = api.post(f"/v1/timers/{timer['id']}/resume").json()
    assert resumed["state"] == "running"
    cancelled = api.delete(f"/v1/timers/{timer['id']}").json()
    assert cancelled["state"] == "cancelled"
    assert timer["id"] not in [t["id"] for t in api.get("/v1/timers").json()["timers"]]


def test_list_items_can_be_added_read_and_removed(api: httpx.Client) -> None:
    added = api.post("/v1/lists/by-name/camping/items", json={"items": ["tent", " stove "]})
    assert added.status_code == 200, added.text
    camping = added.json()
    assert camping["name"] == "camping"
    assert [i["text"] for i in camping["items"]] == ["tent", "stove"]

    tent = camping["items"][0]["id"]
    after = api.delete(f"/v1/lists/{camping['id']}/items/{tent}").json()
    assert [i["text"] for i in after["items"]] == ["stove"]
    assert api.get(f"/v1/lists/{camping['id']}").json()["items"] == after["items"]
    assert api.delete(f"/v1/lists/{camping['id']}").status_code == 204
    assert_problem(api.get(f"/v1/lists/{camping['id']}"), 404)
    assert_problem(api.post("/v1/lists/by-name/camping/items", json={"items": []}), 422)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/assistant/ask"),
        ("GET", "/v1/timers"),
        ("GET", "/v1/reminders"),
        ("GET", "/v1/lists"),
        ("GET", "/v1/me"),
        ("GET", "/v1/devices"),
    ],
)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer heron_notarealkey", "Bearer", "Basic bWU6cGFzc3dvcmQ=", "heron_abc"],
)
def test_requests_without_a_valid_key_get_401(
    server: HeronServer, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    with server.client() as client:
        response = client.request(method, path, headers=headers, json={"text": "hello"})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/timers/999999"),
        ("DELETE", "/v1/timers/999999"),
        ("POST", "/v1/timers/999999/pause"),
        ("POST", "/v1/timers/999999/resume"),
        ("GET", "/v1/reminders/999999"),
        ("DELETE", "/v1/reminders/999999"),
        ("GET", "/v1/lists/999999"),
        ("DELETE", "/v1/lists/999999"),
        ("DELETE", "/v1/lists/999999/items/1"),
        ("GET", "/v1/assistant/conversations/0123456789abcdef0123456789abcdef"),
        ("GET", "/v1/no-such-thing"),
    ],
)
def test_unknown_ids_get_404(api: httpx.Client, method: str, path: str) -> None:
    assert_problem(api.request(method, path), 404)


def test_asking_in_an_unknown_conversation_gets_404(api: httpx.Client) -> None:
    response = api.post(
        "/v1/assistant/ask", json={"text": "twelve minutes", "conversation_id": "f" * 32}
    )
    assert_problem(response, 404)


def test_a_two_megabyte_body_gets_413(api: httpx.Client) -> None:
    body = b'{"text": "' + b"a" * TWO_MB + b'"}'
    response = api.post(
        "/v1/assistant/ask", content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413)


def test_a_two_megabyte_chunked_body_gets_413(api: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(32):
            yield b"a" * (TWO_MB // 32)
        yield b'"}'

    response = api.post(
        "/v1/assistant/ask", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413)


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b'{"text": "set a timer', "body"),
        (b"[]", "body"),
        (b"{}", "text"),
        (b'{"text": 42}', "text"),
        (b'{"text": ""}', "text"),
        (b'{"text": "' + b"a" * 2001 + b'"}', "text"),
        (b'{"text": "hi", "conversation_id": "' + b"c" * 33 + b'"}', "conversation_id"),
    ],
    ids=["broken", "not-an-object", "missing", "number", "empty", "too-long", "long-id"],
)
def test_a_malformed_ask_gets_422_saying_what_is_wrong(
    api: httpx.Client, content: bytes, where: str
) -> None:
    response = api.post(
        "/v1/assistant/ask", content=content, headers={"Content-Type": "application/json"}
    )
    problem = assert_problem(response, 422)
    assert where in problem["detail"]


def test_the_api_documentation_is_served(server: HeronServer) -> None:
    with server.client() as client:
        docs = client.get("/docs")
        schema = client.get("/openapi.json")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["info"]["title"] == "Heron"
    assert {"/v1/assistant/ask", "/v1/timers", "/v1/lists", "/v1/me"} <= set(spec["paths"])


def test_the_time_zone_can_be_changed_but_not_to_nonsense(api: httpx.Client) -> None:
    problem = assert_problem(api.patch("/v1/me", json={"timezone": "Mars/Olympus_Mons"}), 422)
    assert "Mars/Olympus_Mons" in problem["detail"]
    assert_problem(api.patch("/v1/me", json={"timezone": ""}), 422)
    assert api.get("/v1/me").json()["timezone"] == "UTC"

    changed = api.patch("/v1/me", json={"timezone": "America/New_York"})
    try:
        assert changed.status_code == 200
        assert changed.json()["timezone"] == "America/New_York"
        assert api.get("/v1/me").json()["timezone"] == "America/New_York"
    finally:
        api.patch("/v1/me", json={"timezone": "UTC"})
