"""Heron over the Wyoming protocol, as Home Assistant's voice services speak it: speech-to-text,
text-to-speech, wake words, intent recognition and the assistant as a conversation agent.

One TCP (or Unix socket) server; each connection is a `Connection` that translates events
into calls on the engine and back. The protocol has no authentication, so the server listens
on loopback unless told otherwise, and then only with an allow-list of client addresses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np
from cachetools import LRUCache
from fastapi.encoders import jsonable_encoder
from wyoming.asr import Transcribe, Transcript, TranscriptChunk, TranscriptStart, TranscriptStop
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.handle import Handled, NotHandled
from wyoming.info import (
    AsrModel,
    AsrProgram,
    Attribution,
    Describe,
    HandleModel,
    HandleProgram,
    Info,
    IntentModel,
    IntentProgram,
    TtsProgram,
    TtsVoice,
    WakeModel,
    WakeProgram,
)
from wyoming.intent import Entity, Intent, NotRecognized, Recognize
from wyoming.ping import Ping, Pong
from wyoming.server import AsyncEventHandler, AsyncServer
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeStopped,
    SynthesizeVoice,
)
from wyoming.wake import Detect, Detection, NotDetected

import heron
from heron.audio import RATE, AudioFormat, Converter, Samples
from heron.errors import BadInput, HeronError
from heron.speech import Transcript as Heard
from heron.speech import WakeWord, primary_language

if TYPE_CHECKING:
    from heron.config import Settings
    from heron.engine import Heron
    from heron.store.models import User

log = logging.getLogger(__name__)

DEFAULT_URI = "tcp://127.0.0.1:10700"
PARTIAL_EVERY_S = 1.0
"""While live audio arrives, a partial transcript at most this often."""
LIVE = 0.8
"""Audio counts as live (spoken now, not a recording sent all at once) while the time since
audio-start is at least this share of the audio's length (less half a second of slack)."""
CONVERSATIONS = 1000
"""Clients' conversation ids remembered (Home Assistant's → Heron's), oldest forgotten first."""
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
HERON = Attribution(name="Heron", url="")
STT_MODELS = {
    "whisper": ("whisper-base", "OpenAI Whisper", "https://github.com/openai/whisper"),
    "sphinx": ("pocketsphinx", "CMU PocketSphinx", "https://github.com/cmusphinx/pocketsphinx"),
}
TTS_ATTRIBUTION = {
    "piper": Attribution(name="Piper", url="https://github.com/rhasspy/piper"),
    "espeak": Attribution(name="eSpeak NG", url="https://github.com/espeak-ng/espeak-ng"),
}
WAKE_ATTRIBUTION = {
    "micro": Attribution(name="microWakeWord", url="https://github.com/kahrendt/microWakeWord"),
    "open": Attribution(name="openWakeWord", url="https://github.com/dscripka/openWakeWord"),
}


# --- who may connect ------------------------------------------------------------------


def check_listen(uri: str, *, remote: bool, allow: Sequence[str]) -> None:
    """Refuses a URI that would expose the unauthenticated protocol beyond this machine,
    unless both `remote` and an allow-list say so. BadInput says what to do."""
    parsed = urlparse(uri)
    if parsed.scheme in ("unix", "stdio"):
        return
    if parsed.scheme != "tcp" or not parsed.hostname or parsed.port is None:
        raise BadInput(f"{uri!r} is not a Wyoming address: use tcp://HOST:PORT or unix://PATH")
    networks(allow)  # a bad allow-list entry is an error even on loopback
    if _is_loopback(parsed.hostname):
        return
    if not remote or not allow:
        raise BadInput(
            f"the Wyoming protocol has no authentication, so listening on {parsed.hostname} "
            "needs --remote and at least one --allow ADDRESS (a client's address or network, "
            "e.g. --allow 192.168.1.20); or listen on 127.0.0.1"
        )


