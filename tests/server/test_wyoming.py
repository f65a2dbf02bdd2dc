"""Heron's Wyoming server, driven by the real `wyoming` package's TCP client the way Home
Assistant drives its voice services: describe, transcribe (whole and live, with partial
chunks), synthesize (whole and streamed), wake words, intents and the conversation agent;
two clients at once, a client gone mid-stream, and who may connect at all."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from wyoming.asr import Transcribe, Transcript, TranscriptChunk, TranscriptStart, TranscriptStop
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.event import Event
from wyoming.handle import Handled, NotHandled
from wyoming.info import Describe, Info
from wyoming.intent import Intent, NotRecognized, Recognize
from wyoming.ping import Ping, Pong
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeStopped,
    SynthesizeVoice,
)
from wyoming.wake import Detect, Detection, NotDetected

from heron.audio import RATE, Samples, resample
from tests.e2e.harness import HERON, HeronServer, free_port, heron_env

READ_S = 120.0
CHUNK = 1024  # samples per audio-chunk, as Home Assistant's satellites send them
Said = Callable[..., Samples]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeronServer]:
    """`heron serve` with the Wyoming server switched on, as a Home Assistant user runs it."""
    running = HeronServer(tmp_path_factory.mktemp("wyoming") / "data")
    running.env["HERON_WYOMING_URI"] = f"tcp://127.0.0.1:{free_port()}"
    with running:
        yield running


@pytest.fixture(scope="module")
def port(server: HeronServer) -> int:
    return int(server.env["HERON_WYOMING_URI"].rsplit(":", 1)[1])


async def exchange(port: int, events: list[Event], until: tuple[str, ...]) -> list[Event]:
    """Writes `events` on a new connection; everything read up to an event of a type in
    `until` (included)."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        for event in events:
            await client.write_event(event)
        return await read_until(client, until)


async def read_until(client: AsyncTcpClient, until: tuple[str, ...]) -> list[Event]:
    found: list[Event] = []
    while True:
        event = await asyncio.wait_for(client.read_event(), READ_S)
        assert event is not None, f"the server closed the connection after {found}"
        found.append(event)
        if event.type in until or Error.is_type(event.type):
            return found


def audio_events(samples: Samples, rate: int = RATE, channels: int = 1) -> list[Event]:
    """A recording as audio-start, audio-chunks and audio-stop, at `rate` and `channels`."""
    audio = resample(samples, RATE, rate) if rate != RATE else samples
    pcm = np.repeat(audio, channels) if channels > 1 else audio
    data = pcm.astype("<i2").tobytes()
    step = CHUNK * 2 * channels
    return [
        AudioStart(rate=rate, width=2, channels=channels).event(),
        *(
            AudioChunk(rate=rate, width=2, channels=channels, audio=data[i : i + step]).event()
            for i in range(0, len(data), step)
        ),
        AudioStop().event(),
    ]


def pcm_of(events: list[Event]) -> Samples:
    return np.frombuffer(
        b"".join(AudioChunk.from_event(e).audio for e in events if AudioChunk.is_type(e.type)),
        "<i2",
    )


def words(text: str) -> list[str]:
    return [re.sub(r"[^\w']", "", word.lower()) for word in text.split()]


def only(events: list[Event], kind: str) -> Event:
    found = [e for e in events if e.type == kind]
    assert len(found) == 1, [e.type for e in events]
    return found[0]


async def transcribe(port: int, samples: Samples, **audio: int) -> str:
    events = await exchange(
        port,
        [Transcribe(language="en").event(), *audio_events(samples, **audio)],
        until=(TranscriptStop().event().type,),
    )
    return Transcript.from_event(only(events, "transcript")).text


# --- describe -----------------------------------------------------------------------------


