"""The device side of a Heron smart speaker: it hears its wake word itself, streams the request
to the server's voice WebSocket (/v1/voice) and plays the spoken reply and pushed announcements.

`Satellite` joins an audio source (a microphone, or a recording heard in real time) and a
speaker (a loudspeaker, or WAV files) to one server connection, and reconnects when it drops.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from heron.audio import RATE, AudioFormat, Converter, Samples, decode, level_dbfs, wav_bytes
from heron.errors import BadInput, EngineUnavailable, HeronError, Unauthorized
from heron.speech import wake
from heron.speech.base import Detection, WakeWord

log = logging.getLogger(__name__)

FRAME_S = 0.08
FRAME_SAMPLES = round(FRAME_S * RATE)
"""Audio goes up in 80 ms frames: short enough for quick end-pointing, few enough messages."""
PRE_ROLL_SAMPLES = FRAME_SAMPLES
"""Sent ahead of the frame the wake word fired in: the models fire 0.15-0.3 s after the wake
word ends, when a request said without a pause has already begun."""
LEVEL_S = 0.5
"""How loud the wake word was: the level of this much audio before it was detected."""
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 10.0
TRAILING_S = 1.0
"""After a recording ends, this much silence at least before the satellite may stop."""
MAX_RECORDING_S = 3600.0
SPEAKER_AHEAD_S = 0.25
"""A speaker is handed audio this far ahead of what it plays, so it never runs dry."""
DEVICE_EXTRA = (
    "use --input-wav/--output-wav, or install the device extra: pip install 'heron[device]' "
    "(it needs PortAudio: apt install libportaudio2)"
)


def voice_url(server: str) -> str:
    """The voice WebSocket of a server given as http(s)://host:port, ws(s)://host:port (any of
    them with a path prefix) or host:port."""
    text = server.strip()
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    schemes = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
    if parts.scheme not in schemes or not parts.hostname:
        raise BadInput(f"{server!r} is not a server address: use e.g. http://192.168.1.20:8000")
    path = parts.path.rstrip("/")
    if not path.endswith("/v1/voice"):
        path += "/v1/voice"
    return urlunsplit((schemes[parts.scheme], parts.netloc, path, parts.query, ""))


def chime(rate: int) -> Samples:
    """Two short rising tones, the sound before an announcement (made here, not shipped)."""
    parts = []
    for frequency in (880.0, 1318.5):  # A5 then E6
        t = np.arange(round(0.14 * rate)) / rate
        fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)  # 10 ms in and out: no clicks
        parts.append(0.3 * np.sin(2 * np.pi * frequency * t) * fade)
    parts.append(np.zeros(round(0.15 * rate)))
    tones: Samples = np.round(np.concatenate(parts) * 32767).astype(np.int16)
    return tones


def _sounddevice() -> ModuleType:
    try:
        return import_module("sounddevice")
    except ImportError:
        raise EngineUnavailable(f"sounddevice is not installed: {DEVICE_EXTRA}") from None
    except OSError as error:  # the module is there, the PortAudio library is not
        raise EngineUnavailable(f"PortAudio is not available ({error}): {DEVICE_EXTRA}") from None


# --- where audio comes from ---------------------------------------------------------------------


class AudioSource(Protocol):
    """What the satellite hears: 16 kHz int16 frames of FRAME_SAMPLES, as they are heard."""

    live: bool
    """A microphone is live: it is heard whether or not the server is there. A recording
    starts once the satellite is connected, so none of it is lost."""
    ended: bool
    """A recording has been heard to the end (only silence follows); a microphone never ends."""

    def frames(self) -> AsyncIterator[Samples]: ...


class Recording:
    """A recording heard as a microphone would hear it: paced in real time, then silence.

    `epoch`: the loop time its first sample is heard (default: when it starts). Two satellites
    given the same epoch hear it at the same moment, as two microphones in one room do."""

    live = False

    def __init__(
        self,
        samples: Samples,
        *,
        name: str = "the recording",
        pace: float = 1.0,
        epoch: float | None = None,
    ) -> None:
        if pace <= 0:
            raise BadInput("a recording's pace must be above 0 (1 is real time)")
        self.samples = samples
        self.name = name
        self.pace = pace
        self.epoch = epoch
        self.ended = False

    @classmethod
    def from_file(cls, path: Path, **options: Any) -> Recording:
        """Any audio file Heron can decode (WAV, FLAC, OGG, MP3, …), at any rate."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise BadInput(f"cannot read {path}: {error.strerror}") from None
        return cls(decode(data, max_seconds=MAX_RECORDING_S).samples, name=path.name, **options)

    async def frames(self) -> AsyncIterator[Samples]:
        loop = asyncio.get_running_loop()
        epoch = loop.time() if self.epoch is None else self.epoch
        silence = np.zeros(FRAME_SAMPLES, np.int16)
        index = 0
        while True:
            start = index * FRAME_SAMPLES
            frame = self.samples[start : start + FRAME_SAMPLES]
            if len(frame) < FRAME_SAMPLES:
                self.ended = len(frame) == 0
                frame = np.concatenate([frame, silence[len(frame) :]])
            index += 1
            # A frame is there once all of it has been "spoken".
            delay = epoch + index * FRAME_S / self.pace - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            yield frame