def networks(allow: Sequence[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    found = []
    for entry in allow:
        try:
            found.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise BadInput(
                f"{entry!r} is not an address or network (e.g. 192.168.1.20 or 192.168.1.0/24)"
            ) from None
    return found


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: whatever it resolves to, it is not plainly loopback


def allowed(peer: Any, allow: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    """Whether a connection's peer (writer's `peername`) may talk to Heron."""
    if not isinstance(peer, tuple) or not peer:
        return True  # a Unix socket: only this machine can reach it
    try:
        address = ipaddress.ip_address(str(peer[0]).split("%")[0])
    except ValueError:
        return False
    if address.is_loopback:
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in allow)


# --- what Heron offers ------------------------------------------------------------------


def describe(engine: Heron) -> Info:
    """The `info` answer: Heron's speech-to-text, voices, wake words, intents and assistant."""
    settings = engine.settings
    version = heron.__version__
    asr_models = []
    for stt, (name, author, url) in STT_MODELS.items():
        asr_models.append(
            AsrModel(
                name=name,
                attribution=Attribution(name=author, url=url),
                installed=True,
                description=author,
                version=None,
                languages=_whisper_languages() if stt == "whisper" else ["en"],
            )
        )
    if settings.stt_engine == "sphinx":
        asr_models.reverse()  # clients take the first model as the default
    voices = [
        TtsVoice(
            name=voice.name,
            attribution=TTS_ATTRIBUTION.get(voice.engine, HERON),
            installed=True,
            description=f"{voice.name} ({voice.engine}, {voice.rate} Hz)",
            version=None,
            languages=[voice.language],
        )
        for voice in engine.speech.voices()
    ]
    default_voice = settings.tts_voice or (voices[0].name if voices else None)
    voices.sort(key=lambda v: v.name != default_voice)
    wake_models = [
        WakeModel(
            name=model,
            attribution=WAKE_ATTRIBUTION.get(settings.wake_engine, HERON),
            installed=True,
            description=f"{model.replace('_', ' ')} ({settings.wake_engine})",
            version=None,
            languages=["en"],
            phrase=model.replace("_", " "),
        )
        for model in _wake_models(settings)
    ]
    # What every one of Heron's programs says about itself.
    common: dict[str, Any] = {"attribution": HERON, "installed": True, "version": version}
    return Info(
        asr=[
            AsrProgram(
                name="heron-stt",
                description="Heron speech-to-text",
                models=asr_models,
                supports_transcript_streaming=settings.wyoming_partials,
                **common,
            )
        ],
        tts=[
            TtsProgram(
                name="heron-tts",
                description="Heron text-to-speech",
                voices=voices,
                supports_synthesize_streaming=True,
                **common,
            )
        ],
        wake=[
            WakeProgram(
                name="heron-wake", description="Heron wake words", models=wake_models, **common
            )
        ],
        intent=[
            IntentProgram(
                name="heron-intents",
                description="Heron's intents and slots, without acting on them",
                models=[_assistant_model(IntentModel, common)],
                **common,
            )
        ],
        handle=[
            HandleProgram(
                name="heron",
                description="The Heron assistant (timers, reminders, lists, knowledge, memory)",
                models=[_assistant_model(HandleModel, common)],
                **common,
            )
        ],
    )


def _assistant_model(kind: Any, common: dict[str, Any]) -> Any:
    return kind(name="heron", description="Heron's skills (English)", languages=["en"], **common)


def _whisper_languages() -> list[str]:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return sorted(_LANGUAGE_CODES)


def _wake_models(settings: Settings) -> list[str]:
    from heron.speech import wake

    found = wake.models().get(settings.wake_engine, [])
    # The configured wake word first: clients that show one show that.
    return sorted(found, key=lambda name: name != settings.wake_word)


# --- the server ---------------------------------------------------------------------------


class WyomingServer:
    """Serves one engine over Wyoming on `uri`, acting as one Heron user."""

    def __init__(self, heron: Heron, uri: str = DEFAULT_URI, *, user: User | None = None) -> None:
        settings = heron.settings
        check_listen(uri, remote=settings.wyoming_remote, allow=settings.wyoming_allow)
        self.heron = heron
        self.uri = uri
        self.user = user
        self.allow = networks(settings.wyoming_allow)
        self.conversations: LRUCache[str, str] = LRUCache(maxsize=CONVERSATIONS)
        self._server: AsyncServer | None = None
        self._info: Info | None = None

    async def start(self) -> None:
        """Listens (the engine must be started). Raises OSError if the address is taken."""
        if self.user is None:
            name = self.heron.settings.wyoming_user
            self.user = (
                await self.heron.user(name) if name else (await self.heron.ensure_first_user())[0]
            )
        self._info = await asyncio.to_thread(describe, self.heron)
        self._server = AsyncServer.from_uri(self.uri)
        await self._server.start(self._connect)
        log.info("wyoming listening uri=%s user=%s", self.uri, self.user.name)

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
            self._server = None

    @property
    def info(self) -> Info:
        if self._info is None:
            raise HeronError("the Wyoming server is not started")
        return self._info

    def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Connection:
        return Connection(self, reader, writer)

    def conversation(self, client_id: str | None) -> str | None:
        """Heron's conversation for a client's conversation id (None: a new one)."""
        return None if client_id is None else self.conversations.get(client_id)

    def remember_conversation(self, client_id: str, heron_id: str) -> None:
        self.conversations[client_id] = heron_id


# --- one connection ------------------------------------------------------------------------


@dataclass
class Hearing:
    """The audio of one request as it arrives (converted to Heron's 16 kHz mono)."""

    converter: Converter
    started: float = field(default_factory=time.perf_counter)
    parts: list[Samples] = field(default_factory=list)
    size: int = 0

    def feed(self, pcm: bytes) -> Samples:
        samples = self.converter.feed(pcm)
        self.parts.append(samples)
        self.size += len(samples)
        return samples

    def finish(self) -> None:
        tail = self.converter.flush()
        if len(tail):
            self.parts.append(tail)
            self.size += len(tail)

    @property
    def samples(self) -> Samples:
        return np.concatenate(self.parts) if self.parts else np.zeros(0, np.int16)

    @property
    def seconds(self) -> float:
        return self.size / RATE

    @property
    def live(self) -> bool:
        return time.perf_counter() - self.started >= LIVE * self.seconds - 0.5


@dataclass
class Partials:
    """Partial transcripts while live audio arrives, sent as transcript-chunks that only ever
    add words: a word is sent once two partials in a row agree on it (and it is not the last
    word heard, which the next second of audio may still change)."""

    sent: list[str] = field(default_factory=list)
    previous: list[str] = field(default_factory=list)
    task: asyncio.Task[Heard | None] | None = None
    at: int = 0

    def agree(self, text: str) -> str | None:
        """The new words a partial transcript confirms, as chunk text (None: nothing new)."""
        words = text.split()
        agreed: list[str] = []
        for mine, theirs in zip(words[:-1], self.previous, strict=False):
            if _word(mine) != _word(theirs):
                break
            agreed.append(mine)
        self.previous = words
        return self._extend(agreed)

    def final(self, text: str) -> str | None:
        """The rest of the final transcript after the words already sent, if they match it."""
        return self._extend(text.split())

    def _extend(self, words: list[str]) -> str | None:
        if len(words) <= len(self.sent):
            return None
        if [_word(w) for w in words[: len(self.sent)]] != [_word(w) for w in self.sent]:
            return None  # Whisper changed its mind about a sent word: the transcript corrects it
        new = words[len(self.sent) :]
        chunk = (" " if self.sent else "") + " ".join(new)
        self.sent.extend(new)
        return chunk

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()


def _word(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


class Connection(AsyncEventHandler):
    """One client: events in, engine calls, events out."""

    def __init__(
        self, server: WyomingServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        super().__init__(reader, writer)
        self.server = server
        self.heron = server.heron
        self.peer = writer.get_extra_info("peername")
        self.writing = asyncio.Lock()
        self.transcribe: Transcribe | None = None
        self.hearing: Hearing | None = None
        self.partials: Partials | None = None
        self.detect: list[WakeWord] | None = None
        self.detected = False
        self.synthesis: list[str] | None = None
        """Text of a streamed synthesis not yet spoken (None: no stream is open)."""
        self.synthesis_voice: SynthesizeVoice | None = None
        self.synthesis_rate: int | None = None

    async def run(self) -> None:
        if not allowed(self.peer, self.server.allow):
            log.warning("wyoming refused a client not on the allow-list peer=%s", self.peer)
            self.writer.close()
            return
        try:
            await super().run()
        except (ConnectionError, asyncio.IncompleteReadError):
            log.info("wyoming client went away peer=%s", self.peer)

    async def write_event(self, event: Event) -> None:
        async with self.writing:
            await super().write_event(event)

    async def disconnect(self) -> None:
        # A client gone mid-request leaves nothing running for it.
        if self.partials is not None:
            self.partials.cancel()

    async def handle_event(self, event: Event) -> bool:
        try:
            await self._handle(event)
        except HeronError as error:
            await self.write_event(Error(text=error.detail, code=_code(event, error)).event())
        except (KeyError, TypeError, ValueError) as error:
            log.info("wyoming malformed event type=%s error=%r", event.type, error)
            await self.write_event(
                Error(text=f"malformed {event.type!r} event: {error}", code="bad-event").event()
            )
        return True

    async def _handle(self, event: Event) -> None:
        kind = event.type
        if Describe.is_type(kind):
            await self.write_event(self.server.info.event())
        elif Ping.is_type(kind):
            await self.write_event(Pong(text=Ping.from_event(event).text).event())
        elif Transcribe.is_type(kind):
            self.transcribe = Transcribe.from_event(event)
            self.detect = None
            self._stt()  # an unknown model is refused now, not after the audio
        elif Detect.is_type(kind):
            self._start_detect(Detect.from_event(event))
        elif AudioStart.is_type(kind):
            await self._audio_start(AudioStart.from_event(event))
        elif AudioChunk.is_type(kind):
            await self._audio_chunk(AudioChunk.from_event(event))
        elif AudioStop.is_type(kind):
            await self._audio_stop()
        elif Synthesize.is_type(kind):
            # Clients that stream text also send the whole text "for compatibility": once.
            if self.synthesis is None:
                await self._synthesize(Synthesize.from_event(event))
        elif SynthesizeStart.is_type(kind):
            self.synthesis = []
            self.synthesis_voice = SynthesizeStart.from_event(event).voice
            self.synthesis_rate = None
        elif SynthesizeChunk.is_type(kind):
            await self._synthesis_chunk(SynthesizeChunk.from_event(event).text)
        elif SynthesizeStop.is_type(kind):
            await self._synthesis_stop()
        elif Recognize.is_type(kind):
            await self._recognize(Recognize.from_event(event))
        elif Transcript.is_type(kind):
            await self._handle_text(Transcript.from_event(event))
        else:
            log.debug("wyoming ignored event type=%s", kind)

    # --- speech-to-text and wake words ------------------------------------------------

    def _start_detect(self, detect: Detect) -> None:
        settings = self.heron.settings
        names = detect.names or [settings.wake_word]
        self.detect = [self.heron.speech.wake(name) for name in names]
        self.detected = False
        self.transcribe = None

    async def _audio_start(self, start: AudioStart) -> None:
        if self.partials is not None:
            self.partials.cancel()
        fmt = AudioFormat(start.rate, start.width, start.channels).check()
        self.hearing = Hearing(Converter(fmt))
        self.partials = None
        if self.detect is not None:
            for listener in self.detect:
                listener.reset()
            return
        if self.heron.settings.wyoming_partials:
            self.partials = Partials()
            await self.write_event(TranscriptStart(language=self._stt_language()).event())

    async def _audio_chunk(self, chunk: AudioChunk) -> None:
        hearing = self.hearing
        if hearing is None:
            raise BadInput("send audio-start before audio-chunk")
        if self.detect is not None:
            await self._listen_for_wake(hearing.feed(chunk.audio))
            hearing.parts.clear()  # wake words need no history
            return
        if hearing.size > self.heron.settings.max_audio_seconds * RATE:
            return  # already refused; the rest of the stream is dropped
        hearing.feed(chunk.audio)
        if hearing.size > self.heron.settings.max_audio_seconds * RATE:
            text = f"the audio is longer than {self.heron.settings.max_audio_seconds:g} seconds"
            await self.write_event(Error(text=text, code="audio-chunk-413").event())
            return
        self._maybe_partial(hearing)
        await self._send_partial()

    async def _listen_for_wake(self, samples: Samples) -> None:
        assert self.detect is not None and self.hearing is not None
        for listener in self.detect:
            found = await asyncio.to_thread(listener.process, samples)
            if found is not None:
                self.detected = True
                await self.write_event(
                    Detection(
                        name=found.wake_word, timestamp=int(self.hearing.seconds * 1000)
                    ).event()
                )

    def _maybe_partial(self, hearing: Hearing) -> None:
        partials = self.partials
        if partials is None or partials.task is not None or not hearing.live:
            return
        if hearing.size - partials.at < PARTIAL_EVERY_S * RATE:
            return
        partials.at = hearing.size
        samples = hearing.samples
        partials.task = asyncio.create_task(self._decode(samples))

    async def _send_partial(self) -> None:
        partials = self.partials
        if partials is None or partials.task is None or not partials.task.done():
            return
        task, partials.task = partials.task, None
        if task.cancelled() or task.exception() is not None:
            return
        heard = task.result()
        chunk = partials.agree(heard.text if heard is not None else "")
        if chunk:
            await self.write_event(TranscriptChunk(text=chunk).event())

    async def _decode(self, samples: Samples) -> Heard | None:
        assert self.server.user is not None
        request = self.transcribe
        asked = (
            [*(request.transcript_names or ()), *(request.transcript_terms or ())]
            if request is not None
            else []
        )
        return await self.heron.voice.hear(
            self.server.user,
            samples,
            language=self._stt_language(),
            engine=self._stt(),
            hints=asked,
        )

    async def _audio_stop(self) -> None:
        hearing, self.hearing = self.hearing, None
        if hearing is None:
            raise BadInput("send audio-start and audio-chunk before audio-stop")
        if self.detect is not None:
            if not self.detected:
                await self.write_event(NotDetected().event())
            return
        if hearing.size > self.heron.settings.max_audio_seconds * RATE:
            return
        hearing.finish()
        partials = self.partials
        if partials is not None and partials.task is not None:
            # Whisper cannot be interrupted: let the partial finish (its words may be sent).
            await asyncio.wait({partials.task})
            await self._send_partial()
        heard = await self._decode(hearing.samples)
        text = heard.text if heard is not None else ""
        language = heard.language if heard is not None else self._stt_language()
        if partials is not None:
            rest = partials.final(text)
            if rest:
                await self.write_event(TranscriptChunk(text=rest).event())
        await self.write_event(Transcript(text=text, language=language).event())
        if partials is not None:
            await self.write_event(TranscriptStop().event())
        self.partials = None

    def _stt(self) -> str | None:
        name = self.transcribe.name if self.transcribe else None
        if not name:
            return None
        for engine, (model, *_) in STT_MODELS.items():
            if name in (engine, model):
                return engine
        raise BadInput(f"unknown speech-to-text model {name!r}: use whisper-base or pocketsphinx")

    def _stt_language(self) -> str | None:
        asked = primary_language(self.transcribe.language if self.transcribe else None)
        return asked or self.heron.settings.stt_language

    # --- text-to-speech ---------------------------------------------------------------

    def _voice(self, asked: SynthesizeVoice | None) -> str | None:
        """A Heron voice for a client's voice request (name, else language, else default)."""
        if asked is None:
            return None
        if asked.name:
            self.heron.speech.tts_for(asked.name)  # BadInput names the unknown voice
            return asked.name
        if primary_language(asked.language) is None:
            return None
        voice = self.heron.speech.voice_for_language(asked.language or "")
        if voice is None:
            raise BadInput(f"no voice speaks {asked.language!r}")
        return voice

    async def _synthesize(self, request: Synthesize) -> None:
        rate = await self._speak(request.text, self._voice(request.voice), None)
        await self.write_event(AudioStop().event())
        if rate is None:
            log.info("wyoming synthesized nothing for an empty text")

    async def _speak(self, text: str, voice: str | None, rate: int | None) -> int | None:
        """Sends the audio of `text` (an audio-start first, unless `rate` says one was sent)."""
        if not text.strip():
            if rate is None:
                await self.write_event(AudioStart(rate=RATE, width=2, channels=1).event())
                return RATE
            return rate
        out_rate, chunks = await self.heron.voice.speak(text, voice=voice, rate=rate)
        if rate is None:
            await self.write_event(AudioStart(rate=out_rate, width=2, channels=1).event())
        async for chunk in chunks:
            await self.write_event(
                AudioChunk(
                    rate=out_rate, width=2, channels=1, audio=chunk.astype("<i2").tobytes()
                ).event()
            )
        return out_rate

    async def _synthesis_chunk(self, text: str) -> None:
        if self.synthesis is None:
            raise BadInput("send synthesize-start before synthesize-chunk")
        self.synthesis.append(text)
        whole = "".join(self.synthesis)
        sentences = SENTENCE_END.split(whole)
        if len(sentences) > 1:
            # Every sentence but the last is complete: speak it while more text comes.
            done = whole[: len(whole) - len(sentences[-1])]
            self.synthesis = [sentences[-1]]
            voice = self._voice(self.synthesis_voice)
            self.synthesis_rate = await self._speak(done, voice, self.synthesis_rate)

    async def _synthesis_stop(self) -> None:
        if self.synthesis is None:
            raise BadInput("send synthesize-start before synthesize-stop")
        rest, self.synthesis = "".join(self.synthesis), None
        try:
            voice = self._voice(self.synthesis_voice)
            await self._speak(rest, voice, self.synthesis_rate)
            await self.write_event(AudioStop().event())
        finally:
            await self.write_event(SynthesizeStopped().event())

    # --- the assistant ----------------------------------------------------------------

    async def _recognize(self, request: Recognize) -> None:
        assert self.server.user is not None
        found = await self.heron.understand(self.server.user, request.text)
        if found.intent is None:
            await self.write_event(
                NotRecognized(text=request.text, context=request.context).event()
            )
            return
        slots = jsonable_encoder(found.slots)
        await self.write_event(
            Intent(
                name=found.intent,
                entities=[Entity(name=k, value=v) for k, v in slots.items()],
                context={**(request.context or {}), "confidence": round(found.confidence, 3)},
            ).event()
        )

    async def _handle_text(self, request: Transcript) -> None:
        """A conversation agent's turn (Home Assistant sends the user's words as a transcript)."""
        assert self.server.user is not None
        context = dict(request.context or {})
        client_id = context.get("conversation_id")
        client_id = str(client_id) if client_id is not None else None
        answer = await self.heron.ask(
            self.server.user,
            request.text,
            conversation_id=self.server.conversation(client_id),
        )
        if client_id is not None:
            self.server.remember_conversation(client_id, answer.conversation_id)
        context["conversation_id"] = client_id or answer.conversation_id
        reply = (NotHandled if answer.stage == "fallback" else Handled)(
            text=answer.reply, context=context
        )
        await self.write_event(reply.event())


def _code(event: Event, error: HeronError) -> str:
    """A machine-readable error code: the event refused and the HTTP status the error would
    have (`synthesize-422`, `audio-chunk-413`)."""
    return f"{event.type}-{error.status}"


async def serve(settings: Settings, uri: str, *, ready: Any = None) -> None:
    """`heron wyoming`: an engine of its own, served until SIGINT or SIGTERM."""
    from heron.engine import Heron

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    async with Heron(settings) as engine:
        if settings.warm_speech:
            await engine.warm_speech()
        server = WyomingServer(engine, uri)
        await server.start()
        if ready is not None:
            ready(server)
        try:
            await stopping.wait()
        finally:
            await server.stop()
