"""`heron keyboard`: try the predictive keyboard in a line editor that suggests as you type,
measure it on a text (`eval`), and teach, export or forget your own keyboard model."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from heron.cli.main import JsonOption, UserOption, _run, _user, console, errors
from heron.engine import Heron
from heron.store.models import User
from heron.textinput.base import Correction, Learnt
from heron.textinput.evaluate import Evaluation, evaluate
from heron.textinput.personal import PersonalModel

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

app = typer.Typer(
    help="The predictive keyboard: try it, measure it, and manage what it learnt from you.",
    no_args_is_help=True,
)
Predict = Callable[[str, str, int], list[str]]
"""(text before the word, letters typed of it, how many) → suggestions, best first."""
Correct = Callable[[str, str], Correction]
"""(word just typed, text before it) → what autocorrection makes of it."""
Say = Callable[[str], None]

WORD_END = re.compile(r"[\w'’]*\Z")
"""The letters of the word the cursor is in, up to the cursor (apostrophes: "don'")."""
ENDS_WORD = " .,!?;:"
"""Keys that finish a word, and so autocorrect it."""
NumberOption = Annotated[
    int, typer.Option("-n", min=1, max=10, help="How many suggestions the keyboard offers")
]


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="keyboard")


# --- one line being typed ---------------------------------------------------------------------


@dataclass
class Autocorrected:
    """An autocorrection just made: undone by Backspace while the line is as it left it."""

    typed: str
    correction: str
    text: str
    """The line right after it (with the key that finished the word)."""
    cursor: int
    start: int
    """Where the word starts in `text`."""
    key: str


@dataclass
class LineEditor:
    """What the keyboard does to one line as it is typed, as pure steps on (text, cursor), so a
    terminal (prompt_toolkit) and a test drive the same code: the suggestions at the cursor,
    accepting one, a word autocorrected when it is finished, and that correction undone."""

    predict: Predict
    correct: Correct
    n: int = 3
    kept: set[str] = field(default_factory=set)
    """Words whose correction was undone: never corrected again (in this session; the engine
    is told through `undone`)."""
    undone: list[tuple[str, str]] = field(default_factory=list)
    """(typed, correction) undone since the engine was last told."""
    last: Autocorrected | None = None
    notice: str = ""

    @staticmethod
    def split(text: str, cursor: int) -> tuple[str, str]:
        """(context, prefix): the text before the word at the cursor, and its letters typed."""
        before = text[:cursor]
        match = WORD_END.search(before)
        prefix = match.group() if match else ""
        return before[: len(before) - len(prefix)], prefix

    def suggestions(self, text: str, cursor: int) -> list[str]:
        context, prefix = self.split(text, cursor)
        return self.predict(context, prefix, self.n)

    def offered(self, text: str, cursor: int) -> str:
        """The suggestions at the cursor, numbered for the keys that take them."""
        offered = self.suggestions(text, cursor)
        line = "   ".join(f"{i} {word}" for i, word in enumerate(offered, start=1))
        return line or "(no suggestion)"

    def status(self, text: str, cursor: int) -> str:
        """The line shown under the one being typed: the suggestions, and what autocorrection
        just did."""
        line = self.offered(text, cursor)
        return f"{line}    {self.notice}" if self.notice else line

    def accept(self, text: str, cursor: int, number: int) -> tuple[str, int] | None:
        """The line with suggestion `number` (from 1) in place of the word at the cursor, and a
        space after it; None when there is no such suggestion."""
        offered = self.suggestions(text, cursor)
        if not 1 <= number <= len(offered):
            return None
        context, prefix = self.split(text, cursor)
        word = offered[number - 1]
        if not prefix and context and not context[-1].isspace() and context[-1] not in "([{\"'“‘":
            word = " " + word
        after = text[cursor:]
        space = "" if after.startswith(" ") else " "
        self.last, self.notice = None, ""
        new = context + word + space + after
        return new, len(context) + len(word) + 1

    def finish_word(self, text: str, cursor: int, key: str) -> tuple[str, int]:
        """`key` (a space or punctuation) typed at the cursor: the word before it is
        autocorrected first, unless it is one of the user's own."""
        context, prefix = self.split(text, cursor)
        self.last, self.notice = None, ""
        if prefix and prefix not in self.kept:
            found = self.correct(prefix, context)
            if found.correction is not None and found.correction != prefix:
                new = context + found.correction + key + text[cursor:]
                at = len(context) + len(found.correction) + len(key)
                self.last = Autocorrected(prefix, found.correction, new, at, len(context), key)
                self.notice = f"{prefix} → {found.correction} (Backspace keeps {prefix})"
                return new, at
        return text[:cursor] + key + text[cursor:], cursor + len(key)

    def backspace(self, text: str, cursor: int) -> tuple[str, int] | None:
        """Backspace right after an autocorrection: the word as typed comes back, without the
        key that finished it, and stays the user's. None: an ordinary Backspace."""
        last = self.last
        self.last = None
        if last is None or (text, cursor) != (last.text, last.cursor):
            self.notice = ""
            return None
        end = last.start + len(last.correction) + len(last.key)
        new = text[: last.start] + last.typed + text[end:]
        self.kept.add(last.typed)
        self.undone.append((last.typed, last.correction))
        self.notice = f"kept {last.typed}: it will not be corrected again"
        return new, last.start + len(last.typed)

    def type_line(self, line: str) -> str:
        """`line` typed a key at a time, as a terminal would (without a terminal)."""
        text = ""
        for key in line:
            if key in ENDS_WORD:
                text, _ = self.finish_word(text, len(text), key)
            else:
                text += key
        return text

    def new_line(self) -> None:
        self.last, self.notice = None, ""


