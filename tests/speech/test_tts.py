"""Text-to-speech: the packaged Piper voice (default) and espeak-ng for other languages."""

from __future__ import annotations

import numpy as np
import pytest

from heron.audio import level_dbfs
from heron.errors import BadInput
from heron.speech import SpeechEngines


def seconds(chunks: list[np.ndarray], rate: int) -> float:
    return sum(len(c) for c in chunks) / rate


def test_piper_speaks_a_sentence_at_a_time(speech: SpeechEngines) -> None:
    spoken = speech.tts("piper").synthesize("Hello there. The timer is done. Anything else?")
    chunks = list(spoken.chunks)
    assert spoken.rate == 22_050
    assert len(chunks) == 3  # one per sentence: the first can play while the rest is made
    assert 2.0 < seconds(chunks, spoken.rate) < 6.0
    assert level_dbfs(np.concatenate(chunks)) > -30


def test_speed_changes_how_long_speech_takes(speech: SpeechEngines) -> None:
    tts = speech.tts("piper")
    text = "Your pasta timer is done."
    normal = list(tts.synthesize(text).chunks)
    fast = list(tts.synthesize(text, speed=1.5).chunks)
    assert seconds(fast, 22_050) < 0.8 * seconds(normal, 22_050)


def test_espeak_speaks_other_languages(speech: SpeechEngines) -> None:
    engine, voice = speech.tts_for("fr")
    assert engine.name == "espeak"
    spoken = engine.synthesize("Bonjour. Il est midi.", voice=voice)
    chunks = list(spoken.chunks)
    assert len(chunks) == 2
    assert seconds(chunks, spoken.rate) > 1.0
    assert {v.engine for v in speech.voices()} == {"piper", "espeak"}


def test_unknown_voices_and_engines_are_refused(speech: SpeechEngines) -> None:
    with pytest.raises(BadInput, match="unknown voice"):
        speech.tts_for("en_GB-nobody-high")
    with pytest.raises(BadInput, match="unknown Piper voice"):
        speech.tts("piper").synthesize("hi", voice="nobody")
    with pytest.raises(BadInput, match="no voice"):
        speech.tts("espeak").synthesize("hi", voice="xx-nowhere")
    with pytest.raises(BadInput, match="unknown text-to-speech engine"):
        speech.tts("festival")
