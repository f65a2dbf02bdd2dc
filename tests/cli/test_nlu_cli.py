"""`heron nlu` as a user runs it: train a language app from a JSON file, predict with it, measure
it, bind an intent so `heron ask` answers it, and delete it — each command a new process."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import heron
from tests.e2e.harness import heron_env, run_heron

DEVICES = [
    "lamp",
    "kitchen light",
    "heater",
    "fan",
    "desk lamp",
    "radio",
    "porch light",
    "coffee machine",
    "tv",
    "bedroom lamp",
    "hallway light",
    "printer",
    "dishwasher",
    "speaker",
    "garden lights",
]
SWITCH_ON = [
    "turn on the {}",
    "switch on the {}",
    "please turn the {} on",
    "power up the {}",
    "could you turn on the {}",
]
SWITCH_OFF = [
    "turn off the {}",
    "switch off the {}",
    "please turn the {} off",
    "power down the {}",
    "could you turn off the {}",
]
COLOURS = [
    "make the lights blue",
    "set the lights to red",
    "change the light colour to green",
    "i want purple lights",
    "turn the lights warm white",
    "make it pink in here",
    "set a yellow light",
    "change the colour of the lights to orange",
    "lights to cyan please",
    "can the lights be teal",
    "paint the room in blue light",
    "i'd like red lighting",
    "switch the light colour to white",
    "give me green lights",
    "set the mood lighting to amber",
]


def switch(text: str, intent: str, device: str) -> dict[str, Any]:
    start = text.index(device)
    marks = [{"entity": "device", "start": start, "end": start + len(device)}]
    return {"text": text, "intent": intent, "entities": marks}


def training_data() -> dict[str, Any]:
    """Three intents of 15 examples (enough for the held-out check), one entity."""
    return {
        "examples": [
            *(switch(SWITCH_ON[i % 5].format(d), "device_on", d) for i, d in enumerate(DEVICES)),
            *(
                switch(SWITCH_OFF[(i + 2) % 5].format(d), "device_off", d)
                for i, d in enumerate(DEVICES)
            ),
            *({"text": text, "intent": "light_color"} for text in COLOURS),
        ],
        "out_of_scope": ["what is the weather like", "tell me a joke", "who won the match"],
    }


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=1))
    return path


@pytest.fixture(scope="module")
def lamps(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """One install with the app "lamps" trained (training is the slow step): its environment
    and what `heron nlu train` printed."""
    folder = tmp_path_factory.mktemp("nlu")
    env = heron_env(folder / "data")
    file = write_json(folder / "lamps.json", training_data())
    return env, heron("nlu", "train", "lamps", str(file), env=env)


def test_train_prints_the_validation_report(lamps: tuple[dict[str, str], str]) -> None:
    _, report = lamps
    said = " ".join(report.split())

    assert "Trained language app lamps." in said
    assert "45 examples, 3 intents (device_off, device_on, light_color)" in said
    assert "1 entity (device)" in said
    assert "Out-of-scope threshold" in said
    assert "Held-out check" in said
    assert re.search(r"accuracy │ \d+\.\d %", said), report
    assert re.search(r"entity F1 │ \d+\.\d %", said), report


def test_predict_prints_one_json_object_per_line(
    lamps: tuple[dict[str, str], str],
) -> None:
    env, _ = lamps
    lines = ["turn on the garage light", "", "switch off the oven", "  ", "make the lights green"]

    piped = heron("nlu", "predict", "lamps", env=env, stdin="\n".join(lines) + "\n")
    given = heron("nlu", "predict", "lamps", "please switch off the porch light", env=env)

    found = [json.loads(line) for line in piped.splitlines()]
    assert [(p["text"], p["intent"]) for p in found] == [
        ("turn on the garage light", "device_on"),
        ("switch off the oven", "device_off"),
        ("make the lights green", "light_color"),
    ]
    assert {"text", "intent", "confidence", "entities"} <= set(found[0])
    assert [(e["entity"], e["text"]) for e in found[0]["entities"]] == [("device", "garage light")]
    assert 0 < found[0]["confidence"] <= 1
    assert [json.loads(line)["intent"] for line in given.splitlines()] == ["device_off"]


def test_eval_prints_accuracy_on_a_test_file(
    lamps: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, _ = lamps
    test = {
        "examples": [
            switch("switch on the stereo", "device_on", "stereo"),
            switch("turn the oven off", "device_off", "oven"),
            {"text": "make the lights orange", "intent": "light_color"},
        ],
        "out_of_scope": ["how tall is mount everest"],
    }

    out = heron("nlu", "eval", "lamps", str(write_json(tmp_path / "test.json", test)), env=env)

    said = " ".join(out.split())
    assert re.search(r"accuracy │ \d+\.\d %", said), out
    assert "macro F1" in said and "entity F1" in said and "out-of-scope recall" in said


def test_apps_lists_the_trained_app(lamps: tuple[dict[str, str], str]) -> None:
    env, _ = lamps

    out = heron("nlu", "apps", env=env)

    row = next(line for line in out.splitlines() if " lamps " in line)
    assert re.search(r"lamps\s*│ ready\s*│ 3\s*│ 45\s*│ \d{4}-\d\d-\d\d \d\d:\d\d", row), out


def test_a_bound_intent_answers_heron_ask_until_unbound(
    lamps: tuple[dict[str, str], str],
) -> None:
    env, _ = lamps

    heron("nlu", "bind", "lamps", "device_on", "--reply", "Turning on the {device}.", env=env)
    answered = json.loads(heron("ask", "--json", "please switch on the garage light", env=env))
    heron("nlu", "unbind", "lamps", "device_on", env=env)
    shown = json.loads(heron("nlu", "show", "lamps", "--json", env=env))

    assert answered["reply"] == "Turning on the garage light."
    assert answered["intent"] == "lamps:device_on"
    assert answered["routing"]["stage"] == "custom"
    assert shown["bindings"] == {}


def test_delete_asks_first_unless_told_yes(
    lamps: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, _ = lamps
    file = write_json(tmp_path / "spare.json", training_data())
    trained = json.loads(heron("nlu", "train", "spare", str(file), "--json", env=env))

    kept = run_heron("nlu", "delete", "spare", env=env, stdin="n\n")
    heron("nlu", "delete", "spare", "--yes", env=env)
    gone = run_heron("nlu", "predict", "spare", "turn on the lamp", env=env)

    assert trained["name"] == "spare" and trained["status"] == "ready"
    assert kept.returncode != 0 and "Delete the language app 'spare'?" in kept.stderr
    assert gone.returncode == 2
    assert "no language app 'spare'" in gone.stderr and "Traceback" not in gone.stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (
            json.dumps(
                {
                    "examples": [
                        {"text": "turn on the lamp", "intent": "on"},
                        {"text": "switch the lamp on", "intent": "on"},
                        {"text": "lamp off", "intent": "off"},
                    ]
                }
            ),
            "example 2 ('lamp off'): intent 'off' has only this one example",
        ),
        (
            '{"examples": [\n  {"text": "turn on the lamp", "intent": "on"}\n  {"text": "x"}\n]}',
            "is not valid JSON: Expecting ',' delimiter (line 3, column 3)",
        ),
    ],
    ids=["one-example-intent", "malformed-json"],
)
def test_a_bad_training_file_fails_naming_the_problem(
    tmp_path: Path, content: str, says: str
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(content)

    done = run_heron("nlu", "train", "lamps", str(file), env=heron_env(tmp_path / "data"))

    assert done.returncode == 2
    assert says in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr and done.stdout == ""
