"""The voice WebSockets: a device streams microphone audio up and gets events and spoken
audio back. They only translate messages to and from a `VoiceSession` (/v1/voice) or an
`Interpreter` (/v1/voice/translate).

Protocol (docs/voice.md has the full schema):
- client → server, text: `hello` (first; device, room, format, start, wake_word, …), `wake`
  (the device heard its wake word), `button` (push-to-talk), `end` (push-to-talk released),
  `stop`, `ping`; binary: PCM audio in the format the hello declared.
- server → client, text: `ready`, then pipeline events (heron.pipeline.events); binary: the
  reply's PCM audio, after an `audio-start` that gives its rate.

/v1/voice/translate?from=en&to=es[&two_way=true] (docs/translation.md): the same hello
(format, output_rate), audio and `ping`; `end` ends the utterance being spoken. The server
sends `ready`, then each utterance's events (heron.translation.speech): speech-start,
transcript-partial…, speech-end, transcript, then per sentence translation, audio-start,
binary audio…, audio-stop; then done with the latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, ValidationError

from heron.audio import AudioFormat, Converter
from heron.errors import BadInput, HeronError
from heron.events import Subscription
from heron.pipeline import events as ev
from heron.pipeline.events import VoiceEvent
from heron.pipeline.voice import SessionOptions, VoiceSession, check_start
from heron.server.auth import websocket_key
from heron.translation.speech import END_OF_UTTERANCE, Heard, Interpreter

log = logging.getLogger(__name__)
router = APIRouter(tags=["voice"])

MAX_FRAME_BYTES = 256_000


class FormatBody(BaseModel):
    rate: int = 16_000
    width: int = 2
    channels: int = 1


class Hello(BaseModel):
    type: str = "hello"
    device: str = Field(default="default", min_length=1, max_length=64)
    room: str = Field(default="", max_length=64)
    format: FormatBody = Field(default_factory=FormatBody)
    start: str = "wake"
    wake_word: str | None = None
    wake_on_server: bool = True
    voice: str | None = None
    output_rate: int | None = Field(default=None, ge=8000, le=48000)
    barge_in_speech: bool = False
    followup_s: float | None = Field(default=None, ge=0, le=60)


Emit = Callable[[VoiceEvent], Awaitable[None]]


def _sender(websocket: WebSocket) -> Emit:
    """Sends events over the socket, one at a time: audio as binary frames, the rest as
    JSON."""
    sending = asyncio.Lock()

    async def emit(event: VoiceEvent) -> None:
        async with sending:
            if event.type == ev.AUDIO:
                await websocket.send_bytes(event.audio)
            else:
                await websocket.send_json(event.to_json())

    return emit


@router.websocket("/v1/voice")
async def voice(websocket: WebSocket) -> None:
    """The voice pipeline over a WebSocket. Authenticate with `Authorization: Bearer KEY`
    or `?token=KEY`; send a `hello` first. See docs/voice.md."""
    heron = websocket.app.state.heron
    await websocket.accept()
    emit = _sender(websocket)

    try:
        user = await heron.authenticate(websocket_key(websocket))
        first = await websocket.receive_text()
        hello = Hello.model_validate_json(first)
        if hello.type != "hello":
            raise BadInput("send a hello message first")
        fmt = AudioFormat(hello.format.rate, hello.format.width, hello.format.channels).check()
        options = SessionOptions(
            device=hello.device,
            room=hello.room,
            format=fmt,
            start=check_start(hello.start),
            wake_word=hello.wake_word,
            wake_on_server=hello.wake_on_server,
            voice=hello.voice,
            output_rate=hello.output_rate,
            barge_in_speech=hello.barge_in_speech,
            followup_s=hello.followup_s,
        )
        if hello.voice is not None:
            heron.speech.tts_for(hello.voice)
        backlog = await heron.device_connected(user, hello.device)
    except (HeronError, ValidationError, ValueError) as error:
        await _refuse(websocket, error)
        return
    except WebSocketDisconnect:
        return
    session = VoiceSession(heron.voice, user, options, emit)
    subscription = heron.hub.subscribe(user.id, hello.device)
    announcer: asyncio.Task[None] | None = None
    try:
        await session.start()
        await emit(
            VoiceEvent(
                "ready",
                {
                    "user": user.name,
                    "device": hello.device,
                    "start": options.start,
                    "wake_word": hello.wake_word or heron.settings.wake_word,
                    "followup_s": session.followup_s,
                },
            )
        )
        # After `ready`: events that waited for this device come first, then live ones.
        announcer = asyncio.create_task(_announce(session, subscription, backlog))
        await _receive(websocket, session, emit)
    except (WebSocketDisconnect, RuntimeError):
        pass
    except HeronError as error:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await emit(VoiceEvent.error("session", error.status, error.detail))
    finally:
        if announcer is not None:
            announcer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await announcer
        heron.hub.unsubscribe(subscription)
        # A device that went away mid-request leaves nothing running behind it.
        await session.close()


async def _receive(websocket: WebSocket, session: VoiceSession, emit: Emit) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes")
        if data is not None:
            if len(data) > MAX_FRAME_BYTES:
                await emit(
                    VoiceEvent.error(
                        "audio", 413, f"audio frames are at most {MAX_FRAME_BYTES} bytes"
                    )
                )
                continue
            await session.audio(data)
            continue
        try:
            control = json.loads(message.get("text") or "")
            kind = control["type"] if isinstance(control, dict) else None
        except (ValueError, KeyError):
            await emit(VoiceEvent.error("message", 422, "send JSON objects with a 'type'"))
            continue
        if kind == "wake":
            score = control.get("score", 1.0)
            level = control.get("level")
            if not isinstance(score, int | float) or not (
                level is None or isinstance(level, int | float)
            ):
                await emit(VoiceEvent.error("message", 422, "score and level must be numbers"))
                continue
            await session.wake(str(control.get("wake_word") or ""), float(score), level)
        elif kind == "button":
            await session.button()
        elif kind == "end":
            await session.end_of_speech()
        elif kind == "stop":
            await session.stop()
        elif kind == "ping":
            await emit(VoiceEvent("pong"))
        else:
            await emit(VoiceEvent.error("message", 422, f"unknown message type {kind!r}"))


async def _announce(
    session: VoiceSession, subscription: Subscription, backlog: list[dict[str, Any]]
) -> None:
    """Pushes the user's events (a timer finished) to the device, spoken as well."""
    for event in backlog:
        subscription.sent.add(event["id"])
        await session.announce(event)
    while True:
        event = await subscription.queue.get()
        if event["id"] not in subscription.sent:
            subscription.sent.add(event["id"])
            await session.announce(event)


