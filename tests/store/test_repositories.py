"""The store on SQLite and PostgreSQL alike: migrations, hashed keys, per-user scoping, the
repositories' queries, claims that hold across two server processes, and durability."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, inspect, select, text, update

from heron.errors import NotFound
from heron.store import Store
from heron.store.database import head_revision, sync_url
from heron.store.models import ApiKey, Reminder, Timer, User

NOW = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
TABLES = {
    "users",
    "api_keys",
    "devices",
    "conversations",
    "turns",
    "timers",
    "reminders",
    "lists",
    "list_items",
    "events",
    "facts",
}


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(database_url)
    try:
        yield opened
    finally:
        await opened.close()


async def new_user(store: Store, name: str) -> User:
    async with store.admin() as admin:
        return await admin.create_user(name, "Europe/Paris")


def raw_rows(database_url: str, query: str) -> list[dict[str, Any]]:
    """Rows as they are on disk, read past the repositories with a plain connection."""
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def table_names(database_url: str) -> set[str]:
    engine = create_engine(sync_url(database_url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# --- migrations -----------------------------------------------------------------------


async def test_opening_an_empty_database_creates_the_newest_schema(database_url: str) -> None:
    assert not TABLES & table_names(database_url)

    store = await Store.open(database_url)
    await store.close()

    assert table_names(database_url) >= TABLES
    versions = raw_rows(database_url, "SELECT version_num FROM alembic_version")
    assert versions == [{"version_num": head_revision()}]


async def test_opening_a_database_again_keeps_its_schema_and_data(database_url: str) -> None:
    first = await Store.open(database_url)
    await new_user(first, "ana")
    await first.close()

    second = await Store.open(database_url)
    try:
        async with second.admin() as admin:
            assert [u.name for u in await admin.users()] == ["ana"]
    finally:
        await second.close()
    versions = raw_rows(database_url, "SELECT version_num FROM alembic_version")
    assert versions == [{"version_num": head_revision()}]


async def test_processes_opening_a_new_database_at_once_all_work(database_url: str) -> None:
    # The server and CLI calls may start together on a fresh install: one migrates, the others
    # wait for it and then find the schema ready. (Store.open migrates in a worker thread, so
    # four opens at once overlap as four processes would.)
    opened = await asyncio.gather(
        *(Store.open(database_url) for _ in range(4)), return_exceptions=True
    )
    stores = [s for s in opened if isinstance(s, Store)]
    try:
        assert [str(e) for e in opened if isinstance(e, BaseException)] == []
        await new_user(stores[0], "ana")
        for store in stores[1:]:
            async with store.admin() as admin:
                assert [u.name for u in await admin.users()] == ["ana"]
    finally:
        for store in stores:
            await store.close()


# --- API keys ---------------------------------------------------------------------------


async def test_api_keys_are_stored_only_as_hashes(store: Store, database_url: str) -> None:
    ana = await new_user(store, "ana")
    async with store.admin() as admin:
        key = await admin.issue_key(ana)

    rows = raw_rows(database_url, "SELECT * FROM api_keys")
    assert len(rows) == 1
    for value in rows[0].values():
        assert key not in str(value)
    assert rows[0]["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(rows[0]["prefix"])


async def test_an_issued_key_authenticates_its_user(store: Store) -> None:
    ana = await new_user(store, "ana")
    bob = await new_user(store, "bob")
    async with store.admin() as admin:
        ana_key = await admin.issue_key(ana)
        bob_key = await admin.issue_key(bob)
        second_ana_key = await admin.issue_key(ana)

    async with store.admin() as admin:
        found = [await admin.authenticate(k) for k in (ana_key, bob_key, second_ana_key)]
    assert [u.name if u else None for u in found] == ["ana", "bob", "ana"]
    async with store.admin() as admin:
        used = (await admin.session.scalars(select(ApiKey).order_by(ApiKey.id))).all()
    assert all(k.last_used_at is not None for k in used)


async def test_revoked_and_made_up_keys_do_not_authenticate(store: Store) -> None:
    ana = await new_user(store, "ana")
    async with store.admin() as admin:
        revoked = await admin.issue_key(ana)
        valid = await admin.issue_key(ana)
        await admin.session.execute(
            update(ApiKey).where(ApiKey.prefix == revoked[:12]).values(revoked=True)
        )

    garbage = [
        revoked,
        "",
        "heron_",
        "not-a-key",
        valid[:-1],
        valid + "x",
        valid.upper(),
        "heron_" + "A" * 43,
        valid + "x" * 200,
    ]
    async with store.admin() as admin:
        assert [await admin.authenticate(k) for k in garbage] == [None] * len(garbage)
        assert await admin.authenticate(valid) is not None


# --- tenancy --------------------------------------------------------------------------------


async def _fill(store: Store, user: User) -> dict[str, Any]:
    """One of everything for `user`; returns the ids."""
    async with store.user(user.id) as data:
        timer = await data.timers.create(600, "pasta", NOW)
        reminder = await data.reminders.create(
            kind="reminder",
            text="call the bank",
            due_at=NOW + timedelta(hours=2),
            timezone="Europe/Paris",
            recurrence=None,
        )
        shopping = await data.lists.ensure("shopping")
        items = await data.lists.add(shopping, ["milk", "eggs"])
        conversation = await data.conversations.start()
        await data.conversations.record(
            conversation,
            text="set a pasta timer for 10 minutes",
            reply="OK",
            intent="timer.set",
            stage="template",
            confidence=1.0,
            slots={"duration": 600},
            state={},
        )
        event = await data.events.add("timer.finished", {"text": "Your pasta timer is done."})
        await data.devices.seen("kitchen")
        fact, _ = await data.facts.remember(
            subject="my car", subject_key="car", relation="location", value="on level 3",
            said="I parked on level 3",
        )  # fmt: skip
        return {
            "timer": timer.id,
            "reminder": reminder.id,
            "list": shopping.id,
            "item": items[0].id,
            "conversation": conversation.id,
            "event": event.id,
            "fact": fact.id,
        }


async def test_another_users_ids_are_not_found(store: Store) -> None:
    ana = await new_user(store, "ana")
    bob = await new_user(store, "bob")
    await _fill(store, ana)
    bobs = await _fill(store, bob)

    async with store.user(ana.id) as data:
        ana_list = await data.lists.named("shopping")
        lookups = [
            data.timers.get(bobs["timer"]),
            data.reminders.get(bobs["reminder"]),
            data.reminders.delete(bobs["reminder"]),
            data.lists.get(bobs["list"]),
            data.lists.get_item(ana_list, bobs["item"]),
            data.conversations.get(bobs["conversation"]),
            data.conversations.turns(bobs["conversation"]),
            data.facts.get(bobs["fact"]),
        ]
        for lookup in lookups:
            with pytest.raises(NotFound):
                await lookup

    async with store.user(bob.id) as data:
        assert [t.id for t in await data.timers.active()] == [bobs["timer"]]
        assert [r.id for r in await data.reminders.scheduled()] == [bobs["reminder"]]
        items = await data.lists.items(await data.lists.get(bobs["list"]))
        assert [i.text for i in items] == ["milk", "eggs"]
        assert len(await data.conversations.turns(bobs["conversation"])) == 1


async def test_a_users_listings_hold_only_their_own_rows(store: Store) -> None:
    ana = await new_user(store, "ana")
    bob = await new_user(store, "bob")
    anas = await _fill(store, ana)
    bobs = await _fill(store, bob)

    async with store.user(ana.id) as data:
        assert [t.id for t in await data.timers.active()] == [anas["timer"]]
        assert [t.id for t in await data.timers.recent()] == [anas["timer"]]
        assert [r.id for r in await data.reminders.scheduled()] == [anas["reminder"]]
        assert [x.id for x in await data.lists.all()] == [anas["list"]]
        shopping = await data.lists.named("shopping")
        assert shopping.id == anas["list"]
        assert {i.user_id for i in await data.lists.items(shopping)} == {ana.id}
        assert [e.id for e in await data.events.undelivered()] == [anas["event"]]
        assert [d.user_id for d in await data.devices.all()] == [ana.id]
        latest = await data.conversations.latest(NOW - timedelta(days=3650))
        assert latest is not None and latest.id == anas["conversation"]
        assert (await data.profile.get()).name == "ana"
        assert [f.id for f in await data.facts.all()] == [anas["fact"]]
    assert bobs["list"] != anas["list"]


async def test_a_user_cannot_change_another_users_rows(store: Store) -> None:
    ana = await new_user(store, "ana")
    bob = await new_user(store, "bob")
    await _fill(store, ana)
    bobs = await _fill(store, bob)

    async with store.user(bob.id) as data:
        bob_item = (await data.lists.items(await data.lists.get(bobs["list"])))[0]
        bob_fact = await data.facts.get(bobs["fact"])
    async with store.user(ana.id) as data:
        await data.events.mark_delivered([bobs["event"]])
        with pytest.raises(NotFound):
            await data.lists.remove_items([bob_item])
        with pytest.raises(NotFound):
            await data.facts.forget([bob_fact])
        assert await data.conversations.redact("set a pasta timer for 10 minutes") == 1

    async with store.user(bob.id) as data:
        assert [e.id for e in await data.events.undelivered()] == [bobs["event"]]
        items = await data.lists.items(await data.lists.get(bobs["list"]))
        assert [i.text for i in items] == ["milk", "eggs"]
        assert [f.value for f in await data.facts.all()] == ["on level 3"]
        turns = await data.conversations.turns(bobs["conversation"])
        assert turns[0].text == "set a pasta timer for 10 minutes"


# --- timers, reminders, lists, events, facts --------------------------------------------


async def test_a_fact_told_again_replaces_the_old_value(store: Store) -> None:
    ana = await new_user(store, "ana")
    async with store.user(ana.id) as data:
        first, replaced = await data.facts.remember(
            subject="my car", subject_key="car", relation="location", value="on level 3",
            said="I parked on level 3",
        )  # fmt: skip
        assert replaced is None
    async with store.user(ana.id) as data:
        second, replaced = await data.facts.remember(
            subject="my car", subject_key="car", relation="location", value="in row F",
            said="I parked in row F",
        )  # fmt: skip
        await data.facts.remember(
            subject="my car", subject_key="car", relation="is", value="red", said="my car is red"
        )
    async with store.user(ana.id) as data:
        facts = await data.facts.all()

    assert replaced == "on level 3"
    assert second.id == first.id
    assert [(f.relation, f.value, f.said) for f in facts] == [
        ("location", "in row F", ["I parked on level 3", "I parked in row F"]),
        ("is", "red", ["my car is red"]),
    ]


async def test_active_timers_are_the_running_and_paused_ones_soonest_first(store: Store) -> None:
    ana = await new_user(store, "ana")
    async with store.user(ana.id) as data:
        tea = await data.timers.create(180, "tea", NOW)
        eggs = await data.timers.create(60, "eggs", NOW)
        bread = await data.timers.create(3600, "bread", NOW)
        rice = await data.timers.create(900, "rice", NOW)
        pasta = await data.timers.create(600, "pasta", NOW)
        bread.state, bread.remaining_s = "paused", 1200.0
        rice.state = "cancelled"
        eggs.state, eggs.fired_at = "finished", NOW + timedelta(seconds=60)

    async with store.user(ana.id) as data:
        active = await data.timers.active()
        assert [t.name for t in active] == ["tea", "pasta", "bread"]
        assert [t.state for t in active] == ["running", "running", "paused"]
        assert active[0].ends_at == NOW + timedelta(seconds=180)
        assert active[0].ends_at.utcoffset() == timedelta(0)
        assert active[2].remaining_s == 1200.0
        assert {t.id for t in await data.timers.recent()} == {
            tea.id,
            eggs.id,
            bread.id,
            rice.id,
            pasta.id,
        }


async def test_scheduled_reminders_come_in_due_order(store: Store) -> None:
    ana = await new_user(store, "ana")
    due = {"dentist": 48, "bins": 2, "wake": 10, "done": 1, "plants": 5}
    async with store.user(ana.id) as data:
        for label, hours in due.items():
            created = await data.reminders.create(
                kind="alarm" if label == "wake" else "reminder",
                text=label,
                due_at=NOW + timedelta(hours=hours),
                timezone="Europe/Paris",
                recurrence="FREQ=WEEKLY;BYDAY=MO" if label == "bins" else None,
            )
            if label == "done":
                created.state = "done"

    async with store.user(ana.id) as data:
        scheduled = await data.reminders.scheduled()
        assert [r.text for r in scheduled] == ["bins", "plants", "wake", "dentist"]
        assert scheduled[0].due_at == NOW + timedelta(hours=2)
        assert scheduled[0].recurrence == "FREQ=WEEKLY;BYDAY=MO"
        assert [r.text for r in await data.reminders.scheduled("alarm")] == ["wake"]
        assert [r.text for r in await data.reminders.scheduled("reminder")] == [
            "bins",
            "plants",
            "dentist",
        ]


async def test_lists_keep_their_items_in_order_until_cleared_or_deleted(store: Store) -> None:
    ana = await new_user(store, "ana")
    bob = await new_user(store, "bob")
    async with store.user(ana.id) as data:
        shopping = await data.lists.ensure("shopping")
        assert (await data.lists.ensure("shopping")).id == shopping.id
        await data.lists.add(shopping, ["milk", "eggs"])
        await data.lists.add(shopping, ["bread"])
        todo = await data.lists.ensure("todo")
        await data.lists.add(todo, ["call mum"])
    async with store.user(bob.id) as data:
        bobs = await data.lists.ensure("shopping")  # the same name is fine for another user
        await data.lists.add(bobs, ["tea"])

    async with store.user(ana.id) as data:
        shopping = await data.lists.named("shopping")
        assert [i.text for i in await data.lists.items(shopping)] == ["milk", "eggs", "bread"]
        assert [x.name for x in await data.lists.all()] == ["shopping", "todo"]
        assert await data.lists.clear(shopping) == 3
        assert await data.lists.items(shopping) == []
        await data.lists.add(shopping, ["apples"])

    async with store.user(ana.id) as data:
        shopping = await data.lists.named("shopping")
        assert [i.text for i in await data.lists.items(shopping)] == ["apples"]
        await data.lists.delete(shopping)

    async with store.user(ana.id) as data:
        assert await data.lists.find("shopping") is None
        with pytest.raises(NotFound):
            await data.lists.named("shopping")
        assert [x.name for x in await data.lists.all()] == ["todo"]
    async with store.user(bob.id) as data:
        bobs = await data.lists.named("shopping")
        assert [i.text for i in await data.lists.items(bobs)] == ["tea"]


async def test_events_stay_undelivered_until_marked(store: Store) -> None:
    ana = await new_user(store, "ana")
    async with store.user(ana.id) as data:
        first = await data.events.add("timer.finished", {"text": "Your timer is done.", "n": 1})
        second = await data.events.add("reminder.due", {"text": "Reminder: stretch."})

    async with store.user(ana.id) as data:
        pending = await data.events.undelivered()
        assert [(e.id, e.type) for e in pending] == [
            (first.id, "timer.finished"),
            (second.id, "reminder.due"),
        ]
        assert pending[0].payload == {"text": "Your timer is done.", "n": 1}
        await data.events.mark_delivered([first.id])
        await data.events.mark_delivered([])

    async with store.user(ana.id) as data:
        assert [e.id for e in await data.events.undelivered()] == [second.id]
        await data.events.mark_delivered([second.id])
    async with store.user(ana.id) as data:
        assert await data.events.undelivered() == []


# --- the scheduler's claims -------------------------------------------------------------


async def _claim_due_timers(store: Store, now: datetime) -> set[int]:
    async with store.admin() as admin:
        due = await admin.due_timers(now)
        return {timer.id for timer in due if await admin.claim_timer(timer, now)}


async def test_a_due_timer_is_claimed_once_by_two_server_processes(
    store: Store, database_url: str
) -> None:
    ana = await new_user(store, "ana")
    an_hour_ago = NOW - timedelta(hours=1)
    async with store.user(ana.id) as data:
        due = [(await data.timers.create(60 + i, None, an_hour_ago)).id for i in range(3)]
        later = (await data.timers.create(3600, None, NOW)).id

    other = await Store.open(database_url)  # a second server on the same database
    try:
        async with other.admin() as second:
            seen = await second.due_timers(NOW)  # the second server sees them due ...
            first_won = await _claim_due_timers(store, NOW)  # ... as the first fires them
            second_won = {t.id for t in seen if await second.claim_timer(t, NOW)}
        again = await _claim_due_timers(other, NOW)
    finally:
        await other.close()

    assert sorted(t.id for t in seen) == due
    assert first_won == set(due)
    assert second_won == set()
    assert again == set()
    async with store.user(ana.id) as data:
        states = {t.id: (t.state, t.fired_at) for t in await data.timers.recent()}
    assert all(states[i] == ("finished", NOW) for i in due)
    assert states[later] == ("running", None)


async def test_due_timers_claimed_at_the_same_time_are_each_claimed_once(
    store: Store, database_url: str
) -> None:
    ana = await new_user(store, "ana")
    an_hour_ago = NOW - timedelta(hours=1)
    async with store.user(ana.id) as data:
        due = {(await data.timers.create(60 + i, None, an_hour_ago)).id for i in range(5)}

    other = await Store.open(database_url)
    try:
        won = await asyncio.gather(_claim_due_timers(store, NOW), _claim_due_timers(other, NOW))
    finally:
        await other.close()
    assert won[0] | won[1] == due
    assert not won[0] & won[1]


async def test_a_due_reminder_is_claimed_once_by_two_server_processes(
    store: Store, database_url: str
) -> None:
    ana = await new_user(store, "ana")
    async with store.user(ana.id) as data:
        await data.reminders.create(
            kind="reminder",
            text="stretch",
            due_at=NOW - timedelta(minutes=1),
            timezone="UTC",
            recurrence=None,
        )

    other = await Store.open(database_url)
    try:
        async with other.admin() as second:
            seen = list(await second.due_reminders(NOW))
            async with store.admin() as first:
                first_won = [
                    await first.claim_reminder(r, NOW, None) for r in await first.due_reminders(NOW)
                ]
            second_won = [await second.claim_reminder(r, NOW, None) for r in seen]
    finally:
        await other.close()
    assert [r.text for r in seen] == ["stretch"]
    assert first_won == [True]
    assert second_won == [False]
    async with store.admin() as admin:
        assert await admin.due_reminders(NOW + timedelta(days=1)) == []


async def test_next_due_is_the_earliest_running_timer_or_scheduled_reminder(
    store: Store,
) -> None:
    async with store.admin() as admin:
        assert await admin.next_due() is None
    ana = await new_user(store, "ana")
    async with store.user(ana.id) as data:
        await data.timers.create(600, None, NOW)
        paused = await data.timers.create(10, None, NOW)
        paused.state = "paused"
        await data.reminders.create(
            kind="reminder",
            text="stretch",
            due_at=NOW + timedelta(minutes=5),
            timezone="Europe/Paris",
            recurrence=None,
        )
        done = await data.reminders.create(
            kind="reminder", text="old", due_at=NOW, timezone="UTC", recurrence=None
        )
        done.state = "done"

    async with store.admin() as admin:
        due = await admin.next_due()
    assert isinstance(due, datetime)
    assert due.utcoffset() == timedelta(0)
    assert due == NOW + timedelta(minutes=5)

    async with store.admin() as admin:
        await admin.session.execute(update(Reminder).values(state="done"))
        due = await admin.next_due()
    assert due == NOW + timedelta(minutes=10)
    assert due is not None and due.utcoffset() == timedelta(0)


# --- durability -----------------------------------------------------------------------------


async def test_writes_are_seen_by_a_new_store_on_the_same_database(database_url: str) -> None:
    first = await Store.open(database_url)
    ana = await new_user(first, "ana")
    async with first.admin() as admin:
        key = await admin.issue_key(ana)
    ids = await _fill(first, ana)
    await first.close()

    second = await Store.open(database_url)
    try:
        async with second.admin() as admin:
            user = await admin.authenticate(key)
            assert user is not None and user.name == "ana"
        async with second.user(ana.id) as data:
            timer = await data.timers.get(ids["timer"])
            assert (timer.name, timer.state) == ("pasta", "running")
            assert timer.ends_at == NOW + timedelta(minutes=10)
            reminder = await data.reminders.get(ids["reminder"])
            assert reminder.text == "call the bank"
            assert reminder.due_at == NOW + timedelta(hours=2)
            items = await data.lists.items(await data.lists.get(ids["list"]))
            assert [i.text for i in items] == ["milk", "eggs"]
            turns = await data.conversations.turns(ids["conversation"])
            assert [(t.text, t.slots) for t in turns] == [
                ("set a pasta timer for 10 minutes", {"duration": 600})
            ]
            assert [e.id for e in await data.events.undelivered()] == [ids["event"]]
            assert [d.name for d in await data.devices.all()] == ["kitchen"]
    finally:
        await second.close()


async def test_a_timer_row_keeps_aware_utc_times(store: Store, database_url: str) -> None:
    ana = await new_user(store, "ana")
    paris = NOW.astimezone(ZoneInfo("Europe/Paris"))
    async with store.user(ana.id) as data:
        created = await data.timers.create(90, None, paris)
    async with store.user(ana.id) as data:
        stored = await data.session.get(Timer, created.id)
    assert stored is not None
    assert stored.ends_at == NOW + timedelta(seconds=90)
    assert stored.ends_at.tzinfo is not None and stored.ends_at.utcoffset() == timedelta(0)
    rows = raw_rows(database_url, f"SELECT ends_at FROM timers WHERE id = {created.id}")
    assert str(rows[0]["ends_at"]).startswith("2026-11-24 17:31:30")
