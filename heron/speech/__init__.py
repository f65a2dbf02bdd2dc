"""Speech: hearing (wake word, voice activity, speech-to-text) and talking (text-to-speech).

`SpeechEngines` loads each model once, on first use or at start, and keeps it warm.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import TypeVar

from heron.audio import RATE, Samples
from heron.config import Settings
from heron.errors import BadInput
from heron.speech.base import (
    Detection,
    Segment,
    Speech,
    SpeechToText,
    TextToSpeech,
    Transcript,
    Voice,
    VoiceActivity,
    WakeWord,
)

__all__ = [
    "Detection",
    "Segment",
    "Speech",
    "SpeechEngines",
    "SpeechToText",
    "TextToSpeech",
    "Transcript",
    "Voice",
    "VoiceActivity",
    "WakeWord",
]

log = logging.getLogger(__name__)
STT_ENGINES = ("whisper", "sphinx")
TTS_ENGINES = ("piper", "espeak")
T = TypeVar("T")
MIN_SPEECH_SAMPLES = RATE // 10
"""A tenth of a second of speech (less is a click or a breath)."""


CLOSE_LANGUAGES = {
    "gl": "pt", "ast": "es", "an": "es", "oc": "ca", "frp": "fr", "sc": "it", "nn": "nb",
    "hbs": "hr", "szl": "pl",
}  # fmt: skip
"""A language no voice speaks → the closest one a voice does."""


def primary_language(code: str | None) -> str | None:
    """`en-US`, `en_US` → `en`."""
    return re.split(r"[-_]", code.strip().lower())[0] or None if code else None


class SpeechEngines:
    """The speech models of one Heron, loaded once and shared by every request."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loaded: dict[str, object] = {}
        self._lock = threading.Lock()

    def _once(self, key: str, load: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._loaded:
                log.info("loading speech engine %s", key)
                self._loaded[key] = load()
            found: T = self._loaded[key]  # type: ignore[assignment]
            return found

    def stt(self, engine: str | None = None) -> SpeechToText:
        name = engine or self.settings.stt_engine
        if name == "whisper":
            from heron import assets
            from heron.speech.stt_whisper import WhisperEngine

            return self._once(
                "stt:whisper",
                lambda: WhisperEngine(
                    assets.whisper_base_dir(self.settings.models_dir),
                    threads=self.settings.stt_threads,
                    window_s=self.settings.stt_window_s,
                ),
            )
        if name == "sphinx":
            from heron.speech.stt_sphinx import SphinxEngine

            return self._once("stt:sphinx", SphinxEngine)
        raise BadInput(f"unknown speech-to-text engine {name!r}: use {', '.join(STT_ENGINES)}")

    def tts(self, engine: str | None = None) -> TextToSpeech:
        name = engine or self.settings.tts_engine
        if name == "piper":
            from heron.speech.tts_piper import PiperEngine

            return self._once("tts:piper", PiperEngine)
        if name == "espeak":
            from heron.speech.tts_espeak import EspeakEngine

            return self._once("tts:espeak", EspeakEngine)
        raise BadInput(f"unknown text-to-speech engine {name!r}: use {', '.join(TTS_ENGINES)}")

    def voices(self) -> list[Voice]:
        found: list[Voice] = []
        for engine in TTS_ENGINES:
            found.extend(self.tts(engine).voices())
        return found

    def voice_for_language(self, language: str) -> str | None:
        """The voice to speak `language` ("es", "en-US") in: the configured voice if it
        speaks it, else the first that does, else one of a close language (no voice reads
        Galician: Portuguese does); None if none can."""
        wanted = primary_language(language)
        if wanted is None:
            return None
        default, engine = self.settings.tts_voice, self.settings.tts_engine
        for code in (wanted, CLOSE_LANGUAGES.get(wanted)):
            # The configured voice first, then the configured engine's (Piper for English),
            # then the language's own ("es" before "es-419").
            voices = sorted(
                self.voices(),
                key=lambda v: (v.name != default, v.engine != engine, v.name != code),
            )
            for voice in voices:
                if code is not None and primary_language(voice.language) == code:
                    return voice.name
        return None

    def tts_for(self, voice: str | None) -> tuple[TextToSpeech, str | None]:
        """The engine that has `voice` (a Piper voice name or an espeak-ng language)."""
        if voice is None:
            return self.tts(), self.settings.tts_voice
        for engine in TTS_ENGINES:
            if any(v.name == voice for v in self.tts(engine).voices()):
                return self.tts(engine), voice
        if "+" in voice:  # an espeak-ng variant: "en-us+f3"
            return self.tts("espeak"), voice
        raise BadInput(f"unknown voice {voice!r}; GET /v1/speech/voices lists them")

    def vad(self) -> VoiceActivity:
        from heron.speech.vad import voice_activity

        return voice_activity(self.settings.vad_engine)

    def has_speech(self, samples: Samples) -> bool:
        """Whether a stretch of the recording is speech (silence is never transcribed:
        Whisper invents words for it)."""
        vad = self.vad()
        size = vad.frame_samples
        run = 0
        for start in range(0, len(samples) - size + 1, size):
            run = run + 1 if vad.probability(samples[start : start + size]) >= 0.5 else 0
            if run * size >= MIN_SPEECH_SAMPLES:
                return True
        return False

    def wake(self, model: str | None = None, engine: str | None = None) -> WakeWord:
        from heron.speech import wake

        return wake.listener(model or self.settings.wake_word, engine or self.settings.wake_engine)

    def warm(self) -> None:
        """Loads the default engines now so no request pays for it."""
        self.stt()
        self.tts()
        self.vad()
