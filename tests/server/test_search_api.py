"""/v1/search over HTTP on a real `heron serve`: upload documents (form or raw body), list,
search and delete them; duplicates, new versions, bad and oversized files, empty queries; and
one user's documents never reach another."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.harness import HeronServer
from tests.search.test_extract import make_docx, make_pdf
from tests.server.test_api import assert_problem

DOCUMENTS = "/v1/search/documents"
LIMIT = 2_000_000
"""The server's HERON_MAX_DOCUMENT_BYTES here: small, so a too-large upload is quick to send,
and above the 1 MB every other request body is held to."""
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LEASE = b"""# Apartment lease

## Pets

The tenant may keep one cat or one small dog with the landlord's written consent.

## Rent

The monthly rent is 1,200 euros, due on the first day of each month.
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeronServer]:
    running = HeronServer(tmp_path_factory.mktemp("search-api") / "data")
    running.env["HERON_MAX_DOCUMENT_BYTES"] = str(LIMIT)
    with running:
        yield running


@pytest.fixture
def api(server: HeronServer, key: str) -> Iterator[httpx.Client]:
    with server.client(key) as client:
        yield client


@pytest.fixture(scope="module")
def other_key(server: HeronServer) -> str:
    return server.add_user("bo")


def upload(
    api: httpx.Client, name: str, data: bytes, collection: str | None = None
) -> httpx.Response:
    """A document sent as a browser's form does: the `file` field (and `collection`)."""
    form = {"collection": collection} if collection is not None else None
    return api.post(DOCUMENTS, files={"file": (name, data)}, data=form)


