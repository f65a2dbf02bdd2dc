"""`heron satellite` against a real `heron serve`: the wake word heard on the device, the request
streamed and answered, two devices in one room, a server restart, a refused key and a pushed
timer announced with a chime. Speech is made by the packaged Piper voice; the satellite hears
it paced in real time, as a microphone would."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import wave
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from heron.audio import RATE, Samples, decode, wav_bytes
from heron.cli.main import app
from heron.clients import satellite as satellite_module
from heron.clients.satellite import (
    Recording,
    Satellite,
    SatelliteOptions,
    WavFiles,
    chime,
    voice_url,
)
from tests.e2e import harness
from tests.e2e.harness import HeronServer

Speak = Callable[[str], Samples]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeronServer]:
    with HeronServer(tmp_path_factory.mktemp("satellite") / "data") as running:
        yield running


@pytest.fixture(scope="module")
def key(server: HeronServer) -> str:
    return server.first_user_key()


@pytest.fixture(scope="module")
def speak(server: HeronServer, key: str) -> Speak:
    """Text → 16 kHz speech, from the packaged Piper voice (the server's, already loaded)."""

    def say(text: str) -> Samples:
        with server.client(key) as client:
            wav = client.post("/v1/speech/synthesize", json={"text": text})
        assert wav.status_code == 200, wav.text
        return decode(wav.content, max_seconds=60).samples

    return say


def silence(seconds: float) -> Samples:
    return np.zeros(round(seconds * RATE), np.int16)


def request(speak: Speak, words: str) -> Samples:
    """Someone says the wake phrase, pauses, then asks."""
    return np.concatenate(
        [silence(0.5), speak("okay nabu"), silence(0.7), speak(words), silence(0.3)]
    )


class Seen:
    """A display that remembers what the satellite showed."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.states: list[str] = []

    def status(self, text: str) -> None:
        self.states.append(text)

    def show(self, kind: str, text: str) -> None:
        self.lines.append((kind, text))

    def said(self, kind: str) -> list[str]:
        return [text for shown, text in self.lines if shown == kind]


def options(
    server: HeronServer, key: str, device: str, *, room: str = "", keep_running: bool = False
) -> SatelliteOptions:
    return SatelliteOptions(
        url=voice_url(server.base_url),
        token=key,
        device=device,
        room=room,
        followup_s=0.5,
        keep_running=keep_running,
    )


async def until(check: Callable[[], object], within_s: float, what: str) -> None:
    deadline = time.monotonic() + within_s
    while not check():
        assert time.monotonic() < deadline, f"not within {within_s} s: {what}"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running(device: Satellite) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(device.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def transcribe(server: HeronServer, key: str, wav: Path) -> str:
    with server.client(key) as client:
        found = client.post(
            "/v1/speech/transcribe",
            content=wav.read_bytes(),
            headers={"Content-Type": "audio/wav"},
        )
    assert found.status_code == 200, found.text
    text: str = found.json()["text"]
    return text


async def ask(server: HeronServer, key: str, text: str) -> str:
    async with server.async_client(key) as client:
        answer = await client.post("/v1/assistant/ask", json={"text": text})
    assert answer.status_code == 200, answer.text
    reply: str = answer.json()["reply"]
    return reply


def test_the_server_address_becomes_its_voice_socket() -> None:
    assert voice_url("http://127.0.0.1:8000") == "ws://127.0.0.1:8000/v1/voice"
    assert voice_url("https://heron.lan/") == "wss://heron.lan/v1/voice"
    assert voice_url("heron.lan:8000") == "ws://heron.lan:8000/v1/voice"
    assert voice_url("wss://home.example/heron") == "wss://home.example/heron/v1/voice"
    assert voice_url("ws://10.0.0.2:8000/v1/voice") == "ws://10.0.0.2:8000/v1/voice"


def test_a_spoken_request_sets_a_timer_and_the_reply_is_written(
    server: HeronServer, key: str, speak: Speak, tmp_path: Path
) -> None:
    heard = tmp_path / "request.wav"
    heard.write_bytes(wav_bytes([request(speak, "set a timer for five minutes")]))

    result = CliRunner().invoke(
        app,
        [
            "satellite",
            *("--server", server.base_url, "--token", key, "--device", "desk"),
            *("--input-wav", str(heard), "--output-wav", str(tmp_path / "reply.wav")),
            *("--followup", "0.5"),
        ],
    )

    assert result.exit_code == 0, result.output
    assert re.search(r"you: set a timer for (five|5) minutes", result.stdout, re.I), result.stdout
    for state in ("listening", "thinking", "speaking"):
        assert f"· {state}" in result.stdout
    assert [p.name for p in tmp_path.glob("reply-*.wav")] == ["reply-001.wav"]
    said = transcribe(server, key, tmp_path / "reply-001.wav")
    assert re.search(r"\b(5|five) minutes?\b", said, re.I), said
    with server.client(key) as client:
        timers = client.get("/v1/timers").json()["timers"]
    assert [t["duration_s"] for t in timers] == [300.0]


async def test_of_two_devices_in_a_room_only_the_one_that_heard_best_answers(
    server: HeronServer, key: str, speak: Speak, tmp_path: Path
) -> None:
    said = request(speak, "what time is it")
    # The same words reach both microphones at the same moment; the far one hears them 14 dB
    # quieter.
    epoch = asyncio.get_running_loop().time() + 1.0
    near_said = WavFiles(tmp_path / "near.wav", realtime=False)
    far_said = WavFiles(tmp_path / "far.wav", realtime=False)
    near_seen, far_seen = Seen(), Seen()
    near = Satellite(
        options(server, key, "kitchen-near", room="kitchen"),
        Recording(said, epoch=epoch),
        near_said,
        near_seen,
    )
    far = Satellite(
        options(server, key, "kitchen-far", room="kitchen"),
        Recording((said * 0.2).astype(np.int16), epoch=epoch),
        far_said,
        far_seen,
    )

    await asyncio.wait_for(asyncio.gather(near.run(), far.run()), 60)

    assert (near.wakes_sent, far.wakes_sent) == (1, 1)
    assert far_seen.said("info")[-1] == "another device in the room answers"
    assert far_said.written == [] and far_seen.said("heron") == []
    assert len(near_said.written) == 1 and near_seen.said("heron")
    assert "another device in the room answers" not in near_seen.said("info")


async def test_the_satellite_reconnects_when_the_server_restarts(
    server: HeronServer, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real backoff doubles up to 10 s; capped lower here so a slow restart costs less.
    monkeypatch.setattr(satellite_module, "BACKOFF_MAX_S", 2.0)
    seen = Seen()
    spoken = WavFiles(tmp_path / "said.wav", realtime=False)
    device = Satellite(
        options(server, key, "hall", keep_running=True),
        Recording(silence(0)),
        spoken,
        seen,
    )
    async with running(device) as task:
        await until(lambda: device.connections == 1, 15, "connected")

        port = server.port
        await asyncio.to_thread(server.stop)
        await until(lambda: "lost the connection to the server" in seen.said("info"), 10, "lost")
        # The same server again: same data dir, same port.
        monkeypatch.setattr(harness, "free_port", lambda: port)
        await asyncio.to_thread(server.start)
        await until(lambda: device.connections == 2, 15, "connected again")

        # And it works as before: a timer set now is announced on it.
        await ask(server, key, "set a timer for 1 second")
        await until(lambda: spoken.written, 15, "the timer announced")
        assert not task.done()
    assert seen.said("info").count("lost the connection to the server") == 1
    assert any(s.startswith("disconnected") for s in seen.states)


def test_a_refused_key_stops_with_a_clear_error(server: HeronServer, tmp_path: Path) -> None:
    heard = tmp_path / "quiet.wav"
    heard.write_bytes(wav_bytes([silence(1)]))
    started = time.monotonic()

    result = CliRunner().invoke(
        app,
        [
            "satellite",
            *("--server", server.base_url, "--token", "heron_not-a-key"),
            *("--input-wav", str(heard), "--output-wav", str(tmp_path / "out.wav")),
        ],
    )

    assert result.exit_code == 2, result.output
    assert "Error:" in result.stderr
    assert "refused the token" in result.stderr
    assert "heron users key" in result.stderr
    assert time.monotonic() - started < 10  # no retrying


async def test_a_finished_timer_is_announced_with_a_chime_and_its_line(
    server: HeronServer, key: str, tmp_path: Path
) -> None:
    seen = Seen()
    spoken = WavFiles(tmp_path / "said.wav", realtime=False)
    device = Satellite(
        options(server, key, "bedroom", keep_running=True), Recording(silence(0)), spoken, seen
    )
    async with running(device):
        await until(lambda: device.connections == 1, 15, "connected")
        await ask(server, key, "set a timer for 1 second")
        await until(lambda: spoken.written, 15, "the timer announced")

    assert seen.said("event") == ["Your 1 second timer is done."]
    wav = spoken.written[0]
    with wave.open(str(wav)) as reader:
        rate = reader.getframerate()
        audio = np.frombuffer(reader.readframes(reader.getnframes()), "<i2")
    # The chime first, then the spoken line.
    tones = chime(rate)
    assert np.array_equal(audio[: len(tones)], tones)
    assert len(audio) > len(tones) + rate // 2
    assert "timer" in transcribe(server, key, wav).lower()


class Room:
    """The test's microphone: silence until `when()`, then `words` (then silence), in real
    time."""

    live = True
    ended = False

    def __init__(self, words: Samples, when: Callable[[], bool]) -> None:
        self.words = words
        self.when = when

    async def frames(self) -> AsyncIterator[Samples]:
        size = satellite_module.FRAME_SAMPLES
        quiet = np.zeros(size, np.int16)
        while not self.when():
            await asyncio.sleep(satellite_module.FRAME_S)
            yield quiet
        for start in range(0, len(self.words), size):
            await asyncio.sleep(satellite_module.FRAME_S)
            frame = self.words[start : start + size]
            yield np.concatenate([frame, quiet[len(frame) :]])
        while True:
            await asyncio.sleep(satellite_module.FRAME_S)
            yield quiet


async def test_the_wake_word_said_over_an_announcement_stops_it_and_is_answered(
    server: HeronServer, key: str, speak: Speak, tmp_path: Path
) -> None:
    seen = Seen()
    spoken = WavFiles(tmp_path / "said.wav")
    words = np.concatenate([speak("okay nabu"), silence(0.5), speak("what time is it")])
    device = Satellite(
        options(server, key, "study", keep_running=True),
        Room(words, lambda: device.playback.speaking),
        spoken,
        seen,
    )
    async with running(device):
        await until(lambda: device.connections == 1, 15, "connected")
        await ask(server, key, "set a timer for 1 second")
        await until(lambda: len(spoken.written) == 2, 60, "the announcement cut, the reply")

    assert device.wakes_sent == 1
    assert seen.said("event") == ["Your 1 second timer is done."]
    assert re.search(r"\d", " ".join(seen.said("heron"))), seen.lines  # it told the time
    announcement = decode(spoken.written[0].read_bytes(), max_seconds=60).samples
    whole = len(speak("Your 1 second timer is done.")) + len(chime(RATE))
    # Cut when the wake word was heard, a second into it, well before its end.
    assert len(announcement) < 0.75 * whole


def test_it_lists_the_wake_words_it_can_hear() -> None:
    result = CliRunner().invoke(app, ["satellite", "--list-wake-words"])
    assert result.exit_code == 0, result.output
    assert re.search(r"micro: .*okay_nabu", result.stdout)
    assert re.search(r"open: .*hey_rhasspy", result.stdout)


def test_without_a_microphone_it_says_what_to_use_instead() -> None:
    try:
        import sounddevice  # type: ignore[import-untyped]
    except (ImportError, OSError):
        pass  # no sounddevice, or no PortAudio: no microphone either
    else:
        with contextlib.suppress(ValueError, sounddevice.PortAudioError):
            sounddevice.query_devices(None, "input")
            pytest.skip("this machine has a microphone")

    result = CliRunner().invoke(
        app, ["satellite", "--server", "http://127.0.0.1:9", "--token", "heron_x"]
    )

    assert result.exit_code == 2
    assert "--input-wav" in result.stderr and "heron[device]" in result.stderr
