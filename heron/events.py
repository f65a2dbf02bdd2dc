"""Pushing events (timer finished, reminder due) to a user's connected devices.

A connection subscribes to its user's events; `publish` reaches every live subscriber.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Subscription:
    user_id: int
    device: str
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    sent: set[int] = field(default_factory=set)
    """Event ids this device already got, so a replay never repeats one."""


class EventHub:
    def __init__(self) -> None:
        self._subscribers: dict[int, set[Subscription]] = defaultdict(set)

    def subscribe(self, user_id: int, device: str) -> Subscription:
        subscription = Subscription(user_id, device)
        self._subscribers[user_id].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.user_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.user_id]

    def connected(self, user_id: int) -> int:
        return len(self._subscribers.get(user_id, ()))

    def publish(self, user_id: int, event: dict[str, Any]) -> int:
        """Queues `event` for each of the user's devices; returns how many it reached."""
        reached = 0
        for subscription in list(self._subscribers.get(user_id, ())):
            subscription.queue.put_nowait(event)
            reached += 1
        return reached
