"""`heron nlu`: language apps — train intents and entities from a JSON file, predict, evaluate,
and bind an intent to a reply or a webhook so `heron ask` answers it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from heron.assistant.custom import Binding
from heron.cli.main import JsonOption, UserOption, _run, _state, _user, console, errors
from heron.engine import Heron
from heron.errors import BadInput, Conflict
from heron.language.apps import check_app_name
from heron.language.nlu import Progress as TrainingProgress
from heron.language.training import TrainingSet, check_text
from heron.store.models import User

app = typer.Typer(
    help="Language apps: train your own intents and entities from examples, "
    "predict, evaluate, and bind intents to replies.",
    no_args_is_help=True,
)

AppName = Annotated[str, typer.Argument(metavar="APP", help="The app's name, e.g. lamps")]
TrainingFile = Annotated[
    Path,
    typer.Argument(
        metavar="FILE.json", help='A JSON file: {"examples": [{"text", "intent", "entities"}, ...]}'
    ),
]
BATCH = 64
"""Texts predicted per engine call: large enough to amortise the model call, below the
engine's limit on texts per request."""
STAGES = {
    "embedding": "embedding the examples",
    "training": "training the intent classifier",
    "calibrating": "calibrating confidences",
    "tagging": "training the entity tagger",
    "checking": "checking on held-out examples",
    "done": "done",
}


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="nlu")


def _fail(message: str, code: int = 2) -> typer.Exit:
    """Says what went wrong (escaped: messages quote the user's own text) → the exit to raise."""
    errors.print(f"[red]Error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


def _read_training_file(path: Path, *, test: bool = False) -> Any:
    """The file's JSON, checked as training (or `test`) data; a clear error otherwise: the line
    and column of bad JSON, the first bad example. The engine checks again, but a mistake
    found here is said before any progress bar starts."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(f"no file {str(path)!r}") from None
    except IsADirectoryError:
        raise _fail(f"{str(path)!r} is a directory, not a JSON file") from None
    except UnicodeDecodeError as error:
        raise _fail(f"{str(path)!r} is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise _fail(f"cannot read {str(path)!r}: {error.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(
            f"{str(path)!r} is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno})"
        ) from None
    try:
        TrainingSet.from_json(data, test=test)
    except BadInput as error:
        raise _fail(f"{path.name}: {error.detail}") from None
    return data


@contextmanager
def _progress_bar() -> Iterator[TrainingProgress]:
    """A rich progress bar on stderr, as a training progress callback (called from the
    training thread; rich's Progress takes its own lock)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=errors,
        transient=False,
    ) as bar:
        task = bar.add_task("loading the sentence model", total=5)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=STAGES.get(stage, stage), completed=done, total=total)

        yield update


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} %"


def _evaluation_table(evaluation: dict[str, Any], title: str | None = None) -> Table:
    table = Table("measure", "value", title=title, title_justify="left")
    table.add_row("examples", str(evaluation["examples"]))
    table.add_row("accuracy", _pct(evaluation["accuracy"]))
    table.add_row("accuracy ignoring the threshold", _pct(evaluation["top1_accuracy"]))
    table.add_row("macro F1", _pct(evaluation["macro_f1"]))
    if evaluation["entity_f1"] is not None:
        table.add_row("entity F1", _pct(evaluation["entity_f1"]))
        table.add_row("entity precision", _pct(evaluation["entity_precision"]))
        table.add_row("entity recall", _pct(evaluation["entity_recall"]))
    if evaluation["out_of_scope_recall"] is not None:
        table.add_row("out-of-scope recall", _pct(evaluation["out_of_scope_recall"]))
    table.add_row("in-scope rejected", _pct(evaluation["rejected"]))
    if evaluation["ms_per_text"] is not None:
        table.add_row("ms per text", f"{evaluation['ms_per_text']:.2f}")
    return table


def _print_confusions(evaluation: dict[str, Any], limit: int = 10) -> None:
    confusions = evaluation["confusions"][:limit]
    if not confusions:
        console.print("No confusions.")
        return
    table = Table("expected", "predicted", "count", title="Top confusions", title_justify="left")
    for mistake in confusions:
        table.add_row(mistake["expected"], mistake["predicted"], str(mistake["count"]))
    console.print(table)


