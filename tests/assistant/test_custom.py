"""Custom skills: an intent the user trained, bound to a reply, answers in `ask` — after the
built-in templates, and only for the user who trained it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from heron.audio import Samples
from heron.engine import Heron
from heron.errors import BadInput, Conflict, NotFound
from heron.pipeline.voice import collect
from heron.store.models import User

PLANTS = ["fern", "cactus", "basil", "orchid", "monstera", "ficus"]


def examples() -> dict[str, Any]:
    rows = []
    watering = ["water the {}", "give the {} some water", "the {} needs watering",
                "did anyone water the {}", "pour water on the {}", "hydrate the {}"]  # fmt: skip
    for i, template in enumerate(watering):
        for plant in (PLANTS[i % 6], PLANTS[(i + 2) % 6], PLANTS[(i + 4) % 6]):
            text = template.format(plant)
            start = text.index(plant)
            rows.append(
                {
                    "text": text,
                    "intent": "water_plant",
                    "entities": [{"entity": "plant", "start": start, "end": start + len(plant)}],
                }
            )
    for template in ["feed the cat", "give the cat its dinner", "the cat is hungry",
                     "put food in the cat bowl", "did the cat eat", "cat food time"]:  # fmt: skip
        rows.append({"text": template, "intent": "feed_cat"})
        rows.append({"text": template + " please", "intent": "feed_cat"})
    return {
        "examples": rows,
        "out_of_scope": ["tell me a joke", "who is the president", "play some music"],
    }


@pytest.fixture
async def trained(engine: Heron, user: User) -> User:
    app = await engine.train_app(user, "garden", examples(), wait=True)
    assert app["status"] == "ready", app
    await engine.bind_intent(user, "garden", "water_plant", reply="Watering the {plant} now.")
    return user


async def test_a_bound_intent_answers_a_paraphrase_with_its_reply(
    engine: Heron, trained: User
) -> None:
    answer = await engine.ask(trained, "could you please water the orchid")
    assert answer.reply == "Watering the orchid now."
    assert answer.intent == "garden:water_plant"
    assert answer.stage == "custom"
    assert answer.slots == {"plant": "orchid"}


async def test_unbound_intents_and_builtin_templates_are_left_alone(
    engine: Heron, trained: User
) -> None:
    timer = await engine.ask(trained, "set a timer for 5 minutes")
    assert timer.intent == "timer.set"
    # feed_cat is trained but not bound: the assistant does not claim it.
    cat = await engine.ask(trained, "the cat is hungry")
    assert cat.stage != "custom"


async def test_another_users_apps_never_answer_for_them(engine: Heron, trained: User) -> None:
    other, _ = await engine.create_user("ben", "UTC")
    answer = await engine.ask(other, "could you please water the monstera")
    assert answer.stage != "custom"
    with pytest.raises(NotFound):
        await engine.predict(other, "garden", ["water the fern"])
    assert await engine.apps(other) == []


async def test_bindings_are_checked(engine: Heron, trained: User) -> None:
    with pytest.raises(NotFound, match="no intent 'dance'"):
        await engine.bind_intent(trained, "garden", "dance", reply="OK")
    with pytest.raises(BadInput, match="exactly one"):
        await engine.bind_intent(trained, "garden", "feed_cat")
    with pytest.raises(BadInput, match="http"):
        await engine.bind_intent(trained, "garden", "feed_cat", webhook="file:///etc/passwd")
    await engine.unbind_intent(trained, "garden", "water_plant")
    answer = await engine.ask(trained, "could you please water the monstera")
    assert answer.stage != "custom"


async def test_retraining_keeps_answering_with_the_old_model_until_done(
    engine: Heron, trained: User
) -> None:
    pending = await engine.train_app(trained, "garden", examples())
    assert pending["status"] == "training"
    with pytest.raises(Conflict, match="training already"):
        await engine.train_app(trained, "garden", examples())
    (prediction,) = await engine.predict(trained, "garden", ["water the cactus"])
    assert prediction.intent == "water_plant"
    while (await engine.app(trained, "garden"))["status"] == "training":
        await _pause()
    assert (await engine.app(trained, "garden"))["version"] == 2


async def test_an_app_that_never_trained_cannot_predict(engine: Heron, user: User) -> None:
    await engine.train_app(user, "fresh", examples())
    with pytest.raises(Conflict, match="still training"):
        await engine.predict(user, "fresh", ["water the fern"])
    while (await engine.app(user, "fresh"))["status"] == "training":
        await _pause()


async def _pause() -> None:
    await asyncio.sleep(0.05)


async def test_of_two_racing_retrains_only_one_starts(engine: Heron, trained: User) -> None:
    results = await asyncio.gather(
        *(engine.train_app(trained, "garden", examples()) for _ in range(3)),
        return_exceptions=True,
    )
    started = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(started) == 1 and len(refused) == 2
    assert started[0]["version"] == 2
    while (await engine.app(trained, "garden"))["status"] == "training":
        await _pause()


async def test_a_bound_intent_answers_by_voice(
    engine: Heron, trained: User, spoken: Callable[..., Samples]
) -> None:
    found = await collect(
        engine.voice.answer_recording(trained, spoken("Please water the basil.", pad_s=0.3))
    )
    assert found["reply"] == "Watering the basil now."
    assert found["audio"] and found["errors"] == []
