"""Latency of `ask`: in-process (the engine alone) and over HTTP (a real `heron serve` on
127.0.0.1), for a fixed set of commands, in the same run. Writes docs/benchmarks.md.

    .venv/bin/python bench/assistant_latency.py [--rounds 30] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from report import p50_p95, serve, write_section
from rich.progress import Progress

from heron import Heron, Settings

# Commands a template matches, and paraphrases only the similarity stage understands.
TEMPLATE = [
    "set a timer for 7 minutes",
    "how much time is left on my timer?",
    "set a pasta timer for 10 minutes",
    "remind me to call mom tomorrow at 9am",
    "wake me up at 7",
    "add oat milk and bananas to my shopping list",
    "what's on my shopping list",
    "what is 15 percent of 80",
    "convert 5 miles to kilometers",
    "what time is it in Tokyo",
    "what day was July 4 1976",
    "how many days until christmas",
    "what can you do",
    "what's the time",
]
SIMILARITY = [
    "I need a countdown for my eggs",
    "is my timer almost done",
    "what groceries do I need",
    "what kind of things can I ask you",
]
FALLBACK = ["what's the weather like tomorrow", "play some jazz"]


def summary(values: list[float]) -> str:
    return p50_p95(values, 2).replace(" / ", " | ")


async def in_process(data_dir: Path, rounds: int, progress: Progress) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"template": [], "similarity": [], "fallback": []}
    async with Heron(Settings(data_dir=data_dir, timezone="Europe/Paris")) as engine:
        user, _ = await engine.create_user("bench")
        for text in TEMPLATE + SIMILARITY + FALLBACK:  # warm every path once
            await engine.ask(user, text)
        task = progress.add_task("in-process", total=rounds)
        for _ in range(rounds):
            for kind, texts in (("template", TEMPLATE), ("similarity", SIMILARITY),
                                ("fallback", FALLBACK)):  # fmt: skip
                for text in texts:
                    started = time.perf_counter()
                    answer = await engine.ask(user, text)
                    times[kind].append((time.perf_counter() - started) * 1000)
                    expected = {"template": "template", "similarity": "similarity"}.get(kind)
                    if expected and answer.stage != expected:
                        raise SystemExit(f"{text!r} was routed by {answer.stage}, not {expected}")
            progress.advance(task)
    return times


def over_http(data_dir: Path, rounds: int, progress: Progress) -> dict[str, list[float]]:
    server, port, key = serve(data_dir, "bench-http", timezone="Europe/Paris")
    times: dict[str, list[float]] = {"template": [], "similarity": [], "fallback": []}
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
            for _ in range(600):
                try:
                    if client.get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            for text in TEMPLATE + SIMILARITY + FALLBACK:
                client.post("/v1/assistant/ask", json={"text": text}).raise_for_status()
            task = progress.add_task("over HTTP", total=rounds)
            for _ in range(rounds):
                for kind, texts in (("template", TEMPLATE), ("similarity", SIMILARITY),
                                    ("fallback", FALLBACK)):  # fmt: skip
                    for text in texts:
                        started = time.perf_counter()
                        reply = client.post("/v1/assistant/ask", json={"text": text})
                        times[kind].append((time.perf_counter() - started) * 1000)
                        reply.raise_for_status()
                progress.advance(task)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Progress() as progress:
        local = asyncio.run(in_process(Path(tmp) / "local", args.rounds, progress))
        remote = over_http(Path(tmp) / "http", args.rounds, progress)
    rows = [
        "| commands | n per side | in-process p50 / p95 (ms) | HTTP p50 / p95 (ms) "
        "| HTTP / in-process (p50) |",
        "|---|---|---|---|---|",
    ]
    for kind, label in (("template", "template matches"), ("similarity", "similarity stage"),
                        ("fallback", "fallback")):  # fmt: skip
        ratio = statistics.median(remote[kind]) / statistics.median(local[kind])
        rows.append(
            f"| {label} | {len(local[kind])} | {summary(local[kind]).replace(' | ', ' / ')} "
            f"| {summary(remote[kind]).replace(' | ', ' / ')} | {ratio:.2f}x |"
        )
    body = "\n".join(
        [
            f"`ask` end to end (understand, act, write the turn to SQLite and commit) for "
            f"{len(TEMPLATE)} template commands, {len(SIMILARITY)} paraphrases and "
            f"{len(FALLBACK)} out-of-scope requests, {args.rounds} rounds each. In-process calls "
            "`Heron.ask`; HTTP posts to `/v1/assistant/ask` on a real `heron serve` over a "
            "keep-alive connection. Target: template p50 < 10 ms in-process.",
            "",
            *rows,
        ]
    )
    print(body)
    if not args.no_write:
        write_section(
            "Assistant latency",
            body,
            command=f".venv/bin/python bench/assistant_latency.py --rounds {args.rounds}",
        )


if __name__ == "__main__":
    main()
