"""Tests for heron/assistant/skills/clock.py: the time here and in cities, the date, the
weekday of a date and days until a date — with the movable clock (17:30 UTC, 24 Nov 2026).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from heron import Heron
from heron.store.models import User

if TYPE_CHECKING:
    from tests.conftest import MovableClock


async def ask(engine: Heron, user: User, text: str) -> str:
    return (await engine.ask(user, text)).reply


async def test_the_time_is_said_in_the_users_time_zone(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "what time is it") == "It's 6:30 PM."


async def test_the_time_follows_the_clock(engine: Heron, user: User, clock: MovableClock) -> None:
    clock.advance(minutes=75)

    assert await ask(engine, user, "what time is it") == "It's 7:45 PM."


async def test_the_date_is_todays_in_the_users_time_zone(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "what's the date") == "Today is Tuesday, November 24, 2026."


async def test_the_time_in_a_city_ahead_says_how_far_ahead_and_which_day(
    engine: Heron, user: User
) -> None:
    reply = await ask(engine, user, "what time is it in Tokyo")

    assert reply == "In Tokyo, Japan, it's 2:30 AM tomorrow (8 hours ahead of you)."


async def test_the_time_in_a_city_behind_says_how_far_behind(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "what time is it in New York")

    assert "12:30 PM" in reply
    assert "6 hours behind you" in reply


async def test_the_time_in_a_city_of_the_same_zone_says_so(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "what time is it in Paris")

    assert "6:30 PM (the same time as here)" in reply


async def test_the_time_in_a_city_is_relative_to_each_users_zone(engine: Heron) -> None:
    new_yorker, _ = await engine.create_user("bob", "America/New_York")

    reply = await ask(engine, new_yorker, "what time is it in Paris")

    assert "6:30 PM (6 hours ahead of you)" in reply


async def test_a_city_typed_without_its_accent_is_found(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "what time is it in Sao Paulo")

    assert reply == "In São Paulo, Brazil, it's 2:30 PM (4 hours behind you)."


async def test_a_country_means_the_time_in_its_capital(engine: Heron, user: User) -> None:
    assert "In Tokyo, Japan" in await ask(engine, user, "what time is it in Japan")


async def test_july_4_1976_was_a_sunday(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "what day was July 4 1976") == "July 4, 1976 was a Sunday."


async def test_days_until_a_date_are_counted_from_today(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "how many days until christmas")

    assert reply == "Friday, December 25, 2026 is in 31 days."


async def test_days_until_a_date_shrink_as_the_clock_moves(
    engine: Heron, user: User, clock: MovableClock
) -> None:
    clock.advance(days=7)

    assert "is in 24 days" in await ask(engine, user, "how many days until christmas")


async def test_days_since_a_past_date_are_counted(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "how many days since January 1 2026")

    assert reply == "Thursday, January 1, 2026 was 327 days ago."
