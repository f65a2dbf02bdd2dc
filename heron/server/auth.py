"""Who is asking: the user behind the `Authorization: Bearer KEY` header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from heron.engine import Heron
from heron.store.models import User

_bearer = HTTPBearer(auto_error=False, description="An API key from `heron users add NAME`")


def engine(request: Request) -> Heron:
    heron: Heron = request.app.state.heron
    return heron


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    return await engine(request).authenticate(credentials.credentials if credentials else None)


def websocket_key(websocket: WebSocket) -> str | None:
    """A WebSocket's API key: the Authorization header, or `?token=` (browsers cannot set
    headers on a WebSocket)."""
    header = websocket.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:]
    return websocket.query_params.get("token")


CurrentUser = Annotated[User, Depends(current_user)]
Engine = Annotated[Heron, Depends(engine)]
