"""Durations, dates and times in the words people use.

"one and a half hours", "in 20 minutes", "tomorrow at 9am", "every Monday at 8",
"July 4 1976", "half past seven". Absolute dates that the small grammar here does not know
fall back to `dateparser`; recurrences are RFC 5545 rules read by `dateutil.rrule`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from fractions import Fraction

import dateparser
from dateutil.rrule import rrulestr

from heron.language.numbers import parse_number, parse_ordinal

UNIT_SECONDS = {
    "second": 1, "seconds": 1, "sec": 1, "secs": 1, "s": 1,
    "minute": 60, "minutes": 60, "min": 60, "mins": 60, "m": 60,
    "hour": 3600, "hours": 3600, "hr": 3600, "hrs": 3600, "h": 3600,
    "day": 86400, "days": 86400,
    "week": 604800, "weeks": 604800,
}  # fmt: skip
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAY_ALIASES = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
                   "fri": 4, "sat": 5, "sun": 6}  # fmt: skip
RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]  # fmt: skip
MONTH_ALIASES = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
HOLIDAYS = {
    "christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
    "new year": (1, 1), "new years": (1, 1), "new years day": (1, 1),
    "new years eve": (12, 31), "halloween": (10, 31), "valentines day": (2, 14),
    "valentines": (2, 14), "independence day": (7, 4),
}  # fmt: skip
DEFAULT_TIME = time(9, 0)
PERIOD_HINTS = {"morning": "am", "afternoon": "pm", "evening": "pm", "night": "pm",
                "tonight": "pm"}  # fmt: skip

Tokens = tuple[str, ...] | list[str]


# --- durations -------------------------------------------------------------------------


def parse_duration(tokens: Tokens) -> float | None:
    """Seconds in "1 hour and 15 minutes", "an hour and a half", "90 secs", "half an hour"."""
    words = [t for t in tokens if t != ","]
    if not words:
        return None
    total = Fraction(0)
    i = 0
    parts = 0
    last_unit = 0
    while i < len(words):
        if words[i] == "and" and parts:
            # "an hour and a half" / "2 minutes and a half": a fraction of the last unit
            rest = words[i + 1 :]
            if rest in (["a", "half"], ["half"]) and last_unit:
                total += Fraction(last_unit, 2)
                return float(total)
            i += 1
            continue
        # "half an hour", "(a) quarter of an hour"
        if words[i] in ("a", "an") and i + 1 < len(words) and words[i + 1] in ("half", "quarter"):
            i += 1
        if words[i] in ("half", "quarter") and i + 2 < len(words) + 1:
            fraction = Fraction(1, 2) if words[i] == "half" else Fraction(1, 4)
            j = i + 1
            if j < len(words) and words[j] == "of":
                j += 1
            if j < len(words) and words[j] in ("a", "an"):
                j += 1
            if j < len(words) and words[j] in UNIT_SECONDS:
                last_unit = UNIT_SECONDS[words[j]]
                total += fraction * last_unit
                parts += 1
                i = j + 1
                continue
        # number words then a unit, e.g. "one and a half hours", "2.5 hours", "a couple of minutes"
        for j in range(len(words), i, -1):
            if j < len(words) and words[j] in UNIT_SECONDS:
                amount = parse_number(words[i:j])
                if amount is not None and amount > 0:
                    last_unit = UNIT_SECONDS[words[j]]
                    total += amount * last_unit
                    parts += 1
                    i = j + 1
                    break
        else:
            # "10 minute" written together as "10m"/"5min"
            match = re.fullmatch(r"(\d+(?:\.\d+)?)(s|sec|secs|m|min|mins|h|hr|hrs)", words[i])
            if match:
                last_unit = UNIT_SECONDS[match.group(2)]
                total += Fraction(match.group(1)) * last_unit
                parts += 1
                i += 1
                continue
            return None
    return float(total) if parts and total > 0 else None


def later(now: datetime, seconds: float) -> datetime:
    """`seconds` of real time after `now`, in `now`'s zone (right across clock changes)."""
    return (now.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(now.tzinfo)


def say_duration(seconds: float, *, adjective: bool = False) -> str:
    """ "7 minutes", "1 hour and 30 minutes", "45 seconds" — rounded to what is worth saying.

    As an adjective the units stay singular: "a 7 minute timer".
    """
    seconds = round(seconds)
    if seconds <= 0:
        return "0 seconds"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []

    def unit(amount: int, name: str) -> str:
        return f"{amount} {name}{'s' if amount != 1 and not adjective else ''}"

    for amount, name in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if amount:
            parts.append(unit(amount, name))
    if secs and (not days and not hours and minutes < 10):
        parts.append(unit(secs, "second"))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --- clock times -----------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    hour: int
    minute: int
    meridiem: str | None
    """"am", "pm" or None when the words did not say."""


def _hour_minute(words: list[str]) -> tuple[int, int] | None:
    if len(words) == 1:
        match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", words[0])
        if match:
            return int(match.group(1)), int(match.group(2) or 0)
        if re.fullmatch(r"\d{3,4}", words[0]) and len(words[0]) == 4:  # "0930", military
            return int(words[0][:2]), int(words[0][2:])
    number = parse_number(words) if words and words[0] not in ("a", "an") else None
    if number is not None and number.denominator == 1 and 0 <= number <= 24:
        return int(number), 0
    # "seven thirty", "9 45", "seven oh five"
    for split in range(1, len(words)):
        hour = parse_number(words[:split])
        rest = words[split:]
        if rest and rest[0] in ("oh", "o"):
            rest = rest[1:]
        minute = parse_number(rest) if rest else None
        if (
            hour is not None
            and minute is not None
            and hour.denominator == 1
            and minute.denominator == 1
            and 0 <= hour <= 24
            and 0 <= minute < 60
            and (len(rest) < len(words[split:]) or minute >= 10)
        ):
            return int(hour), int(minute)
    return None


def parse_clock(tokens: Tokens) -> Clock | None:
    words = list(tokens)
    if words and words[0] in ("at", "by", "around", "for"):
        words = words[1:]
    if not words:
        return None
    meridiem: str | None = None
    if words[-1] == "o'clock":
        words = words[:-1]
    # trailing period words: "in the morning", "at night", "tonight"
    for tail, hint in (
        (["in", "the", "morning"], "am"),
        (["in", "the", "afternoon"], "pm"),
        (["in", "the", "evening"], "pm"),
        (["at", "night"], "pm"),
        (["tonight"], "pm"),
        (["this", "morning"], "am"),
        (["this", "afternoon"], "pm"),
        (["this", "evening"], "pm"),
    ):
        if len(words) > len(tail) and words[-len(tail) :] == tail:
            words = words[: -len(tail)]
            meridiem = hint
            break
    if words and words[-1] in ("am", "pm", "a", "p"):
        if words[-1] in ("a", "p") and len(words) > 1:
            meridiem = words[-1] + "m"
        elif words[-1] in ("am", "pm"):
            meridiem = words[-1]
        if meridiem and len(words) > 1:
            words = words[:-1]
    if len(words) == 1:
        match = re.fullmatch(r"(\d{1,2}(?::\d{2})?)(am|pm)", words[0])
        if match:
            words, meridiem = [match.group(1)], match.group(2)
    if words in (["noon"], ["midday"]):
        return Clock(12, 0, "pm")
    if words == ["midnight"]:
        return Clock(0, 0, "am")
    # "half past 7", "quarter to 8", "10 past 6", "20 to 9"
    for joiner in ("past", "after", "to", "before"):
        if joiner in words:
            index = words.index(joiner)
            head, base = words[:index], _hour_minute(words[index + 1 :])
            if base is None or base[1] != 0:
                return None
            if head in (["half"],):
                minutes = 30
            elif head in (["quarter"], ["a", "quarter"]):
                minutes = 15
            else:
                number = parse_number([w for w in head if w not in ("minutes", "minute")])
                if number is None or number.denominator != 1 or not 0 < number < 60:
                    return None
                minutes = int(number)
            hour = base[0]
            if joiner in ("to", "before"):
                hour, minutes = (hour - 1) % 24, 60 - minutes
            return Clock(hour, minutes, meridiem)
    found = _hour_minute(words)
    if found is None:
        return None
    hour, minute = found
    if not (0 <= hour <= 24 and 0 <= minute < 60):
        return None
    if meridiem and not 1 <= hour <= 12:
        return None
    if hour > 12 or hour == 0 or (len(words) == 1 and ":" in words[0] and words[0][0] == "0"):
        meridiem = None if hour > 12 or hour == 0 else meridiem
        return Clock(hour % 24, minute, "24h")
    return Clock(hour, minute, meridiem)


def _afternoon(clock: Clock) -> bool:
    """Without am/pm, "at 5" on another day means 5 PM but "at 6:30" means the morning."""
    return 1 <= clock.hour <= 5


def _clock_candidates(clock: Clock) -> list[time]:
    if clock.meridiem == "24h":
        return [time(clock.hour % 24, clock.minute)]
    if clock.meridiem == "am":
        return [time(clock.hour % 12, clock.minute)]
    if clock.meridiem == "pm":
        return [time(clock.hour % 12 + 12, clock.minute)]
    return [time(clock.hour % 12, clock.minute), time(clock.hour % 12 + 12, clock.minute)]


# --- days ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    hint: str | None = None
    """"am"/"pm" when the words imply a part of the day ("tonight", "tomorrow morning")."""


def _month(word: str) -> int | None:
    if word in MONTHS:
        return MONTHS.index(word) + 1
    return MONTH_ALIASES.get(word)


def _weekday(word: str) -> int | None:
    if word in WEEKDAYS:
        return WEEKDAYS.index(word)
    if word.endswith("s") and word[:-1] in WEEKDAYS:
        return WEEKDAYS.index(word[:-1])
    return WEEKDAY_ALIASES.get(word)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_calendar_date(tokens: Tokens, today: date, *, future: bool = True) -> date | None:
    """A calendar date: "July 4 1976", "the 4th of July", "2026-12-25", "christmas"."""
    words = [w for w in tokens if w not in (",",)]
    if words and words[0] in ("on", "the"):
        words = words[1:]
    if words and words[0] == "the":
        words = words[1:]
    if not words:
        return None
    joined = " ".join(words)
    if joined in HOLIDAYS:
        holiday = date(today.year, *HOLIDAYS[joined])
        if future and holiday < today:
            return holiday.replace(year=today.year + 1)
        return holiday
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", "".join(words))
    if iso:
        return _safe_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    year: int | None = None
    if len(words) >= 2 and re.fullmatch(r"\d{4}", words[-1]):
        year = int(words[-1])
        words = words[:-1]
    month: int | None = None
    day: int | None = None
    if len(words) == 2 and _month(words[0]) and parse_ordinal(words[1]):
        month, day = _month(words[0]), parse_ordinal(words[1])
    elif len(words) == 3 and _month(words[0]) and words[1] == "the" and parse_ordinal(words[2]):
        month, day = _month(words[0]), parse_ordinal(words[2])
    elif len(words) == 2 and parse_ordinal(words[0]) and _month(words[1]):
        month, day = _month(words[1]), parse_ordinal(words[0])
    elif len(words) == 3 and parse_ordinal(words[0]) and words[1] == "of" and _month(words[2]):
        month, day = _month(words[2]), parse_ordinal(words[0])
    if month and day:
        if year is not None:
            return _safe_date(year, month, day)
        this_year = _safe_date(today.year, month, day)
        if this_year is not None and future and this_year < today:
            return _safe_date(today.year + 1, month, day)
        return this_year
    # Anything else with a month name or a numeric date: let dateparser try, dates only.
    datelike = all(
        _month(w) or _weekday(w) is not None or parse_ordinal(w) or w in ("of", "the")
        for w in words
    )
    if (datelike and any(_month(w) for w in words)) or re.fullmatch(
        r"\d{1,2}/\d{1,2}(/\d{2,4})?", "".join(words)
    ):
        text = joined + (f" {year}" if year else "")
        parsed = dateparser.parse(
            text,
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": "future" if future else "current_period",
                "RELATIVE_BASE": datetime.combine(today, time(12)),
                "REQUIRE_PARTS": ["day", "month"],
            },
        )
        return parsed.date() if parsed else None
    return None


