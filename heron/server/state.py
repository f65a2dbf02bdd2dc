"""Timers, reminders, lists, the user's profile and devices over HTTP — all scoped to the
authenticated user; another user's ids are simply not found (404).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from heron.server.auth import CurrentUser, Engine

router = APIRouter(prefix="/v1")


@router.get("/timers", tags=["timers"], summary="Running and paused timers")
async def timers(user: CurrentUser, heron: Engine, all: bool = False) -> dict[str, Any]:
    return {"timers": await heron.timers(user, include_done=all)}


@router.get("/timers/{timer_id}", tags=["timers"])
async def timer(timer_id: int, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.timer(user, timer_id)


@router.post("/timers/{timer_id}/{action}", tags=["timers"], summary="Pause or resume a timer")
async def change_timer(
    timer_id: int, action: Literal["pause", "resume"], user: CurrentUser, heron: Engine
) -> dict[str, Any]:
    return await heron.change_timer(user, timer_id, action)


@router.delete("/timers/{timer_id}", tags=["timers"], summary="Cancel a timer")
async def cancel_timer(timer_id: int, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.change_timer(user, timer_id, "cancel")


@router.get("/reminders", tags=["reminders"], summary="Scheduled reminders and alarms")
async def reminders(user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return {"reminders": await heron.reminders(user)}


@router.get("/reminders/{reminder_id}", tags=["reminders"])
async def reminder(reminder_id: int, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.reminder(user, reminder_id)


@router.delete("/reminders/{reminder_id}", tags=["reminders"])
async def delete_reminder(reminder_id: int, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.delete_reminder(user, reminder_id)


class NewItems(BaseModel):
    items: list[str] = Field(min_length=1, max_length=100)


@router.get("/lists", tags=["lists"], summary="All lists with their items")
async def lists(user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return {"lists": await heron.lists(user)}


@router.get("/lists/{list_id}", tags=["lists"])
async def one_list(list_id: int, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.get_list(user, list_id)


@router.post("/lists/by-name/{name}/items", tags=["lists"], summary="Add items (creates the list)")
async def add_items(name: str, body: NewItems, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.add_to_list(user, name, body.items)


@router.delete("/lists/{list_id}/items/{item_id}", tags=["lists"])
async def remove_item(
    list_id: int, item_id: int, user: CurrentUser, heron: Engine
) -> dict[str, Any]:
    return await heron.remove_list_item(user, list_id, item_id)


@router.delete("/lists/{list_id}", tags=["lists"], status_code=204)
async def delete_list(list_id: int, user: CurrentUser, heron: Engine) -> Response:
    await heron.delete_list(user, list_id)
    return Response(status_code=204)


class ProfileChange(BaseModel):
    timezone: str = Field(min_length=1, max_length=64, description="IANA name, e.g. Europe/Paris")


def _profile(user: Any) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "timezone": user.timezone}


@router.get("/me", tags=["account"], summary="The authenticated user")
async def me(user: CurrentUser) -> dict[str, Any]:
    return _profile(user)


@router.patch("/me", tags=["account"], summary="Change the time zone")
async def change_me(body: ProfileChange, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return _profile(await heron.set_timezone(user, body.timezone))


@router.get("/devices", tags=["account"], summary="Devices that connected for events")
async def devices(user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return {"devices": await heron.devices(user)}
