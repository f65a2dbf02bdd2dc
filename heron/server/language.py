"""The language service over HTTP: which language a text is in, for English text its named
entities, sentences and tokens, and the user's language apps (intents trained from examples)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, Response
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


# --- language apps: intents and entities trained from the user's examples ----------------

MAX_TRAINING_BYTES = 20_000_000
"""Training and evaluation bodies may be this large (50,000 examples with their entities);
other bodies keep HERON_MAX_BODY_BYTES."""

TRAINING_JSON = Body(
    description='Labelled examples: `{"examples": [{"text": "turn on the fan", "intent": '
    '"device_on", "entities": [{"entity": "device", "start": 12, "end": 15}]}, ...]}`, '
    "with optional `out_of_scope` (sentences the app must reject), `builtin_entities` "
    '(core types found without training: "number", "duration", "datetime", "date", "unit", '
    '"quantity", "city") and `entity_types` (a learnt entity → the core type that parses its '
    "value). Offsets count Unicode code points, end exclusive.",
    examples=[
        {
            "examples": [
                {
                    "text": "turn on the fan",
                    "intent": "device_on",
                    "entities": [{"entity": "device", "start": 12, "end": 15}],
                },
                {"text": "switch the lamp on", "intent": "device_on"},
                {"text": "turn off the fan", "intent": "device_off"},
                {"text": "switch the lamp off", "intent": "device_off"},
            ],
            "out_of_scope": ["tell me a joke"],
        }
    ],
)
APP_NAME = Path(description="The app's name: a letter, then up to 63 letters, digits or _ . : -")
INTENT_NAME = Path(description="One of the app's intents")


class TextsToPredict(BaseModel):
    texts: list[str] = Field(
        min_length=1,
        description="Texts to read, each at most 500 characters (at most "
        "HERON_MAX_LANGUAGE_TEXTS of them, default 100)",
    )


class IntentBinding(BaseModel):
    reply: str | None = Field(
        default=None,
        description="A reply template naming entities in braces, e.g. "
        '"Turning on the {device}." ({text} is the whole sentence; an entity not found says '
        "nothing)",
    )
    webhook: str | None = Field(
        default=None,
        max_length=2000,
        description="Or an http(s) URL: Heron POSTs the prediction as JSON and says the "
        'answer\'s "reply" field (or its plain text)',
    )


@router.post(
    "/apps/{app}/train",
    status_code=202,
    summary="Train a language app from examples",
    description="Creates the app, or retrains it on new examples. The examples are checked "
    "first: a problem is a 422 naming the example it is in (\"example 12 ('wake me up'): "
    '..."). Training then runs in the background: the answer is 202 with the app (status '
    '"training") and a `Location` header; `GET` that until the status is "ready" (its '
    '`report` has the held-out accuracy) or "failed" (its `error` says why). While it '
    "retrains, the previous model keeps answering. Training an app that is training already: "
    "409. Bodies may be up to 20 MB.",
    responses={
        202: {
            "description": "Training started",
            "headers": {"Location": {"description": "The app, to poll for its status"}},
        },
    },
)
async def train_app(
    request: Request,
    response: Response,
    user: CurrentUser,
    heron: Engine,
    data: Annotated[dict[str, Any], TRAINING_JSON],
    app: Annotated[str, APP_NAME],
) -> dict[str, Any]:
    described = await heron.train_app(user, app, data)
    response.headers["Location"] = str(request.app.url_path_for("language_app", app=app))
    return described


@router.get(
    "/apps",
    summary="The user's language apps",
    description="Each app with its status, intents, entities and bound intents, by name.",
)
async def language_apps(user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return {"apps": await heron.apps(user)}


@router.get(
    "/apps/{app}",
    summary="A language app and its training status",
    description='`status` is "training", "ready" or "failed" (with `error`); `report` is '
    "the last finished training's: examples, intents, seconds, the out-of-scope threshold, "
    "the accuracy on held-out examples and warnings. `bindings` maps intents to their reply "
    "or webhook. Another user's app: 404.",
)
async def language_app(
    app: Annotated[str, APP_NAME], user: CurrentUser, heron: Engine
) -> dict[str, Any]:
    return await heron.app(user, app)


@router.delete(
    "/apps/{app}",
    status_code=204,
    summary="Delete a language app",
    description="Its examples, model and bindings. A training in progress is discarded when "
    "it ends.",
)
async def delete_language_app(
    app: Annotated[str, APP_NAME], user: CurrentUser, heron: Engine
) -> Response:
    await heron.delete_app(user, app)
    return Response(status_code=204)


@router.post(
    "/apps/{app}/predict",
    summary="Intents and entities of texts",
    description="For each text, in order: the intent (null when no intent is confident "
    "enough: `out_of_scope`), its calibrated confidence, the best alternatives, and the "
    "entities with character offsets (learnt ones, and core types with their parsed "
    "`value`). An empty text: 422 naming it; too many texts: 413; an app with no trained "
    "model yet: 409.",
)
async def predict(
    app: Annotated[str, APP_NAME], body: TextsToPredict, user: CurrentUser, heron: Engine
) -> dict[str, Any]:
    predictions = await heron.predict(user, app, body.texts)
    return {"results": [prediction.to_json() for prediction in predictions]}


@router.post(
    "/apps/{app}/evaluate",
    summary="Measure a language app on labelled examples",
    description="The same JSON as training (any number of examples per intent): accuracy "
    "with out-of-scope rejection, top-1 accuracy, macro F1, entity precision, recall and F1 "
    "(percentages), the out-of-scope sentences rejected, and the most frequent confusions.",
)
async def evaluate(
    app: Annotated[str, APP_NAME],
    data: Annotated[dict[str, Any], TRAINING_JSON],
    user: CurrentUser,
    heron: Engine,
) -> dict[str, Any]:
    evaluation = await heron.evaluate_app(user, app, data)
    return evaluation.to_json()


@router.put(
    "/apps/{app}/intents/{intent}/binding",
    summary="Make an app intent a skill of the assistant",
    description="When the assistant hears a sentence the app reads as this intent (and no "
    "built-in template matched it), it answers with the `reply` template filled in with the "
    "entities, or with what the `webhook` answers. Send exactly one of the two. Returns the "
    "app.",
)
async def bind_intent(
    app: Annotated[str, APP_NAME],
    intent: Annotated[str, INTENT_NAME],
    body: IntentBinding,
    user: CurrentUser,
    heron: Engine,
) -> dict[str, Any]:
    return await heron.bind_intent(user, app, intent, reply=body.reply, webhook=body.webhook)


@router.delete(
    "/apps/{app}/intents/{intent}/binding",
    summary="Stop an app intent being a skill",
    description="Returns the app; 404 if the intent was not bound.",
)
async def unbind_intent(
    app: Annotated[str, APP_NAME],
    intent: Annotated[str, INTENT_NAME],
    user: CurrentUser,
    heron: Engine,
) -> dict[str, Any]:
    return await heron.unbind_intent(user, app, intent)
