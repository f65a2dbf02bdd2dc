"""`heron`: ask, chat, serve, users, timers, reminders, lists, facts, kg, nlu and doctor."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from heron.config import Settings
from heron.engine import Heron
from heron.errors import HeronError
from heron.store.models import User

app = typer.Typer(
    help="Heron: an open, self-hosted, offline-first assistant.",
    no_args_is_help=True,
    add_completion=False,
)
users_app = typer.Typer(help="Manage users and their API keys.", no_args_is_help=True)
app.add_typer(users_app, name="users")

console = Console()
errors = Console(stderr=True)
T = TypeVar("T")
UserOption = Annotated[
    str | None, typer.Option("--user", "-u", help="User name (default: the first user)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text")]


def _run(work: Callable[[Heron], Awaitable[T]], *, warm: bool = False) -> T:
    """Starts the engine on the configured data dir, runs `work`, and turns errors into words."""

    async def main() -> T:
        engine = Heron(Settings())
        await engine.start(warm=warm)
        try:
            return await work(engine)
        finally:
            await engine.close()

    try:
        return asyncio.run(main())
    except HeronError as error:
        errors.print(f"[red]Error:[/red] {escape(error.detail)}")
        raise typer.Exit(2) from None


async def _user(engine: Heron, name: str | None) -> User:
    if name:
        return await engine.user(name)
    user, key = await engine.ensure_first_user()
    if key is not None:
        errors.print(f"Created the first user [bold]{user.name}[/bold]. Its API key (shown once):")
        errors.print(key)
    return user


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="What to ask, in quotes")],
    user: UserOption = None,
    as_json: JsonOption = False,
    conversation: Annotated[
        str | None, typer.Option("--conversation", "-c", help="Continue this conversation")
    ] = None,
    new: Annotated[bool, typer.Option("--new", help="Start a new conversation")] = False,
) -> None:
    """Ask the assistant once. Follows on from your last question if it was recent."""

    async def work(engine: Heron) -> dict[str, Any]:
        from heron.cli.knowledge import ensure_world

        who = await _user(engine, user)
        await ensure_world(engine)
        answer = await engine.ask(who, text, conversation_id=conversation, continue_recent=not new)
        return answer.to_json()

    result = _run(work)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        console.print(result["reply"], markup=False, highlight=False)


@app.command()
def chat(user: UserOption = None) -> None:
    """Talk with the assistant; up/down arrows recall history. /new starts over, /quit ends."""
    interactive = sys.stdin.isatty()
    settings = Settings()
    history = settings.data_dir / "chat_history"
    if interactive:
        _enable_history(history)

    async def work(engine: Heron) -> None:
        from heron.cli.knowledge import ensure_world

        who = await _user(engine, user)
        await ensure_world(engine)
        conversation: str | None = None
        if interactive:
            console.print(
                f"Heron chat as [bold]{who.name}[/bold]. Type /quit to leave, /new to start over."
            )
        while True:
            try:
                line = await asyncio.to_thread(input, "you> " if interactive else "")
            except EOFError:
                break
            line = line.strip()
            if not line:
                continue
            if line in ("/quit", "/exit"):
                break
            if line == "/new":
                conversation = None
                console.print("[dim]New conversation.[/dim]")
                continue
            try:
                answer = await engine.ask(who, line, conversation_id=conversation)
            except HeronError as error:
                console.print(f"[red]{escape(error.detail)}[/red]")
                continue
            conversation = answer.conversation_id
            if interactive:
                console.print(f"[bold cyan]heron>[/bold cyan] {answer.reply}", highlight=False)
            else:
                print(answer.reply, flush=True)

    _run(work)
    if interactive:
        _save_history(history)


def _enable_history(path: Path) -> None:
    try:
        import readline
    except ImportError:  # not on every platform; chat still works without it
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        readline.read_history_file(path)
    readline.set_history_length(1000)


def _save_history(path: Path) -> None:
    try:
        import readline
    except ImportError:
        return
    readline.write_history_file(path)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Run the HTTP and WebSocket server (creates the first user on a new install)."""
    import uvicorn

    from heron.server import create_app

    overrides: dict[str, Any] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    settings = Settings(**overrides)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError:
            errors.print(
                f"[red]Error:[/red] {settings.host}:{settings.port} is already in use. "
                f"Try `heron serve --port {settings.port + 1}`."
            )
            raise typer.Exit(2) from None

    async def first_user(engine: Heron) -> tuple[User, str | None]:
        return await engine.ensure_first_user()

    if settings.wyoming_uri:
        _check_wyoming(settings, settings.wyoming_uri)
    user, key = _run(first_user)
    base = f"http://{settings.host}:{settings.port}"
    console.print(f"[bold]Heron[/bold] data dir: {settings.data_dir}")
    if key is not None:
        console.print(f"Created the first user [bold]{user.name}[/bold]. Its API key (shown once):")
        console.print(key, markup=False, highlight=False)
    else:
        console.print(f"Users exist already; make a new key with `heron users key {user.name}`.")
    console.print(f"Listening on {base}  (API docs: {base}/docs)")
    if settings.wyoming_uri:
        console.print(f"Wyoming (Home Assistant) on {settings.wyoming_uri} as user {user.name}")
    console.print(
        f"Try: curl -s {base}/v1/assistant/ask -H 'Authorization: Bearer KEY' "
        "-H 'Content-Type: application/json' -d '{\"text\": \"what time is it\"}'",
        markup=False,
        highlight=False,
    )
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@app.command()
def wyoming(
    uri: Annotated[
        str | None, typer.Option(help="Where to listen: tcp://HOST:PORT or unix://PATH")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", "-u", help="The user it acts as (default: the first)")
    ] = None,
    remote: Annotated[
        bool, typer.Option("--remote", help="Allow listening beyond 127.0.0.1 (needs --allow)")
    ] = False,
    allow: Annotated[
        list[str] | None,
        typer.Option(help="A client address or network that may connect (repeatable)"),
    ] = None,
) -> None:
    """Serve speech-to-text, text-to-speech, wake words and the assistant over the Wyoming
    protocol, for Home Assistant (default tcp://127.0.0.1:10700)."""
    from heron.server import wyoming as wyoming_server

    overrides: dict[str, Any] = {"wyoming_remote": remote}
    if user:
        overrides["wyoming_user"] = user
    if allow:
        overrides["wyoming_allow"] = allow
    settings = Settings(**overrides)
    address = uri or settings.wyoming_uri or wyoming_server.DEFAULT_URI
    _check_wyoming(settings, address)

    def ready(server: wyoming_server.WyomingServer) -> None:
        who = server.user.name if server.user else "?"
        console.print(f"[bold]Heron[/bold] Wyoming server on {address}, acting as user {who}.")
        console.print(
            "In Home Assistant: Settings → Devices & services → Add integration → Wyoming "
            "Protocol, with this host and port."
        )

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    try:
        asyncio.run(wyoming_server.serve(settings, address, ready=ready))
    except HeronError as error:
        errors.print(f"[red]Error:[/red] {escape(error.detail)}")
        raise typer.Exit(2) from None
    except OSError as error:
        errors.print(f"[red]Error:[/red] cannot listen on {address}: {escape(str(error))}")
        raise typer.Exit(2) from None


