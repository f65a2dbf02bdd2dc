"""The assistant over HTTP: ask, read a conversation, and the per-user event stream."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field

from heron.errors import HeronError
from heron.server.auth import CurrentUser, Engine, websocket_key

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/assistant", tags=["assistant"])


class AskBody(BaseModel):
    text: str = Field(
        min_length=1, description="What the user said or typed (HERON_MAX_TEXT_CHARS at most)"
    )
    conversation_id: str | None = Field(
        default=None, max_length=32, description="Continue this conversation (from a reply)"
    )


class Routing(BaseModel):
    stage: str = Field(description="template, similarity, dialogue, follow-up or fallback")
    matched: str | None = None
    reason: str
    runner_up: dict[str, Any] | None = None


class AskReply(BaseModel):
    reply: str
    intent: str | None
    slots: dict[str, Any]
    confidence: float
    conversation_id: str
    routing: Routing
    data: dict[str, Any]


@router.post("/ask", response_model=AskReply, summary="Ask the assistant")
async def ask(body: AskBody, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    answer = await heron.ask(user, body.text, conversation_id=body.conversation_id)
    return answer.to_json()


@router.get("/conversations/{conversation_id}", summary="The turns of one conversation")
async def conversation(conversation_id: str, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return {"id": conversation_id, "turns": await heron.conversation(user, conversation_id)}


@router.websocket("/events")
async def events(websocket: WebSocket, device: str = "default") -> None:
    """Pushes the user's events (timer finished, reminder due) as JSON messages.

    Authenticate with `Authorization: Bearer KEY` or `?token=KEY`. Events that came while no
    device was connected are sent first. Send `{"type": "ping"}` to get `{"type": "pong"}`.
    A bad key gets an error message and close code 4401.
    """
    heron = websocket.app.state.heron
    await websocket.accept()
    try:
        user = await heron.authenticate(websocket_key(websocket))
        backlog = await heron.device_connected(user, device)
    except HeronError as error:
        code = 4401 if error.status == 401 else 4400
        await websocket.send_json({"type": "error", "status": error.status, "detail": error.detail})
        await websocket.close(code=code)
        return
    subscription = heron.hub.subscribe(user.id, device)
    try:
        await websocket.send_json({"type": "hello", "user": user.name, "device": device})
        for event in backlog:
            subscription.sent.add(event["id"])
            await websocket.send_json(event)
        receiver = asyncio.create_task(_receive(websocket))
        try:
            while not receiver.done():
                getter = asyncio.create_task(subscription.queue.get())
                done, _ = await asyncio.wait(
                    {getter, receiver}, return_when=asyncio.FIRST_COMPLETED
                )
                if getter in done:
                    event = getter.result()
                    if event["id"] not in subscription.sent:
                        subscription.sent.add(event["id"])
                        await websocket.send_json(event)
                else:
                    getter.cancel()
        finally:
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await receiver
    except WebSocketDisconnect:
        pass
    finally:
        heron.hub.unsubscribe(subscription)


async def _receive(websocket: WebSocket) -> None:
    """Answers pings until the device disconnects."""
    while True:
        try:
            message = await websocket.receive_json()
        except (WebSocketDisconnect, RuntimeError):
            return
        except ValueError:
            await websocket.send_json({"type": "error", "status": 422, "detail": "send JSON"})
            continue
        if isinstance(message, dict) and message.get("type") == "ping":
            await websocket.send_json({"type": "pong"})
