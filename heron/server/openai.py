"""The OpenAI-compatible API: models, transcriptions, speech, chat completions and embeddings,
so existing OpenAI clients use Heron by changing only their base URL and key."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from cachetools import LRUCache
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from heron.audio import encode, resample, wav_header
from heron.errors import BadInput, HeronError, NotFound
from heron.language.embeddings import MODEL_NAME as MINILM
from heron.language.langid import language_name
from heron.server.auth import CurrentUser, Engine
from heron.server.speech import default_voice, hear
from heron.speech import Segment, Transcript

# --- errors in OpenAI's shape ---------------------------------------------------------------


class OpenAIError(Exception):
    """An error as OpenAI sends it: `{"error": {"message", "type", "param", "code"}}`."""

    def __init__(
        self, status: int, message: str, *, param: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code

    def response(self) -> JSONResponse:
        kind = "server_error" if self.status >= 500 else "invalid_request_error"
        error = {"message": self.message, "type": kind, "param": self.param, "code": self.code}
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse({"error": error}, status_code=self.status, headers=headers)


def _as_openai(error: Exception) -> OpenAIError:
    if isinstance(error, OpenAIError):
        return error
    if isinstance(error, HeronError):
        # OpenAI answers 400 to any request it cannot use; Heron's plain BadInput (422) is
        # that. Its subclasses keep their own status (413 too large, 415 not audio).
        status = 400 if error.status == 422 else error.status
        return OpenAIError(status, error.detail, code="invalid_api_key" if status == 401 else None)
    if isinstance(error, RequestValidationError):
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = [str(part) for part in first.get("loc", ()) if part != "body"]
        if first.get("type") == "json_invalid":
            return OpenAIError(400, "the body is not valid JSON")
        param = where[0] if where else None
        message = f"{'.'.join(where)}: {first.get('msg', '')}" if where else first.get("msg", "")
        return OpenAIError(400, str(message), param=param)
    if isinstance(error, HTTPException):
        return OpenAIError(error.status_code, str(error.detail))
    raise TypeError(f"not an error to translate: {error!r}")


class OpenAIRoute(APIRoute):
    """Errors on these routes come out in OpenAI's shape, which its clients parse, instead of
    the problem+json of the rest of the API. Wrapping the route handler catches what FastAPI
    raises before the endpoint runs too: a bad key (in a dependency) and invalid bodies."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except (OpenAIError, HeronError, RequestValidationError, HTTPException) as error:
                return _as_openai(error).response()

        return handle


router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIRoute)


# --- models ---------------------------------------------------------------------------------

Capability = Literal["chat", "transcription", "speech", "embedding"]


@dataclass(frozen=True)
class Model:
    id: str
    does: Capability
    stt: str | None = None
    """The speech-to-text engine of a transcription model (None: the configured default)."""


# OpenAI's names are aliases of Heron's engines, so clients work without changing the model
# they ask for. Its larger embedding models are not aliased: MiniLM is no stand-in for them.
MODELS = {
    model.id: model
    for model in (
        Model("heron", "chat"),
        Model("whisper-1", "transcription"),
        Model("gpt-4o-transcribe", "transcription"),
        Model("gpt-4o-mini-transcribe", "transcription"),
        Model("heron-whisper", "transcription", stt="whisper"),
        Model("heron-sphinx", "transcription", stt="sphinx"),
        Model("tts-1", "speech"),
        Model("tts-1-hd", "speech"),
        Model("gpt-4o-mini-tts", "speech"),
        Model("heron-tts", "speech"),
        Model(MINILM, "embedding"),
        Model("text-embedding-3-small", "embedding"),
    )
}
STARTED = int(time.time())


def model_for(name: str, does: Capability) -> Model:
    found = MODELS.get(name)
    if found is None or found.does != does:
        names = ", ".join(m.id for m in MODELS.values() if m.does == does)
        raise OpenAIError(
            404,
            f"The model '{name}' does not exist here or cannot do {does}: use {names}",
            param="model",
            code="model_not_found",
        )
    return found