def _check_wyoming(settings: Settings, uri: str) -> None:
    from heron.server.wyoming import check_listen

    try:
        check_listen(uri, remote=settings.wyoming_remote, allow=settings.wyoming_allow)
    except HeronError as error:
        errors.print(f"[red]Error:[/red] {escape(error.detail)}")
        raise typer.Exit(2) from None


@users_app.command("add")
def users_add(
    name: str,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone, e.g. Europe/Paris")] = None,
) -> None:
    """Create a user; prints its new API key as the last line."""

    async def work(engine: Heron) -> tuple[User, str]:
        return await engine.create_user(name, timezone)

    user, key = _run(work)
    console.print(f"Created user [bold]{user.name}[/bold] (time zone {user.timezone}). API key:")
    print(key)


@users_app.command("key")
def users_key(name: str) -> None:
    """Issue another API key for a user; prints it as the last line."""
    key = _run(lambda engine: engine.issue_key(name))
    console.print(f"New API key for [bold]{name}[/bold]:")
    print(key)


@users_app.command("list")
def users_list() -> None:
    """List users."""
    found = _run(lambda engine: engine.users())
    table = Table("id", "name", "time zone", "created")
    for user in found:
        table.add_row(str(user.id), user.name, user.timezone, f"{user.created_at:%Y-%m-%d}")
    console.print(table)


