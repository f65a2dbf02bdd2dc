"""A trained language app: an intent classifier with calibrated confidences and an out-of-scope
threshold, an entity tagger, and the core's typed parsers for entity values.

The classifier is a linear SVM over word and character n-grams plus MiniLM sentence
embeddings; its margins become probabilities through a temperature fitted on held-out examples.
A text is out of scope when its confidence, mixed with its similarity to the nearest example of
its best intent, falls below a threshold set on the same held-out examples.
"""

from __future__ import annotations

import functools
import logging
import math
import pickle
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
from threadpoolctl import ThreadpoolController

from heron.errors import BadInput
from heron.language.embeddings import SentenceEncoder
from heron.language.normalize import normalize
from heron.language.slots import ParseContext, Span, slot_type
from heron.language.tagger import EntityTagger, Tagged, tokenize
from heron.language.training import Example, TrainingSet

log = logging.getLogger(__name__)
FORMAT = 2
HELD_OUT = 0.1
"""Share of each intent's examples (with four or more) kept back to calibrate."""
ACCEPT = 0.995
"""Without out-of-scope examples, the threshold keeps this share of held-out examples the
classifier got right."""
EMBEDDING_WEIGHT = 2.0
SVM_C = 0.5
CONFIDENCE_SHARE = 0.3
"""In the in-scope score, the weight of the confidence against nearest-example similarity."""
MIN_HELD_OUT = 3
ALTERNATIVES = 3

Progress = Callable[[str, int, int], None]
"""(stage, done, total): training reports as it goes."""


def _quiet(stage: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Entity:
    entity: str
    start: int
    end: int
    text: str
    value: Any = None
    """The core parser's value for typed entities (a duration in seconds, a date...)."""
    source: str = "learnt"
    """learnt (the app's tagger) or builtin (a core parser found it)."""

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "source": self.source,
        }
        if self.value is not None:
            found["value"] = self.value
        return found


@dataclass(frozen=True)
class Prediction:
    text: str
    intent: str | None
    """None when the text is out of scope: no intent is confident enough."""
    confidence: float
    entities: tuple[Entity, ...]
    alternatives: tuple[tuple[str, float], ...]
    """The best intents with their confidences, best first (also when out of scope)."""
    in_scope: float = 1.0
    """How much the text belongs to the app at all (confidence mixed with similarity to the
    nearest example); below the app's threshold the text is out of scope."""

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "entities": [entity.to_json() for entity in self.entities],
            "out_of_scope": self.intent is None,
            "in_scope": round(self.in_scope, 4),
            "alternatives": [
                {"intent": name, "confidence": round(conf, 4)} for name, conf in self.alternatives
            ],
        }


@dataclass(frozen=True)
class Evaluation:
    examples: int
    accuracy: float
    """Right intent with out-of-scope rejection applied (a rejected example counts as wrong)."""
    top1_accuracy: float
    """Right intent ignoring the threshold."""
    macro_f1: float
    entity_precision: float | None
    entity_recall: float | None
    entity_f1: float | None
    out_of_scope_recall: float | None
    """Share of the out-of-scope sentences rejected (None when there are none)."""
    rejected: float
    """Share of in-scope examples wrongly rejected as out of scope."""
    confusions: tuple[tuple[str, str, int], ...]
    """(expected, predicted, count), the most frequent mistakes first."""
    ms_per_text: float | None
    """Time to predict one text of the set; None when the embeddings were computed before."""

    def to_json(self) -> dict[str, Any]:
        def pct(value: float | None) -> float | None:
            return None if value is None else round(100 * value, 2)

        return {
            "examples": self.examples,
            "accuracy": pct(self.accuracy),
            "top1_accuracy": pct(self.top1_accuracy),
            "macro_f1": pct(self.macro_f1),
            "entity_precision": pct(self.entity_precision),
            "entity_recall": pct(self.entity_recall),
            "entity_f1": pct(self.entity_f1),
            "out_of_scope_recall": pct(self.out_of_scope_recall),
            "rejected": pct(self.rejected),
            "confusions": [
                {"expected": a, "predicted": b, "count": n} for a, b, n in self.confusions
            ],
            "ms_per_text": None if self.ms_per_text is None else round(self.ms_per_text, 3),
        }


