"""The voice pipeline: audio in, events out (wake → listen → understand → act → speak)."""

from heron.pipeline.events import VoiceEvent
from heron.pipeline.voice import SessionOptions, VoicePipeline, VoiceSession

__all__ = ["SessionOptions", "VoiceEvent", "VoicePipeline", "VoiceSession"]
