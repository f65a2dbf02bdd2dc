"""Tests for heron/language/times.py: durations, clock times, dates, points in time and rules.

`NOW` is Tuesday 24 November 2026, 18:30 in Paris: late enough that "at 6" has passed today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from heron.language.normalize import tokenize
from heron.language.times import (
    Clock,
    When,
    describe_recurrence,
    describe_when,
    next_occurrence,
    parse_calendar_date,
    parse_clock,
    parse_duration,
    parse_when,
    say_duration,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 18, 30, tzinfo=PARIS)
TODAY = NOW.date()


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def when(text: str, now: datetime = NOW) -> When:
    found = parse_when(tokenize(text), now)
    assert found is not None, f"{text!r} was not understood"
    return found


# --- durations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("an hour and a half", 5400),
        ("one and a half hours", 5400),
        ("1 hour and 15 minutes", 4500),
        ("1 hour, 30 minutes", 5400),
        ("half an hour", 1800),
        ("quarter of an hour", 900),
        ("2 minutes and a half", 150),
        ("90 secs", 90),
        ("2.5 hours", 9000),
        ("a couple of minutes", 120),
        ("twelve minutes", 720),
        ("two days", 172_800),
    ],
)
def test_spoken_durations_are_read_in_seconds(text: str, seconds: int) -> None:
    assert parse_duration(tokenize(text)) == seconds


@pytest.mark.parametrize(("text", "seconds"), [("10m", 600), ("5min", 300), ("1h30m", 5400)])
def test_durations_written_together_are_read(text: str, seconds: int) -> None:
    assert parse_duration(tokenize(text)) == seconds


def test_a_quarter_of_an_hour_is_fifteen_minutes() -> None:
    assert parse_duration(tokenize("a quarter of an hour")) == 900


@pytest.mark.parametrize("text", ["5", "minutes", "0 minutes", "banana minutes", ""])
def test_words_that_are_not_a_duration_give_none(text: str) -> None:
    assert parse_duration(tokenize(text)) is None


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (420, "7 minutes"),
        (5400, "1 hour and 30 minutes"),
        (45, "45 seconds"),
        (1, "1 second"),
        (125, "2 minutes and 5 seconds"),
        (90061, "1 day, 1 hour and 1 minute"),
        (299.6, "5 minutes"),
        (0, "0 seconds"),
    ],
)
def test_durations_are_said_in_words_worth_saying(seconds: float, said: str) -> None:
    assert say_duration(seconds) == said


def test_seconds_are_not_said_once_a_duration_is_ten_minutes_or_more() -> None:
    assert say_duration(659) == "10 minutes"


def test_a_duration_said_as_an_adjective_keeps_its_units_singular() -> None:
    assert say_duration(420, adjective=True) == "7 minute"


# --- clock times -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("7:30", Clock(7, 30, None)),
        ("7:30 pm", Clock(7, 30, "pm")),
        ("19:30", Clock(19, 30, "24h")),
        ("seven o'clock", Clock(7, 0, None)),
        ("half past 7", Clock(7, 30, None)),
        ("quarter to eight", Clock(7, 45, None)),
        ("twenty to nine", Clock(8, 40, None)),
        ("seven oh five", Clock(7, 5, None)),
        ("noon", Clock(12, 0, "pm")),
        ("midnight", Clock(0, 0, "am")),
    ],
)
def test_clock_times_are_read(text: str, clock: Clock) -> None:
    assert parse_clock(tokenize(text)) == clock


@pytest.mark.parametrize("text", ["13pm", "25", "banana"])
def test_impossible_clock_times_give_none(text: str) -> None:
    assert parse_clock(tokenize(text)) is None


# --- relative and absolute points in time ----------------------------------------------


def test_in_twenty_minutes_is_twenty_minutes_after_now() -> None:
    assert when("in 20 minutes").at == NOW + timedelta(minutes=20)


def test_in_an_hour_and_a_half_is_ninety_minutes_after_now() -> None:
    assert when("in an hour and a half").at == NOW + timedelta(minutes=90)


def test_twenty_minutes_from_now_is_twenty_minutes_after_now() -> None:
    assert when("20 minutes from now").at == NOW + timedelta(minutes=20)


def test_in_an_hour_across_the_autumn_clock_change_is_one_real_hour() -> None:
    # 02:30 summer time on 25 October 2026; the clocks go back at 03:00.
    now = datetime(2026, 10, 25, 0, 30, tzinfo=UTC).astimezone(PARIS)

    at = when("in 1 hour", now).at

    assert at.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=1)


def test_tomorrow_at_9am_is_tomorrow_morning_in_nows_time_zone() -> None:
    found = when("tomorrow at 9am")

    assert found.at == paris(2026, 11, 25, 9)
    assert found.at.utcoffset() == timedelta(hours=1)
    assert found.recurrence is None


def test_day_and_time_may_come_in_either_order() -> None:
    assert when("at 9 tomorrow").at == when("tomorrow at 9").at == paris(2026, 11, 25, 9)


def test_tomorrow_at_5_without_am_or_pm_means_the_afternoon() -> None:
    assert when("tomorrow at 5").at == paris(2026, 11, 25, 17)


def test_a_weekday_at_3_means_that_days_afternoon() -> None:
    assert when("friday at 3").at == paris(2026, 11, 27, 15)


def test_a_holiday_with_a_time_is_that_day_at_that_time() -> None:
    assert when("on christmas at 8am").at == paris(2026, 12, 25, 8)


def test_without_am_or_pm_the_next_matching_time_today_is_chosen() -> None:
    assert when("at 7").at == paris(2026, 11, 24, 19)


def test_a_time_already_past_today_rolls_to_tomorrow() -> None:
    assert when("at 6").at == paris(2026, 11, 25, 6)


def test_a_24_hour_time_already_past_today_rolls_to_tomorrow() -> None:
    assert when("at 18:00").at == paris(2026, 11, 25, 18)


def test_noon_already_past_today_is_noon_tomorrow() -> None:
    assert when("at noon").at == paris(2026, 11, 25, 12)


def test_am_chooses_the_morning_even_if_that_means_tomorrow() -> None:
    assert when("at 7am").at == paris(2026, 11, 25, 7)


def test_in_the_evening_chooses_pm() -> None:
    assert when("7 in the evening").at == paris(2026, 11, 24, 19)


def test_in_the_morning_chooses_am() -> None:
    assert when("at 8 in the morning").at == paris(2026, 11, 25, 8)


def test_pm_written_with_dots_and_a_space_is_understood() -> None:
    # Speech recognisers write "5 p.m.", which the tokenizer splits into "5 p m".
    assert when("at 5 p.m.").at == paris(2026, 11, 25, 17)


def test_tonight_without_a_time_is_8pm_and_says_no_time_was_given() -> None:
    found = when("tonight")

    assert found.at == paris(2026, 11, 24, 20)
    assert found.time_given is False


def test_tomorrow_without_a_time_defaults_to_9am() -> None:
    assert when("tomorrow").at == paris(2026, 11, 25, 9)


def test_next_tuesday_on_a_tuesday_is_a_week_away() -> None:
    assert when("next tuesday").at.date() == date(2026, 12, 1)


@pytest.mark.parametrize("text", ["banana", "at 25", "at 13pm", "in banana minutes"])
def test_words_that_are_not_a_time_give_none(text: str) -> None:
    assert parse_when(tokenize(text), NOW) is None


# --- recurrences -----------------------------------------------------------------------


def test_every_monday_at_8_is_a_weekly_rule_starting_next_monday_morning() -> None:
    found = when("every Monday at 8")

    assert found.recurrence == "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0;BYSECOND=0"
    assert found.at == paris(2026, 11, 30, 8)


def test_every_weekday_repeats_monday_to_friday() -> None:
    found = when("every weekday at 7am")

    assert found.recurrence is not None
    assert "BYDAY=MO,TU,WE,TH,FR" in found.recurrence
    assert found.at == paris(2026, 11, 25, 7)


def test_several_weekdays_share_one_rule() -> None:
    found = when("every tuesday and thursday at 5")

    assert found.recurrence == "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=17;BYMINUTE=0;BYSECOND=0"
    assert found.at == paris(2026, 11, 26, 17)


def test_every_day_is_a_daily_rule() -> None:
    found = when("every day at 6pm")

    assert found.recurrence == "FREQ=DAILY;BYHOUR=18;BYMINUTE=0;BYSECOND=0"
    assert found.at == paris(2026, 11, 25, 18)


def test_every_evening_without_a_time_is_8pm_daily() -> None:
    found = when("every evening")

    assert found.recurrence == "FREQ=DAILY;BYHOUR=20;BYMINUTE=0;BYSECOND=0"
    assert found.at == paris(2026, 11, 24, 20)


def test_next_occurrence_is_strictly_after_the_given_time() -> None:
    rule = "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"

    assert next_occurrence(rule, paris(2026, 11, 25, 9)) == paris(2026, 11, 26, 9)


def test_a_daily_rule_keeps_its_local_time_across_the_spring_clock_change() -> None:
    rule = "FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0"

    found = next_occurrence(rule, paris(2027, 3, 28, 9))

    assert found == paris(2027, 3, 29, 8)
    assert found is not None and found.utcoffset() == timedelta(hours=2)


# --- calendar dates --------------------------------------------------------------------


def test_a_full_date_with_a_year_is_that_date() -> None:
    assert parse_calendar_date(tokenize("July 4 1976"), TODAY) == date(1976, 7, 4)


def test_a_date_already_past_this_year_means_next_year() -> None:
    assert parse_calendar_date(tokenize("the 4th of July"), TODAY) == date(2027, 7, 4)


def test_a_past_date_is_kept_in_this_year_when_the_future_is_not_wanted() -> None:
    assert parse_calendar_date(tokenize("november 20"), TODAY, future=False) == date(2026, 11, 20)


def test_christmas_is_this_years_when_still_to_come() -> None:
    assert parse_calendar_date(tokenize("christmas"), TODAY) == date(2026, 12, 25)


def test_an_iso_date_is_read() -> None:
    assert parse_calendar_date(tokenize("2026-12-25"), TODAY) == date(2026, 12, 25)


def test_an_impossible_date_gives_none() -> None:
    assert parse_calendar_date(tokenize("february 30"), TODAY) is None


# --- saying times ----------------------------------------------------------------------


def test_a_time_tomorrow_is_described_as_tomorrow() -> None:
    assert describe_when(paris(2026, 11, 25, 9), NOW) == "tomorrow at 9:00 AM"


def test_a_time_later_today_is_described_as_today() -> None:
    assert describe_when(paris(2026, 11, 24, 19), NOW) == "today at 7:00 PM"


def test_a_time_this_week_is_described_by_its_weekday() -> None:
    assert describe_when(paris(2026, 11, 27, 15), NOW) == "on Friday at 3:00 PM"


def test_a_time_further_away_is_described_with_its_full_date() -> None:
    assert describe_when(paris(2026, 12, 25, 8), NOW) == "on Friday, December 25, 2026 at 8:00 AM"


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ("FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0;BYSECOND=0", "every Monday at 8:00 AM"),
        (
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=7;BYMINUTE=0;BYSECOND=0",
            "every weekday at 7:00 AM",
        ),
        (
            "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=10;BYMINUTE=30;BYSECOND=0",
            "every weekend day at 10:30 AM",
        ),
        (
            "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=17;BYMINUTE=0;BYSECOND=0",
            "every Tuesday and Thursday at 5:00 PM",
        ),
        ("FREQ=DAILY;BYHOUR=18;BYMINUTE=0;BYSECOND=0", "every day at 6:00 PM"),
    ],
)
def test_rules_are_described_in_words(rule: str, said: str) -> None:
    assert describe_recurrence(rule) == said