def _model_json(model: Model) -> dict[str, Any]:
    return {"id": model.id, "object": "model", "created": STARTED, "owned_by": "heron"}


@router.get("/models", summary="The models (OpenAI-compatible)")
async def models(_: CurrentUser) -> dict[str, Any]:
    return {"object": "list", "data": [_model_json(m) for m in MODELS.values()]}


@router.get("/models/{model}", summary="One model (OpenAI-compatible)")
async def model(model: str, _: CurrentUser) -> dict[str, Any]:
    if model not in MODELS:
        raise OpenAIError(
            404, f"The model '{model}' does not exist", param="model", code="model_not_found"
        )
    return _model_json(MODELS[model])


# --- transcriptions -------------------------------------------------------------------------


class TranscriptionForm(BaseModel):
    model: str
    language: str | None = Field(default=None, max_length=8, description="e.g. en; default: detect")
    prompt: str | None = Field(
        default=None, max_length=1_000, description="Words to expect (Whisper's hot words)"
    )
    response_format: Literal["json", "text", "verbose_json", "srt", "vtt"] = "json"
    temperature: float = Field(default=0.0, ge=0.0, le=1.0, description="Accepted, ignored")
    timestamp_granularities: list[Literal["segment", "word"]] = Field(
        default_factory=list, alias="timestamp_granularities[]"
    )
    stream: bool = False


@router.post(
    "/audio/transcriptions",
    summary="Speech to text (OpenAI-compatible)",
    description="A multipart form with the recording as `file` (WAV, FLAC, OGG, MP3, WebM or "
    "M4A). No speech in it: an empty text.",
)
async def transcriptions(
    form: Annotated[TranscriptionForm, Form()],
    file: Annotated[UploadFile, File()],
    user: CurrentUser,
    heron: Engine,
) -> Response:
    chosen = model_for(form.model, "transcription")
    if form.stream:
        raise OpenAIError(400, "Heron does not stream transcriptions", param="stream")
    if "word" in form.timestamp_granularities:
        raise OpenAIError(400, "Heron times segments, not words", param="timestamp_granularities")
    heard = await hear(
        heron,
        user,
        await file.read(),
        language=form.language,
        engine=chosen.stt,
        prompt=form.prompt,
    )
    transcript = heard.transcript or Transcript("", form.language or "", (), heard.audio.seconds)
    return _transcription(transcript, form.response_format)


def _transcription(transcript: Transcript, fmt: str) -> Response:
    usage = {"type": "duration", "seconds": round(transcript.seconds, 3)}
    if fmt == "json":
        return JSONResponse({"text": transcript.text, "usage": usage})
    if fmt == "text":
        return PlainTextResponse(transcript.text + "\n")
    # Whisper's short requests come as one segment; an engine without any gets one too.
    segments = list(transcript.segments)
    if not segments and transcript.text:
        segments = [Segment(0.0, transcript.seconds, transcript.text)]
    if fmt == "verbose_json":
        return JSONResponse(
            {
                "task": "transcribe",
                # OpenAI names the language ("english"), where Heron has its code.
                "language": language_name(transcript.language).lower(),
                "duration": round(transcript.seconds, 3),
                "text": transcript.text,
                "segments": [
                    {
                        "id": i,
                        "start": round(s.start_s, 2),
                        "end": round(s.end_s, 2),
                        "text": s.text,
                    }
                    for i, s in enumerate(segments)
                ],
                "usage": usage,
            }
        )
    if fmt == "srt":
        cues = [
            f"{i}\n{_clock(s.start_s, ',')} --> {_clock(s.end_s, ',')}\n{s.text.strip()}\n"
            for i, s in enumerate(segments, start=1)
        ]
        return PlainTextResponse("\n".join(cues))
    cues = [
        f"{_clock(s.start_s, '.')} --> {_clock(s.end_s, '.')}\n{s.text.strip()}\n" for s in segments
    ]
    return PlainTextResponse("\n".join(["WEBVTT\n", *cues]), media_type="text/vtt")


