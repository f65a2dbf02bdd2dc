"""`heron translate`: a text, or standard input line by line, translated offline; and
`--languages`, the languages and directions installed."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator
from typing import Annotated, Any, TextIO

import typer
from rich.markup import escape
from rich.table import Table

from heron.cli.main import _run, console, errors
from heron.engine import Heron
from heron.errors import TooLarge, UnsupportedLanguage

ToOption = Annotated[
    str | None,
    typer.Option("--to", "-t", metavar="LANG", help='The language to translate into, e.g. "es"'),
]
FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        "-f",
        metavar="LANG",
        help="The language of the text (default: detected; say it for short lines)",
    ),
]


def register(parent: typer.Typer) -> None:
    parent.command("translate")(translate)


def _fail(message: str) -> typer.Exit:
    """Says what went wrong (escaped: messages quote the user's text) → the exit to raise."""
    errors.print(f"[red]Error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(2)


def translate(
    text: Annotated[
        str | None,
        typer.Argument(
            help="What to translate, in quotes; without it (or with -), each line of standard input"
        ),
    ] = None,
    to: ToOption = None,
    source: FromOption = None,
    html: Annotated[
        bool, typer.Option("--html", help="The text holds HTML tags: keep them, untranslated")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print JSON: the route, detection and unknown words too (one object a line)",
        ),
    ] = False,
    languages: Annotated[
        bool,
        typer.Option(
            "--languages", help="List the directions that can be translated (--from/--to filter)"
        ),
    ] = False,
) -> None:
    """Translate TEXT, or standard input a line at a time (blank lines kept), into the
    language of --to. Offline: Apertium and a neural English↔Portuguese engine."""
    if languages:
        _list_languages(source, to, as_json)
        return
    if not to:
        raise _fail("say which language to translate into, e.g. --to es (see: --languages)")
    if text is not None and text != "-":
        _translate_text(text, to, source, html, as_json)
        return
    _translate_lines(sys.stdin, to, source, html, as_json)


def _translate_text(text: str, to: str, source: str | None, html: bool, as_json: bool) -> None:
    async def work(engine: Heron) -> dict[str, Any]:
        [done] = await engine.translate(text, to, source, markup=html)
        return done.to_json()

    done = _run(work)
    _write(json.dumps(done, ensure_ascii=False) if as_json else done["text"])


def _translate_lines(
    stream: TextIO, to: str, source: str | None, html: bool, as_json: bool
) -> None:
    """Each line of `stream` translated and printed as soon as it is read. A line that cannot
    be translated on its own (its language is not clear, it is too long) is said on stderr
    and printed as it was; the other lines go on. An error that every line would meet (an
    unknown language, a direction that is not installed) stops at once."""
    interactive = stream.isatty()
    if interactive:
        errors.print(f"Type a line to translate into {escape(to)}; Ctrl-D ends.")

    async def work(engine: Heron) -> list[int]:
        failed: list[int] = []
        lines = _lines(stream)
        # Lines are read in a thread: waiting for typed input must not stall the event loop.
        while (read := await asyncio.to_thread(next, lines, None)) is not None:
            number, line = read
            if not line.strip():
                if not as_json:
                    _write(line)
                continue
            try:
                [done] = await engine.translate(line, to, source, markup=html)
            except (UnsupportedLanguage, TooLarge) as error:
                if isinstance(error, UnsupportedLanguage) and source is not None:
                    raise  # the direction itself: every line would fail the same way
                failed.append(number)
                errors.print(f"[red]line {number}:[/red] {escape(error.detail)}", highlight=False)
                found = {"line": number, "text": line, "error": error.detail}
                _write(json.dumps(found, ensure_ascii=False) if as_json else line)
                continue
            translated = done.to_json()
            _write(
                json.dumps({"line": number, **translated}, ensure_ascii=False)
                if as_json
                else translated["text"]
            )
        return failed

    failed = _run(work)
    if failed:
        lines = ", ".join(map(str, failed[:10])) + (", …" if len(failed) > 10 else "")
        noun = "line was" if len(failed) == 1 else "lines were"
        raise _fail(f"{len(failed)} {noun} not translated (line {lines}); see above")


def _lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    """(number, line without its line break), numbered from 1, as they arrive."""
    for number, line in enumerate(stream, start=1):
        yield number, line.rstrip("\r\n")


def _write(line: str) -> None:
    """One line to stdout, as it is (no wrapping, no markup), flushed so pipes see it now."""
    try:
        sys.stdout.write(f"{line}\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped (`| head`): stop quietly, without a second error at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None


# --- languages ------------------------------------------------------------------------------


def _list_languages(source: str | None, target: str | None, as_json: bool) -> None:
    found = _run(lambda engine: engine.translation_languages())
    wanted = [
        d
        for d in found["directions"]
        if (source is None or d["from"] == source.lower())
        and (target is None or d["to"] == target.lower())
    ]
    if as_json:
        _write(json.dumps({**found, "directions": wanted}, ensure_ascii=False))
        return
    names = {language["code"]: language["name"] for language in found["languages"]}
    if not wanted:
        codes = ", ".join(sorted(names)) or "none (Debian: apt-get install apertium-eng-spa)"
        raise _fail(f"no such direction is installed; the languages are: {codes}")
    if source is None and target is None:
        console.print(_summary(wanted, names))
        console.print(
            f"{len(names)} languages, {len(wanted)} directions. A pivot is a language in "
            "between, when no engine translates a direction directly. The routes from one "
            "language: heron translate --languages --from CODE",
            highlight=False,
        )
        return
    table = Table("from", "to", "route", "engines")
    for direction in wanted:
        route = [direction["from"], *direction["via"], direction["to"]]
        table.add_row(
            f"{direction['from']} {escape(names.get(direction['from'], ''))}",
            f"{direction['to']} {escape(names.get(direction['to'], ''))}",
            " → ".join(route),
            ", ".join(direction["engines"]),
        )
    console.print(table)


def _summary(directions: list[dict[str, Any]], names: dict[str, str]) -> Table:
    """One row a source language: what it translates into directly, and through others."""
    direct: dict[str, list[str]] = {}
    pivoted: dict[str, list[str]] = {}
    for direction in directions:
        into = direct if not direction["via"] else pivoted
        into.setdefault(direction["from"], []).append(direction["to"])
        direct.setdefault(direction["from"], [])
    table = Table("from", "language", "directly into", "through pivots into")
    for code in sorted(direct):
        table.add_row(
            code,
            escape(names.get(code, code)),
            " ".join(direct[code]) or "-",
            " ".join(pivoted.get(code, [])) or "-",
        )
    return table
