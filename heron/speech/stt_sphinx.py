"""Speech-to-text with PocketSphinx: the light engine (English, small and fast, less exact).

One decoder with the packaged en-US model is loaded once; calls take turns on it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from heron.audio import RATE, Samples
from heron.errors import BadInput, EngineUnavailable
from heron.speech.base import Segment, Transcript

FRAMES_PER_SECOND = 100
# Sphinx's filler "words" are not words the user said.
_FILLERS = {"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]", "[BREATH]", "[COUGH]"}


class SphinxEngine:
    name = "sphinx"

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError as error:  # pragma: no cover - a dependency of heron
            raise EngineUnavailable(f"pocketsphinx is not installed: {error}") from None
        self._decoder = Decoder(samprate=RATE, loglevel="FATAL")
        self._lock = threading.Lock()

    def transcribe(
        self, samples: Samples, *, language: str | None = None, hints: Sequence[str] = ()
    ) -> Transcript:
        # `hints` are not used: the packaged language model is general English.
        if language not in (None, "en"):
            raise BadInput(f"PocketSphinx here has English only, not {language!r}")
        with self._lock:
            decoder = self._decoder
            decoder.start_utt()
            decoder.process_raw(samples.astype("<i2").tobytes(), full_utt=True)
            decoder.end_utt()
            hypothesis = decoder.hyp()
            segments = tuple(
                Segment(
                    s.start_frame / FRAMES_PER_SECOND,
                    s.end_frame / FRAMES_PER_SECOND,
                    _word(s.word),
                )
                for s in decoder.seg()
                if s.word not in _FILLERS
            )
        text = hypothesis.hypstr if hypothesis is not None else ""
        return Transcript(text.strip(), "en", segments, len(samples) / RATE)


def _word(word: str) -> str:
    # Alternative pronunciations come back as "word(2)".
    return word.split("(", 1)[0]
