"""The interoperability benchmark: what each way in to Heron costs over calling the engine in
the same process. Speech-to-text, text-to-speech and an assistant turn, each through Heron's
own HTTP API, the OpenAI-compatible API (driven by the `openai` client) and the Wyoming
protocol (driven by the `wyoming` client as Home Assistant drives it), against the same work
done by an engine in this process.

    .venv/bin/python bench/interop.py [--rounds 5] [--quick] [--no-write]

One `heron serve` (with its Wyoming server on) runs beside the in-process engine, on the same
models. For every request the five ways run one after the other, in an order that rotates
from request to request, so a busy moment of the machine hits all of them alike. Each time is
the client's wall clock for the whole request: the upload or stream of the audio, the work,
and the whole answer (all the audio, for speech). The overhead of a way is the median, over
requests, of its time divided by the in-process time of the same request.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import numpy as np
import openai
import wyoming_baseline as wy
from report import p50_p95, percentile, serve, wait_healthy, write_section
from rich.progress import Progress
from wyoming.asr import Transcript
from wyoming.client import AsyncTcpClient
from wyoming.handle import Handled, NotHandled

from heron import Heron, Settings
from heron.audio import RATE, Samples, resample, wav_bytes
from heron.store.models import User

COMMAND = ".venv/bin/python bench/interop.py"
REQUESTS = [
    "Set a timer for ten minutes.",
    "What is the capital of Peru?",
    "Add eggs, flour and two lemons to my shopping list.",
    "Remind me to call the plumber tomorrow at nine in the morning.",
    "How many people live in Japan?",
    "What time is it in Tokyo?",
    "Turn the music down a little, please.",
    "What is the weather going to be like this weekend in Oslo?",
]
REPLIES = [
    "Your timer is done.",
    "The capital of Peru is Lima.",
    "I added eggs, flour and two lemons to your shopping list.",
    "OK, I'll remind you to call the plumber tomorrow at 9:00 AM.",
]
SETTLE_S = 0.3
WAYS = ("in-process", "http", "openai", "wyoming")
Timer = Callable[[], Awaitable[str | float]]


def clips(engine: Heron, texts: list[str]) -> list[Samples]:
    tts = engine.speech.tts("piper")
    made = []
    for text in texts:
        spoken = tts.synthesize(text)
        words = resample(np.concatenate(list(spoken.chunks)), spoken.rate)
        pad = np.zeros(RATE // 4, np.int16)
        made.append(np.concatenate([pad, words, pad]))
    return made


def wav_seconds(data: bytes) -> float:
    """The length of a 16-bit mono WAV (also one streamed with no length in its header)."""
    rate = int.from_bytes(data[24:28], "little")
    return (len(data) - 44) / 2 / rate


async def timed(work: Timer) -> tuple[float, str | float]:
    began = time.perf_counter()
    result = await work()
    return time.perf_counter() - began, result


# --- the ways in --------------------------------------------------------------------------


class Ways:
    def __init__(self, engine: Heron, user: User, base: str, key: str, wyoming_port: int) -> None:
        self.engine = engine
        self.user = user
        self.http = httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120,
            trust_env=False,
        )  # fmt: skip
        self.openai = openai.AsyncOpenAI(
            base_url=f"{base}/v1", api_key=key, max_retries=0, timeout=120
        )
        self.port = wyoming_port

    async def close(self) -> None:
        await self.http.aclose()
        await self.openai.close()

    # speech-to-text: the transcript
    def stt(self, way: str, samples: Samples) -> Timer:
        wav = wav_bytes([samples])

        async def in_process() -> str:
            found = await self.engine.voice.hear(self.user, samples, language="en")
            return found.text if found is not None else ""

        async def http() -> str:
            response = await self.http.post(
                "/v1/speech/transcribe?language=en",
                content=wav,
                headers={"Content-Type": "audio/wav"},
            )
            response.raise_for_status()
            text: str = response.json()["text"]
            return text

        async def via_openai() -> str:
            found = await self.openai.audio.transcriptions.create(
                model="whisper-1", file=("request.wav", io.BytesIO(wav)), language="en"
            )
            return found.text

        async def wyoming() -> str:
            text, _ = await wy.transcribe(self.port, samples)
            return text

        return {"in-process": in_process, "http": http, "openai": via_openai, "wyoming": wyoming}[
            way
        ]

    # text-to-speech: all of the audio
    def tts(self, way: str, text: str) -> Timer:
        """Each gives the seconds of speech made: Piper varies its timing from call to call,
        so times are compared per second of speech."""

        async def in_process() -> float:
            rate, chunks = await self.engine.voice.speak(text)
            return sum([len(chunk) async for chunk in chunks]) / rate

        async def http() -> float:
            response = await self.http.post("/v1/speech/synthesize", json={"text": text})
            response.raise_for_status()
            return wav_seconds(response.content)

        async def via_openai() -> float:
            response = await self.openai.audio.speech.create(
                model="tts-1", voice="alloy", input=text, response_format="wav"
            )
            return wav_seconds(response.content)

        async def wyoming() -> float:
            found = await wy.synthesize(self.port, text, mode="oneshot")
            return len(found.audio) / 2 / found.rate

        return {"in-process": in_process, "http": http, "openai": via_openai, "wyoming": wyoming}[
            way
        ]

    # the assistant: one turn's reply
    def ask(self, way: str, text: str) -> Timer:
        async def in_process() -> str:
            return (await self.engine.ask(self.user, text)).reply

        async def http() -> str:
            response = await self.http.post("/v1/assistant/ask", json={"text": text})
            response.raise_for_status()
            reply: str = response.json()["reply"]
            return reply

        async def via_openai() -> str:
            found = await self.openai.chat.completions.create(
                model="heron", messages=[{"role": "user", "content": text}]
            )
            return found.choices[0].message.content or ""

        async def wyoming() -> str:
            async with AsyncTcpClient("127.0.0.1", self.port) as client:
                await client.write_event(Transcript(text=text).event())
                while True:
                    event = await client.read_event()
                    if event is None:
                        raise RuntimeError("the Wyoming server closed the connection")
                    if Handled.is_type(event.type):
                        return Handled.from_event(event).text or ""
                    if NotHandled.is_type(event.type):
                        return NotHandled.from_event(event).text or ""

        return {"in-process": in_process, "http": http, "openai": via_openai, "wyoming": wyoming}[
            way
        ]


# --- the run -------------------------------------------------------------------------------


async def run(rounds: int, quick: bool, progress: Progress) -> str:
    requests = REQUESTS[:3] if quick else REQUESTS
    replies = REPLIES[:2] if quick else REPLIES
    settings = Settings()
    knowledge = settings.resolved_knowledge_dir
    results: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    with tempfile.TemporaryDirectory() as tmp:
        local = Settings(data_dir=Path(tmp) / "local", knowledge_dir=knowledge)
        wyoming_port = wy.free_port()
        async with Heron(local) as engine:
            await engine.warm_speech()
            user, _ = await engine.create_user("bench")
            recordings = clips(engine, requests)
            server, port, key = serve(
                Path(tmp) / "server",
                "bench",
                knowledge_dir=str(knowledge),
                wyoming_uri=f"tcp://127.0.0.1:{wyoming_port}",
            )
            base = f"http://127.0.0.1:{port}"
            ways = Ways(engine, user, base, key, wyoming_port)
            try:
                await wait_healthy(base, server)
                jobs: list[tuple[str, Callable[[str], Timer]]] = []
                for samples in recordings:
                    jobs.append(("speech-to-text", lambda way, s=samples: ways.stt(way, s)))
                for text in replies:
                    jobs.append(("text-to-speech", lambda way, t=text: ways.tts(way, t)))
                for text in requests:
                    jobs.append(("assistant turn", lambda way, t=text: ways.ask(way, t)))
                # A warm-up of every job and way: first calls pay one-time costs everywhere.
                for _, job in jobs:
                    for way in WAYS:
                        await job(way)()
                task = progress.add_task("requests through each way in", total=rounds * len(jobs))
                turn = 0
                for _ in range(rounds):
                    for kind, job in jobs:
                        order = WAYS[turn % len(WAYS) :] + WAYS[: turn % len(WAYS)]
                        turn += 1
                        times = {}
                        for way in order:
                            # Let the other process's worker threads (which spin for a while
                            # after a call) fall idle first: each way starts on a quiet machine.
                            await asyncio.sleep(SETTLE_S)
                            elapsed, made = await timed(job(way))
                            times[way] = elapsed / made if isinstance(made, float) else elapsed
                        for way, seconds in times.items():
                            results[kind][way].append(seconds * 1000)
                            results[kind][f"{way}/ratio"].append(seconds / times["in-process"])
                            results[kind][f"{way}/added"].append(
                                (seconds - times["in-process"]) * 1000
                            )
                        progress.advance(task)
            finally:
                await ways.close()
                server.terminate()
                server.wait(timeout=30)
    return table(results, rounds, len(requests), len(replies))


def table(
    results: dict[str, dict[str, list[float]]], rounds: int, requests: int, replies: int
) -> str:
    lines = [
        f"{requests} spoken requests (Piper, 16 kHz WAV), {replies} replies to speak and "
        f"{requests} assistant turns; {rounds} rounds, after one warm-up of each. Milliseconds "
        "for the whole request as the client sees it, p50 / p95; overhead: the median over "
        "requests of (this way's time / in-process time of the same request) − 1, with its "
        "p95.",
        "",
        "| | " + " | ".join(WAYS) + " |",
        "|---|" + "---|" * len(WAYS),
    ]
    for kind, found in results.items():
        cells = [p50_p95(found[way]) for way in WAYS]
        unit = "ms per second of speech" if kind == "text-to-speech" else "ms"
        lines.append(f"| {kind}, {unit} | " + " | ".join(cells) + " |")
        overheads = ["—"]
        for way in WAYS[1:]:
            ratios = found[f"{way}/ratio"]
            overheads.append(
                f"{(percentile(ratios, 0.5) - 1) * 100:+.1f} % / "
                f"{(percentile(ratios, 0.95) - 1) * 100:+.1f} %"
            )
        lines.append(f"| {kind}, overhead | " + " | ".join(overheads) + " |")
        added = ["—"] + [f"{percentile(found[f'{way}/added'], 0.5):+.1f}" for way in WAYS[1:]]
        lines.append(f"| {kind}, added {unit} (median) | " + " | ".join(added) + " |")
    lines += [
        "",
        "Every way runs after a 0.3 s pause, so the worker threads of the previous request "
        "(the other process's, too) have fallen idle. An assistant turn takes milliseconds, so "
        "the fixed cost of an HTTP request (the connection, the key looked up in the database, "
        "JSON) is a large share of it; Wyoming has no key to check.",
        "",
        "- in-process: the engine's own calls (`voice.hear`: voice activity, then Whisper; "
        "`voice.speak`, all chunks; `ask`).",
        "- http: `/v1/speech/transcribe` (raw WAV body), `/v1/speech/synthesize` (WAV), "
        "`/v1/assistant/ask`.",
        "- openai: the `openai` client's `audio.transcriptions.create` (multipart WAV, "
        "`whisper-1`), `audio.speech.create` (`tts-1`, voice `alloy`, WAV), "
        "`chat.completions.create` (`heron`).",
        "- wyoming: the `wyoming` client as Home Assistant uses it: `transcribe`, audio sent "
        "as fast as the socket takes it, until `transcript`; `synthesize` until `audio-stop`; "
        "a `transcript` to the conversation agent until `handled`.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="A small run (smoke test)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with Progress() as progress:
        body = asyncio.run(run(1 if args.quick else args.rounds, args.quick, progress))
    print(body)
    if not args.no_write:
        command = COMMAND + (" --quick" if args.quick else "")
        write_section("Interoperability: overhead of each way in", body, command=command)


if __name__ == "__main__":
    main()
