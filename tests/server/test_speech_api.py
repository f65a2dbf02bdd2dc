"""Speech over HTTP and the voice WebSocket of a real `heron serve`, as a device or app would
use them: uploads in several formats, bad audio, synthesis, and a whole spoken turn."""

from __future__ import annotations

import asyncio
import io
import json
import wave
from collections.abc import Callable, Iterator

import httpx
import numpy as np
import pytest

from heron.audio import RATE, Samples, resample, wav_bytes
from tests.e2e.harness import HeronServer, socket_to
from tests.server.test_api import assert_problem
from tests.test_audio import encode


@pytest.fixture
def api(server: HeronServer, key: str) -> Iterator[httpx.Client]:
    with server.client(key) as client:
        client.timeout = httpx.Timeout(120)
        yield client


def read_wav(data: bytes) -> tuple[int, Samples]:
    with wave.open(io.BytesIO(data)) as reader:
        return reader.getframerate(), np.frombuffer(reader.readframes(reader.getnframes()), "<i2")


def test_a_wav_upload_is_written_down(api: httpx.Client, spoken: Callable[..., Samples]) -> None:
    audio = wav_bytes([spoken("What is the capital of Peru?", pad_s=0.3)])
    response = api.post(
        "/v1/speech/transcribe", content=audio, headers={"Content-Type": "audio/wav"}
    )
    assert response.status_code == 200, response.text
    found = response.json()
    assert "peru" in found["text"].lower()
    assert found["heard"] is True
    assert found["language"] == "en"
    assert found["segments"] and found["engine"] == "whisper"


def test_a_stereo_mp3_form_upload_at_44k_is_written_down(
    api: httpx.Client, spoken: Callable[..., Samples]
) -> None:
    mono = resample(spoken("Add eggs to my shopping list.", pad_s=0.3), RATE, 44_100)
    mp3 = encode(np.stack([mono, mono], axis=1), 44_100, "mp3", "libmp3lame")
    response = api.post("/v1/speech/transcribe", files={"file": ("request.mp3", mp3, "audio/mpeg")})
    assert response.status_code == 200, response.text
    assert "shopping list" in response.json()["text"].lower()


