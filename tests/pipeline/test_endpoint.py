"""End-pointing: quick for a finished command, patient with a slow speaker, no fixed timeout."""

from __future__ import annotations

import pytest

from heron.pipeline.endpoint import Endpointer, Mark

FRAME_S = 0.032


def feed(endpointer: Endpointer, pattern: list[tuple[bool, float]]) -> list[tuple[float, Mark]]:
    """(speech?, seconds) runs → the marks and when (seconds from the start) they came."""
    marks = []
    for speech, length in pattern:
        for _ in range(round(length / FRAME_S)):
            mark = endpointer.update(0.9 if speech else 0.05)
            if mark is not None:
                marks.append((round(endpointer.heard_s, 2), mark))
    return marks


def ended_at(marks: list[tuple[float, Mark]]) -> float | None:
    return next((at for at, mark in marks if mark is Mark.END), None)


def test_a_short_pause_does_not_end_the_request_and_silence_does() -> None:
    endpointer = Endpointer(FRAME_S)
    marks = feed(endpointer, [(False, 0.5), (True, 1.0), (False, 0.3), (True, 1.0), (False, 2)])
    kinds = [m for _, m in marks]
    assert kinds[0] is Mark.SPEECH_START
    assert Mark.RESUME in kinds  # the 0.3 s pause did not end it
    end = ended_at(marks)
    assert end is not None
    # The end comes about half a second after the words, not after a fixed timeout.
    assert 0.45 <= end - 2.8 <= 0.6
    assert endpointer.speech_end_s == pytest.approx(2.8, abs=FRAME_S)


def test_a_slow_speaker_with_long_pauses_is_not_cut_off() -> None:
    endpointer = Endpointer(FRAME_S)
    # Pauses of 0.45 s inside the request: a fixed 0.5 s end would be too eager for them later.
    pattern = [(True, 0.8), (False, 0.45), (True, 0.8), (False, 0.45), (True, 0.6), (False, 0.6)]
    pattern += [(True, 0.7), (False, 3.0)]
    marks = feed(endpointer, pattern)
    end = ended_at(marks)
    assert end is not None and end > 4.4  # after the last words (which end at 4.4 s)
    assert endpointer.silence_needed_s >= 1.6 * 0.6 - 0.05


def test_a_complete_command_ends_after_a_short_pause() -> None:
    endpointer = Endpointer(FRAME_S)
    marks = feed(endpointer, [(True, 1.5), (False, 0.25)])
    assert ended_at(marks) is None
    assert endpointer.mark_complete() is Mark.END


def test_more_words_after_a_complete_guess_undo_it() -> None:
    endpointer = Endpointer(FRAME_S)
    feed(endpointer, [(True, 1.5), (False, 0.1)])
    assert endpointer.mark_complete() is None  # not yet silent long enough
    marks = feed(endpointer, [(True, 0.5), (False, 0.3)])
    assert not endpointer.complete
    assert ended_at(marks) is None


def test_noise_clicks_do_not_start_an_utterance() -> None:
    endpointer = Endpointer(FRAME_S)
    marks = feed(endpointer, [(False, 0.5), (True, 0.05), (False, 1.0)])
    assert marks == []
    assert not endpointer.started


def test_words_that_stop_mid_sentence_get_the_longest_pause() -> None:
    endpointer = Endpointer(FRAME_S)
    feed(endpointer, [(True, 1.2), (False, 0.1)])
    endpointer.mark_unfinished()  # "set a timer for"
    assert ended_at(feed(endpointer, [(False, 0.8)])) is None
    assert ended_at(feed(endpointer, [(False, 0.5)])) is not None


def test_the_wake_words_tail_is_not_taken_for_the_request() -> None:
    # The audio after a wake word starts with the end of "nabu", then a pause, then the request.
    endpointer = Endpointer(FRAME_S, lead_in_s=0.3)
    marks = feed(endpointer, [(True, 0.15), (False, 0.7), (True, 1.2), (False, 1.0)])
    assert marks[0][1] is Mark.SPEECH_START
    assert marks[0][0] == pytest.approx(0.85 + 0.1, abs=2 * FRAME_S)  # the request's start
    end = ended_at(marks)
    assert end is not None and end > 2.05


def test_a_request_said_without_a_pause_after_the_wake_word_starts_at_once() -> None:
    endpointer = Endpointer(FRAME_S, lead_in_s=0.3)
    marks = feed(endpointer, [(True, 1.5), (False, 1.0)])
    assert marks[0][1] is Mark.SPEECH_START
    assert marks[0][0] == pytest.approx(0.3, abs=2 * FRAME_S)
    assert ended_at(marks) is not None
