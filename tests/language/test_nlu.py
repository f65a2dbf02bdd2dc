"""Language apps: trained from examples, they tell intents apart on sentences they never saw,
tag entities at the right characters, give the core's values, and reject what is not theirs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from heron.errors import BadInput
from heron.language.embeddings import SentenceEncoder, load_encoder
from heron.language.nlu import NluModel
from heron.language.training import TrainingSet

DEVICES = ["kitchen light", "lamp", "fan", "heater", "tv", "radio", "porch light", "kettle"]
CITIES = ["paris", "tokyo", "lima", "nairobi", "oslo", "cairo", "denver", "madrid"]
ON = ["turn on the {}", "switch the {} on", "can you put the {} on", "power up the {}",
      "i want the {} on", "start the {}"]  # fmt: skip
OFF = ["turn off the {}", "switch the {} off", "shut the {} off", "power down the {}",
       "i want the {} off", "stop the {}"]  # fmt: skip
WEATHER = ["what's the weather in {}", "is it raining in {}", "forecast for {}",
           "how hot is it in {}", "will it snow in {} tomorrow", "weather {}"]  # fmt: skip
OUT_OF_SCOPE = ["tell me a joke", "what is the capital of peru", "who wrote hamlet",
                "how do i bake bread", "what's two plus two", "sing me a song",
                "book a table for four", "what is the meaning of life"]  # fmt: skip


def marked(template: str, value: str, intent: str, entity: str) -> dict[str, Any]:
    text = template.format(value)
    start = text.index(value)
    return {
        "text": text,
        "intent": intent,
        "entities": [{"entity": entity, "start": start, "end": start + len(value)}],
    }


def app_data(out_of_scope: bool = True) -> dict[str, Any]:
    rows = []
    for (templates, intent, values, entity), offset in zip(
        [(ON, "device_on", DEVICES, "device"), (OFF, "device_off", DEVICES, "device"),
         (WEATHER, "weather", CITIES, "city")],
        itertools.count(),
        strict=False,
    ):  # fmt: skip
        for i, template in enumerate(templates):
            for j in range(3):
                value = values[(i + j + offset) % len(values)]
                rows.append(marked(template, value, intent, entity))
    data: dict[str, Any] = {"examples": rows, "builtin_entities": ["duration"]}
    if out_of_scope:
        data["out_of_scope"] = OUT_OF_SCOPE
    return data


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder()


@pytest.fixture(scope="module")
def model(encoder: SentenceEncoder) -> NluModel:
    trained, report = NluModel.train(TrainingSet.from_json(app_data()), encoder)
    assert report.held_out is not None and report.held_out.accuracy >= 0.8
    return trained


NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_unseen_paraphrases_get_their_intents_and_entities(model: NluModel) -> None:
    texts = [
        "please turn the kitchen light on",
        "could you switch off the fan",
        "is it raining in rome",
    ]
    got = model.predict(texts, NOW)
    assert [p.intent for p in got] == ["device_on", "device_off", "weather"]
    lamp = got[0].entities
    assert [(e.entity, texts[0][e.start : e.end]) for e in lamp] == [("device", "kitchen light")]
    assert [(e.entity, e.text) for e in got[2].entities] == [("city", "rome")]


def test_confidences_are_probabilities_best_first(model: NluModel) -> None:
    (prediction,) = model.predict(["turn on the heater"], NOW)
    confidences = [c for _, c in prediction.alternatives]
    assert confidences == sorted(confidences, reverse=True)
    assert 0.5 < prediction.confidence <= 1.0
    assert prediction.confidence == confidences[0]
    assert prediction.to_json()["out_of_scope"] is False


def test_texts_the_app_does_not_cover_are_out_of_scope(model: NluModel) -> None:
    got = model.predict(["what time does the bank open", "translate hello into french"], NOW)
    assert [p.intent for p in got] == [None, None]
    assert all(p.entities == () for p in got)
    assert got[0].alternatives  # the best guesses are still there, for whoever wants them


def test_core_parsers_find_durations_and_give_their_value(model: NluModel) -> None:
    (prediction,) = model.predict(["turn on the heater for 20 minutes"], NOW)
    assert prediction.intent == "device_on"
    found = {e.entity: e for e in prediction.entities}
    assert found["device"].text == "heater"
    assert found["duration"].source == "builtin"
    assert found["duration"].text == "20 minutes"
    assert found["duration"].value == 1200  # seconds


def test_learnt_entities_mapped_to_a_core_type_get_values(encoder: SentenceEncoder) -> None:
    data = app_data(out_of_scope=False)
    data["entity_types"] = {"city": "city"}
    trained, _ = NluModel.train(TrainingSet.from_json(data), encoder)
    (prediction,) = trained.predict(["what's the weather in tokyo"], NOW)
    (city,) = prediction.entities
    assert city.text == "tokyo"
    assert isinstance(city.value, dict) and city.value.get("country_code") == "JP"


def test_a_stored_model_predicts_the_same(model: NluModel, encoder: SentenceEncoder) -> None:
    texts = ["switch the tv on", "forecast for oslo", "sing something"]
    again = NluModel.loads(model.dumps(), encoder)
    assert [p.to_json() for p in again.predict(texts, NOW)] == [
        p.to_json() for p in model.predict(texts, NOW)
    ]


def test_evaluation_reports_accuracy_entity_f1_and_confusions(model: NluModel) -> None:
    test = TrainingSet.from_json(
        {
            "examples": [
                marked("please turn on the {}", "heater", "device_on", "device"),
                marked("please shut the {} off", "lamp", "device_off", "device"),
                marked("weather today in {}", "cairo", "weather", "city"),
                # Labelled wrong on purpose: it must show up as a confusion.
                marked("turn off the {}", "fan", "device_on", "device"),
            ],
            "out_of_scope": ["who won the world cup"],
        },
        test=True,
    )
    result = model.evaluate(test)
    assert result.examples == 4
    assert result.accuracy == pytest.approx(0.75)
    assert ("device_on", "device_off", 1) in result.confusions
    assert result.entity_f1 is not None and result.entity_f1 >= 0.75
    assert result.out_of_scope_recall == 1.0
    assert result.to_json()["accuracy"] == 75.0


def test_an_app_can_choose_ngrams_only(encoder: SentenceEncoder) -> None:
    data = {**app_data(), "embeddings": False}
    trained, report = NluModel.train(TrainingSet.from_json(data), encoder)
    assert not trained.classifier.embeddings
    got = trained.predict(["turn on the kettle", "forecast for madrid"], NOW)
    assert [p.intent for p in got] == ["device_on", "weather"]
    assert report.examples == len(data["examples"])


def test_tiny_apps_train_but_say_they_cannot_calibrate(encoder: SentenceEncoder) -> None:
    tiny = {
        "examples": [
            {"text": "lights on", "intent": "on"},
            {"text": "lamp on", "intent": "on"},
            {"text": "lights off", "intent": "off"},
            {"text": "lamp off", "intent": "off"},
        ]
    }
    trained, report = NluModel.train(TrainingSet.from_json(tiny), encoder)
    assert report.held_out is None
    assert any("could be held back to calibrate" in w for w in report.warnings)
    assert trained.predict(["the lights on please"], NOW)[0].intent == "on"


def test_empty_texts_are_refused_by_index(model: NluModel) -> None:
    with pytest.raises(BadInput, match=r"texts\[1\] is empty"):
        model.predict(["turn on the fan", "   "], NOW)


def test_one_sentence_embeds_the_same_alone_or_in_a_padded_batch(
    encoder: SentenceEncoder,
) -> None:
    texts = ["hi", "what is the weather like in the north of scotland this weekend"]
    batch = encoder.encode(texts)
    alone = np.vstack([encoder.encode([text]) for text in texts])
    assert np.allclose(batch, alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_the_same_examples_train_the_same_model(encoder: SentenceEncoder) -> None:
    data = TrainingSet.from_json(app_data())
    first, _ = NluModel.train(data, encoder)
    second, _ = NluModel.train(data, encoder)
    assert first.tagger is not None and second.tagger is not None
    assert first.tagger.model == second.tagger.model
    texts = ["could you switch the porch light on", "weather in bogota", "hum a tune"]
    assert [p.to_json() for p in first.predict(texts, NOW)] == [
        p.to_json() for p in second.predict(texts, NOW)
    ]