@dataclass(frozen=True)
class TrainingReport:
    examples: int
    intents: int
    entities: int
    seconds: float
    threshold: float
    temperature: float
    held_out: Evaluation | None
    """How the model trained without the held-out examples did on them (None when too few)."""
    warnings: tuple[str, ...] = ()

    intent_names: tuple[str, ...] = ()
    entity_names: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "intents": self.intents,
            "intent_names": list(self.intent_names),
            "entity_names": list(self.entity_names),
            "entities": self.entities,
            "seconds": round(self.seconds, 2),
            "threshold": round(self.threshold, 4),
            "temperature": round(self.temperature, 3),
            "held_out": None if self.held_out is None else self.held_out.to_json(),
            "warnings": list(self.warnings),
        }


@dataclass
class _Classifier:
    """N-grams (+ embeddings) → LinearSVC margins."""

    labels: list[str]
    words: TfidfVectorizer
    chars: TfidfVectorizer
    weights: tuple[np.ndarray, np.ndarray, np.ndarray | None]
    """The SVM's weights split by feature block (words, characters, embeddings), so a single
    sentence is scored without stacking its features into one matrix."""
    bias: np.ndarray

    @classmethod
    def fit(
        cls, texts: Sequence[str], labels: Sequence[str], vectors: np.ndarray | None
    ) -> _Classifier:
        small = len(texts) < 1000
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=1 if small else 2,
            dtype=np.float32,
        )
        parts = [words.fit_transform(texts), chars.fit_transform(texts)]
        if vectors is not None:
            parts.append(csr_matrix(vectors * EMBEDDING_WEIGHT))
        svm = LinearSVC(C=SVM_C, random_state=0)  # the same examples give the same model
        svm.fit(hstack(parts).tocsr(), list(labels))
        coef = np.asarray(svm.coef_, dtype=np.float32)
        bias = np.asarray(svm.intercept_, dtype=np.float32)
        if coef.shape[0] == 1:  # two intents: one margin, positive for the second
            coef, bias = np.vstack([-coef, coef]), np.concatenate([-bias, bias])
        w, c = parts[0].shape[1], parts[1].shape[1]
        weights = (
            np.ascontiguousarray(coef[:, :w].T),
            np.ascontiguousarray(coef[:, w : w + c].T),
            np.ascontiguousarray(coef[:, w + c :].T * EMBEDDING_WEIGHT)
            if vectors is not None
            else None,
        )
        return cls([str(label) for label in svm.classes_], words, chars, weights, bias)

    @property
    def embeddings(self) -> bool:
        return self.weights[2] is not None

    def margins(self, texts: Sequence[str], vectors: np.ndarray | None) -> np.ndarray:
        scores = np.vstack(
            [
                _ngram_scores(self.words, self.weights[0], text)
                + _ngram_scores(self.chars, self.weights[1], text)
                for text in texts
            ]
        )
        if self.weights[2] is not None:
            assert vectors is not None
            scores = scores + vectors @ self.weights[2]
        return np.asarray(scores + self.bias)