def test_the_light_engine_can_be_chosen(api: httpx.Client, spoken: Callable[..., Samples]) -> None:
    audio = wav_bytes([spoken("Set a timer for five minutes.", pad_s=0.3)])
    response = api.post(
        "/v1/speech/transcribe?engine=sphinx",
        content=audio,
        headers={"Content-Type": "audio/wav"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["engine"] == "sphinx"
    assert "timer" in response.json()["text"]


def test_silence_is_not_invented_into_words(api: httpx.Client) -> None:
    response = api.post(
        "/v1/speech/transcribe",
        content=wav_bytes([np.zeros(2 * RATE, np.int16)]),
        headers={"Content-Type": "audio/wav"},
    )
    assert response.status_code == 200
    found = response.json()
    assert found["text"] == "" and found["heard"] is False
    assert "didn't hear anything" in found["detail"]


def test_bad_audio_gets_the_status_a_client_can_act_on(api: httpx.Client) -> None:
    def upload(data: bytes, kind: str = "audio/wav") -> httpx.Response:
        return api.post("/v1/speech/transcribe", content=data, headers={"Content-Type": kind})

    assert_problem(upload(b"RIFF" + bytes(200)), 400)
    assert_problem(upload(b""), 400)
    assert_problem(upload(b"\x00\x01garbage" * 500), 400)
    assert_problem(upload(b"%PDF-1.4 not audio", "application/pdf"), 415)
    assert_problem(upload(b"{}", "application/json"), 415)
    # Longer than HERON_MAX_AUDIO_SECONDS (60 s): refused, not transcribed for a minute.
    long = wav_bytes([np.zeros(61 * RATE, np.int16)])
    assert_problem(upload(long), 413)
    # Larger than HERON_MAX_AUDIO_BYTES: refused from the declared length.
    assert_problem(upload(bytes(26_000_000)), 413)
    # Other bodies keep the small limit.
    assert_problem(api.post("/v1/assistant/ask", content=bytes(2_000_000)), 413)


def test_an_unknown_engine_or_no_key_is_refused(
    server: HeronServer, api: httpx.Client, spoken: Callable[..., Samples]
) -> None:
    audio = wav_bytes([spoken("Hello.", pad_s=0.2)])
    headers = {"Content-Type": "audio/wav"}
    assert_problem(api.post("/v1/speech/transcribe?engine=x", content=audio, headers=headers), 422)
    with server.client() as anonymous:
        assert_problem(anonymous.post("/v1/speech/transcribe", content=audio, headers=headers), 401)


def test_synthesize_returns_a_wav_and_can_stream_it(api: httpx.Client) -> None:
    response = api.post("/v1/speech/synthesize", json={"text": "Hello. Your timer is done."})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/wav"
    rate, samples = read_wav(response.content)
    assert rate == 22_050 and len(samples) / rate > 1.0
    with api.stream(
        "POST", "/v1/speech/synthesize", json={"text": "One. Two. Three.", "stream": True}
    ) as streamed:
        assert streamed.status_code == 200
        parts = list(streamed.iter_bytes())
    data = b"".join(parts)
    assert data[:4] == b"RIFF" and len(data) > 44 + 22_050
    french = api.post("/v1/speech/synthesize", json={"text": "Bonjour.", "voice": "fr"})
    assert french.status_code == 200 and read_wav(french.content)[0] == 22_050


def test_synthesize_refuses_what_it_cannot_say(api: httpx.Client) -> None:
    assert_problem(api.post("/v1/speech/synthesize", json={"text": ""}), 422)
    assert_problem(api.post("/v1/speech/synthesize", json={"text": "hi", "voice": "zz-q"}), 422)
    assert_problem(api.post("/v1/speech/synthesize", json={"text": "hi", "speed": 9}), 422)
    assert_problem(api.post("/v1/speech/synthesize", content=b"{not json"), 422)


def test_voices_are_listed(api: httpx.Client) -> None:
    found = api.get("/v1/speech/voices").json()
    assert found["default"] == "en_US-joe-medium"
    names = {v["name"] for v in found["voices"]}
    assert {"en_US-joe-medium", "en-us", "fr", "de"} <= names


# --- the voice WebSocket -------------------------------------------------------------


def voice_socket(server: HeronServer, key: str | None) -> object:
    url = server.ws_url.replace("/v1/assistant/events", "/v1/voice")
    headers = {"Authorization": f"Bearer {key}"} if key else None
    return socket_to(url, headers=headers)


async def events_until(ws: object, kind: str, within_s: float = 60) -> tuple[list[dict], bytes]:
    """Messages until one of `kind` (included), and the binary audio that came with them."""
    messages: list[dict] = []
    audio = bytearray()
    async with asyncio.timeout(within_s):
        while True:
            message = await ws.recv()  # type: ignore[attr-defined]
            if isinstance(message, bytes):
                audio.extend(message)
                continue
            messages.append(json.loads(message))
            if messages[-1]["type"] == kind:
                return messages, bytes(audio)


async def test_a_spoken_turn_over_the_websocket(
    server: HeronServer, key: str, spoken: Callable[..., Samples]
) -> None:
    request = resample(spoken("What is the capital of Canada?", pad_s=0.3), RATE, 48_000)
    async with voice_socket(server, key) as ws:  # type: ignore[attr-defined]
        hello = {"type": "hello", "device": "phone", "start": "button"}
        hello["format"] = {"rate": 48_000, "width": 2, "channels": 1}
        await ws.send(json.dumps(hello))
        before, _ = await events_until(ws, "ready")
        assert [m["type"] for m in before][-1] == "ready"
        frames = np.concatenate([request, np.zeros(48_000 * 2, np.int16)])
        for start in range(0, len(frames), 4800):  # 100 ms frames, at 10x real time
            await ws.send(frames[start : start + 4800].astype("<i2").tobytes())
            await asyncio.sleep(0.01)
        messages, audio = await events_until(ws, "done")
    kinds = [m["type"] for m in messages]
    assert kinds.index("speech-end") < kinds.index("transcript") < kinds.index("reply")
    reply = next(m for m in messages if m["type"] == "reply")
    assert "Ottawa" in reply["text"]
    start = next(m for m in messages if m["type"] == "audio-start")
    assert start["rate"] == 22_050 and len(audio) / 2 / 22_050 > 1.0
    done = messages[-1]
    assert done["timings"]["first_audio_ms"] > 0


async def test_the_websocket_refuses_bad_keys_and_bad_hellos(server: HeronServer, key: str) -> None:
    async with voice_socket(server, "nope") as ws:  # type: ignore[attr-defined]
        # A bad key is refused at once, before any hello (sending one could race the close).
        error = json.loads(await ws.recv())
        assert error["type"] == "error" and error["status"] == 401
        await ws.wait_closed()
        assert ws.close_code == 4401
    async with voice_socket(server, key) as ws:  # type: ignore[attr-defined]
        await ws.send(json.dumps({"type": "hello", "format": {"rate": 3}}))
        error = json.loads(await ws.recv())
        assert error["status"] == 400 and "sample rate" in error["detail"]
    async with voice_socket(server, key) as ws:  # type: ignore[attr-defined]
        await ws.send("not json")
        error = json.loads(await ws.recv())
        assert error["status"] == 422
    async with voice_socket(server, key) as ws:  # type: ignore[attr-defined]
        await ws.send(json.dumps({"type": "hello", "start": "button"}))
        await events_until(ws, "ready")
        await ws.send("{oops")
        error = json.loads(await ws.recv())
        assert error["type"] == "error" and error["status"] == 422
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv())["type"] == "pong"  # the session goes on
