"""`heron kg`: build, inspect and query the world knowledge graph."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from heron.cli.main import JsonOption, _run, console, errors
from heron.config import Settings
from heron.engine import Heron
from heron.errors import HeronError
from heron.knowledge.graph import Progress as GraphProgress
from heron.knowledge.graph import WorldGraph

app = typer.Typer(
    help="The world knowledge graph: build, stats, query, entity.", no_args_is_help=True
)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="kg")


@contextmanager
def progress_bar() -> Iterator[GraphProgress]:
    """A rich progress bar on stderr, as a graph build progress callback."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} facts"),
        TimeElapsedColumn(),
        console=errors,
        transient=False,
    ) as bar:
        task = bar.add_task("building the world graph", total=1)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        yield update


async def ensure_world(engine: Heron) -> None:
    """Builds the graph on first use, with a progress bar (used by ask and chat too)."""
    if engine.world.current():
        return
    errors.print("Building the world knowledge graph (once, about half a minute)...")
    with progress_bar() as update:
        await engine.world_graph(update)


@app.command()
def build(
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if current")] = False,
) -> None:
    """Build the graph from the packaged sources (GeoNames, countryinfo, pycountry, WordNet)."""
    graph = WorldGraph(Settings().resolved_knowledge_dir)
    if graph.current() and not force:
        console.print(f"The world graph is up to date in {graph.path} (use --force to rebuild).")
        return
    try:
        with progress_bar() as update:
            graph.ensure(update, force=force)
    except HeronError as error:
        errors.print(f"[red]Error:[/red] {error.detail}")
        raise typer.Exit(2) from None
    built = graph.stats()
    facts = sum(built["quads"].values())
    console.print(f"Built in {built['build_seconds']} s: {facts:,} facts in {graph.path}.")


@app.command()
def stats(as_json: JsonOption = False) -> None:
    """Counts of entities and facts per source."""
    graph = WorldGraph(Settings().resolved_knowledge_dir)
    if not graph.current():
        errors.print("The world graph is not built yet; run: heron kg build")
        raise typer.Exit(1)
    found = graph.stats()
    if as_json:
        print(json.dumps(found))
        return
    table = Table("what", "count")
    for name, count in found["entities"].items():
        table.add_row(name, f"{count:,}")
    for source, count in found["quads"].items():
        table.add_row(f"facts from {source}", f"{count:,}")
    console.print(table)
    console.print(
        f"{found['path']}: {found['bytes'] / 2**20:,.0f} MiB, built {found['built_at']} "
        f"in {found['build_seconds']} s"
    )


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(help="A SELECT, ASK, CONSTRUCT or DESCRIBE query")],
    as_json: JsonOption = False,
) -> None:
    """Run a read-only SPARQL query (prefixes h:, k: and xsd: are predeclared)."""

    async def work(engine: Heron) -> dict[str, Any]:
        await ensure_world(engine)
        return await engine.sparql(sparql)

    result = _run(work)
    if as_json or "boolean" in result:
        print(json.dumps(result, ensure_ascii=False) if as_json else str(result["boolean"]).lower())
        return
    names = result["head"]["vars"]
    table = Table(*names)
    for row in result["results"]["bindings"]:
        table.add_row(*[_short(row.get(name)) for name in names])
    console.print(table)
    rows = len(result["results"]["bindings"])
    console.print(
        f"{rows:,} row{'s' if rows != 1 else ''}" + (" (truncated)" if result["truncated"] else "")
    )


def _short(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    return term["value"].replace("https://heron.invalid/kg/", "h:")


@app.command()
def entity(
    name: Annotated[str, typer.Argument(help='A name ("Kenya", "Paris, Texas") or an id')],
    as_json: JsonOption = False,
) -> None:
    """Show everything the graph knows about an entity, with the source of each fact."""

    async def work(engine: Heron) -> dict[str, Any]:
        await ensure_world(engine)
        if "/" in name and " " not in name:
            return await engine.entity(name)
        found = await engine.entities(name, limit=1)
        if not found:
            raise_not_found(name)
        return await engine.entity(found[0]["id"])

    result = _run(work)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    console.print(f"[bold]{result['name']}[/bold] ({result['id']})")
    table = Table("property", "value", "source")
    for prop, values in sorted(result["facts"].items()):
        for value in values[:12]:
            shown = value.get("name") or value.get("value", value.get("id"))
            table.add_row(prop, str(shown), value["source"])
        if len(values) > 12:
            table.add_row(prop, f"... and {len(values) - 12} more", "")
    console.print(table)


def raise_not_found(name: str) -> None:
    from heron.errors import NotFound

    raise NotFound(f"nothing called {name!r} in the world graph")
