"""Memory: the user's own facts, told in conversation and recalled later — "my sister's name is
Ana", "I parked on level 3", "when is Ana's birthday?", "where did I park?", "forget where I
parked". Facts are the user's alone (the store scopes them); reading them is
`heron.knowledge.personal`'s job, keeping them the store's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from heron.assistant.phrasing import count, join_words, sentence_case
from heron.assistant.skill import Context, Request, Response, Skill
from heron.errors import NotFound
from heron.knowledge import personal as p
from heron.knowledge.personal import Subject
from heron.language.intents import Intent, SlotSpec
from heron.language.slots import ParseContext, SlotType, SlotValue, Span, register_slot_type
from heron.store.models import Fact
from heron.store.repositories import UserData

MOST_SAID = 8
"""Facts read out at most in one reply (all of them are in the reply's data)."""
EXAMPLE = "Try: 'remember that my car is parked on level 3'."


def as_dict(fact: Fact) -> dict[str, Any]:
    return {
        "id": fact.id,
        "subject": fact.subject,
        "relation": fact.relation,
        "value": fact.value,
        "text": p.sentence(fact),
        "said": fact.said,
        "created_at": fact.created_at.isoformat(),
        "updated_at": fact.updated_at.isoformat(),
    }


async def keep(data: UserData, told: p.Statement, said: str) -> tuple[Fact, str | None]:
    """Stores a stated fact; returns it and the value it replaced, if any."""
    return await data.facts.remember(
        subject=told.subject.said[:100],
        subject_key=told.subject.key,
        relation=told.relation,
        value=told.value,
        said=said,
    )


async def forget(data: UserData, facts: Sequence[Fact]) -> None:
    """Deletes the facts and blanks the turns in which they were told."""
    said = {text for fact in facts for text in fact.said}
    await data.facts.forget(facts)
    for text in said:
        await data.conversations.redact(text)


# --- slot types ---------------------------------------------------------------------------


def _subject(found: Subject | None) -> SlotValue | None:
    return None if found is None else {"subject": found.said, "key": found.key}


def _statement(strict: bool) -> Callable[[Span, ParseContext], SlotValue | None]:
    def parse(span: Span, context: ParseContext) -> SlotValue | None:
        found = p.read_statement(span.original, context.now.date(), strict=strict)
        if found is None:
            return None
        return {
            "subject": found.subject.said,
            "key": found.subject.key,
            "relation": found.relation,
            "value": found.value,
        }

    return parse


def _topic(span: Span, _: ParseContext) -> SlotValue | None:
    found = p.read_topic(span.original)
    if found is None:
        return None
    return {"subject": found.subject.said, "key": found.subject.key, "relation": found.relation}


for _type in (
    SlotType("fact", _statement(strict=False), ("my car is on level 3", "Ana likes tulips"), 40,
             findable=False, describe="something to remember"),
    SlotType("statement", _statement(strict=True), ("my sister's name is Ana",), 40,
             findable=False, describe="a fact about you"),
    SlotType("topic", _topic, ("my sister's name", "Ana's birthday", "my wifi password"), 8,
             describe="something you told me"),
    SlotType("person", lambda s, _: _subject(p.read_person(s.original)), ("Ana", "my sister"), 4,
             findable=False, describe="someone"),
    SlotType("person_name", lambda s, c: p.person_name(s.original, c.now.date()),
             ("Bob", "Bailey"), 3, findable=False, describe="a name"),
    SlotType("belonging", lambda s, _: _subject(p.read_belonging(s.original)),
             ("my car", "my keys", "the passports"), 6, describe="something of yours"),
):  # fmt: skip
    register_slot_type(_type)

_FACT = SlotSpec("fact", "fact", required=True, prompt="What should I remember?")
_TOPIC = SlotSpec("topic", "topic", required=True, prompt="What about?")
_PERSON = SlotSpec("person", "person")
_WHO = SlotSpec("person", "person", required=True, prompt="Who?")
_BELONGING = SlotSpec("belonging", "belonging")
_REMEMBER = "(remember|note|memorize|memorise|keep in mind|do not forget|store|save)"
_KNOW = "(know|remember)"
_PUT = "(park|leave|put|hide|store|keep|stash)"

INTENTS = (
    Intent(
        "memory.remember",
        templates=(
            f"{_REMEMBER} [that] {{fact}}",
            "(remember|memorize|memorise|note) (this|something)",
            "i want you to remember {fact}",
        ),
        slots=(_FACT,),
        examples=("can you remember something for me", "make a note of a fact"),
    ),
    Intent("memory.tell", templates=("{statement}",), slots=(SlotSpec("statement", "statement"),)),
    Intent(
        "memory.recall",
        templates=(
            "(what|when) (is|are|was|were) {topic}",
            f"(do you {_KNOW}|tell me|what did i say is|what did i tell you is) {{topic}}",
        ),
        slots=(_TOPIC,),
        examples=("what did I tell you my password was", "have I told you my name"),
    ),
    Intent(
        "memory.where",
        templates=(
            "where (is|are) {belonging} [parked|located|kept|stored]",
            f"where did (i|we) {_PUT} {{belonging}}",
            "where (did|have) (i|we) parked [{belonging}]",
            "where did (i|we) park",
            "where (is|are) {belonging} [now]",
            "(do you know|tell me|remind me) where {belonging} (is|are)",
            "(do you know|tell me|remind me) where (i|we) (parked|put|left) [{belonging}]",
        ),
        slots=(_BELONGING,),
        examples=("where's the car", "where did I leave my glasses", "I forgot where I parked"),
    ),
    Intent(
        "memory.call_me",
        templates=(
            "[please] [start] (call|calling) me {name} [from now on|instead]",
            "(refer to|address) me as {name} [from now on]",
            "i want (to be called|you to call me) {name}",
            "(change|set) my name to {name}",
            "my name is going to be {name}",
            "{name} is my name [now]",
        ),
        slots=(SlotSpec("name", "person_name", required=True, prompt="What should I call you?"),),
        examples=("can you call me a different name", "change my name please"),
    ),
    Intent(
        "memory.my_name",
        templates=(
            "what do you (call|know) me [by]",
            "(say|tell me) my name",
            "what do i go by",
            "what name do you have for me",
            "what (is|was) the name you (have|use) for me",
            "what did i tell you to call me",
            "how do you (refer to|address) me",
            "my name",
        ),
        examples=(
            "what do you think my name is",
            "do you have a name for me",
            "I want to hear my name",
            "what's the way you refer to me",
        ),
    ),
    Intent("memory.who", templates=("who (is|are) {person}",), slots=(_WHO,)),
    Intent(
        "memory.name_of",
        templates=("what (is|are) {person} called", "what is the name of {person}"),
        slots=(_WHO,),
    ),
    Intent(
        "memory.born",
        templates=("(when|what day|what year) (was|were) {person} born",),
        slots=(_WHO,),
    ),
    Intent(
        "memory.about",
        templates=(
            f"what do you {_KNOW} about {{person}}",
            "what (have i told you|did i tell you) [about {person}]",
            f"tell me (what|everything) you {_KNOW} about {{person}}",
            f"what do you {_KNOW}",
            f"(what|which) (facts|things) do you {_KNOW} [about {{person}}]",
            "(list|show) [me] [all] [my] (facts|memories)",
        ),
        slots=(_PERSON,),
        examples=("what have you remembered for me", "what have I asked you to remember"),
    ),
    Intent(
        "memory.forget",
        templates=("(forget|erase) {topic}",),
        slots=(_TOPIC,),
    ),
    Intent(
        "memory.forget_where",
        templates=(
            "forget where (i|we) (parked|put|left|hid|stored|kept) [{belonging}]",
            "forget where {belonging} (is|are)",
        ),
        slots=(_BELONGING,),
    ),
    Intent(
        "memory.forget_about",
        templates=(
            "(forget|erase) (everything|all) [that] [you know|i told you|you remember] about "
            "{person}",
            "(forget|erase) (everything|all) (you know|i told you|you remember|about me)",
            "(forget|erase|delete|clear) (all) [of] my (facts|memories)",
        ),
        slots=(_PERSON,),
    ),
)

# --- answering ----------------------------------------------------------------------------

ONE_RELATION = {"name_of": p.NAME, "born": p.BIRTHDAY}
"""Intents that ask for one relation of a person."""


def _slot_subject(slots: dict[str, Any], name: str) -> Subject | None:
    value = slots.get(name)
    return Subject(value["subject"], value["key"]) if isinstance(value, dict) else None


def _where(request: Request) -> Subject | None:
    """What a where-question is about; "where did I park?" asks about the car."""
    subject = _slot_subject(request.slots, "belonging")
    if subject is None and "park" in request.text.lower():
        return Subject("my car", "car")
    return subject


async def handle(request: Request, context: Context) -> Response:
    data = context.data
    kind = request.intent.removeprefix("memory.")
    if kind in ("remember", "tell"):
        return await _remember(request, data)
    facts = list(await data.facts.all())
    today = request.now.date()
    if kind == "recall":
        topic = request.slots["topic"]
        subject = Subject(topic["subject"], topic["key"])
        relations = [topic["relation"]] if topic["relation"] else [p.IS, p.NAME, p.LOCATION]
        found = p.find(subject, relations, facts)
        if found is not None:
            return _said([found], p.sentence(found, subject=subject.said, today=today))
        known = p.about(subject, facts) if topic["relation"] is None else []
        if known:  # "what is my car?" when only where it is was told
            return _listing(known, _about(subject))
        asked = p.phrase(subject.said, topic["relation"] or p.IS)
        return Response(f"You haven't told me {asked}.", {"facts": []})
    if kind == "where":
        thing = _where(request)
        if thing is None:
            return Response("What are you looking for?")
        found = p.find(thing, [p.LOCATION, p.IS], facts)
        if found is None:
            where = f"where {p.spoken(thing.said)} {p.be(thing.said)}"
            return Response(f"You haven't told me {where}.", {"facts": []})
        return _said([found], p.sentence(found, subject=thing.said))
    if kind == "call_me":
        statement = p.Statement(Subject(p.ME, p.ME), p.NAME, str(request.slots["name"]))
        await keep(data, statement, request.text)
        return Response(f"OK, I'll call you {statement.value}.")
    if kind == "my_name":
        name = p.find(Subject(p.ME, p.ME), [p.NAME], facts)
        if name is None:
            return Response("You haven't told me your name. Say 'call me' and your name.")
        return _said([name], f"You told me to call you {name.value}.")
    if kind == "who":
        return _who(_slot_subject(request.slots, "person"), facts)
    if kind in ONE_RELATION:  # "what is my sister called?", "when was Ana born?"
        who = _slot_subject(request.slots, "person") or Subject(p.ME, p.ME)
        found = p.find(who, [ONE_RELATION[kind]], facts)
        if found is None:
            return Response(f"You haven't told me {p.phrase(who.said, ONE_RELATION[kind])}.")
        return _said([found], p.sentence(found, subject=who.said, today=today))
    if kind == "about":
        person = _slot_subject(request.slots, "person")
        if person is None:
            if not facts:
                return Response(f"You haven't told me anything to remember yet. {EXAMPLE}")
            return _listing(facts, f"You've told me {count(len(facts), 'thing')}. ")
        known = p.about(person, facts)
        if not known:
            whom = "yourself" if person.key == p.ME else p.spoken(person.said)
            return Response(f"You haven't told me anything about {whom}.")
        return _listing(known, _about(person))
    return await _forget(kind, request, data, facts)


async def _remember(request: Request, data: UserData) -> Response:
    told = request.slots.get("fact") or request.slots["statement"]
    statement = p.Statement(Subject(told["subject"], told["key"]), told["relation"], told["value"])
    fact, previous = await keep(data, statement, request.text)
    if previous is not None and previous != fact.value:
        before = p.spoken(previous)
        text = f"OK, I've changed that: {p.describe(fact)} (it was {before})."
    else:
        text = f"OK, I'll remember that {p.describe(fact)}."
    return Response(text, {"fact": as_dict(fact)})


def _who(person: Subject | None, facts: list[Fact]) -> Response:
    if person is None:
        return Response("Who do you mean?")
    names = p.named(person.key, facts)
    if names:  # "who is Ana?" → "Ana is your sister."
        said = join_words([p.spoken(f.subject) for f in names])
        return _said(names, sentence_case(f"{names[0].value} is {said}"))
    name = p.find(person, [p.NAME], facts)
    if name is not None:  # "who is my sister?" → "Your sister is Ana."
        return _said([name], sentence_case(f"{p.spoken(person.said)} is {name.value}"))
    known = p.about(person, facts)
    if known:
        return _listing(known, _about(person))
    return Response(f"You haven't told me who {p.spoken(person.said)} is.", {"facts": []})


async def _forget(kind: str, request: Request, data: UserData, facts: list[Fact]) -> Response:
    if kind == "forget":
        topic = request.slots["topic"]
        subject = Subject(topic["subject"], topic["key"])
        relation = topic["relation"]
        if relation is None:
            gone = [f for f in facts if f.subject_key == subject.key]
        else:
            found = p.find(subject, [relation], facts)
            gone = [found] if found is not None else []
        what = p.phrase(subject.said, relation or p.IS)
    elif kind == "forget_where":
        thing = _where(request)
        if thing is None:
            return Response("Where what is?")
        found = p.find(thing, [p.LOCATION], facts)
        gone = [found] if found is not None else []
        what = f"where {p.spoken(thing.said)} {p.be(thing.said)}"
    elif kind == "forget_about":
        person = _slot_subject(request.slots, "person")
        gone = facts if person is None else p.about(person, facts)
        what = (
            "everything you told me"
            if person is None
            else f"everything about {p.spoken(person.said)}"
        )
    else:
        raise NotFound(f"memory has no intent {request.intent}")
    if not gone:
        if not facts:
            return Response("There's nothing to forget: you haven't told me anything yet.")
        return Response(f"You hadn't told me {what}.", {"forgotten": []})
    forgotten = [as_dict(f) for f in gone]
    await forget(data, gone)
    extra = f" ({count(len(gone), 'thing')})" if len(gone) > 1 else ""
    return Response(f"OK, I've forgotten {what}{extra}.", {"forgotten": forgotten})


def _about(subject: Subject) -> str:
    who = "you" if subject.key == p.ME else p.spoken(subject.said)
    return f"Here's what I know about {who}. "


def _said(facts: Sequence[Fact], text: str) -> Response:
    return Response(text, {"facts": [as_dict(f) for f in facts]})


def _listing(facts: Sequence[Fact], lead: str) -> Response:
    said = " ".join(p.sentence(f) for f in facts[:MOST_SAID])
    more = len(facts) - MOST_SAID
    tail = f" And {count(more, 'more thing')}; see them with `heron facts`." if more > 0 else ""
    return _said(facts, lead + said + tail)


skill = Skill(
    name="memory",
    description="Remembers what you tell it about yourself, the people you know and where "
    "you left things — and forgets it when you ask.",
    examples=(
        "remember that my sister's name is Ana",
        "I parked on level 3",
        "where did I park?",
        "when is Ana's birthday?",
        "forget where I parked",
    ),
    intents=INTENTS,
    handle=handle,
)
