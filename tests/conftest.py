"""Shared fixtures: a real engine on a temporary SQLite data dir (or PostgreSQL), users,
and a clock tests can move (the one outside-world thing we fake)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from heron import Heron, Settings
from heron.audio import RATE, Samples, resample
from heron.knowledge.graph import WorldGraph
from heron.speech import SpeechEngines
from heron.speech.tts_piper import PiperEngine
from heron.store.models import User

POSTGRES_URL = os.environ.get("HERON_TEST_POSTGRES_URL")


class MovableClock:
    """A clock that starts at the real time and moves only when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session", autouse=True)
def knowledge_dir(request: pytest.FixtureRequest) -> Path:
    """One world graph for the whole suite (built once, kept in pytest's cache between runs):
    every engine and every server or CLI process the tests start reads it."""
    path = Path(request.config.cache.mkdir("heron-knowledge"))
    WorldGraph(path).ensure()
    os.environ["HERON_KNOWLEDGE_DIR"] = str(path)
    os.environ["HERON_TEST_KNOWLEDGE_DIR"] = str(path)
    return path


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 24, 17, 30, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", timezone="Europe/Paris", database_url=None)


@pytest.fixture(scope="session")
def speech() -> SpeechEngines:
    """The speech models, loaded once for the whole suite (each on first use)."""
    return SpeechEngines(Settings())


@pytest.fixture(scope="session")
def spoken() -> Callable[..., Samples]:
    """Speech made from text with the packaged Piper voice, at 16 kHz: the tests' recordings
    (without Piper's sampling noise, so a text is the same recording on every run)."""
    piper = PiperEngine(varied=False)
    made: dict[tuple[str, float], Samples] = {}

    def say(text: str, speed: float = 1.0, pad_s: float = 0.0) -> Samples:
        if (text, speed) not in made:
            speech_out = piper.synthesize(text, speed=speed)
            made[text, speed] = resample(np.concatenate(list(speech_out.chunks)), speech_out.rate)
        pad = np.zeros(int(pad_s * RATE), np.int16)
        return np.concatenate([pad, made[text, speed], pad])

    return say


@pytest.fixture
async def engine(
    settings: Settings, clock: MovableClock, speech: SpeechEngines
) -> AsyncIterator[Heron]:
    heron = Heron(settings, clock=clock, speech=speech)
    await heron.start()
    try:
        yield heron
    finally:
        await heron.close()


@pytest.fixture
async def user(engine: Heron) -> User:
    created, _ = await engine.create_user("ana", "Europe/Paris")
    return created


def _postgres_schema_url(schema: str) -> str:
    assert POSTGRES_URL is not None
    joiner = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind: SQLite in a temp dir; PostgreSQL in a new schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if POSTGRES_URL is None:
        if os.environ.get("CI"):
            pytest.fail("CI must set HERON_TEST_POSTGRES_URL: the PostgreSQL tests may not skip")
        pytest.skip("set HERON_TEST_POSTGRES_URL to run the PostgreSQL variant")
    schema = f"heron_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
