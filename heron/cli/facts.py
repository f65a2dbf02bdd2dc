"""`heron facts`: what a user told the assistant — list, add and forget."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from heron.cli.main import JsonOption, UserOption, _run, _state, _user, console, errors
from heron.engine import Heron

app = typer.Typer(
    help="Your personal facts (what you told the assistant): list, add, forget.",
    no_args_is_help=True,
)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="facts")


@app.command("list")
def list_facts(
    user: UserOption = None,
    as_json: JsonOption = False,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Only facts with these words")
    ] = None,
) -> None:
    """Show everything you told the assistant to remember."""
    found = _state(
        lambda engine, who: engine.facts(who, query), user, as_json, "No facts remembered."
    )
    if not found:
        return
    table = Table("id", "fact", "told (UTC)")
    for fact in found:
        table.add_row(str(fact["id"]), fact["text"], fact["updated_at"][:16].replace("T", " "))
    console.print(table)


@app.command("add")
def add(
    text: Annotated[str, typer.Argument(help='e.g. "my car is parked on level 3"')],
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Tell the assistant a fact to remember."""

    async def work(engine: Heron) -> dict[str, Any]:
        return await engine.remember(await _user(engine, user), text)

    fact = _run(work)
    if as_json:
        print(json.dumps(fact, ensure_ascii=False))
    else:
        console.print(f"Remembered ({fact['id']}): {fact['text']}", markup=False, highlight=False)


@app.command()
def forget(
    fact_id: Annotated[int | None, typer.Argument(help="An id from `heron facts list`")] = None,
    all_facts: Annotated[bool, typer.Option("--all", help="Forget every fact")] = False,
    user: UserOption = None,
) -> None:
    """Forget one fact by id, or all of them with --all (the turns that told them are blanked)."""
    if fact_id is not None and all_facts:
        errors.print("Give a fact id or --all, not both.")
        raise typer.Exit(2)
    if fact_id is None and not all_facts:
        errors.print("Give a fact id, or --all to forget everything.")
        raise typer.Exit(2)

    async def work(engine: Heron) -> str:
        who = await _user(engine, user)
        if fact_id is None:
            forgotten = await engine.forget_facts(who)
            return f"Forgot {forgotten} fact{'s' if forgotten != 1 else ''}."
        fact = await engine.forget_fact(who, fact_id)
        return f"Forgot: {fact['text']}"

    console.print(_run(work), markup=False, highlight=False)
