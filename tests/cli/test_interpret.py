"""`heron interpret` as a user runs it: a recording in, the translated speech written to a WAV
and each transcript and translation printed; without a microphone, a clear error."""

from __future__ import annotations

import contextlib
import io
import json
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heron.audio import Samples, wav_bytes
from heron.cli.main import app
from tests.e2e.harness import heron_env, run_heron


def test_a_recording_is_interpreted_into_a_wav(
    tmp_path: Path, spoken: Callable[..., Samples]
) -> None:
    recording = tmp_path / "english.wav"
    recording.write_bytes(wav_bytes([spoken("Where is the train station?", pad_s=0.3)]))
    spanish = tmp_path / "spanish.wav"
    env = heron_env(tmp_path / "data")

    done = run_heron(
        "interpret", "--from", "en", "--to", "es", "--json",
        "--input-wav", str(recording), "--output-wav", str(spanish),
        env=env,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    [transcript] = [e for e in events if e["type"] == "transcript"]
    assert "station" in transcript["text"].lower()
    [translation] = [e for e in events if e["type"] == "translation"]
    assert "estación" in translation["text"] and translation["to"] == "es"
    assert events[-1]["type"] == "done" and events[-1]["latency_ms"] > 0
    with wave.open(io.BytesIO(spanish.read_bytes())) as written:
        assert written.getframerate() == 22_050
        assert written.getnframes() / written.getframerate() > 1.0
    assert f"Wrote {spanish}" in done.stderr


def test_without_a_microphone_it_says_what_to_use_instead(tmp_path: Path) -> None:
    try:
        import sounddevice  # type: ignore[import-untyped]
    except (ImportError, OSError):
        pass  # no sounddevice, or no PortAudio: no microphone either
    else:
        with contextlib.suppress(ValueError, sounddevice.PortAudioError):
            sounddevice.query_devices(None, "input")
            pytest.skip("this machine has a microphone")

    result = CliRunner().invoke(app, ["interpret", "--from", "en", "--to", "es"])

    assert result.exit_code == 2
    assert "no microphone" in result.stderr and "--input-wav" in result.stderr
