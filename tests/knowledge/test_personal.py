"""Reading the personal graph's statements and questions, resolving people by name, and saying
facts back in the assistant's words — no store needed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from heron.knowledge import personal as p

TODAY = date(2026, 12, 1)


@dataclass(frozen=True)
class Row:
    subject: str
    subject_key: str
    relation: str
    value: str


def told(text: str, *, strict: bool = True) -> tuple[str, str, str] | None:
    found = p.read_statement(text, TODAY, strict=strict)
    return None if found is None else (found.subject.said, found.relation, found.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my sister's name is Ana", ("my sister", "name", "Ana")),
        ("My sister is called Ana.", ("my sister", "name", "Ana")),
        ("my sister is Ana", ("my sister", "name", "Ana")),
        ("my dog is named Rex", ("my dog", "name", "Rex")),
        ("my name is Sam", ("me", "name", "Sam")),
        ("my car is parked on level 3", ("my car", "location", "on level 3")),
        ("I parked the car on level 3", ("my car", "location", "on level 3")),
        ("I parked in row F", ("my car", "location", "in row F")),
        ("my keys are in the kitchen drawer", ("my keys", "location", "in the kitchen drawer")),
        ("I put my passport in the top drawer", ("my passport", "location", "in the top drawer")),
        ("my mom is at work", ("my mom", "location", "at work")),
        ("Ana's birthday is May 2", ("Ana", "birthday", "May 2")),
        ("Ana's birthday is on May 2nd", ("Ana", "birthday", "on May 2nd")),
        ("Ana was born on May 2, 1990", ("Ana", "birthday", "May 2, 1990")),
        ("Ana's birthday is tomorrow", ("Ana", "birthday", "December 2")),
        ("my favourite colour is green", ("my favourite colour", "is", "green")),
        ("my sisters name is ana", ("my sister", "name", "Ana")),
        ("my doctor's phone number is 555 0134", ("my doctor", "phone number", "555 0134")),
    ],
)
def test_statements_become_facts(text: str, expected: tuple[str, str, str]) -> None:
    assert told(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the sky is blue",
        "what is my name",
        "where is my car",
        "I need to buy milk",
        "my timer is done",
        "my shopping list is long",
        "it is raining",
        "set a timer for 5 minutes",
        "my credit rating is what",
        "my check engine light is on so is anyone available to look at it",
        "my tires are filled enough or no",
    ],
)
def test_sentences_that_are_not_the_users_facts_are_left_alone(text: str) -> None:
    assert told(text) is None


def test_after_remember_that_more_kinds_of_sentence_are_kept() -> None:
    assert told("the spare key is under the mat") is None
    assert told("the spare key is under the mat", strict=False) == (
        "the spare key",
        "location",
        "under the mat",
    )
    assert told("Ana likes tulips", strict=False) == ("Ana", "note: likes tulips", "likes tulips")
    assert told("I'm allergic to peanuts", strict=False) == (
        "me",
        "note: am allergic to peanuts",
        "am allergic to peanuts",
    )
    assert told("we need bread", strict=False) is None


@pytest.mark.parametrize(
    ("phrase", "key", "relation"),
    [
        ("my sister's name", "sister", "name"),
        ("Ana's birthday", "ana", "birthday"),
        ("anas birthday", "ana", "birthday"),
        ("my sisters name", "sister", "name"),
        ("my wifi password", "wifi password", None),
        ("my date of birth", "me", "birthday"),
        ("me", "me", None),
    ],
)
def test_question_phrases_name_a_subject_and_relation(
    phrase: str, key: str, relation: str | None
) -> None:
    topic = p.read_topic(phrase)

    assert topic is not None
    assert (topic.subject.key, topic.relation) == (key, relation)


@pytest.mark.parametrize(
    "phrase",
    [
        "the capital of France",
        "my shopping list",
        "love",
        "Ana",
        "Texas's time zone",
        "today's date",
        "my credit score",
        "my bank balance",
    ],
)
def test_phrases_about_the_world_or_other_skills_are_not_personal(phrase: str) -> None:
    assert p.read_topic(phrase) is None


def test_a_person_is_found_under_any_of_their_names() -> None:
    facts = [
        Row("my sister", "sister", "name", "Ana"),
        Row("Ana", "ana", "birthday", "May 2"),
        Row("my car", "car", "location", "on level 3"),
    ]
    sister = p.Subject("my sister", "sister")
    ana = p.Subject("Ana", "ana")

    assert p.find(sister, ["birthday"], facts) == facts[1]
    assert p.find(ana, ["name"], facts) == facts[0]
    assert [f.relation for f in p.about(ana, facts)] == ["birthday", "name"]
    assert p.named("ana", facts) == [facts[0]]
    assert p.find(p.Subject("my brother", "brother"), ["birthday"], facts) is None


def test_facts_are_said_back_in_the_second_person() -> None:
    assert p.sentence(Row("my sister", "sister", "name", "Ana")) == "Your sister's name is Ana."
    assert (
        p.sentence(Row("my keys", "key", "location", "in my bag")) == "Your keys are in your bag."
    )
    assert p.sentence(Row("me", "me", "note: am vegan", "am vegan")) == "You are vegan."
    assert p.sentence(Row("James", "jame", "age", "40")) == "James' age is 40."
    birthday = Row("Ana", "ana", "birthday", "May 2")
    assert p.sentence(birthday, today=TODAY) == "Ana's birthday is May 2 — that's in 152 days."
    assert p.sentence(birthday, today=date(2027, 5, 2)).endswith("that's today.")
