"""`heron keyboard`: the line editor of `try` (its steps on a real engine, and typed into
prompt_toolkit key by key), `try` without a terminal, and `learn`, `export`, `forget` and `eval`
as a user runs them, each a new process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from heron import Heron, Settings
from heron.cli import main  # noqa: F401  (first: it registers the command modules it imports)
from heron.cli.keyboard import LineEditor, Typing, try_in_terminal
from heron.speech import SpeechEngines
from heron.store.models import User
from tests.cli.test_cli import heron
from tests.cli.test_search_cli import words
from tests.conftest import MovableClock
from tests.e2e.harness import add_user, heron_env, run_heron

ZORB = "We met at the zorbulax again. The zorbulax was full, so we left the zorbulax early.\n"
STORY = (
    "Captain Vendrick sailed the Quorrel to Marbleton harbour.\n"
    "The Quorrel carried spice and silk to Marbleton every spring.\n"
    "Captain Vendrick said the Quorrel was the fastest ship in Marbleton.\n"
    "In the spring the harbour of Marbleton was full of ships.\n"
)
"""A text with names no shared model knows, said again and again: learning it must help."""


@pytest.fixture
async def engine(
    settings: Settings, clock: MovableClock, speech: SpeechEngines
) -> AsyncIterator[Heron]:
    """The suite's engine, not warmed: the keyboard needs none of what warming loads (the
    intent router's embeddings, the world graph), and each test gets a fresh one."""
    heron = Heron(settings, clock=clock, speech=speech)
    await heron.start(warm=False)
    try:
        yield heron
    finally:
        await heron.close()


@pytest.fixture
async def editor(engine: Heron, user: User) -> LineEditor:
    return await Typing(engine, user).editor()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return heron_env(tmp_path_factory.mktemp("keyboard") / "data")


# --- the line editor ------------------------------------------------------------------------


async def test_the_line_under_shows_numbered_completions_of_the_word_typed(
    editor: LineEditor,
) -> None:
    status = editor.status("See you tom", len("See you tom"))

    offered = status.split("   ")
    assert offered[0].startswith("1 ") and len(offered) <= 3
    assert all(item.split(" ", 1)[1].lower().startswith("tom") for item in offered), status
    assert "tomorrow" in status


async def test_a_suggestion_taken_replaces_the_letters_typed_and_adds_a_space(
    editor: LineEditor,
) -> None:
    offered = editor.suggestions("See you tom", 11)
    number = offered.index("tomorrow") + 1

    assert editor.accept("See you tom", 11, number) == ("See you tomorrow ", 17)
    assert editor.accept("See you tom", 11, 9) is None


async def test_space_autocorrects_and_backspace_right_after_keeps_what_was_typed(
    editor: LineEditor,
) -> None:
    corrected = editor.finish_word("I saw teh", 9, " ")
    assert corrected == ("I saw the ", 10)
    assert "teh → the" in editor.status(*corrected)

    kept = editor.backspace(*corrected)

    assert kept == ("I saw teh", 9)
    assert editor.undone == [("teh", "the")]
    assert editor.finish_word("I saw teh", 9, " ") == ("I saw teh ", 10)
    # An ordinary Backspace is left to the terminal.
    assert editor.backspace("I saw teh ", 10) is None


async def test_punctuation_finishes_a_word_as_space_does(editor: LineEditor) -> None:
    assert editor.type_line("I saw teh cat, becuase it was there.") == (
        "I saw the cat, because it was there."
    )


# --- typed into the terminal ----------------------------------------------------------------


async def typed(engine: Heron, user: User, *lines: str) -> tuple[int, list[str]]:
    """`lines` typed into `heron keyboard try`'s prompt, one at a time, then Ctrl-D: the lines
    learnt and what it said."""
    said: list[str] = []
    with create_pipe_input() as keys:
        session = asyncio.create_task(
            try_in_terminal(
                Typing(engine, user),
                said.append,
                terminal_input=keys,
                terminal_output=DummyOutput(),
            )
        )
        for number, line in enumerate(lines, start=1):
            keys.send_text(line)
            await until(lambda number=number: len(said) >= number, session)
        keys.send_text("\x04")
        learnt = await asyncio.wait_for(session, 30)
    return learnt, said


async def until(done: Callable[[], bool], session: asyncio.Task[int]) -> None:
    async with asyncio.timeout(30):
        while not done():
            assert not session.done(), session.result()
            await asyncio.sleep(0.01)


