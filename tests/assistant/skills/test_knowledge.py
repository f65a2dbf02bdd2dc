"""The knowledge skill through the whole engine: linking, answers from the world graph,
follow-ups through the conversation, and honest answers about what the graph does not hold.
"""

from __future__ import annotations

import pytest

from heron import Heron
from heron.store.models import User


async def ask(engine: Heron, user: User, text: str, conversation: str | None = None) -> str:
    return (await engine.ask(user, text, conversation_id=conversation)).reply


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the capital of Kenya?", "The capital of Kenya is Nairobi."),
        ("what's Japan's capital", "The capital of Japan is Tokyo."),
        ("Which country is Nairobi the capital of?", "Nairobi is the capital of Kenya."),
        ("How many people live in Kenya?", "Kenya has about 51.4 million people (GeoNames)."),
        ("What currency does Japan use?", "Japan's currency is the Yen."),
        ("Does Kenya border Uganda?", "Yes, Kenya borders Uganda."),
        ("Does Kenya border France?", "No, Kenya does not border France."),
        ("What is the calling code for Kenya?", "The calling code for Kenya is +254."),
        ("Which continent is Peru in?", "Peru is in South America (South America)."),
    ],
)
async def test_relations(engine: Heron, user: User, question: str, expected: str) -> None:
    answer = await engine.ask(user, question)

    assert answer.intent is not None and answer.intent.startswith("knowledge.")
    assert answer.reply == expected


async def test_misspellings_demonyms_and_codes_are_understood(engine: Heron, user: User) -> None:
    assert "Astana" in await ask(engine, user, "what is the capital of Kazakstan")
    assert "Berlin" in await ask(engine, user, "capital of DEU")
    assert "Shilling" in await ask(engine, user, "what currency do Kenyans use")


async def test_paris_means_france_unless_texas_is_said(engine: Heron, user: User) -> None:
    france = await ask(engine, user, "which country is Paris in")
    texas = await ask(engine, user, "what time zone is Paris, Texas in")

    assert france.startswith("Paris is in France.")
    assert "America/Chicago" in texas


async def test_namesakes_are_mentioned(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "Which country is Valencia in?")

    assert reply.startswith("Valencia is in Venezuela.")  # the bigger one
    assert "Spain" in reply


async def test_languages_borders_and_largest_city(engine: Heron, user: User) -> None:
    languages = await ask(engine, user, "what languages are spoken in Switzerland")
    borders = await ask(engine, user, "how many countries border Germany")
    largest = await ask(engine, user, "what is the largest city in Australia")

    assert all(word in languages for word in ("French", "German", "Italian"))
    assert borders.startswith("9 countries border Germany:")
    assert "Sydney" in largest


async def test_comparisons_and_superlatives(engine: Heron, user: User) -> None:
    more = await ask(engine, user, "Which has more people, Peru or Chile?")
    largest = await ask(engine, user, "What is the largest country in Africa?")
    populous = await ask(engine, user, "What is the most populous country in South America?")
    cities = await ask(engine, user, "cities in Japan with more than 5 million people")

    assert more.startswith("Peru has more people")
    assert "Algeria" in largest
    assert "Brazil" in populous
    assert cities.startswith("1 city in Japan has more than 5,000,000 people: Tokyo")


async def test_definitions_come_from_wordnet(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "what does serendipity mean?")

    assert reply.startswith("Serendipity (noun): good luck in making unexpected")


async def test_follow_ups_through_the_conversation(engine: Heron, user: User) -> None:
    first = await engine.ask(user, "what is the capital of Peru")
    there = await engine.ask(
        user, "and how many people live there?", conversation_id=first.conversation_id
    )
    chile = await engine.ask(user, "what about Chile?", conversation_id=first.conversation_id)

    assert first.reply == "The capital of Peru is Lima."
    assert there.reply.startswith("Lima has about 7.74 million people")
    assert chile.reply.startswith("Chile has about")
    assert chile.intent == "knowledge.population"


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Atlantis?",
        "How many people live in Narnia?",
        "What currency does Wakanda use?",
    ],
)
async def test_made_up_places_get_an_honest_answer(
    engine: Heron, user: User, question: str
) -> None:
    reply = await ask(engine, user, question)

    assert reply.startswith("Sorry, I don't know a")


async def test_facts_the_graph_lacks_are_not_guessed(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "what is the capital of Antarctica")
    word = await ask(engine, user, "what does flibbertigibbetz mean")

    assert reply == "I don't know the capital of Antarctica."
    assert word.startswith("I don't know the word")


async def test_other_skills_still_route(engine: Heron, user: User) -> None:
    timer = await engine.ask(user, "set a timer for 5 minutes")
    phone = await engine.ask(user, "where is my phone")

    assert timer.intent == "timer.set"
    assert phone.intent == "memory.where"  # the user's own things, not the world's
