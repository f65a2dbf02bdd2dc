"""Document search over HTTP: add a document (upload), list and delete them, and search the
passages of your own documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from heron.errors import BadInput
from heron.search.index import Mode
from heron.server.auth import CurrentUser, Engine

router = APIRouter(prefix="/v1/search", tags=["search"])

FORM_OVERHEAD = 64 * 1024
"""Room for a multipart form's boundaries and headers around a document of the largest size."""


async def _upload(request: Request) -> tuple[str, bytes, str | None, str]:
    """The (name, bytes, content type, collection) of a document sent as a multipart form's
    `file` field (with an optional `collection` field) or as the raw body with `?name=`."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    collection = request.query_params.get("collection", "")
    if kind == "multipart/form-data":
        async with request.form(max_files=1, max_fields=8) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise BadInput("send the document as the form field 'file'")
            field = form.get("collection")
            if isinstance(field, str) and field:
                collection = field
            name = request.query_params.get("name") or upload.filename or ""
            if not name:
                raise BadInput("the uploaded file has no name: give one as ?name=")
            return name, await upload.read(), upload.content_type, collection
    name = request.query_params.get("name", "")
    if not name:
        raise BadInput("give the document's file name as ?name=, e.g. ?name=lease.pdf")
    return name, await request.body(), kind or None, collection


@router.post(
    "/documents",
    status_code=201,
    summary="Add a document",
    description="Upload a document (plain text, Markdown, HTML, PDF or Word DOCX) as the "
    "multipart form field `file` (and optionally the field `collection`), or as the raw body "
    "with `?name=FILE&collection=C`. Its text is split into passages and indexed for your "
    "searches only. The same bytes again are not added twice (200, `added: false`, "
    "`duplicate_of`); a document with the same name is replaced by the new version "
    "(`replaced`: the old id). Unsupported kind: 415; corrupt or without text: 400; larger "
    "than HERON_MAX_DOCUMENT_BYTES, too many pages or too slow to read: 413.",
    responses={200: {"description": "The same document was added before"}},
)
async def add_document(request: Request, user: CurrentUser, heron: Engine) -> Response:
    name, data, content_type, collection = await _upload(request)
    added = await heron.add_document(
        user, name, data, collection=collection, content_type=content_type
    )
    return JSONResponse(added, status_code=201 if added["added"] else 200)


@router.get("/documents", summary="Your documents")
async def documents(user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return {"documents": await heron.documents(user)}


@router.delete(
    "/documents/{document_id}",
    status_code=204,
    summary="Delete a document and its passages",
    response_class=Response,
)
async def delete_document(document_id: int, user: CurrentUser, heron: Engine) -> Response:
    await heron.delete_document(user, document_id)
    return Response(status_code=204)


@router.get(
    "",
    summary="Search your documents",
    description="The passages of your documents that best answer `q`: BM25 over words and "
    "sentence-embedding neighbours, fused by reciprocal rank (`mode=hybrid`), or either alone. "
    "Each hit has its document, a snippet with the query's words marked **like this**, and how "
    "each ranking placed it. An empty query or k outside 1–100: 422.",
)
async def search(
    user: CurrentUser,
    heron: Engine,
    q: Annotated[str, Query(description="What to look for, in your own words")] = "",
    k: Annotated[int, Query(description="How many passages, 1 to 100")] = 10,
    mode: Annotated[Mode, Query(description="hybrid (default), bm25 or dense")] = "hybrid",
    collection: Annotated[str | None, Query(description="Only this collection")] = None,
    kind: Annotated[
        str | None, Query(description="Only this kind: text, markdown, html, pdf or docx")
    ] = None,
) -> dict[str, Any]:
    hits = await heron.search(user, q, k=k, mode=mode, collection=collection, kind=kind)
    return {"query": q, "mode": mode, "hits": hits}
