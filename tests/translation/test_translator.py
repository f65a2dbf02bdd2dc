"""The translation core with the real engines: Apertium's installed pairs (warm pipelines)
and the neural English↔Portuguese engine; routes, detection, sentences, protection, the
phrase memory and Spanish punctuation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from heron.errors import UnsupportedLanguage
from heron.language.langid import default_identifier
from heron.translation.apertium import ApertiumEngine, escape, unmark
from heron.translation.neural import MarianEngine
from heron.translation.protect import number, protect
from heron.translation.translator import (
    Hop,
    PhraseMemory,
    Translator,
    postedit,
    split,
)


@pytest.fixture(scope="module")
def apertium() -> Iterator[ApertiumEngine]:
    engine = ApertiumEngine()
    if not engine.pairs():
        pytest.fail("Apertium is not installed: make install puts it in (apt)")
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def translator(apertium: ApertiumEngine) -> Iterator[Translator]:
    def names(text: str) -> Sequence[tuple[int, int]]:
        # The engine finds names with spaCy; here, the two the tests use.
        return [(m, m + len(n)) for n in ("Rose", "Bill") if (m := text.find(n)) >= 0]

    found = Translator([apertium, MarianEngine()], default_identifier(), names=names)
    yield found
    found.close()


def test_apertium_offers_the_installed_pairs_in_both_codes_systems(
    apertium: ApertiumEngine,
) -> None:
    pairs = {str(pair) for pair in apertium.pairs()}
    # eng-spa (ISO 639-3 modes) and es-pt (639-1) come out the same way.
    assert {"en-es", "es-en", "es-pt", "pt-es", "en-ca", "ca-es", "en-eo"} <= pairs
    # The es-eo package's mode names its data folder the wrong way round; it still runs.
    assert "es-eo" in pairs
    [done] = apertium.translate(["Buenos días"], "es", "eo")
    assert done.text == "Bonan matenon"


def test_a_warm_pipeline_answers_segment_after_segment(apertium: ApertiumEngine) -> None:
    texts = ["The house is big.", "", "  I have two dogs. ", "She reads a book"]
    done = apertium.translate(texts, "en", "es")

    assert [d.text for d in done] == [
        "La casa es grande.",
        "",
        "  Tengo dos perros. ",
        "Lee un libro",
    ]


def test_only_the_recently_used_directions_stay_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("heron.translation.apertium.MAX_WARM", 2)
    engine = ApertiumEngine()
    try:
        for source, target in (("en", "es"), ("es", "en"), ("en", "es"), ("en", "ca")):
            engine.translate(["The house"], source, target)
        assert sorted(engine.running()) == ["en-ca", "en-es"]
        # A stopped direction starts again when asked.
        assert engine.translate(["La casa"], "es", "en")[0].text == "The house"
    finally:
        engine.close()


def test_unknown_words_are_kept_unmarked_and_reported(apertium: ApertiumEngine) -> None:
    [done] = apertium.translate(["The blorfity is on the table"], "en", "es")

    assert done.text == "El blorfity es en la mesa"
    assert done.unknown == ("blorfity",)


def test_markup_stays_where_it_was(apertium: ApertiumEngine) -> None:
    [done] = apertium.translate(
        ['<p class="x">The <b>house</b> is big.</p>'], "en", "es", markup=True
    )

    assert done.text == '<p class="x">La <b>casa</b> es grande.</p>'


def test_stream_escaping_and_marks() -> None:
    assert escape("a [b] $c^ /d@ <e>") == r"a \[b\] \$c\^ \/d\@ \<e\>"
    assert escape("<b>x</b> [y]", markup=True) == r"[\<b\>]x[\<\/b\>] \[y\]"
    # A mark on a word the source has is a mark; a literal '*' before a translated word is
    # the source's own.
    assert unmark("El *zzyzx es *ahora*[]", "The zzyzx is *now*").text == "El zzyzx es *ahora*"
    assert unmark("El *zzyzx es *ahora*[]", "The zzyzx is *now*").unknown == ("zzyzx",)
    assert unmark(r"La \[#casa\]", "The [house]").text == "La [casa]"


def test_english_to_spanish_goes_through_portuguese_and_reads_better(
    translator: Translator,
) -> None:
    [done] = translator.translate(["Where is the train station?"], "es", "en")

    assert done.route == (Hop("en", "pt", "marian"), Hop("pt", "es", "apertium"))
    assert done.text == "¿Dónde está la estación de tren?"
    direct = translator.engines["apertium"].translate(["Where is the train station?"], "en", "es")
    assert direct[0].text == "Dónde es la canal de tren?"  # what Apertium alone says


def test_a_direction_with_no_pair_goes_through_a_pivot(translator: Translator) -> None:
    hops = translator.route("eo", "ca")

    assert len(hops) == 2 and hops[0].source == "eo" and hops[-1].target == "ca"
    [done] = translator.translate(["La domo estas granda."], "ca", "eo")
    assert "casa" in done.text.lower()


def test_unsupported_languages_name_the_available_ones(translator: Translator) -> None:
    with pytest.raises(UnsupportedLanguage, match=r"no engine translates 'zz'.*\ben\b.*\bes\b"):
        translator.translate(["hello"], "zz", "en")
    with pytest.raises(
        UnsupportedLanguage, match=r"en cannot be translated into ru; it can into: .*es"
    ):
        translator.translate(["hello"], "ru", "en")


def test_the_source_language_is_detected_per_text(translator: Translator) -> None:
    found = translator.translate(["¿Dónde está la biblioteca?", "The library is closed."], "en")

    assert [t.source for t in found] == ["es", "en"]
    assert found[0].detected is not None and found[0].detected.code == "es"
    assert "library" in found[0].text.lower()
    assert found[1].text == "The library is closed." and found[1].route == ()


def test_sentences_and_line_breaks_survive(translator: Translator) -> None:
    text = "The house is big. I have two dogs!\n\n  She reads a book."
    [done] = translator.translate([text], "ca", "en")

    assert done.text.count("\n") == 2 and "\n\n  " in done.text
    assert done.text.startswith("La casa és gran.")
    assert split(text) == [
        ("The house is big.", True),
        (" ", False),
        ("I have two dogs!", True),
        ("\n", False),
        ("\n", False),
        ("  ", False),
        ("She reads a book.", True),
    ]


def test_a_very_long_text_is_translated_in_segments(translator: Translator) -> None:
    text = " ".join(["The house is big and the garden is green"] * 200)  # no full stop
    [done] = translator.translate([text], "eo", "en")

    # Cut at spaces near every 600 characters: a few repeats are cut in two, the rest whole.
    assert done.text.count("La domo estas granda") >= 190
    assert done.text.endswith("la ĝardeno estas verda")


def test_names_addresses_and_numbers_are_protected(translator: Translator) -> None:
    text = "Send 1,000.5 dollars to Rose at rose@example.org, see https://example.com/a?b=1."
    [done] = translator.translate([text], "es", "en")

    assert "Rose" in done.text and "Ascendi" not in done.text
    assert "rose@example.org" in done.text and "https://example.com/a?b=1" in done.text
    assert "1.000,5" in done.text
    # Apertium alone breaks the name.
    assert "Rose" not in translator.engines["apertium"].translate([text], "en", "es")[0].text


def test_numbers_are_rewritten_for_the_target_language() -> None:
    assert number("1,000.5", "en", "es") == "1.000,5"
    assert number("3.5", "en", "fr") == "3,5"
    assert number("12,345", "en", "fr") == "12\u202f345"
    assert number("1.000,25", "es", "en") == "1,000.25"
    assert number("2,5", "es", "ca") == "2,5"
    guarded = protect("Version 1.2.3 costs 3.5 euros", "en", "es")
    assert guarded.text == "Version 1.2.3 costs Xq0 euros" and guarded.values == {"Xq0": "3,5"}
    assert (
        guarded.restore("La versión 1.2.3 cuesta Xq0 euros") == "La versión 1.2.3 cuesta 3,5 euros"
    )
    assert guarded.restore("La versión cuesta euros") is None  # lost: translate unprotected


def test_the_phrase_memory_answers_everyday_expressions(translator: Translator) -> None:
    found = translator.translate(
        ["Good morning!", "thank you very much", "Buenas noches."], "es", None
    )

    assert [t.text for t in found[:2]] == ["¡Buenos días!", "muchas gracias"]
    assert all(t.remembered for t in found[:2])
    assert found[2].text == "Buenas noches." and found[2].route == ()
    memory = PhraseMemory.packaged()
    assert memory.lookup("buenas noches", "es", "en") == "good night"
    assert memory.lookup("Good Morning", "en", "eo") == "Bonan matenon"
    assert memory.lookup("good morning to you", "en", "es") is None


def test_spanish_questions_and_exclamations_open_right() -> None:
    assert postedit("Donde está el tren? Ven aquí!", "es") == "¿Dónde está el tren? ¡Ven aquí!"
    assert postedit("¿Qué hora es?", "es") == "¿Qué hora es?"
    assert postedit("Como estás?", "es") == "¿Cómo estás?"
    assert postedit("Where is it?", "en") == "Where is it?"
