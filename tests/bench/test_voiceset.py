"""The voice test set (bench/voiceset.py): its texts, its WER and a tiny real build."""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import voiceset


def test_texts_are_distinct_spoken_sentences_across_the_skills() -> None:
    texts = voiceset.utterances()

    assert len(texts) == voiceset.DEFAULT_TEXTS
    assert len({" ".join(voiceset.normalized_words(t)) for t in texts}) == len(texts)
    assert not [t for t in texts if any(mark in t for mark in "()[]{}|")]
    lowered = " ".join(texts).lower()
    for topic_word in ("timer", "remind", "list", "capital", "time", "remember", "name"):
        assert topic_word in lowered
    assert texts[:10] == voiceset.utterances(10)


@pytest.mark.parametrize(
    ("reference", "hypothesis"),
    [
        ("Set a timer for 5 minutes", "set a timer for five minutes."),
        ("What's on my to-do list?", "What is on my todo list"),
        ("Remind me at 7:30am", "Remind me at seven thirty a.m."),
        ("Wake me up at 6", "Wake me up at 6:00."),
        ("Add an alarm at 6:30am", "Add an alarm at 6.30am"),
        ("What day was July 4 1976?", "What day was July 4th, 1976?"),
        ("Convert 100 meters to feet", "convert a hundred meters to feet"),
        ("What are the neighbours of Kenya?", "what are the neighbors of kenya"),
        ("Whats the time", "what is the time"),
    ],
)
def test_wer_counts_no_error_for_the_same_words_written_differently(
    reference: str, hypothesis: str
) -> None:
    errors, words = voiceset.wer(reference, hypothesis)

    assert errors == 0
    assert words > 0


def test_wer_counts_substitutions_deletions_and_insertions() -> None:
    assert voiceset.wer("set a pasta timer", "set the pasta timer now please") == (3, 4)
    assert voiceset.wer("where did I park", "") == (4, 4)


def test_build_renders_every_voice_and_condition_once(tmp_path: Path) -> None:
    clips = voiceset.build(tmp_path, texts=2, per_voice=1, progress=False)

    voices = {voice.name for voice in voiceset.voices()}
    assert {clip.voice for clip in clips} == voices
    assert {clip.condition for clip in clips} == {c.name for c in voiceset.CONDITIONS}
    for clip in clips:
        with wave.open(str(clip.path)) as reader:
            assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (
                16_000,
                1,
                2,
            )
            assert reader.getnframes() / 16_000 == pytest.approx(clip.seconds)
        assert clip.seconds > 2 * voiceset.PAD_S

    written = {clip.path: clip.path.stat().st_mtime_ns for clip in clips}
    again = voiceset.build(tmp_path, texts=2, per_voice=1, progress=False)
    assert [clip.path for clip in again] == [clip.path for clip in clips]
    assert all(clip.path.stat().st_mtime_ns == written[clip.path] for clip in again)
