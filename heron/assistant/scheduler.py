"""Ringing timers and firing reminders when they are due, once each, even across restarts.

A due item is claimed with a conditional update, so two server processes never both fire it;
what came due while no server ran is announced (once) as soon as one starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from heron.assistant.skills.timers import label
from heron.errors import StoreError
from heron.events import EventHub
from heron.language.times import next_occurrence, say_duration
from heron.store import Store
from heron.store.models import Event, Reminder, Timer

log = logging.getLogger(__name__)
LATE_AFTER = timedelta(seconds=5)


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        **event.payload,
    }


def _timer_payload(timer: Timer, now: datetime) -> dict[str, Any]:
    late = now - timer.ends_at
    name = label(timer)
    if late > LATE_AFTER:
        text = (
            f"Your {name} finished {say_duration(late.total_seconds())} ago, while I was offline."
        )
    else:
        text = f"Your {name} is done."
    return {
        "text": text,
        "timer_id": timer.id,
        "name": timer.name,
        "ended_at": timer.ends_at.isoformat(),
        "late": late > LATE_AFTER,
    }


def _reminder_payload(reminder: Reminder, now: datetime) -> dict[str, Any]:
    late = now - reminder.due_at > LATE_AFTER
    if reminder.kind == "alarm":
        text = "Your alarm is ringing." if not late else "Your alarm went off while I was offline."
    else:
        text = f"Reminder: {reminder.text}." if reminder.text else "This is your reminder."
        if late:
            text = f"Reminder (due while I was offline): {reminder.text}."
    return {
        "text": text,
        "reminder_id": reminder.id,
        "kind": reminder.kind,
        "due_at": reminder.due_at.isoformat(),
        "late": late,
    }


class Scheduler:
    def __init__(
        self,
        store: Store,
        hub: EventHub,
        clock: Callable[[], datetime],
        max_sleep_s: float = 0.5,
    ) -> None:
        self.store = store
        self.hub = hub
        self.clock = clock
        self.max_sleep_s = max_sleep_s
        self._wake = asyncio.Event()

    def poke(self) -> None:
        """Something scheduled changed: look again now rather than after the next sleep."""
        self._wake.set()

    async def fire_due(self) -> list[dict[str, Any]]:
        """Fires what is due now; returns the events created (already published)."""
        now = self.clock()
        created: list[Event] = []
        async with self.store.admin() as admin:
            for timer in await admin.due_timers(now):
                if await admin.claim_timer(timer, now):
                    event = Event(
                        user_id=timer.user_id,
                        type="timer.finished",
                        payload=_timer_payload(timer, now),
                    )
                    admin.session.add(event)
                    created.append(event)
            for reminder in await admin.due_reminders(now):
                next_due = None
                if reminder.recurrence:
                    zone = ZoneInfo(reminder.timezone)
                    after = max(now, reminder.due_at).astimezone(zone)
                    next_due = next_occurrence(reminder.recurrence, after)
                if await admin.claim_reminder(reminder, now, next_due):
                    event = Event(
                        user_id=reminder.user_id,
                        type="alarm.ringing" if reminder.kind == "alarm" else "reminder.due",
                        payload=_reminder_payload(reminder, now),
                    )
                    admin.session.add(event)
                    created.append(event)
            await admin.session.flush()
        # Committed: now tell the devices, and remember which events reached one.
        delivered: dict[int, list[int]] = {}
        published = []
        for event in created:
            data = event_json(event)
            published.append(data)
            if self.hub.publish(event.user_id, data):
                delivered.setdefault(event.user_id, []).append(event.id)
        for user_id, ids in delivered.items():
            async with self.store.user(user_id) as user_data:
                await user_data.events.mark_delivered(ids)
        if created:
            log.info("fired events count=%d", len(created))
        return published

    async def run(self) -> None:
        while True:
            try:
                await self.fire_due()
                async with self.store.admin() as admin:
                    due = await admin.next_due()
            except StoreError as error:
                log.warning("scheduler could not reach the store: %s", error)
                due = None
            delay = self.max_sleep_s
            if due is not None:
                delay = min(delay, max(0.0, (due - self.clock()).total_seconds()))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
