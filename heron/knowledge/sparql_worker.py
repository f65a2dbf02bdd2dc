"""The process that runs SPARQL from outside (HTTP, CLI) against the world graph.

It opens the graph read-only and answers one query at a time over a pipe, so a query that
runs too long can be stopped by ending the process, without touching the server. It imports
nothing but pyoxigraph, to start fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, Store


def term_json(term: Any) -> dict[str, str] | None:
    """An RDF term in the SPARQL 1.1 JSON results format."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and not term.datatype.value.endswith("#string"):
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def run(store: Store, query: str, max_rows: int) -> dict[str, Any]:
    found = store.query(query, use_default_graph_as_union=True)
    if isinstance(found, QueryBoolean):
        return {"head": {}, "boolean": bool(found)}
    rows: Iterator[tuple[Any, ...]]
    if isinstance(found, QuerySolutions):
        names = [variable.value for variable in found.variables]
        rows = (tuple(solution[name] for name in names) for solution in found)
    else:  # CONSTRUCT / DESCRIBE: triples as subject, predicate, object
        names = ["subject", "predicate", "object"]
        rows = ((t.subject, t.predicate, t.object) for t in found)
    bindings: list[dict[str, Any]] = []
    truncated = False
    for row in rows:
        if len(bindings) >= max_rows:
            truncated = True
            break
        values = [term_json(term) for term in row]
        bindings.append({n: value for n, value in zip(names, values, strict=True) if value})
    return {"head": {"vars": names}, "results": {"bindings": bindings}, "truncated": truncated}


def serve(path: str, connection: Connection) -> None:
    try:
        store = Store.read_only(path)
    except OSError as error:
        connection.send((False, f"the world graph cannot be opened: {error}"))
        return
    connection.send((True, "ready"))
    while True:
        try:
            query, max_rows = connection.recv()
        except EOFError:
            return
        try:
            connection.send((True, run(store, query, max_rows)))
        except (SyntaxError, ValueError, OSError, RuntimeError) as error:
            connection.send((False, str(error)))
