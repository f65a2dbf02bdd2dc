"""Time and date: the time here or in a city, the date, the weekday of a date, days until."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from heron.assistant.phrasing import count
from heron.assistant.skill import Context, Request, Response, Skill
from heron.errors import NotFound
from heron.language.intents import Intent, SlotSpec

_CITY = SlotSpec("city", "city", required=True, prompt="In which city?")
_DATE = SlotSpec("date", "date", required=True, prompt="Which date?")


def _clock(moment: datetime) -> str:
    return moment.strftime("%I:%M %p").lstrip("0")


def _day(value: date) -> str:
    return f"{value.strftime('%A, %B')} {value.day}, {value.year}"


async def handle(request: Request, context: Context) -> Response:
    now = request.now
    if request.intent == "time.now":
        return Response(f"It's {_clock(now)}.", data={"time": now.isoformat()})
    if request.intent == "time.date":
        return Response(f"Today is {_day(now.date())}.", data={"date": now.date().isoformat()})
    if request.intent == "time.in_city":
        city = request.slots["city"]
        there = now.astimezone(ZoneInfo(city["timezone"]))
        there_offset, here_offset = there.utcoffset(), now.utcoffset()
        assert there_offset is not None and here_offset is not None
        hours = (there_offset - here_offset).total_seconds() / 3600
        if hours == 0:
            relation = "the same time as here"
        else:
            ahead = "ahead of" if hours > 0 else "behind"
            amount = abs(hours)
            said = f"{amount:g} hour{'s' if amount != 1 else ''}"
            relation = f"{said} {ahead} you"
        day = ""
        if there.date() != now.date():
            day = " tomorrow" if there.date() > now.date() else " yesterday"
        return Response(
            f"In {city['name']}, {city['country']}, it's {_clock(there)}{day} ({relation}).",
            data={"time": there.isoformat(), "timezone": city["timezone"], "city": city["name"]},
        )
    target = date.fromisoformat(request.slots["date"])
    today = now.date()
    if request.intent == "date.weekday":
        verb = "was" if target < today else ("is" if target == today else "will be")
        said = f"{target.strftime('%B')} {target.day}, {target.year}"
        return Response(
            f"{said} {verb} a {target.strftime('%A')}.",
            data={"date": target.isoformat(), "weekday": target.strftime("%A")},
        )
    if request.intent in ("date.until", "date.since"):
        days = (target - today).days
        if days == 0:
            text = f"{_day(target)} is today."
        elif days > 0:
            text = f"{_day(target)} is in {count(days, 'day')}."
        else:
            text = f"{_day(target)} was {count(-days, 'day')} ago."
        return Response(text, data={"date": target.isoformat(), "days": days})
    raise NotFound(f"clock has no intent {request.intent}")


skill = Skill(
    name="clock",
    description="Time and date: here or in another city, weekdays of dates, days until a date.",
    examples=(
        "what time is it in Tokyo?",
        "what day was July 4 1976?",
        "how many days until christmas?",
    ),
    intents=(
        Intent(
            "time.now",
            templates=(
                "what time [of day] is it [right now|now]",
                "what is the time",
                "[tell me] the time",
                "(do you know|can you tell me) (what time it is|the time)",
                "what is the current time",
            ),
            examples=(
                "time please",
                "current time",
                "have you got the time",
                "what hour is it",
                "tell me the current time",
                "what does the clock say",
                "is it late",
            ),
        ),
        Intent(
            "time.date",
            templates=(
                "what (is|day is) (the date|today|it) [today]",
                "what is (the date|today's date|todays date) [today]",
                "what is today",
                "what day is it [today]",
                "(tell me|what is) the date",
                "what date is it [today]",
            ),
            examples=(
                "today's date",
                "which day is it",
                "what is the date today",
                "what day of the month is it",
                "what's today's date",
                "which day of the week is it",
            ),
        ),
        Intent(
            "time.in_city",
            templates=(
                "what time is it in {city}",
                "what is the time in {city}",
                "[what is the] [current|local] time in {city}",
                "(tell me|do you know) the time in {city}",
                "what time is it (over there|there) in {city}",
            ),
            slots=(_CITY,),
            examples=(
                "time zone of a city",
                "local time abroad",
                "what time is it over there",
                "what's the current time in another country",
            ),
        ),
        Intent(
            "date.weekday",
            templates=(
                "what day [of the week] (was|is|will be|will it be|is it) {date}",
                "(which|what) (day|weekday) (was|is|will be|does|did) {date} [fall on|on]",
                "(was|is) {date} a (monday|tuesday|wednesday|thursday|friday|saturday|sunday"
                "|weekday|weekend)",
                "on what day (was|is|will be|does) {date} [fall]",
            ),
            slots=(_DATE,),
        ),
        Intent(
            "date.until",
            templates=(
                "how many days (until|till|to|before|left until|are left until|is it until"
                "|is it to) {date}",
                "how (long|many days) (until|till|to|before) {date}",
                "how long is it (until|till|to) {date}",
                "days (until|till|to) {date}",
            ),
            slots=(_DATE,),
        ),
        Intent(
            "date.since",
            templates=(
                "how many days (since|ago was|have passed since|has it been since) {date}",
                "how long (ago was|since|has it been since) {date}",
                "days since {date}",
            ),
            slots=(_DATE,),
        ),
    ),
    handle=handle,
)