def _clock(seconds: float, separator: str) -> str:
    """Subtitle time: 00:01:02,345 (SRT) or 00:01:02.345 (WebVTT)."""
    hours, rest = divmod(round(seconds * 1000), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}{separator}{millis:03d}"


# --- speech ---------------------------------------------------------------------------------

# OpenAI's voices as Heron's. Heron has one natural voice (Piper joe, or the voice the server
# is configured with) and espeak-ng's robotic ones: the male and neutral voices are the
# natural one; a client asking for a female voice gets one of espeak-ng's female variants.
OPENAI_VOICES: dict[str, str | None] = {
    **dict.fromkeys(("alloy", "ash", "ballad", "cedar", "echo", "fable", "onyx", "verse"), None),
    "coral": "en-us+f2",
    "marin": "en-us+f5",
    "nova": "en-us+f3",
    "sage": "en-us+f4",
    "shimmer": "en-us+f1",
}
MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
PCM_RATE = 24_000
"""OpenAI's `pcm` is headerless, so its rate is fixed: 24 kHz, 16-bit little-endian, mono."""
SPEEDS = (0.5, 2.0)
"""What Heron's engines can do; OpenAI's wider 0.25 to 4.0 is clamped into it."""


class VoiceId(BaseModel):
    id: str


class SpeechBody(BaseModel):
    model: str
    input: str = Field(min_length=1, max_length=4096)
    voice: str | VoiceId = Field(
        description="An OpenAI voice (alloy, nova, …) or a Heron voice (GET /v1/speech/voices)"
    )
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "mp3"
    speed: float = Field(default=1.0, ge=0.25, le=4.0)
    instructions: str | None = Field(default=None, description="Accepted, ignored")
    stream_format: Literal["audio", "sse"] = "audio"


@router.post(
    "/audio/speech",
    summary="Text to speech (OpenAI-compatible)",
    response_class=Response,
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}},
)
async def speech(body: SpeechBody, _: CurrentUser, heron: Engine) -> Response:
    model_for(body.model, "speech")
    if body.stream_format == "sse":
        raise OpenAIError(400, "Heron streams speech as audio, not events", param="stream_format")
    name = body.voice if isinstance(body.voice, str) else body.voice.id
    voice = OPENAI_VOICES.get(name.lower(), name)
    speed = min(max(body.speed, SPEEDS[0]), SPEEDS[1])
    try:
        rate, chunks = await heron.voice.speak(body.input, voice=voice, speed=speed)
    except BadInput as error:  # the voice is all that can be wrong by now
        raise OpenAIError(400, error.detail, param="voice") from None
    media = MEDIA_TYPES[body.response_format]
    # Which of Heron's voices spoke, for a client that asked for one of OpenAI's.
    spoke = voice or default_voice(heron, await asyncio.to_thread(heron.speech.voices))
    headers = {"X-Heron-Voice": spoke}
    # wav and pcm go out sentence by sentence as they are made (the WAV header, like
    # OpenAI's, gives no length); a compressed file is encoded whole.
    if body.response_format == "pcm":

        async def pcm() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                yield resample(chunk, rate, PCM_RATE).astype("<i2").tobytes()

        return StreamingResponse(pcm(), media_type=media, headers=headers)
    if body.response_format == "wav":

        async def wav() -> AsyncIterator[bytes]:
            yield wav_header(rate)
            async for chunk in chunks:
                yield chunk.astype("<i2").tobytes()

        return StreamingResponse(wav(), media_type=media, headers=headers)
    said = [chunk async for chunk in chunks]
    samples = np.concatenate(said) if said else np.zeros(0, np.int16)
    data = await asyncio.to_thread(encode, samples, rate, body.response_format)
    return Response(data, media_type=media, headers=headers)


