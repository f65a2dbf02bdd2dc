"""Training data is checked before training, and each problem names the example it is in."""

from __future__ import annotations

from typing import Any

import pytest

from heron.errors import BadInput, TooLarge
from heron.language.training import MAX_EXAMPLES, TrainingSet


def examples(*rows: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"text": text, "intent": intent} for text, intent in rows]


GOOD = examples(
    ("wake me up at seven", "alarm_set"),
    ("set an alarm for six", "alarm_set"),
    ("play some jazz", "music"),
    ("put on the beatles", "music"),
)


def problem(data: Any) -> str:
    with pytest.raises(BadInput) as raised:
        TrainingSet.from_json(data)
    return raised.value.detail


def test_good_data_keeps_examples_entities_and_intents() -> None:
    data = {
        "examples": [
            *GOOD,
            {
                "text": "wake me up at 7",
                "intent": "alarm_set",
                "entities": [{"entity": "time", "start": 14, "end": 15}],
            },
        ],
        "entity_types": {"time": "datetime"},
    }
    training = TrainingSet.from_json(data)
    assert training.intents == ["alarm_set", "music"]
    assert training.entities == ["time"]
    assert training.value_type("time") == "datetime"
    assert TrainingSet.from_json(training.to_json()) == training


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "must be a JSON object"),
        ({"examples": []}, 'non-empty "examples"'),
        ({"examples": GOOD, "extra": 1}, "unknown training data fields"),
        ({"examples": [*GOOD, "text"]}, "example 4: must be an object"),
        (
            {"examples": [*GOOD, {"text": "  ", "intent": "music"}]},
            "example 4 ('  '): text is empty",
        ),
        ({"examples": [*GOOD, {"text": "hi", "intent": "9bad"}]}, "example 4 ('hi'): intent must"),
        (
            {"examples": [*GOOD, {"text": "hum a tune", "intent": "music", "x": 1}]},
            "unknown fields",
        ),
        (
            {"examples": [*GOOD, {"text": "call mom", "intent": "call"}]},
            "example 4 ('call mom'): intent 'call' has only this one example",
        ),
        ({"examples": examples(("a", "x"), ("b", "x"))}, "at least two intents"),
        (
            {"examples": [*GOOD, {"text": "Play some jazz", "intent": "alarm_set"}]},
            "example 4 ('Play some jazz'): labelled 'alarm_set', but example 2",
        ),
        ({"examples": GOOD, "builtin_entities": ["colour"]}, "unknown type 'colour'"),
        ({"examples": GOOD, "entity_types": {"time": "clock"}}, "maps to unknown type 'clock'"),
        ({"examples": GOOD, "embeddings": "no"}, '"embeddings" must be true or false'),
    ],
)
def test_bad_data_is_refused_naming_the_problem(data: Any, words: str) -> None:
    assert words in problem(data)


@pytest.mark.parametrize(
    ("entities", "words"),
    [
        ([{"entity": "time", "start": 14, "end": 40}], "span 14-40 is outside the text (19"),
        ([{"entity": "time", "start": -1, "end": 3}], "span -1-3 is outside the text"),
        ([{"entity": "time", "start": 5, "end": 5}], "outside the text"),
        ([{"entity": "time", "start": "14", "end": 19}], "needs integer start and end"),
        ([{"entity": "time", "start": 4, "end": 5}], "span 4-5 is blank"),
        ([{"start": 14, "end": 19}], "entity must be a name"),
        (
            [{"entity": "a", "start": 0, "end": 7}, {"entity": "b", "start": 5, "end": 9}],
            "entities 'a' (0-7) and 'b' (5-9) overlap",
        ),
        ({"entity": "time"}, "entities must be a list"),
    ],
)
def test_bad_entity_spans_name_the_example(entities: Any, words: str) -> None:
    bad = {"text": "wake me up at seven", "intent": "alarm_set", "entities": entities}
    detail = problem({"examples": [*GOOD, bad]})
    assert detail.startswith("example 4 ('wake me up at seven')")
    assert words in detail


def test_too_many_examples_is_too_large() -> None:
    many = examples(*[(f"text {i}", f"intent{i % 2}") for i in range(MAX_EXAMPLES + 1)])
    with pytest.raises(TooLarge):
        TrainingSet.from_json({"examples": many})


def test_a_test_set_may_have_one_example_per_intent() -> None:
    single = TrainingSet.from_json({"examples": examples(("play jazz", "music"))}, test=True)
    assert single.intents == ["music"]
