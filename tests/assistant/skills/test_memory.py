"""The memory skill through the whole engine: facts told in conversation, recalled by any of a
person's names, changed, forgotten (with the turns that told them), and kept per user."""

from __future__ import annotations

import pytest

from heron import Heron
from heron.store.models import User
from heron.store.repositories import REDACTED


async def ask(engine: Heron, user: User, text: str, conversation: str | None = None) -> str:
    return (await engine.ask(user, text, conversation_id=conversation)).reply


async def test_the_issue_conversation(engine: Heron, user: User) -> None:
    told = [
        await ask(engine, user, "remember that my sister's name is Ana"),
        await ask(engine, user, "my car is parked on level 3"),
        await ask(engine, user, "Ana's birthday is May 2"),
    ]

    assert told == [
        "OK, I'll remember that your sister's name is Ana.",
        "OK, I'll remember that your car is on level 3.",
        "OK, I'll remember that Ana's birthday is May 2.",
    ]
    assert await ask(engine, user, "what's my sister's name?") == "Your sister's name is Ana."
    # The clock stands at 24 November 2026.
    assert await ask(engine, user, "when is Ana's birthday?") == (
        "Ana's birthday is May 2 — that's in 159 days."
    )
    assert await ask(engine, user, "where did I park?") == "Your car is on level 3."
    assert await ask(engine, user, "forget where I parked") == (
        "OK, I've forgotten where your car is."
    )
    assert await ask(engine, user, "where did I park?") == (
        "You haven't told me where your car is."
    )


async def test_a_person_is_known_by_name_and_by_relation(engine: Heron, user: User) -> None:
    await ask(engine, user, "my sister is called Ana")
    await ask(engine, user, "Ana was born on May 2")

    assert (await ask(engine, user, "when is my sister's birthday")).startswith(
        "Your sister's birthday is May 2"
    )
    assert await ask(engine, user, "who is Ana?") == "Ana is your sister."
    assert await ask(engine, user, "who is my sister?") == "Your sister is Ana."
    # Spoken input has no apostrophes.
    assert await ask(engine, user, "whats my sisters name") == "Your sister's name is Ana."


async def test_telling_a_new_value_replaces_the_old_one(engine: Heron, user: User) -> None:
    await ask(engine, user, "I parked on level 3")
    changed = await ask(engine, user, "I parked the car in row F")

    assert changed == "OK, I've changed that: your car is in row F (it was on level 3)."
    assert await ask(engine, user, "where is my car?") == "Your car is in row F."
    facts = await engine.facts(user)
    assert [(f["subject"], f["relation"], f["value"]) for f in facts] == [
        ("my car", "location", "in row F")
    ]


async def test_where_questions_follow_up_through_the_conversation(
    engine: Heron, user: User
) -> None:
    await ask(engine, user, "I put my passport in the top drawer")
    first = await engine.ask(user, "where did I put my passport?")
    keys = await engine.ask(user, "and my keys?", conversation_id=first.conversation_id)

    assert first.reply == "Your passport is in the top drawer."
    assert keys.intent == "memory.where"
    assert keys.reply == "You haven't told me where your keys are."


async def test_what_do_you_know_lists_the_facts(engine: Heron, user: User) -> None:
    assert (await ask(engine, user, "what do you know about me")).startswith(
        "You haven't told me anything about yourself."
    )
    await ask(engine, user, "my name is Sam")
    await ask(engine, user, "remember that Ana likes tulips")
    await ask(engine, user, "my sister's name is Ana")

    everything = await engine.ask(user, "what do you remember?")
    about_ana = await ask(engine, user, "what do you know about my sister")

    assert everything.reply.startswith("You've told me 3 things. Your name is Sam.")
    assert len(everything.data["facts"]) == 3
    assert about_ana == (
        "Here's what I know about your sister. Your sister's name is Ana. Ana likes tulips."
    )