def parse_day(tokens: Tokens, today: date) -> Day | None:
    words = list(tokens)
    if words and words[0] in ("on", "for", "by"):
        words = words[1:]
    if not words:
        return None
    hint = None
    if len(words) > 1 and words[-1] in PERIOD_HINTS:
        hint = PERIOD_HINTS[words[-1]]
        words = words[:-1]
    if words == ["today"]:
        return Day(today, hint)
    if words == ["tonight"]:
        return Day(today, "pm")
    if words == ["tomorrow"]:
        return Day(today + timedelta(days=1), hint)
    if words in (["the", "day", "after", "tomorrow"], ["day", "after", "tomorrow"]):
        return Day(today + timedelta(days=2), hint)
    qualifier = None
    if words[0] in ("next", "this", "coming") and len(words) == 2:
        qualifier, words = words[0], words[1:]
    if len(words) == 1 and _weekday(words[0]) is not None:
        ahead = (_weekday(words[0]) - today.weekday()) % 7  # type: ignore[operator]
        if qualifier == "next" and ahead == 0:
            ahead = 7
        return Day(today + timedelta(days=ahead), hint)
    if qualifier:
        return None
    found = parse_calendar_date(words, today)
    return Day(found, hint) if found else None


# --- points in time --------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A resolved point in time, and the rule it repeats by (None for a one-off)."""

    at: datetime
    recurrence: str | None = None
    time_given: bool = True

    def to_slot(self) -> dict[str, object]:
        return {"at": self.at.isoformat(), "recurrence": self.recurrence}


