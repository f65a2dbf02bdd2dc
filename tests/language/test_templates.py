"""Tests for heron/language/templates.py: template syntax, required words and sampling."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from heron.errors import BadInput
from heron.language.intents import Intent, IntentRouter, SlotSpec
from heron.language.normalize import normalize
from heron.language.recognize import Recognizer
from heron.language.slots import ParseContext, slot_type
from heron.language.templates import (
    Alternative,
    Sequence,
    Slot,
    Word,
    parse_template,
    required_words,
    sample,
    slots_of,
)

CONTEXT = ParseContext(datetime(2026, 11, 24, 18, 30, tzinfo=ZoneInfo("Europe/Paris")))


def test_words_parse_to_a_sequence_of_normalised_words() -> None:
    assert parse_template("What's up") == Sequence((Word("what"), Word("is"), Word("up")))


def test_parentheses_are_required_alternatives() -> None:
    assert parse_template("(a|b c)") == Alternative(
        (Word("a"), Sequence((Word("b"), Word("c")))), optional=False
    )


def test_brackets_are_optional_alternatives() -> None:
    node = parse_template("set [a|the] timer")

    assert node == Sequence(
        (Word("set"), Alternative((Word("a"), Word("the")), optional=True), Word("timer"))
    )


def test_braces_are_slots() -> None:
    node = parse_template("timer for {duration}")

    assert node == Sequence((Word("timer"), Word("for"), Slot("duration")))


def test_slots_of_finds_slots_inside_groups() -> None:
    assert slots_of(parse_template("set [{name}] timer (for {duration}|now)")) == {
        "name",
        "duration",
    }


def test_required_words_leave_out_optional_words_and_slots() -> None:
    node = parse_template("(set|start) [a] timer (for|of) {duration}")

    assert required_words(node) == {"timer"}


def test_required_words_keep_words_common_to_every_alternative() -> None:
    assert required_words(parse_template("(set a|set the) timer")) == {"set", "timer"}


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("set (a|the timer", "missing ')'"),
        ("set [a timer", "missing ']'"),
        ("set a|the) timer", "unbalanced ')'"),
        ("set (a] timer", "unbalanced ']'"),
        ("set {duration timer", "unclosed '{'"),
        ("set {two words} timer", "bad slot name 'two words'"),
        ("set {} timer", "bad slot name ''"),
    ],
)
def test_syntax_errors_are_bad_input_saying_what_and_where(source: str, why: str) -> None:
    with pytest.raises(BadInput) as raised:
        parse_template(source)

    message = raised.value.detail
    assert repr(source) in message
    assert why in message
    assert "at character" in message


def test_a_stray_closing_brace_is_a_syntax_error() -> None:
    with pytest.raises(BadInput, match="'}'"):
        parse_template("set a {name} timer}")


def test_a_template_using_an_undeclared_slot_is_rejected() -> None:
    router = IntentRouter()
    intent = Intent("timer.set", templates=("set a timer for {duration}",))

    with pytest.raises(BadInput, match=r"undeclared slots.*duration"):
        router.add(intent)
    assert "timer.set" not in router.intents


def test_a_slot_of_an_unknown_type_is_rejected() -> None:
    router = IntentRouter()
    intent = Intent(
        "paint", templates=("paint it {colour}",), slots=(SlotSpec("colour", "colour"),)
    )

    with pytest.raises(BadInput, match="unknown slot type 'colour'"):
        router.add(intent)


def test_every_sampled_sentence_matches_its_template() -> None:
    source = "(set|start) [me] (a|the) [{name}] timer (for|of) {duration}"
    node = parse_template(source)
    types = {"name": slot_type("name"), "duration": slot_type("duration")}
    fill = {name: list(kind.samples) for name, kind in types.items()}
    rng = random.Random(7)

    for _ in range(25):
        sentence = " ".join(sample(node, fill, rng))
        recognizer = Recognizer(normalize(sentence), types, CONTEXT)
        assert recognizer.match(node, types) is not None, sentence


def test_sampling_uses_only_the_given_fill_for_slots() -> None:
    node = parse_template("timer for {duration}")

    assert list(sample(node, {"duration": ["5 minutes"]}, random.Random(1))) == [
        "timer",
        "for",
        "5 minutes",
    ]
