"""Live speech-to-speech translation: the time from the end of a speaker's words to the first
translated audio, one way (English → Spanish) and two-way (English ↔ Spanish), against
translating and speaking each utterance whole, in the same process.

Speech is synthesized (Piper for English, espeak-ng for Spanish: no recorded speech is in
../shared/datasets yet) and fed to `Interpreter` at a microphone's pace, 0.1 s at a time, with
2 s of silence between utterances.

    .venv/bin/python bench/interpret.py [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
from report import p50_p95, percentile, write_section
from rich.progress import Progress

from heron import Heron, Settings
from heron.audio import RATE, Samples, resample
from heron.speech.tts_piper import PiperEngine
from heron.translation.speech import Interpreter

COMMAND = ".venv/bin/python bench/interpret.py"
HEADER = (
    "| mode | utterances | end of speech → first audio p50 / p95 ms "
    "| after the end-pointer p50 / p95 ms | whole utterance, then speech p50 / p95 ms |\n"
    "|---|---|---|---|---|"
)
PAUSE_S = 2.0
STEP = RATE // 10
ENGLISH = [
    "Where is the train station? I need a ticket to Madrid.",
    "The museum opens at nine in the morning.",
    "Can you help me find my hotel? It is near the river.",
    "The weather is very nice today.",
    "I would like a table for two people, please.",
    "My flight leaves at six. How long does the taxi take?",
    "We are looking for a pharmacy.",
    "The children play in the park after school.",
    "How much does this cost? It is too expensive for me.",
    "Please speak more slowly.",
    "The bus stops in front of the library.",
    "I lost my keys. Have you seen them?",
]
SPANISH = [
    "¿Dónde está la estación de tren? Necesito un billete para Madrid.",
    "El museo abre a las nueve de la mañana.",
    "¿Puede ayudarme a encontrar mi hotel? Está cerca del río.",
    "Hoy hace muy buen tiempo.",
    "Quiero una mesa para dos personas, por favor.",
    "Mi vuelo sale a las seis. ¿Cuánto tarda el taxi?",
    "Buscamos una farmacia.",
    "Los niños juegan en el parque después de la escuela.",
    "¿Cuánto cuesta esto? Es demasiado caro para mí.",
    "Por favor, hable más despacio.",
    "El autobús para delante de la biblioteca.",
    "Perdí mis llaves. ¿Las ha visto?",
]


def recording(heron: Heron, count: int, two_way: bool) -> Samples:
    """The utterances one after another with pauses: English, and in two-way mode every
    other one in Spanish."""
    piper = PiperEngine(varied=False)
    spanish, voice = heron.speech.tts_for("es")
    parts = [np.zeros(RATE // 2, np.int16)]
    for i in range(count):
        said = spanish.synthesize(SPANISH[i], voice=voice) if two_way and i % 2 else None
        said = said or piper.synthesize(ENGLISH[i])
        parts += [resample(np.concatenate(list(said.chunks)), said.rate)]
        parts += [np.zeros(int(RATE * PAUSE_S), np.int16)]
    return np.concatenate(parts)


async def live(samples: Samples) -> AsyncIterator[Samples]:
    for start in range(0, len(samples), STEP):
        yield samples[start : start + STEP]
        await asyncio.sleep(STEP / RATE)


async def whole(heron: Heron, text: str, source: str, target: str) -> float:
    """Milliseconds to translate an utterance whole and synthesize all of its speech."""
    started = time.perf_counter()
    [done] = await heron.translate(text, target, source)
    engine, voice = heron.speech.tts_for(heron.speech.voice_for_language(target))
    speech = await asyncio.to_thread(engine.synthesize, done.text, voice=voice)
    await asyncio.to_thread(lambda: [len(chunk) for chunk in speech.chunks])
    return 1000 * (time.perf_counter() - started)


async def run(
    heron: Heron, count: int, two_way: bool, progress: Progress
) -> dict[str, list[float]]:
    user, _ = await heron.create_user(f"bench-{two_way}", "UTC")
    interpreter = await Interpreter.open(heron, user, "en", "es", two_way=two_way)
    samples = recording(heron, count, two_way)
    task = progress.add_task("two-way" if two_way else "en → es", total=count)
    found: dict[str, list[float]] = {"streamed": [], "whole": [], "after_endpoint": []}
    transcripts: dict[int, tuple[str, str]] = {}
    async for event in interpreter.interpret(live(samples)):
        data = event.data
        if event.type == "transcript":
            transcripts[int(data["utterance"])] = (str(data["text"]), str(data["language"]))
        if event.type == "done" and data.get("heard"):
            timings = data["timings"]
            found["streamed"].append(float(data["latency_ms"]))
            found["after_endpoint"].append(float(data["latency_ms"]) - timings["endpoint_ms"])
            text, language = transcripts[int(data["utterance"])]
            other = str(data["to"])
            spent = await whole(heron, text, language if language in ("en", "es") else "en", other)
            found["whole"].append(timings["endpoint_ms"] + timings["stt_ms"] + spent)
            progress.advance(task)
    progress.remove_task(task)
    return found


def gain(found: dict[str, list[float]]) -> str:
    streamed, whole = percentile(found["streamed"], 0.5), percentile(found["whole"], 0.5)
    return (
        f"English → Spanish, sentence by sentence against whole: {streamed:.0f} against "
        f"{whole:.0f} ms at the median. With utterances of one or two sentences and espeak-ng "
        "(about 10 ms a sentence) the two are close; the translation's own cost after the "
        "end-pointer is the middle column."
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    count = 4 if args.quick else len(ENGLISH)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="heron-interpret-bench-") as folder:
        settings = Settings(data_dir=Path(folder), database_url=None, warm_language=False)
        heron = Heron(settings)
        await heron.start()
        try:
            with Progress() as progress:
                one = await run(heron, count, False, progress)
                two = await run(heron, count, True, progress)
        finally:
            await heron.close()
    load_after = os.getloadavg()
    rows = []
    for label, found in (("English → Spanish", one), ("two-way English ↔ Spanish", two)):
        rows.append(
            f"| {label} | {len(found['streamed'])} | {p50_p95(found['streamed'], 0)} | "
            f"{p50_p95(found['after_endpoint'], 0)} | {p50_p95(found['whole'], 0)} |"
        )
    body = f"""
{count} utterances a mode (one or two sentences each, the phrases a traveller says),
synthesized — Piper for English, espeak-ng for Spanish (every other utterance in two-way mode) —
and fed to `heron.translation.speech.Interpreter` at a microphone's pace (0.1 s every 0.1 s),
{PAUSE_S:.0f} s of silence between them. **End of speech → first translated audio** is the
`latency_ms` each utterance's `done` reports: from the end of the words (as the end-pointer
placed it) to the first audio of the first translated sentence. Most of it is the end-pointer's
wait for silence; "after the end-pointer" is the rest (transcript, translation, first audio).
The comparison, in the same process on the same transcripts: the end-pointer's wait and the
transcription, then the utterance translated whole and all its speech synthesized before the
first audio goes out.

{HEADER}
{chr(10).join(rows)}

{gain(one)}

Load average before / after: {load_before[0]:.2f} / {load_after[0]:.2f} ({os.cpu_count()} cores).
"""
    print(body)
    if not args.no_write:
        write_section(
            "Speech-to-speech translation",
            body,
            command=COMMAND + (" --quick" if args.quick else ""),
        )


if __name__ == "__main__":
    asyncio.run(main())
