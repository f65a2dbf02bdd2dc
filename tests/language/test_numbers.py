"""Tests for heron/language/numbers.py: numbers from digits and words."""

from __future__ import annotations

from fractions import Fraction

import pytest

from heron.language.normalize import tokenize
from heron.language.numbers import as_number, parse_number, parse_ordinal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Fraction(12)),
        ("2.5", Fraction(5, 2)),
        ("1,000", Fraction(1000)),
        ("-3", Fraction(-3)),
    ],
)
def test_digits_are_read_exactly(text: str, expected: Fraction) -> None:
    assert parse_number([text]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("twelve", 12),
        ("twenty five", 25),
        ("twenty-five", 25),
        ("one hundred and five", 105),
        ("two hundred thousand", 200_000),
        ("one million", 1_000_000),
    ],
)
def test_number_words_are_read(text: str, expected: int) -> None:
    assert parse_number(tokenize(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a couple of", 2), ("a couple", 2), ("a dozen", 12), ("three dozen", 36), ("a few", 3)],
)
def test_quantity_phrases_are_read(text: str, expected: int) -> None:
    assert parse_number(tokenize(text)) == expected


def test_one_and_a_half_is_three_halves() -> None:
    assert parse_number(tokenize("one and a half")) == Fraction(3, 2)


def test_two_and_a_quarter_is_nine_quarters() -> None:
    assert parse_number(tokenize("two and a quarter")) == Fraction(9, 4)


def test_two_point_five_is_read_as_a_decimal() -> None:
    assert parse_number(tokenize("two point five")) == Fraction(5, 2)


@pytest.mark.parametrize("text", ["banana", "", "and", "one and", "twelve bananas"])
def test_words_that_are_not_a_number_give_none(text: str) -> None:
    assert parse_number(tokenize(text)) is None


def test_as_number_gives_an_int_for_whole_values() -> None:
    value = as_number(Fraction(10, 2))

    assert value == 5
    assert isinstance(value, int)


def test_as_number_gives_a_float_for_fractions() -> None:
    assert as_number(Fraction(3, 2)) == 1.5


@pytest.mark.parametrize(("token", "expected"), [("4th", 4), ("fourth", 4), ("21st", 21)])
def test_ordinals_are_read(token: str, expected: int) -> None:
    assert parse_ordinal(token) == expected


def test_a_word_that_is_not_an_ordinal_gives_none() -> None:
    assert parse_ordinal("banana") is None