# --- heron keyboard try -----------------------------------------------------------------------


@dataclass
class Typing:
    """A user's keyboard in a session: the shared model with theirs blended in."""

    engine: Heron
    user: User
    n: int = 3
    personal: PersonalModel | None = None
    """The user's model as the engine last gave it (it reads it again now and then)."""

    async def editor(self) -> LineEditor:
        keyboard = self.engine.keyboard
        self.personal = await self.engine.keyboard_personal(self.user)

        # Called on every key press, so without a round through the engine's event loop.
        def predict(context: str, prefix: str, n: int) -> list[str]:
            return keyboard.predict(context, prefix, n, personal=self.personal)

        def correct(word: str, context: str) -> Correction:
            return keyboard.correct(word, context, personal=self.personal)

        return LineEditor(predict, correct, self.n)

    async def finish_line(self, editor: LineEditor, line: str) -> Learnt | None:
        """Tells the engine what was undone, and learns the line (None: nothing to learn)."""
        for typed, correction in editor.undone:
            await self.engine.keyboard_undo(self.user, typed, correction)
        editor.undone.clear()
        editor.new_line()
        learnt = await self.engine.keyboard_learn(self.user, line) if line.strip() else None
        self.personal = await self.engine.keyboard_personal(self.user)
        return learnt


def _learnt(learnt: Learnt) -> str:
    return (
        f"Learnt {_count(learnt.words, 'word')} ({learnt.new_words} new) into your keyboard model."
    )


