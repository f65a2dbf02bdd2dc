"""Live interpretation: speech in one language heard utterance by utterance (the voice
pipeline's end-pointing), written down, translated sentence by sentence and spoken again.

Each utterance's events: speech-start → transcript-partial… → speech-end → transcript, then
for each sentence translation → audio-start → audio… → audio-stop, then done (with the time
from the end of speech to the first translated audio). Two-way: either language may be
spoken; each utterance goes into the other one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from heron.audio import RATE, Samples
from heron.errors import BadInput, HeronError, UnsupportedLanguage
from heron.language.langid import language_name
from heron.pipeline import events as ev
from heron.pipeline.events import VoiceEvent
from heron.pipeline.voice import Listening, Turn, VoicePipeline
from heron.speech import SpeechToText, Transcript
from heron.translation.translator import Translation, split

if TYPE_CHECKING:
    from heron.engine import Heron
    from heron.store.models import User

log = logging.getLogger(__name__)

TRANSLATION = "translation"
"""The event with one sentence's translation; its speech follows it."""
NO_SPEECH_S = 5.0
"""Silence this long is dropped (keeping its tail) rather than held on to."""
CARRY_S = 0.3
"""The end of a dropped stretch of silence, heard again: speech may have begun in it."""
WARM_TEXT = "The day is long."
"""Translated and spoken once at the start (not a phrase the memory knows: the engines run)."""


@dataclass(frozen=True)
class EndOfUtterance:
    """In the audio stream: the speaker says the utterance is over (push-to-talk released)."""


END_OF_UTTERANCE = EndOfUtterance()
Heard = Samples | EndOfUtterance
Emit = Callable[[VoiceEvent], None]


def _now() -> float:
    return time.perf_counter()


@dataclass(frozen=True)
class Direction:
    """What is interpreted: from `source` into `target` (and back, two-way), and the voice
    each spoken language is said in."""

    source: str
    target: str
    two_way: bool = False
    voices: tuple[tuple[str, str], ...] = ()
    """(language, voice) for every language spoken."""

    @property
    def languages(self) -> tuple[str, str]:
        return (self.source, self.target)

    @property
    def ways(self) -> list[tuple[str, str]]:
        forth = [(self.source, self.target)]
        return [*forth, (self.target, self.source)] if self.two_way else forth

    def into(self, heard: str) -> str:
        """The language an utterance heard in `heard` is translated into."""
        return self.source if self.two_way and heard == self.target else self.target

    def voice(self, language: str) -> str:
        return dict(self.voices)[language]

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "two_way": self.two_way,
            "voices": dict(self.voices),
        }


def plan(heron: Heron, source: str, target: str, *, two_way: bool = False) -> Direction:
    """The direction to interpret in, checked end to end: the source can be heard, the pair
    translated and the target spoken (each way, two-way). UnsupportedLanguage otherwise,
    naming what can be interpreted. Blocks (loads engines): call it in a worker thread."""
    source, target = _code(source), _code(target)
    if source == target:
        raise BadInput(f"from and to are both {source}: give two different languages")
    voices: dict[str, str] = {}
    for heard, said in [(source, target), *([(target, source)] if two_way else [])]:
        problem = _problem(heron, heard, said)
        if problem is not None:
            raise UnsupportedLanguage(
                f"{heard} → {said} cannot be interpreted: {problem}; {_available(heron, heard)}"
            )
        voice = heron.speech.voice_for_language(said)
        assert voice is not None  # _problem checked
        voices[said] = voice
    return Direction(source, target, two_way, tuple(voices.items()))


def _code(language: str) -> str:
    code = language.strip().lower().replace("_", "-").split("-")[0]
    if not code:
        raise BadInput("give both languages, e.g. from=en and to=es")
    return code


def _problem(heron: Heron, heard: str, said: str) -> str | None:
    """Why `heard` speech cannot become `said` speech, or None if it can."""
    stt = heron.speech.stt()
    if heard not in hearable(stt):
        return f"{stt.name} does not hear {language_name(heard)}"
    try:
        heron.translator.route(heard, said)
    except UnsupportedLanguage:
        return f"no engine translates {language_name(heard)} into {language_name(said)}"
    if heron.speech.voice_for_language(said) is None:
        return f"no voice speaks {language_name(said)}"
    return None


def hearable(stt: SpeechToText) -> frozenset[str]:
    """The languages a speech-to-text engine writes down."""
    # The SpeechToText interface does not say which languages an engine hears; the two
    # engines are asked here (Whisper's list, PocketSphinx's English).
    if stt.name == "whisper":
        from heron.speech.stt_whisper import LANGUAGES

        return LANGUAGES
    return frozenset({"en"})


def spoken_directions(heron: Heron) -> dict[str, list[str]]:
    """Every language that can be interpreted from → the languages it can be interpreted into."""
    heard = hearable(heron.speech.stt())
    voiced: dict[str, bool] = {}
    found: dict[str, list[str]] = {}
    for direction in heron.translator.directions():
        source, target = direction["from"], direction["to"]
        if target not in voiced:
            voiced[target] = heron.speech.voice_for_language(target) is not None
        if source in heard and voiced[target]:
            found.setdefault(source, []).append(target)
    return found


