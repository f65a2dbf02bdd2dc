"""Text-to-speech with Piper and the packaged en_US joe voice: the default engine.

The voice is loaded once; speech comes out a sentence at a time as it is synthesized.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from heron import assets
from heron.audio import Samples
from heron.errors import BadInput, EngineUnavailable
from heron.speech.base import Speech, Voice

DEFAULT_VOICE = "en_US-joe-medium"


class PiperEngine:
    name = "piper"

    def __init__(
        self, model: Path | None = None, config: Path | None = None, *, varied: bool = True
    ) -> None:
        """`varied` False: no sampling noise, so a text always gives the same audio (tests,
        benchmarks); True: Piper's natural variation."""
        try:
            from piper import PiperVoice
        except ImportError as error:  # pragma: no cover - a dependency of heron
            raise EngineUnavailable(f"piper-tts is not installed: {error}") from None
        if model is None:
            model, config = assets.piper_joe()
        self._voice = PiperVoice.load(model, config)
        self._name = model.name.removesuffix(".onnx")
        self.rate: int = self._voice.config.sample_rate
        self._language = self._voice.config.espeak_voice or "en"
        self._lock = threading.Lock()
        self._varied = varied

    def voices(self) -> list[Voice]:
        return [Voice(self._name, self._language, self.rate, self.name)]

    def synthesize(self, text: str, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        if voice not in (None, self._name, "joe"):
            raise BadInput(f"unknown Piper voice {voice!r}; this install has {self._name}")
        if not 0.5 <= speed <= 2.0:
            raise BadInput("speed must be between 0.5 and 2.0")
        return Speech(self.rate, self._chunks(text, speed))

    def _chunks(self, text: str, speed: float) -> Iterator[Samples]:
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=self._voice.config.length_scale / speed)
        if not self._varied:
            config.noise_scale = config.noise_w_scale = 0.0
        sentences = iter(self._voice.synthesize(text, syn_config=config))
        while True:
            # espeak-ng (phonemes) is not thread-safe: callers take turns a sentence at a time,
            # so two replies interleave instead of one waiting for the other to finish.
            with self._lock:
                chunk = next(sentences, None)
            if chunk is None:
                return
            yield chunk.audio_int16_array.reshape(-1)