async def test_describe_lists_every_program_home_assistant_looks_for(port: int) -> None:
    [event] = await exchange(port, [Describe().event()], until=("info",))
    info = Info.from_event(event)

    [asr] = info.asr
    assert asr.installed and asr.supports_transcript_streaming
    assert [m.name for m in asr.models] == ["whisper-base", "pocketsphinx"]
    assert {"en", "de", "fr", "ja"} <= set(asr.models[0].languages)
    [tts] = info.tts
    assert tts.supports_synthesize_streaming
    assert tts.voices[0].name == "en_US-joe-medium"  # the default voice first
    assert any(v.languages == ["de"] for v in tts.voices)  # espeak-ng speaks many languages
    [wake] = info.wake
    assert wake.models[0].name == "okay_nabu"
    assert wake.models[0].phrase == "okay nabu"
    assert info.intent[0].models[0].languages == ["en"]
    assert info.handle[0].name == "heron"


# --- speech-to-text -----------------------------------------------------------------------


async def test_a_recording_is_transcribed_whatever_its_rate_and_channels(
    port: int, spoken: Said
) -> None:
    recording = spoken("What is the capital of Peru?", pad_s=0.3)

    events = await exchange(
        port,
        [Transcribe(language="en").event(), *audio_events(recording, rate=44_100, channels=2)],
        until=("transcript-stop",),
    )

    assert events[0].type == TranscriptStart().event().type
    transcript = Transcript.from_event(only(events, "transcript"))
    assert "capital of peru" in transcript.text.lower()
    assert transcript.language == "en"
    assert events[-1].type == TranscriptStop().event().type


async def test_live_audio_streams_chunks_that_add_up_to_the_transcript(
    port: int, spoken: Said
) -> None:
    sentence = "Please add eggs, flour, butter and two lemons to my shopping list."
    recording = spoken(sentence, pad_s=0.5)
    events = audio_events(recording)

    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="en").event())
        for event in events:
            await client.write_event(event)
            if AudioChunk.is_type(event.type):
                await asyncio.sleep(CHUNK / RATE)  # a microphone's pace
        found = await read_until(client, ("transcript-stop",))

    kinds = [e.type for e in found]
    chunks = [TranscriptChunk.from_event(e).text for e in found if TranscriptChunk.is_type(e.type)]
    final = Transcript.from_event(only(found, "transcript")).text
    assert kinds[0] == "transcript-start" and kinds[-1] == "transcript-stop"
    assert kinds.index("transcript") > kinds.index("transcript-chunk")
    assert "shopping list" in final.lower()
    # Chunks only ever add words, and together they are the transcript's words (the final
    # transcript may still punctuate them: "eggs" in a chunk, "eggs," in the transcript).
    assert words("".join(chunks)) == words(final)
    # Some came while the user was still speaking, before the end of the audio.
    assert len(chunks) >= 2


async def test_silence_is_an_empty_transcript(port: int) -> None:
    assert await transcribe(port, np.zeros(RATE * 2, np.int16)) == ""


async def test_two_clients_at_once_each_get_their_own_words(port: int, spoken: Said) -> None:
    first, second = await asyncio.gather(
        transcribe(port, spoken("Set a timer for ten minutes.", pad_s=0.3)),
        transcribe(port, spoken("What is the weather like in Oslo?", pad_s=0.3)),
    )

    assert "timer" in first.lower() and "oslo" not in first.lower()
    assert "oslo" in second.lower() and "timer" not in second.lower()


