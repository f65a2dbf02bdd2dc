"""/v1/language/apps over HTTP on a real `heron serve`: train an app from examples in the
background, predict with it, evaluate it, keep it private, and bind its intents to a reply or a
webhook the assistant then answers with."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.e2e.harness import HeronServer
from tests.server.test_api import assert_problem

APPS = "/v1/language/apps"
TRAINING_TIMEOUT_S = 120.0

DEVICE_ON = [
    ("turn on the kitchen light", "kitchen light"),
    ("switch on the fan", "fan"),
    ("please turn the heater on", "heater"),
    ("power up the television", "television"),
    ("can you switch the lamp on", "lamp"),
    ("turn on the radio", "radio"),
    ("start the coffee machine", "coffee machine"),
    ("put the bedroom light on", "bedroom light"),
    ("i want the fan on", "fan"),
    ("switch the porch light on please", "porch light"),
]
DEVICE_OFF = [
    ("turn off the kitchen light", "kitchen light"),
    ("switch off the fan", "fan"),
    ("please turn the heater off", "heater"),
    ("power down the television", "television"),
    ("can you switch the lamp off", "lamp"),
    ("turn off the radio", "radio"),
    ("stop the coffee machine", "coffee machine"),
    ("put the bedroom light off", "bedroom light"),
    ("i want the fan off", "fan"),
    ("shut off the porch light please", "porch light"),
]
WATER_PLANTS = [
    "water the plants",
    "did anyone water the garden",
    "the plants need watering",
    "give the tomatoes some water",
    "time to water the ferns",
    "water my flowers",
    "are the plants thirsty",
    "sprinkle the lawn",
    "start watering the garden",
    "the roses are dry",
]
FEED_CAT = [
    "feed the cat",
    "has the cat eaten",
    "give the cat her dinner",
    "the cat is hungry",
    "put food in the cat bowl",
    "did you feed the kitten",
    "time for the cat's breakfast",
    "fill up the cat's bowl",
    "the cat wants food",
    "serve the cat some tuna",
]
OUT_OF_SCOPE = [
    "what is the capital of france",
    "tell me a joke",
    "how tall is mount everest",
    "who wrote hamlet",
    "what's two plus two",
    "play some jazz",
]


def example(text: str, intent: str, device: str | None = None) -> dict[str, Any]:
    """A labelled example; `device` is marked where it first occurs in the text."""
    if device is None:
        return {"text": text, "intent": intent}
    start = text.index(device)
    return {
        "text": text,
        "intent": intent,
        "entities": [{"entity": "device", "start": start, "end": start + len(device)}],
    }


def home_training() -> dict[str, Any]:
    """Four intents of ten examples: enough for the held-out check (one example of each)."""
    return {
        "examples": [
            *(example(text, "device_on", device) for text, device in DEVICE_ON),
            *(example(text, "device_off", device) for text, device in DEVICE_OFF),
            *(example(text, "water_plants") for text in WATER_PLANTS),
            *(example(text, "feed_cat") for text in FEED_CAT),
        ],
        "out_of_scope": OUT_OF_SCOPE,
    }


def wait_until_trained(api: httpx.Client, path: str) -> dict[str, Any]:
    deadline = time.monotonic() + TRAINING_TIMEOUT_S
    while time.monotonic() < deadline:
        response = api.get(path)
        assert response.status_code == 200, response.text
        app: dict[str, Any] = response.json()
        if app["status"] != "training":
            return app
        time.sleep(0.1)
    raise AssertionError(f"{path} was still training after {TRAINING_TIMEOUT_S} s")


def ask(api: httpx.Client, text: str) -> dict[str, Any]:
    response = api.post("/v1/assistant/ask", json={"text": text})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture
def api(server: HeronServer, key: str) -> Iterator[httpx.Client]:
    with server.client(key) as client:
        yield client


@pytest.fixture(scope="module")
def other_key(server: HeronServer) -> str:
    return server.add_user("bo")


@pytest.fixture
def home(api: httpx.Client) -> dict[str, Any]:
    """The user's trained "home" app (trained by the first test, or here when run alone)."""
    if api.get(f"{APPS}/home").status_code == 404:
        assert api.post(f"{APPS}/home/train", json=home_training()).status_code == 202
    app = wait_until_trained(api, f"{APPS}/home")
    assert app["status"] == "ready", app
    return app


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A webhook on 127.0.0.1: the URL, and the JSON bodies posted to it."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            received.append(json.loads(self.rfile.read(length)))
            body = json.dumps({"reply": "Filling the cat's bowl now."}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as hook:
        thread = threading.Thread(target=hook.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{hook.server_address[1]}/cat", received
        finally:
            hook.shutdown()
            thread.join(5)


# The first training in the module: the server has not loaded the sentence-embedding model yet,
# so the app stays "training" for seconds, long enough to be asked about in between.
def test_training_runs_in_the_background_and_ends_ready_with_a_report(
    api: httpx.Client,
) -> None:
    started = api.post(f"{APPS}/home/train", json=home_training())

    assert started.status_code == 202, started.text
    assert started.headers["location"] == f"{APPS}/home"
    assert started.json()["status"] == "training"
    assert started.json()["trained"] is False

    early = api.post(f"{APPS}/home/predict", json={"texts": ["turn on the fan"]})
    again = api.post(f"{APPS}/home/train", json=home_training())
    assert "still training" in assert_problem(early, 409)["detail"]
    assert "training already" in assert_problem(again, 409)["detail"]

    app = wait_until_trained(api, started.headers["location"])
    assert app["status"] == "ready", app
    assert app["error"] is None
    assert app["intents"] == ["device_off", "device_on", "feed_cat", "water_plants"]
    assert app["entities"] == ["device"]
    assert app["examples"] == 40
    assert app["report"]["held_out"]["examples"] == 4
    assert app["report"]["held_out"]["accuracy"] == 100.0
    assert [a["name"] for a in api.get(APPS).json()["apps"]] == ["home"]


def test_predict_gives_each_text_its_intent_and_entity_spans(
    api: httpx.Client, home: dict[str, Any]
) -> None:
    texts = ["could you switch on the porch light", "turn the bedroom light off", "who is hamlet"]

    response = api.post(f"{APPS}/home/predict", json={"texts": texts})

    assert response.status_code == 200, response.text
    on, off, unknown = response.json()["results"]
    assert (on["text"], on["intent"], on["out_of_scope"]) == (texts[0], "device_on", False)
    assert on["entities"] == [
        {"entity": "device", "start": 24, "end": 35, "text": "porch light", "source": "learnt"}
    ]
    assert on["alternatives"][0] == {"intent": "device_on", "confidence": on["confidence"]}
    assert off["intent"] == "device_off"
    assert [(e["text"], e["start"], e["end"]) for e in off["entities"]] == [
        ("bedroom light", 9, 22)
    ]
    assert unknown["intent"] is None
    assert unknown["out_of_scope"] is True


def test_predict_refuses_empty_texts_by_index_and_too_many(
    api: httpx.Client, home: dict[str, Any]
) -> None:
    blank = api.post(f"{APPS}/home/predict", json={"texts": ["feed the cat", " \t"]})
    many = api.post(f"{APPS}/home/predict", json={"texts": ["feed the cat"] * 101})
    none = api.post(f"{APPS}/home/predict", json={"texts": []})

    assert "texts[1]" in assert_problem(blank, 422)["detail"]
    assert "101 texts" in assert_problem(many, 413)["detail"]
    assert assert_problem(none, 422)["title"] == "Malformed request"


def test_evaluate_measures_accuracy_and_names_the_confusions(
    api: httpx.Client, home: dict[str, Any]
) -> None:
    test = {
        "examples": [
            example("please switch on the radio", "device_on", "radio"),
            example("switch the heater off", "device_off", "heater"),
            example("my ferns look dry", "water_plants"),
            example("the kitty is starving", "water_plants"),  # labelled wrong on purpose
        ],
        "out_of_scope": ["how far away is the moon"],
    }

    response = api.post(f"{APPS}/home/evaluate", json=test)

    assert response.status_code == 200, response.text
    evaluation = response.json()
    assert evaluation["examples"] == 4
    assert evaluation["accuracy"] == 75.0
    assert evaluation["entity_f1"] == 100.0
    assert evaluation["out_of_scope_recall"] == 100.0
    assert evaluation["confusions"] == [
        {"expected": "water_plants", "predicted": "feed_cat", "count": 1}
    ]
    assert 0 < evaluation["macro_f1"] < 100


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["examples"][3]["entities"][0].update(end=99), "example 3 ('power up the"),
        (lambda d: d["examples"].append(example("order a pizza", "pizza")), "example 40"),
        (lambda d: d["examples"][25].update(text="  "), "example 25 ('  '): text is empty"),
        (lambda d: d["examples"][12].update(intent="device on"), "example 12"),
        (lambda d: d["examples"].append(example("feed the cat", "water_plants")), "example 40"),
    ],
    ids=["span-out-of-range", "one-example-intent", "empty-text", "bad-intent", "conflict"],
)
def test_bad_examples_are_422_naming_the_example_and_train_nothing(
    api: httpx.Client, change: Callable[[dict[str, Any]], object], named: str
) -> None:
    data = home_training()
    change(data)

    response = api.post(f"{APPS}/broken/train", json=data)

    assert named in assert_problem(response, 422)["detail"]
    assert_problem(api.get(f"{APPS}/broken"), 404)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'{"examples": [{"text": "turn on', "JSON"),
        (b'[{"text": "turn on the fan", "intent": "device_on"}]', "dictionary"),
        (b'{"samples": []}', "unknown training data fields"),
        (b'{"examples": []}', "non-empty"),
    ],
    ids=["broken-json", "not-an-object", "unknown-field", "no-examples"],
)
def test_malformed_training_json_is_422_saying_what_is_wrong(
    api: httpx.Client, content: bytes, said: str
) -> None:
    response = api.post(
        f"{APPS}/broken/train", content=content, headers={"Content-Type": "application/json"}
    )

    assert said in assert_problem(response, 422)["detail"]


