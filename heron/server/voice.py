"""The voice WebSocket: a device streams microphone audio up and gets events and the spoken
reply back. It only translates messages to and from a `VoiceSession`.

Protocol (docs/voice.md has the full schema):
- client → server, text: `hello` (first; device, room, format, start, wake_word, …), `wake`
  (the device heard its wake word), `button` (push-to-talk), `end` (push-to-talk released),
  `stop`, `ping`; binary: PCM audio in the format the hello declared.
- server → client, text: `ready`, then pipeline events (heron.pipeline.events); binary: the
  reply's PCM audio, after an `audio-start` that gives its rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, ValidationError

from heron.audio import AudioFormat
from heron.errors import BadInput, HeronError
from heron.events import Subscription
from heron.pipeline import events as ev
from heron.pipeline.events import VoiceEvent
from heron.pipeline.voice import SessionOptions, VoiceSession, check_start
from heron.server.auth import websocket_key

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


@router.websocket("/v1/voice")
async def voice(websocket: WebSocket) -> None:
    """The voice pipeline over a WebSocket. Authenticate with `Authorization: Bearer KEY`
    or `?token=KEY`; send a `hello` first. See docs/voice.md."""
    heron = websocket.app.state.heron
    await websocket.accept()
    sending = asyncio.Lock()

    async def emit(event: VoiceEvent) -> None:
        async with sending:
            if event.type == ev.AUDIO:
                await websocket.send_bytes(event.audio)
            else:
                await websocket.send_json(event.to_json())

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


async def _receive(websocket: WebSocket, session: VoiceSession, emit: Any) -> None:
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


async def _refuse(websocket: WebSocket, error: Exception) -> None:
    if isinstance(error, HeronError):
        status, detail = error.status, error.detail
    elif isinstance(error, ValidationError):
        first = error.errors()[0]
        status = 422
        detail = f"hello.{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    else:
        status, detail = 422, "the first message must be a JSON hello"
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_json(VoiceEvent.error("hello", status, detail).to_json())
        await websocket.close(code=4401 if status == 401 else 4400)
