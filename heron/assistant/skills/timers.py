"""Timers: several at once, optionally named; time left, pause, resume, cancel.

Timers live in the store, so they survive restarts; the scheduler rings them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from heron.assistant.phrasing import count, join_words
from heron.assistant.skill import Context, Request, Response, Skill
from heron.errors import BadInput, NotFound
from heron.language.intents import Intent, SlotSpec
from heron.language.times import say_duration
from heron.store.models import Timer
from heron.store.repositories import Timers

MAX_TIMER_S = 7 * 86400
_NAME = SlotSpec("name", "name")
_DURATION = SlotSpec("duration", "duration", required=True, prompt="For how long?")
_A_TIMER = "[a|the|my] [{name}] timer"


@dataclass(frozen=True)
class TimerInfo:
    id: int
    name: str | None
    duration_s: float
    state: str
    ends_at: datetime
    remaining_s: float


def info(timer: Timer, now: datetime) -> TimerInfo:
    return TimerInfo(
        id=timer.id,
        name=timer.name,
        duration_s=timer.duration_s,
        state=timer.state,
        ends_at=timer.ends_at,
        remaining_s=remaining(timer, now),
    )


def remaining(timer: Timer, now: datetime) -> float:
    if timer.state == "paused":
        return timer.remaining_s or 0.0
    if timer.state == "running":
        return max(0.0, (timer.ends_at - now).total_seconds())
    return 0.0


def pause(timer: Timer, now: datetime) -> None:
    if timer.state != "running":
        raise BadInput(f"the {label(timer)} is not running")
    timer.remaining_s = remaining(timer, now)
    timer.state = "paused"


def resume(timer: Timer, now: datetime) -> None:
    if timer.state != "paused":
        raise BadInput(f"the {label(timer)} is not paused")
    timer.ends_at = now.astimezone(UTC) + timedelta(seconds=timer.remaining_s or 0.0)
    timer.remaining_s = None
    timer.state = "running"


def cancel(timer: Timer) -> None:
    if timer.state not in ("running", "paused"):
        raise BadInput(f"the {label(timer)} has already {timer.state}")
    timer.state = "cancelled"


def label(timer: Timer) -> str:
    return (
        f"{timer.name} timer"
        if timer.name
        else f"{say_duration(timer.duration_s, adjective=True)} timer"
    )


async def _choose(timers: Timers, name: str | None, states: Sequence[str]) -> list[Timer]:
    active = [t for t in await timers.active() if t.state in states]
    if name:
        return [t for t in active if t.name == name]
    return active


def _which(found: list[Timer], name: str | None, doing: str) -> Timer | str:
    """The one timer meant, or what to say instead."""
    if not found:
        if name:
            return f"You don't have a {name} timer {doing}."
        return f"You don't have a timer {doing}."
    if len(found) > 1:
        labels = join_words([label(t) for t in found])
        return f"You have {len(found)} timers {doing}: {labels}. Which one?"
    return found[0]


async def handle(request: Request, context: Context) -> Response:
    timers = context.data.timers
    name = request.slots.get("name")
    now = request.now
    if request.intent == "timer.set":
        seconds = float(request.slots["duration"])
        if seconds > MAX_TIMER_S:
            return Response("Timers can run for up to a week. Try a reminder for longer.")
        if seconds < 1:
            return Response("That timer would be over before it started.")
        existing = [t for t in await timers.active() if name and t.name == name]
        if existing:
            return Response(f"You already have a {name} timer. Cancel it first or pick a new name.")
        timer = await timers.create(seconds, name, now)
        context.changed()
        said = say_duration(seconds)
        what = f"{name} timer for {said}" if name else f"timer for {said}"
        return Response(
            f"OK, {what}, starting now.",
            data={"timer": as_dict(info(timer, now))},
            remember={"name": name} if name else {},
        )
    if request.intent == "timer.remaining":
        found = await _choose(timers, name, ("running", "paused"))
        if not found:
            finished = next(
                (
                    t
                    for t in await timers.recent(5)
                    if t.state == "finished" and (not name or t.name == name)
                ),
                None,
            )
            if finished is not None and finished.fired_at is not None:
                ago = say_duration((now - finished.fired_at).total_seconds())
                return Response(f"Your {label(finished)} finished {ago} ago.")
            return Response(f"You don't have a {name + ' ' if name else ''}timer running.")
        parts = []
        for timer in found:
            left = say_duration(remaining(timer, now))
            paused = " (paused)" if timer.state == "paused" else ""
            parts.append(f"{left} left on your {label(timer)}{paused}")
        text = join_words(parts)
        return Response(
            text[0].upper() + text[1:] + ".",
            data={"timers": [as_dict(info(t, now)) for t in found]},
        )
    if request.intent == "timer.list":
        found = list(await timers.active())
        if not found:
            return Response("You have no timers.")
        parts = [f"{label(t)} with {say_duration(remaining(t, now))} left" for t in found]
        return Response(
            f"You have {count(len(found), 'timer')}: {join_words(parts)}.",
            data={"timers": [as_dict(info(t, now)) for t in found]},
        )
    if request.intent == "timer.cancel_all":
        found = list(await timers.active())
        for timer in found:
            cancel(timer)
        context.changed()
        if not found:
            return Response("You have no timers to cancel.")
        return Response(f"Cancelled {count(len(found), 'timer')}.")
    states = {"timer.pause": ("running",), "timer.resume": ("paused",)}.get(
        request.intent, ("running", "paused")
    )
    doing = {"timer.pause": "running", "timer.resume": "paused"}.get(request.intent, "to cancel")
    chosen = _which(await _choose(timers, name, states), name, doing)
    if isinstance(chosen, str):
        return Response(chosen)
    if request.intent == "timer.pause":
        pause(chosen, now)
        reply = f"Paused your {label(chosen)} with {say_duration(chosen.remaining_s or 0)} left."
    elif request.intent == "timer.resume":
        resume(chosen, now)
        reply = f"Resumed your {label(chosen)}: {say_duration(remaining(chosen, now))} left."
    elif request.intent == "timer.cancel":
        cancel(chosen)
        reply = f"Cancelled your {label(chosen)}."
    else:
        raise NotFound(f"timers has no intent {request.intent}")
    context.changed()
    return Response(reply, data={"timer": as_dict(info(chosen, now))})


def as_dict(timer: TimerInfo) -> dict[str, object]:
    return {
        "id": timer.id,
        "name": timer.name,
        "duration_s": timer.duration_s,
        "state": timer.state,
        "ends_at": timer.ends_at.astimezone(UTC).isoformat(),
        "remaining_s": round(timer.remaining_s, 1),
    }


skill = Skill(
    name="timers",
    description="Timers: several at once, with names; time left, pause, resume and cancel.",
    examples=("set a pasta timer for 10 minutes", "how much time is left?", "pause the timer"),
    intents=(
        Intent(
            "timer.set",
            templates=(
                "(set|start|create|make|add) [me] (a|an|another|the) [{name}] timer [for|of] "
                "{duration}",
                "(set|start|create|make|add) [me] (a|an|another|the) timer (for|of) {duration} "
                "(called|named|for [the|my]) {name}",
                "(set|start|create|make|add) [me] (a|an|another|the) {duration} [{name}] timer",
                "(set|start|create|make|add) [me] (a|an|another|the) {duration} timer "
                "(called|named|for [the|my]) {name}",
                "(set|start|create|make|add) [me] (a|an|another|the) [{name}] timer",
                "(timer|countdown) [for] {duration}",
                "{duration} timer",
                "(count down|countdown) [from] {duration}",
                "(tell|alert|ping) me in {duration}",
            ),
            slots=(_NAME, _DURATION),
            examples=(
                "I need a timer",
                "start counting down",
                "time my eggs",
                "can you start a countdown for me",
                "I'd like a new timer",
                "begin a timer",
                "time this for me",
                "let me know when the time is up",
                "run a kitchen timer",
                "set up a countdown",
            ),
        ),
        Intent(
            "timer.remaining",
            templates=(
                "how (much|long) [time] (is|is there) (left|remaining) (on|for|in) " + _A_TIMER,
                "how (much|long) [time] (is|is there) (left|remaining)",
                "how much longer [is there] [on " + _A_TIMER + "]",
                "how much time (do i have|have i got) [left] [on " + _A_TIMER + "]",
                "(what is|check) [the] time (left|remaining) (on|for) " + _A_TIMER,
                "(what is|check) [the] (status of|time on) " + _A_TIMER,
                "how long (until|till|before) "
                + _A_TIMER
                + " (goes off|rings|is done|ends|finishes)",
                "when (will|does) " + _A_TIMER + " (go off|ring|end|finish)",
                "[how is] " + _A_TIMER + " (doing|going)",
            ),
            slots=(_NAME,),
            examples=(
                "time left",
                "remaining time on timer",
                "how far along is the timer",
                "is my timer almost done",
                "how long is left on the countdown",
                "when will the countdown end",
                "how many minutes remain",
            ),
        ),
        Intent(
            "timer.list",
            templates=(
                "(list|show|what are) [all] [of] my timers",
                "what timers (do i have|are running|are set)",
                "(do i have|are there) any timers [running|set]",
                "how many timers (do i have|are running)",
            ),
            examples=(
                "which timers are on",
                "my timers",
                "show me the countdowns",
                "are any timers going",
            ),
        ),
        Intent(
            "timer.pause",
            templates=("(pause|hold|freeze) " + _A_TIMER, "(pause|hold) [it]"),
            slots=(_NAME,),
            examples=(
                "put the timer on hold",
                "hold the countdown",
                "stop the clock for a moment",
            ),
        ),
        Intent(
            "timer.resume",
            templates=(
                "(resume|unpause|continue|restart) " + _A_TIMER,
                "(resume|unpause|continue) [it]",
                "start " + _A_TIMER + " again",
            ),
            slots=(_NAME,),
            examples=(
                "keep the timer going",
                "let the timer run again",
                "carry on with the countdown",
            ),
        ),
        Intent(
            "timer.cancel",
            templates=(
                "(cancel|stop|delete|remove|kill|turn off|end|clear) " + _A_TIMER,
                "(cancel|stop|delete|remove) the {name} one",
            ),
            slots=(_NAME,),
            examples=(
                "get rid of the timer",
                "I don't need the timer anymore",
                "switch off the countdown",
                "abort the timer",
            ),
        ),
        Intent(
            "timer.cancel_all",
            templates=(
                "(cancel|stop|delete|remove|clear) (all|every) [of] [my|the] timers",
                "(cancel|stop|delete|remove|clear) [all] [of] [my|the] timers",
            ),
            examples=("stop every timer",),
        ),
    ),
    handle=handle,
)
