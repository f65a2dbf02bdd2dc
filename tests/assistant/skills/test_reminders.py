"""Tests for heron/assistant/skills/reminders.py: one-off and weekly reminders in the user's
time zone, listing and deleting them — through the real engine and store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from heron import Heron
from heron.store.models import User

if TYPE_CHECKING:
    from tests.conftest import MovableClock

WEEKLY_MONDAY_8 = "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0;BYSECOND=0"


async def ask(engine: Heron, user: User, text: str) -> str:
    return (await engine.ask(user, text)).reply


async def test_a_reminder_is_set_for_tomorrow_morning_in_the_users_time_zone(
    engine: Heron, user: User
) -> None:
    reply = await ask(engine, user, "remind me to call mom tomorrow at 9am")

    assert reply == "OK, I'll remind you to call mom tomorrow at 9:00 AM."
    [reminder] = await engine.reminders(user)
    assert (reminder["text"], reminder["kind"]) == ("call mom", "reminder")
    assert reminder["due_at"] == "2026-11-25T09:00:00+01:00"
    assert reminder["recurrence"] is None


async def test_tomorrow_at_9am_follows_each_users_own_time_zone(engine: Heron) -> None:
    new_yorker, _ = await engine.create_user("bob", "America/New_York")

    await ask(engine, new_yorker, "remind me to call mom tomorrow at 9am")

    [reminder] = await engine.reminders(new_yorker)
    assert reminder["due_at"] == "2026-11-25T09:00:00-05:00"


async def test_every_monday_at_8_makes_a_weekly_rule(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "remind me every Monday at 8 to take out the bins")

    assert reply == "OK, I'll remind you to take out the bins every Monday at 8:00 AM."
    [reminder] = await engine.reminders(user)
    assert reminder["recurrence"] == WEEKLY_MONDAY_8
    assert reminder["due_at"] == "2026-11-30T08:00:00+01:00"
    assert reminder["text"] == "take out the bins"


async def test_a_weekly_reminder_moves_to_next_week_after_it_fires(
    engine: Heron, user: User, clock: MovableClock
) -> None:
    await ask(engine, user, "remind me every Monday at 8 to take out the bins")
    clock.now = datetime(2026, 11, 30, 7, 0, 1, tzinfo=UTC)  # 08:00:01 in Paris

    fired = await engine.scheduler.fire_due()

    assert [event["text"] for event in fired] == ["Reminder: take out the bins."]
    [reminder] = await engine.reminders(user)
    assert reminder["due_at"] == "2026-12-07T08:00:00+01:00"


async def test_a_time_already_past_is_refused(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "remind me to water the plants today at 9am")

    assert "already passed" in reply
    assert await engine.reminders(user) == []


async def test_listing_reminders_numbers_them_soonest_first(engine: Heron, user: User) -> None:
    await ask(engine, user, "remind me every Monday at 8 to take out the bins")
    await ask(engine, user, "remind me to call mom tomorrow at 9am")

    reply = await ask(engine, user, "what are my reminders")

    assert reply.startswith("You have 2 reminders.")
    assert reply.index("1: call mom tomorrow at 9:00 AM") < reply.index(
        "2: take out the bins every Monday at 8:00 AM"
    )


async def test_listing_no_reminders_says_so(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "what are my reminders") == "You have no reminders."


async def test_a_reminder_is_deleted_by_its_number(engine: Heron, user: User) -> None:
    await ask(engine, user, "remind me to call mom tomorrow at 9am")
    await ask(engine, user, "remind me every Monday at 8 to take out the bins")

    reply = await ask(engine, user, "delete reminder 1")

    assert reply == "Deleted call mom tomorrow at 9:00 AM."
    assert [r["text"] for r in await engine.reminders(user)] == ["take out the bins"]


async def test_a_reminder_is_deleted_by_what_it_is_about(engine: Heron, user: User) -> None:
    await ask(engine, user, "remind me to call mom tomorrow at 9am")
    await ask(engine, user, "remind me every Monday at 8 to take out the bins")

    await ask(engine, user, "delete the reminder to take out the bins")

    assert [r["text"] for r in await engine.reminders(user)] == ["call mom"]


async def test_deleting_without_saying_which_of_two_asks_which_one(
    engine: Heron, user: User
) -> None:
    await ask(engine, user, "remind me to call mom tomorrow at 9am")
    await ask(engine, user, "remind me every Monday at 8 to take out the bins")

    reply = await ask(engine, user, "delete the reminder")

    assert "Which one?" in reply
    assert len(await engine.reminders(user)) == 2


async def test_deleting_a_number_that_does_not_exist_says_so(engine: Heron, user: User) -> None:
    await ask(engine, user, "remind me to call mom tomorrow at 9am")

    reply = await ask(engine, user, "delete reminder 5")

    assert reply == "I couldn't find that reminder."
    assert len(await engine.reminders(user)) == 1
