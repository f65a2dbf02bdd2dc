"""Tests for heron/language/intents.py (and the matching in recognize.py): template stage,
similarity stage, fallback, explanations and collisions.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from heron import Heron
from heron.errors import BadInput
from heron.language.intents import Intent, IntentRouter, SlotSpec
from heron.language.slots import ParseContext

CONTEXT = ParseContext(datetime(2026, 11, 24, 18, 30, tzinfo=ZoneInfo("Europe/Paris")))
DURATION = SlotSpec("duration", "duration", required=True)


@pytest.fixture
def router() -> IntentRouter:
    """A small router of toy intents, built the way the engine builds the real one."""
    toy = IntentRouter()
    toy.add(Intent("lamp.on", templates=("turn on the lamp",), examples=("light up the room",)))
    toy.add(Intent("lamp.off", templates=("turn off the lamp",), examples=("make it dark",)))
    toy.add(
        Intent(
            "music.play",
            templates=("play music by {name}",),
            slots=(SlotSpec("name", "name"),),
        )
    )
    toy.add(
        Intent(
            "radio.tune",
            templates=("tune the radio to {number}",),
            slots=(SlotSpec("number", "number"),),
            # Word for word a sentence that music.play's template matches:
            examples=("play music by queen",),
        )
    )
    toy.add(
        Intent(
            "countdown",
            templates=("set a countdown (for|of) {duration}",),
            slots=(DURATION,),
            examples=("count down for a while",),
        )
    )
    toy.add(Intent("note.text", templates=("note {text}",), slots=(SlotSpec("text", "text"),)))
    toy.add(
        Intent("note.number", templates=("note {number}",), slots=(SlotSpec("number", "number"),))
    )
    toy.build()
    return toy


# --- the template stage ----------------------------------------------------------------


def test_a_matching_template_decides_with_full_confidence(router: IntentRouter) -> None:
    found = router.recognize("Turn on the lamp, please", CONTEXT)

    assert (found.intent, found.stage, found.confidence) == ("lamp.on", "template", 1.0)


def test_a_template_beats_an_identical_example_of_another_intent(router: IntentRouter) -> None:
    # Similarity alone would pick radio.tune: the sentence is one of its examples, word for word.
    found = router.recognize("play music by Queen", CONTEXT)

    assert (found.intent, found.stage, found.confidence) == ("music.play", "template", 1.0)
    assert found.slots == {"name": "queen"}


def test_a_typed_slot_gets_its_parsed_value(router: IntentRouter) -> None:
    found = router.recognize("set a countdown for twelve minutes", CONTEXT)

    assert found.slots == {"duration": 720}


def test_a_template_does_not_match_when_its_slot_type_refuses_the_words(
    router: IntentRouter,
) -> None:
    found = router.recognize("set a countdown for banana", CONTEXT)

    assert found.stage != "template"
    assert "duration" not in found.slots


def test_a_typed_slot_is_preferred_to_free_text(router: IntentRouter) -> None:
    found = router.recognize("note 5", CONTEXT)

    assert (found.intent, found.slots) == ("note.number", {"number": 5})


def test_free_text_catches_what_no_typed_slot_takes(router: IntentRouter) -> None:
    found = router.recognize("note buy Milk", CONTEXT)

    assert (found.intent, found.slots) == ("note.text", {"text": "buy Milk"})


# --- explanations ----------------------------------------------------------------------


def test_explain_of_a_lone_template_match_names_it_and_no_runner_up(
    router: IntentRouter,
) -> None:
    explained = router.recognize("turn on the lamp", CONTEXT).explain()

    assert explained == {
        "stage": "template",
        "matched": "turn on the lamp",
        "reason": "template matched with 4 literal words; no other intent's template matched",
        "runner_up": None,
    }


def test_explain_says_why_one_template_beat_another(router: IntentRouter) -> None:
    explained = router.recognize("note 5", CONTEXT).explain()

    assert explained["runner_up"]["intent"] == "note.text"
    assert explained["runner_up"]["stage"] == "template"
    assert "note.text also matched" in explained["reason"]
    assert "1 free-text words" in explained["reason"]


# --- the similarity stage and the fallback ---------------------------------------------


def test_a_paraphrase_is_routed_by_similarity_to_a_known_sentence(router: IntentRouter) -> None:
    found = router.recognize("light up the whole room", CONTEXT)

    assert (found.intent, found.stage) == ("lamp.on", "similarity")
    assert found.matched == "light up the room"
    assert router.threshold <= found.confidence < 1.0
    assert "most similar to 'light up the room'" in found.reason


def test_explain_of_a_similarity_match_names_the_next_closest_intent(
    router: IntentRouter,
) -> None:
    found = router.recognize("light up the whole room", CONTEXT)
    explained = found.explain()

    assert explained["stage"] == "similarity"
    assert explained["matched"] == "light up the room"
    runner_up = explained["runner_up"]
    assert runner_up["stage"] == "similarity"
    assert runner_up["intent"] != "lamp.on"
    assert runner_up["score"] < found.confidence


def test_the_similarity_stage_still_finds_typed_slots(router: IntentRouter) -> None:
    found = router.recognize("count down for twelve minutes", CONTEXT)

    assert (found.intent, found.stage) == ("countdown", "similarity")
    assert found.slots == {"duration": 720}


def test_a_sentence_far_from_every_intent_falls_back_below_the_threshold(
    router: IntentRouter,
) -> None:
    found = router.recognize("purple elephants dance quietly", CONTEXT)

    assert (found.intent, found.stage) == (None, "fallback")
    assert found.confidence < router.threshold
    assert "below the threshold" in found.reason


def test_nothing_to_understand_falls_back_with_zero_confidence(router: IntentRouter) -> None:
    found = router.recognize("?!", CONTEXT)

    assert (found.intent, found.stage, found.confidence) == (None, "fallback", 0.0)
    assert found.reason == "nothing to understand"


# --- declaring intents and collisions --------------------------------------------------


def test_an_intent_declared_twice_is_refused(router: IntentRouter) -> None:
    with pytest.raises(BadInput, match=r"'lamp\.on' is declared twice"):
        router.add(Intent("lamp.on", templates=("lamp on",)))


def test_distinct_toy_intents_do_not_collide(router: IntentRouter) -> None:
    assert router.collisions() == []


def test_two_intents_with_identical_templates_are_reported_as_a_collision() -> None:
    toy = IntentRouter()
    toy.add(Intent("lights.toggle", templates=("flip the [kitchen] switch",)))
    toy.add(Intent("fan.toggle", templates=("flip the [kitchen] switch",)))

    collisions = toy.collisions()

    assert len(collisions) == 1
    assert set(collisions[0].intents) == {"lights.toggle", "fan.toggle"}
    assert collisions[0].sentence in ("flip the switch", "flip the kitchen switch")
    assert "matches" in str(collisions[0])


# --- the built-in intents --------------------------------------------------------------


def test_built_in_skills_have_no_template_collisions(engine: Heron) -> None:
    assert engine.check_collisions() == []


def test_built_in_template_match_decides_with_its_slots(engine: Heron) -> None:
    found = engine.dialogue.router.recognize("set a timer for 5 minutes", CONTEXT)

    assert (found.intent, found.stage, found.slots) == ("timer.set", "template", {"duration": 300})
    assert found.explain()["matched"] == found.matched
    assert found.matched is not None and "timer" in found.matched


def test_built_in_paraphrase_is_routed_by_similarity_with_a_runner_up(engine: Heron) -> None:
    router = engine.dialogue.router

    found = router.recognize("I need a timer", CONTEXT)

    assert (found.intent, found.stage) == ("timer.set", "similarity")
    assert found.confidence >= router.threshold
    assert found.runner_up is not None
    assert found.runner_up.intent != "timer.set"
    assert found.runner_up.score <= found.confidence


def test_built_in_router_falls_back_on_the_weather(engine: Heron) -> None:
    router = engine.dialogue.router

    found = router.recognize("what's the weather like", CONTEXT)

    assert (found.intent, found.stage) == (None, "fallback")
    assert found.confidence < router.threshold
