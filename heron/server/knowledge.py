"""The world knowledge graph over HTTP: entity search, entities, read-only SPARQL, and
questions in plain words."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from heron.knowledge.linking import KINDS
from heron.knowledge.personal import MAX_FACT_CHARS
from heron.server.auth import CurrentUser, Engine

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"])


@router.get("/entities", summary="Search countries, cities and continents by name")
async def entities(
    _: CurrentUser,
    heron: Engine,
    q: str = Query(
        min_length=1, max_length=200, description="a name, alias, code or near spelling"
    ),
    kind: list[str] = Query(default=list(KINDS)),
    limit: int = Query(default=10, ge=1, le=100),
) -> dict[str, Any]:
    return {"entities": await heron.entities(q, limit=limit, kinds=kind)}


@router.get("/entities/{entity_id:path}", summary="Everything known about one entity")
async def entity(entity_id: str, _: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.entity(entity_id)


class SparqlQuery(BaseModel):
    query: str = Field(min_length=1, max_length=20_000)


@router.post(
    "/sparql",
    summary="Run a read-only SPARQL 1.1 query (updates are rejected with 400)",
    description="Results in the SPARQL 1.1 JSON format, plus `truncated` when the row limit "
    "cut them. Prefixes `h:` (Heron's vocabulary), `k:` and `xsd:` are predeclared. A query "
    "running past the time limit is stopped (504).",
)
async def sparql(body: SparqlQuery, _: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.sparql(body.query)


class Question(BaseModel):
    text: str = Field(min_length=1)
    conversation_id: str | None = None


@router.post("/ask", summary="Ask a factual question in plain words")
async def ask(body: Question, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    answer = await heron.ask(user, body.text, conversation_id=body.conversation_id)
    return {**answer.to_json(), "answered": bool(answer.intent)}


class NewFact(BaseModel):
    text: str = Field(
        min_length=1,
        max_length=MAX_FACT_CHARS,
        description='A fact in plain words: "my car is parked on level 3", "Ana\'s birthday '
        'is May 2"',
    )


@router.get("/me/facts", summary="What you told the assistant (your personal graph)")
async def facts(
    user: CurrentUser,
    heron: Engine,
    q: str | None = Query(default=None, max_length=200, description="only facts with these words"),
) -> dict[str, Any]:
    return {"facts": await heron.facts(user, q)}


@router.post("/me/facts", status_code=201, summary="Tell the assistant a fact to remember")
async def add_fact(body: NewFact, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.remember(user, body.text)


@router.delete("/me/facts/{fact_id}", summary="Forget one fact")
async def forget_fact(fact_id: int, user: CurrentUser, heron: Engine) -> dict[str, Any]:
    return await heron.forget_fact(user, fact_id)


@router.delete("/me/facts", status_code=204, summary="Forget everything you told the assistant")
async def forget_facts(user: CurrentUser, heron: Engine) -> Response:
    await heron.forget_facts(user)
    return Response(status_code=204)
