"""Repositories: the only code that queries tables. `UserData` is scoped to one user by
construction (every query filters on its user id); `Admin` works across users on purpose.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from heron.errors import BadInput, Conflict, NotFound
from heron.store.models import (
    ApiKey,
    Conversation,
    Device,
    Document,
    Event,
    Fact,
    ItemList,
    KeyboardEntry,
    LanguageApp,
    ListItem,
    Reminder,
    Timer,
    Turn,
    User,
    utcnow,
)

KEY_PREFIX = "heron_"
REDACTED = "[forgotten]"
SAID_KEPT = 20
KEYBOARD_VERSION = "version"
"""The kind of the one keyboard row that holds the model's version token."""
KEYBOARD_BATCH = 500
"""Keyboard counts written per statement (a SQLite statement takes 32,766 values at most)."""
"""How many of the sentences that told a fact are kept (to blank them when it is forgotten)."""


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class _Scoped:
    def __init__(self, session: AsyncSession, user_id: int) -> None:
        self.session = session
        self.user_id = user_id

    async def _delete_own(self, rows: Sequence[ListItem] | Sequence[Fact], what: str) -> None:
        """Deletes rows of this user's; if one is another user's, it is not found and nothing
        is deleted."""
        for row in rows:
            if row.user_id != self.user_id:
                raise NotFound(f"no {what} {row.id}")
        for row in rows:
            await self.session.delete(row)
        await self.session.flush()


class Profile(_Scoped):
    async def get(self) -> User:
        user = await self.session.get(User, self.user_id)
        if user is None:
            raise NotFound("user not found")
        return user

    async def set_timezone(self, timezone: str) -> User:
        user = await self.get()
        user.timezone = timezone
        return user


class Devices(_Scoped):
    async def seen(self, name: str) -> Device:
        """The device called `name`, registered on first sight; its last-seen time updated."""
        found = await self.session.scalar(
            select(Device).where(Device.user_id == self.user_id, Device.name == name)
        )
        if found is None:
            found = Device(user_id=self.user_id, name=name)
            self.session.add(found)
        found.last_seen_at = utcnow()
        await self.session.flush()
        return found

    async def all(self) -> Sequence[Device]:
        return (
            await self.session.scalars(
                select(Device).where(Device.user_id == self.user_id).order_by(Device.id)
            )
        ).all()


