"""Opening the database: URL handling, SQLite pragmas, Alembic migrations and units of work.

`Store.open()` migrates to the newest schema before anything reads or writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from heron.errors import Conflict, StoreError
from heron.store.repositories import Admin, UserData

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def sync_url(url: str) -> URL:
    """The URL with the synchronous driver Heron uses for migrations."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    raise StoreError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def async_url(url: str) -> URL:
    parsed = sync_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    return parsed  # psycopg 3 serves both sync and async


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # The busy timeout first, so that switching to WAL waits for other processes.
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() != "wal":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@contextlib.contextmanager
def _file_lock(url: URL) -> Iterator[None]:
    """For SQLite: one process opens and migrates a database file at a time (a CLI call and
    the server may start together on a new install)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    lock_path = Path(f"{url.database}.migrate.lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _migration_lock(url: URL, connection: Connection) -> Iterator[None]:
    """For PostgreSQL: one process migrates at a time, across machines too."""
    if url.get_backend_name() == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(724231)"))
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(724231)"))
            connection.commit()
    else:
        yield


def migrate(url: str) -> str | None:
    """Bring the schema to the newest revision; returns it. Synchronous: run it in a thread."""
    parsed = sync_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with (
            _file_lock(parsed),
            engine.connect() as connection,
            _migration_lock(parsed, connection),
        ):
            current = MigrationContext.configure(connection).get_current_revision()
            head = head_revision()
            if current != head:
                log.info("migrating database from=%s to=%s", current, head)
                command.upgrade(alembic_config(connection), "head")
                connection.commit()
            return head
    except SQLAlchemyError as error:
        raise StoreError(
            f"cannot open the database {parsed.render_as_string()}: {error}"
        ) from error
    finally:
        engine.dispose()


class Store:
    """The database, opened and migrated. Units of work commit when their block ends."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str) -> Store:
        await asyncio.to_thread(migrate, url)
        parsed = async_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = create_async_engine(parsed)
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            engine = create_async_engine(parsed, pool_size=10, pool_pre_ping=True)
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    @property
    def backend(self) -> str:
        return self.engine.url.get_backend_name()

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except IntegrityError as error:
                await session.rollback()
                raise Conflict("that exists already (another request created it first)") from error
            except SQLAlchemyError as error:
                await session.rollback()
                raise StoreError(f"database error: {error.__class__.__name__}") from error
            except BaseException:
                await session.rollback()
                raise

    @contextlib.asynccontextmanager
    async def user(self, user_id: int) -> AsyncIterator[UserData]:
        """A unit of work that can only see and change the rows of one user."""
        async with self._session() as session:
            yield UserData(session, user_id)

    @contextlib.asynccontextmanager
    async def admin(self) -> AsyncIterator[Admin]:
        """A unit of work across users: accounts, keys and the scheduler's due items."""
        async with self._session() as session:
            yield Admin(session)