async def test_a_client_gone_mid_stream_leaves_the_server_serving(
    server: HeronServer, port: int, spoken: Said
) -> None:
    recording = spoken("Remind me to call the plumber tomorrow.", pad_s=0.3)
    half = audio_events(recording)[: len(recording) // CHUNK // 2]
    for _ in range(3):
        async with AsyncTcpClient("127.0.0.1", port) as client:
            await client.write_event(Transcribe(language="en").event())
            for event in half:
                await client.write_event(event)

    assert "plumber" in (await transcribe(port, recording)).lower()
    assert server.process is not None and server.process.poll() is None
    assert "Traceback" not in server.log()


async def test_audio_without_audio_start_gets_an_error_event(port: int) -> None:
    chunk = AudioChunk(rate=RATE, width=2, channels=1, audio=b"\0\0" * 160).event()

    events = await exchange(port, [Transcribe().event(), chunk], until=())

    error = Error.from_event(events[-1])
    assert "audio-start" in error.text and error.code == "audio-chunk-422"


async def test_an_unsupported_sample_width_is_refused(port: int) -> None:
    start = AudioStart(rate=RATE, width=3, channels=1).event()

    events = await exchange(port, [Transcribe().event(), start], until=())

    assert Error.from_event(events[-1]).code == "audio-start-400"


async def test_audio_longer_than_the_limit_is_refused_and_the_connection_kept(port: int) -> None:
    too_long = np.zeros(RATE * 61, np.int16)  # HERON_MAX_AUDIO_SECONDS is 60

    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe().event())
        for event in audio_events(too_long):
            await client.write_event(event)
        refused = await read_until(client, ("transcript",))
        await client.write_event(Ping(text="still there?").event())
        answer = await read_until(client, ("pong",))

    assert Error.from_event(refused[-1]).code == "audio-chunk-413"
    assert Pong.from_event(answer[-1]).text == "still there?"


async def test_an_unknown_model_is_refused_by_name(port: int, spoken: Said) -> None:
    events = await exchange(
        port,
        [Transcribe(name="whisper-large").event(), *audio_events(spoken("Hello.", pad_s=0.2))],
        until=("transcript",),
    )

    error = Error.from_event(events[-1])
    assert "whisper-large" in error.text


# --- text-to-speech -----------------------------------------------------------------------


async def test_synthesized_speech_says_the_text(port: int) -> None:
    events = await exchange(
        port, [Synthesize(text="The kitchen timer is done.").event()], until=("audio-stop",)
    )

    start = AudioStart.from_event(events[0])
    assert (start.width, start.channels) == (2, 1)
    audio = pcm_of(events)
    assert 1.0 < len(audio) / start.rate < 4.0
    heard = await transcribe(port, resample(audio, start.rate))
    assert "kitchen timer" in heard.lower()


async def test_streamed_text_is_spoken_once_sentence_by_sentence(port: int) -> None:
    parts = ["The first sen", "tence is here. The sec", "ond one follows."]
    whole = "".join(parts)

    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(SynthesizeStart().event())
        for part in parts:
            await client.write_event(SynthesizeChunk(text=part).event())
        # Home Assistant sends the whole text again, for servers that do not stream.
        await client.write_event(Synthesize(text=whole).event())
        await client.write_event(SynthesizeStop().event())
        events = await read_until(client, (SynthesizeStopped().event().type,))
    alone = await exchange(port, [Synthesize(text=whole).event()], until=("audio-stop",))

    kinds = [e.type for e in events]
    assert kinds.count("audio-start") == 1 and kinds.count("audio-stop") == 1
    assert kinds[-2:] == ["audio-stop", "synthesize-stopped"]
    # Spoken once, not twice: about as long as the same text synthesized in one go.
    assert abs(len(pcm_of(events)) - len(pcm_of(alone))) < 0.25 * len(pcm_of(alone))


async def test_a_voice_is_chosen_by_name_or_by_language(port: int) -> None:
    german = await exchange(
        port,
        [Synthesize(text="Guten Tag", voice=SynthesizeVoice(language="de")).event()],
        until=("audio-stop",),
    )
    unknown = await exchange(
        port,
        [Synthesize(text="Hello", voice=SynthesizeVoice(name="nobody")).event()],
        until=("audio-stop",),
    )

    assert len(pcm_of(german)) > 0
    error = Error.from_event(unknown[-1])
    assert "nobody" in error.text and error.code == "synthesize-422"


# --- wake words ---------------------------------------------------------------------------


async def test_the_wake_word_is_detected_and_other_speech_is_not(port: int, spoken: Said) -> None:
    wake_up = spoken("okay nabu", pad_s=0.5)
    chatter = spoken("Turn on the kitchen lights, please.", pad_s=0.5)

    heard = await exchange(
        port, [Detect(names=["okay_nabu"]).event(), *audio_events(wake_up)], until=("detection",)
    )
    missed = await exchange(
        port,
        [Detect(names=["okay_nabu"]).event(), *audio_events(chatter)],
        until=("not-detected", "detection"),
    )

    detection = Detection.from_event(heard[-1])
    assert detection.name == "okay_nabu"
    assert detection.timestamp is not None and 300 < detection.timestamp < 2500
    assert NotDetected.is_type(missed[-1].type)


