"""The keyboard engine on its real model (built from the packaged corpora the first time):
suggestions a user would see, corrections they would want (and the ones they would not), and
their own model learnt, kept in the store, isolated from other users and forgotten."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from heron import engine as engine_module
from heron.config import Settings
from heron.engine import Heron
from heron.errors import BadInput, TooLarge
from heron.speech import SpeechEngines
from heron.textinput.evaluate import evaluate
from heron.textinput.keyboard import Keyboard
from heron.textinput.personal import PersonalModel, entries
from heron.textinput.tokens import NUMBER, context_of


@pytest.fixture(scope="module")
def keyboard() -> Iterator[Keyboard]:
    yield Keyboard.default()


def test_completions_start_with_the_letters_typed_and_fit_the_context(keyboard: Keyboard) -> None:
    found = keyboard.predict("Could you", "pl", 3)
    assert len(found) == 3 and all(word.lower().startswith("pl") for word in found)
    assert "please" in found
    assert keyboard.predict("How are", "", 3)[0] == "you"
    assert keyboard.predict("Thank", "", 1) == ["you"]
    assert len(keyboard.predict("the", "", 7)) == 7


def test_suggestions_are_cased_for_where_they_go(keyboard: Keyboard) -> None:
    assert all(word[0].isupper() for word in keyboard.predict("", "", 3))  # a sentence start
    assert all(word[0].isupper() for word in keyboard.predict("It rained. ", "", 3))
    assert all(word[0].islower() for word in keyboard.predict("It rained and", "th", 3))
    assert "I" in keyboard.predict("Yesterday", "i", 3)  # the pronoun, mid-sentence
    assert all(word.isupper() for word in keyboard.predict("see the", "TH", 3))
    assert "don't" in keyboard.predict("I", "don", 3)  # a contraction is one word


def test_numbers_urls_and_emoji_do_not_break_prediction(keyboard: Keyboard) -> None:
    assert context_of("set a timer for 25").before[1] == NUMBER
    for context in ("see https://example.org/a?b=c ", "mail bob@example.org and ", "great 🎉👍 "):
        found = keyboard.predict(context, "th", 3)
        assert found and all(word.lower().startswith("th") for word in found)


def test_typos_are_corrected_with_the_case_they_were_typed_in(keyboard: Keyboard) -> None:
    assert keyboard.correct("teh", "I saw").correction == "the"
    assert keyboard.correct("recieve", "I want to").correction == "receive"
    assert keyboard.correct("Tomorow", "").correction == "Tomorrow"
    assert keyboard.correct("dont", "I").correction == "don't"
    assert keyboard.correct("i", "then").correction == "I"


def test_real_words_and_names_are_left_alone(keyboard: Keyboard) -> None:
    assert keyboard.correct("there", "Put it over").correction is None
    assert keyboard.correct("house", "I like the").correction is None
    unknown = keyboard.correct("Mauricio", "My friend")
    assert unknown.correction is None and unknown.candidates  # offered, not applied


def test_a_confused_word_is_corrected_by_its_context(keyboard: Keyboard) -> None:
    assert keyboard.correct("there", "They sold", after="house").correction == "their"
    assert keyboard.correct("there", "They went over", after=".").correction is None


def test_the_users_own_words_are_suggested_and_never_corrected(keyboard: Keyboard) -> None:
    own = PersonalModel()
    assert keyboard.correct("hime", "I am going").correction == "home"
    assert "zorbulax" not in [w.lower() for w in keyboard.predict("the", "zor", 3)]
    own.learn("Hime is my cat. We fed the zorbulax at noon, then the zorbulax slept.")
    assert keyboard.correct("hime", "I am going", own).correction is None
    assert keyboard.predict("We fed the", "zo", 3, own)[0] == "zorbulax"
    assert keyboard.predict("We fed the", "", 3, own)[0] == "zorbulax"


def test_an_undone_correction_is_not_made_again(keyboard: Keyboard) -> None:
    own = PersonalModel()
    assert keyboard.correct("thsi", "is").correction == "this"
    own.keep("thsi")
    assert keyboard.correct("thsi", "is", own).correction is None


def test_numbers_and_addresses_are_never_learnt() -> None:
    learnt = [e.text for e in entries("Call 0612345678 or mail ana@example.org, code 4242 ok")]
    assert not any(ch.isdigit() for text in learnt for ch in text)
    assert not any("@" in text or "example" in text for text in learnt)
    assert f"{NUMBER} ok" in learnt  # that a number came is kept, not which


def test_codes_and_passwords_are_not_taken_apart_into_words() -> None:
    learnt = {e.text for e in entries("my password is hunter2 and the code ABC123XYZ ok")}
    assert not any(part in text for text in learnt for part in ("hunter", "abc", "xyz"))
    assert "is <unk>" not in learnt and "is" in learnt


def test_words_in_any_script_and_form_are_learnt_whole() -> None:
    decomposed = unicodedata.normalize("NFD", "Un café noir")
    learnt = {e.text for e in entries(f"{decomposed}. مَرْحَبًا بِك. नमस्ते दोस्त")}
    assert {"café", "مَرْحَبًا", "नमस्ते"} <= learnt
    assert "z" * 60 not in {e.text for e in entries("hello " + "z" * 60 + " world")}


def test_apostrophes_as_phones_type_them(keyboard: Keyboard) -> None:
    assert keyboard.predict("", "I’", 3) == ["I’m", "I’ve", "I’ll"]  # not all in capitals
    assert keyboard.correct("i’m", "").correction == "I’m"
    assert keyboard.correct("I’m", "so glad").correction is None
    own = PersonalModel()
    assert keyboard.correct("thier’s", "I like").correction is not None
    own.keep("thier’s")  # undone on a phone that types curly apostrophes
    assert keyboard.correct("thier's", "I like", own).correction is None
    assert keyboard.correct("thier’s", "I like", own).correction is None
    assert "Dont" not in keyboard.predict("I ", "Don", 5)  # "Don't", not the misspelling


def test_keystroke_savings_count_taps_and_letters() -> None:
    # A perfect predictor: one tap per word, the tap writing the space after it.
    oracle = evaluate(
        lambda context, prefix, n: [([*"hello world".split(), ""])[len(context.split())]],
        ["hello world"],
    )
    assert (oracle.typed, oracle.keystrokes, oracle.top1) == (11, 2, 1.0)
    blind = evaluate(lambda context, prefix, n: [], ["hello world!"])
    assert blind.savings == 0.0 and blind.keystrokes == 12


def test_the_shared_model_saves_keystrokes_on_everyday_text(keyboard: Keyboard) -> None:
    texts = ["I will call you when I get home.", "What time is it in London?"]
    result = evaluate(keyboard.predict, texts)
    assert result.savings > 0.3


@pytest.fixture
async def heron(tmp_path: Path, database_url: str, speech: SpeechEngines) -> AsyncIterator[Heron]:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    engine = Heron(settings, speech=speech)
    await engine.start(warm=False)
    try:
        yield engine
    finally:
        await engine.close()


async def test_a_users_model_is_stored_isolated_and_forgotten(
    heron: Heron, tmp_path: Path, database_url: str, speech: SpeechEngines
) -> None:
    ana, _ = await heron.create_user("ana", "Europe/Paris")
    bob, _ = await heron.create_user("bob", "Europe/Paris")
    learnt = await heron.keyboard_learn(ana, "The zorbulax sang. The zorbulax slept.")
    assert learnt.words == 6 and learnt.new_words == 4
    await heron.keyboard_learn(ana, "Our zorbulax is old.")
    assert (await heron.keyboard_predict(ana, "the", "zor", 3))[0] == "zorbulax"
    assert "zorbulax" not in await heron.keyboard_predict(bob, "the", "zor", 3)
    await heron.keyboard_undo(ana, "thsi", "this")

    # Another process (a restart) reads the same model back from the store.
    again = Heron(Settings(data_dir=tmp_path / "data", database_url=database_url), speech=speech)
    await again.start(warm=False)
    try:
        assert (await again.keyboard_predict(ana, "Our", "zor", 3))[0] == "zorbulax"
        assert (await again.keyboard_correct(ana, "thsi", "is")).correction is None
        assert (await again.keyboard_correct(bob, "thsi", "is")).correction == "this"
        exported = await again.keyboard_export(ana)
        assert exported["words"]["zorbulax"] == 3 and exported["kept"] == ["thsi"]
        assert (await again.keyboard_export(bob))["words"] == {}
        assert await again.keyboard_forget(ana) > 0
        assert "zorbulax" not in await again.keyboard_predict(ana, "the", "zor", 3)
    finally:
        await again.close()
    async with heron.store.user(ana.id) as store:
        assert await store.keyboard.all() == []


async def test_another_server_process_sees_what_was_learnt_and_forgotten(
    heron: Heron,
    tmp_path: Path,
    database_url: str,
    speech: SpeechEngines,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine_module, "PERSONAL_CHECK_S", 0.0)
    ana, _ = await heron.create_user("ana", "Europe/Paris")
    assert "zorbulax" not in await heron.keyboard_predict(ana, "the", "zor", 3)  # now held
    other = Heron(Settings(data_dir=tmp_path / "data", database_url=database_url), speech=speech)
    await other.start(warm=False)
    try:
        await other.keyboard_learn(ana, "I fed the zorbulax.")
        assert (await heron.keyboard_predict(ana, "the", "zor", 3))[0] == "zorbulax"
        await heron.keyboard_learn(ana, "The zorbulax sleeps.")  # both changes are counted
        assert (await other.keyboard_export(ana))["words"]["zorbulax"] == 2
        await other.keyboard_forget(ana)
        assert "zorbulax" not in await heron.keyboard_predict(ana, "the", "zor", 3)
        await other.keyboard_learn(ana, "The zorbulax is back.")  # learnt again after forgetting
        assert (await heron.keyboard_export(ana))["words"] == {
            "the": 1,
            "zorbulax": 1,
            "is": 1,
            "back": 1,
        }
    finally:
        await other.close()


async def test_bad_keyboard_requests_are_refused(heron: Heron) -> None:
    ana, _ = await heron.create_user("ana", "Europe/Paris")
    with pytest.raises(BadInput):
        await heron.keyboard_predict(ana, "hello", "", 0)
    with pytest.raises(BadInput):
        await heron.keyboard_predict(ana, "hello", "two words", 3)
    with pytest.raises(TooLarge):
        await heron.keyboard_predict(ana, "x" * 2001, "", 3)
    with pytest.raises(TooLarge):
        await heron.keyboard_learn(ana, "word " * 250_000)
    with pytest.raises(BadInput):
        await heron.keyboard_correct(ana, "  ", "hello")


def test_swearing_is_not_offered_until_the_user_types_it(keyboard: Keyboard) -> None:
    offered = [w.lower() for w in keyboard.predict("Oh", "sh", 10)]
    assert offered and not any(w.startswith("shit") for w in offered)
    assert "cocktail" in [w.lower() for w in keyboard.predict("a", "cockt", 3)]
    assert keyboard.correct("fuck", "what the").correction is None  # never "duck"
    own = PersonalModel()
    own.learn("Oh shit, I forgot.")
    assert "shit" in keyboard.predict("Oh", "sh", 3, own)
