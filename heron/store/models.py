"""SQLAlchemy 2 table models. Every row below `User` belongs to exactly one user.

Times are stored as naive UTC and come back as aware UTC (`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC out, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the key, shown in listings so a user can tell keys apart."""
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the whole key: keys are 256 random bits, so a fast hash is enough."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_user_updated", "user_id", "updated_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Dialogue state: the pending question and the last intent with its slots."""


class Turn(Base):
    __tablename__ = "turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    slots: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Timer(Base):
    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "state", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(64))
    duration_s: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16))
    """running | paused | finished | cancelled"""
    ends_at: Mapped[datetime]
    """When a running timer rings; for a paused one, when it would have rung."""
    remaining_s: Mapped[float | None] = mapped_column(Float, default=None)
    """Time left while paused."""
    fired_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """reminder | alarm"""
    text: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime]
    recurrence: Mapped[str | None] = mapped_column(String(128), default=None)
    """An RFC 5545 RRULE in the user's time zone, or None for a one-off."""
    timezone: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    """scheduled | done"""
    last_fired_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemList(Base):
    __tablename__ = "lists"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListItem(Base):
    __tablename__ = "list_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_user_delivered", "user_id", "delivered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class Fact(Base):
    """One thing a user told the assistant: (subject, relation, value), e.g. ("my sister",
    "name", "Ana"). A subject holds one value per relation: telling it again replaces it."""

    __tablename__ = "facts"
    __table_args__ = (UniqueConstraint("user_id", "subject_key", "relation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(100))
    """As the user said it: "my sister", "Ana", "me"."""
    subject_key: Mapped[str] = mapped_column(String(100))
    """The subject folded for matching: "sister", "ana", "me"."""
    relation: Mapped[str] = mapped_column(String(64))
    """"name", "birthday", "location", an attribute ("phone number") or "is"."""
    value: Mapped[str] = mapped_column(String(500))
    said: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The sentences that told it (the last few), so forgetting it blanks those turns too."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LanguageApp(Base):
    """A user's trainable language app: labelled examples, the model trained from them, and
    what its intents do when said to the assistant."""

    __tablename__ = "language_apps"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    """training | ready | failed"""
    error: Mapped[str | None] = mapped_column(Text, default=None)
    training_data: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    """The examples of the last training, as given (deferred: large, rarely read)."""
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    model: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    """The trained model (written by Heron only); loaded only when a prediction needs it."""
    version: Mapped[int] = mapped_column(Integer, default=0)
    """Counts trainings, so a cached model is known to be stale."""
    bindings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """intent → {"reply": template} or {"webhook": url}: what the assistant does with it."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    trained_at: Mapped[datetime | None] = mapped_column(default=None)


class Document(Base):
    """A document a user added for search. Its passages are searched through the search
    index (heron.search.index), keyed by this id."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("user_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    """The file name, or the path it was added from (re-adding that path replaces it)."""
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    collection: Mapped[str] = mapped_column(String(64), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    passages: Mapped[int] = mapped_column(Integer)
    content: Mapped[list[dict[str, Any]]] = mapped_column(JSON, deferred=True)
    """The passages as indexed (position, title, text, page, start, end): the search index
    is rebuilt from them if it is lost (deferred: large, rarely read)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyboardEntry(Base):
    """One count of a user's keyboard model: an n-gram of the words they typed ("ngram", the
    words joined by spaces), a spelling they kept by undoing a correction ("kept"), or how
    they write a name ("form")."""

    __tablename__ = "keyboard_entries"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str] = mapped_column(String(400), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
