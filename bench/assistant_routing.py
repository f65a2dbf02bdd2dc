"""Routing accuracy on CLINC150: do Heron's built-in skills take the requests they own and
honestly decline the rest? Also a TF-IDF + logistic-regression classifier trained on the same
data as a reference. Writes the figures to docs/benchmarks.md.

    .venv/bin/python bench/assistant_routing.py [--split test|val] [--no-write]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from report import write_section
from rich.progress import track

from heron import Settings
from heron.assistant.skill import builtin_skills
from heron.knowledge import linking
from heron.knowledge.graph import WorldGraph
from heron.knowledge.linking import EntityIndex
from heron.language.intents import IntentRouter
from heron.language.similarity import DEFAULT_THRESHOLDS, factory
from heron.language.slots import ParseContext

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets" / "clinc150" / "data_full.json"

# CLINC150 intents that one of Heron's skills owns, and the Heron intent prefixes that count
# as right.
OWNED = {
    "timer": ("timer.",),
    "alarm": ("alarm.",),
    "reminder": ("reminder.",),
    "reminder_update": ("reminder.",),
    "calculator": ("calculator.",),
    "measurement_conversion": ("units.",),
    "time": ("time.now", "time.in_city"),
    "date": ("time.date", "date."),
    "shopping_list": ("list.",),
    "shopping_list_update": ("list.",),
    "todo_list": ("list.",),
    "todo_list_update": ("list.",),
    "what_can_i_ask_you": ("help",),
    "timezone": ("knowledge.timezone", "time.in_city"),
    "definition": ("knowledge.define",),
    "user_name": ("memory.my_name", "memory.recall"),
    "change_user_name": ("memory.call_me", "memory.tell"),
    "what_is_your_name": ("help.name",),
}
EXCLUDED: set[str] = set()


def load_router(engine: str, threshold: float | None = None) -> IntentRouter:
    # Place names are linked against the world graph, as in the engine.
    graph = WorldGraph(Settings().resolved_knowledge_dir)
    graph.ensure()
    linking.install(EntityIndex(graph.store))
    router = IntentRouter(
        threshold=threshold or DEFAULT_THRESHOLDS[engine], similarity=factory(engine)
    )
    for skill in builtin_skills():
        for intent in skill.intents:
            router.add(intent)
    router.build()
    return router


def evaluate(router: IntentRouter, rows: list[tuple[str, str]]) -> dict[str, object]:
    context = ParseContext(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    owned = Counter[str]()
    other = Counter[str]()
    stages = Counter[str]()
    wrong_examples: list[str] = []
    for text, label in track(rows, description="routing", transient=True):
        if label in EXCLUDED:
            continue
        found = router.recognize(text, context)
        if label in OWNED:
            if found.intent is None:
                owned["declined"] += 1
            elif found.intent.startswith(OWNED[label]):
                owned["right"] += 1
                stages[found.stage] += 1
            else:
                owned["wrong"] += 1
                wrong_examples.append(f"{text!r} ({label}) -> {found.intent}")
        elif found.intent is None:
            other["declined"] += 1
        else:
            other["wrong"] += 1
            # Questions about "my ..." that memory takes: answered "You haven't told me ...".
            other["memory"] += found.intent.startswith("memory.")
            wrong_examples.append(f"{text!r} ({label}) -> {found.intent} [{found.stage}]")
    return {"owned": owned, "other": other, "stages": stages, "wrong": wrong_examples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="test", choices=["test", "val"])
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--show-errors", type=int, default=0)
    args = parser.parse_args()
    data = json.loads(DATA.read_text())
    split = args.split
    rows = [(t, i) for t, i in data[split]] + [(t, "oos") for t, _ in data[f"oos_{split}"]]
    table = [
        "| similarity engine | threshold | owned: routed right | owned: declined "
        "| owned: routed wrong | not owned: declined | not owned: routed wrong "
        "| of which to memory | stages that routed right |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    sizes = ""
    for engine in ("embeddings", "tfidf"):
        router = load_router(engine)
        result = evaluate(router, rows)
        owned, other = result["owned"], result["other"]
        assert isinstance(owned, Counter) and isinstance(other, Counter)
        owned_n, other_n = sum(owned.values()), other["declined"] + other["wrong"]
        sizes = f"{owned_n} requests that a built-in skill owns and {other_n} that none does"
        table.append(
            f"| {engine} | {router.threshold} | {owned['right'] / owned_n:.1%} "
            f"| {owned['declined'] / owned_n:.1%} | {owned['wrong'] / owned_n:.1%} "
            f"| {other['declined'] / other_n:.1%} | {other['wrong'] / other_n:.1%} "
            f"| {other['memory'] / other_n:.1%} | {dict(result['stages'])} |"
        )
        for example in result["wrong"][: args.show_errors]:  # type: ignore[index]
            print("  ", engine, example)
    text = "\n".join(
        [
            f"Routing of the CLINC150 `{split}` split through the built-in skills: {sizes} "
            f"({150 - len(OWNED)} other intents plus the out-of-scope set). A request owned by "
            "no skill must get the honest fallback; the thresholds were chosen on the `val` "
            'split. Since the knowledge skill, "timezone" and "definition" count as owned; since '
            'the memory skill, "user_name" and "change_user_name" (and "what_is_your_name", '
            'answered by help). "Of which to memory": requests about the user\'s own things that '
            'no skill owns ("what is my credit limit") which the memory skill takes and answers '
            '"You haven\'t told me your credit limit." — honest, but counted as routed wrong.',
            "",
            *table,
        ]
    )
    print(text)
    if not args.no_write:
        write_section(
            "Assistant routing (CLINC150)",
            text,
            command=f".venv/bin/python bench/assistant_routing.py --split {split}",
        )


if __name__ == "__main__":
    main()