async def test_forgetting_a_fact_blanks_the_turn_that_told_it(engine: Heron, user: User) -> None:
    told = await engine.ask(user, "my wifi password is hunter2")
    await engine.ask(user, "forget my wifi password", conversation_id=told.conversation_id)

    turns = await engine.conversation(user, told.conversation_id)

    assert turns[0]["text"] == REDACTED
    assert "hunter2" not in str(turns)
    assert await ask(engine, user, "what is my wifi password") == (
        "You haven't told me your wifi password."
    )


async def test_forgetting_blanks_every_turn_that_told_the_fact(engine: Heron, user: User) -> None:
    first = await engine.ask(user, "I parked on level 3")
    await engine.ask(user, "I parked in row F", conversation_id=first.conversation_id)
    await engine.ask(user, "forget where I parked", conversation_id=first.conversation_id)

    turns = await engine.conversation(user, first.conversation_id)

    assert [t["text"] for t in turns] == [REDACTED, REDACTED, "forget where I parked"]
    assert "level 3" not in str(turns) and "row F" not in str(turns)


async def test_forgetting_everything_about_a_person(engine: Heron, user: User) -> None:
    await ask(engine, user, "my sister's name is Ana")
    await ask(engine, user, "Ana's birthday is May 2")
    await ask(engine, user, "my car is parked on level 3")

    reply = await ask(engine, user, "forget everything about Ana")

    assert reply == "OK, I've forgotten everything about Ana (2 things)."
    assert [f["relation"] for f in await engine.facts(user)] == ["location"]
    assert await ask(engine, user, "forget Ana's birthday") == (
        "You hadn't told me Ana's birthday."
    )


async def test_one_users_facts_are_never_told_to_another(engine: Heron, user: User) -> None:
    bob, _ = await engine.create_user("bob", "Europe/Paris")
    await ask(engine, user, "my car is parked on level 3")

    assert await ask(engine, bob, "where did I park?") == "You haven't told me where your car is."
    assert await ask(engine, bob, "forget everything I told you") == (
        "There's nothing to forget: you haven't told me anything yet."
    )
    assert await ask(engine, user, "where did I park?") == "Your car is on level 3."


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("what is the capital of France", "knowledge.capital"),
        ("what is on my shopping list", "list.read"),
        ("set a timer for 5 minutes", "timer.set"),
        ("where is Lima", "knowledge.country_of"),
        ("remind me to call Ana tomorrow at 9", "reminder.set"),
    ],
)
async def test_other_skills_keep_their_questions(
    engine: Heron, user: User, text: str, intent: str
) -> None:
    assert (await engine.ask(user, text)).intent == intent


async def test_statements_about_the_world_are_not_taken_as_the_users_facts(
    engine: Heron, user: User
) -> None:
    answer = await engine.ask(user, "the sky is blue")

    assert answer.intent is None or not answer.intent.startswith("memory.")
    assert await engine.facts(user) == []


async def test_call_me_sets_the_users_own_name(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "what do you call me?") == (
        "You haven't told me your name. Say 'call me' and your name."
    )
    assert await ask(engine, user, "please call me bailey from now on") == (
        "OK, I'll call you Bailey."
    )
    assert await ask(engine, user, "what's my name") == "Your name is Bailey."
    assert await ask(engine, user, "how do you refer to me") == "You told me to call you Bailey."
    assert (await engine.ask(user, "call me a taxi")).intent != "memory.call_me"


async def test_one_relation_of_a_person_can_be_asked_directly(engine: Heron, user: User) -> None:
    await ask(engine, user, "my dog is named Rex")
    await ask(engine, user, "Rex was born on March 14th")

    assert await ask(engine, user, "what is my dog called?") == "Your dog's name is Rex."
    assert (await ask(engine, user, "when was my dog born")).startswith(
        "Your dog's birthday is March 14th — that's in"
    )
    assert await ask(engine, user, "what is my cat called?") == (
        "You haven't told me your cat's name."
    )