def _ngram_scores(vectorizer: TfidfVectorizer, weights: np.ndarray, text: str) -> np.ndarray:
    """`vectorizer.transform([text]) @ weights`, without scikit-learn's per-call input checks,
    which cost three times the arithmetic for one sentence (sublinear tf, idf, l2 norm)."""
    vocabulary = vectorizer.vocabulary_
    counts = Counter(
        i for gram in vectorizer.build_analyzer()(text) if (i := vocabulary.get(gram)) is not None
    )
    if not counts:
        return np.zeros(weights.shape[1], dtype=np.float32)
    rows = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    values = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
    values *= vectorizer.idf_[rows]
    values /= np.linalg.norm(values)
    return np.asarray(values @ weights[rows], dtype=np.float32)


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    scaled = scores * temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The scale that makes softmax(margins) honest on held-out examples (least log loss)."""
    best = (math.inf, 1.0)
    for temperature in np.geomspace(0.5, 200, 60):
        probs = _softmax(scores, float(temperature))
        loss = -float(np.mean(np.log(probs[np.arange(len(truth)), truth] + 1e-12)))
        best = min(best, (loss, float(temperature)))
    return best[1]


def _threshold(confidence: np.ndarray, right: np.ndarray, negatives: np.ndarray) -> float:
    if negatives.size:
        # Out-of-scope examples given: the threshold that gets most held-out texts right.
        candidates = np.unique(np.concatenate([confidence, negatives]))
        best = (-1, 0)
        for index, value in enumerate(candidates):
            score = int(np.sum(right & (confidence >= value)) + np.sum(negatives < value))
            best = max(best, (score, -index))
        index = -best[1]
        # Not at the edge of the passing range, and nearer its rejected side: held-out
        # examples come from the same author (often the same templates) as the training
        # ones, so new sentences of the app's intents score lower than they do.
        below = float(candidates[index - 1]) if index else 0.0
        return below + (float(candidates[index]) - below) / 3
    kept = confidence[right]
    return float(np.quantile(kept, 1 - ACCEPT)) if kept.size else 0.0


def _held_out(examples: Sequence[Example]) -> tuple[list[int], list[int]]:
    rng = random.Random(7)
    by_intent: dict[str, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        by_intent[example.intent].append(index)
    train: list[int] = []
    held: list[int] = []
    for indices in by_intent.values():
        rng.shuffle(indices)
        count = max(1, round(len(indices) * HELD_OUT)) if len(indices) >= 4 else 0
        held.extend(indices[:count])
        train.extend(indices[count:])
    return sorted(train), sorted(held)


@dataclass
class NluModel:
    classifier: _Classifier
    temperature: float
    threshold: float
    tagger: EntityTagger | None
    value_types: dict[str, str]
    builtin_entities: tuple[str, ...]
    neighbours: dict[str, np.ndarray] | None = field(default=None, repr=False)
    """Each intent's training sentences as embeddings: a text far from all of its predicted
    intent's examples is out of scope even when the classifier is sure among the intents."""
    encoder: SentenceEncoder | None = field(default=None, repr=False)

    # --- training ---------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        data: TrainingSet,
        encoder: SentenceEncoder | None,
        progress: Progress = _quiet,
    ) -> tuple[NluModel, TrainingReport]:
        started = time.perf_counter()
        if not data.embeddings:
            encoder = None
        texts = [ex.text for ex in data.examples]
        labels = [ex.intent for ex in data.examples]
        steps = 5
        progress("embedding", 0, steps)
        encoded = None if encoder is None else encoder.encode([*texts, *data.out_of_scope])
        vectors = None if encoded is None else encoded[: len(texts)]
        negatives = None if encoded is None else encoded[len(texts) :]
        train, held = _held_out(data.examples)
        temperature, threshold, warnings = 1.0, 0.0, []
        if len(held) < MIN_HELD_OUT:
            train, held = list(range(len(texts))), []
            warnings.append(
                f"only {len(held)} examples could be held back to calibrate (one in ten of each "
                f"intent with four or more; {MIN_HELD_OUT} are needed): confidences are not "
                "calibrated and nothing is rejected as out of scope; give intents more examples"
            )
        progress("training", 1, steps)
        # The model that is kept is the one trained without the held-out tenth: fitting a
        # second one on everything would add a third to the training time for ~0.1 % accuracy.
        classifier = _Classifier.fit(
            [texts[i] for i in train], [labels[i] for i in train], _rows(vectors, train)
        )
        neighbours = None
        if vectors is not None:
            neighbours = {
                label: np.ascontiguousarray(vectors[[i for i in train if labels[i] == label]])
                for label in classifier.labels
            }
        scorer = cls(classifier, 1.0, 0.0, None, {}, (), neighbours)
        if held:
            progress("calibrating", 2, steps)
            scores = classifier.margins([texts[i] for i in held], _rows(vectors, held))
            truth = np.array([classifier.labels.index(labels[i]) for i in held])
            temperature = scorer.temperature = _fit_temperature(scores, truth)
            probs = _softmax(scores, temperature)
            negative_scope = np.zeros(0)
            if data.out_of_scope:
                margins = classifier.margins(list(data.out_of_scope), negatives)
                negative_scope = scorer._scope(_softmax(margins, temperature), negatives)
            threshold = _threshold(
                scorer._scope(probs, _rows(vectors, held)),
                probs.argmax(axis=1) == truth,
                negative_scope,
            )
        progress("tagging", 3, steps)
        tagger = None
        if data.entities:
            tagger = EntityTagger.train(
                [
                    (ex.text, ex.intent, [(m.entity, m.start, m.end) for m in ex.entities])
                    for ex in data.examples
                ]
            )
        value_types = {
            name: kind for name in data.entities if (kind := data.value_type(name)) is not None
        }
        model = cls(
            classifier,
            temperature,
            threshold,
            tagger,
            value_types,
            data.builtin_entities,
            neighbours,
            encoder,
        )
        held_report = None
        if held:
            progress("checking", 4, steps)
            held_set = TrainingSet(tuple(data.examples[i] for i in held), data.out_of_scope)
            held_report = model.evaluate(held_set, _rows(vectors, held), negatives)
        counts = Counter(labels)
        for intent, count in sorted(counts.items()):
            if count < 5:
                warnings.append(f"intent {intent!r} has only {count} examples; 10+ work better")
        progress("done", steps, steps)
        report = TrainingReport(
            len(texts),
            len(counts),
            len(data.entities),
            time.perf_counter() - started,
            threshold,
            temperature,
            held_report,
            tuple(warnings),
            tuple(data.intents),
            tuple(data.entities),
        )
        return model, report

    # --- prediction -------------------------------------------------------------------

    def predict(
        self,
        texts: Sequence[str],
        now: datetime | None = None,
        vectors: np.ndarray | None = None,
    ) -> list[Prediction]:
        """`vectors`: the texts' embeddings when the caller has them already (training)."""
        if not texts:
            return []
        for index, text in enumerate(texts):
            if not isinstance(text, str) or not text.strip():
                raise BadInput(f"texts[{index}] is empty")
        context = ParseContext(now or datetime.now(UTC))
        if vectors is None and self.classifier.embeddings and self.encoder is not None:
            vectors = self.encoder.encode(list(texts))
        # Single-threaded BLAS for these small products: OpenBLAS threads keep spinning after
        # a call and take the cores from ONNX Runtime's (p50 8.3 → 5.1 ms a text on SNIPS).
        with _blas().limit(limits=1, user_api="blas"):
            probs = _softmax(self.classifier.margins(texts, vectors), self.temperature)
            scope = self._scope(probs, vectors)
        labels = self.classifier.labels
        found: list[Prediction] = []
        for text, row, in_scope in zip(texts, probs, scope, strict=True):
            order = np.argsort(-row)[:ALTERNATIVES]
            best = labels[int(order[0])]
            confidence = float(row[order[0]])
            intent = best if in_scope >= self.threshold else None
            entities = self._entities(text, intent, context)
            alternatives = tuple((labels[int(i)], float(row[i])) for i in order)
            found.append(
                Prediction(text, intent, confidence, entities, alternatives, float(in_scope))
            )
        return found

    def _scope(self, probs: np.ndarray, vectors: np.ndarray | None) -> np.ndarray:
        """How much a text belongs to the app: the confidence, mixed with how close the text is
        to the nearest example of its best intent (CLINC150 out-of-scope AUROC 0.976 against
        0.963 for the confidence alone)."""
        confidence = probs.max(axis=1)
        if self.neighbours is None or vectors is None:
            return np.asarray(confidence)
        labels = self.classifier.labels
        nearest = np.array(
            [
                float((self.neighbours[labels[int(best)]] @ vector).max(initial=-1.0))
                for best, vector in zip(probs.argmax(axis=1), vectors, strict=True)
            ]
        )
        return np.asarray(CONFIDENCE_SHARE * confidence + (1 - CONFIDENCE_SHARE) * nearest)

    def _entities(self, text: str, intent: str | None, context: ParseContext) -> tuple[Entity, ...]:
        # The core parsers go first: a learnt tag that overlaps a number or a duration they
        # read is less likely right than they are.
        found: list[Entity] = []
        for builtin in self.builtin_entities:
            found.extend(_builtin(builtin, text, context, found))
        if self.tagger is not None and intent is not None:
            for tagged in self.tagger.tag(text, intent):
                if any(e.start < tagged.end and e.end > tagged.start for e in found):
                    continue
                words = text[tagged.start : tagged.end]
                kind = self.value_types.get(tagged.entity)
                value = None if kind is None else _parse(kind, words, context)
                found.append(Entity(tagged.entity, tagged.start, tagged.end, words, value))
        return tuple(sorted(found, key=lambda e: e.start))

    # --- evaluation -------------------------------------------------------------------

    def evaluate(
        self,
        data: TrainingSet,
        vectors: np.ndarray | None = None,
        negatives: np.ndarray | None = None,
    ) -> Evaluation:
        """`vectors`, `negatives`: embeddings of the examples and out-of-scope sentences, when
        the caller has them already."""
        started = time.perf_counter()
        texts = [ex.text for ex in data.examples]
        predictions = self.predict(texts, vectors=vectors) if texts else []
        rejected = (
            self.predict(list(data.out_of_scope), vectors=negatives) if data.out_of_scope else []
        )
        elapsed = time.perf_counter() - started
        expected = [ex.intent for ex in data.examples]
        got = [p.intent or "(out of scope)" for p in predictions]
        top1 = [p.alternatives[0][0] for p in predictions]
        n = max(1, len(texts))
        tp = fp = fn = 0
        for ex, prediction in zip(data.examples, predictions, strict=True):
            gold = _aligned(ex)
            guessed = {
                (e.entity, e.start, e.end) for e in prediction.entities if e.source == "learnt"
            }
            tp += len(gold & guessed)
            fp += len(guessed - gold)
            fn += len(gold - guessed)
        has_entities = any(ex.entities for ex in data.examples) or self.tagger is not None
        precision = tp / (tp + fp) if tp + fp else (1.0 if has_entities and not fn else 0.0)
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        mistakes = Counter((a, b) for a, b in zip(expected, got, strict=True) if a != b)
        return Evaluation(
            examples=len(texts),
            accuracy=sum(a == b for a, b in zip(expected, got, strict=True)) / n,
            top1_accuracy=sum(a == b for a, b in zip(expected, top1, strict=True)) / n,
            macro_f1=_macro_f1(expected, got),
            entity_precision=precision if has_entities else None,
            entity_recall=recall if has_entities else None,
            entity_f1=f1 if has_entities else None,
            out_of_scope_recall=(
                sum(p.intent is None for p in rejected) / len(rejected) if rejected else None
            ),
            rejected=sum(p.intent is None for p in predictions) / n,
            confusions=tuple((a, b, c) for (a, b), c in mistakes.most_common(10)),
            ms_per_text=None
            if vectors is not None
            else 1000 * elapsed / max(1, len(texts) + len(rejected)),
        )

    # --- storage ----------------------------------------------------------------------

    def dumps(self) -> bytes:
        state = {
            "format": FORMAT,
            "classifier": self.classifier,
            "temperature": self.temperature,
            "threshold": self.threshold,
            "tagger": self.tagger,
            "value_types": self.value_types,
            "builtin_entities": self.builtin_entities,
            "neighbours": None
            if self.neighbours is None
            else {k: v.astype(np.float16) for k, v in self.neighbours.items()},
        }
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, blob: bytes, encoder: SentenceEncoder | None) -> NluModel:
        # Only models Heron trained itself are stored, in its own database.
        state = pickle.loads(blob)
        if state.get("format") != FORMAT:
            raise BadInput("this app was trained by another Heron version: train it again")
        return cls(
            state["classifier"],
            state["temperature"],
            state["threshold"],
            state["tagger"],
            state["value_types"],
            state["builtin_entities"],
            None
            if state["neighbours"] is None
            else {k: v.astype(np.float32) for k, v in state["neighbours"].items()},
            encoder,
        )


