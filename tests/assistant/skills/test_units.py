"""Tests for heron/assistant/skills/units.py: pint conversions said in words, and a clear
sentence for units that cannot be converted into each other.
"""

from __future__ import annotations

import pytest

from heron import Heron
from heron.store.models import User


async def ask(engine: Heron, user: User, text: str) -> str:
    return (await engine.ask(user, text)).reply


async def test_miles_to_kilometers(engine: Heron, user: User) -> None:
    answer = await engine.ask(user, "convert 5 miles to kilometers")

    assert answer.reply == "5 miles is 8.047 kilometers."
    assert answer.data["converted"] == pytest.approx(8.04672)


async def test_how_many_grams_in_a_pound(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "how many grams in a pound") == "1 pound is 453.6 grams."


async def test_how_many_feet_in_a_mile(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "how many feet in a mile") == "1 mile is 5,280 feet."


async def test_cups_to_milliliters(engine: Heron, user: User) -> None:
    assert "473.2 milliliters" in await ask(engine, user, "convert 2 cups to milliliters")


async def test_fahrenheit_to_celsius_uses_the_offset(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "convert 100 degrees fahrenheit to celsius")

    assert reply == "100 degrees Fahrenheit is 37.778 degrees Celsius."


async def test_celsius_to_fahrenheit_uses_the_offset(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "what is 20 celsius in fahrenheit")

    assert reply == "20 degrees Celsius is 68 degrees Fahrenheit."


async def test_kelvin_to_celsius(engine: Heron, user: User) -> None:
    assert "26.85 degrees Celsius" in await ask(engine, user, "convert 300 kelvin to celsius")


async def test_speed_in_kilometers_per_hour_to_miles_per_hour(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "convert 100 kilometers per hour to miles per hour")

    assert reply == "100 kilometers per hour is 62.137 miles per hour."


async def test_mph_is_said_as_miles_per_hour(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "convert 60 mph to km/h")

    assert reply == "60 miles per hour is 96.561 kilometers per hour."


async def test_data_sizes_convert(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "convert 1 gb to mb") == "1 gigabyte is 1,000 megabytes."


async def test_incompatible_units_get_a_clear_sentence(engine: Heron, user: User) -> None:
    answer = await engine.ask(user, "convert 5 kilograms to meters")

    assert answer.intent == "units.convert"
    assert answer.reply == "Sorry, kilograms can't be converted to meters."


async def test_a_single_letter_unit_is_never_the_speed_of_light(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "convert 0 °C to fahrenheit")

    assert reply == "0 degrees Celsius is 32 degrees Fahrenheit."