def test_a_training_file_may_be_larger_than_other_bodies(api: httpx.Client) -> None:
    # 1.5 MB, over the 1 MB other bodies may have: read, and checked to its last example.
    data = {"examples": [example(f"turn on lamp number {i}", "device_on") for i in range(40_000)]}
    data["examples"].append({"text": "switch it off", "intent": "device_off", "extra": 1})
    huge = b'{"examples": [' + b'{"text": "a", "intent": "b"},' * 800_000 + b"]}"

    response = api.post(f"{APPS}/big/train", json=data)
    too_big = api.post(
        f"{APPS}/big/train", content=huge, headers={"Content-Type": "application/json"}
    )

    assert len(response.request.content) > 1_500_000
    assert "example 40000 ('switch it off')" in assert_problem(response, 422)["detail"]
    assert len(huge) > 20_000_000
    assert_problem(too_big, 413)


def test_another_users_app_is_not_found_and_not_listed(
    server: HeronServer, other_key: str, home: dict[str, Any]
) -> None:
    with server.client(other_key) as other:
        listed = other.get(APPS)
        got = other.get(f"{APPS}/home")
        predicted = other.post(f"{APPS}/home/predict", json={"texts": ["feed the cat"]})
        evaluated = other.post(f"{APPS}/home/evaluate", json=home_training())
        bound = other.put(f"{APPS}/home/intents/feed_cat/binding", json={"reply": "Meow."})
        deleted = other.delete(f"{APPS}/home")

    assert listed.status_code == 200
    assert listed.json() == {"apps": []}
    for response in (got, predicted, evaluated, bound, deleted):
        problem = assert_problem(response, 404)
        assert "feed" not in json.dumps(problem)