class Conversations(_Scoped):
    async def get(self, conversation_id: str) -> Conversation:
        found = await self.session.get(Conversation, conversation_id)
        if found is None or found.user_id != self.user_id:
            raise NotFound(f"no conversation {conversation_id!r}")
        return found

    async def latest(self, since: datetime) -> Conversation | None:
        return await self.session.scalar(
            select(Conversation)
            .where(Conversation.user_id == self.user_id, Conversation.updated_at >= since)
            .order_by(Conversation.updated_at.desc())
            .limit(1)
        )

    async def start(self) -> Conversation:
        conversation = Conversation(id=uuid.uuid4().hex, user_id=self.user_id, state={})
        self.session.add(conversation)
        await self.session.flush()
        return conversation

    async def record(
        self,
        conversation: Conversation,
        *,
        text: str,
        reply: str,
        intent: str | None,
        stage: str,
        confidence: float,
        slots: dict[str, Any],
        state: dict[str, Any],
    ) -> Turn:
        conversation.state = state
        conversation.updated_at = utcnow()
        turn = Turn(
            conversation_id=conversation.id,
            user_id=self.user_id,
            text=text,
            reply=reply,
            intent=intent,
            stage=stage,
            confidence=confidence,
            slots=slots,
        )
        self.session.add(turn)
        await self.session.flush()
        return turn

    async def redact(self, said: str) -> int:
        """Blanks the turns where the user said `said` (and the replies to them)."""
        result = await self.session.execute(
            update(Turn)
            .where(Turn.user_id == self.user_id, Turn.text == said)
            .values(text=REDACTED, reply=REDACTED, slots={})
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def turns(self, conversation_id: str) -> Sequence[Turn]:
        await self.get(conversation_id)
        return (
            await self.session.scalars(
                select(Turn)
                .where(Turn.user_id == self.user_id, Turn.conversation_id == conversation_id)
                .order_by(Turn.id)
            )
        ).all()


class Timers(_Scoped):
    async def create(self, duration_s: float, name: str | None, now: datetime) -> Timer:
        timer = Timer(
            user_id=self.user_id,
            name=name,
            duration_s=duration_s,
            state="running",
            ends_at=now.astimezone(UTC) + timedelta(seconds=duration_s),
        )
        self.session.add(timer)
        await self.session.flush()
        return timer

    async def get(self, timer_id: int) -> Timer:
        timer = await self.session.get(Timer, timer_id)
        if timer is None or timer.user_id != self.user_id:
            raise NotFound(f"no timer {timer_id}")
        return timer

    async def active(self) -> Sequence[Timer]:
        """Running and paused timers, soonest first."""
        return (
            await self.session.scalars(
                select(Timer)
                .where(Timer.user_id == self.user_id, Timer.state.in_(("running", "paused")))
                .order_by(Timer.ends_at)
            )
        ).all()

    async def recent(self, limit: int = 20) -> Sequence[Timer]:
        return (
            await self.session.scalars(
                select(Timer)
                .where(Timer.user_id == self.user_id)
                .order_by(Timer.id.desc())
                .limit(limit)
            )
        ).all()


class Reminders(_Scoped):
    async def create(
        self,
        *,
        kind: str,
        text: str,
        due_at: datetime,
        timezone: str,
        recurrence: str | None,
    ) -> Reminder:
        reminder = Reminder(
            user_id=self.user_id,
            kind=kind,
            text=text,
            due_at=due_at,
            timezone=timezone,
            recurrence=recurrence,
            state="scheduled",
        )
        self.session.add(reminder)
        await self.session.flush()
        return reminder

    async def get(self, reminder_id: int) -> Reminder:
        reminder = await self.session.get(Reminder, reminder_id)
        if reminder is None or reminder.user_id != self.user_id:
            raise NotFound(f"no reminder {reminder_id}")
        return reminder

    async def scheduled(self, kind: str | None = None) -> Sequence[Reminder]:
        query = select(Reminder).where(
            Reminder.user_id == self.user_id, Reminder.state == "scheduled"
        )
        if kind is not None:
            query = query.where(Reminder.kind == kind)
        return (await self.session.scalars(query.order_by(Reminder.due_at))).all()

    async def delete(self, reminder_id: int) -> Reminder:
        reminder = await self.get(reminder_id)
        await self.session.delete(reminder)
        return reminder


class Lists(_Scoped):
    async def find(self, name: str) -> ItemList | None:
        return await self.session.scalar(
            select(ItemList).where(ItemList.user_id == self.user_id, ItemList.name == name)
        )

    async def get(self, list_id: int) -> ItemList:
        found = await self.session.get(ItemList, list_id)
        if found is None or found.user_id != self.user_id:
            raise NotFound(f"no list {list_id}")
        return found

    async def named(self, name: str) -> ItemList:
        found = await self.find(name)
        if found is None:
            raise NotFound(f"no list called {name!r}")
        return found

    async def ensure(self, name: str) -> ItemList:
        found = await self.find(name)
        if found is None:
            found = ItemList(user_id=self.user_id, name=name)
            self.session.add(found)
            await self.session.flush()
        return found

    async def all(self) -> Sequence[ItemList]:
        return (
            await self.session.scalars(
                select(ItemList).where(ItemList.user_id == self.user_id).order_by(ItemList.name)
            )
        ).all()

    async def items(self, item_list: ItemList) -> Sequence[ListItem]:
        return (
            await self.session.scalars(
                select(ListItem)
                .where(ListItem.user_id == self.user_id, ListItem.list_id == item_list.id)
                .order_by(ListItem.id)
            )
        ).all()

    async def add(self, item_list: ItemList, texts: Sequence[str]) -> list[ListItem]:
        added = [ListItem(list_id=item_list.id, user_id=self.user_id, text=t) for t in texts]
        self.session.add_all(added)
        await self.session.flush()
        return added

    async def get_item(self, item_list: ItemList, item_id: int) -> ListItem:
        item = await self.session.get(ListItem, item_id)
        if item is None or item.user_id != self.user_id or item.list_id != item_list.id:
            raise NotFound(f"no item {item_id} on this list")
        return item

    async def remove_items(self, items: Sequence[ListItem]) -> None:
        await self._delete_own(items, "item")

    async def clear(self, item_list: ItemList) -> int:
        result = await self.session.execute(
            delete(ListItem).where(
                ListItem.user_id == self.user_id, ListItem.list_id == item_list.id
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def delete(self, item_list: ItemList) -> None:
        await self.clear(item_list)
        await self.session.delete(item_list)
        await self.session.flush()


class Events(_Scoped):
    async def add(self, type_: str, payload: dict[str, Any]) -> Event:
        created = Event(user_id=self.user_id, type=type_, payload=payload)
        self.session.add(created)
        await self.session.flush()
        return created

    async def undelivered(self) -> Sequence[Event]:
        return (
            await self.session.scalars(
                select(Event)
                .where(Event.user_id == self.user_id, Event.delivered_at.is_(None))
                .order_by(Event.id)
            )
        ).all()

    async def mark_delivered(self, event_ids: Sequence[int]) -> None:
        if not event_ids:
            return
        await self.session.execute(
            update(Event)
            .where(Event.user_id == self.user_id, Event.id.in_(event_ids))
            .values(delivered_at=utcnow())
        )


class Facts(_Scoped):
    """What the user told the assistant about themselves and the people and things around them."""

    async def all(self) -> Sequence[Fact]:
        return (
            await self.session.scalars(
                select(Fact).where(Fact.user_id == self.user_id).order_by(Fact.id)
            )
        ).all()

    async def get(self, fact_id: int) -> Fact:
        fact = await self.session.get(Fact, fact_id)
        if fact is None or fact.user_id != self.user_id:
            raise NotFound(f"no fact {fact_id}")
        return fact

    async def remember(
        self, *, subject: str, subject_key: str, relation: str, value: str, said: str
    ) -> tuple[Fact, str | None]:
        """Stores a fact, replacing the subject's earlier value for the same relation;
        returns the fact and the value it replaced (None if it is new)."""
        found = await self.session.scalar(
            select(Fact).where(
                Fact.user_id == self.user_id,
                Fact.subject_key == subject_key,
                Fact.relation == relation,
            )
        )
        previous = None if found is None else found.value
        if found is None:
            found = Fact(user_id=self.user_id, subject_key=subject_key, relation=relation)
            self.session.add(found)
        found.subject = subject
        found.value = value
        # A new list, not an append: the JSON column is saved only when it is replaced.
        found.said = [*[s for s in found.said or [] if s != said][-(SAID_KEPT - 1) :], said]
        found.updated_at = utcnow()
        await self.session.flush()
        return found, previous

    async def forget(self, facts: Sequence[Fact]) -> None:
        await self._delete_own(facts, "fact")


class LanguageApps(_Scoped):
    """The user's trainable language apps."""

    async def all(self) -> Sequence[LanguageApp]:
        return (
            await self.session.scalars(
                select(LanguageApp)
                .where(LanguageApp.user_id == self.user_id)
                .order_by(LanguageApp.name)
            )
        ).all()

    async def find(self, name: str) -> LanguageApp | None:
        found: LanguageApp | None = await self.session.scalar(
            select(LanguageApp).where(LanguageApp.user_id == self.user_id, LanguageApp.name == name)
        )
        return found

    async def get(self, name: str) -> LanguageApp:
        app = await self.find(name)
        if app is None:
            raise NotFound(f"no language app {name!r}")
        return app

    async def start_training(self, name: str, training_data: dict[str, Any]) -> LanguageApp:
        """Creates the app or takes new examples for it; Conflict while it is training."""
        app = await self.find(name)
        if app is None:
            app = LanguageApp(
                user_id=self.user_id,
                name=name,
                version=1,
                bindings={},
                status="training",
                training_data=training_data,
            )
            self.session.add(app)
            await self.session.flush()
            return app
        # One conditional update: of two requests racing to retrain, only one gets the row.
        claimed = await self.session.execute(
            update(LanguageApp)
            .where(LanguageApp.id == app.id, LanguageApp.status != "training")
            .values(
                status="training",
                error=None,
                training_data=training_data,
                version=LanguageApp.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(claimed, "rowcount", 0):
            raise Conflict(f"language app {name!r} is training already; wait for it to finish")
        await self.session.refresh(app)
        return app

    async def finish_training(
        self, name: str, version: int, model: bytes, report: dict[str, Any]
    ) -> None:
        app = await self.get(name)
        if app.version != version:
            return  # deleted and made again meanwhile: this model is of the old examples
        app.status, app.model, app.report, app.trained_at = "ready", model, report, utcnow()
        await self.session.flush()

    async def fail_training(self, name: str, version: int, error: str) -> None:
        app = await self.find(name)
        if app is not None and app.version == version:
            app.status, app.error = "failed", error
            await self.session.flush()

    async def model(self, app: LanguageApp) -> bytes | None:
        blob: bytes | None = await self.session.scalar(
            select(LanguageApp.model).where(
                LanguageApp.id == app.id, LanguageApp.user_id == self.user_id
            )
        )
        return blob

    async def bind(self, name: str, intent: str, binding: dict[str, Any] | None) -> LanguageApp:
        app = await self.get(name)
        bindings = dict(app.bindings or {})
        if binding is None:
            if intent not in bindings:
                raise NotFound(f"intent {intent!r} of {name!r} is not bound")
            del bindings[intent]
        else:
            bindings[intent] = binding
        app.bindings = bindings  # a new dict: the JSON column is saved only when replaced
        await self.session.flush()
        return app

    async def bound(self) -> Sequence[LanguageApp]:
        """Ready apps with at least one intent bound to a reply or webhook."""
        return [
            app
            for app in await self.all()
            if app.status == "ready" and app.bindings and app.version
        ]

    async def delete(self, name: str) -> None:
        await self.session.delete(await self.get(name))
        await self.session.flush()


class Documents(_Scoped):
    """The user's documents for search (their passages are in the search index)."""

    async def all(self) -> Sequence[Document]:
        return (
            await self.session.scalars(
                select(Document).where(Document.user_id == self.user_id).order_by(Document.id)
            )
        ).all()

    async def get(self, document_id: int) -> Document:
        found: Document | None = await self.session.get(Document, document_id)
        if found is None or found.user_id != self.user_id:
            raise NotFound(f"no document {document_id}")
        return found

    async def some(self, ids: Sequence[int]) -> dict[int, Document]:
        """The user's documents among `ids` (others' and missing ones are left out)."""
        if not ids:
            return {}
        found = await self.session.scalars(
            select(Document).where(Document.user_id == self.user_id, Document.id.in_(ids))
        )
        return {document.id: document for document in found}

    async def find(
        self, *, content_hash: str | None = None, name: str | None = None
    ) -> Document | None:
        query = select(Document).where(Document.user_id == self.user_id)
        if content_hash is not None:
            query = query.where(Document.content_hash == content_hash)
        if name is not None:
            query = query.where(Document.name == name)
        found: Document | None = await self.session.scalar(query.limit(1))
        return found

    async def add(self, document: Document) -> Document:
        document.user_id = self.user_id
        self.session.add(document)
        await self.session.flush()
        return document

    async def delete(self, document: Document) -> None:
        if document.user_id != self.user_id:
            raise NotFound(f"no document {document.id}")
        await self.session.delete(document)
        await self.session.flush()


class KeyboardEntries(_Scoped):
    """The counts of the user's keyboard model, and a version token that every change
    replaces (a random number, so a model forgotten and learnt again never looks unchanged),
    by which a server process sees that another one changed the model it holds."""

    async def version(self) -> int | None:
        return await self.session.scalar(
            select(KeyboardEntry.count).where(
                KeyboardEntry.user_id == self.user_id,
                KeyboardEntry.kind == KEYBOARD_VERSION,
                KeyboardEntry.text == "",
            )
        )

    async def all(self) -> list[tuple[str, str, int]]:
        rows = await self.session.execute(
            select(KeyboardEntry.kind, KeyboardEntry.text, KeyboardEntry.count).where(
                KeyboardEntry.user_id == self.user_id, KeyboardEntry.kind != KEYBOARD_VERSION
            )
        )
        return [(kind, text, count) for kind, text, count in rows]

    def _insert(self) -> Any:
        bind = self.session.get_bind()
        return sqlite_insert if bind.dialect.name == "sqlite" else postgresql_insert

    async def add(self, entries: Sequence[tuple[str, str, int]]) -> tuple[int | None, int]:
        """Adds each count to the stored one (new entries are created); returns the version
        before and the new one."""
        before = await self.version()
        insert = self._insert()
        for start in range(0, len(entries), KEYBOARD_BATCH):
            rows = [
                {"user_id": self.user_id, "kind": kind, "text": text, "count": count}
                for kind, text, count in entries[start : start + KEYBOARD_BATCH]
            ]
            statement = insert(KeyboardEntry).values(rows)
            await self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["user_id", "kind", "text"],
                    set_={"count": KeyboardEntry.count + statement.excluded.count},
                )
            )
        return before, await self._new_version()

    async def _new_version(self) -> int:
        version = secrets.randbelow(2**31 - 1) + 1
        statement = self._insert()(KeyboardEntry).values(
            user_id=self.user_id, kind=KEYBOARD_VERSION, text="", count=version
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "kind", "text"], set_={"count": version}
            )
        )
        return version

    async def clear(self) -> tuple[int, int]:
        """Deletes every count; returns how many there were, and the new version."""
        result = await self.session.execute(
            delete(KeyboardEntry).where(
                KeyboardEntry.user_id == self.user_id, KeyboardEntry.kind != KEYBOARD_VERSION
            )
        )
        return int(getattr(result, "rowcount", 0) or 0), await self._new_version()


class UserData:
    """Everything one user owns, reachable only through this user's id."""

    def __init__(self, session: AsyncSession, user_id: int) -> None:
        self.session = session
        self.user_id = user_id
        self.profile = Profile(session, user_id)
        self.devices = Devices(session, user_id)
        self.conversations = Conversations(session, user_id)
        self.timers = Timers(session, user_id)
        self.reminders = Reminders(session, user_id)
        self.lists = Lists(session, user_id)
        self.events = Events(session, user_id)
        self.facts = Facts(session, user_id)
        self.language_apps = LanguageApps(session, user_id)
        self.documents = Documents(session, user_id)
        self.keyboard = KeyboardEntries(session, user_id)


class Admin:
    """Cross-user work: accounts, API keys, and finding what is due for the scheduler."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_user(self, name: str, timezone: str) -> User:
        name = name.strip()
        if not name or len(name) > 64:
            raise BadInput("a user name needs 1 to 64 characters")
        if await self.find_user(name) is not None:
            raise Conflict(f"a user called {name!r} exists already")
        user = User(name=name, timezone=timezone)
        self.session.add(user)
        await self.session.flush()
        return user

    async def find_user(self, name: str) -> User | None:
        return await self.session.scalar(select(User).where(User.name == name))

    async def user(self, name: str) -> User:
        found = await self.find_user(name)
        if found is None:
            raise NotFound(f"no user called {name!r}; create one with `heron users add {name}`")
        return found

    async def users(self) -> Sequence[User]:
        return (await self.session.scalars(select(User).order_by(User.id))).all()

    async def count_users(self) -> int:
        return int(await self.session.scalar(select(func.count(User.id))) or 0)

    async def issue_key(self, user: User) -> str:
        """A new API key for `user`; only its hash is kept, so this is the one time it is seen."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        self.session.add(ApiKey(user_id=user.id, prefix=key[:12], key_hash=hash_key(key)))
        await self.session.flush()
        return key

    async def authenticate(self, key: str) -> User | None:
        if not key.startswith(KEY_PREFIX) or len(key) > 128:
            return None
        found = await self.session.scalar(
            select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked.is_(False))
        )
        if found is None:
            return None
        found.last_used_at = utcnow()
        return await self.session.get(User, found.user_id)

    async def document_passages(self) -> dict[int, int]:
        """Every user's documents: id → how many passages it has in the search index."""
        rows = await self.session.execute(select(Document.id, Document.passages))
        return {int(row[0]): int(row[1]) for row in rows}

    async def document_with_content(self, document_id: int) -> Document | None:
        found: Document | None = await self.session.scalar(
            select(Document).where(Document.id == document_id).options(undefer(Document.content))
        )
        return found

    async def fail_interrupted_trainings(self) -> int:
        """Apps left "training" by a server that stopped: their training is gone."""
        result = await self.session.execute(
            update(LanguageApp)
            .where(LanguageApp.status == "training")
            .values(status="failed", error="training was interrupted by a restart: train again")
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def next_due(self) -> datetime | None:
        timer = await self.session.scalar(
            select(func.min(Timer.ends_at)).where(Timer.state == "running")
        )
        reminder = await self.session.scalar(
            select(func.min(Reminder.due_at)).where(Reminder.state == "scheduled")
        )
        times = [t for t in (timer, reminder) if t is not None]
        # func.min bypasses the column type on SQLite: normalise to aware UTC here.
        return min(_as_utc(t) for t in times) if times else None

    async def due_timers(self, now: datetime) -> Sequence[Timer]:
        return (
            await self.session.scalars(
                select(Timer)
                .where(Timer.state == "running", Timer.ends_at <= now)
                .order_by(Timer.ends_at)
            )
        ).all()

    async def due_reminders(self, now: datetime) -> Sequence[Reminder]:
        return (
            await self.session.scalars(
                select(Reminder)
                .where(Reminder.state == "scheduled", Reminder.due_at <= now)
                .order_by(Reminder.due_at)
            )
        ).all()

    async def claim_timer(self, timer: Timer, now: datetime) -> bool:
        """Mark a due timer finished; False if another process got there first."""
        result = await self.session.execute(
            update(Timer)
            .where(Timer.id == timer.id, Timer.state == "running", Timer.fired_at.is_(None))
            .values(state="finished", fired_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def claim_reminder(
        self, reminder: Reminder, now: datetime, next_due: datetime | None
    ) -> bool:
        """Record that a reminder fired and move it to its next time (or mark it done)."""
        values: dict[str, Any] = {"last_fired_at": now}
        if next_due is None:
            values["state"] = "done"
        else:
            values["due_at"] = next_due
        result = await self.session.execute(
            update(Reminder)
            .where(
                Reminder.id == reminder.id,
                Reminder.state == "scheduled",
                Reminder.due_at == reminder.due_at,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))
