"""`heron docs` (add files and folders, list, remove) and `heron search`: your own documents,
searched by words and meaning from the command line."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from heron.cli.main import JsonOption, UserOption, _run, _state, _user, console, errors
from heron.engine import Heron
from heron.errors import HeronError, TooLarge, UnsupportedMedia
from heron.search.extract import KINDS, kind_of
from heron.store.models import User

app = typer.Typer(
    help="Your documents for search: add files and folders, list them, remove them.",
    no_args_is_help=True,
)
CollectionOption = Annotated[
    str | None, typer.Option("--collection", "-c", help="A collection name, to search apart")
]
SNIFF_BYTES = 8192
"""Bytes read of a file too large to add, to tell an unsupported kind (skipped) from a
supported one (failed)."""
_MARK = re.compile(r"\*\*(.+?)\*\*")
Say = Callable[[str], None]


class SearchMode(StrEnum):
    hybrid = "hybrid"
    bm25 = "bm25"
    dense = "dense"


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="docs")
    parent.command("search")(search)


# --- adding -------------------------------------------------------------------------------


@dataclass
class Added:
    """What `heron docs add` did with each file."""

    added: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    replaced: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "skipped": self.skipped,
            "failed": self.failed,
        }


def _files(paths: list[Path], found: Added) -> list[Path]:
    """The files to add: those named, and those under the folders named (recursively, in name
    order, without hidden files and folders); a path that does not exist fails."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            for folder, subfolders, names in os.walk(path):
                # Pruned in place, so hidden folders (.git, .cache) are never walked at all.
                subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
                files.extend(Path(folder, n) for n in sorted(names) if not n.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            found.failed.append({"path": str(path), "reason": "no such file or folder"})
    return [file for file in dict.fromkeys(files) if file.is_file()]


def document_name(path: Path) -> str:
    """A file's name as a document: its full path, with the home folder as ~, so adding the
    same file again (from anywhere) finds the same document, and two README.md don't clash."""
    full = path.resolve()
    try:
        return str(Path("~") / full.relative_to(Path.home()))
    except ValueError:
        return str(full)


def _read(path: Path, limit: int) -> bytes:
    """A file's bytes; a file over `limit` is not read whole: TooLarge, or UnsupportedMedia
    when its first bytes show a kind Heron does not read (so it is skipped, not failed)."""
    size = path.stat().st_size
    if size > limit:
        with path.open("rb") as file:
            kind_of(path.name, file.read(SNIFF_BYTES))
        raise TooLarge(f"{path.name} is larger than {limit / 1_000_000:g} MB")
    return path.read_bytes()


async def _add_file(
    engine: Heron, who: User, path: Path, collection: str, found: Added, say: Say
) -> None:
    """Adds one file and files the outcome in `found`; `say` prints a line above the bar."""
    try:
        name = await asyncio.to_thread(document_name, path)
        data = await asyncio.to_thread(_read, path, engine.settings.max_document_bytes)
        document = await engine.add_document(who, name, data, collection=collection)
    except UnsupportedMedia as error:
        found.skipped.append({"path": str(path), "reason": error.detail})
        # One line: what the file is, without the list of kinds (the summary has it).
        what = error.detail.partition(": send ")[0]
        say(f"[yellow]Skipped[/yellow] {escape(str(path))}: {escape(what)}")
        return
    except HeronError as error:
        found.failed.append({"path": str(path), "reason": error.detail})
        return
    except OSError as error:
        found.failed.append({"path": str(path), "reason": error.strerror or str(error)})
        return
    if not document["added"]:
        found.unchanged.append(document)
    elif document["replaced"] is not None:
        found.replaced.append(document)
    else:
        found.added.append(document)


@app.command("add")
def add(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH...", help="Files, and folders to add whole")
    ],
    collection: CollectionOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add documents (text, Markdown, HTML, PDF, Word) so you can search them. Folders are
    added recursively; other kinds of file are skipped. Adding a changed file again replaces
    its old version; an unchanged one is left as it is."""
    found = Added()
    files = _files(paths, found)

    async def work(engine: Heron) -> None:
        who = await _user(engine, user)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=errors,
        ) as bar:
            task = bar.add_task("adding documents", total=len(files))
            for path in files:
                bar.update(task, description=escape(_short(path.name)))
                await _add_file(engine, who, path, collection or "", found, bar.console.print)
                bar.advance(task)
            bar.update(task, description="done")

    if files:
        _run(work)
    if as_json:
        print(json.dumps(found.to_json(), ensure_ascii=False))
    else:
        _print_summary(found)
    if found.failed:
        raise typer.Exit(2)


def _short(name: str, width: int = 30) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _print_summary(found: Added) -> None:
    passages = sum(d["passages"] for d in found.added + found.replaced)
    parts = [
        f"{_count(len(found.added), 'document')} added",
        f"{len(found.replaced)} replaced",
        f"{len(found.unchanged)} unchanged",
        f"{len(found.failed)} failed",
    ]
    if found.skipped:
        parts.append(f"{len(found.skipped)} skipped")
    console.print(
        f"{', '.join(parts)}; {_count(passages, 'new passage')}.", markup=False, highlight=False
    )
    if found.skipped:
        kinds = list(KINDS.values())
        console.print(
            f"Heron reads {', '.join(kinds[:-1])} and {kinds[-1]} files.",
            markup=False,
            highlight=False,
        )
    for failure in found.failed:
        console.print(
            f"[red]Failed[/red] {escape(failure['path'])}: {escape(failure['reason'])}",
            highlight=False,
        )


def _count(number: int, one: str) -> str:
    return f"{number} {one if number == 1 else one + 's'}"


# --- listing and removing -----------------------------------------------------------------


@app.command("list")
def list_documents(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Show your documents."""
    found = _state(
        lambda engine, who: engine.documents(who),
        user,
        as_json,
        "No documents yet; add some with: heron docs add PATH",
    )
    if not found:
        return
    collections = any(document["collection"] for document in found)
    table = Table("id", "title", "name", "kind", "passages", "size", "added (UTC)")
    if collections:
        table.add_column("collection")
    for document in found:
        row = [
            str(document["id"]),
            escape(document["title"]),
            escape(document["name"]),
            document["kind"],
            str(document["passages"]),
            _size(document["size"]),
            document["added_at"][:16].replace("T", " "),
        ]
        table.add_row(*row, *([escape(document["collection"])] if collections else []))
    console.print(table)


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"


@app.command("rm")
def remove(
    document_id: Annotated[int, typer.Argument(metavar="ID", help="An id from heron docs list")],
    user: UserOption = None,
) -> None:
    """Remove a document and its passages from search."""

    async def work(engine: Heron) -> str:
        who = await _user(engine, user)
        named = {d["id"]: d["name"] for d in await engine.documents(who)}
        await engine.delete_document(who, document_id)
        return str(named[document_id])

    name = _run(work)
    console.print(f"Removed document {document_id} ({name}).", markup=False, highlight=False)


# --- searching ----------------------------------------------------------------------------


def search(
    query: Annotated[str, typer.Argument(help="What to look for, in quotes")],
    k: Annotated[int, typer.Option("-k", help="How many passages, 1 to 100")] = 10,
    mode: Annotated[
        SearchMode, typer.Option("--mode", help="Words and meaning, or either alone")
    ] = SearchMode.hybrid,
    collection: CollectionOption = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only text, markdown, html, pdf or docx")
    ] = None,
    user: UserOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per hit")] = False,
) -> None:
    """Search your documents: the passages that best answer QUERY, best first."""

    async def work(engine: Heron) -> list[dict[str, Any]]:
        who = await _user(engine, user)
        return await engine.search(
            who, query, k=k, mode=mode.value, collection=collection, kind=kind
        )

    hits = _run(work)
    if as_json:
        for hit in hits:
            print(json.dumps(hit, ensure_ascii=False))
        return
    if not hits:
        console.print(f"Nothing found for {query!r}.", markup=False, highlight=False)
        return
    for rank, hit in enumerate(hits, start=1):
        console.print(
            f"[bold]{rank}. {escape(hit['title'])}[/bold]  [dim]{escape(hit['document']['name'])}"
            f" · document {hit['document_id']}[/dim]",
            highlight=False,
        )
        console.print(f"   {marked(hit['snippet'])}", highlight=False)


def marked(snippet: str) -> str:
    """A snippet as rich markup: its **marked** words bold, everything else escaped (it is
    the user's own text, and may hold brackets)."""
    out: list[str] = []
    last = 0
    for match in _MARK.finditer(snippet):
        out.append(escape(snippet[last : match.start()]))
        out.append(f"[bold]{escape(match.group(1))}[/bold]")
        last = match.end()
    out.append(escape(snippet[last:]))
    return "".join(out)