StateFetch = Callable[[Heron, User], Awaitable[list[dict[str, Any]]]]


def _state(fetch: StateFetch, user: str | None, as_json: bool, empty: str) -> list[dict[str, Any]]:
    """Fetches one kind of state for a user; prints it as JSON or says there is none.

    Returns what is left for the caller to render as text (nothing when already printed).
    """

    async def work(engine: Heron) -> list[dict[str, Any]]:
        return await fetch(engine, await _user(engine, user))

    found = _run(work)
    if as_json:
        print(json.dumps(found, ensure_ascii=False))
        return []
    if not found:
        console.print(empty)
    return found


@app.command()
def timers(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Show running and paused timers."""
    from heron.language.times import say_duration

    found = _state(lambda engine, who: engine.timers(who), user, as_json, "No timers.")
    if not found:
        return
    table = Table("id", "name", "state", "left", "ends at (UTC)")
    for timer in found:
        table.add_row(
            str(timer["id"]),
            timer["name"] or "-",
            timer["state"],
            say_duration(timer["remaining_s"]),
            timer["ends_at"][:19].replace("T", " "),
        )
    console.print(table)


@app.command()
def reminders(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Show reminders and alarms."""
    from heron.language.times import describe_recurrence

    found = _state(
        lambda engine, who: engine.reminders(who), user, as_json, "No reminders or alarms."
    )
    if not found:
        return
    table = Table("id", "kind", "text", "next", "repeats")
    for reminder in found:
        repeats = describe_recurrence(reminder["recurrence"]) if reminder["recurrence"] else "-"
        table.add_row(
            str(reminder["id"]),
            reminder["kind"],
            reminder["text"] or "-",
            reminder["due_at"][:16].replace("T", " "),
            repeats,
        )
    console.print(table)


@app.command()
def lists(user: UserOption = None, as_json: JsonOption = False) -> None:
    """Show lists and their items."""
    found = _state(lambda engine, who: engine.lists(who), user, as_json, "No lists.")
    for item_list in found:
        console.print(f"[bold]{item_list['name']}[/bold] ({len(item_list['items'])} items)")
        for item in item_list["items"]:
            console.print(f"  - {item['text']}", markup=False, highlight=False)


@app.command()
def doctor() -> None:
    """Check the install and say what to do about anything that does not work."""
    from heron.doctor import run_checks

    settings = Settings()
    try:
        checks = asyncio.run(run_checks(settings))
    except HeronError as error:
        errors.print(f"[red]Error:[/red] {escape(error.detail)}")
        raise typer.Exit(2) from None
    marks = {"ok": "[green]ok[/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]FAIL[/red]"}
    table = Table("check", "", "what I found", "what to do", show_lines=False)
    for check in checks:
        table.add_row(check.name, marks[check.status], check.detail, check.advice)
    console.print(table)
    failed = [c for c in checks if c.status == "fail"]
    if failed:
        console.print(f"[red]{len(failed)} check(s) failed.[/red]")
        raise typer.Exit(1)
    console.print("[green]Heron is ready.[/green]")


# Sub-commands living in their own modules (imported last: they use the helpers above).
from heron.cli import facts as _facts  # noqa: E402
from heron.cli import keyboard as _keyboard  # noqa: E402
from heron.cli import knowledge as _knowledge  # noqa: E402
from heron.cli import nlu as _nlu  # noqa: E402
from heron.cli import satellite as _satellite  # noqa: E402
from heron.cli import search as _search  # noqa: E402
from heron.cli import speech as _speech  # noqa: E402
from heron.cli import translation as _translation  # noqa: E402

_knowledge.register(app)
_facts.register(app)
_nlu.register(app)
_speech.register(app)
_satellite.register(app)
_search.register(app)
_translation.register(app)
_keyboard.register(app)
