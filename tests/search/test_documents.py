"""Documents through the engine: added, found, replaced by a new version, not added twice,
deleted, and never another user's — with the store and the index agreeing throughout."""

from __future__ import annotations

import shutil

import pytest

from heron.config import Settings
from heron.engine import Heron
from heron.errors import NotFound, UnsupportedMedia
from heron.store.models import User

LEASE = b"""# Lease

## Pets

Tenants may keep one cat or a small dog with the landlord's written consent.

## Rent

Rent is due on the first day of each month, by bank transfer.
"""
WARRANTY = b"<html><head><title>Dishwasher</title></head><body><h1>Warranty</h1>" + (
    b"<p>The appliance is covered by a two year warranty from the date of purchase.</p>"
    b"</body></html>"
)


async def test_an_added_document_is_found_by_words_and_by_meaning(
    engine: Heron, user: User
) -> None:
    added = await engine.add_document(user, "lease.md", LEASE, collection="home")

    assert added["added"] is True and added["title"] == "Lease" and added["kind"] == "markdown"
    assert added["passages"] == 2
    [first, *_] = await engine.search(user, "can I have a dog in the flat?")
    assert first["document"]["id"] == added["id"]
    assert "dog" in first["snippet"]
    assert first["title"] == "Lease › Pets"
    by_words = await engine.search(user, "bank transfer", mode="bm25")
    assert by_words[0]["title"] == "Lease › Rent"


async def test_the_same_content_is_not_added_twice(engine: Heron, user: User) -> None:
    first = await engine.add_document(user, "lease.md", LEASE)

    again = await engine.add_document(user, "copy of lease.md", LEASE)

    assert again["added"] is False and again["duplicate_of"] == first["id"]
    assert len(await engine.documents(user)) == 1


async def test_a_new_version_of_a_document_replaces_the_old(engine: Heron, user: User) -> None:
    old = await engine.add_document(user, "lease.md", LEASE)

    new = await engine.add_document(
        user, "lease.md", LEASE.replace(b"one cat or a small dog", b"no animals at all")
    )

    assert new["replaced"] == old["id"]
    assert [d["id"] for d in await engine.documents(user)] == [new["id"]]
    hits = await engine.search(user, "small dog cat animals", mode="bm25")
    assert {h["document_id"] for h in hits} == {new["id"]}
    assert "animals" in hits[0]["snippet"]


async def test_a_deleted_document_is_gone_from_search(engine: Heron, user: User) -> None:
    lease = await engine.add_document(user, "lease.md", LEASE)
    dishwasher = await engine.add_document(user, "dishwasher.html", WARRANTY)

    await engine.delete_document(user, lease["id"])

    assert [d["name"] for d in await engine.documents(user)] == ["dishwasher.html"]
    for mode in ("bm25", "dense", "hybrid"):
        hits = await engine.search(user, "dog rent warranty", mode=mode)  # type: ignore[arg-type]
        assert {h["document_id"] for h in hits} <= {dishwasher["id"]}
    with pytest.raises(NotFound):
        await engine.delete_document(user, lease["id"])


async def test_another_users_documents_stay_theirs(engine: Heron, user: User) -> None:
    lease = await engine.add_document(user, "lease.md", LEASE)
    other, _ = await engine.create_user("ben")

    assert await engine.documents(other) == []
    assert await engine.search(other, "dog") == []
    with pytest.raises(NotFound):
        await engine.delete_document(other, lease["id"])
    # The same file is Ben's own document, not a duplicate of Ana's.
    assert (await engine.add_document(other, "lease.md", LEASE))["added"] is True
    assert len(await engine.documents(user)) == 1


async def test_a_kind_heron_cannot_read_is_refused_by_name(engine: Heron, user: User) -> None:
    with pytest.raises(UnsupportedMedia) as refused:
        await engine.add_document(user, "photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)

    assert "PDF" in refused.value.detail and "Markdown" in refused.value.detail
    assert await engine.documents(user) == []


async def test_a_lost_search_index_is_rebuilt_from_the_store(
    engine: Heron, user: User, settings: Settings
) -> None:
    lease = await engine.add_document(user, "lease.md", LEASE)
    await engine.close()
    shutil.rmtree(settings.data_dir / "search")

    async with Heron(settings) as reopened:
        hits = await reopened.search(user, "can I have a dog?")

    assert hits[0]["document_id"] == lease["id"]
    assert hits[0]["title"] == "Lease › Pets"