def _combine(day: date, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def _at(
    day: Day | None, clock: Clock | None, now: datetime, *, morning: bool = False
) -> When | None:
    zone = now.tzinfo
    if zone is None:
        raise ValueError("parse times against an aware 'now'")
    today = now.date()
    if clock is None:
        if day is None:
            return None
        if day.hint == "pm" and day.day == today:
            return When(_combine(day.day, time(20, 0), zone), time_given=False)
        return When(_combine(day.day, DEFAULT_TIME, zone), time_given=False)
    candidates = _clock_candidates(clock)
    if morning and len(candidates) == 2 and (day is None or not day.hint):
        # An alarm "at 7" wakes you at 7 AM, even when 7 PM comes sooner.
        candidates = [candidates[0]]
    if day is not None and len(candidates) == 2:
        if day.hint:
            candidates = [candidates[0] if day.hint == "am" else candidates[1]]
        elif day.day != today:
            # "tomorrow at 9" means the morning; "tomorrow at 5" the afternoon.
            candidates = [candidates[1] if _afternoon(clock) else candidates[0]]
    days = [day.day] if day is not None else [today, today + timedelta(days=1)]
    for when_day in days:
        for candidate in candidates:
            at = _combine(when_day, candidate, zone)
            if at > now or day is not None:
                return When(at)
    return None


def parse_recurrence(tokens: Tokens, now: datetime) -> When | None:
    words = list(tokens)
    if not words:
        return None
    byday: list[str] = []
    freq = None
    rest: list[str] = []
    if words[0] in ("daily",):
        freq, rest = "DAILY", words[1:]
    elif words[0] in ("every", "each") and len(words) > 1:
        body = words[1:]
        if body[0] in ("day", "night", "morning", "evening"):
            freq, rest = "DAILY", body[1:]
            if body[0] in ("night", "evening") and not rest:
                rest = ["at", "8", "pm"]
            hint = {"morning": "am", "evening": "pm", "night": "pm"}.get(body[0])
            if hint and rest and rest[-1] not in ("am", "pm"):
                rest = [*rest, hint]
        elif body[0] in ("weekday", "weekdays"):
            freq, byday, rest = "WEEKLY", RRULE_DAYS[:5], body[1:]
        elif body[0] in ("weekend", "weekends"):
            freq, byday, rest = "WEEKLY", RRULE_DAYS[5:], body[1:]
        else:
            i = 0
            while i < len(body) and (_weekday(body[i]) is not None or body[i] in ("and", ",")):
                weekday = _weekday(body[i])
                if weekday is not None:
                    byday.append(RRULE_DAYS[weekday])
                i += 1
            if not byday:
                return None
            freq, rest = "WEEKLY", body[i:]
    else:
        return None
    clock = parse_clock(rest) if rest else None
    if rest and clock is None:
        return None
    when_time = DEFAULT_TIME
    if clock is not None:
        candidates = _clock_candidates(clock)
        when_time = candidates[1] if len(candidates) == 2 and _afternoon(clock) else candidates[0]
    rule = f"FREQ={freq}"
    if byday:
        rule += ";BYDAY=" + ",".join(byday)
    rule += f";BYHOUR={when_time.hour};BYMINUTE={when_time.minute};BYSECOND=0"
    first = next_occurrence(rule, now)
    return When(first, rule) if first else None


def next_occurrence(rule: str, after: datetime) -> datetime | None:
    """The first time `rule` (in `after`'s time zone) happens strictly after `after`."""
    zone = after.tzinfo
    local = after.replace(microsecond=0)
    start = local.replace(tzinfo=None)
    found = rrulestr(rule, dtstart=start).after(start)
    return found.replace(tzinfo=zone) if found else None


def parse_when(tokens: Tokens, now: datetime, *, morning: bool = False) -> When | None:
    """A point in time: "in 20 minutes", "tomorrow at 9am", "at noon", "every monday at 8".

    `morning`: a clock time without am/pm means the morning (for alarms).
    """
    words = list(tokens)
    if not words:
        return None
    if words[0] in ("every", "each", "daily"):
        return parse_recurrence(words, now)
    if words[0] in ("in", "after") and len(words) > 1:
        seconds = parse_duration(words[1:])
        return When(later(now, seconds)) if seconds else None
    if len(words) > 2 and words[-2:] == ["from", "now"]:
        seconds = parse_duration(words[:-2])
        return When(later(now, seconds)) if seconds else None
    today = now.date()
    clock = parse_clock(words)
    if clock is not None:
        return _at(None, clock, now, morning=morning)
    day = parse_day(words, today)
    if day is not None:
        return _at(day, None, now)
    # A day and a clock time, in either order: "tomorrow at 9", "at 9 tomorrow".
    for split in range(1, len(words)):
        head, tail = words[:split], words[split:]
        for day_words, clock_words in ((head, tail), (tail, head)):
            day = parse_day(day_words, today)
            if day is None:
                continue
            clock = parse_clock(clock_words)
            if clock is not None:
                return _at(day, clock, now, morning=morning)
    return None


def describe_when(at: datetime, now: datetime) -> str:
    """ "at 9:00 AM", "tomorrow at 9:00 AM", "on Monday, December 1 at 8:00 AM"."""
    local_now = now.astimezone(at.tzinfo)
    clock = at.strftime("%I:%M %p").lstrip("0")
    delta = (at.date() - local_now.date()).days
    if delta == 0:
        return f"today at {clock}"
    if delta == 1:
        return f"tomorrow at {clock}"
    if 1 < delta < 7:
        return f"on {at.strftime('%A')} at {clock}"
    return f"on {at.strftime('%A, %B')} {at.day}, {at.year} at {clock}"


def describe_recurrence(rule: str) -> str:
    fields = dict(part.split("=", 1) for part in rule.split(";"))
    clock = time(int(fields.get("BYHOUR", 9)), int(fields.get("BYMINUTE", 0)))
    said = clock.strftime("%I:%M %p").lstrip("0")
    days = fields.get("BYDAY")
    if fields.get("FREQ") == "DAILY" or not days:
        return f"every day at {said}"
    names = [WEEKDAYS[RRULE_DAYS.index(d)].capitalize() for d in days.split(",")]
    if names == [w.capitalize() for w in WEEKDAYS[:5]]:
        return f"every weekday at {said}"
    if names == [w.capitalize() for w in WEEKDAYS[5:]]:
        return f"every weekend day at {said}"
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"every {joined} at {said}"