# --- chat completions -----------------------------------------------------------------------


class ContentPart(BaseModel):
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if self.content is None or isinstance(self.content, str):
            return self.content or ""
        texts = []
        for part in self.content:
            if part.type not in ("text", "input_text") or part.text is None:
                raise OpenAIError(
                    400, f"Heron reads text only, not {part.type} parts", param="messages"
                )
            texts.append(part.text)
        return "\n".join(texts)


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatBody(BaseModel):
    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(default=1, ge=1, le=1, description="Heron gives one answer")
    max_tokens: int | None = Field(default=None, ge=1, description="Words, at most")
    max_completion_tokens: int | None = Field(default=None, ge=1, description="Words, at most")


Turn = tuple[str, str]
"""(role, text) of a user or assistant message, its whitespace folded."""


class ChatThreads:
    """Which Heron conversation a chat continues. OpenAI clients send the whole history each
    time and no conversation id, while Heron keeps the state of a conversation itself (the
    question it asked, the answer a follow-up refers to). So each reply is remembered under a
    digest of the history it ends; the next request, that history plus a new message, finds
    its conversation again. Replaying the history instead would run its requests again (a
    second timer). Kept in memory, the most recent `size` replies."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: LRUCache[str, str] = LRUCache(maxsize=size)

    @staticmethod
    def _digest(user_id: int, turns: Sequence[Turn]) -> str:
        return hashlib.sha256(json.dumps([user_id, list(turns)]).encode()).hexdigest()

    def find(self, user_id: int, turns: Sequence[Turn]) -> str | None:
        if not turns:
            return None
        return self._ids.get(self._digest(user_id, turns))

    def remember(self, user_id: int, turns: Sequence[Turn], conversation_id: str) -> None:
        self._ids[self._digest(user_id, turns)] = conversation_id


def chat_threads(request: Request) -> ChatThreads:
    """The app's threads (one per app, so two servers in one process never mix them up)."""
    state = request.app.state
    if getattr(state, "openai_chat_threads", None) is None:
        state.openai_chat_threads = ChatThreads()
    threads: ChatThreads = state.openai_chat_threads
    return threads


def _turn(message: ChatMessage) -> Turn:
    return message.role, " ".join(message.text().split())


def _pieces(text: str) -> list[str]:
    """Words with the space after each: what a streamed reply is sent in. They join back
    into `text` exactly."""
    return re.findall(r"\S+\s*|\s+", text)


def _words(text: str) -> int:
    return len(text.split())


