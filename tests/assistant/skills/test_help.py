"""Tests for heron/assistant/skills/help.py: help is read from the skills' own declarations."""

from __future__ import annotations

from heron import Heron
from heron.store.models import User


async def test_help_lists_every_skills_description(engine: Heron, user: User) -> None:
    reply = (await engine.ask(user, "what can you do")).reply

    others = [s for s in engine.skills if s.name != "help"]
    assert len(others) >= 6
    for skill in others:
        assert skill.description in reply, skill.name


async def test_help_gives_an_example_for_each_skill(engine: Heron, user: User) -> None:
    reply = (await engine.ask(user, "help")).reply

    for skill in engine.skills:
        if skill.name != "help" and skill.examples:
            assert f'Try: "{skill.examples[0]}"' in reply, skill.name


async def test_help_does_not_list_itself(engine: Heron, user: User) -> None:
    answer = await engine.ask(user, "what can you do")

    assert "help" not in [s["name"] for s in answer.data["skills"]]
    assert "Help: what I can do." not in answer.reply


async def test_the_assistants_name_is_not_the_users(engine: Heron, user: User) -> None:
    await engine.ask(user, "call me Bob")

    mine = await engine.ask(user, "what's my name?")
    yours = await engine.ask(user, "what's your name?")

    assert mine.reply == "Your name is Bob."
    assert yours.intent == "help.name"
    assert yours.reply.startswith("I'm Heron")
