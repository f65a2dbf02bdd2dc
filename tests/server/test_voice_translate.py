"""The interpretation WebSocket (/v1/voice/translate) of a real `heron serve`, as an app would
use it: speech streamed up at a microphone's pace, transcripts, translations and the
translated speech back; two-way; languages and hellos it refuses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from websockets.asyncio.client import ClientConnection, connect

from heron.audio import RATE, Samples, resample
from heron.speech import SpeechEngines
from tests.e2e.harness import HeronServer, socket_to


@pytest.fixture(scope="module")
def spanish(speech: SpeechEngines) -> Callable[[str], Samples]:
    espeak = speech.tts("espeak")

    def say(text: str) -> Samples:
        made = espeak.synthesize(text, voice="es")
        return resample(np.concatenate(list(made.chunks)), made.rate)

    return say


def translate_socket(server: HeronServer, key: str | None, query: str) -> connect:
    url = server.ws_url.replace("/v1/assistant/events", f"/v1/voice/translate?{query}")
    headers = {"Authorization": f"Bearer {key}"} if key else None
    return socket_to(url, headers=headers)


async def send_speech(ws: ClientConnection, samples: Samples, rate: int, pace: float) -> None:
    """100 ms frames, `pace` times faster than a microphone sends them."""
    step = rate // 10
    for start in range(0, len(samples), step):
        await ws.send(samples[start : start + step].astype("<i2").tobytes())
        await asyncio.sleep(0.1 / pace)


async def until_done(
    ws: ClientConnection, utterances: int = 1, within_s: float = 60
) -> tuple[list[dict[str, Any]], bytes]:
    """Messages until the `utterances`th `done`, and the binary audio that came with them."""
    messages: list[dict[str, Any]] = []
    audio = bytearray()
    async with asyncio.timeout(within_s):
        while True:
            message = await ws.recv()
            if isinstance(message, bytes):
                audio.extend(message)
                continue
            messages.append(json.loads(message))
            if sum(m["type"] == "done" for m in messages) == utterances:
                return messages, bytes(audio)


async def test_english_speech_comes_back_in_spanish(
    server: HeronServer, key: str, spoken: Callable[..., Samples]
) -> None:
    words = spoken("Where is the train station? I need a ticket.", pad_s=0.4)
    recording = resample(np.concatenate([words, np.zeros(RATE * 2, np.int16)]), RATE, 48_000)
    async with translate_socket(server, key, "from=en&to=es") as ws:
        hello = {"type": "hello", "format": {"rate": 48_000, "width": 2, "channels": 1}}
        await ws.send(json.dumps(hello))
        ready = json.loads(await asyncio.wait_for(ws.recv(), 60))
        assert ready["type"] == "ready"
        assert (ready["from"], ready["to"], ready["two_way"]) == ("en", "es", False)
        assert ready["voices"] == {"es": "es"}
        # At a microphone's pace, so the latency is what a speaker would wait.
        sender = asyncio.create_task(send_speech(ws, recording, 48_000, pace=1.0))
        messages, audio = await until_done(ws)
        await sender
    kinds = [m["type"] for m in messages]
    assert kinds.index("speech-start") < kinds.index("speech-end") < kinds.index("transcript")
    transcript = next(m for m in messages if m["type"] == "transcript")
    assert transcript["language"] == "en" and "station" in transcript["text"].lower()
    first = next(m for m in messages if m["type"] == "translation")
    assert (first["from"], first["to"], first["sentence"]) == ("en", "es", 0)
    assert "estación" in first["text"]
    assert kinds[kinds.index("translation") + 1] == "audio-start"
    start = next(m for m in messages if m["type"] == "audio-start")
    assert start["rate"] == 22_050 and len(audio) / 2 / 22_050 > 1.5
    assert kinds.count("audio-stop") == kinds.count("translation") == 2
    done = messages[-1]
    assert done["type"] == "done" and done["utterance"] == 1
    assert 0 < done["latency_ms"] < 3000


async def test_two_way_spanish_speech_comes_back_in_english(
    server: HeronServer, key: str, spanish: Callable[[str], Samples]
) -> None:
    words = spanish("¿Dónde está la estación de tren?")
    recording = np.concatenate([np.zeros(RATE // 4, np.int16), words, np.zeros(RATE * 2, np.int16)])
    async with translate_socket(server, key, "from=en&to=es&two_way=true") as ws:
        await ws.send(json.dumps({"type": "hello", "output_rate": 16_000}))
        ready = json.loads(await asyncio.wait_for(ws.recv(), 60))
        assert ready["two_way"] is True and set(ready["voices"]) == {"en", "es"}
        sender = asyncio.create_task(send_speech(ws, recording, RATE, pace=4.0))
        messages, audio = await until_done(ws)
        await sender
    transcript = next(m for m in messages if m["type"] == "transcript")
    assert transcript["language"] == "es" and "estación" in transcript["text"]
    translation = next(m for m in messages if m["type"] == "translation")
    assert (translation["from"], translation["to"]) == ("es", "en")
    assert "station" in translation["text"].lower()
    start = next(m for m in messages if m["type"] == "audio-start")
    assert start["rate"] == 16_000 and len(audio) / 2 / 16_000 > 1.0  # the rate asked for
    assert (messages[-1]["from"], messages[-1]["to"]) == ("es", "en")


async def test_an_unavailable_pair_is_refused_before_any_audio(
    server: HeronServer, key: str
) -> None:
    async with translate_socket(server, key, "from=en&to=xx") as ws:
        error = json.loads(await asyncio.wait_for(ws.recv(), 60))
        await ws.wait_closed()
    assert error["type"] == "error" and error["status"] == 400
    assert error["stage"] == "languages"
    assert "en can be interpreted into:" in error["detail"] and " es," in error["detail"]
    assert ws.close_code == 4400
    async with translate_socket(server, key, "to=es") as ws:
        error = json.loads(await asyncio.wait_for(ws.recv(), 60))
        assert error["status"] == 422 and "from=en" in error["detail"]


async def test_bad_keys_and_bad_formats_are_refused_as_on_the_voice_socket(
    server: HeronServer, key: str
) -> None:
    async with translate_socket(server, "nope", "from=en&to=es") as ws:
        error = json.loads(await asyncio.wait_for(ws.recv(), 10))
        await ws.wait_closed()
    assert error["status"] == 401 and ws.close_code == 4401
    async with translate_socket(server, key, "from=en&to=es") as ws:
        await ws.send(json.dumps({"type": "hello", "format": {"rate": 3}}))
        error = json.loads(await asyncio.wait_for(ws.recv(), 60))
        await ws.wait_closed()
    assert error["status"] == 400 and "sample rate" in error["detail"]
    assert ws.close_code == 4400
    async with translate_socket(server, key, "from=en&to=es") as ws:
        await ws.send(json.dumps({"type": "hello"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 60))["type"] == "ready"
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv())["type"] == "pong"
        await ws.send(json.dumps({"type": "shout"}))
        assert json.loads(await ws.recv())["status"] == 422
