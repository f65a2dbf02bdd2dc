"""Intents as data, and the router that picks one for an utterance — explainably.

Stage 1 matches templates (exact, typed slots); stage 2 ranks intents by similarity for
paraphrases the templates miss; below a threshold the fallback answers. Every result says
which stage decided, the runner-up, and why.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from typing import Any

from heron.errors import BadInput
from heron.language.normalize import Utterance, normalize
from heron.language.recognize import Match, Recognizer
from heron.language.similarity import SentenceSimilarity, SimilarityFactory, TfidfSimilarity
from heron.language.slots import ParseContext, SlotType, Span, slot_type
from heron.language.templates import Node, parse_template, required_words, sample, slots_of

log = logging.getLogger(__name__)
SAMPLES_PER_TEMPLATE = 6
# Words a sentence does not end on: the speaker is still going.
HANGING_WORDS = frozenset(
    "a an the and or but for to of in on at by with from my your his her our their this that "
    "is are was what whats how who where when which set add remind called named plus minus "
    "um uh".split()
)


@dataclass(frozen=True)
class SlotSpec:
    name: str
    type: str
    required: bool = False
    prompt: str | None = None
    """What to ask when a required slot is missing ("For how long?")."""


@dataclass(frozen=True)
class Intent:
    name: str
    templates: tuple[str, ...]
    slots: tuple[SlotSpec, ...] = ()
    examples: tuple[str, ...] = ()
    """Free sentences for the similarity stage (with no slot values in them)."""
    description: str = ""
    skill: str = ""

    def slot(self, name: str) -> SlotSpec:
        for spec in self.slots:
            if spec.name == name:
                return spec
        raise KeyError(name)


@dataclass(frozen=True)
class Alternate:
    intent: str
    stage: str
    score: float
    matched: str


@dataclass(frozen=True)
class Recognition:
    intent: str | None
    slots: dict[str, Any]
    confidence: float
    stage: str
    """template | similarity | fallback (and dialogue stages added by the assistant)"""
    matched: str | None
    """The template or known sentence that decided."""
    runner_up: Alternate | None
    reason: str

    def explain(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "matched": self.matched,
            "reason": self.reason,
            "runner_up": None
            if self.runner_up is None
            else {
                "intent": self.runner_up.intent,
                "stage": self.runner_up.stage,
                "score": round(self.runner_up.score, 3),
                "matched": self.runner_up.matched,
            },
        }


@dataclass(frozen=True)
class _Compiled:
    intent: Intent
    source: str
    node: Node
    required: frozenset[str]
    types: dict[str, SlotType]


@dataclass(frozen=True)
class Collision:
    sentence: str
    intents: tuple[str, str]
    templates: tuple[str, str]

    def __str__(self) -> str:
        return (
            f"{self.sentence!r} matches {self.intents[0]} ({self.templates[0]!r}) and "
            f"{self.intents[1]} ({self.templates[1]!r}) equally"
        )


@dataclass
class IntentRouter:
    intents: dict[str, Intent] = field(default_factory=dict)
    threshold: float = 0.6
    similarity: SimilarityFactory = TfidfSimilarity
    """Builds the second stage from (intent, sentence) pairs; see heron.language.similarity."""
    _compiled: list[_Compiled] = field(default_factory=list)
    _index: SentenceSimilarity | None = None

    def add(self, intent: Intent) -> None:
        if intent.name in self.intents:
            raise BadInput(f"intent {intent.name!r} is declared twice")
        types = {spec.name: slot_type(spec.type) for spec in intent.slots}
        for source in intent.templates:
            node = parse_template(source)
            unknown = slots_of(node) - types.keys()
            if unknown:
                raise BadInput(
                    f"intent {intent.name}: template {source!r} uses undeclared slots {unknown}"
                )
            self._compiled.append(_Compiled(intent, source, node, required_words(node), types))
        self.intents[intent.name] = intent
        self._index = None

    @property
    def similarity_engine(self) -> str:
        """The engine behind the similarity stage once built ("embeddings", "tfidf")."""
        return str(getattr(self._index, "name", "not built"))

    # --- building ---------------------------------------------------------------------

    def samples(self, intent: Intent, per_template: int = SAMPLES_PER_TEMPLATE) -> list[str]:
        rng = random.Random(intent.name)
        fill = {spec.name: list(slot_type(spec.type).samples) for spec in intent.slots}
        found: list[str] = []
        for compiled in self._compiled:
            if compiled.intent is not intent:
                continue
            seen: set[str] = set()
            for _ in range(per_template * 3):
                text = " ".join(sample(compiled.node, fill, rng))
                if text not in seen:
                    seen.add(text)
                if len(seen) >= per_template:
                    break
            found.extend(sorted(seen))
        return found

    def build(self) -> None:
        sentences: list[tuple[str, str]] = []
        for intent in self.intents.values():
            for text in self.samples(intent):
                sentences.append((intent.name, text))
            for example in intent.examples:
                sentences.append((intent.name, normalize(example).normalized))
        self._index = self.similarity(sentences)

    def collisions(self) -> list[Collision]:
        """Sentences sampled from one intent's templates that another intent matches as well."""
        found: dict[tuple[str, str], Collision] = {}
        context = ParseContext(_reference_now())
        for intent in self.intents.values():
            for text in self.samples(intent, per_template=12):
                utterance = normalize(text)
                matches = self._template_matches(utterance, context)
                if not matches:
                    continue
                best_score = matches[0][1].score
                tied = [(c, m) for c, m in matches if m.score == best_score]
                owners = {c.intent.name for c, _ in tied}
                if len(owners) > 1:
                    first, second = (
                        tied[0][0],
                        next(c for c, _ in tied if c.intent != tied[0][0].intent),
                    )
                    key = tuple(sorted((first.intent.name, second.intent.name)))
                    found.setdefault(
                        (key[0], key[1]),
                        Collision(
                            text,
                            (first.intent.name, second.intent.name),
                            (first.source, second.source),
                        ),
                    )
        return list(found.values())

    # --- routing ----------------------------------------------------------------------

    def _template_matches(
        self, utterance: Utterance, context: ParseContext
    ) -> list[tuple[_Compiled, Match]]:
        words = set(utterance.tokens)
        recognizer = Recognizer(utterance, {}, context)
        matches: list[tuple[_Compiled, Match]] = []
        best_per_intent: dict[str, int] = {}
        for compiled in self._compiled:
            if not compiled.required <= words:
                continue
            match = recognizer.match(compiled.node, compiled.types)
            if match is None:
                continue
            name = compiled.intent.name
            if name in best_per_intent:
                index = best_per_intent[name]
                if match.score > matches[index][1].score:
                    matches[index] = (compiled, match)
                continue
            best_per_intent[name] = len(matches)
            matches.append((compiled, match))
        matches.sort(key=lambda pair: pair[1].score, reverse=True)
        return matches

    def recognize(self, text: str | Utterance, context: ParseContext) -> Recognition:
        utterance = normalize(text) if isinstance(text, str) else text
        if not utterance.tokens:
            return Recognition(None, {}, 0.0, "fallback", None, None, "nothing to understand")
        matches = self._template_matches(utterance, context)
        if matches:
            compiled, match = matches[0]
            runner_up = None
            reason = f"template matched with {match.literals} literal words"
            if len(matches) > 1:
                other, other_match = matches[1]
                runner_up = Alternate(other.intent.name, "template", 1.0, other.source)
                reason += (
                    f"; {other.intent.name} also matched but with "
                    f"{other_match.literals} literal words and "
                    f"{other_match.free_tokens} free-text words"
                )
            else:
                # No second opinion is computed: the similarity stage would cost more than
                # the whole template match, and an exact match does not need it.
                reason += "; no other intent's template matched"
            return Recognition(
                compiled.intent.name,
                match.slots,
                1.0,
                "template",
                compiled.source,
                runner_up,
                reason,
            )
        similar = self._rank(utterance)
        best = similar[0]
        runner_up = (
            Alternate(similar[1].intent, "similarity", similar[1].score, similar[1].sentence)
            if len(similar) > 1
            else None
        )
        if best.score < self.threshold:
            return Recognition(
                None,
                {},
                best.score,
                "fallback",
                None,
                Alternate(best.intent, "similarity", best.score, best.sentence),
                f"no template matched and the closest intent ({best.intent}) scored "
                f"{best.score:.2f}, below the threshold {self.threshold:.2f}",
            )
        intent = self.intents[best.intent]
        slots = extract_slots(utterance, intent, context)
        return Recognition(
            intent.name,
            slots,
            best.score,
            "similarity",
            best.sentence,
            runner_up,
            f"no template matched; most similar to {best.sentence!r} ({best.score:.2f})",
        )

    def matches_template(self, utterance: Utterance, context: ParseContext) -> bool:
        return bool(self._template_matches(utterance, context))

    def complete(self, utterance: Utterance, context: ParseContext) -> bool:
        """Whether the words form a whole command: a template matches them with every
        required slot filled and no word left hanging ("set a timer for" is not whole)."""
        if not utterance.tokens or utterance.tokens[-1] in HANGING_WORDS:
            return False
        for compiled, match in self._template_matches(utterance, context)[:1]:
            return all(s.name in match.slots for s in compiled.intent.slots if s.required)
        return False

    def _rank(self, utterance: Utterance) -> list[Any]:
        if self._index is None:
            self.build()  # on first need: a CLI call whose words match a template never pays
        assert self._index is not None
        return self._index.rank(utterance.normalized)


def extract_slots(utterance: Utterance, intent: Intent, context: ParseContext) -> dict[str, Any]:
    """Typed slot values found anywhere in the utterance (for paraphrases no template fits).

    Free-text slots cannot be found this way; the dialogue asks for them if they are required.
    """
    tokens = utterance.tokens
    taken = [False] * len(tokens)
    found: dict[str, Any] = {}
    for spec in intent.slots:
        kind = slot_type(spec.type)
        if kind.free or not kind.findable:
            continue
        best: tuple[int, int, Any] | None = None
        for start in range(len(tokens)):
            for end in range(min(len(tokens), start + kind.max_tokens), start, -1):
                if any(taken[start:end]):
                    continue
                value = kind.parse(Span(tokens[start:end], utterance.original(start, end)), context)
                if value is not None and (best is None or end - start > best[1] - best[0]):
                    best = (start, end, value)
                    break
        if best is not None:
            start, end, value = best
            taken[start:end] = [True] * (end - start)
            found[spec.name] = value
    return found


def _reference_now() -> Any:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(2026, 1, 5, 12, 0, tzinfo=ZoneInfo("UTC"))
