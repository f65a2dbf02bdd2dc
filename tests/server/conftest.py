"""One real `heron serve` for the API tests, on a fresh data dir and a free port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.harness import HeronServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeronServer]:
    with HeronServer(tmp_path_factory.mktemp("api") / "data") as running:
        yield running


@pytest.fixture(scope="module")
def key(server: HeronServer) -> str:
    """The first user's key, as `heron serve` prints it on a new install."""
    return server.first_user_key()