class Microphone:
    """The default (or a named) sound card input, through sounddevice (PortAudio)."""

    live = True
    ended = False

    def __init__(self, device: str | int | None = None) -> None:
        self._sd = _sounddevice()
        self.device = device
        try:
            info = self._sd.query_devices(device, "input")
        except (ValueError, self._sd.PortAudioError) as error:
            which = f" {device!r}" if device else ""
            raise EngineUnavailable(f"no microphone{which} ({error}): {DEVICE_EXTRA}") from None
        self.name = str(info["name"])
        self._default_rate = int(info["default_samplerate"])

    def _open(self, callback: Callable[..., None]) -> tuple[Any, Converter]:
        """A started input stream at 16 kHz, or at the card's own rate (converted here) if it
        cannot."""
        failure: Exception | None = None
        for rate in dict.fromkeys((RATE, self._default_rate)):
            try:
                stream = self._sd.RawInputStream(
                    samplerate=rate,
                    channels=1,
                    dtype="int16",
                    blocksize=round(FRAME_S * rate),
                    device=self.device,
                    callback=callback,
                )
                stream.start()
            except self._sd.PortAudioError as error:
                failure = error
                continue
            return stream, Converter(AudioFormat(rate))
        raise EngineUnavailable(f"the microphone {self.name!r} cannot record ({failure})")

    async def frames(self) -> AsyncIterator[Samples]:
        loop = asyncio.get_running_loop()
        heard: asyncio.Queue[bytes] = asyncio.Queue()

        def callback(data: Any, count: int, when: Any, status: Any) -> None:
            loop.call_soon_threadsafe(heard.put_nowait, bytes(data))

        stream, converter = self._open(callback)
        pending = np.zeros(0, np.int16)
        try:
            while True:
                pending = np.concatenate([pending, converter.feed(await heard.get())])
                while len(pending) >= FRAME_SAMPLES:
                    yield pending[:FRAME_SAMPLES]
                    pending = pending[FRAME_SAMPLES:]
        finally:
            stream.abort()
            stream.close()


# --- where audio goes ---------------------------------------------------------------------------


class Speaker(Protocol):
    """Plays one utterance at a time: begin, write…, end (or abort to stop at once)."""

    rate: int | None
    """The sample rate it would like from the server (None: whatever the voice has)."""

    async def begin(self, rate: int) -> None: ...

    async def write(self, samples: Samples) -> None:
        """Returns about when `samples` are being heard: a speaker plays in real time."""
        ...

    async def end(self) -> None:
        """Returns once everything written has been heard."""
        ...

    def abort(self) -> None: ...


