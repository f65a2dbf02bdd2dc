"""The speech interfaces: speech-to-text, text-to-speech, wake word and voice activity.

Engines hear internal audio (heron.audio: 16 kHz, 16-bit mono int16 samples). Model calls are
synchronous and CPU-bound; the pipeline runs them in a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from heron.audio import Samples


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    segments: tuple[Segment, ...] = ()
    seconds: float = 0.0
    """Length of the audio heard."""

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "language": self.language,
            "seconds": round(self.seconds, 3),
            "segments": [
                {"start": round(s.start_s, 2), "end": round(s.end_s, 2), "text": s.text}
                for s in self.segments
            ],
        }


class SpeechToText(Protocol):
    name: str

    def transcribe(
        self, samples: Samples, *, language: str | None = None, hints: Sequence[str] = ()
    ) -> Transcript:
        """The words in `samples`. `hints`: phrases the listener expects (skill vocabulary,
        list and city names), used to bias recognition where the engine can."""
        ...


@dataclass(frozen=True)
class Voice:
    name: str
    language: str
    rate: int
    engine: str


@dataclass(frozen=True)
class Speech:
    """Synthesized speech: int16 mono chunks at `rate`, produced as they are iterated."""

    rate: int
    chunks: Iterator[Samples] = field(repr=False)


class TextToSpeech(Protocol):
    name: str

    def voices(self) -> list[Voice]: ...

    def synthesize(self, text: str, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        """Speech for `text` (chunks come sentence by sentence or faster). `voice` None: the
        engine's default; an unknown voice raises BadInput."""
        ...


@dataclass(frozen=True)
class Detection:
    wake_word: str
    score: float


class WakeWord(Protocol):
    """Listens to one audio stream for one wake word; keeps that stream's state."""

    name: str

    def process(self, samples: Samples) -> Detection | None:
        """Feeds the next samples; a Detection when the wake word has just been said."""
        ...

    def reset(self) -> None: ...


class VoiceActivity(Protocol):
    """Speech probability for one audio stream; keeps that stream's state."""

    frame_samples: int
    """Samples per decision (e.g. 160 for 10 ms)."""

    def probability(self, frame: Samples) -> float:
        """Speech probability (0..1) of one frame of exactly `frame_samples` samples."""
        ...

    def reset(self) -> None: ...
