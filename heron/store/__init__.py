"""Heron's state: users, keys, devices, conversations, timers, reminders, lists, events.

Nothing outside this package opens the database; everything goes through `Store`.
"""

from heron.store.database import Store

__all__ = ["Store"]