async def test_enter_learns_the_line_as_corrected_and_says_so(engine: Heron, user: User) -> None:
    learnt, said = await typed(engine, user, "The zorbulax ate teh cake\r")

    assert learnt == 1
    assert said == ["Learnt 5 words (4 new) into your keyboard model."]
    mine = json.dumps((await engine.keyboard_export(user))["words"])
    assert "zorbulax" in mine and "the" in mine and "teh" not in mine
    assert "zorbulax" in await engine.keyboard_predict(user, "Look at the ", "zorb")


async def test_tab_and_number_keys_take_suggestions(engine: Heron, user: User) -> None:
    editor = await Typing(engine, user).editor()
    first = editor.suggestions("See you tom", 11)[0]
    then = f"See you {first} "
    second = editor.suggestions(then, len(then))[1]

    await typed(engine, user, "See you tom\t2\r")

    learnt = (await engine.keyboard_export(user))["words"]
    assert first.lower() in learnt and second.lower() in learnt


async def test_backspace_after_a_correction_is_an_undo_the_engine_keeps(
    engine: Heron, user: User
) -> None:
    assert (await engine.keyboard_correct(user, "thier", "I took ")).correction == "their"

    await typed(engine, user, "I took thier \x7f car\r")

    assert (await engine.keyboard_correct(user, "thier", "I took ")).correction is None
    assert "thier" in json.dumps((await engine.keyboard_export(user))["kept"])


# --- as a user runs it ----------------------------------------------------------------------


def test_a_learnt_file_is_suggested_by_try_and_held_in_the_export(
    env: dict[str, str], tmp_path: Path
) -> None:
    add_user(env, "ann")
    source = tmp_path / "mine.txt"
    source.write_text(ZORB)

    learnt = heron("keyboard", "learn", str(source), "--user", "ann", env=env)
    tried = heron("keyboard", "try", "--user", "ann", env=env, stdin="We went to teh zorb\n")
    exported = json.loads(heron("keyboard", "export", "--user", "ann", env=env))

    assert learnt.startswith("Learnt 16 words (11 new)")
    lines = tried.splitlines()
    assert lines[0] == "We went to the zorb"
    assert lines[1] == "corrected: teh → the"
    assert lines[2].startswith("suggested: 1 ") and "zorbulax" in lines[2]
    assert lines[3].startswith("Learnt 5 words")
    assert "zorbulax" in json.dumps(exported["words"])


def test_export_to_a_file_and_forget_only_with_yes(env: dict[str, str], tmp_path: Path) -> None:
    add_user(env, "bea")
    heron("keyboard", "learn", "-", "--user", "bea", env=env, stdin=ZORB)
    saved = tmp_path / "keyboard.json"

    heron("keyboard", "export", "--user", "bea", "--output", str(saved), env=env)
    refused = run_heron("keyboard", "forget", "--user", "bea", env=env)
    forgot = heron("keyboard", "forget", "--user", "bea", "--yes", env=env)
    after = json.loads(heron("keyboard", "export", "--user", "bea", env=env))

    assert "zorbulax" in json.dumps(json.loads(saved.read_text())["words"])
    assert refused.returncode == 2 and "add --yes" in words(refused.stderr)
    assert "Traceback" not in refused.stderr
    assert words(forgot).startswith("Forgot ") and not words(forgot).startswith("Forgot 0 ")
    assert "zorbulax" not in json.dumps(after)


def test_eval_measures_the_savings_and_learning_the_text_raises_them(
    env: dict[str, str], tmp_path: Path
) -> None:
    add_user(env, "cal")
    story = tmp_path / "story.txt"
    story.write_text(STORY)

    before = json.loads(heron("keyboard", "eval", str(story), "-u", "cal", "--json", env=env))
    heron("keyboard", "learn", str(story), "-u", "cal", env=env)
    after = json.loads(heron("keyboard", "eval", str(story), "-u", "cal", "--json", env=env))
    table = words(heron("keyboard", "eval", str(story), "-u", "cal", env=env))

    assert before["words"] == after["words"] == len(STORY.split())
    assert 0 < before["keystroke_savings"] < after["keystroke_savings"] <= 1
    assert after["top3"] > before["top3"]
    assert "keystrokes saved" in table and f"{after['keystroke_savings']:.1%}" in table


def test_eval_of_a_missing_or_empty_file_says_so(env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")

    missing = run_heron("keyboard", "eval", str(tmp_path / "nope.txt"), env=env)
    blank = run_heron("keyboard", "eval", str(empty), env=env)

    assert missing.returncode == 2 and "cannot read" in words(missing.stderr)
    assert blank.returncode == 2 and "holds no text" in words(blank.stderr)
    assert "Traceback" not in missing.stderr + blank.stderr
