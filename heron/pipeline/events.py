"""The voice pipeline's events: one small type, the same on every edge (WebSocket, CLI).

A run emits them in order: run-start → (wake) → listening → speech-start → transcript-partial…
→ speech-end → transcript → intent → reply → audio-start → audio… → audio-stop → done.
A failed stage emits `error` naming the stage; `stand-down` tells a satellite another one
in the room answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RUN_START = "run-start"
WAKE = "wake"
LISTENING = "listening"
SPEECH_START = "speech-start"
PARTIAL = "transcript-partial"
SPEECH_END = "speech-end"
TRANSCRIPT = "transcript"
INTENT = "intent"
REPLY = "reply"
AUDIO_START = "audio-start"
AUDIO = "audio"
AUDIO_STOP = "audio-stop"
DONE = "done"
ERROR = "error"
STAND_DOWN = "stand-down"
BARGE_IN = "barge-in"
FOLLOWUP_END = "followup-end"
PUSHED = "event"
"""Something the server pushes outside a run: a timer finished, a reminder is due."""

TYPES = (
    RUN_START, WAKE, LISTENING, SPEECH_START, PARTIAL, SPEECH_END, TRANSCRIPT, INTENT, REPLY,
    AUDIO_START, AUDIO, AUDIO_STOP, DONE, ERROR, STAND_DOWN, BARGE_IN, FOLLOWUP_END, PUSHED,
)  # fmt: skip


@dataclass(frozen=True)
class VoiceEvent:
    type: str
    data: dict[str, Any] = field(default_factory=dict)
    audio: bytes = b""
    """For `audio` events: 16-bit mono PCM at the rate given by the last `audio-start`."""

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, **self.data}

    @classmethod
    def error(cls, stage: str, status: int, detail: str, code: str = "") -> VoiceEvent:
        return cls(
            ERROR, {"stage": stage, "status": status, "code": code or stage, "detail": detail}
        )
