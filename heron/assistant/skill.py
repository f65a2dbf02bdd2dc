"""What a skill is: a module declaring intents and one `handle(request, context)` coroutine.

Adding a skill means adding one module under `heron/assistant/skills/` that defines `skill`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from heron.errors import BadInput
from heron.language.intents import Intent
from heron.store.repositories import UserData


@dataclass(frozen=True)
class Request:
    """One understood request, handed to the skill that owns its intent."""

    text: str
    intent: str
    slots: dict[str, Any]
    now: datetime
    """Aware, in the user's time zone."""
    user_id: int

    @property
    def timezone(self) -> ZoneInfo:
        zone = self.now.tzinfo
        assert isinstance(zone, ZoneInfo)
        return zone


@dataclass(frozen=True)
class Spoken:
    """A stretch of a reply as it is said aloud, and the language it is in."""

    text: str
    language: str | None = None
    """ISO 639 code ("es"): said in a voice that speaks it; None: in the assistant's voice."""


@dataclass(frozen=True)
class Response:
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    """Structured detail for clients (ids of what was created, list contents, ...)."""
    remember: dict[str, Any] = field(default_factory=dict)
    """Slot values to keep in the conversation for follow-ups (e.g. the timer just set)."""
    spoken: tuple[Spoken, ...] = ()
    """The reply as said aloud, part by part, when some of it is in another language (a
    translation said in Spanish); empty: `text`, in the assistant's voice."""


@dataclass(frozen=True)
class Context:
    """What a skill may use while it handles a request."""

    data: UserData
    skills: Sequence[Skill]
    changed: Callable[[], None]
    """Call after changing anything scheduled, so the scheduler looks again."""
    previous: dict[str, Any] = field(default_factory=dict)
    """The slots of the conversation's last answered request ("there", "it" refer to them)."""
    services: Any = None
    """The engine's shared services (e.g. the world graph), for skills that need them."""


Handler = Callable[[Request, Context], Awaitable[Response]]


@dataclass(frozen=True)
class Skill:
    name: str
    description: str
    """One line for "what can you do", in the user's words."""
    intents: tuple[Intent, ...]
    handle: Handler
    examples: tuple[str, ...] = ()
    """A few things to say, shown by help."""

    def __post_init__(self) -> None:
        for intent in self.intents:
            if intent.skill and intent.skill != self.name:
                raise BadInput(f"intent {intent.name} claims skill {intent.skill}")


def builtin_skills() -> list[Skill]:
    """Every module in heron.assistant.skills that defines `skill`, in name order."""
    import heron.assistant.skills as package

    found: list[Skill] = []
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        skill = getattr(module, "skill", None)
        if isinstance(skill, Skill):
            found.append(skill)
    return found
