"""Speech-to-text with Whisper base (CTranslate2 via faster-whisper), the default engine.

The packaged model is loaded once (int8, greedy); each call decodes only as much window as
the audio needs, and phrases the listener expects are given to Whisper as hot words.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from heron.audio import RATE, Samples
from heron.errors import BadInput, EngineUnavailable
from heron.speech.base import Segment, Transcript

log = logging.getLogger(__name__)

# Hot words are a prompt: a short one biases, a long one crowds out the audio.
MAX_HINT_CHARS = 200
LANGUAGES = frozenset(
    "en de fr es it pt nl sv da no fi pl cs ru uk tr ar he hi ja ko zh ca gl eu ro hu el".split()
)


class WhisperEngine:
    name = "whisper"

    def __init__(self, model_dir: Path, *, threads: int = 2) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as error:  # pragma: no cover - a dependency of heron
            raise EngineUnavailable(f"faster-whisper is not installed: {error}") from None
        self._model = WhisperModel(
            str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads
        )
        # CTranslate2 runs one decode at a time well on a small CPU; queue the rest.
        self._lock = threading.Lock()

    def transcribe(
        self, samples: Samples, *, language: str | None = None, hints: Sequence[str] = ()
    ) -> Transcript:
        if language is not None and language not in LANGUAGES:
            raise BadInput(f"Whisper cannot transcribe language {language!r}")
        seconds = len(samples) / RATE
        audio = samples.astype(np.float32) / 32768.0
        hotwords = _hotwords(hints)
        # The encoder's cost grows with the window; a window just longer than the audio keeps
        # short commands cheap (Whisper's full window is 30 s).
        window = min(30, max(4, math.ceil(seconds) + 1))
        with self._lock:
            found, info = self._model.transcribe(
                audio,
                language=language,
                beam_size=1,
                best_of=1,
                temperature=0.0,
                condition_on_previous_text=False,
                vad_filter=False,
                without_timestamps=seconds <= window,
                chunk_length=window,
                hotwords=hotwords,
            )
            segments = tuple(
                Segment(s.start, s.end, s.text.strip())
                for s in found
                if s.text.strip() and s.no_speech_prob < 0.8
            )
        text = " ".join(s.text for s in segments).strip()
        return Transcript(text, info.language, segments, seconds)


def _hotwords(hints: Sequence[str]) -> str | None:
    chosen: list[str] = []
    size = 0
    for hint in dict.fromkeys(h.strip() for h in hints if h.strip()):
        if size + len(hint) + 2 > MAX_HINT_CHARS:
            break
        chosen.append(hint)
        size += len(hint) + 2
    return ", ".join(chosen) or None
