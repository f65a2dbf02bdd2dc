"""Tests for heron/language/langid.py: the packaged py3langid model on short sentences, and
how unsure guesses are reported."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from heron.language.langid import (
    MIN_CONFIDENCE,
    Py3LangId,
    decide,
    default_identifier,
    language_name,
)

SENTENCES = [
    ("de", "Ich möchte einen Tisch reservieren"),
    ("en", "Set a timer for ten minutes"),
    ("fr", "Je voudrais réserver une table pour ce soir"),
    ("es", "Recuérdame llamar a mi hermana esta noche"),
    ("nl", "Hoe ver is het naar het station?"),
    ("pl", "Jaka będzie jutro pogoda?"),
    ("tr", "Bu akşam için bir masa ayırtmak istiyorum"),
    ("el", "Καλημέρα σας, τι κάνετε σήμερα;"),
    ("ja", "台所の電気を消してください"),
    ("hi", "मैं आज रात के लिए एक मेज़ बुक करना चाहता हूँ"),
]


@pytest.mark.parametrize(("code", "text"), SENTENCES)
def test_short_sentences_are_told_apart(code: str, text: str) -> None:
    [found] = default_identifier().detect([text])

    assert found.code == code
    assert found.reliable
    assert found.confidence >= MIN_CONFIDENCE
    assert code not in {c.code for c in found.alternatives}


def test_a_german_request_is_german_with_its_name() -> None:
    [found] = default_identifier().detect(["Ich möchte einen Tisch reservieren"])

    assert (found.code, found.name) == ("de", "German")
    assert found.confidence > 0.95


def test_results_keep_the_order_of_the_texts() -> None:
    texts = [text for _, text in SENTENCES]

    found = default_identifier().detect(texts)

    assert [d.code for d in found] == [code for code, _ in SENTENCES]


def test_shouting_is_the_same_language() -> None:
    [found] = default_identifier().detect(["ICH MÖCHTE EINEN TISCH RESERVIEREN"])

    assert found.code == "de"


@pytest.mark.parametrize("text", ["ok", "a", "?!", "123 456", "3.14159 2.71828 1.41421"])
def test_too_little_to_go_on_is_undetermined_not_a_confident_guess(text: str) -> None:
    [found] = default_identifier().detect([text])

    assert (found.code, found.name) == ("und", "Undetermined")
    assert not found.reliable
    assert found.confidence < MIN_CONFIDENCE
    assert all(c.confidence < MIN_CONFIDENCE for c in found.alternatives)


def test_an_unsure_guess_lists_the_candidates_instead() -> None:
    # Short Russian that the model finds as Macedonian- and Serbian-like as Russian.
    [found] = default_identifier().detect(["Как далеко до вокзала?"])

    assert found.code == "und"
    assert "ru" in [c.code for c in found.alternatives]
    confidences = [c.confidence for c in found.alternatives]
    assert confidences == sorted(confidences, reverse=True)
    assert found.confidence == confidences[0]


def test_a_confident_answer_with_a_close_second_lists_it() -> None:
    [found] = default_identifier().detect(["Я хочу забронировать столик на вечер"])

    assert found.code == "ru"
    assert found.alternatives[0].code == "uk"


def test_below_the_threshold_the_best_guess_is_only_an_alternative() -> None:
    found = decide([("en", 0.47), ("no", 0.2), ("da", 0.1), ("nn", 0.01)], 0.5)

    assert found.code == "und"
    assert found.confidence == 0.47
    assert [c.code for c in found.alternatives] == ["en", "no", "da"]  # 1% is noise


def test_at_the_threshold_the_best_guess_is_the_answer() -> None:
    found = decide([("en", 0.5), ("no", 0.3), ("da", 0.2)], 0.5)

    assert (found.code, found.reliable) == ("en", True)
    assert [c.code for c in found.alternatives] == ["no", "da"]


def test_the_threshold_can_be_raised() -> None:
    strict = Py3LangId(min_confidence=0.999)

    [found] = strict.detect(["Set a timer for ten minutes"])

    assert found.code == "und"
    assert found.alternatives[0].code == "en"


def test_language_names_are_plain() -> None:
    assert language_name("el") == "Greek"
    assert language_name("sw") == "Swahili"  # not "Swahili (macrolanguage)"
    assert language_name("nb") == "Norwegian Bokmål"
    assert language_name("qq") == "qq"


def test_answers_only_with_two_letter_codes() -> None:
    # Dialects the model also knows (Wu Chinese, Egyptian Arabic) are not answers.
    found = default_identifier().detect(["到车站有多远", "كيف سيكون الطقس غدا"])

    for detection in found:
        assert len(detection.code) == 2
        assert all(len(c.code) == 2 for c in detection.alternatives)
    assert [d.code for d in found] == ["zh", "ar"]


def test_several_threads_at_once_on_a_fresh_engine_agree_with_one() -> None:
    fresh = Py3LangId()
    texts = [text for _, text in SENTENCES] * 3

    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda t: fresh.detect([t])[0].code, texts))

    assert found == [code for code, _ in SENTENCES] * 3