class TranslateHello(BaseModel):
    type: str = "hello"
    format: FormatBody = Field(default_factory=FormatBody)
    output_rate: int | None = Field(default=None, ge=8000, le=48000)


@router.websocket("/v1/voice/translate")
async def voice_translate(websocket: WebSocket) -> None:
    """Live interpretation over a WebSocket: `?from=en&to=es` (`&two_way=true`: either
    language may be spoken, each utterance goes into the other). Authenticate as on
    /v1/voice; send a `hello` (audio format) first. See docs/translation.md."""
    heron = websocket.app.state.heron
    await websocket.accept()
    emit = _sender(websocket)

    try:
        user = await heron.authenticate(websocket_key(websocket))
        source, target, two_way = _languages(websocket)
        # An unavailable pair is refused before any audio (or the hello) is read.
        interpreter = await Interpreter.open(heron, user, source, target, two_way=two_way)
    except HeronError as error:
        await _refuse(websocket, error, "languages" if error.status != 401 else "hello")
        return
    try:
        hello = TranslateHello.model_validate_json(await websocket.receive_text())
        if hello.type != "hello":
            raise BadInput("send a hello message first")
        fmt = AudioFormat(hello.format.rate, hello.format.width, hello.format.channels).check()
    except (HeronError, ValidationError, ValueError) as error:
        await _refuse(websocket, error)
        return
    except WebSocketDisconnect:
        return
    interpreter.rate = hello.output_rate
    heard: asyncio.Queue[Heard | None] = asyncio.Queue()

    async def stream() -> AsyncIterator[Heard]:
        while (item := await heard.get()) is not None:
            yield item

    receiver = asyncio.create_task(_receive_speech(websocket, Converter(fmt), heard, emit))
    try:
        await emit(VoiceEvent("ready", {"user": user.name, **interpreter.direction.to_json()}))
        async for event in interpreter.interpret(stream()):
            await emit(event)
    except (WebSocketDisconnect, RuntimeError):
        pass
    except HeronError as error:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await emit(VoiceEvent.error("session", error.status, error.detail))
    finally:
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receiver


def _languages(websocket: WebSocket) -> tuple[str, str, bool]:
    query = websocket.query_params
    source, target = query.get("from", ""), query.get("to", "")
    if not source or not target:
        raise BadInput("say which languages: /v1/voice/translate?from=en&to=es")
    two_way = query.get("two_way", "false").lower()
    if two_way not in ("true", "false", "1", "0", "yes", "no"):
        raise BadInput("two_way is true or false")
    return source, target, two_way in ("true", "1", "yes")


async def _receive_speech(
    websocket: WebSocket,
    converter: Converter,
    heard: asyncio.Queue[Heard | None],
    emit: Emit,
) -> None:
    """Audio and controls from the client, into the interpreter's stream (None: it ended)."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            data = message.get("bytes")
            if data is not None:
                if len(data) > MAX_FRAME_BYTES:
                    await emit(
                        VoiceEvent.error(
                            "audio", 413, f"audio frames are at most {MAX_FRAME_BYTES} bytes"
                        )
                    )
                    continue
                samples = converter.feed(data)
                if len(samples):
                    heard.put_nowait(samples)
                continue
            try:
                control = json.loads(message.get("text") or "")
                kind = control["type"] if isinstance(control, dict) else None
            except (ValueError, KeyError):
                await emit(VoiceEvent.error("message", 422, "send JSON objects with a 'type'"))
                continue
            if kind == "end":
                heard.put_nowait(END_OF_UTTERANCE)
            elif kind == "ping":
                await emit(VoiceEvent("pong"))
            else:
                await emit(VoiceEvent.error("message", 422, f"unknown message type {kind!r}"))
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        heard.put_nowait(None)


async def _refuse(websocket: WebSocket, error: Exception, stage: str = "hello") -> None:
    if isinstance(error, HeronError):
        status, detail = error.status, error.detail
    elif isinstance(error, ValidationError):
        first = error.errors()[0]
        status = 422
        detail = f"hello.{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    else:
        status, detail = 422, "the first message must be a JSON hello"
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_json(VoiceEvent.error(stage, status, detail).to_json())
        await websocket.close(code=4401 if status == 401 else 4400)
