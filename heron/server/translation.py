"""Translation over HTTP: one text or a list translated into a language (from a given one, or
from the language each is detected in), and the languages and directions installed."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from heron.config import Settings
from heron.server.auth import CurrentUser, Engine

router = APIRouter(prefix="/v1/translate", tags=["translation"])

JSON_BYTES_PER_CHAR = 6
"""What one character may cost in a JSON body: `\\u0436` for each letter of a Russian text
sent by a client that escapes everything but ASCII (Python's json does by default)."""
BODY_OVERHEAD = 64 * 1024
"""Room for the other fields, the quotes and commas around a request of the longest texts."""


def body_limit(settings: Settings) -> int:
    """The largest body /v1/translate reads: enough for texts of HERON_MAX_TRANSLATION_CHARS
    however they are escaped, so a text under that limit never gets the body limit's 413."""
    needed = JSON_BYTES_PER_CHAR * settings.max_translation_chars + BODY_OVERHEAD
    return max(settings.max_body_bytes, needed)


class TextsToTranslate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, description="One text to translate")
    texts: list[str] | None = Field(
        default=None,
        description="Or several (at most HERON_MAX_TRANSLATION_TEXTS, default 100), each "
        "detected and translated on its own",
    )
    to: str = Field(
        min_length=1,
        max_length=16,
        description='The language to translate into: an ISO 639-1 code such as "es" ("ast", '
        '"hbs" for languages without one); "pt-BR" is read as "pt"',
    )
    source: str | None = Field(
        default=None,
        alias="from",
        min_length=1,
        max_length=16,
        description="The language of the texts; default: detected for each text",
    )
    format: Literal["text", "html"] = Field(
        default="text",
        description='"html": the texts hold HTML or XML tags, which are kept where they '
        "belong and never translated (routes then use only engines that keep tags)",
    )

    @model_validator(mode="after")
    def _one_of(self) -> TextsToTranslate:
        if (self.texts is None) == (self.text is None):
            raise ValueError('send either "text" (one text) or "texts" (a list), not both')
        return self


@router.post(
    "",
    summary="Translate text",
    description='`{"text": "Where is the station?", "to": "es"}` → `{"translation": '
    '{"text": "¿Dónde está la estación?", "from": "en", "to": "es", "detected": {...}, '
    '"route": [...], "unknown": [], "remembered": false}}`; send `"texts"` (a list) instead '
    'for `{"translations": [...]}` in the same order. `from` is the source language; '
    "without it each text's language is detected (`detected` says how sure that was). "
    "`route` lists each engine the text went through: a direction with no engine of its own "
    "goes through pivot languages, and some go through a pivot because it translates better "
    "(English → Spanish goes through Portuguese). `unknown`: words no engine knew, left as "
    "they were; `remembered`: the whole text came from the phrase memory. Long texts are "
    "translated a sentence at a time, line breaks kept. A language or direction that is not "
    "installed: 400 naming the ones that are; an empty text, neither or both of "
    "`text`/`texts`: 422; more than HERON_MAX_TRANSLATION_CHARS characters in all (default "
    "200,000) or more than HERON_MAX_TRANSLATION_TEXTS texts: 413.",
)
async def translate(body: TextsToTranslate, _: CurrentUser, heron: Engine) -> dict[str, Any]:
    texts = body.text if body.text is not None else body.texts or []
    done = await heron.translate(texts, body.to, body.source, markup=body.format == "html")
    if body.text is not None:
        return {"translation": done[0].to_json()}
    return {"translations": [translation.to_json() for translation in done]}


@router.get(
    "/languages",
    summary="The languages and directions that can be translated",
    description="`languages`: each language some engine translates from or into (code and "
    "English name). `directions`: every source → target that can be translated, with `via` "
    "(the pivot languages in between, empty for a direct pair) and the `engines` used.",
)
async def languages(_: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.translation_languages()