def test_a_bound_reply_answers_the_assistant_until_unbound(
    api: httpx.Client, home: dict[str, Any]
) -> None:
    bound = api.put(
        f"{APPS}/home/intents/device_on/binding", json={"reply": "Turning on the {device}."}
    )
    assert bound.status_code == 200, bound.text
    assert bound.json()["bindings"] == {"device_on": {"reply": "Turning on the {device}."}}
    assert api.get(f"{APPS}/home").json()["bindings"] == bound.json()["bindings"]

    answer = ask(api, "could you switch on the porch light")

    assert answer["reply"] == "Turning on the porch light."
    assert answer["intent"] == "home:device_on"
    assert answer["routing"]["stage"] == "custom"
    assert answer["slots"] == {"device": "porch light"}

    unbound = api.delete(f"{APPS}/home/intents/device_on/binding")
    assert unbound.status_code == 200, unbound.text
    assert unbound.json()["bindings"] == {}
    again = api.delete(f"{APPS}/home/intents/device_on/binding")
    assert "not bound" in assert_problem(again, 404)["detail"]
    assert ask(api, "could you switch on the porch light")["routing"]["stage"] != "custom"


def test_a_webhook_binding_answers_with_what_the_webhook_says(
    api: httpx.Client, home: dict[str, Any], webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    bound = api.put(f"{APPS}/home/intents/feed_cat/binding", json={"webhook": url})
    assert bound.status_code == 200, bound.text
    try:
        answer = ask(api, "the kitty is starving")
    finally:
        api.delete(f"{APPS}/home/intents/feed_cat/binding")

    assert answer["reply"] == "Filling the cat's bowl now."
    assert answer["intent"] == "home:feed_cat"
    [posted] = received
    assert (posted["app"], posted["text"], posted["intent"]) == (
        "home",
        "the kitty is starving",
        "feed_cat",
    )


@pytest.mark.parametrize(
    ("intent", "body", "status", "said"),
    [
        ("order_pizza", {"reply": "OK."}, 404, "no intent 'order_pizza'"),
        ("feed_cat", {"reply": "OK.", "webhook": "http://127.0.0.1:9/"}, 422, "exactly one"),
        ("feed_cat", {}, 422, "exactly one"),
        ("feed_cat", {"webhook": "file:///etc/passwd"}, 422, "http://"),
        ("feed_cat", {"reply": "Feeding {the cat}."}, 422, "entity name"),
    ],
    ids=["unknown-intent", "both", "neither", "not-http", "bad-template"],
)
def test_a_bad_binding_is_refused(
    api: httpx.Client,
    home: dict[str, Any],
    intent: str,
    body: dict[str, str],
    status: int,
    said: str,
) -> None:
    response = api.put(f"{APPS}/home/intents/{intent}/binding", json=body)

    assert said in assert_problem(response, status)["detail"]
    assert api.get(f"{APPS}/home").json()["bindings"] == {}


def test_a_deleted_app_is_gone(api: httpx.Client) -> None:
    small = {
        "examples": [
            *(example(text, "water_plants") for text in WATER_PLANTS[:4]),
            *(example(text, "feed_cat") for text in FEED_CAT[:4]),
        ]
    }
    assert api.post(f"{APPS}/garden/train", json=small).status_code == 202
    assert wait_until_trained(api, f"{APPS}/garden")["status"] == "ready"

    deleted = api.delete(f"{APPS}/garden")

    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(api.get(f"{APPS}/garden"), 404)
    assert_problem(api.post(f"{APPS}/garden/predict", json={"texts": ["feed the cat"]}), 404)
    assert_problem(api.delete(f"{APPS}/garden"), 404)
    assert "garden" not in [a["name"] for a in api.get(APPS).json()["apps"]]


def test_language_apps_need_a_key(server: HeronServer) -> None:
    with server.client() as anonymous:
        assert_problem(anonymous.get(APPS), 401)
        assert_problem(anonymous.post(f"{APPS}/home/train", json=home_training()), 401)
        assert_problem(anonymous.post(f"{APPS}/home/predict", json={"texts": ["hi"]}), 401)
