"""Custom skills: a trained app intent bound to a reply template or a webhook, so what a user
taught Heron works in `heron ask` and by voice.

A template names entities in braces: "Turning {state} the {device}." A webhook receives the
prediction as JSON and answers `{"reply": "..."}` (or plain text).
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from heron.errors import BadInput
from heron.language.nlu import Prediction

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_S = 5.0
MAX_REPLY_CHARS = 1000


@dataclass(frozen=True)
class Binding:
    reply: str | None = None
    webhook: str | None = None

    @classmethod
    def check(cls, reply: str | None, webhook: str | None) -> Binding:
        if (reply is None) == (webhook is None):
            raise BadInput("bind an intent to exactly one of a reply template or a webhook URL")
        if reply is not None:
            if not reply.strip() or len(reply) > MAX_REPLY_CHARS:
                raise BadInput(f"a reply template needs 1 to {MAX_REPLY_CHARS} characters")
            try:
                fields = [name for _, name, _, _ in string.Formatter().parse(reply) if name]
            except ValueError as error:
                raise BadInput(f"reply template {reply!r}: {error}") from None
            for name in fields:
                if not name.isidentifier():
                    raise BadInput(f"reply template field {{{name}}} must be an entity name")
        if webhook is not None:
            parts = urlsplit(webhook)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise BadInput(f"webhook {webhook!r} must be an http:// or https:// URL")
        return cls(reply, webhook)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Binding:
        return cls(data.get("reply"), data.get("webhook"))

    def to_json(self) -> dict[str, Any]:
        return {"reply": self.reply} if self.reply is not None else {"webhook": self.webhook}


class _Entities(dict[str, str]):
    """Template fields: an entity's words; a field with no entity says nothing."""

    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, prediction: Prediction) -> str:
    fields = _Entities(text=prediction.text)
    for entity in prediction.entities:
        fields.setdefault(entity.entity, entity.text)
    return " ".join(template.format_map(fields).split())


async def call_webhook(url: str, payload: dict[str, Any]) -> str:
    """POSTs the prediction; the reply is the answer's "reply" field or its text."""
    try:
        # trust_env off: a webhook on this machine or network must not go through a proxy.
        async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_S, trust_env=False) as client:
            response = await client.post(url, json=payload)
        response.raise_for_status()
    except httpx.HTTPError as error:
        log.warning("webhook failed url=%s error=%s", urlsplit(url).netloc, type(error).__name__)
        return "Sorry, the service for that didn't answer."
    if response.headers.get("content-type", "").startswith("application/json"):
        try:
            body = response.json()
        except ValueError:
            body = None
        reply = body.get("reply") if isinstance(body, dict) else None
        if isinstance(reply, str):
            return reply[:MAX_REPLY_CHARS]
        return "Done."
    return response.text.strip()[:MAX_REPLY_CHARS] or "Done."
