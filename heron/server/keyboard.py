"""The predictive keyboard over HTTP and a WebSocket: suggestions for the word being typed,
autocorrection and its undo, and the user's own model (learn, export, forget).

WebSocket /v1/keyboard/ws (docs/keyboard.md), for a reply on every keystroke without a new
request each time: after `ready`, each JSON message (`predict`, `correct`, `learn`, `undo`,
`ping`) gets exactly one reply, in order, echoing the message's `id`; a message that cannot be
answered gets an `error` reply and the socket stays open.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response, WebSocket, WebSocketDisconnect
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)

from heron.config import Settings
from heron.engine import CONTEXT_LIMIT, Heron
from heron.errors import HeronError
from heron.server.auth import CurrentUser, Engine, websocket_key
from heron.store.models import User

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/keyboard", tags=["keyboard"])

MAX_WORD_CHARS = 100
"""Longer "words" (a prefix, a word to correct) are not words: 422."""
JSON_BYTES_PER_CHAR = 6
"""What one character may cost in a JSON body (`\\u0436` from a client that escapes all but
ASCII), so a text under the learn limit never meets the body limit's 413 first."""
BODY_OVERHEAD = 64 * 1024
Id = StrictInt | StrictStr | None


def body_limit(settings: Settings) -> int:
    """The largest body /v1/keyboard/learn reads: a text of HERON_MAX_KEYBOARD_LEARN_CHARS
    however it is escaped."""
    needed = JSON_BYTES_PER_CHAR * settings.max_keyboard_learn_chars + BODY_OVERHEAD
    return max(settings.max_body_bytes, needed)


# --- what clients send ----------------------------------------------------------------------

_CONTEXT = (
    "All the text before the word being typed (the end counts most; at most "
    f"{CONTEXT_LIMIT:,} characters, longer: 413)"
)


class Predict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    context: str = Field(default="", description=_CONTEXT)
    prefix: str = Field(
        default="",
        max_length=MAX_WORD_CHARS,
        description='The letters typed so far of the current word ("" for the next word); '
        "no spaces",
    )
    n: int = Field(default=3, ge=1, le=10, description="How many suggestions, 1 to 10")


class Correct(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: str = Field(
        min_length=1, max_length=MAX_WORD_CHARS, description="The word as typed, just finished"
    )
    context: str = Field(default="", description=_CONTEXT)
    after: str = Field(
        default="",
        max_length=CONTEXT_LIMIT,
        description="The text after the word, when there is some (correcting a word already "
        'followed by others): "their"/"there" and the like are only swapped once the next word '
        "shows which fits",
    )


class Learn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        description="Text the user wrote (a message they sent, a line they typed): its words "
        "and word sequences go into their own model. At most HERON_MAX_KEYBOARD_LEARN_CHARS "
        "characters (default 1,000,000; longer: 413)"
    )


class Undo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: str = Field(
        min_length=1, max_length=MAX_WORD_CHARS, description="The word the user typed"
    )
    correction: str = Field(
        min_length=1,
        max_length=MAX_WORD_CHARS,
        description="What autocorrect made of it, which the user undid",
    )


# --- HTTP -----------------------------------------------------------------------------------


@router.post(
    "/predict",
    summary="Suggestions for the word being typed",
    description='`{"context": "See you ", "prefix": "to", "n": 3}` → `{"suggestions": '
    '["tomorrow", "today", "tonight"]}`: completions of `prefix`, or with `prefix` "" the '
    'likeliest next words, best first, cased for where they go (a sentence start, "I"), '
    "your own typing blended in. `n` outside 1–10, a prefix holding a space: 422; a context "
    f"over {CONTEXT_LIMIT:,} characters: 413.",
)
async def predict(body: Predict, user: CurrentUser, heron: Engine) -> dict[str, list[str]]:
    return {"suggestions": await _predict(heron, user, body)}


