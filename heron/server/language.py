"""The language service over HTTP: which language a text is in, and for English text its
named entities, sentences and tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from heron.server.auth import CurrentUser, Engine

router = APIRouter(prefix="/v1/language", tags=["language"])

LANGUAGE_FIELD = Field(
    default=None,
    max_length=16,
    description='Say "en" to analyse the text as English whatever language it looks like; '
    "any other language is refused (422). Default: detect, and refuse text that is clearly "
    "in another language.",
)


class TextsToDetect(BaseModel):
    texts: list[str] | None = Field(
        default=None,
        description="Texts to detect the language of (at most HERON_MAX_LANGUAGE_TEXTS, "
        "default 100)",
    )
    text: str | None = Field(default=None, description="Or one text")

    @model_validator(mode="after")
    def _one_of(self) -> TextsToDetect:
        if (self.texts is None) == (self.text is None):
            raise ValueError('send either "texts" (a list) or "text" (one text)')
        return self


class EnglishText(BaseModel):
    text: str = Field(
        description="English text (at most HERON_MAX_LANGUAGE_CHARS characters, default 100,000)"
    )
    language: str | None = LANGUAGE_FIELD


@router.post(
    "/detect",
    summary="Detect the language of texts",
    description="For each text, in order: the ISO 639-1 code, the language's name, the "
    "probability of that language and the likely alternatives. When no language reaches "
    'a probability of 0.5 (a word or two, numbers, a name) the language is "und" '
    "(undetermined), `reliable` is false and the best guesses are in `alternatives`. An empty "
    "text: 422 naming it; too long or too many texts: 413.",
)
async def detect(body: TextsToDetect, _: CurrentUser, heron: Engine) -> dict[str, Any]:
    texts = body.text if body.text is not None else body.texts or []
    detections = await heron.detect_language(texts)
    return {
        "results": [{"index": i, **d.to_json()} for i, d in enumerate(detections)],
        "engine": heron.language_identifier.name,
    }


@router.post(
    "/entities",
    summary="Named entities in English text",
    description="People, organisations, places, dates, amounts… with their label, a "
    "description of the label and character offsets (`text[start:end]`, counted in Unicode "
    "code points). Text clearly in another language is refused (422) unless `language` is "
    '"en".',
)
async def entities(body: EnglishText, _: CurrentUser, heron: Engine) -> dict[str, Any]:
    found = await heron.named_entities(body.text, language=body.language)
    return found.to_json()


@router.post(
    "/analyze",
    summary="Sentences, tokens and entities of English text",
    description="Sentences and tokens (lemma, universal part of speech, stop word) with "
    "character offsets, the named entities, and the detected language. Text clearly in "
    'another language is refused (422) unless `language` is "en".',
)
async def analyze(body: EnglishText, _: CurrentUser, heron: Engine) -> dict[str, Any]:
    analysis = await heron.analyze(body.text, language=body.language)
    return analysis.to_json()
