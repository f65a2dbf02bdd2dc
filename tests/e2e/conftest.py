"""Whole flows against a real `heron serve`, on a fresh data dir: one server for the e2e
tests (each test works as its own users, or filters by the ids it made)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.harness import HeronServer


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeronServer]:
    with HeronServer(tmp_path_factory.mktemp("e2e") / "data") as running:
        yield running
