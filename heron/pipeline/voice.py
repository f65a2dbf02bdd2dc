"""The voice pipeline: audio in → wake → end-pointing → transcript → assistant → speech out.

`VoicePipeline` holds the warm engines and answers whole recordings; `VoiceSession` is one
device's live stream (wake word, push-to-talk, follow-ups without the wake word, barge-in).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from heron.assistant.skill import Spoken
from heron.audio import RATE, AudioFormat, Converter, Samples, level_dbfs, resample
from heron.errors import BadInput, HeronError, TooLarge
from heron.pipeline import events as ev
from heron.pipeline.arbiter import WakeArbiter
from heron.pipeline.endpoint import Endpointer, Mark
from heron.pipeline.events import VoiceEvent
from heron.speech import SpeechEngines, Transcript, VoiceActivity, WakeWord, primary_language

if TYPE_CHECKING:
    from heron.engine import Heron
    from heron.store.models import User

log = logging.getLogger(__name__)

NOTHING_HEARD = "I didn't hear anything."
PARTIAL_EVERY_S = 1.0
"""While the user speaks, a partial transcript at most this often (after the first second)."""
NO_SPEECH_S = 5.0
"""After the wake word or the button, silence this long means nothing was said."""
WAKE_TAIL_S = 0.3
"""After a wake word, the audio may begin with its tail: a satellite sends the 0.16 s before
it detected it (so a request said without a pause is not clipped), and detectors fire 0.15-0.3 s
after the word ends."""
BARGE_IN_SPEECH_S = 0.3
AUDIO_BLOCK = 4096
"""Samples per outgoing audio message."""


def _now() -> float:
    return time.perf_counter()


class VoicePipeline:
    """The engines and steps every voice edge shares."""

    def __init__(self, heron: Heron, speech: SpeechEngines) -> None:
        self.heron = heron
        self.speech = speech
        self.arbiter = WakeArbiter(heron.settings.arbitration_s)

    async def transcribe(
        self,
        samples: Samples,
        *,
        language: str | None = None,
        hints: tuple[str, ...] = (),
        engine: str | None = None,
    ) -> Transcript:
        if len(samples) > self.heron.settings.max_audio_seconds * RATE:
            raise TooLarge(
                f"the audio is longer than {self.heron.settings.max_audio_seconds:g} seconds"
            )
        stt = self.speech.stt(engine)
        return await asyncio.to_thread(stt.transcribe, samples, language=language, hints=hints)

    async def hear(
        self,
        user: User,
        samples: Samples,
        *,
        language: str | None = None,
        engine: str | None = None,
        hints: Sequence[str] = (),
    ) -> Transcript | None:
        """What was said in a recording, with the caller's `hints` and then the user's own
        words (list and city names) as hints; None when it holds no speech (silence is never
        transcribed: Whisper invents words for it)."""
        if not await asyncio.to_thread(self.speech.has_speech, samples):
            return None
        own = await self.heron.speech_hints(user)
        return await self.transcribe(
            samples, language=language, hints=(*hints, *own), engine=engine
        )

    async def speak(
        self, text: str, *, voice: str | None = None, rate: int | None = None, speed: float = 1.0
    ) -> tuple[int, AsyncIterator[Samples]]:
        """Speech for `text`: its sample rate and its chunks as they are synthesized
        (resampled to `rate` if given). The first chunk is made before this returns, so a
        failing engine raises here, not halfway through a stream."""
        engine, chosen = self.speech.tts_for(voice)
        speech = await asyncio.to_thread(engine.synthesize, text, voice=chosen, speed=speed)
        first = await asyncio.to_thread(next, speech.chunks, None)
        out_rate = rate or speech.rate

        async def chunks() -> AsyncIterator[Samples]:
            chunk = first
            while chunk is not None:
                yield resample(chunk, speech.rate, out_rate) if out_rate != speech.rate else chunk
                chunk = await asyncio.to_thread(next, speech.chunks, None)

        return out_rate, chunks()

    def voice_for(self, language: str | None, own: str | None) -> str | None:
        """The voice to say words in `language` with: `own` (the device's voice; None: the
        configured one) when it speaks that language or none is given, else the language's
        voice (espeak-ng's Spanish for "es"); `own` when no voice speaks it."""
        if language is None:
            return own
        if own is not None:
            name = own.split("+")[0]  # an espeak-ng variant speaks its voice's language
            speaks = {primary_language(v.language) for v in self.speech.voices() if v.name == name}
            if primary_language(language) in speaks:
                return own
        return self.speech.voice_for_language(language) or own

    async def answer_recording(
        self,
        user: User,
        samples: Samples,
        *,
        voice: str | None = None,
        rate: int | None = None,
        conversation_id: str | None = None,
    ) -> AsyncIterator[VoiceEvent]:
        """A whole recording (an uploaded file, `heron listen`): the same events as a live
        run, without wake or end-pointing."""
        run = Turn(self, user, voice=voice, rate=rate, conversation_id=conversation_id)
        async for event in run.from_recording(samples):
            yield event


@dataclass
class Timings:
    """Seconds on the monotonic clock at each step of one turn."""

    speech_end: float | None = None
    endpoint: float | None = None
    transcript: float | None = None
    answer: float | None = None
    first_audio: float | None = None
    done: float | None = None
    started: float = field(default_factory=_now)

    def to_json(self) -> dict[str, float]:
        def ms(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else round((b - a) * 1000, 1)

        origin = self.speech_end if self.speech_end is not None else self.started
        found = {
            "endpoint_ms": ms(self.speech_end, self.endpoint),
            "stt_ms": ms(self.endpoint or self.started, self.transcript),
            "assistant_ms": ms(self.transcript, self.answer),
            "tts_first_audio_ms": ms(self.answer, self.first_audio),
            "first_audio_ms": ms(origin, self.first_audio),
            "total_ms": ms(self.started, self.done),
        }
        return {k: v for k, v in found.items() if v is not None}


class Turn:
    """One request and its spoken answer."""

    def __init__(
        self,
        pipeline: VoicePipeline,
        user: User,
        *,
        voice: str | None,
        rate: int | None,
        conversation_id: str | None,
        hints: tuple[str, ...] = (),
    ) -> None:
        self.pipeline = pipeline
        self.user = user
        self.voice = voice
        self.rate = rate
        self.conversation_id = conversation_id
        self.hints = hints
        self.language = pipeline.heron.settings.stt_language
        self.timings = Timings()

    async def from_recording(self, samples: Samples) -> AsyncIterator[VoiceEvent]:
        yield VoiceEvent(ev.RUN_START, {"start": "file", "seconds": round(len(samples) / RATE, 3)})
        try:
            heard = await asyncio.to_thread(self.pipeline.speech.has_speech, samples)
            transcript = (
                await self.pipeline.transcribe(samples, language=self.language, hints=self.hints)
                if heard
                else Transcript("", "en", (), len(samples) / RATE)
            )
        except HeronError as error:
            yield VoiceEvent.error("stt", error.status, error.detail)
            return
        self.timings.transcript = _now()
        async for event in self.respond(transcript):
            yield event

    async def respond(self, transcript: Transcript) -> AsyncIterator[VoiceEvent]:
        """From the final transcript on: the assistant's answer, then its speech."""
        yield VoiceEvent(ev.TRANSCRIPT, transcript.to_json())
        text = transcript.text
        spoken: tuple[Spoken, ...] = ()
        if not text:
            reply = NOTHING_HEARD
            yield VoiceEvent(ev.REPLY, {"text": reply, "heard": False})
        else:
            try:
                answer = await self.pipeline.heron.ask(
                    self.user,
                    text,
                    conversation_id=self.conversation_id,
                    continue_recent=self.conversation_id is None,
                )
            except HeronError as error:
                yield VoiceEvent.error("intent", error.status, error.detail)
                return
            self.conversation_id = answer.conversation_id
            reply, spoken = answer.reply, answer.spoken
            yield VoiceEvent(
                ev.INTENT,
                {
                    "intent": answer.intent,
                    "slots": answer.slots,
                    "confidence": round(answer.confidence, 3),
                    "stage": answer.stage,
                    "conversation_id": answer.conversation_id,
                },
            )
            yield VoiceEvent(ev.REPLY, {"text": reply, "heard": True})
        self.timings.answer = _now()
        async for event in self.say(reply, spoken):
            yield event
        self.timings.done = _now()
        yield VoiceEvent(
            ev.DONE,
            {"timings": self.timings.to_json(), "conversation_id": self.conversation_id},
        )

    async def say(self, text: str, spoken: Sequence[Spoken] = ()) -> AsyncIterator[VoiceEvent]:
        """`text` as speech, or its `spoken` parts each in a voice of its language; one audio
        stream either way (at the first part's rate when the device asked for none)."""
        started = False
        rate = self.rate
        try:
            parts = (
                await asyncio.to_thread(self._voiced, spoken)
                if spoken
                else [(part, self.voice) for part in first_clause(text)]
            )
            for part, voice in parts:
                if not part.strip():
                    continue
                rate, chunks = await self.pipeline.speak(part, voice=voice, rate=rate)
                async for chunk in chunks:
                    if not started:
                        started = True
                        yield VoiceEvent(ev.AUDIO_START, {"rate": rate, "width": 2, "channels": 1})
                    for start in range(0, len(chunk), AUDIO_BLOCK):
                        if self.timings.first_audio is None:
                            self.timings.first_audio = _now()
                        block = chunk[start : start + AUDIO_BLOCK]
                        yield VoiceEvent(ev.AUDIO, audio=block.astype("<i2").tobytes())
            if started:
                yield VoiceEvent(ev.AUDIO_STOP)
        except HeronError as error:
            yield VoiceEvent.error("tts", error.status, error.detail)

    def _voiced(self, spoken: Sequence[Spoken]) -> list[tuple[str, str | None]]:
        """Each part with the voice it is said in (looking voices up may start an engine)."""
        return [(part.text, self.pipeline.voice_for(part.language, self.voice)) for part in spoken]


def first_clause(text: str) -> list[str]:
    """The reply in the parts it is synthesized in: a long first sentence's opening clause
    on its own (speech starts sooner; the voice pauses at a comma anyway), then the rest,
    which the engine takes sentence by sentence."""
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    for comma in re.finditer(r",\s", first):
        head, rest = text[: comma.start() + 1], text[comma.end() :]
        if len(head.split()) >= 2 and len(rest.split()) >= 2:
            return [head, rest]
    return [text]


class Listening:
    """Hears one request as it is spoken: voice activity, end-pointing, partial transcripts,
    and a transcript decoded as soon as the user pauses (usually the final one)."""

    def __init__(
        self, turn: Turn, vad: VoiceActivity, no_speech_s: float, *, lead_in_s: float = 0.0
    ) -> None:
        self.turn = turn
        self.vad = vad
        self.frame = vad.frame_samples
        self.endpointer = Endpointer(self.frame / RATE, lead_in_s=lead_in_s)
        self.no_speech_s = no_speech_s
        self.audio: list[Samples] = []
        self.size = 0
        self._pending = np.zeros(0, np.int16)
        self._partial_task: asyncio.Task[Transcript] | None = None
        self._partial_at = 0
        self._guess: asyncio.Task[Transcript] | None = None
        self._guess_end = 0
        self._judged: asyncio.Task[Transcript] | None = None
        self.ended: str | None = None
        """Why listening ended: silence, complete, max-length, no-speech or button."""

    @property
    def samples(self) -> Samples:
        return np.concatenate(self.audio) if self.audio else np.zeros(0, np.int16)

    async def feed(self, samples: Samples) -> list[VoiceEvent]:
        """Takes the next audio; returns what happened. `ended` is set once the request is over."""
        found: list[VoiceEvent] = []
        self.audio.append(samples)
        self.size += len(samples)
        pending = np.concatenate([self._pending, samples])
        whole = len(pending) - len(pending) % self.frame
        self._pending = pending[whole:]
        for start in range(0, whole, self.frame):
            mark = self.endpointer.update(self.vad.probability(pending[start : start + self.frame]))
            if (
                self.endpointer.started
                and self.endpointer.speech_end_frame == self.endpointer.frames
            ):
                # This frame was speech: so far, the words end here (and now).
                self.turn.timings.speech_end = _now()
            if mark is not None:
                found.extend(self._on(mark))
            if self.ended:
                return found
        if not self.endpointer.started and self.endpointer.heard_s >= self.no_speech_s:
            self.ended = "no-speech"
        elif self.size > self.turn.pipeline.heron.settings.max_audio_seconds * RATE:
            self.ended = "max-length"
        elif self.endpointer.started:
            found.extend(self._maybe_partial())
        found.extend(self._check_guess())
        return found

    def _on(self, mark: Mark) -> list[VoiceEvent]:
        end = self.endpointer
        if mark is Mark.SPEECH_START:
            return [VoiceEvent(ev.SPEECH_START, {"at_s": round(end.heard_s, 2)})]
        if mark is Mark.RESUME:
            return []
        if mark is Mark.PAUSE:
            # The user may be done: decode what was said now, while the silence is confirmed.
            self._guess_end = end.speech_end_frame * self.frame
            self._guess = asyncio.create_task(self._decode(self._guess_end))
            return []
        self.ended = "complete" if end.complete else "silence"
        return []

    async def _decode(self, until: int) -> Transcript:
        # A little silence after the words helps Whisper end the sentence cleanly.
        return await self.turn.pipeline.transcribe(
            self.samples[: until + RATE // 5], language=self.turn.language, hints=self.turn.hints
        )

    def _maybe_partial(self) -> list[VoiceEvent]:
        found: list[VoiceEvent] = []
        task = self._partial_task
        if task is not None and task.done():
            self._partial_task = None
            if not task.cancelled() and task.exception() is None:
                text = task.result().text
                if text:
                    found.append(VoiceEvent(ev.PARTIAL, {"text": text}))
        busy = self._partial_task is not None or (
            self._guess is not None and not self._guess.done()
        )
        grown = self.size - self._partial_at >= PARTIAL_EVERY_S * RATE
        if (
            not busy
            and grown
            and self.size >= PARTIAL_EVERY_S * RATE
            and self.endpointer.silence_s == 0
        ):
            self._partial_at = self.size
            self._partial_task = asyncio.create_task(self._decode(self.size))
        return found

    def _check_guess(self) -> list[VoiceEvent]:
        guess = self._guess
        if guess is None or not guess.done() or self.ended:
            return []
        if self.endpointer.speech_end_frame * self.frame > self._guess_end:
            return []  # the user went on speaking; a new pause will bring a new guess
        if guess.cancelled() or guess.exception() is not None:
            return []
        if self._judged is guess:
            return []
        self._judged = guess
        state = self.turn.pipeline.heron.request_state(guess.result().text)
        if state == "unfinished":
            self.endpointer.mark_unfinished()
        elif state == "complete" and self.endpointer.mark_complete():
            self.ended = "complete"
        return []

    def cancel(self) -> None:
        """Stops the decodes in flight (the device went away or the user stopped)."""
        for task in (self._partial_task, self._guess):
            if task is not None:
                task.cancel()

    async def transcript(self) -> Transcript:
        """The final transcript: the guess made at the last pause if nothing was said after it."""
        if self._partial_task is not None:
            self._partial_task.cancel()
        guess = self._guess
        spoken_after = self.endpointer.speech_end_frame * self.frame > self._guess_end
        if guess is not None and not spoken_after and self.ended in ("silence", "complete"):
            with contextlib.suppress(asyncio.CancelledError):
                return await guess
        if guess is not None:
            guess.cancel()
        if not self.endpointer.started:
            return Transcript("", "en", (), self.size / RATE)
        return await self._decode(self.endpointer.speech_end_frame * self.frame)


@dataclass
class SessionOptions:
    device: str = "default"
    room: str = ""
    format: AudioFormat = field(default_factory=AudioFormat)
    start: str = "wake"
    """wake: wait for the wake word (said on the device, or heard by the server); button:
    listen at once (push-to-talk)."""
    wake_word: str | None = None
    wake_on_server: bool = True
    """Whether the server listens for the wake word itself (False: the device does)."""
    voice: str | None = None
    output_rate: int | None = None
    barge_in_speech: bool = False
    """The device cancels its own echo, so speech during a reply may interrupt it."""
    followup_s: float | None = None


Emit = Callable[[VoiceEvent], Awaitable[None]]


class VoiceSession:
    """One device's live voice stream. Feed it audio and controls; it emits events.

    Modes: idle (waiting for the wake word) → listening → answering (speaking) → follow-up
    (listening without the wake word for a few seconds) → idle.
    """

    def __init__(
        self, pipeline: VoicePipeline, user: User, options: SessionOptions, emit: Emit
    ) -> None:
        self.pipeline = pipeline
        self.user = user
        self.options = options
        self.emit = emit
        self.converter = Converter(options.format)
        self.mode = "idle"
        self.conversation_id: str | None = None
        self.hints: tuple[str, ...] = ()
        self._wake: WakeWord | None = None
        self._listening: Listening | None = None
        self._answering: asyncio.Task[None] | None = None
        self._announcing: asyncio.Task[None] | None = None
        self._followup_until = 0.0
        self._speech_vad: VoiceActivity | None = None
        self._vad: VoiceActivity | None = None
        self._speech_run = 0
        self._recent = np.zeros(0, np.int16)

    @property
    def followup_s(self) -> float:
        found = self.options.followup_s
        return self.pipeline.heron.settings.followup_s if found is None else found

    async def start(self) -> None:
        self.hints = await self.pipeline.heron.speech_hints(self.user)
        if self.options.start == "button":
            await self.listen("button")
        elif self.options.wake_on_server:
            self._wake = self.pipeline.speech.wake(self.options.wake_word)

    async def audio(self, pcm: bytes) -> None:
        samples = self.converter.feed(pcm)
        if len(samples) == 0:
            return
        # The last half second, to judge how loud a wake word was.
        self._recent = np.concatenate([self._recent, samples])[-RATE // 2 :]
        if self.mode == "listening" and self._listening is not None:
            await self._hear(samples)
        elif self.mode == "answering":
            await self._watch_barge_in(samples)
        elif self.mode == "idle" and self._wake is not None:
            detection = self._wake.process(samples)
            if detection is not None:
                await self.wake(detection.wake_word, detection.score, level_dbfs(self._recent))

    async def wake(self, wake_word: str, score: float, level: float | None = None) -> None:
        """The wake word was said (heard here or on the device)."""
        signal = level if level is not None else level_dbfs(self._recent)
        if self.mode == "answering" or self._announcing is not None:
            await self._barge_in("wake")
            return
        if self.mode == "listening" and not self._followup_until:
            return  # already hearing a request
        won = await self.pipeline.arbiter.claim(
            self.user.id, self.options.room, self.options.device, signal + score
        )
        if not won:
            await self.emit(VoiceEvent(ev.STAND_DOWN, {"reason": "another device answers"}))
            return
        # Said while the device still plays the reply (the follow-up window is open): a
        # new request, with the full time to start speaking.
        self._drop_listening()
        await self.emit(VoiceEvent(ev.WAKE, {"wake_word": wake_word, "score": round(score, 3)}))
        await self.listen("wake")

    def _drop_listening(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
        self._listening = None
        self._followup_until = 0.0

    async def listen(self, start: str, *, no_speech_s: float = NO_SPEECH_S) -> None:
        turn = Turn(
            self.pipeline,
            self.user,
            voice=self.options.voice,
            rate=self.options.output_rate,
            conversation_id=self.conversation_id,
            hints=self.hints,
        )
        # One detector per device, reset for each request: its model is loaded once.
        if self._vad is None:
            self._vad = self.pipeline.speech.vad()
        self._vad.reset()
        lead_in_s = WAKE_TAIL_S if start == "wake" else 0.0
        self._listening = Listening(turn, self._vad, no_speech_s, lead_in_s=lead_in_s)
        self.mode = "listening"
        await self.emit(VoiceEvent(ev.RUN_START, {"start": start}))
        await self.emit(VoiceEvent(ev.LISTENING, {"device": self.options.device}))

    async def _hear(self, samples: Samples) -> None:
        listening = self._listening
        assert listening is not None
        for event in await listening.feed(samples):
            await self.emit(event)
        if listening.ended:
            await self._finish_listening()

    async def end_of_speech(self) -> None:
        """The device says the request is over (push-to-talk released)."""
        if self.mode == "listening" and self._listening is not None:
            self._listening.ended = self._listening.ended or "button"
            await self._finish_listening()

    async def _finish_listening(self) -> None:
        listening = self._listening
        assert listening is not None
        self._listening = None
        turn = listening.turn
        turn.timings.endpoint = _now()
        reason = listening.ended or "silence"
        await self.emit(
            VoiceEvent(
                ev.SPEECH_END,
                {"reason": reason, "speech_s": round(listening.endpointer.speech_end_s, 2)},
            )
        )
        following_up, self._followup_until = self._followup_until, 0.0
        if reason == "no-speech" and following_up:
            # Nobody followed up: back to waiting for the wake word, quietly.
            self.mode = "idle"
            await self.emit(VoiceEvent(ev.FOLLOWUP_END))
            return
        self.mode = "answering"
        self._answering = asyncio.create_task(self._answer(listening))

    async def _answer(self, listening: Listening) -> None:
        turn = listening.turn
        try:
            transcript = await listening.transcript()
            turn.timings.transcript = _now()
            played_s = 0.0
            rate = RATE
            async for event in turn.respond(transcript):
                if event.type == ev.AUDIO_START:
                    rate = int(event.data["rate"])
                elif event.type == ev.AUDIO:
                    played_s += len(event.audio) / 2 / rate
                elif event.type == ev.DONE:
                    event.data["followup_s"] = self.followup_s
                await self.emit(event)
            self.conversation_id = turn.conversation_id
        except TooLarge as error:
            await self.emit(VoiceEvent.error("stt", error.status, error.detail))
            played_s = 0.0
        except asyncio.CancelledError:
            raise
        self._answering = None
        if self.mode == "answering":
            # Listen for a follow-up (no wake word) once the device has played the reply.
            self._followup_until = _now() + played_s + self.followup_s
            await self.listen("follow-up", no_speech_s=played_s + self.followup_s)

    async def _watch_barge_in(self, samples: Samples) -> None:
        if self._wake is not None:
            detection = self._wake.process(samples)
            if detection is not None:
                await self._barge_in("wake")
                return
        if self.options.barge_in_speech:
            if self._speech_vad is None:
                self._speech_vad = self.pipeline.speech.vad()
            vad = self._speech_vad
            size = vad.frame_samples
            for start in range(0, len(samples) - size + 1, size):
                speech = vad.probability(samples[start : start + size]) >= 0.5
                self._speech_run = self._speech_run + 1 if speech else 0
                if self._speech_run * size / RATE >= BARGE_IN_SPEECH_S:
                    await self._barge_in("speech")
                    return

    async def _hush(self) -> None:
        """Stops the reply and any announcement being spoken."""
        for task in (self._answering, self._announcing):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._answering = self._announcing = None

    async def _barge_in(self, by: str) -> None:
        """Speech or the wake word during a reply: stop talking and listen."""
        await self._hush()
        self._drop_listening()
        self._speech_run = 0
        if self._speech_vad is not None:
            self._speech_vad.reset()
        await self.emit(VoiceEvent(ev.BARGE_IN, {"by": by}))
        await self.emit(VoiceEvent(ev.AUDIO_STOP, {"interrupted": True}))
        await self.listen("barge-in")

    async def button(self) -> None:
        """Push-to-talk: listen now (stops a reply in progress)."""
        if self.mode == "answering" or self._announcing is not None:
            await self._barge_in("button")
        elif self.mode != "listening" or self._followup_until:
            self._drop_listening()
            await self.listen("button")

    async def stop(self) -> None:
        """Stop whatever is going on and wait for the wake word."""
        await self._hush()
        self._drop_listening()
        self.mode = "idle"
        if self._wake is not None:
            self._wake.reset()

    async def announce(self, pushed: dict[str, Any]) -> None:
        """A pushed event (a timer finished): sent as it is, then its line spoken."""
        await self.emit(VoiceEvent(ev.PUSHED, {"event": pushed}))
        text = pushed.get("text")
        if not isinstance(text, str) or not text:
            return
        while self._answering is not None:  # a reply being spoken: the line comes after it
            await asyncio.wait({self._answering})
        task = asyncio.create_task(self._say_line(text))
        self._announcing = task
        try:
            await asyncio.wait({task})  # a barge-in cancels the line, not the announcer
        finally:
            task.cancel()
            if self._announcing is task:
                self._announcing = None

    async def _say_line(self, text: str) -> None:
        turn = Turn(
            self.pipeline,
            self.user,
            voice=self.options.voice,
            rate=self.options.output_rate,
            conversation_id=None,
        )
        async for event in turn.say(text):
            await self.emit(event)

    async def close(self) -> None:
        """The device went away: nothing of this session is left running."""
        await self.stop()


def check_start(start: str) -> str:
    if start not in ("wake", "button"):
        raise BadInput(f"unknown start {start!r}: use wake or button")
    return start


async def collect(events: AsyncIterator[VoiceEvent]) -> dict[str, Any]:
    """A whole run gathered: transcript, reply, intent, timings and the reply's audio."""
    found: dict[str, Any] = {"audio": [], "rate": RATE, "errors": []}
    async for event in events:
        if event.type == ev.TRANSCRIPT:
            found["transcript"] = event.data["text"]
        elif event.type == ev.INTENT:
            found["intent"] = event.data
        elif event.type == ev.REPLY:
            found["reply"] = event.data["text"]
        elif event.type == ev.AUDIO_START:
            found["rate"] = event.data["rate"]
        elif event.type == ev.AUDIO:
            found["audio"].append(np.frombuffer(event.audio, "<i2"))
        elif event.type == ev.DONE:
            found["timings"] = event.data["timings"]
        elif event.type == ev.ERROR:
            found["errors"].append(event.data)
    return found