@router.post(
    "/chat/completions",
    summary="Chat with the assistant (OpenAI-compatible)",
    description="Model `heron`: the last message, the user's, is the request; the earlier "
    "user and assistant messages are the conversation it continues. `stream: true` sends the "
    "reply as server-sent events.",
)
async def chat_completions(
    body: ChatBody,
    user: CurrentUser,
    heron: Engine,
    threads: Annotated[ChatThreads, Depends(chat_threads)],
) -> Response:
    model_for(body.model, "chat")
    if body.messages[-1].role != "user":
        raise OpenAIError(
            400, "the last message must be the user's: it is what Heron answers", param="messages"
        )
    turns = [_turn(m) for m in body.messages if m.role in ("user", "assistant")]
    conversation_id = threads.find(user.id, turns[:-1])
    if conversation_id is not None:
        try:
            await heron.conversation(user, conversation_id)
        except NotFound:  # deleted since: the reply starts a new conversation
            conversation_id = None
    answer = await heron.ask(user, body.messages[-1].text(), conversation_id=conversation_id)
    pieces = _pieces(answer.reply)
    limit = body.max_completion_tokens or body.max_tokens
    finish = "stop"
    if limit is not None and _words(answer.reply) > limit:
        pieces, finish = pieces[:limit], "length"
        pieces[-1] = pieces[-1].rstrip()
    content = "".join(pieces)
    threads.remember(
        user.id,
        [*turns, _turn(ChatMessage(role="assistant", content=content))],
        answer.conversation_id,
    )
    prompt_words = sum(_words(m.text()) for m in body.messages)
    usage = {
        "prompt_tokens": prompt_words,
        "completion_tokens": _words(content),
        "total_tokens": prompt_words + _words(content),
    }
    about = jsonable_encoder({k: v for k, v in answer.to_json().items() if k != "reply"})
    head = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "created": int(time.time()),
        "model": "heron",
        "system_fingerprint": None,
    }
    if not body.stream:
        message = {"role": "assistant", "content": content, "refusal": None}
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
        completion = {**head, "object": "chat.completion", "choices": [choice], "usage": usage}
        return JSONResponse({**completion, "heron": about})
    with_usage = body.stream_options is not None and body.stream_options.include_usage

    def chunk(delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        data = {**head, "object": "chat.completion.chunk", "choices": [choice], **extra}
        return _event({**data, "usage": None} if with_usage else data)

    async def events() -> AsyncIterator[str]:
        # Heron answers in one step, so the words go out as fast as a client reads them.
        yield chunk({"role": "assistant", "content": ""}, heron=about)
        for piece in pieces:
            yield chunk({"content": piece})
        yield chunk({}, finish)
        if with_usage:
            yield _event({**head, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        yield "data: [DONE]\n\n"

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


def _event(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data)}\n\n"


# --- embeddings -----------------------------------------------------------------------------

MAX_INPUTS = 2048
"""OpenAI's limit on texts per request."""


class EmbeddingsBody(BaseModel):
    model: str
    input: str | list[str] | list[int] | list[list[int]]
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(default=None, description="384 (MiniLM's) or unset")
    user: str | None = None


@router.post(
    "/embeddings",
    summary="Sentence embeddings (OpenAI-compatible)",
    description="384-dimension unit vectors from the packaged all-MiniLM-L6-v2 "
    "(`text-embedding-3-small` is an alias of it, not OpenAI's model).",
)
async def embeddings(body: EmbeddingsBody, _: CurrentUser, heron: Engine) -> dict[str, Any]:
    model_for(body.model, "embedding")
    texts = _texts(body.input)
    if len(texts) > MAX_INPUTS:
        raise OpenAIError(400, f"{len(texts)} texts: at most {MAX_INPUTS}", param="input")
    limit = heron.settings.max_text_chars
    for i, text in enumerate(texts):
        if not text.strip():
            raise OpenAIError(400, f"input[{i}] is empty", param="input")
        if len(text) > limit:
            raise OpenAIError(400, f"input[{i}] is longer than {limit} characters", param="input")
    if body.dimensions not in (None, 384):
        raise OpenAIError(
            400,
            "MiniLM vectors have 384 dimensions; Heron does not shorten them",
            param="dimensions",
        )
    vectors = await heron.embed(texts)
    words = sum(_words(text) for text in texts)
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": _vector(v, body.encoding_format)}
            for i, v in enumerate(vectors)
        ],
        "model": MINILM,
        "usage": {"prompt_tokens": words, "total_tokens": words},
    }


def _texts(given: str | list[str] | list[int] | list[list[int]]) -> list[str]:
    items: list[Any] = [given] if isinstance(given, str) else given
    texts = [item for item in items if isinstance(item, str)]
    if not items:
        raise OpenAIError(400, "input holds no text", param="input")
    if len(texts) != len(items):
        raise OpenAIError(400, "Heron embeds text, not token ids", param="input")
    return texts


def _vector(vector: np.ndarray, fmt: str) -> list[float] | str:
    if fmt == "base64":  # what the openai client asks for unless told otherwise
        return base64.b64encode(vector.astype("<f4").tobytes()).decode("ascii")
    return [float(x) for x in vector]