@router.post(
    "/correct",
    summary="Autocorrect a word just typed",
    description='`{"word": "teh", "context": "I saw "}` → `{"word": "teh", "correction": '
    '"the", "corrected": true, "candidates": ["the", "ten", "tea"]}`. `correction` is null '
    "(and `corrected` false) when the word is left as typed: it is a word, it is one you "
    "have typed before, or you undid its correction. `candidates`: spellings to offer, best "
    "first. An empty word: 422.",
)
async def correct(body: Correct, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return (await heron.keyboard_correct(user, body.word, body.context, after=body.after)).as_dict()


@router.post(
    "/learn",
    summary="Learn from text you wrote",
    description='`{"text": "Meet me at the zorbulax at noon"}` → `{"words": 7, "new_words": '
    "1}`: the words counted (numbers, URLs and e-mail addresses never are) and how many were "
    "new to your model. Stored before the reply; only your own suggestions change. Over "
    "HERON_MAX_KEYBOARD_LEARN_CHARS characters: 413.",
)
async def learn(body: Learn, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return (await heron.keyboard_learn(user, body.text)).as_dict()


@router.post(
    "/undo",
    status_code=204,
    response_class=Response,
    summary="The user undid an autocorrection",
    description='`{"word": "teh", "correction": "the"}` → 204: "teh" is yours from now on, '
    "never corrected again (stored before the reply).",
)
async def undo(body: Undo, user: CurrentUser, heron: Engine) -> Response:
    await heron.keyboard_undo(user, body.word, body.correction)
    return Response(status_code=204)


@router.get(
    "/me",
    summary="Export your keyboard model",
    description="Everything the keyboard learnt from you: `words` (with counts), `ngrams` "
    "(word sequences with counts) and `kept` (spellings whose correction you undid).",
)
async def export(user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.keyboard_export(user)


@router.delete(
    "/me",
    summary="Forget everything the keyboard learnt from you",
    description='→ `{"deleted": 42}` (the word sequences deleted). Suggestions are the shared '
    "model's alone afterwards.",
)
async def forget(user: CurrentUser, heron: Engine) -> dict[str, int]:
    return {"deleted": await heron.keyboard_forget(user)}


async def _predict(heron: Heron, user: User, body: Predict) -> list[str]:
    return await heron.keyboard_predict(user, body.context, body.prefix, body.n)


# --- WebSocket ------------------------------------------------------------------------------


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Id = Field(default=None, description="Echoed in the reply, to match it to this message")


class PredictMessage(_Message, Predict):
    type: Literal["predict"]


class CorrectMessage(_Message, Correct):
    type: Literal["correct"]


class LearnMessage(_Message, Learn):
    type: Literal["learn"]


class UndoMessage(_Message, Undo):
    type: Literal["undo"]


class PingMessage(_Message):
    type: Literal["ping"]


Message = Annotated[
    PredictMessage | CorrectMessage | LearnMessage | UndoMessage | PingMessage,
    Field(discriminator="type"),
]
_messages: TypeAdapter[Message] = TypeAdapter(Message)


@router.websocket("/ws")
async def keyboard_socket(websocket: WebSocket) -> None:
    """The keyboard a keystroke at a time. Authenticate with `Authorization: Bearer KEY` or
    `?token=KEY` (a bad key: an error message, then close code 4401); the server says `ready`,
    then answers each message in order. See docs/keyboard.md."""
    heron: Heron = websocket.app.state.heron
    await websocket.accept()
    try:
        user = await heron.authenticate(websocket_key(websocket))
    except HeronError as error:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await websocket.send_json(_error(error.status, error.detail, None))
            await websocket.close(code=4401 if error.status == 401 else 4400)
        return
    try:
        await websocket.send_json({"type": "ready", "user": user.name})
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                reply = _error(422, "send JSON messages as text frames", None)
            else:
                reply = await _reply(heron, user, text)
            await websocket.send_json(reply)
    except (WebSocketDisconnect, RuntimeError):
        # RuntimeError: the client went away between a receive and a send (the engine's
        # errors never get here: _reply answers them).
        return


async def _reply(heron: Heron, user: User, text: str) -> dict[str, Any]:
    """The one reply to one message: its answer, or an error naming what was wrong."""
    try:
        raw = json.loads(text)
    except ValueError:
        raw = None
    if not isinstance(raw, dict):
        return _error(422, "send JSON objects with a 'type'", None)
    message_id = raw.get("id")
    if not isinstance(message_id, int | str) or isinstance(message_id, bool):
        message_id = None
    try:
        message = _messages.validate_python(raw)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        # The first part of a location is the message type (the union's tag): not a field.
        where = ".".join(str(part) for part in first["loc"][1:]) or "message"
        return _error(422, f"{where}: {first['msg']}", message_id)
    try:
        answer = await _answer(heron, user, message)
    except HeronError as error:
        return _error(error.status, error.detail, message.id)
    except Exception:
        # A bug, not the client's fault: said (and logged), and the socket stays open.
        log.exception("keyboard message failed type=%s", message.type)
        return _error(500, "the keyboard failed on this message (see the server's log)", message.id)
    return {**answer, "id": message.id}


async def _answer(heron: Heron, user: User, message: Message) -> dict[str, Any]:
    if isinstance(message, PredictMessage):
        return {"type": "suggestions", "suggestions": await _predict(heron, user, message)}
    if isinstance(message, CorrectMessage):
        found = await heron.keyboard_correct(
            user, message.word, message.context, after=message.after
        )
        return {"type": "correction", **found.as_dict()}
    if isinstance(message, LearnMessage):
        return {"type": "learnt", **(await heron.keyboard_learn(user, message.text)).as_dict()}
    if isinstance(message, UndoMessage):
        await heron.keyboard_undo(user, message.word, message.correction)
        return {"type": "undone", "word": message.word}
    return {"type": "pong"}


def _error(status: int, detail: str, message_id: Id) -> dict[str, Any]:
    return {"type": "error", "status": status, "detail": detail, "id": message_id}
