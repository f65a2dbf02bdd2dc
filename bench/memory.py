"""The personal graph: are facts told in conversation recalled right, by any name and in many
phrasings, forgotten when asked, and never told to another user? Runs the same conversations
on SQLite (the embedded default) and PostgreSQL (the scale-out store) in one run, and writes
accuracy per relation and latency per turn to docs/benchmarks.md.

    .venv/bin/python bench/memory.py [--no-write] [--show-errors N] [--postgres URL]

Each case is told to a new user and then asked once; a second user asks the same question and
must not hear the first one's answer. The cases are written below, not drawn from Heron.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from report import p50_p95, write_section
from rich.progress import track
from sqlalchemy import create_engine, text

from heron import Heron, Settings
from heron.language.normalize import fold

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
NOT_TOLD = "haven't told me"


@dataclass(frozen=True)
class Case:
    relation: str
    tell: tuple[str, ...]
    ask: str
    expect: tuple[str, ...]
    """Words the reply must contain; NOT_TOLD for an honest "you haven't told me"."""
    absent: tuple[str, ...] = ()
    """Words it must not contain (an old value, a forgotten one)."""


PEOPLE = [
    ("sister", "Ana"),
    ("brother", "Tom"),
    ("mom", "Maria"),
    ("boss", "Priya"),
    ("dentist", "Chen"),
    ("dog", "Rex"),
    ("best friend", "Luca"),
    ("neighbour", "Ingrid"),
]
NAME_TELLS = [
    "my {r}'s name is {n}",
    "My {r} is called {n}.",
    "remember that my {r} is {n}",
    "my {r} is named {n}",
    "note that my {r}'s name is {n}",
]
NAME_ASKS = [
    "what's my {r}'s name?",
    "What is my {r} called?",
    "who is my {r}",
    "whats my {rs} name",
    "do you remember my {r}'s name",
    "tell me my {r}'s name",
]
DATES = ["May 2", "the 3rd of June", "March 14th", "October 30", "July 4th", "January 9"]
DATE_WORDS = {"the 3rd of June": "3rd of June"}
BIRTHDAY_TELLS = [
    "{n}'s birthday is {d}",
    "{n} was born on {d}",
    "remember that my {r}'s birthday is {d}",
    "my {r}'s birthday is on {d}",
]
BIRTHDAY_ASKS = [
    "when is {n}'s birthday?",
    "when is my {r}'s birthday",
    "when was {n} born",
    "What's {n}'s birthday?",
    "when is my {rs} birthday",
]
THINGS = [
    ("keys", "in the kitchen drawer"),
    ("passport", "in the top drawer"),
    ("glasses", "on the bookshelf"),
    ("umbrella", "behind the door"),
    ("charger", "in my backpack"),
    ("spare key", "under the flower pot"),
]
PLACE_TELLS = [
    "I put my {t} {p}",
    "my {t} {be} {p}",
    "remember that my {t} {be} {p}",
    "I left my {t} {p}",
]
PLACE_ASKS = [
    "where did I put my {t}?",
    "where {be} my {t}",
    "where did I leave my {t}",
    "do you know where my {t} {be}",
    "Where {be} my {t}?",
]
PARKING = [
    ("I parked on level 3", "level 3"),
    ("my car is parked in row F", "row F"),
    ("I parked the car at the north entrance", "north entrance"),
    ("remember that I parked on the second floor", "second floor"),
]
PARKING_ASKS = [
    "where did I park?",
    "where is my car",
    "where's the car parked",
    "where did I park the car",
    "remind me where I parked",
]
ATTRIBUTES = [
    ("wifi password", "correct horse"),
    ("locker number", "42"),
    ("favorite color", "green"),
    ("blood type", "O negative"),
    ("licence plate", "KX 512"),
    ("gym code", "7731"),
]
ATTRIBUTE_TELLS = ["my {a} is {v}", "remember that my {a} is {v}", "My {a} is {v}."]
ATTRIBUTE_ASKS = ["what is my {a}", "what's my {a}?", "do you remember my {a}", "tell me my {a}"]
FORGETS = [
    ("I parked on level 3", "forget where I parked", "where did I park?", "level 3"),
    ("my keys are in the drawer", "forget where my keys are", "where are my keys", "drawer"),
    ("my wifi password is hunter2", "forget my wifi password", "what's my wifi password",
     "hunter2"),
    ("Ana's birthday is May 2", "forget Ana's birthday", "when is Ana's birthday", "May 2"),
    ("my sister's name is Ana", "forget everything about my sister", "who is my sister", "Ana"),
    ("my locker number is 42", "forget everything I told you", "what's my locker number", "42"),
]  # fmt: skip
UNTOLD = ["where are my sunglasses?", "what's my brother's name", "when is Tom's birthday",
          "what is my wifi password", "where did I park", "who is Ingrid"]  # fmt: skip


def spoken(noun: str) -> str:
    """A possessive as a speech recogniser writes it: "sister's" → "sisters", "boss's" →
    "bosses"."""
    return noun + ("es" if noun.endswith("s") else "s")


def cases() -> Iterator[Case]:
    cycle = itertools.count()
    for (r, n), ask in itertools.product(PEOPLE, NAME_ASKS):
        tell = NAME_TELLS[next(cycle) % len(NAME_TELLS)]
        yield Case("name", (tell.format(r=r, n=n),), ask.format(r=r, rs=spoken(r)), (n,))
    for r, n in PEOPLE:
        yield Case("name (reverse)", (NAME_TELLS[0].format(r=r, n=n),), f"who is {n}?", (r,))
    for (r, n), ask in itertools.product(PEOPLE[:6], BIRTHDAY_ASKS):
        day = DATES[next(cycle) % len(DATES)]
        tell = BIRTHDAY_TELLS[next(cycle) % len(BIRTHDAY_TELLS)]
        told = (NAME_TELLS[0].format(r=r, n=n), tell.format(r=r, n=n, d=day))
        question = ask.format(r=r, n=n, rs=spoken(r))
        yield Case("birthday", told, question, (DATE_WORDS.get(day, day),))
    for (t, place), ask in itertools.product(THINGS, PLACE_ASKS):
        be = "are" if t.endswith("s") else "is"
        tell = PLACE_TELLS[next(cycle) % len(PLACE_TELLS)].format(t=t, p=place, be=be)
        said = place.replace("my ", "your ")
        yield Case("location", (tell,), ask.format(t=t, be=be), (said,))
    for (tell, where), ask in itertools.product(PARKING, PARKING_ASKS):
        yield Case("parking", (tell,), ask, (where,))
    for (a, v), ask in itertools.product(ATTRIBUTES, ATTRIBUTE_ASKS):
        tell = ATTRIBUTE_TELLS[next(cycle) % len(ATTRIBUTE_TELLS)]
        yield Case("attribute", (tell.format(a=a, v=v),), ask.format(a=a), (v,))
    yield Case("update", ("I parked on level 3", "I parked on level 5"), "where did I park",
               ("level 5",), ("level 3",))  # fmt: skip
    yield Case("update", ("my wifi password is one", "my wifi password is two"),
               "what's my wifi password", ("two",), ("one",))  # fmt: skip
    yield Case("note", ("remember that Ana likes tulips",), "what do you know about Ana",
               ("likes tulips",))  # fmt: skip
    yield Case("note", ("remember that I'm allergic to peanuts",), "what do you know about me",
               ("allergic to peanuts",))  # fmt: skip
    for told, forget, ask, value in FORGETS:
        yield Case("forget", (told, forget), ask, (NOT_TOLD,), (value,))
    for ask in UNTOLD:
        yield Case("never told", (), ask, (NOT_TOLD,))


def right(reply: str, case: Case) -> bool:
    said = fold(reply)
    return all(fold(e) in said for e in case.expect) and not any(
        fold(a) in said for a in case.absent
    )


@dataclass
class Run:
    results: dict[str, list[bool]]
    tell_ms: list[float]
    ask_ms: list[float]
    leaks: int
    errors: list[str]


async def run(backend: str, database_url: str | None, show_errors: int) -> Run:
    done = Run(defaultdict(list), [], [], 0, [])
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            timezone="UTC",
            database_url=database_url,
            knowledge_dir=Settings().resolved_knowledge_dir,  # the installed world graph
        )
        async with Heron(settings) as engine:
            stranger, _ = await engine.create_user("stranger")
            warm, _ = await engine.create_user("warm-up")
            await engine.ask(warm, "my car is parked on level 1")
            await engine.ask(warm, "where did I park?")
            for index, case in enumerate(track(list(cases()), description=backend)):
                user, _ = await engine.create_user(f"user-{index}")
                conversation = None
                for told in case.tell:
                    began = time.perf_counter()
                    answer = await engine.ask(user, told, conversation_id=conversation)
                    done.tell_ms.append((time.perf_counter() - began) * 1000)
                    conversation = answer.conversation_id
                began = time.perf_counter()
                reply = (await engine.ask(user, case.ask, conversation_id=conversation)).reply
                done.ask_ms.append((time.perf_counter() - began) * 1000)
                ok = right(reply, case)
                done.results[case.relation].append(ok)
                if not ok and len(done.errors) < show_errors:
                    done.errors.append(f"{case.tell} / {case.ask!r} -> {reply!r}")
                if case.tell and case.expect != (NOT_TOLD,):
                    heard = (await engine.ask(stranger, case.ask)).reply
                    done.leaks += any(fold(e) in fold(heard) for e in case.expect)
    return done


def postgres_schema(url: str) -> tuple[str, str]:
    """A new empty schema on the server, and the URL that uses it."""
    schema = f"heron_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    joiner = "&" if "?" in url else "?"
    return schema, f"{url}{joiner}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--show-errors", type=int, default=0)
    parser.add_argument("--postgres", default=POSTGRES, help="a server to compare with")
    args = parser.parse_args()
    runs = {"SQLite": asyncio.run(run("SQLite", None, args.show_errors))}
    schema, url = postgres_schema(args.postgres)
    try:
        runs["PostgreSQL"] = asyncio.run(run("PostgreSQL", url, args.show_errors))
    finally:
        drop_schema(args.postgres, schema)
    for name, result in runs.items():
        for error in result.errors:
            print("  ", name, error)
    first = runs["SQLite"]
    total = sum(len(v) for v in first.results.values())
    lines = [
        f"{total} cases over {len(first.results)} kinds of personal fact (bench/memory.py): "
        "each tells one new user one or two facts in conversation, then asks once, phrased "
        "differently from the telling (names asked by relation and relations by name, "
        "apostrophes dropped as a speech recogniser does, updates, forgetting, questions about "
        "things never told). A reply is right when it holds the told value (or, for forgotten "
        "and never-told facts, says so) and nothing stale. A second user asks every question "
        "too: a leak is hearing the first user's value. Same cases, same process, two stores. "
        "The cases were written while the skill was built, so they flatter it; the routing "
        "benchmark above shows what it takes that it should not.",
        "",
        "| store | right | leaks | tell p50 / p95 (ms) | ask p50 / p95 (ms) |",
        "|---|---|---|---|---|",
    ]
    for name, result in runs.items():
        oks = [ok for values in result.results.values() for ok in values]
        lines.append(
            f"| {name} | {sum(oks) / len(oks):.1%} | {result.leaks} "
            f"| {p50_p95(result.tell_ms)} | {p50_p95(result.ask_ms)} |"
        )
    lines += ["", "| relation | cases | right (SQLite) | right (PostgreSQL) |", "|---|---|---|---|"]
    for relation, oks in sorted(first.results.items()):
        other = runs["PostgreSQL"].results[relation]
        lines.append(
            f"| {relation} | {len(oks)} | {sum(oks) / len(oks):.0%} "
            f"| {sum(other) / len(other):.0%} |"
        )
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("Personal graph (memory)", body, command=".venv/bin/python bench/memory.py")


if __name__ == "__main__":
    main()
