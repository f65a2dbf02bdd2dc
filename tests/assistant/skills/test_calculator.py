"""Tests for heron/assistant/skills/calculator.py: arithmetic from digits and words,
percentages, powers and roots, impossible sums, and never running Python.
"""

from __future__ import annotations

import os

import pytest

from heron import Heron
from heron.assistant.skills.calculator import CalcError, calculate
from heron.language.normalize import tokenize
from heron.store.models import User


async def ask(engine: Heron, user: User, text: str) -> str:
    return (await engine.ask(user, text)).reply


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("what is 7 times 8", "is 56."),
        ("what's seven times eight", "is 56."),
        ("what is twenty five plus seventeen", "is 42."),
        ("what is 2*3", "is 6."),
        ("what is 10 minus 4", "is 6."),
    ],
)
async def test_sums_in_words_and_digits_are_calculated(
    engine: Heron, user: User, text: str, result: str
) -> None:
    assert (await ask(engine, user, text)).endswith(result)


async def test_multiplication_binds_tighter_than_addition(engine: Heron, user: User) -> None:
    assert (await ask(engine, user, "what is 2 + 3 * 4")).endswith("is 14.")


async def test_brackets_group_first(engine: Heron, user: User) -> None:
    assert (await ask(engine, user, "what is (2 + 3) * 4")).endswith("is 20.")


async def test_a_percentage_of_a_number(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "what's 15 percent of 80") == "15 percent of 80 is 12."


async def test_a_percent_sign_divides_by_a_hundred(engine: Heron, user: User) -> None:
    assert (await ask(engine, user, "what is 50%")).endswith("is 0.5.")


async def test_a_power_said_in_words(engine: Heron, user: User) -> None:
    assert (await ask(engine, user, "what is 2 to the power of 10")).endswith("is 1,024.")


async def test_squared_is_a_power_of_two(engine: Heron, user: User) -> None:
    assert (await ask(engine, user, "what is 3 squared")).endswith("is 9.")


async def test_a_square_root(engine: Heron, user: User) -> None:
    assert (await ask(engine, user, "square root of 144")).endswith("is 12.")


async def test_a_cube_root(engine: Heron, user: User) -> None:
    assert (await ask(engine, user, "what is the cube root of 27")).endswith("is 3.")


async def test_a_fraction_is_said_as_a_rounded_decimal(engine: Heron, user: User) -> None:
    assert (await ask(engine, user, "what is 1 / 3")).endswith("is 0.333333.")


async def test_dividing_by_zero_gets_a_sentence_not_an_error(engine: Heron, user: User) -> None:
    answer = await engine.ask(user, "what is 10 divided by 0")

    assert answer.intent == "calculator.calculate"
    assert answer.reply == "You can't divide by zero."


async def test_a_negative_square_root_is_explained(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "what is the square root of minus 4")

    assert reply == "Negative numbers have no real square root."


async def test_a_huge_power_is_refused(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "what is 10 to the power of 5000") == (
        "That power is too large for me."
    )


async def test_a_power_too_large_for_a_float_still_gets_an_answer(
    engine: Heron, user: User
) -> None:
    reply = await ask(engine, user, "what is 10 to the power of 400")

    assert "too large" in reply or reply.startswith("10 to the power of 400 is 1,000,000")


async def test_python_is_never_evaluated(engine: Heron, user: User) -> None:
    answer = await engine.ask(user, "calculate __import__('os').getcwd()")

    assert "expression" not in answer.slots
    assert os.getcwd() not in answer.reply


def test_python_code_is_not_a_sum() -> None:
    with pytest.raises(CalcError):
        calculate(tokenize("__import__('os').system('true')"))


def test_python_only_syntax_is_not_calculated() -> None:
    # eval("2 ** 3") would give 8; the calculator's grammar has no "**".
    with pytest.raises(CalcError):
        calculate(tokenize("2 ** 3"))
