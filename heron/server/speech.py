"""Speech over HTTP: transcribe an uploaded recording, synthesize speech, list the voices."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from heron.audio import decode, wav_bytes, wav_header
from heron.errors import BadAudio, UnsupportedMedia
from heron.server.auth import CurrentUser, Engine

router = APIRouter(prefix="/v1/speech", tags=["speech"])

# Content types that may hold audio besides audio/*.
AUDIO_ALSO = ("application/octet-stream", "video/webm", "video/ogg", "video/mp4")
NOTHING_HEARD = "I didn't hear anything: the recording holds no speech"


async def _upload(request: Request) -> bytes:
    """The audio of a raw body (Content-Type audio/*) or of a multipart form's `file` field."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise BadAudio("send the recording as the form field 'file'")
        return await upload.read()
    if kind and not (kind.startswith("audio/") or kind in AUDIO_ALSO):
        raise UnsupportedMedia(f"{kind} is not audio: send WAV, FLAC, OGG, MP3, WebM or M4A")
    return await request.body()


@router.post(
    "/transcribe",
    summary="Speech to text",
    description="Upload a recording (WAV, FLAC, OGG, MP3, WebM or M4A) as the raw body with "
    "an `audio/*` Content-Type, or as the multipart form field `file`. Any sample rate and "
    "channel count. Corrupt or empty audio: 400; longer than HERON_MAX_AUDIO_SECONDS or "
    "larger than HERON_MAX_AUDIO_BYTES: 413; not audio: 415. A recording with no speech "
    "gives an empty text and `heard: false`.",
)
async def transcribe(
    request: Request,
    user: CurrentUser,
    heron: Engine,
    language: Annotated[
        str | None, Query(max_length=8, description="e.g. en; default: detect")
    ] = None,
    engine: Annotated[str | None, Query(description="whisper (default) or sphinx")] = None,
) -> dict[str, Any]:
    data = await _upload(request)
    started = time.perf_counter()
    audio = await asyncio.to_thread(decode, data, max_seconds=heron.settings.max_audio_seconds)
    stt = heron.speech.stt(engine)
    if not await asyncio.to_thread(heron.speech.has_speech, audio.samples):
        return {
            "text": "",
            "heard": False,
            "detail": NOTHING_HEARD,
            "language": language,
            "seconds": round(audio.seconds, 3),
            "segments": [],
            "engine": stt.name,
        }
    hints = await heron.speech_hints(user)
    transcript = await heron.voice.transcribe(
        audio.samples, language=language, hints=hints, engine=engine
    )
    return {
        **transcript.to_json(),
        "heard": bool(transcript.text),
        "engine": stt.name,
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }


class SynthesizeBody(BaseModel):
    text: str = Field(min_length=1, max_length=5000)
    voice: str | None = Field(
        default=None, description="A voice from GET /v1/speech/voices (default: Piper joe)"
    )
    speed: float = Field(default=1.0, ge=0.5, le=2.0)
    stream: bool = Field(
        default=False,
        description="Stream the WAV as it is synthesized (sentence by sentence; the header "
        "gives no length)",
    )


@router.post(
    "/synthesize",
    summary="Text to speech (WAV)",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}}}},
)
async def synthesize(body: SynthesizeBody, _: CurrentUser, heron: Engine) -> Response:
    engine, voice = heron.speech.tts_for(body.voice)
    speech = await asyncio.to_thread(engine.synthesize, body.text, voice=voice, speed=body.speed)
    if body.stream:
        first = await asyncio.to_thread(next, speech.chunks, None)

        async def stream() -> AsyncIterator[bytes]:
            yield wav_header(speech.rate)
            chunk = first
            while chunk is not None:
                yield chunk.astype("<i2").tobytes()
                chunk = await asyncio.to_thread(next, speech.chunks, None)

        return StreamingResponse(stream(), media_type="audio/wav")
    chunks = await asyncio.to_thread(list, speech.chunks)
    return Response(wav_bytes(chunks, speech.rate), media_type="audio/wav")


@router.get("/voices", summary="The voices text-to-speech can use")
async def voices(_: CurrentUser, heron: Engine) -> dict[str, Any]:
    found = await asyncio.to_thread(heron.speech.voices)
    return {
        "default": heron.settings.tts_voice or found[0].name,
        "voices": [
            {"name": v.name, "language": v.language, "rate": v.rate, "engine": v.engine}
            for v in found
        ],
    }
