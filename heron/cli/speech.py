"""`heron listen`, `heron say`, `heron transcribe` and `heron interpret`: the voice pipeline
and live interpretation from the command line."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from heron.audio import Audio, Samples, decode, wav_bytes
from heron.cli.main import JsonOption, UserOption, _run, _user, console, errors
from heron.config import Settings
from heron.engine import Heron
from heron.errors import HeronError
from heron.pipeline import events as ev
from heron.pipeline.events import VoiceEvent
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
    parent.command()(interpret)


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


WAV_RATE = 22_050
"""Translated speech written to a file is at this rate (the voices' own)."""
FILE_FRAME = 1280
"""A recording is heard in 80 ms frames, as a microphone sends them."""
TRAILING_SAMPLES = 16_000
MAX_RECORDING_S = 3600.0


def interpret(
    source: Annotated[str, typer.Option("--from", help="The language spoken: en, es, …")],
    target: Annotated[str, typer.Option("--to", help="The language to say it in")],
    two_way: Annotated[
        bool,
        typer.Option("--two-way", help="Either language may be spoken: each into the other"),
    ] = False,
    input_wav: Annotated[
        Path | None,
        typer.Option(
            "--input-wav",
            exists=True,
            dir_okay=False,
            help="Interpret this recording (any format) instead of the microphone",
        ),
    ] = None,
    output_wav: Annotated[
        Path | None,
        typer.Option("--output-wav", help="Write the translated speech here instead of playing it"),
    ] = None,
    user: UserOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print each event as a line of JSON")
    ] = False,
) -> None:
    """Interpret speech live: each utterance written down, translated sentence by sentence
    and spoken in the other language (from the microphone until Ctrl-C, or a recording)."""
    from heron.clients.satellite import FRAME_SAMPLES, Loudspeaker, Microphone
    from heron.translation.speech import Interpreter

    recording: Samples | None = None
    microphone: Microphone | None = None
    speaker: Loudspeaker | None = None
    try:  # the devices first: a missing one fails before any model loads
        if input_wav is not None:
            recording = decode(input_wav.read_bytes(), max_seconds=MAX_RECORDING_S).samples
        else:
            microphone = Microphone()
        if output_wav is None:
            speaker = Loudspeaker()
    except HeronError as error:
        errors.print(f"[red]Error:[/red] {escape(error.detail)}")
        raise typer.Exit(2) from None
    written: list[Samples] = []
    # While the translation plays, the microphone hears it: silence is sent instead.
    speaking = False

    async def heard() -> AsyncIterator[Samples]:
        if recording is not None:
            # Then a second of silence, as a microphone hears after the speaker stops.
            padded = np.concatenate([recording, np.zeros(TRAILING_SAMPLES, np.int16)])
            for start in range(0, len(padded), FILE_FRAME):
                yield padded[start : start + FILE_FRAME]
            return
        assert microphone is not None
        errors.print(f"Listening on {microphone.name} (Ctrl-C to stop)…")
        async for frame in microphone.frames():
            yield np.zeros(FRAME_SAMPLES, np.int16) if speaking else frame

    async def play(event: VoiceEvent) -> None:
        nonlocal speaking
        if speaker is None:
            if event.type == ev.AUDIO:
                written.append(np.frombuffer(event.audio, "<i2"))
        elif event.type == ev.AUDIO_START:
            speaking = True
            await speaker.begin(int(event.data["rate"]))
        elif event.type == ev.AUDIO:
            await speaker.write(np.frombuffer(event.audio, "<i2"))
        elif event.type == ev.AUDIO_STOP:
            await speaker.end()
            speaking = False

    async def work(engine: Heron) -> int:
        who = await _user(engine, user)
        rate = WAV_RATE if speaker is None else speaker.rate
        interpreter = await Interpreter.open(
            engine, who, source, target, two_way=two_way, rate=rate
        )
        utterances = 0
        async for event in interpreter.interpret(heard()):
            await play(event)
            if event.type != ev.AUDIO:
                _show(event, as_json)
            if event.type == ev.DONE and event.data["heard"]:
                utterances += 1
        return utterances

    try:
        utterances = _run(work)
    except KeyboardInterrupt:
        if speaker is not None:
            speaker.abort()
        raise typer.Exit(0) from None
    if output_wav is not None:
        output_wav.write_bytes(wav_bytes(written, WAV_RATE))
        seconds = sum(len(part) for part in written) / WAV_RATE
        errors.print(f"Wrote {output_wav} ({seconds:.1f} s of translated speech)")
    if not utterances:
        errors.print("I didn't hear anything.")
        raise typer.Exit(1)


def _show(event: VoiceEvent, as_json: bool) -> None:
    if as_json:
        print(json.dumps(event.to_json(), ensure_ascii=False), flush=True)
        return
    data = event.data
    if event.type == ev.TRANSCRIPT and data["text"]:
        said = escape(f"[{data['language']}]")
        console.print(f"[bold]{said}[/bold] {escape(data['text'])}", highlight=False)
    elif event.type == "translation":
        into = escape(f"→ [{data['to']}]")
        console.print(f"  [bold cyan]{into}[/bold cyan] {escape(data['text'])}", highlight=False)
    elif event.type == ev.DONE and data["latency_ms"] is not None:
        console.print(
            f"  [dim]first translated audio {data['latency_ms']:.0f} ms after you stopped[/dim]"
        )
    elif event.type == ev.ERROR:
        errors.print(f"[red]Error ({data['stage']}):[/red] {escape(data['detail'])}")