# --- intents and the assistant ------------------------------------------------------------


async def test_recognize_gives_the_intent_and_slots_without_acting(
    server: HeronServer, port: int
) -> None:
    [event] = await exchange(
        port, [Recognize(text="set a timer for 25 minutes").event()], until=("intent",)
    )
    [nothing] = await exchange(
        port, [Recognize(text="the purple giraffe sings opera").event()], until=("not-recognized",)
    )

    intent = Intent.from_event(event)
    assert intent.name == "timer.set"
    assert {e.name: e.value for e in intent.entities} == {"duration": 1500}
    assert NotRecognized.from_event(nothing).text == "the purple giraffe sings opera"
    with server.client(server.first_user_key()) as api:
        assert api.get("/v1/timers").json()["timers"] == []  # understood, not done


async def test_the_assistant_handles_a_conversation_with_its_context(
    server: HeronServer, port: int
) -> None:
    context = {"conversation_id": "01JHOMEASSISTANT0000000001"}

    async def say(text: str, context: dict[str, str]) -> Event:
        [event] = await exchange(
            port, [Transcript(text=text, context=context).event()], until=("handled", "not-handled")
        )
        return event

    first = await say("what is the population of France", context)
    follow_up = await say("and Spain?", context)
    fresh = await say("and Spain?", {"conversation_id": "01JHOMEASSISTANT0000000002"})

    assert "France has about" in Handled.from_event(first).text
    answer = Handled.from_event(follow_up)
    assert "Spain has about" in answer.text
    assert answer.context == context
    # In another conversation there is nothing to follow up on: not handled, and it says so.
    assert NotHandled.is_type(fresh.type)
    assert "don't know how to help" in NotHandled.from_event(fresh).text


async def test_what_the_assistant_does_lands_in_the_users_state(
    server: HeronServer, port: int
) -> None:
    [event] = await exchange(
        port,
        [Transcript(text="add oat milk to my shopping list").event()],
        until=("handled", "not-handled"),
    )

    assert "oat milk" in Handled.from_event(event).text.lower()
    with server.client(server.first_user_key()) as api:
        lists = api.get("/v1/lists").json()["lists"]
    assert "oat milk" in [item["text"] for item in lists[0]["items"]]


# --- who may connect ----------------------------------------------------------------------


def _wyoming(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(HERON), "wyoming", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_listening(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("heron wyoming did not listen")


def _own_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_listening_beyond_loopback_needs_remote_and_an_allow_list(tmp_path: Path) -> None:
    env = heron_env(tmp_path / "data")
    uri = f"tcp://0.0.0.0:{free_port()}"

    refused = _wyoming("--uri", uri, env=env)
    output = refused.communicate(timeout=60)[0]
    no_list = _wyoming("--uri", uri, "--remote", env=env)
    output_no_list = no_list.communicate(timeout=60)[0]

    assert refused.returncode == 2 and "--remote" in output and "--allow" in output
    assert no_list.returncode == 2 and "--allow" in output_no_list


async def test_only_allowed_addresses_may_connect(tmp_path: Path) -> None:
    address = _own_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    port = free_port()
    env = heron_env(tmp_path / "data")
    process = _wyoming(
        "--uri", f"tcp://0.0.0.0:{port}", "--remote", "--allow", "198.51.100.0/24", env=env
    )
    try:
        _wait_listening(port, process)
        local = await exchange(port, [Describe().event()], until=("info",))
        async with AsyncTcpClient(address, port) as stranger:
            await stranger.write_event(Describe().event())
            refused = await asyncio.wait_for(stranger.read_event(), 10)
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]

    assert Info.is_type(local[0].type)  # this machine itself is always allowed
    assert refused is None  # closed without a word
    assert "not on the allow-list" in output
    assert process.returncode == 0  # a clean stop on SIGTERM
