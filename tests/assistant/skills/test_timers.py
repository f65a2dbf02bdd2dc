"""Tests for heron/assistant/skills/timers.py: several timers, names, time left, pause,
resume, cancel — through the real engine, with the clock moved instead of waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from heron import Heron
from heron.store.models import User

if TYPE_CHECKING:
    from tests.conftest import MovableClock


async def ask(engine: Heron, user: User, text: str) -> str:
    return (await engine.ask(user, text)).reply


async def test_timer_asks_for_missing_duration(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "start a timer") == "For how long?"


async def test_a_timer_is_set_for_the_duration_said(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "set a timer for an hour and a half")

    assert reply == "OK, timer for 1 hour and 30 minutes, starting now."
    [timer] = await engine.timers(user)
    assert (timer["duration_s"], timer["state"], timer["name"]) == (5400, "running", None)
    assert timer["ends_at"] == "2026-11-24T19:00:00+00:00"


async def test_several_timers_run_at_once(engine: Heron, user: User) -> None:
    await ask(engine, user, "set a timer for 10 minutes")
    await ask(engine, user, "set a timer for 3 minutes")

    timers = await engine.timers(user)

    assert sorted(t["duration_s"] for t in timers) == [180, 600]
    assert {t["state"] for t in timers} == {"running"}


async def test_a_named_timer_keeps_its_name(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "set a pasta timer for 10 minutes")

    assert reply == "OK, pasta timer for 10 minutes, starting now."
    assert [t["name"] for t in await engine.timers(user)] == ["pasta"]


async def test_a_second_timer_with_the_same_name_is_refused(engine: Heron, user: User) -> None:
    await ask(engine, user, "set a tea timer for 3 minutes")

    reply = await ask(engine, user, "set a tea timer for 5 minutes")

    assert "already have a tea timer" in reply
    assert [t["duration_s"] for t in await engine.timers(user)] == [180]


async def test_a_timer_longer_than_a_week_is_refused(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "set a timer for 2 weeks")

    assert "up to a week" in reply
    assert await engine.timers(user) == []


async def test_time_left_moves_with_the_clock(
    engine: Heron, user: User, clock: MovableClock
) -> None:
    await ask(engine, user, "set a timer for 10 minutes")
    clock.advance(minutes=3)

    reply = await ask(engine, user, "how much time is left")

    assert reply == "7 minutes left on your 10 minute timer."


async def test_time_left_on_a_named_timer_names_only_that_one(
    engine: Heron, user: User, clock: MovableClock
) -> None:
    await ask(engine, user, "set a pasta timer for 10 minutes")
    await ask(engine, user, "set a tea timer for 4 minutes")
    clock.advance(minutes=1)

    reply = await ask(engine, user, "how much time is left on the tea timer")

    assert reply == "3 minutes left on your tea timer."


async def test_listing_timers_says_each_and_its_time_left(engine: Heron, user: User) -> None:
    await ask(engine, user, "set a pasta timer for 10 minutes")
    await ask(engine, user, "set a tea timer for 3 minutes")

    reply = await ask(engine, user, "list my timers")

    assert reply.startswith("You have 2 timers")
    assert "tea timer with 3 minutes left" in reply
    assert "pasta timer with 10 minutes left" in reply


async def test_pause_keeps_the_remaining_time_while_the_clock_moves(
    engine: Heron, user: User, clock: MovableClock
) -> None:
    await ask(engine, user, "set a tea timer for 10 minutes")
    clock.advance(minutes=2)
    assert await ask(engine, user, "pause the tea timer") == (
        "Paused your tea timer with 8 minutes left."
    )

    clock.advance(minutes=30)

    [timer] = await engine.timers(user)
    assert (timer["state"], timer["remaining_s"]) == ("paused", 480)
    assert await ask(engine, user, "how much time is left") == (
        "8 minutes left on your tea timer (paused)."
    )


async def test_resume_continues_from_the_time_left_at_pause(
    engine: Heron, user: User, clock: MovableClock
) -> None:
    await ask(engine, user, "set a tea timer for 10 minutes")
    clock.advance(minutes=2)
    await ask(engine, user, "pause the tea timer")
    clock.advance(minutes=30)

    reply = await ask(engine, user, "resume the tea timer")
    clock.advance(minutes=1)

    assert reply == "Resumed your tea timer: 8 minutes left."
    [timer] = await engine.timers(user)
    assert (timer["state"], timer["remaining_s"]) == ("running", 420)


async def test_cancel_stops_the_named_timer_only(engine: Heron, user: User) -> None:
    await ask(engine, user, "set a pasta timer for 10 minutes")
    await ask(engine, user, "set a tea timer for 3 minutes")

    reply = await ask(engine, user, "cancel the pasta timer")

    assert reply == "Cancelled your pasta timer."
    assert [t["name"] for t in await engine.timers(user)] == ["tea"]


async def test_cancel_without_a_name_stops_the_only_timer(engine: Heron, user: User) -> None:
    await ask(engine, user, "set a timer for 10 minutes")

    reply = await ask(engine, user, "cancel the timer")

    assert reply == "Cancelled your 10 minute timer."
    assert await engine.timers(user) == []


async def test_cancel_all_stops_every_timer(engine: Heron, user: User) -> None:
    await ask(engine, user, "set a pasta timer for 10 minutes")
    await ask(engine, user, "set a tea timer for 3 minutes")

    reply = await ask(engine, user, "cancel all my timers")

    assert reply == "Cancelled 2 timers."
    assert await engine.timers(user) == []


async def test_two_timers_and_no_name_asks_which_one(engine: Heron, user: User) -> None:
    await ask(engine, user, "set a pasta timer for 10 minutes")
    await ask(engine, user, "set a tea timer for 3 minutes")

    reply = await ask(engine, user, "pause the timer")

    assert reply == "You have 2 timers running: tea timer and pasta timer. Which one?"
    assert {t["state"] for t in await engine.timers(user)} == {"running"}


async def test_pausing_with_no_timer_says_so(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "pause the timer") == "You don't have a timer running."


async def test_time_left_after_a_timer_rang_says_how_long_ago(
    engine: Heron, user: User, clock: MovableClock
) -> None:
    await ask(engine, user, "set a tea timer for 1 minute")
    clock.advance(minutes=1)
    await engine.scheduler.fire_due()
    clock.advance(minutes=2)

    reply = await ask(engine, user, "how much time is left")

    assert reply == "Your tea timer finished 2 minutes ago."


async def test_a_timer_lasts_its_duration_across_the_autumn_clock_change(
    engine: Heron, user: User, clock: MovableClock
) -> None:
    # 02:30 summer time in Paris; at 03:00 the clocks go back to 02:00.
    clock.now = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)

    await ask(engine, user, "set a timer for 1 hour")

    [timer] = await engine.timers(user)
    assert timer["ends_at"] == "2026-10-25T01:30:00+00:00"
    assert timer["remaining_s"] == 3600


async def test_put_the_timer_on_hold_pauses_it(engine: Heron, user: User) -> None:
    await ask(engine, user, "set a timer for 10 minutes")

    await ask(engine, user, "put the timer on hold")

    assert [t["state"] for t in await engine.timers(user)] == ["paused"]