def _available(heron: Heron, source: str) -> str:
    found = spoken_directions(heron)
    if source in found:
        return f"{source} can be interpreted into: {', '.join(sorted(found[source]))}"
    if not found:
        return "no language can be interpreted (install Apertium: apt-get install apertium-eng-spa)"
    return f"languages that can be interpreted from: {', '.join(sorted(found))}"


def sentences(text: str) -> list[str]:
    """A transcript's sentences, in order."""
    return [piece.strip() for piece, is_text in split(text) if is_text and piece.strip()]


@dataclass
class UtteranceTimings:
    """Seconds on the monotonic clock at each step of one utterance."""

    speech_end: float | None = None
    endpoint: float | None = None
    transcript: float | None = None
    translation: float | None = None
    first_audio: float | None = None
    done: float | None = None
    started: float = field(default_factory=_now)

    def to_json(self) -> dict[str, float]:
        def ms(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else round((b - a) * 1000, 1)

        origin = self.speech_end if self.speech_end is not None else self.endpoint
        found = {
            "endpoint_ms": ms(self.speech_end, self.endpoint),
            "stt_ms": ms(self.endpoint, self.transcript),
            "translation_ms": ms(self.transcript, self.translation),
            "tts_first_audio_ms": ms(self.translation, self.first_audio),
            "first_audio_ms": ms(origin, self.first_audio),
            "total_ms": ms(origin, self.done),
        }
        return {k: v for k, v in found.items() if v is not None}


class Interpreter:
    """Interprets one stream of speech. `interpret` may run once per instance."""

    def __init__(
        self,
        pipeline: VoicePipeline,
        user: User,
        direction: Direction,
        *,
        rate: int | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.user = user
        self.direction = direction
        self.rate = rate
        """The rate translated speech is sent at (None: each voice's own)."""
        self._vad = pipeline.speech.vad()
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    async def open(
        cls,
        heron: Heron,
        user: User,
        source: str,
        target: str,
        *,
        two_way: bool = False,
        rate: int | None = None,
    ) -> Interpreter:
        """An interpreter from `source` into `target` with every engine it needs loaded, so
        the first utterance pays no load; UnsupportedLanguage (naming what can be
        interpreted) before any audio is heard."""
        direction = await asyncio.to_thread(plan, heron, source, target, two_way=two_way)
        interpreter = cls(heron.voice, user, direction, rate=rate)
        await asyncio.to_thread(interpreter._warm)
        return interpreter

    def _warm(self) -> None:
        heron = self.pipeline.heron
        speech = self.pipeline.speech
        speech.warm()
        # Whisper's first decode is slower than the rest.
        speech.stt().transcribe(np.zeros(RATE // 2, np.int16), language=self.direction.source)
        for heard, said in self.direction.ways:
            # Each direction's first text starts its engines (Apertium's pipelines, Marian).
            heron.translator.translate([WARM_TEXT], said, heard)
            engine, voice = speech.tts_for(self.direction.voice(said))
            next(engine.synthesize(WARM_TEXT, voice=voice).chunks, None)

    async def interpret(self, heard: AsyncIterable[Heard]) -> AsyncIterator[VoiceEvent]:
        """The events of every utterance in `heard` (16 kHz samples, and END_OF_UTTERANCE
        where the speaker says an utterance ended), in order; utterances still being
        translated when the stream ends are finished first."""
        out: asyncio.Queue[VoiceEvent | None] = asyncio.Queue()
        listener = asyncio.create_task(self._listen(heard, out))
        try:
            while (event := await out.get()) is not None:
                yield event
            await listener  # what failed in there fails here
        finally:
            running = [listener, *self._tasks]
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    def _listening(self) -> Listening:
        turn = Turn(self.pipeline, self.user, voice=None, rate=self.rate, conversation_id=None)
        # Two-way: Whisper tells the language (kept to the two, see _in_pair).
        turn.language = None if self.direction.two_way else self.direction.source
        self._vad.reset()
        return Listening(turn, self._vad, NO_SPEECH_S)

    async def _listen(
        self, heard: AsyncIterable[Heard], out: asyncio.Queue[VoiceEvent | None]
    ) -> None:
        emit: Emit = out.put_nowait
        listening = self._listening()
        number = 1
        previous: asyncio.Task[None] | None = None
        try:
            async for item in heard:
                if isinstance(item, EndOfUtterance):
                    if listening.endpointer.started:
                        listening.ended = listening.ended or "end"
                else:
                    for event in await listening.feed(item):
                        emit(_tagged(event, utterance=number))
                    await asyncio.sleep(0)  # a fast source (a file) lets utterances go out
                if listening.ended is None:
                    continue
                if not listening.endpointer.started:
                    # Only silence so far: let it go, but for its end.
                    tail = listening.samples[-round(CARRY_S * RATE) :]
                    listening = self._listening()
                    for event in await listening.feed(tail):
                        emit(_tagged(event, utterance=number))
                    continue
                previous = self._finish(listening, number, previous, emit)
                number += 1
                listening = self._listening()
            if listening.endpointer.started:
                listening.ended = listening.ended or "end"
                previous = self._finish(listening, number, previous, emit)
            else:
                listening.cancel()
            if previous is not None:
                await previous
        finally:
            listening.cancel()
            out.put_nowait(None)  # the end of the events

    def _finish(
        self,
        listening: Listening,
        number: int,
        previous: asyncio.Task[None] | None,
        emit: Emit,
    ) -> asyncio.Task[None]:
        """The utterance heard is over: said so now, translated in a task of its own (while
        the next one is heard), its events sent once the previous utterance's are."""
        timings = UtteranceTimings(listening.turn.timings.speech_end, _now())
        emit(
            VoiceEvent(
                ev.SPEECH_END,
                {
                    "utterance": number,
                    "reason": listening.ended,
                    "speech_s": round(listening.endpointer.speech_end_s, 2),
                },
            )
        )
        task = asyncio.create_task(self._utterance(listening, number, timings, previous, emit))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _utterance(
        self,
        listening: Listening,
        number: int,
        timings: UtteranceTimings,
        previous: asyncio.Task[None] | None,
        emit: Emit,
    ) -> None:
        turn = listening.turn
        failure: HeronError | None = None
        transcript = Transcript("", self.direction.source)
        try:
            transcript = await self._in_pair(await listening.transcript(), listening)
        except HeronError as error:
            failure = error
        timings.transcript = _now()
        if previous is not None:
            await previous  # its events go out first
        source = transcript.language
        target = self.direction.into(source)

        def done(heard: bool) -> None:
            timings.done = _now()
            if turn.timings.first_audio is not None:
                timings.first_audio = turn.timings.first_audio
            found = timings.to_json()
            emit(
                VoiceEvent(
                    ev.DONE,
                    {
                        "utterance": number,
                        "heard": heard,
                        "from": source,
                        "to": target,
                        "latency_ms": found.get("first_audio_ms"),
                        "timings": found,
                    },
                )
            )

        if failure is not None:
            emit(_tagged(VoiceEvent.error("stt", failure.status, failure.detail), number))
            done(False)
            return
        emit(_tagged(VoiceEvent(ev.TRANSCRIPT, transcript.to_json()), number))
        said = sentences(transcript.text)
        if not said:
            done(False)
            return
        heron = self.pipeline.heron
        try:
            first = await heron.translate(said[0], target, source)
        except HeronError as error:
            emit(_tagged(VoiceEvent.error("translation", error.status, error.detail), number))
            done(True)
            return
        timings.translation = _now()
        # The rest is translated while the first sentence is spoken.
        rest = (
            asyncio.create_task(heron.translate(said[1:], target, source))
            if len(said) > 1
            else None
        )
        turn.voice = self.direction.voice(target)
        try:
            await self._say(turn, first[0], number, 0, emit)
            if rest is not None:
                try:
                    translated = await rest
                except HeronError as error:
                    emit(
                        _tagged(VoiceEvent.error("translation", error.status, error.detail), number)
                    )
                    translated = []
                for index, translation in enumerate(translated, start=1):
                    await self._say(turn, translation, number, index, emit)
        finally:
            if rest is not None:
                rest.cancel()
        done(True)

    async def _say(
        self, turn: Turn, translation: Translation, number: int, index: int, emit: Emit
    ) -> None:
        emit(_tagged(VoiceEvent(TRANSLATION, translation.to_json()), number, sentence=index))
        async for event in turn.say(translation.text):
            if event.type == ev.AUDIO:
                emit(event)
            else:
                emit(_tagged(event, number, sentence=index))

    async def _in_pair(self, transcript: Transcript, listening: Listening) -> Transcript:
        """Two-way, Whisper detects the language among all it knows and may hear a third one
        (robotic Spanish as Thai); the utterance is then written down again in the likelier
        of the two."""
        if (
            not self.direction.two_way
            or not transcript.text
            or transcript.language in self.direction.languages
        ):
            return transcript
        language = self.likelier(transcript.text)
        log.info(
            "utterance heard as language=%s; decoding again as language=%s",
            transcript.language,
            language,
        )
        # As the pipeline decodes: the words and a little silence after them.
        end = listening.endpointer.speech_end_frame * listening.frame + RATE // 5
        return await self.pipeline.transcribe(listening.samples[:end], language=language)

    def likelier(self, text: str) -> str:
        """Which of the two languages an utterance written down in a third one is more likely
        in: the one its words look like, else the one that is not English (Whisper seldom
        takes English for another language; it does take other languages for a third)."""
        [found] = self.pipeline.heron.language_identifier.detect([text])
        for code in (found.code, *(c.code for c in found.alternatives)):
            if code in self.direction.languages:
                return code
        others = [code for code in self.direction.languages if code != "en"]
        return others[0] if len(others) == 1 else self.direction.source


def _tagged(event: VoiceEvent, utterance: int, sentence: int | None = None) -> VoiceEvent:
    data: dict[str, Any] = {**event.data, "utterance": utterance}
    if sentence is not None:
        data["sentence"] = sentence
    return VoiceEvent(event.type, data, event.audio)