def _print_report(report: dict[str, Any]) -> None:
    entities = f" ({', '.join(report['entity_names'])})" if report["entity_names"] else ""
    console.print(
        f"{_count(report['examples'], 'example')}, {_count(report['intents'], 'intent')} "
        f"({', '.join(report['intent_names'])}), {_count(report['entities'], 'entity', 'entities')}"
        f"{entities}; trained in {report['seconds']:.1f} s.",
        highlight=False,
    )
    console.print(
        f"Out-of-scope threshold: {report['threshold']:.4f} "
        "(a text whose in-scope score, confidence mixed with closeness to its intent's "
        "examples, is below it gets no intent).",
        highlight=False,
    )
    held_out = report["held_out"]
    if held_out is not None:
        console.print(_evaluation_table(held_out, "Held-out check"))
        _print_confusions(held_out, limit=5)
    for warning in report["warnings"]:
        console.print(f"[yellow]Warning:[/yellow] {escape(warning)}", highlight=False)


@app.command()
def train(
    name: AppName,
    file: TrainingFile,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train (or retrain) an app from a JSON file of examples, then report how it did."""
    try:
        check_app_name(name)
    except BadInput as error:
        raise _fail(error.detail) from None
    data = _read_training_file(file)

    async def work(engine: Heron) -> dict[str, Any]:
        who = await _user(engine, user)
        with _progress_bar() as update:
            return await engine.train_app(who, name, data, wait=True, progress=update)

    trained = _run(work)
    if as_json:
        print(json.dumps(trained, ensure_ascii=False))
    if trained["status"] != "ready":
        raise _fail(trained["error"] or f"training {name!r} ended {trained['status']}", 1)
    if not as_json:
        console.print(f"Trained language app [bold]{trained['name']}[/bold].")
        _print_report(trained["report"])


@app.command()
def predict(
    name: AppName,
    texts: Annotated[
        list[str] | None,
        typer.Argument(help="Texts to read; without them, one text per line on stdin"),
    ] = None,
    user: UserOption = None,
) -> None:
    """Print the intent and entities of each text as one JSON object per line."""
    interactive = not texts and sys.stdin.isatty()
    if interactive:
        errors.print("Type one sentence per line; Ctrl-D ends.")
    # Typed lines are answered one at a time; piped ones in batches.
    size = 1 if interactive else BATCH

    async def work(engine: Heron) -> int:
        who = await _user(engine, user)
        described = await engine.app(who, name)  # so a wrong name fails even on empty input
        if not described["trained"]:
            raise Conflict(f"language app {name!r} has no trained model ({described['status']})")
        bad = 0
        batches = _batches(texts, sys.stdin, size)
        # Lines are read in a thread: waiting for typed input must not stall the event loop.
        while (batch := await asyncio.to_thread(next, batches, None)) is not None:
            bad += await _predict_batch(engine, who, name, batch)
        return bad

    bad = _run(work)
    if bad:
        raise _fail(f"{_count(bad, 'text')} refused (see above)", 1)


async def _predict_batch(engine: Heron, who: User, name: str, batch: list[tuple[str, str]]) -> int:
    """Predicts one batch of (where, text) and prints it; a text the engine would refuse gets
    an error object instead (so the output stays one line per input) and counts as bad."""
    problems: dict[int, str] = {}
    for index, (where, text) in enumerate(batch):
        try:
            check_text(text, where)
        except BadInput as error:
            problems[index] = error.detail
    good = [text for index, (_, text) in enumerate(batch) if index not in problems]
    predictions = iter(await engine.predict(who, name, good) if good else [])
    out: list[str] = []
    for index, (_, text) in enumerate(batch):
        if index in problems:
            errors.print(f"[red]Error:[/red] {escape(problems[index])}", highlight=False)
            found: dict[str, Any] = {"text": text, "error": problems[index]}
        else:
            found = next(predictions).to_json()
        out.append(json.dumps(found, ensure_ascii=False))
    _write_lines(out)
    return len(problems)


def _batches(texts: list[str] | None, stream: TextIO, size: int) -> Iterator[list[tuple[str, str]]]:
    """Batches of (where, text): the texts given as arguments, or the non-blank lines of
    `stream` as they arrive ("line 7", for error messages)."""
    if texts:
        given = [(f"text {number}", text) for number, text in enumerate(texts, start=1)]
        for start in range(0, len(given), BATCH):
            yield given[start : start + BATCH]
        return
    batch: list[tuple[str, str]] = []
    for number, line in enumerate(stream, start=1):
        text = line.strip()
        if text:
            batch.append((f"line {number}", text))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_lines(lines: list[str]) -> None:
    try:
        sys.stdout.write("".join(f"{line}\n" for line in lines))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped (`| head`): stop quietly, without a second error at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None


@app.command("eval")
def evaluate(
    name: AppName,
    file: TrainingFile,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Measure an app on labelled examples it was not trained on."""
    data = _read_training_file(file, test=True)

    async def work(engine: Heron) -> dict[str, Any]:
        found = await engine.evaluate_app(await _user(engine, user), name, data)
        return found.to_json()

    evaluation = _run(work)
    if as_json:
        print(json.dumps(evaluation, ensure_ascii=False))
        return
    console.print(_evaluation_table(evaluation, escape(f"{name} on {file.name}")))
    _print_confusions(evaluation)


@app.command("apps")
def list_apps(user: UserOption = None, as_json: JsonOption = False) -> None:
    """List your language apps."""
    found = _state(
        lambda engine, who: engine.apps(who),
        user,
        as_json,
        "No language apps yet; train one with: heron nlu train APP FILE.json",
    )
    if not found:
        return
    table = Table("name", "status", "intents", "examples", "trained (UTC)", "held-out accuracy")
    for each in found:
        held_out = (each["report"] or {}).get("held_out")
        table.add_row(
            each["name"],
            each["status"],
            str(len(each["intents"])),
            str(each["examples"]),
            _when(each["trained_at"]),
            _pct(held_out["accuracy"]) if held_out else "-",
        )
    console.print(table)


def _when(stamp: str | None) -> str:
    return "-" if stamp is None else stamp[:16].replace("T", " ")


@app.command()
def show(name: AppName, user: UserOption = None, as_json: JsonOption = False) -> None:
    """Show one app: its status, intents, entities, last training report and bindings."""

    async def work(engine: Heron) -> dict[str, Any]:
        return await engine.app(await _user(engine, user), name)

    found = _run(work)
    if as_json:
        print(json.dumps(found, ensure_ascii=False))
        return
    trained = f"trained {_when(found['trained_at'])} UTC" if found["trained"] else "not trained"
    console.print(
        f"[bold]{found['name']}[/bold]: {found['status']} (version {found['version']}, {trained})",
        highlight=False,
    )
    if found["error"]:
        console.print(f"[red]{escape(found['error'])}[/red]", highlight=False)
    console.print(f"Intents: {', '.join(found['intents']) or '-'}", highlight=False)
    console.print(f"Entities: {', '.join(found['entities']) or '-'}", highlight=False)
    if found["report"]:
        _print_report(found["report"])
    if not found["bindings"]:
        console.print(f"No intent is bound; bind one with: heron nlu bind {name} INTENT --reply …")
        return
    table = Table("intent", "answered by", title="Bindings", title_justify="left")
    for intent, binding in sorted(found["bindings"].items()):
        answer = (
            f"reply {binding['reply']!r}" if "reply" in binding else f"webhook {binding['webhook']}"
        )
        table.add_row(intent, escape(answer))
    console.print(table)


@app.command()
def delete(
    name: AppName,
    user: UserOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask to confirm")] = False,
) -> None:
    """Delete an app, its examples, its model and its bindings."""

    async def exists(engine: Heron) -> None:
        await engine.app(await _user(engine, user), name)

    if not yes:
        _run(exists)  # say "no such app" before asking whether to delete it
        typer.confirm(f"Delete the language app {name!r}?", abort=True, err=True)

    async def work(engine: Heron) -> None:
        await engine.delete_app(await _user(engine, user), name)

    _run(work)
    console.print(f"Deleted the language app [bold]{name}[/bold].", highlight=False)


@app.command()
def bind(
    name: AppName,
    intent: Annotated[str, typer.Argument(help="One of the app's intents")],
    reply: Annotated[
        str | None,
        typer.Option(help='A reply; entities go in braces: "Turning on the {device}."'),
    ] = None,
    webhook: Annotated[
        str | None,
        typer.Option(help='A URL that gets the prediction as JSON and answers {"reply": ...}'),
    ] = None,
    user: UserOption = None,
) -> None:
    """Make the assistant answer an app intent with a reply or a webhook."""
    try:  # the engine checks again; here a mistake is said with the user's text intact
        Binding.check(reply, webhook)
    except BadInput as error:
        raise _fail(error.detail) from None

    async def work(engine: Heron) -> dict[str, Any]:
        who = await _user(engine, user)
        return await engine.bind_intent(who, name, intent, reply=reply, webhook=webhook)

    _run(work)
    answer = f"the reply {reply!r}" if reply is not None else f"the webhook {webhook}"
    console.print(f"{name}:{intent} is now answered by {answer}.", markup=False, highlight=False)


@app.command()
def unbind(
    name: AppName,
    intent: Annotated[str, typer.Argument(help="A bound intent of the app")],
    user: UserOption = None,
) -> None:
    """Stop answering an app intent."""

    async def work(engine: Heron) -> dict[str, Any]:
        return await engine.unbind_intent(await _user(engine, user), name, intent)

    _run(work)
    console.print(f"{name}:{intent} is no longer answered.", markup=False, highlight=False)
