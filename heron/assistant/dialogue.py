"""One turn of conversation: fill a pending question, follow up on the last answer, or route
anew; then run the skill and record the turn — durably, before the reply is returned.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from heron.assistant.phrasing import sentence_case
from heron.assistant.skill import Context, Request, Response, Skill, Spoken
from heron.errors import BadInput, NotFound
from heron.language.intents import Intent, IntentRouter, Recognition
from heron.language.nlu import Prediction
from heron.language.normalize import Utterance, normalize
from heron.language.slots import ParseContext, Span, slot_type
from heron.store.models import Conversation, User
from heron.store.repositories import UserData

log = logging.getLogger(__name__)

FALLBACK = "Sorry, I don't know how to help with that yet."
CANCEL_PHRASES = {
    ("cancel",), ("never", "mind"), ("nevermind",), ("forget", "it"), ("stop",), ("no",),
    ("nothing",), ("abort",), ("cancel", "that"), ("no", "thanks"), ("forget", "about", "it"),
}  # fmt: skip
FOLLOW_UP_LEADS = [("and", "what", "about"), ("and", "how", "about"), ("what", "about"),
                   ("how", "about"), ("and",)]  # fmt: skip
FOLLOW_UP_PREPOSITIONS = ("in", "for", "on", "at", "to")


@dataclass(frozen=True)
class Answer:
    """What the assistant says back, and how it got there."""

    reply: str
    intent: str | None
    slots: dict[str, Any]
    confidence: float
    conversation_id: str
    stage: str
    routing: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    spoken: tuple[Spoken, ...] = ()
    """How the reply is said aloud when part of it is in another language (see Response)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "reply": self.reply,
            "intent": self.intent,
            "slots": self.slots,
            "confidence": round(self.confidence, 3),
            "conversation_id": self.conversation_id,
            "routing": self.routing,
            "data": self.data,
        }


@dataclass(frozen=True)
class CustomReply:
    """A user's own trained intent answered by its bound reply or webhook."""

    app: str
    prediction: Prediction
    reply: str
    bound_to: str = "a reply"
    """"a reply" or "a webhook", for the routing explanation."""


CustomHook = Callable[[UserData, str, datetime], Awaitable[CustomReply | None]]
"""Asked when no built-in template matched: the user's bound app intents, if one fits."""


@dataclass(frozen=True)
class _Decision:
    intent: Intent | None
    slots: dict[str, Any]
    confidence: float
    stage: str
    routing: dict[str, Any]