def added(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    document: dict[str, Any] = response.json()
    return document


def listed(api: httpx.Client) -> dict[int, dict[str, Any]]:
    response = api.get(DOCUMENTS)
    assert response.status_code == 200, response.text
    return {d["id"]: d for d in response.json()["documents"]}


def search(api: httpx.Client, q: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    hits: list[dict[str, Any]] = response.json()["hits"]
    return hits


def test_an_uploaded_document_is_listed_found_and_deleted(api: httpx.Client) -> None:
    document = added(upload(api, "lease.md", LEASE, collection="home"))

    assert document["added"] is True and document["replaced"] is None
    assert (document["name"], document["title"], document["kind"]) == (
        "lease.md",
        "Apartment lease",
        "markdown",
    )
    assert document["collection"] == "home" and document["passages"] == 2
    assert listed(api)[document["id"]]["name"] == "lease.md"
    [best, *_] = search(api, "can I keep a dog?")
    assert best["document_id"] == document["id"]
    assert best["title"] == "Apartment lease › Pets"
    assert "**dog**" in best["snippet"]
    assert best["document"]["name"] == "lease.md"

    deleted = api.delete(f"{DOCUMENTS}/{document['id']}")

    assert deleted.status_code == 204
    assert document["id"] not in listed(api)
    assert all(hit["document_id"] != document["id"] for hit in search(api, "dog"))
    assert_problem(api.delete(f"{DOCUMENTS}/{document['id']}"), 404)


def test_a_raw_body_names_its_document_and_every_kind_is_read(api: httpx.Client) -> None:
    notes = added(
        api.post(
            DOCUMENTS,
            params={"name": "boiler.txt", "collection": "house"},
            content=b"Boiler notes\n\nThe boiler pressure should read 1.5 bar when cold.",
            headers={"Content-Type": "text/plain"},
        )
    )
    guide = added(
        api.post(
            DOCUMENTS,
            params={"name": "guide.docx"},
            content=make_docx(),
            headers={"Content-Type": DOCX},
        )
    )
    scan = added(upload(api, "orchard.pdf", make_pdf(["Prune the apple trees in late winter."])))
    page = added(
        upload(api, "kettle.html", b"<title>Kettle</title><p>Descale the kettle monthly.</p>")
    )

    assert (notes["kind"], notes["collection"]) == ("text", "house")
    assert (guide["kind"], guide["title"]) == ("docx", "Garden guide")
    assert scan["kind"] == "pdf"
    assert page["kind"] == "html"
    assert search(api, "apple trees pruning")[0]["document_id"] == scan["id"]
    assert search(api, "boiler pressure", collection="house")[0]["document_id"] == notes["id"]
    assert search(api, "boiler pressure", collection="garden") == []
    only_docx = search(api, "tomatoes", kind="docx")
    assert only_docx and {hit["document"]["kind"] for hit in only_docx} == {"docx"}
    assert_problem(
        api.post(DOCUMENTS, content=b"no name", headers={"Content-Type": "text/plain"}), 422
    )


def test_the_same_bytes_again_are_a_duplicate_not_a_second_document(api: httpx.Client) -> None:
    first = added(upload(api, "tides.txt", b"Tide table\n\nHigh tide at Dover is at 06:12."))

    again = added(
        upload(api, "tides copy.txt", b"Tide table\n\nHigh tide at Dover is at 06:12."), 200
    )

    assert again["added"] is False
    assert again["duplicate_of"] == first["id"] == again["id"]
    assert [d["name"] for d in listed(api).values()].count("tides copy.txt") == 0


def test_a_document_of_the_same_name_replaces_the_old_version(api: httpx.Client) -> None:
    old = added(upload(api, "wifi.md", b"# Wifi\n\nThe wifi password is heron-blue-42."))

    new = added(upload(api, "wifi.md", b"# Wifi\n\nThe wifi password is osprey-green-7."))

    assert new["added"] is True and new["replaced"] == old["id"]
    documents = listed(api)
    assert new["id"] in documents and old["id"] not in documents
    hits = search(api, "wifi password", mode="bm25")
    assert [h["document_id"] for h in hits if h["document"]["name"] == "wifi.md"] == [new["id"]]
    assert "osprey" in hits[0]["snippet"]


def test_another_users_documents_are_out_of_reach(
    api: httpx.Client, server: HeronServer, other_key: str
) -> None:
    mine = added(
        upload(api, "diary.md", b"# Diary\n\nI hid the spare key under the blue flowerpot.")
    )

    with server.client(other_key) as other:
        assert all(d["name"] != "diary.md" for d in other.get(DOCUMENTS).json()["documents"])
        assert_problem(other.delete(f"{DOCUMENTS}/{mine['id']}"), 404)
        theirs = other.get("/v1/search", params={"q": "spare key flowerpot"})
        assert theirs.status_code == 200 and theirs.json()["hits"] == []
        # The same bytes uploaded by them are their own document, not a duplicate of mine.
        copy = added(
            other.post(
                DOCUMENTS,
                files={
                    "file": (
                        "diary.md",
                        b"# Diary\n\nI hid the spare key under the blue flowerpot.",
                    )
                },
            )
        )
        assert copy["added"] is True and copy["id"] != mine["id"]
    assert mine["id"] in listed(api)
    assert search(api, "spare key flowerpot")[0]["document_id"] == mine["id"]


def test_a_kind_heron_cannot_read_is_refused_listing_the_kinds_it_can(api: httpx.Client) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)

    problem = assert_problem(upload(api, "holiday.png", png), 415)

    for kind in ("plain text", "Markdown", "HTML", "PDF", "Word (DOCX)"):
        assert kind in problem["detail"]


def test_a_corrupt_pdf_is_refused_and_the_server_carries_on(api: httpx.Client) -> None:
    problem = assert_problem(
        upload(api, "broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage"), 400
    )

    assert "broken.pdf" in problem["detail"]
    assert api.get("/v1/health").status_code == 200


def test_a_zip_bomb_is_refused_quickly_and_the_server_carries_on(api: httpx.Client) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(100):  # 100 MB of zeros, packed to about 100 KB
                member.write(bytes(1 << 20))
    started = time.monotonic()

    problem = assert_problem(upload(api, "bomb.docx", out.getvalue()), 413)

    assert "bomb.docx" in problem["detail"]
    assert time.monotonic() - started < 5
    assert api.get("/v1/health").status_code == 200


def test_too_large_documents_are_refused(api: httpx.Client) -> None:
    just_over = b"Big notes\n\n" + b"word " * (LIMIT // 5)

    problem = assert_problem(upload(api, "big.txt", just_over), 413)
    far_over = api.post(
        DOCUMENTS,
        params={"name": "huge.txt"},
        content=bytes(3 * LIMIT),
        headers={"Content-Type": "text/plain"},
    )

    assert "big.txt" in problem["detail"]
    assert "larger than" in assert_problem(far_over, 413)["detail"]


def test_a_document_larger_than_other_request_bodies_is_accepted(api: httpx.Client) -> None:
    # A web page saved with its scripts: 1.5 MB, most of it code that is not text to search.
    script = b"<script>" + b"var x = 1;\n" * 140_000 + b"</script>"
    page = (
        b"<html><head><title>Saved page</title>"
        + script
        + b"</head><body><p>Opening hours of the library: nine to five.</p></body></html>"
    )
    assert len(page) > 1_500_000

    document = added(upload(api, "saved.html", page))

    assert document["passages"] == 1
    assert search(api, "library opening hours")[0]["document_id"] == document["id"]


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"q": ""}, None),
        ({"q": "   "}, None),
        ({}, None),
        ({"q": "rent", "k": 0}, None),
        ({"q": "rent", "k": 101}, None),
        ({"q": "rent", "mode": "psychic"}, "query.mode"),
    ],
)
def test_a_query_that_cannot_be_answered_is_422(
    api: httpx.Client, params: dict[str, Any], location: str | None
) -> None:
    problem = assert_problem(api.get("/v1/search", params=params), 422)

    if location is not None:
        assert problem["errors"][0]["location"] == location


def test_documents_need_a_key(server: HeronServer) -> None:
    with server.client() as anonymous:
        assert_problem(anonymous.get(DOCUMENTS), 401)
        assert_problem(anonymous.get("/v1/search", params={"q": "rent"}), 401)
        assert_problem(anonymous.post(DOCUMENTS, files={"file": ("a.txt", b"text")}), 401)
