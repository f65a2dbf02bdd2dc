"""Tests for heron/assistant/dialogue.py: questions for missing slots, cancelling them,
follow-ups, the fallback and the recorded conversation — through the real engine.
"""

from __future__ import annotations

from heron import Heron
from heron.assistant.dialogue import FALLBACK
from heron.store.models import User


async def test_a_missing_slot_is_asked_for(engine: Heron, user: User) -> None:
    answer = await engine.ask(user, "set a timer")

    assert answer.reply == "For how long?"
    assert answer.intent == "timer.set"
    assert await engine.timers(user) == []


async def test_the_answer_to_the_question_fills_the_missing_slot(engine: Heron, user: User) -> None:
    question = await engine.ask(user, "set a timer")

    answer = await engine.ask(user, "twelve minutes", conversation_id=question.conversation_id)

    assert answer.stage == "dialogue"
    assert answer.slots == {"duration": 720}
    assert "12 minutes" in answer.reply
    assert [t["duration_s"] for t in await engine.timers(user)] == [720]


async def test_slots_given_before_the_question_are_kept(engine: Heron, user: User) -> None:
    question = await engine.ask(user, "remind me to call Mom")
    assert question.reply == "When?"

    await engine.ask(user, "tomorrow at 9am", conversation_id=question.conversation_id)

    [reminder] = await engine.reminders(user)
    assert reminder["text"] == "call Mom"
    assert reminder["due_at"] == "2026-11-25T09:00:00+01:00"


async def test_never_mind_abandons_the_question(engine: Heron, user: User) -> None:
    question = await engine.ask(user, "set a timer")

    answer = await engine.ask(user, "never mind", conversation_id=question.conversation_id)

    assert answer.reply == "OK, never mind."
    assert answer.intent is None


async def test_after_never_mind_an_answer_no_longer_fills_the_question(
    engine: Heron, user: User
) -> None:
    question = await engine.ask(user, "set a timer")
    await engine.ask(user, "never mind", conversation_id=question.conversation_id)

    answer = await engine.ask(user, "twelve minutes", conversation_id=question.conversation_id)

    assert answer.stage != "dialogue"
    assert "OK, timer for 12 minutes" not in answer.reply


async def test_a_question_is_only_answered_in_its_own_conversation(
    engine: Heron, user: User
) -> None:
    question = await engine.ask(user, "set a timer")

    answer = await engine.ask(user, "twelve minutes")

    assert answer.conversation_id != question.conversation_id
    assert answer.stage != "dialogue"


async def test_a_new_command_while_a_question_is_pending_is_handled_normally(
    engine: Heron, user: User
) -> None:
    question = await engine.ask(user, "set a timer")

    answer = await engine.ask(
        user, "what time is it in Tokyo", conversation_id=question.conversation_id
    )

    assert answer.intent == "time.in_city"
    assert answer.stage == "template"
    assert "Tokyo" in answer.reply
    assert await engine.timers(user) == []


async def test_a_follow_up_reuses_the_last_intent_with_a_new_city(
    engine: Heron, user: User
) -> None:
    first = await engine.ask(user, "what time is it in Tokyo")

    answer = await engine.ask(user, "and in Paris?", conversation_id=first.conversation_id)

    assert answer.intent == "time.in_city"
    assert answer.stage == "follow-up"
    assert answer.slots["city"]["name"] == "Paris"
    assert "In Paris, France, it's 6:30 PM" in answer.reply


async def test_what_about_is_a_follow_up_too(engine: Heron, user: User) -> None:
    first = await engine.ask(user, "what time is it in Tokyo")

    answer = await engine.ask(user, "what about New York", conversation_id=first.conversation_id)

    assert answer.stage == "follow-up"
    assert "12:30 PM" in answer.reply


async def test_a_follow_up_with_nothing_before_it_does_not_invent_a_city(
    engine: Heron, user: User
) -> None:
    answer = await engine.ask(user, "and in Paris?")

    assert "Anderson" not in answer.reply
    assert answer.intent is None or answer.slots["city"]["name"] == "Paris"


async def test_a_request_no_skill_handles_gets_the_honest_fallback(
    engine: Heron, user: User
) -> None:
    answer = await engine.ask(user, "what's the weather like")

    assert answer.reply == FALLBACK == "Sorry, I don't know how to help with that yet."
    assert (answer.intent, answer.stage) == (None, "fallback")


async def test_an_empty_request_says_it_did_not_catch_anything(engine: Heron, user: User) -> None:
    answer = await engine.ask(user, "")

    assert answer.reply == "I didn't catch that."


async def test_every_turn_is_recorded_in_its_conversation(engine: Heron, user: User) -> None:
    first = await engine.ask(user, "set a timer")
    await engine.ask(user, "twelve minutes", conversation_id=first.conversation_id)

    turns = await engine.conversation(user, first.conversation_id)

    assert [(t["text"], t["reply"]) for t in turns] == [
        ("set a timer", "For how long?"),
        ("twelve minutes", "OK, timer for 12 minutes, starting now."),
    ]
    assert [t["stage"] for t in turns] == ["template", "dialogue"]


async def test_and_an_item_after_adding_to_a_list_does_not_name_a_new_list(
    engine: Heron, user: User
) -> None:
    first = await engine.ask(user, "add eggs to my shopping list")

    answer = await engine.ask(user, "and bread", conversation_id=first.conversation_id)

    assert "bread list" not in answer.reply
    assert [found["name"] for found in await engine.lists(user)] == ["shopping"]