class Loudspeaker:
    """The default (or a named) sound card output, through sounddevice (PortAudio)."""

    def __init__(self, device: str | int | None = None) -> None:
        self._sd = _sounddevice()
        self.device = device
        try:
            info = self._sd.query_devices(device, "output")
        except (ValueError, self._sd.PortAudioError) as error:
            which = f" {device!r}" if device else ""
            raise EngineUnavailable(f"no speaker{which} ({error}): {DEVICE_EXTRA}") from None
        card_rate = int(info["default_samplerate"])
        # The server resamples the reply to the card's own rate, so the card need not.
        self.rate: int | None = card_rate if 8000 <= card_rate <= 48000 else None
        self._rate = RATE
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._stream: Any = None

    def _pull(self, out: Any, count: int, when: Any, status: Any) -> None:
        # PortAudio's thread: hand over what is buffered, silence for the rest.
        size = len(out)
        with self._lock:
            chunk = bytes(self._buffer[:size])
            del self._buffer[:size]
        out[: len(chunk)] = chunk
        out[len(chunk) :] = bytes(size - len(chunk))

    def _buffered_s(self) -> float:
        with self._lock:
            return len(self._buffer) / 2 / self._rate

    async def begin(self, rate: int) -> None:
        self._rate = rate
        with self._lock:
            self._buffer.clear()
        try:
            self._stream = self._sd.RawOutputStream(
                samplerate=rate, channels=1, dtype="int16", device=self.device, callback=self._pull
            )
            self._stream.start()
        except self._sd.PortAudioError as error:
            self._stream = None
            raise EngineUnavailable(f"the speaker cannot play {rate} Hz audio ({error})") from None

    async def write(self, samples: Samples) -> None:
        with self._lock:
            self._buffer.extend(samples.astype("<i2").tobytes())
        # The card drains the buffer in real time: wait until it holds only the lead again.
        await asyncio.sleep(max(0.0, self._buffered_s() - SPEAKER_AHEAD_S))

    async def end(self) -> None:
        # A little more than what is buffered, for the callback's own pace.
        await asyncio.sleep(self._buffered_s() + 0.05)
        stream, self._stream = self._stream, None
        if stream is not None:
            await asyncio.to_thread(stream.stop)  # returns once the card has played it all
            stream.close()

    def abort(self) -> None:
        with self._lock:
            self._buffer.clear()
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort()
            stream.close()


class WavFiles:
    """Headless: each utterance (a reply, an announcement with its chime) is written to its own
    numbered WAV file next to `path` (reply.wav → reply-001.wav, reply-002.wav, …) once it has
    been "played"; with `realtime`, it takes as long as a speaker would."""

    rate: int | None = None

    def __init__(self, path: Path, *, realtime: bool = True) -> None:
        if not path.parent.is_dir():
            raise BadInput(f"cannot write {path}: {path.parent} is not a folder")
        self.path = path
        self.realtime = realtime
        self.written: list[Path] = []
        self._parts: list[Samples] = []
        self._rate = RATE
        self._started = 0.0
        self._samples = 0

    def _played_at(self) -> float:
        return self._started + self._samples / self._rate

    async def begin(self, rate: int) -> None:
        self._rate = rate
        self._parts = []
        self._samples = 0
        self._started = asyncio.get_running_loop().time()

    async def write(self, samples: Samples) -> None:
        self._parts.append(samples)
        self._samples += len(samples)
        if self.realtime:
            loop = asyncio.get_running_loop()
            await asyncio.sleep(max(0.0, self._played_at() - SPEAKER_AHEAD_S - loop.time()))

    async def end(self) -> None:
        if self.realtime:
            loop = asyncio.get_running_loop()
            await asyncio.sleep(max(0.0, self._played_at() - loop.time()))
        self._save()

    def abort(self) -> None:
        self._save()

    def _save(self) -> None:
        if not self._parts:
            return
        suffix = self.path.suffix or ".wav"
        target = self.path.with_name(f"{self.path.stem}-{len(self.written) + 1:03d}{suffix}")
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(wav_bytes(self._parts, self._rate))
        # Whoever watches the folder never sees half a file.
        os.replace(partial, target)
        self._parts = []
        self.written.append(target)
        log.info("wrote %s", target)


@dataclass(eq=False)
class _Utterance:
    rate: int
    chunks: asyncio.Queue[Samples | None] = field(default_factory=asyncio.Queue)


class Playback:
    """Plays utterances one after another on a speaker in real time, while the server sends
    them faster than that; stops at once on barge-in."""

    def __init__(
        self, speaker: Speaker, changed: Callable[[], None], failed: Callable[[str], None]
    ) -> None:
        self.speaker = speaker
        self._changed = changed
        self._failed = failed
        self._queue: asyncio.Queue[_Utterance] = asyncio.Queue()
        self._open: _Utterance | None = None
        self._playing = False
        self._task: asyncio.Task[None] | None = None

    @property
    def speaking(self) -> bool:
        return self._playing or not self._queue.empty()

    def begin(self, rate: int) -> None:
        self.finish()
        self._open = _Utterance(rate)
        self._queue.put_nowait(self._open)
        if self._task is None:
            self._task = asyncio.create_task(self._play(), name="satellite-playback")
        self._changed()

    def add(self, samples: Samples) -> None:
        if self._open is None:
            log.debug("audio without audio-start (or after a stop) left out")
            return
        self._open.chunks.put_nowait(samples)

    def finish(self) -> None:
        """The utterance being received is complete."""
        if self._open is not None:
            self._open.chunks.put_nowait(None)
            self._open = None

    async def stop(self) -> None:
        """Silence now: what plays and what waits are dropped."""
        self._open = None
        while not self._queue.empty():
            self._queue.get_nowait()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._playing:
            self._playing = False
            self.speaker.abort()
            self._changed()

    async def _play(self) -> None:
        while True:
            utterance = await self._queue.get()
            self._playing = True
            try:
                await self.speaker.begin(utterance.rate)
                while (chunk := await utterance.chunks.get()) is not None:
                    await self.speaker.write(chunk)
                await self.speaker.end()
            except HeronError as error:
                # This utterance is lost; the next one may play (and the device still hears).
                log.warning("playback failed: %s", error.detail)
                self._failed(error.detail)
            self._playing = False
            self._changed()


