"""`heron listen`, `heron say` and `heron transcribe`: the voice pipeline from the command line."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from heron.audio import Audio, decode, wav_bytes
from heron.cli.main import JsonOption, UserOption, _run, _user, console, errors
from heron.config import Settings
from heron.engine import Heron
from heron.errors import HeronError
from heron.pipeline.voice import collect
from heron.speech import SpeechEngines

AudioFile = Annotated[
    Path,
    typer.Argument(
        help="A recording: WAV, FLAC, OGG, MP3, WebM or M4A, any rate",
        exists=True,
        dir_okay=False,
    ),
]
VoiceOption = Annotated[
    str | None,
    typer.Option("--voice", help="Voice: en_US-joe-medium (Piper) or an espeak-ng language"),
]


def register(parent: typer.Typer) -> None:
    parent.command()(listen)
    parent.command()(say)
    parent.command()(transcribe)


def _read(path: Path, settings: Settings) -> Audio:
    try:
        return decode(path.read_bytes(), max_seconds=settings.max_audio_seconds)
    except HeronError as error:
        errors.print(f"[red]Error:[/red] {path}: {error.detail}")
        raise typer.Exit(2) from None


def listen(
    file: AudioFile,
    user: UserOption = None,
    as_json: JsonOption = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the spoken reply (WAV) here")
    ] = None,
    voice: VoiceOption = None,
) -> None:
    """Answer a spoken request: transcript, reply, intent and per-stage timings."""
    audio = _read(file, Settings())

    async def work(engine: Heron) -> dict[str, Any]:
        await engine.warm_speech()
        who = await _user(engine, user)
        return await collect(engine.voice.answer_recording(who, audio.samples, voice=voice))

    with console.status("Listening…"):
        found = _run(work, warm=True)
    if output is not None and found["audio"]:
        output.write_bytes(wav_bytes(found["audio"], found["rate"]))
    for error in found["errors"]:
        errors.print(f"[red]Error ({error['stage']}):[/red] {error['detail']}")
    if as_json:
        shown = {k: v for k, v in found.items() if k != "audio"}
        shown["reply_seconds"] = round(sum(len(a) for a in found["audio"]) / found["rate"], 2)
        console.print_json(json.dumps(shown))
    else:
        intent = found.get("intent") or {}
        console.print(f"[bold]You said:[/bold] {found.get('transcript', '')}")
        console.print(f"[bold]Heron:[/bold] {found.get('reply', '')}")
        if intent.get("intent"):
            console.print(f"[dim]intent {intent['intent']} {json.dumps(intent['slots'])}[/dim]")
        timings = found.get("timings") or {}
        if timings:
            table = Table("stage", "ms")
            for stage, ms in timings.items():
                table.add_row(stage.removesuffix("_ms"), f"{ms:.0f}")
            console.print(table)
        if output is not None and found["audio"]:
            console.print(f"Reply written to {output}")
    if found["errors"]:
        raise typer.Exit(2)


def say(
    text: Annotated[str, typer.Argument(help="What to say, in quotes")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The WAV file to write")],
    voice: VoiceOption = None,
    speed: Annotated[float, typer.Option(min=0.5, max=2.0, help="Speaking rate")] = 1.0,
) -> None:
    """Speak TEXT into a WAV file."""
    speech = SpeechEngines(Settings())
    started = time.perf_counter()
    try:
        engine, chosen = speech.tts_for(voice)
        spoken = engine.synthesize(text, voice=chosen, speed=speed)
        chunks = list(spoken.chunks)
    except HeronError as error:
        errors.print(f"[red]Error:[/red] {error.detail}")
        raise typer.Exit(2) from None
    output.write_bytes(wav_bytes(chunks, spoken.rate))
    seconds = sum(len(c) for c in chunks) / spoken.rate
    elapsed = time.perf_counter() - started
    console.print(f"Wrote {output} ({seconds:.1f} s of speech, {engine.name}, {elapsed:.1f} s)")


def transcribe(
    file: AudioFile,
    as_json: JsonOption = False,
    engine: Annotated[
        str | None, typer.Option("--engine", help="whisper (default) or sphinx")
    ] = None,
    language: Annotated[str | None, typer.Option(help="Language code (default: detect)")] = None,
) -> None:
    """Write down what is said in a recording."""
    settings = Settings()
    audio = _read(file, settings)
    speech = SpeechEngines(settings)
    try:
        stt = speech.stt(engine)
        started = time.perf_counter()
        if not speech.has_speech(audio.samples):
            errors.print("I didn't hear anything: the recording holds no speech.")
            raise typer.Exit(1)
        transcript = stt.transcribe(audio.samples, language=language)
    except HeronError as error:
        errors.print(f"[red]Error:[/red] {error.detail}")
        raise typer.Exit(2) from None
    elapsed = time.perf_counter() - started
    if as_json:
        found = {**transcript.to_json(), "engine": stt.name, "elapsed_ms": round(elapsed * 1000)}
        console.print_json(json.dumps(found))
    elif transcript.text:
        console.print(transcript.text, markup=False, highlight=False)
    else:
        errors.print("I didn't hear anything.")
