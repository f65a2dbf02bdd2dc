"""The `heron` command as a user runs it: the installed console script in a new process for
every command, on a fresh data dir, so only what is on disk carries from one call to the next."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from pathlib import Path

import pytest

from heron import Heron, Settings
from heron.store import Store
from tests.e2e.harness import heron_env, run_heron

ANSWER_KEYS = {"reply", "intent", "slots", "confidence", "conversation_id", "routing", "data"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return heron_env(tmp_path / "data")


def heron(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    """Runs `heron ARGS`, asserts it succeeded, and returns its standard output."""
    done = run_heron(*args, env=env, stdin=stdin)
    assert done.returncode == 0, f"heron {' '.join(args)} failed:\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


async def authenticate(env: dict[str, str], key: str) -> str | None:
    """The name of the user `key` belongs to, looked up in the data dir's database."""
    store = await Store.open(Settings(data_dir=Path(env["HERON_DATA_DIR"])).resolved_database_url)
    try:
        async with store.admin() as admin:
            user = await admin.authenticate(key)
            return user.name if user else None
    finally:
        await store.close()


async def test_a_timer_set_in_one_process_is_known_to_the_next(env: dict[str, str]) -> None:
    first = run_heron("ask", "set a timer for 7 minutes", env=env)
    assert first.returncode == 0, first.stderr
    assert "7 minutes" in first.stdout
    # The first user was made on the way, and its key shown once (on stderr, not in the reply).
    assert await authenticate(env, first.stderr.strip().splitlines()[-1]) == "me"

    left = heron("ask", "how much time is left on my timer?", env=env)

    assert re.search(r"\b(7 minutes|6 minutes and \d+ seconds?) left\b", left), left
    assert "7 minute timer" in left
    timers = json.loads(heron("timers", "--json", env=env))
    assert [(t["duration_s"], t["state"]) for t in timers] == [(420.0, "running")]
    assert 380 < timers[0]["remaining_s"] <= 420


def test_ask_json_prints_exactly_the_answer(env: dict[str, str]) -> None:
    out = heron("ask", "--json", "add milk and eggs to my shopping list", env=env)

    lines = out.strip().splitlines()
    assert len(lines) == 1
    answer = json.loads(lines[0])
    assert set(answer) == ANSWER_KEYS
    assert answer["intent"] == "list.add"
    assert answer["slots"] == {"items": ["milk", "eggs"], "list": "shopping"}
    assert answer["reply"] == "Added milk and eggs to your shopping list."
    assert isinstance(answer["confidence"], float)
    assert answer["routing"]["stage"] in {"template", "similarity"}


def test_lists_shows_what_was_added(env: dict[str, str]) -> None:
    heron("ask", "add milk and eggs to my shopping list", env=env)

    shown = heron("lists", env=env)
    listed = json.loads(heron("lists", "--json", env=env))

    assert "shopping (2 items)" in shown
    assert "- milk" in shown and "- eggs" in shown
    assert [(x["name"], [i["text"] for i in x["items"]]) for x in listed] == [
        ("shopping", ["milk", "eggs"])
    ]


async def test_users_add_prints_a_key_that_authenticates(env: dict[str, str]) -> None:
    out = heron("users", "add", "bob", "--timezone", "Europe/Paris", env=env)
    key = out.strip().splitlines()[-1]
    another = heron("users", "key", "bob", env=env).strip().splitlines()[-1]
    again = run_heron("users", "add", "bob", env=env)

    assert await authenticate(env, key) == "bob"
    assert await authenticate(env, another) == "bob"
    assert another != key
    assert await authenticate(env, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert again.returncode != 0
    assert "exists already" in again.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("ask", "--user", "nobody", "hi"), "no user called 'nobody'"),
        (("users", "add", "carol", "--timezone", "Mars/Olympus"), "unknown time zone"),
    ],
    ids=["unknown-user", "unknown-time-zone"],
)
def test_a_mistake_fails_with_a_clear_message(
    env: dict[str, str], args: tuple[str, ...], says: str
) -> None:
    done = run_heron(*args, env=env)

    assert done.returncode != 0
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_chat_answers_each_line_and_keeps_the_conversation(env: dict[str, str]) -> None:
    lines = ["set a timer", "", "twelve minutes", "how much time is left on my timer?"]

    out = heron("chat", env=env, stdin="\n".join(lines) + "\n")

    replies = out.strip().splitlines()
    assert len(replies) == 3, out
    assert replies[0] == "For how long?"
    assert "12 minutes" in replies[1]
    assert re.search(r"\b(12 minutes|11 minutes and \d+ seconds?) left\b", replies[2]), replies