async def try_in_terminal(
    typing: Typing,
    say: Say,
    *,
    terminal_input: Input | None = None,
    terminal_output: Output | None = None,
) -> int:
    """The interactive line editor until Ctrl-D; returns the lines learnt. Tab or a number key
    accepts a suggestion (Ctrl-V then a digit types the digit), a space or punctuation
    autocorrects the word before it, Backspace right after undoes that, Enter learns the
    line."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

    editor = await typing.editor()
    bindings = KeyBindings()
    literal = Condition(lambda: session.app.quoted_insert)

    def replace(event: KeyPressEvent, done: tuple[str, int] | None) -> bool:
        if done is None:
            return False
        buffer = event.current_buffer
        buffer.text, buffer.cursor_position = done
        return True

    @bindings.add("tab")
    def _first(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        replace(event, editor.accept(buffer.text, buffer.cursor_position, 1))

    for number in range(1, typing.n + 1):

        @bindings.add(str(number), filter=~literal)
        def _numbered(event: KeyPressEvent, number: int = number) -> None:
            buffer = event.current_buffer
            if not replace(event, editor.accept(buffer.text, buffer.cursor_position, number)):
                buffer.insert_text(str(number))

    for key in ENDS_WORD:

        @bindings.add(key, filter=~literal)
        def _finish(event: KeyPressEvent, key: str = key) -> None:
            buffer = event.current_buffer
            replace(event, editor.finish_word(buffer.text, buffer.cursor_position, key))

    @bindings.add("backspace")
    def _back(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if not replace(event, editor.backspace(buffer.text, buffer.cursor_position)):
            buffer.delete_before_cursor(count=event.arg)

    @bindings.add("c-d")
    def _quit(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError())

    session: PromptSession[str] = PromptSession(
        "> ",
        key_bindings=bindings,
        bottom_toolbar=lambda: editor.status(
            session.default_buffer.text, session.default_buffer.cursor_position
        ),
        input=terminal_input,
        output=terminal_output,
    )
    learnt_lines = 0
    while True:
        try:
            line = await session.prompt_async()
        except (EOFError, KeyboardInterrupt):
            break
        learnt = await typing.finish_line(editor, line)
        if learnt is not None:
            learnt_lines += 1
            say(_learnt(learnt))
    # An undo on the last line, left without Enter, still counts.
    await typing.finish_line(editor, "")
    return learnt_lines


async def try_from_lines(typing: Typing, lines: Iterator[str], say: Say) -> int:
    """Without a terminal: each line typed a key at a time, then said as it came out, with
    its corrections and what the keyboard suggested at its end; then learnt (as Enter does)."""
    editor = await typing.editor()
    learnt_lines = 0
    while (line := await asyncio.to_thread(next, lines, None)) is not None:
        corrections: list[str] = []
        original = editor.correct
        editor.correct = _noting(original, corrections)
        text = editor.type_line(line.rstrip("\r\n"))
        editor.correct = original
        say(text)
        if corrections:
            say("corrected: " + ", ".join(corrections))
        say("suggested: " + editor.offered(text, len(text)))
        learnt = await typing.finish_line(editor, text)
        if learnt is not None:
            learnt_lines += 1
            say(_learnt(learnt))
    return learnt_lines


def _noting(correct: Correct, corrections: list[str]) -> Correct:
    def noted(word: str, context: str) -> Correction:
        found = correct(word, context)
        if found.correction is not None and found.correction != word:
            corrections.append(f"{word} → {found.correction}")
        return found

    return noted


@app.command("try")
def try_keyboard(user: UserOption = None, n: NumberOption = 3) -> None:
    """Type with the keyboard, its suggestions shown under the line as you type.

    Tab or 1 to N takes a suggestion (Ctrl-V then a digit types the digit); a space or
    punctuation autocorrects the word before it (Backspace right after keeps what you typed);
    Enter learns the line into your own model; Ctrl-D quits. Without a terminal, each line of
    standard input is typed and learnt."""
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and _has_prompt_toolkit()

    async def work(engine: Heron) -> int:
        typing = Typing(engine, await _user(engine, user), n)
        if interactive:
            console.print(
                f"Type; Tab or 1–{n} takes a suggestion, Enter learns the line, Ctrl-D quits.",
                highlight=False,
            )
            return await try_in_terminal(typing, _say)
        return await try_from_lines(typing, _lines(sys.stdin), _write)

    _run(work)


def _has_prompt_toolkit() -> bool:
    try:
        import prompt_toolkit  # noqa: F401
    except ImportError:
        errors.print("[dim]Without prompt-toolkit installed, each line is typed whole.[/dim]")
        return False
    return True


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _lines(stream: TextIO) -> Iterator[str]:
    yield from stream


def _write(line: str) -> None:
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


# --- heron keyboard eval ----------------------------------------------------------------------


@app.command("eval")
def evaluate_file(
    file: Annotated[Path, typer.Argument(help="A text file: each non-blank line is typed")],
    user: UserOption = None,
    n: NumberOption = 3,
    personal: Annotated[
        bool,
        typer.Option(
            "--personal/--no-personal", help="Blend in the user's own model (default) or not"
        ),
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Measure the keyboard on FILE: keystrokes saved, next-word accuracy.

    A simulated typist types each line of FILE letter by letter and taps a suggestion among
    the top N as soon as it is the word."""
    texts = [line.strip() for line in _read(file).splitlines() if line.strip()]
    if not texts:
        raise _fail(f"{file} holds no text")

    async def work(engine: Heron) -> Evaluation:
        keyboard = engine.keyboard
        own = await engine.keyboard_personal(await _user(engine, user)) if personal else None

        def predict(context: str, prefix: str, k: int) -> list[str]:
            return keyboard.predict(context, prefix, k, personal=own)

        with Progress(
            TextColumn("typing {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("lines"),
            TimeElapsedColumn(),
            console=errors,
        ) as bar:
            task = bar.add_task(escape(file.name), total=len(texts))
            # `progress` is called once a line is typed (with its words).
            return await asyncio.to_thread(
                evaluate, predict, texts, n=n, progress=lambda _: bar.advance(task)
            )

    done = _run(work)
    if as_json:
        _write(json.dumps({"file": str(file), "n": n, **done.as_dict()}, ensure_ascii=False))
        return
    table = Table("measure", "value", title=f"The keyboard on {escape(file.name)} (top {n})")
    table.add_row("keystrokes saved", f"{done.savings:.1%}")
    table.add_row("next word: first suggestion", f"{done.top1:.1%}")
    table.add_row("next word: in the top 3", f"{done.top3:.1%}")
    table.add_row("words", str(done.words))
    table.add_row("keystrokes: letter by letter", str(done.typed))
    table.add_row("keystrokes: with suggestions", str(done.keystrokes))
    console.print(table)


# --- learn, export, forget --------------------------------------------------------------------


@app.command("learn")
def learn(
    file: Annotated[Path, typer.Argument(help="A text you wrote; - reads standard input")],
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Teach your keyboard model how you write, from FILE (messages, notes you wrote)."""
    text = sys.stdin.read() if str(file) == "-" else _read(file)

    async def work(engine: Heron) -> Learnt:
        who = await _user(engine, user)
        chunks = list(_chunks(text, engine.settings.max_keyboard_learn_chars))
        words = new_words = 0
        for chunk in chunks:
            learnt = await engine.keyboard_learn(who, chunk)
            words, new_words = words + learnt.words, new_words + learnt.new_words
        return Learnt(words, new_words)

    learnt = _run(work)
    if as_json:
        _write(json.dumps(learnt.as_dict()))
    else:
        console.print(_learnt(learnt), highlight=False)


def _chunks(text: str, limit: int) -> Iterator[str]:
    """`text` in pieces of at most `limit` characters, cut at line ends where there are some."""
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit) + 1 or limit
        yield text[:cut]
        text = text[cut:]
    if text.strip():
        yield text


@app.command("export")
def export(
    user: UserOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout)")
    ] = None,
) -> None:
    """Everything your keyboard model learnt from you, as JSON."""

    async def work(engine: Heron) -> dict[str, Any]:
        return await engine.keyboard_export(await _user(engine, user))

    found = json.dumps(_run(work), ensure_ascii=False, indent=2)
    if output is None:
        _write(found)
        return
    output.write_text(found + "\n", encoding="utf-8")
    errors.print(f"Wrote {escape(str(output))}.", highlight=False)


@app.command("forget")
def forget(
    user: UserOption = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Really delete it (no question asked)")
    ] = False,
) -> None:
    """Delete everything your keyboard model learnt from you."""
    if not yes:
        raise _fail(
            "this deletes everything your keyboard model learnt from you; add --yes to do it"
        )

    async def work(engine: Heron) -> int:
        return await engine.keyboard_forget(await _user(engine, user))

    deleted = _run(work)
    console.print(
        f"Forgot {_count(deleted, 'stored count')}: suggestions are the shared model's alone.",
        highlight=False,
    )


# --- helpers ----------------------------------------------------------------------------------


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise _fail(f"cannot read {file}: {error.strerror or error}") from None


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]Error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(2)


def _count(number: int, one: str) -> str:
    return f"{number} {one if number == 1 else one + 's'}"
