"""End-pointing: deciding, frame by frame, that the user has finished speaking.

The silence needed grows with the pauses this speaker makes inside the request (a slow speaker
is never cut off) and shrinks once the words heard so far already form a complete command.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Mark(enum.Enum):
    SPEECH_START = "speech-start"
    PAUSE = "pause"
    """Speech stopped; the user may be done (a good moment to decode what was said)."""
    RESUME = "resume"
    END = "end"


@dataclass
class Endpointer:
    frame_s: float
    speech_p: float = 0.5
    """A frame is speech at or above this probability."""
    min_speech_s: float = 0.1
    """Speech shorter than this (a click, a cough) does not start an utterance."""
    pause_s: float = 0.1
    """Silence after speech reported as a pause (time to decode speculatively)."""
    min_silence_s: float = 0.5
    max_silence_s: float = 1.2
    complete_silence_s: float = 0.2
    """Silence that ends a request whose words already form a complete command."""
    pause_factor: float = 1.6
    """The end needs this many times the longest pause the speaker made mid-request."""
    lead_in_s: float = 0.0
    """The audio starts with this much heard before the request: after a wake word, its tail.
    Speech that stops within it does not start the request (else the tail of "okay nabu"
    would be taken for a request, ended by the pause after it); speech that goes on past it
    (a request said without a pause) does."""

    frames: int = 0
    speech_frames: int = 0
    started: bool = False
    speech_end_frame: int = 0
    """The frame after the last speech frame (the end of the words, so far)."""
    _run: int = 0
    """Consecutive speech frames (while in speech) or silent frames (while paused)."""
    _in_speech: bool = False
    pauses_s: list[float] = field(default_factory=list)
    complete: bool = False
    """Set when the words up to the current pause form a complete command."""

    unfinished: bool = False
    """Set when the words up to the current pause end mid-sentence ("set a timer for")."""

    @property
    def silence_needed_s(self) -> float:
        if self.complete:
            return self.complete_silence_s
        if self.unfinished:
            return self.max_silence_s
        longest = max(self.pauses_s, default=0.0)
        return min(self.max_silence_s, max(self.min_silence_s, self.pause_factor * longest))

    @property
    def silence_s(self) -> float:
        return 0.0 if self._in_speech or not self.started else self._run * self.frame_s

    @property
    def speech_end_s(self) -> float:
        return self.speech_end_frame * self.frame_s

    @property
    def heard_s(self) -> float:
        return self.frames * self.frame_s

    def update(self, probability: float) -> Mark | None:
        """Takes one frame's speech probability; says what changed, if anything."""
        self.frames += 1
        speech = probability >= self.speech_p
        if not self.started:
            self._run = self._run + 1 if speech else 0
            if self._run * self.frame_s >= self.min_speech_s and self.heard_s > self.lead_in_s:
                self.started = self._in_speech = True
                self.speech_end_frame = self.frames
                return Mark.SPEECH_START
            return None
        if speech:
            self.speech_end_frame = self.frames
            if not self._in_speech:
                if self._run * self.frame_s >= self.pause_s:
                    self.pauses_s.append(self._run * self.frame_s)
                self._in_speech = True
                self._run = 0
                # More words came: what was complete (or unfinished) may not be any more.
                self.complete = self.unfinished = False
                return Mark.RESUME
            return None
        if self._in_speech:
            self._in_speech = False
            self._run = 0
        self._run += 1
        silence = self._run * self.frame_s
        if silence >= self.silence_needed_s:
            return Mark.END
        if self._run == max(1, round(self.pause_s / self.frame_s)):
            return Mark.PAUSE
        return None

    def mark_unfinished(self) -> None:
        """The words so far stop mid-sentence: give the speaker the longest pause."""
        self.unfinished = True

    def mark_complete(self) -> Mark | None:
        """The words so far form a complete command: END now if the pause is long enough."""
        self.complete = True
        if self.started and not self._in_speech and self.silence_s >= self.complete_silence_s:
            return Mark.END
        return None
