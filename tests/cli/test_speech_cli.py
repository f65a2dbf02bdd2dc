"""`heron say`, `heron transcribe` and `heron listen` as a user runs them: files in, files out."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import pytest

from tests.cli.test_cli import heron
from tests.e2e.harness import heron_env, run_heron


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return heron_env(tmp_path / "data")


def test_say_then_listen_answers_the_spoken_request(env: dict[str, str], tmp_path: Path) -> None:
    request = tmp_path / "request.wav"
    reply = tmp_path / "reply.wav"
    said = heron("say", "Set a timer for five minutes.", "-o", str(request), env=env)
    assert "Wrote" in said and request.stat().st_size > 20_000
    heard = json.loads(heron("transcribe", str(request), "--json", env=env))
    assert "timer" in heard["text"].lower() and heard["engine"] == "whisper"
    answered = json.loads(heron("listen", str(request), "--json", "-o", str(reply), env=env))
    assert answered["intent"]["intent"] == "timer.set"
    assert "5 minutes" in answered["reply"]
    assert {"stt_ms", "assistant_ms", "tts_first_audio_ms"} <= set(answered["timings"])
    with wave.open(io.BytesIO(reply.read_bytes())) as spoken:
        assert spoken.getnframes() / spoken.getframerate() > 1.0
    # The timer the spoken request set is there for the next command.
    timers = json.loads(heron("timers", "--json", env=env))
    assert [t["duration_s"] for t in timers] == [300]


def test_bad_files_fail_with_a_clear_message(env: dict[str, str], tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all" * 100)
    done = run_heron("transcribe", str(junk), env=env)
    assert done.returncode == 2
    assert "not audio Heron can read" in done.stderr and "Traceback" not in done.stderr
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(bytes(32_000))
    done = run_heron("transcribe", str(silent), env=env)
    assert done.returncode == 1 and "didn't hear anything" in done.stderr
    done = run_heron(
        "say", "hello", "-o", str(tmp_path / "x.wav"), "--voice", "zz-nowhere", env=env
    )
    assert done.returncode == 2 and "voice" in done.stderr