def test_doctor_passes_on_a_healthy_install(env: dict[str, str]) -> None:
    done = run_heron("doctor", env=env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "database" in done.stdout
    assert "translation: apertium" in " ".join(done.stdout.split())  # its probe passed
    assert "Heron is ready" in done.stdout


def test_doctor_fails_when_the_database_is_unreachable(env: dict[str, str]) -> None:
    broken = {**env, "HERON_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}

    done = run_heron("doctor", env=broken)

    assert done.returncode == 1
    assert "database" in done.stdout
    assert "FAIL" in done.stdout


def test_serve_on_a_busy_port_says_which_port_to_try(env: dict[str, str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_heron("serve", "--port", str(port), env=env)

    said = " ".join(done.stderr.split())
    assert done.returncode != 0
    assert f"127.0.0.1:{port} is already in use" in said
    assert f"heron serve --port {port + 1}" in said


async def test_two_commands_starting_together_on_a_new_install_share_the_first_user(
    env: dict[str, str],
) -> None:
    # Every command first makes the first user if there is none (`heron serve` and `heron ask`
    # alike). Two started at once (a script, or serve next to ask) must agree on that user
    # rather than one failing. Two engines in one event loop stand in for the two processes,
    # because only that lines the two up on every run.
    settings = Settings(data_dir=Path(env["HERON_DATA_DIR"]), similarity_engine="tfidf")
    first, second = Heron(settings), Heron(settings)
    await first.start(warm=False)
    await second.start(warm=False)
    try:
        results = await asyncio.gather(
            first.ensure_first_user(), second.ensure_first_user(), return_exceptions=True
        )
    finally:
        await first.close()
        await second.close()

    assert [r for r in results if isinstance(r, BaseException)] == []
    (one, one_key), (other, other_key) = results
    assert one.id == other.id
    assert [one_key, other_key].count(None) == 1  # one made the user and got its key


def test_kg_stats_query_and_entity(env: dict[str, str]) -> None:
    stats = json.loads(heron("kg", "stats", "--json", env=env))
    rows = heron(
        "kg", "query", 'SELECT DISTINCT ?n WHERE { ?c h:iso2 "KE" ; h:capital/h:name ?n }', env=env
    )
    entity = heron("kg", "entity", "Paris, Texas", env=env)

    assert stats["entities"]["countries"] >= 240
    assert "Nairobi" in rows and "1 row" in rows
    assert "city/4717560" in entity and "Texas" in entity


def test_kg_query_refuses_updates(env: dict[str, str]) -> None:
    done = run_heron("kg", "query", "DELETE WHERE { ?s ?p ?o }", env=env)

    assert done.returncode == 2
    assert "read-only" in done.stderr
    assert "Traceback" not in done.stderr


def test_ask_answers_world_facts(env: dict[str, str]) -> None:
    assert heron("ask", "what is the capital of Peru", env=env).strip() == (
        "The capital of Peru is Lima."
    )


def test_facts_told_by_ask_are_listed_and_forgotten(env: dict[str, str]) -> None:
    heron("ask", "my car is parked on level 3", env=env)
    added = json.loads(heron("facts", "add", "--json", "Ana's birthday is May 2", env=env))

    listed = heron("facts", "list", env=env)
    heron("facts", "forget", str(added["id"]), env=env)
    left = json.loads(heron("facts", "list", "--json", env=env))
    refused = run_heron("facts", "add", "hello there", env=env)

    assert "Your car is on level 3." in listed and "Ana's birthday is May 2." in listed
    assert [f["text"] for f in left] == ["Your car is on level 3."]
    assert refused.returncode == 2 and "no fact found" in refused.stderr
    assert heron("facts", "forget", "--all", env=env).strip() == "Forgot 1 fact."
    assert heron("ask", "where did I park?", env=env).strip() == (
        "You haven't told me where your car is."
    )