# --- the satellite ------------------------------------------------------------------------------


class Display(Protocol):
    """How the satellite shows what it does (the CLI draws it with rich)."""

    def status(self, text: str) -> None:
        """The one-line state: waiting for the wake word, listening, thinking, speaking."""
        ...

    def show(self, kind: str, text: str) -> None:
        """A line to keep. kind: you (the transcript), heron (the reply), event (pushed),
        info or error."""
        ...


class LogDisplay:
    """Shows nothing; logs what happens (a satellite run as a service)."""

    def status(self, text: str) -> None:
        log.debug("status %s", text)

    def show(self, kind: str, text: str) -> None:
        log.info("%s: %s", kind, text)


@dataclass(frozen=True)
class SatelliteOptions:
    """Who the satellite is and how it talks to the server (the hello it sends)."""

    url: str
    """The server's voice WebSocket (see voice_url)."""
    token: str
    device: str = "satellite"
    room: str = ""
    """Devices of one room hearing the same wake word: only the one that heard it best answers."""
    wake_word: str = "okay_nabu"
    wake_engine: str = "micro"
    barge_in: bool = False
    """The device cancels its own echo: keep sending the microphone while it speaks."""
    followup_s: float | None = None
    """How long to listen for a follow-up after a reply (None: the server's setting)."""
    voice: str | None = None
    keep_running: bool = False
    """After a recording ends, stay connected (hearing silence) instead of stopping."""


Mode = Literal["idle", "listening", "thinking"]
"""idle: waiting for the wake word, nothing sent; listening: sending audio; thinking: the request
is over, the answer not yet heard."""


