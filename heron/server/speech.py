"""Speech over HTTP: transcribe an uploaded recording, synthesize speech, list the voices."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from heron.audio import Audio, decode, wav_bytes, wav_header
from heron.engine import Heron
from heron.errors import BadAudio, UnsupportedMedia
from heron.server.auth import CurrentUser, Engine
from heron.speech import Transcript, Voice
from heron.store.models import User

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
    heard = await hear(heron, user, data, language=language, engine=engine)
    if heard.transcript is None:
        return {
            "text": "",
            "heard": False,
            "detail": NOTHING_HEARD,
            "language": language,
            "seconds": round(heard.audio.seconds, 3),
            "segments": [],
            "engine": heard.engine,
        }
    return {
        **heard.transcript.to_json(),
        "heard": bool(heard.transcript.text),
        "engine": heard.engine,
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }


@dataclass(frozen=True)
class Heard:
    """An uploaded recording, decoded, and what was said in it."""

    audio: Audio
    transcript: Transcript | None
    """None when the recording holds no speech (it is not transcribed at all)."""
    engine: str


async def hear(
    heron: Heron,
    user: User,
    data: bytes,
    *,
    language: str | None = None,
    engine: str | None = None,
    prompt: str | None = None,
) -> Heard:
    """An uploaded file decoded and, if it holds speech, transcribed with the user's hints
    (`prompt`, words the caller expects, first). Shared by this API and the OpenAI one."""
    audio = await asyncio.to_thread(decode, data, max_seconds=heron.settings.max_audio_seconds)
    stt = heron.speech.stt(engine)
    transcript = await heron.voice.hear(
        user, audio.samples, language=language, engine=engine, hints=(prompt,) if prompt else ()
    )
    return Heard(audio, transcript, stt.name)


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
    rate, chunks = await heron.voice.speak(body.text, voice=body.voice, speed=body.speed)
    if body.stream:

        async def stream() -> AsyncIterator[bytes]:
            yield wav_header(rate)
            async for chunk in chunks:
                yield chunk.astype("<i2").tobytes()

        return StreamingResponse(stream(), media_type="audio/wav")
    return Response(wav_bytes([chunk async for chunk in chunks], rate), media_type="audio/wav")


@router.get("/voices", summary="The voices text-to-speech can use")
async def voices(_: CurrentUser, heron: Engine) -> dict[str, Any]:
    found = await asyncio.to_thread(heron.speech.voices)
    return {
        "default": default_voice(heron, found),
        "voices": [
            {"name": v.name, "language": v.language, "rate": v.rate, "engine": v.engine}
            for v in found
        ],
    }


def default_voice(heron: Heron, voices: list[Voice]) -> str:
    """The voice speech is in when none is asked for: the configured one, else the first of
    the default engine's (Piper joe)."""
    return heron.settings.tts_voice or voices[0].name
