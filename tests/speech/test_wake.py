"""Wake-word listeners on the real models, hearing phrases said by the packaged Piper voice."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from heron.audio import RATE, Samples, resample
from heron.errors import BadAudio, BadInput, EngineUnavailable
from heron.speech import wake
from heron.speech.base import Detection, WakeWord

PAD_S = 0.5


class Said:
    """A clip: silence, the text, silence; and where the speech is."""

    def __init__(self, speech: Samples) -> None:
        pad = np.zeros(round(PAD_S * RATE), np.int16)
        self.audio = np.concatenate([pad, speech, pad])
        self.start = len(pad)
        self.end = len(pad) + len(speech)


@pytest.fixture(scope="module")
def say() -> Callable[[str], Said]:
    from piper import PiperVoice
    from piper.config import SynthesisConfig

    from heron.assets import piper_joe

    voice = PiperVoice.load(*piper_joe())
    # No sampling noise: the same clip on every run.
    steady = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)

    def speak(text: str) -> Said:
        parts = [chunk.audio_int16_array for chunk in voice.synthesize(text, steady)]
        return Said(resample(np.concatenate(parts), voice.config.sample_rate))

    return speak


@pytest.fixture(scope="module")
def clips(say: Callable[[str], Said]) -> dict[str, Said]:
    return {
        "okay_nabu": say("okay nabu"),
        "hey_jarvis": say("hey jarvis"),
        "sentence": say("Turn on the kitchen lights, please."),
    }


def hear(listener: WakeWord, audio: Samples, chunk: int = 1600) -> list[tuple[int, Detection]]:
    """Feeds `audio` in chunks; each detection with the sample where its chunk ended."""
    heard = []
    for start in range(0, len(audio), chunk):
        detection = listener.process(audio[start : start + chunk])
        if detection is not None:
            heard.append((min(start + chunk, len(audio)), detection))
    return heard


PAIRS = [(engine, model) for engine in ("micro", "open") for model in ("okay_nabu", "hey_jarvis")]


def test_models_lists_each_engines_wake_words() -> None:
    found = wake.models()
    assert set(found["micro"]) == {"okay_nabu", "hey_jarvis", "alexa", "hey_mycroft"}
    assert set(found["open"]) == {"okay_nabu", "hey_jarvis", "alexa", "hey_mycroft", "hey_rhasspy"}


@pytest.mark.parametrize(("engine", "model"), PAIRS)
def test_wake_phrase_is_detected_once_as_it_ends(
    engine: str, model: str, clips: dict[str, Said]
) -> None:
    said = clips[model]
    listener = wake.listener(model, engine)
    heard = hear(listener, said.audio)
    assert len(heard) == 1
    at, detection = heard[0]
    assert detection.wake_word == model
    assert detection.score > listener.threshold  # type: ignore[attr-defined]
    assert said.start < at <= said.end + RATE // 2


@pytest.mark.parametrize("engine", ["micro", "open"])
def test_a_plain_sentence_wakes_no_model(engine: str, clips: dict[str, Said]) -> None:
    for model in wake.models()[engine]:
        assert hear(wake.listener(model, engine), clips["sentence"].audio) == [], model


@pytest.mark.parametrize("engine", ["micro", "open"])
def test_detection_does_not_depend_on_chunk_size(engine: str, clips: dict[str, Said]) -> None:
    said = clips["hey_jarvis"]
    listener = wake.listener("hey_jarvis", engine)
    ends = []
    for chunk in (333, 480, 1600, len(said.audio)):
        listener.reset()
        heard = hear(listener, said.audio, chunk)
        assert len(heard) == 1, chunk
        ends.append(heard[0][0])
    # Small chunks tell where it fired to within a chunk; all agree to within 100 ms.
    assert max(ends[:3]) - min(ends[:3]) <= 1600


@pytest.mark.parametrize("engine", ["micro", "open"])
def test_reset_forgets_half_a_wake_phrase(engine: str, clips: dict[str, Said]) -> None:
    said = clips["okay_nabu"]
    cut = (said.start + said.end) // 2
    listener = wake.listener("okay_nabu", engine)
    assert hear(listener, said.audio[:cut]) == []
    assert len(hear(listener, said.audio[cut:])) == 1

    listener.reset()
    assert hear(listener, said.audio[:cut]) == []
    listener.reset()
    assert hear(listener, said.audio[cut:]) == []


@pytest.mark.parametrize("engine", ["micro", "open"])
def test_saying_it_again_after_a_pause_wakes_again(engine: str, clips: dict[str, Said]) -> None:
    said = clips["okay_nabu"]
    listener = wake.listener("okay_nabu", engine)
    twice = np.concatenate([said.audio, np.zeros(RATE, np.int16), said.audio])
    assert len(hear(listener, twice)) == 2
    # And after a detection, reset leaves it ready to hear the phrase at once.
    listener.reset()
    assert len(hear(listener, said.audio)) == 1


@pytest.mark.parametrize("engine", ["micro", "open"])
def test_listeners_keep_their_own_streams_across_threads(
    engine: str, clips: dict[str, Said]
) -> None:
    hearing = wake.listener("hey_jarvis", engine)
    other = wake.listener("hey_jarvis", engine)
    wake_audio, sentence = clips["hey_jarvis"].audio, clips["sentence"].audio
    found: dict[str, int] = {"wake": 0, "sentence": 0}
    # Interleaved on one thread: the two streams do not mix.
    for start in range(0, max(len(wake_audio), len(sentence)), 480):
        found["wake"] += hearing.process(wake_audio[start : start + 480]) is not None
        found["sentence"] += other.process(sentence[start : start + 480]) is not None
    assert found == {"wake": 1, "sentence": 0}
    # At once on two threads (models are shared; each thread runs its own interpreters).
    hearing.reset()
    other.reset()
    with ThreadPoolExecutor(2) as pool:
        counts = list(
            pool.map(lambda listener: len(hear(listener, wake_audio, 480)), [hearing, other])
        )
    assert counts == [1, 1]


@pytest.mark.parametrize("engine", ["micro", "open"])
def test_a_new_listener_is_cheap(engine: str) -> None:
    wake.listener("alexa", engine)
    began = time.perf_counter()
    for _ in range(50):
        wake.listener("alexa", engine)
    assert time.perf_counter() - began < 0.5


def test_unknown_models_engines_and_thresholds_are_bad_input() -> None:
    with pytest.raises(BadInput, match="okay_nabu, hey_jarvis"):
        wake.listener("hey_siri")
    with pytest.raises(BadInput, match="hey_rhasspy"):
        wake.listener("computer", "open")
    with pytest.raises(BadInput, match="no model 'hey_rhasspy'"):
        wake.listener("hey_rhasspy", "micro")
    with pytest.raises(BadInput, match="micro or open"):
        wake.listener("okay_nabu", "porcupine")
    with pytest.raises(BadInput, match="between 0 and 1"):
        wake.listener("okay_nabu", threshold=1.5)


def test_float_or_stereo_samples_are_bad_audio() -> None:
    listener = wake.listener()
    with pytest.raises(BadAudio, match="int16"):
        listener.process(np.zeros(1600, np.float32))
    with pytest.raises(BadAudio, match="1-D"):
        listener.process(np.zeros((800, 2), np.int16))


def test_a_missing_engine_package_is_engine_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(wake.ENGINES, "micro", "heron_no_such_wake_package")
    assert "micro" not in wake.models()
    with pytest.raises(EngineUnavailable, match="heron-no-such-wake-package"):
        wake.listener("okay_nabu", "micro")
