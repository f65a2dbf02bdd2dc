"""Language apps as a user sees them: names, summaries, and the trained models kept warm.

The store keeps each app's examples and model; this module checks names, describes apps, and
holds recently used models in memory so a prediction never pays a load.
"""

from __future__ import annotations

import threading
from typing import Any

from cachetools import LRUCache

from heron.errors import BadInput
from heron.language.nlu import NluModel
from heron.language.training import NAME
from heron.store.models import LanguageApp

CACHED_MODELS = 16


def check_app_name(name: str) -> str:
    if not NAME.match(name):
        raise BadInput(
            f"app name {name[:70]!r} is not valid: a letter, then up to 63 letters, digits or "
            "_ . : -"
        )
    return name


def describe(app: LanguageApp) -> dict[str, Any]:
    report = app.report or {}
    return {
        "name": app.name,
        "status": app.status,
        "error": app.error,
        "version": app.version,
        "trained": app.trained_at is not None,
        "intents": report.get("intent_names", []),
        "entities": report.get("entity_names", []),
        "examples": report.get("examples", 0),
        "bindings": app.bindings or {},
        "report": report or None,
        "created_at": app.created_at.isoformat(),
        "trained_at": None if app.trained_at is None else app.trained_at.isoformat(),
    }


class ModelCache:
    """The most recently used trained models, by (user id, app name) and training version."""

    def __init__(self, size: int = CACHED_MODELS) -> None:
        self._models: LRUCache[tuple[int, str], tuple[int, NluModel]] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, user_id: int, name: str, version: int) -> NluModel | None:
        with self._lock:
            found = self._models.get((user_id, name))
            return None if found is None or found[0] != version else found[1]

    def put(self, user_id: int, name: str, version: int, model: NluModel) -> None:
        with self._lock:
            self._models[(user_id, name)] = (version, model)

    def drop(self, user_id: int, name: str) -> None:
        with self._lock:
            self._models.pop((user_id, name), None)
