"""Alarms and reminders: one-off or repeating ("every Monday at 8"), in the user's time zone.

The scheduler fires them; a repeating one moves on to its next time after it fires.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from heron.assistant.phrasing import count, join_words
from heron.assistant.skill import Context, Request, Response, Skill
from heron.errors import NotFound
from heron.language.intents import Intent, SlotSpec
from heron.language.times import describe_recurrence, describe_when
from heron.store.models import Reminder

_WHEN = SlotSpec("when", "datetime", required=True, prompt="When?")
_TEXT = SlotSpec("text", "text", required=True, prompt="What should I remind you about?")
_ALARM_WHEN = SlotSpec("when", "alarm_time", required=True, prompt="For what time?")
_NUMBER = SlotSpec("number", "number")


def as_dict(reminder: Reminder) -> dict[str, Any]:
    zone = ZoneInfo(reminder.timezone)
    return {
        "id": reminder.id,
        "kind": reminder.kind,
        "text": reminder.text,
        "due_at": reminder.due_at.astimezone(zone).isoformat(),
        "recurrence": reminder.recurrence,
        "state": reminder.state,
    }


def describe(reminder: Reminder, now: datetime) -> str:
    zone = ZoneInfo(reminder.timezone)
    if reminder.recurrence:
        when = describe_recurrence(reminder.recurrence)
    else:
        when = describe_when(reminder.due_at.astimezone(zone), now)
    if reminder.kind == "alarm":
        return f"an alarm {when}"
    return f"{reminder.text} {when}"


async def handle(request: Request, context: Context) -> Response:
    reminders = context.data.reminders
    now = request.now
    kind = "alarm" if request.intent.startswith("alarm.") else "reminder"
    if request.intent in ("reminder.set", "alarm.set"):
        when = request.slots["when"]
        at = datetime.fromisoformat(when["at"])
        if at <= now:
            return Response("That time has already passed. When should it be?")
        text = request.slots.get("text", "") if kind == "reminder" else ""
        created = await reminders.create(
            kind=kind,
            text=text,
            due_at=at,
            timezone=str(request.timezone),
            recurrence=when.get("recurrence"),
        )
        context.changed()
        said = describe(created, now)
        reply = f"OK, I'll remind you to {said}." if kind == "reminder" else f"OK, {said}."
        if kind == "alarm":
            reply = f"OK, I set {said}."
        return Response(reply, data={kind: as_dict(created)})
    if request.intent in ("reminder.list", "alarm.list"):
        found = list(await reminders.scheduled(kind))
        if not found:
            return Response(f"You have no {kind}s.")
        numbered = [f"{i}: {describe(r, now)}" for i, r in enumerate(found, 1)]
        return Response(
            f"You have {count(len(found), kind)}. {join_words(numbered, '; ')}.",
            data={f"{kind}s": [as_dict(r) for r in found]},
        )
    if request.intent in ("reminder.delete", "alarm.delete"):
        found = list(await reminders.scheduled(kind))
        number = request.slots.get("number")
        text = request.slots.get("text")
        if number is not None:
            index = int(number) - 1
            chosen = [found[index]] if 0 <= index < len(found) else []
        elif text:
            wanted = text.lower()
            chosen = [r for r in found if wanted in r.text.lower()]
        else:
            chosen = found if len(found) == 1 else []
            if len(found) > 1:
                return Response(
                    f"You have {len(found)} {kind}s. Which one? Say for example 'delete {kind} 1'."
                )
        if not chosen:
            return Response(f"I couldn't find that {kind}.")
        if len(chosen) > 1:
            return Response(f"{len(chosen)} {kind}s match that. Which one?")
        await reminders.delete(chosen[0].id)
        context.changed()
        return Response(f"Deleted {describe(chosen[0], now)}.", data={kind: as_dict(chosen[0])})
    if request.intent in ("reminder.delete_all", "alarm.delete_all"):
        found = list(await reminders.scheduled(kind))
        for reminder in found:
            await reminders.delete(reminder.id)
        context.changed()
        return Response(f"Deleted {count(len(found), kind)}.")
    raise NotFound(f"reminders has no intent {request.intent}")


skill = Skill(
    name="reminders",
    description="Alarms and reminders, one-off or repeating, in your time zone.",
    examples=(
        "remind me to call mom tomorrow at 9am",
        "wake me up at 7",
        "remind me every Monday at 8 to take out the bins",
    ),
    intents=(
        Intent(
            "reminder.set",
            templates=(
                "remind me [to] {text} {when}",
                "remind me {when} [to] {text}",
                "remind me {when} (about|that) {text}",
                "remind me (about|that) {text} {when}",
                "(set|create|add|make) a reminder [to] {text} {when}",
                "(set|create|add|make) a reminder {when} (to|for|about) {text}",
                "(set|create|add|make) a reminder (to|for|about) {text} {when}",
                "(set|create|add|make) a reminder [for] {when}",
                "(set|create|add|make) a reminder (to|for|about) {text}",
                "(set|create|add|make) a reminder",
                "remind me {when}",
                "remind me to {text}",
                "remind me",
                "do not let me forget to {text} {when}",
            ),
            slots=(_TEXT, _WHEN),
            examples=(
                "I need a reminder",
                "can you remind me of something",
                "make a note to remind me later",
                "don't let me forget something",
                "set up a reminder for me",
                "I need you to remind me about a thing",
                "create a new reminder",
            ),
        ),
        Intent(
            "alarm.set",
            templates=(
                "(wake|get) me up {when}",
                "(wake|get) me up",
                "(set|create|add|make) [an|a|my] alarm [for] {when}",
                "(set|create|add|make) [an|a|my] alarm",
                "alarm [for] {when}",
                "i (need|want) to (wake|get) up {when}",
            ),
            slots=(_ALARM_WHEN,),
            examples=(
                "I need an alarm",
                "make sure I wake up",
                "I want an alarm in the morning",
                "set an alarm clock",
                "make an alarm for me",
                "I need to be woken up",
            ),
        ),
        Intent(
            "reminder.list",
            templates=(
                "(list|show|read|tell me) [me] [all] [of] my (reminders|reminder list)",
                "what is on my reminder list",
                "what (are my|reminders do i have)",
                "what are my reminders",
                "(do i have|are there) any reminders",
            ),
            examples=(
                "what did I ask you to remind me",
                "my reminders",
                "which reminders have I set",
                "go through my reminders",
                "what am I supposed to remember",
            ),
        ),
        Intent(
            "alarm.list",
            templates=(
                "(list|show|read) [all] [of] my alarms",
                "what alarms (do i have|are set)",
                "what are my alarms",
                "(do i have|are there) any alarms [set]",
                "when is my alarm [set for]",
            ),
            examples=(
                "my alarms",
                "which alarms are on",
                "did I set an alarm",
                "what time is my alarm",
            ),
        ),
        Intent(
            "reminder.delete",
            templates=(
                "(delete|remove|cancel|forget) [the|my] reminder [number] {number}",
                "(delete|remove|cancel|forget) [the|my] reminder (to|about) {text}",
                "(delete|remove|cancel) [the|my] reminder",
            ),
            slots=(_NUMBER, SlotSpec("text", "text")),
        ),
        Intent(
            "alarm.delete",
            templates=(
                "(delete|remove|cancel|turn off|disable) [the|my] alarm [number] {number}",
                "(delete|remove|cancel|turn off|disable) [the|my] alarm",
            ),
            slots=(_NUMBER,),
        ),
        Intent(
            "reminder.delete_all",
            templates=("(delete|remove|cancel|clear) (all|every) [of] [my|the] reminders",),
        ),
        Intent(
            "alarm.delete_all",
            templates=("(delete|remove|cancel|clear|turn off) (all|every) [of] [my|the] alarms",),
        ),
    ),
    handle=handle,
)