@functools.cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _rows(vectors: np.ndarray | None, rows: list[int]) -> np.ndarray | None:
    return None if vectors is None else vectors[rows]


def _aligned(example: Example) -> set[tuple[str, int, int]]:
    """Gold spans widened to whole tokens, as the tagger can only tag whole tokens."""
    tokens = tokenize(example.text)
    found = set()
    for mark in example.entities:
        covered = [t for t in tokens if t.start < mark.end and t.end > mark.start]
        if covered:
            found.add((mark.entity, covered[0].start, covered[-1].end))
    return found


def _macro_f1(expected: list[str], got: list[str]) -> float:
    scores = []
    for label in sorted(set(expected)):
        tp = sum(a == b == label for a, b in zip(expected, got, strict=True))
        fp = sum(b == label and a != label for a, b in zip(expected, got, strict=True))
        fn = sum(a == label and b != label for a, b in zip(expected, got, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def _parse(kind: str, words: str, context: ParseContext) -> Any:
    utterance = normalize(words)
    if not utterance.tokens:
        return None
    return slot_type(kind).parse(Span(tuple(utterance.tokens), words), context)


def _builtin(kind: str, text: str, context: ParseContext, taken: list[Entity]) -> list[Entity]:
    """Spans of `text` the core parser for `kind` reads, longest first, not overlapping."""
    tokens = tokenize(text)
    limit = slot_type(kind).max_tokens
    busy = [any(e.start < t.end and e.end > t.start for e in taken) for t in tokens]
    found: list[Entity] = []
    start = 0
    while start < len(tokens):
        hit = None
        if not busy[start]:
            for end in range(min(len(tokens), start + limit), start, -1):
                if any(busy[start:end]):
                    continue
                words = text[tokens[start].start : tokens[end - 1].end]
                value = _parse(kind, words, context)
                if value is not None:
                    hit = (
                        end,
                        Entity(
                            kind, tokens[start].start, tokens[end - 1].end, words, value, "builtin"
                        ),
                    )
                    break
        if hit is None:
            start += 1
            continue
        found.append(hit[1])
        start = hit[0]
    return found


__all__ = ["Entity", "Evaluation", "NluModel", "Prediction", "Tagged", "TrainingReport"]