class Satellite:
    """One speaker device: wake word → request streamed up → reply played; pushed events
    announced; reconnects with backoff until stopped or refused."""

    def __init__(
        self,
        options: SatelliteOptions,
        source: AudioSource,
        speaker: Speaker,
        display: Display | None = None,
    ) -> None:
        if not options.token:
            raise Unauthorized("a satellite needs an API key (--token)")
        self.options = options
        self.source = source
        self.display: Display = display or LogDisplay()
        self.wake: WakeWord = wake.listener(options.wake_word, options.wake_engine)
        self.phrase = str(getattr(self.wake, "phrase", "") or options.wake_word.replace("_", " "))
        self.playback = Playback(
            speaker, self._refresh, lambda detail: self.display.show("error", detail)
        )
        self.mode: Mode = "idle"
        self.followup = False
        self.connections = 0
        """How many sessions the server has accepted (more than one: it reconnected)."""
        self.wakes_sent = 0
        self._ws: ClientConnection | None = None
        self._connected = asyncio.Event()
        self._recent = np.zeros(0, np.int16)
        self._chime_next = False
        self._backoff = BACKOFF_FIRST_S
        self._session_live = False
        self._shown = ""

    async def run(self) -> None:
        """Until a recording has been heard and answered (a microphone: until cancelled).
        Raises Unauthorized for a refused key, BadInput for a hello the server rejects."""
        tasks = [
            asyncio.create_task(self._hear(), name="satellite-hear"),
            asyncio.create_task(self._talk(), name="satellite-connection"),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
            await self.playback.stop()
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                raise outcome

    async def push_to_talk(self) -> None:
        """The talk button: listen now without the wake word, or, while listening, end the
        request (the server's end-pointing may end it first)."""
        if self._ws is None:
            self.display.show("info", "not connected: the button does nothing")
            return
        if self.mode == "listening" and not self.followup and not self.playback.speaking:
            await self._send(json.dumps({"type": "end"}))
            return
        await self.playback.stop()
        self.mode, self.followup = "listening", False
        await self._send(json.dumps({"type": "button"}))
        self._refresh()

    # -- hearing: the wake word and the audio sent up ---------------------------------------------

    async def _hear(self) -> None:
        if not self.source.live:
            await self._connected.wait()
        after_end = 0
        async for frame in self.source.frames():
            self._recent = np.concatenate([self._recent, frame])[-round(LEVEL_S * RATE) :]
            detection = self.wake.process(frame)
            if detection is not None:
                await self._woken(detection)
            await self._stream(frame)
            # Let the connection run even if frames come faster than they are heard.
            await asyncio.sleep(0)
            if self.source.ended and not self.options.keep_running:
                after_end += 1
                if self._finished(after_end * FRAME_S):
                    return

    def _finished(self, silence_s: float) -> bool:
        if silence_s < TRAILING_S or self.mode != "idle" or self.playback.speaking:
            return False
        if self.wakes_sent == 0:
            name = getattr(self.source, "name", "the recording")
            self.display.show("info", f"the wake word “{self.phrase}” was not heard in {name}")
        return True

    async def _woken(self, detection: Detection) -> None:
        if self._ws is None:
            self.display.show("info", "heard the wake word, but the server is not connected")
            return
        speaking = self.playback.speaking
        if self.mode == "listening" and not speaking:
            return  # already listening: the server would ignore it
        # During a reply this is barge-in: stop talking here; the server stops its reply too.
        await self.playback.stop()
        self.mode, self.followup = "listening", False
        self.wakes_sent += 1
        message = {
            "type": "wake",
            "wake_word": detection.wake_word,
            "score": round(detection.score, 3),
            "level": round(level_dbfs(self._recent), 1),
        }
        log.info("wake word heard score=%.3f level=%.1f", detection.score, message["level"])
        await self._send(json.dumps(message))
        before = self._recent[-(PRE_ROLL_SAMPLES + FRAME_SAMPLES) : -FRAME_SAMPLES]
        if len(before) and not speaking:  # (while speaking, the microphone hears the reply)
            await self._send(before.astype("<i2").tobytes())
        self._refresh()

    async def _stream(self, frame: Samples) -> None:
        if self.mode == "idle" or self._ws is None:
            return  # nothing leaves the device before the wake word
        if self.playback.speaking and not self.options.barge_in:
            # Half duplex: the server hears silence, not the reply coming back from the
            # speaker, but on the same clock (its follow-up window counts the audio it gets).
            frame = np.zeros_like(frame)
        await self._send(frame.astype("<i2").tobytes())

    async def _send(self, message: str | bytes) -> None:
        ws = self._ws
        if ws is None:
            return
        with contextlib.suppress(ConnectionClosed):  # the connection loop notices and redials
            await ws.send(message)

    # -- the connection ------------------------------------------------------------------------

    async def _talk(self) -> None:
        while True:
            reason = await self._connection()
            self._dropped()
            delay = self._backoff
            self._backoff = min(BACKOFF_MAX_S, delay * 2)
            log.info("disconnected reason=%s retry_s=%.1f", reason, delay)
            self.display.status(f"disconnected ({reason}); trying again in {delay:g} s")
            await asyncio.sleep(delay)

    async def _connection(self) -> str:
        """One connection, from dialling to its end; returns why it ended (Unauthorized or
        BadInput when trying again cannot help)."""
        try:
            async with connect(
                self.options.url,
                additional_headers={"Authorization": f"Bearer {self.options.token}"},
                open_timeout=10,
                proxy=None,  # a satellite talks to a server on its own network
            ) as ws:
                try:
                    await self._session(ws)
                finally:
                    self._ws = None  # nothing more is sent on it, whatever ended it
            return "the server closed the connection"
        except InvalidStatus as error:
            status = error.response.status_code
            if status in (401, 403):
                raise Unauthorized(self._refused(f"HTTP {status}")) from None
            return f"the server answered HTTP {status}"
        except InvalidURI:
            raise BadInput(f"{self.options.url} is not a WebSocket address") from None
        except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed) as error:
            return str(error) or type(error).__name__

    def _refused(self, detail: str) -> str:
        return (
            f"the server refused the token ({detail}): check --token, or make a key on the "
            "server with `heron users key NAME`"
        )

    async def _session(self, ws: ClientConnection) -> None:
        await ws.send(json.dumps(self._hello()))
        async for message in ws:
            if isinstance(message, bytes):
                self.playback.add(np.frombuffer(message, "<i2"))
                continue
            try:
                event = json.loads(message)
            except ValueError:
                log.warning("the server sent a text message that is not JSON")
                continue
            if isinstance(event, dict):
                await self._on(ws, event)
        if ws.close_code == 4401:
            raise Unauthorized(self._refused(ws.close_reason or "closed with 4401"))

    def _hello(self) -> dict[str, Any]:
        hello: dict[str, Any] = {
            "type": "hello",
            "device": self.options.device,
            "room": self.options.room,
            "format": {"rate": RATE, "width": 2, "channels": 1},
            "start": "wake",
            "wake_word": self.options.wake_word,
            "wake_on_server": False,
            "barge_in_speech": self.options.barge_in,
        }
        if self.options.followup_s is not None:
            hello["followup_s"] = self.options.followup_s
        if self.options.voice is not None:
            hello["voice"] = self.options.voice
        if self.playback.speaker.rate is not None:
            hello["output_rate"] = self.playback.speaker.rate
        return hello

    def _dropped(self) -> None:
        """The connection is gone (the server restarted, the network failed)."""
        if self._session_live:
            self.display.show("info", "lost the connection to the server")
        self._session_live = False
        self.mode, self.followup = "idle", False
        self._chime_next = False
        self.playback.finish()  # what arrived still plays
        self._shown = ""

    async def _on(self, ws: ClientConnection, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "ready":
            self._ws = ws
            self._session_live = True
            self.connections += 1
            self._backoff = BACKOFF_FIRST_S
            self._connected.set()
            again = " again" if self.connections > 1 else ""
            self.display.show(
                "info",
                f"connected{again} as {event.get('user')} (device {self.options.device}"
                f"{', room ' + self.options.room if self.options.room else ''})",
            )
        elif kind == "error":
            await self._error(event)
        elif kind == "stand-down":
            self.mode, self.followup = "idle", False
            self.display.show("info", "another device in the room answers")
        elif kind == "run-start":
            self.mode = "listening"
            self._chime_next = False  # an announcement whose speech never came
            self.followup = event.get("start") == "follow-up"
        elif kind == "transcript-partial":
            self.display.status(f"listening: {event.get('text', '')}")
            return
        elif kind == "speech-end":
            if not (event.get("reason") == "no-speech" and self.followup):
                self.mode = "thinking"
        elif kind == "transcript":
            if event.get("text"):
                self.display.show("you", str(event["text"]))
        elif kind == "reply":
            self.display.show("heron", str(event.get("text", "")))
        elif kind == "audio-start":
            rate = int(event.get("rate", RATE))
            self.playback.begin(rate)
            if self._chime_next:
                self._chime_next = False
                self.playback.add(chime(rate))
        elif kind == "audio-stop":
            if event.get("interrupted"):
                await self.playback.stop()
            else:
                self.playback.finish()
        elif kind == "done":
            self.playback.finish()
            log.info("answered timings=%s", json.dumps(event.get("timings", {})))
        elif kind == "barge-in":
            await self.playback.stop()
            self.mode, self.followup = "listening", False
        elif kind == "followup-end":
            self.mode, self.followup = "idle", False
        elif kind == "event":
            self._pushed(event.get("event"))
        self._refresh()

    async def _error(self, event: dict[str, Any]) -> None:
        stage, status = event.get("stage"), event.get("status")
        detail = str(event.get("detail", "unknown error"))
        if stage == "hello" and status == 401:
            raise Unauthorized(self._refused(detail))
        if stage == "hello" and isinstance(status, int) and 400 <= status < 500:
            raise BadInput(f"the server refused this satellite: {detail}")
        self.display.show("error", f"{stage}: {detail}")

    def _pushed(self, pushed: object) -> None:
        """A pushed event: its line is shown, and its spoken line (which follows) is played
        after a chime; one without a line gets the chime alone."""
        if not isinstance(pushed, dict):
            return
        text = pushed.get("text")
        self.display.show("event", str(text or pushed.get("type", "event")))
        if isinstance(text, str) and text:
            self._chime_next = True
            return
        self.playback.begin(RATE)
        self.playback.add(chime(RATE))
        self.playback.finish()

    def _refresh(self) -> None:
        if self._ws is None:
            return
        if self.playback.speaking:
            text = "speaking"
        elif self.mode == "listening":
            text = "listening (follow-up)" if self.followup else "listening"
        elif self.mode == "thinking":
            text = "thinking"
        else:
            text = f"waiting for “{self.phrase}”"
        if text != self._shown:
            self._shown = text
            self.display.status(text)
