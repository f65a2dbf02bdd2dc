"""`heron satellite`: run this machine as a voice satellite of a Heron server (a smart
speaker's device side: microphone, wake word, speaker), or headless on WAV files."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from heron.cli.main import console, errors
from heron.clients.satellite import (
    AudioSource,
    Loudspeaker,
    Microphone,
    Recording,
    Satellite,
    SatelliteOptions,
    Speaker,
    WavFiles,
    voice_url,
)
from heron.errors import BadInput, HeronError

LABELS = {
    "you": "[bold]you:[/bold]",
    "heron": "[bold cyan]heron:[/bold cyan]",
    "event": "[bold yellow]🔔[/bold yellow]",
    "info": "[dim]·[/dim]",
    "error": "[red]error:[/red]",
}


class ConsoleDisplay:
    """A spinner with the satellite's state on a terminal (one dim line per change when the
    output is a file or a pipe), and a line for each transcript, reply and event."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self._spinner = out.status("connecting…") if out.is_terminal else None

    def start(self) -> None:
        if self._spinner is not None:
            self._spinner.start()

    def stop(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()

    def status(self, text: str) -> None:
        if self._spinner is not None:
            self._spinner.update(escape(text))
        else:
            self.out.print(f"[dim]· {escape(text)}[/dim]", highlight=False)

    def show(self, kind: str, text: str) -> None:
        style = "dim" if kind == "info" else ""
        line = f"[{style}]{escape(text)}[/{style}]" if style else escape(text)
        self.out.print(f"{LABELS.get(kind, kind + ':')} {line}", highlight=False)


def satellite(
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            envvar="HERON_SERVER",
            help="The Heron server: http(s)://host:port or ws(s)://host:port",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="HERON_TOKEN", help="An API key of the user it serves"),
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="This device's name on the server (default: host name)")
    ] = None,
    room: Annotated[
        str, typer.Option(help="Its room: of the devices in one room, only the nearest answers")
    ] = "",
    wake_word: Annotated[
        str, typer.Option("--wake-word", help="The wake-word model (see --list-wake-words)")
    ] = "okay_nabu",
    wake_engine: Annotated[
        str, typer.Option("--wake-engine", help="micro (microWakeWord) or open (openWakeWord)")
    ] = "micro",
    input_wav: Annotated[
        Path | None,
        typer.Option(
            "--input-wav",
            help="Hear this audio file (any format) in real time instead of a microphone; "
            "stops once it has been answered",
        ),
    ] = None,
    output_wav: Annotated[
        Path | None,
        typer.Option(
            "--output-wav",
            help="Write what it says to numbered WAV files (reply.wav → reply-001.wav, …) "
            "instead of a speaker",
        ),
    ] = None,
    mic: Annotated[
        str | None, typer.Option(help="The sound card input to use (name or number)")
    ] = None,
    speaker: Annotated[
        str | None, typer.Option(help="The sound card output to use (name or number)")
    ] = None,
    barge_in: Annotated[
        bool,
        typer.Option(
            "--barge-in",
            help="The device cancels its own echo: keep listening while it speaks, so "
            "speech interrupts a reply (without it, only the wake word does)",
        ),
    ] = False,
    followup: Annotated[
        float | None,
        typer.Option(
            "--followup",
            min=0,
            max=60,
            help="Seconds to listen for a follow-up after a reply (default: the server's)",
        ),
    ] = None,
    voice: Annotated[
        str | None, typer.Option(help="The voice to answer in (GET /v1/speech/voices)")
    ] = None,
    keep_running: Annotated[
        bool,
        typer.Option(
            "--keep-running",
            help="With --input-wav: stay connected after the file (hearing silence), to "
            "play pushed announcements",
        ),
    ] = False,
    push_to_talk: Annotated[
        bool,
        typer.Option(
            "--push-to-talk",
            help="Press Enter to talk without the wake word, Enter again when done",
        ),
    ] = False,
    list_wake_words: Annotated[
        bool, typer.Option("--list-wake-words", help="List the wake-word models and stop")
    ] = False,
) -> None:
    """Be a smart speaker: hear the wake word here, ask the server, play the reply."""
    try:
        if list_wake_words:
            _list_wake_words()
            return
        if not server:
            raise BadInput("say which server to use: --server http://HOST:PORT")
        if not token:
            raise BadInput("give the satellite an API key: --token KEY (or HERON_TOKEN)")
        options = SatelliteOptions(
            url=voice_url(server),
            token=token,
            device=(device or socket.gethostname() or "satellite")[:64],
            room=room,
            wake_word=wake_word,
            wake_engine=wake_engine,
            barge_in=barge_in,
            followup_s=followup,
            voice=voice,
            keep_running=keep_running,
        )
        source: AudioSource = (
            Recording.from_file(input_wav) if input_wav is not None else Microphone(_card(mic))
        )
        sink: Speaker = (
            WavFiles(output_wav) if output_wav is not None else Loudspeaker(_card(speaker))
        )
        display = ConsoleDisplay(console)
        device_side = Satellite(options, source, sink, display)
    except HeronError as error:
        errors.print(f"[red]Error:[/red] {escape(error.detail)}")
        raise typer.Exit(2) from None
    console.print(
        f"[bold]Heron satellite[/bold] {escape(options.device)} → {escape(options.url)}; "
        f"wake word “{escape(device_side.phrase)}”",
        highlight=False,
    )
    display.start()
    try:
        asyncio.run(_run(device_side, push_to_talk))
    except HeronError as error:
        display.stop()
        errors.print(f"[red]Error:[/red] {escape(error.detail)}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        display.stop()
        console.print("Stopped.")
        return
    display.stop()
    if isinstance(sink, WavFiles):
        for path in sink.written:
            console.print(f"wrote {escape(str(path))}", highlight=False)


async def _run(device_side: Satellite, push_to_talk: bool) -> None:
    if push_to_talk:
        _read_enter(device_side)
    await device_side.run()


def _read_enter(device_side: Satellite) -> None:
    """Each Enter on the terminal presses the talk button. A daemon thread reads the lines: a
    blocked read would otherwise keep the program from exiting."""
    loop = asyncio.get_running_loop()
    pressed: set[asyncio.Task[None]] = set()

    def press() -> None:
        task = loop.create_task(device_side.push_to_talk())
        pressed.add(task)
        task.add_done_callback(pressed.discard)

    def read() -> None:
        for _ in sys.stdin:
            loop.call_soon_threadsafe(press)

    threading.Thread(target=read, name="push-to-talk", daemon=True).start()
    console.print("[dim]Press Enter to talk, Enter again when you are done.[/dim]")


def _card(name: str | None) -> str | int | None:
    """A sound card by number (as `python -m sounddevice` lists them) or by part of its name."""
    return int(name) if name is not None and name.isdigit() else name


def _list_wake_words() -> None:
    from heron.speech import wake

    found = wake.models()
    if not found:
        raise BadInput("no wake-word engine is installed: pip install pymicro-wakeword")
    for engine, names in found.items():
        console.print(f"[bold]{engine}[/bold]: {', '.join(sorted(names))}", highlight=False)


def register(parent: typer.Typer) -> None:
    parent.command("satellite")(satellite)
