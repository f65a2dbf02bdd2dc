"""Speech-to-text with the packaged models: Whisper base (default) and PocketSphinx."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pytest

from heron.audio import RATE, Samples
from heron.errors import BadInput
from heron.language.normalize import fold
from heron.speech import SpeechEngines


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", fold(text).replace("5", "five"))


def test_whisper_writes_down_a_command_exactly(
    speech: SpeechEngines, spoken: Callable[..., Samples]
) -> None:
    transcript = speech.stt("whisper").transcribe(
        spoken("Set a timer for five minutes.", pad_s=0.3), language="en"
    )
    assert words(transcript.text) == words("set a timer for five minutes")
    assert transcript.language == "en"
    assert transcript.seconds == pytest.approx(2.1, abs=0.6)
    assert transcript.segments and transcript.segments[0].end_s > 1.0


def test_whisper_detects_the_language_when_not_told(
    speech: SpeechEngines, spoken: Callable[..., Samples]
) -> None:
    transcript = speech.stt("whisper").transcribe(spoken("What is the capital of Australia?"))
    assert transcript.language == "en"
    assert "australia" in words(transcript.text)


def test_hints_spell_names_the_user_uses_without_changing_clear_words(
    speech: SpeechEngines, spoken: Callable[..., Samples]
) -> None:
    hints = ("hardware list", "shopping list", "Ana")
    whisper = speech.stt("whisper")
    call = spoken("Remind me to call Ana tomorrow at nine.", pad_s=0.2)
    # Unhinted, Whisper writes "Anna" or "on it"; the user's own spelling needs the hint.
    assert "ana" in words(whisper.transcribe(call, language="en", hints=hints).text)
    eggs = spoken("Put eggs on my hardware list.", pad_s=0.2)
    hinted = whisper.transcribe(eggs, language="en", hints=hints)
    assert words(hinted.text) == words("put eggs on my hardware list")


def test_sphinx_is_the_light_engine_and_hears_most_words(
    speech: SpeechEngines, spoken: Callable[..., Samples]
) -> None:
    transcript = speech.stt("sphinx").transcribe(spoken("Set a timer for five minutes."))
    heard = set(words(transcript.text))
    assert {"timer", "five", "minutes"} <= heard
    assert transcript.segments[-1].end_s > 1.0


def test_unknown_engine_and_language_are_refused(speech: SpeechEngines) -> None:
    silence = np.zeros(RATE, np.int16)
    with pytest.raises(BadInput, match="unknown speech-to-text engine"):
        speech.stt("kaldi")
    with pytest.raises(BadInput, match="language"):
        speech.stt("whisper").transcribe(silence, language="klingon")
    with pytest.raises(BadInput, match="English only"):
        speech.stt("sphinx").transcribe(silence, language="fr")


def test_silence_is_not_speech_and_speech_is(
    speech: SpeechEngines, spoken: Callable[..., Samples]
) -> None:
    assert not speech.has_speech(np.zeros(2 * RATE, np.int16))
    hum = (np.random.default_rng(1).normal(0, 30, 2 * RATE)).astype(np.int16)
    assert not speech.has_speech(hum)
    assert speech.has_speech(spoken("Hello there.", pad_s=1.0))