class Dialogue:
    def __init__(
        self,
        router: IntentRouter,
        skills: Sequence[Skill],
        *,
        changed: Callable[[], None],
        conversation_timeout_s: float,
        services: Any = None,
        custom: CustomHook | None = None,
    ) -> None:
        self.services = services
        self.custom = custom
        self.router = router
        self.skills = list(skills)
        self.owner = {intent.name: skill for skill in skills for intent in skill.intents}
        self.changed = changed
        self.conversation_timeout = timedelta(seconds=conversation_timeout_s)

    async def _conversation(
        self, data: UserData, conversation_id: str | None, continue_recent: bool, now: datetime
    ) -> Conversation:
        if conversation_id:
            return await data.conversations.get(conversation_id)
        if continue_recent:
            recent = await data.conversations.latest(now - self.conversation_timeout)
            if recent is not None:
                return recent
        return await data.conversations.start()

    async def turn(
        self,
        data: UserData,
        user: User,
        text: str,
        *,
        now: datetime,
        conversation_id: str | None = None,
        continue_recent: bool = False,
    ) -> Answer:
        local_now = now.astimezone(ZoneInfo(user.timezone))
        conversation = await self._conversation(data, conversation_id, continue_recent, now)
        state: dict[str, Any] = dict(conversation.state or {})
        utterance = normalize(text)
        context = ParseContext(local_now)
        decision = self._decide(utterance, state, context)
        response: Response
        slots: dict[str, Any]
        custom = None
        if (
            self.custom is not None
            and decision is not None
            and decision.stage in ("similarity", "fallback")
            and utterance.tokens
        ):
            # The user's own trained intents come after exact templates, before guesses.
            custom = await self.custom(data, text, local_now)
        if custom is not None:
            state.pop("pending", None)
            state.pop("last", None)
            prediction = custom.prediction
            intent, stage = f"{custom.app}:{prediction.intent}", "custom"
            slots = {
                e.entity: e.value if e.value is not None else e.text for e in prediction.entities
            }
            confidence = prediction.confidence
            routing = {
                "stage": "custom",
                "app": custom.app,
                "reason": f"the user's app {custom.app!r} predicted {prediction.intent!r} "
                f"({prediction.confidence:.2f}), bound to {custom.bound_to}",
            }
            response = Response(custom.reply, data={"app": custom.app, **prediction.to_json()})
        elif decision is None:  # the user called off a pending question
            state.pop("pending", None)
            answer_text, intent, slots, stage = "OK, never mind.", None, {}, "dialogue"
            confidence, routing = 1.0, {"stage": "dialogue", "reason": "pending question cancelled"}
            response = Response(answer_text)
        elif decision.intent is None:
            state.pop("pending", None)
            response = Response(FALLBACK if utterance.tokens else "I didn't catch that.")
            intent, slots, stage = None, {}, "fallback"
            confidence, routing = decision.confidence, decision.routing
        else:
            intent, slots, stage = decision.intent.name, decision.slots, decision.stage
            confidence, routing = decision.confidence, decision.routing
            missing = next(
                (s for s in decision.intent.slots if s.required and s.name not in slots), None
            )
            if missing is not None:
                state["pending"] = {"intent": intent, "slots": slots, "missing": missing.name}
                response = Response(missing.prompt or f"What {missing.name}?")
            else:
                state.pop("pending", None)
                previous = dict((state.get("last") or {}).get("slots") or {})
                response = await self._act(
                    decision.intent, slots, text, local_now, data, user, previous
                )
                state["last"] = {"intent": intent, "slots": {**slots, **response.remember}}
        reply = response.text[:1].upper() + response.text[1:]
        await data.conversations.record(
            conversation,
            text=text,
            reply=reply,
            intent=intent,
            stage=stage,
            confidence=confidence,
            slots=slots,
            state=state,
        )
        return Answer(
            reply=reply,
            intent=intent,
            slots=slots,
            confidence=confidence,
            conversation_id=conversation.id,
            stage=stage,
            routing=routing,
            data=response.data,
            spoken=response.spoken,
        )

    async def _act(
        self,
        intent: Intent,
        slots: dict[str, Any],
        text: str,
        now: datetime,
        data: UserData,
        user: User,
        previous: dict[str, Any],
    ) -> Response:
        skill = self.owner[intent.name]
        request = Request(text=text, intent=intent.name, slots=slots, now=now, user_id=user.id)
        context = Context(data, self.skills, self.changed, previous, self.services)
        try:
            return await skill.handle(request, context)
        except (BadInput, NotFound) as error:
            # The skill could not do it: say why, in words, as a reply.
            return Response(sentence_case(error.detail))

    # --- deciding ---------------------------------------------------------------------

    def _decide(
        self, utterance: Utterance, state: dict[str, Any], context: ParseContext
    ) -> _Decision | None:
        pending = state.get("pending")
        if pending and utterance.tokens in CANCEL_PHRASES:
            return None
        if pending:
            filled = self._fill(utterance, pending, context)
            if filled is not None:
                return filled
        last = state.get("last")
        if last:
            follow_up = self._follow_up(utterance, last, context)
            if follow_up is not None:
                return follow_up
        recognition = self.router.recognize(utterance, context)
        if recognition.intent is None and utterance.tokens[:1] == ("and",):
            # "and how many people live there?": the rest is a question of its own.
            rest = _drop(utterance, 1)
            recognition = self.router.recognize(rest, context)
        return self._from_recognition(recognition)

    def _from_recognition(self, recognition: Recognition) -> _Decision:
        intent = self.router.intents.get(recognition.intent) if recognition.intent else None
        return _Decision(
            intent,
            recognition.slots,
            recognition.confidence,
            recognition.stage,
            recognition.explain(),
        )

    def _fill(
        self, utterance: Utterance, pending: dict[str, Any], context: ParseContext
    ) -> _Decision | None:
        intent = self.router.intents.get(pending["intent"])
        if intent is None:
            return None
        spec = intent.slot(pending["missing"])
        if slot_type(spec.type).free and self.router.matches_template(utterance, context):
            return None  # "remind me" → "add milk to my list" is a new command, not the answer
        value = _parse_whole(utterance, spec.type, context)
        if value is None:
            return None
        slots = {**pending["slots"], spec.name: value}
        return _Decision(
            intent,
            slots,
            1.0,
            "dialogue",
            {
                "stage": "dialogue",
                "matched": None,
                "reason": f"answered the question for {spec.name!r} of {intent.name}",
                "runner_up": None,
            },
        )

    def _follow_up(
        self, utterance: Utterance, last: dict[str, Any], context: ParseContext
    ) -> _Decision | None:
        tokens = utterance.tokens
        lead = next(
            (f for f in FOLLOW_UP_LEADS if tokens[: len(f)] == f and len(tokens) > len(f)), None
        )
        if lead is None:
            return None
        intent = self.router.intents.get(last["intent"])
        if intent is None:
            return None
        rest = _drop(utterance, len(lead))
        for spec in intent.slots:
            kind = slot_type(spec.type)
            if kind.free or not kind.findable:
                # Any words would do for these ("and bread" is not a list called bread).
                continue
            value = _parse_whole(rest, spec.type, context)
            if value is not None:
                return _Decision(
                    intent,
                    {**last["slots"], spec.name: value},
                    1.0,
                    "follow-up",
                    {
                        "stage": "follow-up",
                        "matched": None,
                        "reason": f"follow-up to {intent.name} with a new {spec.name!r}",
                        "runner_up": None,
                    },
                )
        return None


def _drop(utterance: Utterance, count: int) -> Utterance:
    """The utterance without its first `count` tokens."""
    return Utterance(
        utterance.text,
        utterance.tokens[count:],
        utterance.originals[count:],
        utterance.offsets[count:],
    )


def _parse_whole(utterance: Utterance, type_name: str, context: ParseContext) -> Any:
    """The utterance (or it without a leading preposition or "it is") as one slot value."""
    kind = slot_type(type_name)
    tokens = utterance.tokens
    starts = [0]
    for lead in (("it", "is"), ("make", "it"), ("about",), *[(p,) for p in FOLLOW_UP_PREPOSITIONS]):
        if tokens[: len(lead)] == lead and len(tokens) > len(lead):
            starts.append(len(lead))
    for start in starts:
        span = Span(tokens[start:], utterance.original(start, len(tokens)))
        value = kind.parse(span, context)
        if value is not None:
            return value
    return None
