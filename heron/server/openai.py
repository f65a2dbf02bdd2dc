"""The OpenAI-compatible API: models, transcriptions, speech, chat completions and embeddings,
so existing OpenAI clients use Heron by changing only their base URL and key."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["openai"])
