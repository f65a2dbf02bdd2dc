"""Read-only SPARQL for people and programs: a time limit, a row limit, and no updates.

Queries run in a worker process (`sparql_worker`) holding the graph open read-only; a query
past its time limit is stopped by ending that process, and the next query starts a new one.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from heron.errors import EngineUnavailable, QueryRejected, QueryTimeout
from heron.knowledge import sparql_worker
from heron.knowledge.vocabulary import BASE

MAX_QUERY_CHARS = 20_000
STARTUP_TIMEOUT_S = 60.0
_PROLOGUE = r"(?:\s*(?:#[^\n]*\n|PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>))*"
_UPDATE = re.compile(
    _PROLOGUE + r"\s*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE
)
DEFAULT_PREFIXES = {"h": BASE, "k": BASE + "key/", "xsd": "http://www.w3.org/2001/XMLSchema#"}


def check_query(query: str) -> str:
    """The query, if Heron may run it; QueryRejected for updates and oversized text."""
    if not query.strip():
        raise QueryRejected("the SPARQL query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryRejected(f"the SPARQL query is longer than {MAX_QUERY_CHARS} characters")
    if _UPDATE.match(query):
        raise QueryRejected(
            "SPARQL updates are not allowed: the knowledge graph is read-only "
            "(use SELECT, ASK, CONSTRUCT or DESCRIBE)"
        )
    declared = set(re.findall(r"PREFIX\s+([\w.-]*):", query, re.IGNORECASE))
    prologue = "".join(
        f"PREFIX {name}: <{iri}>\n"
        for name, iri in DEFAULT_PREFIXES.items()
        if name not in declared
    )
    return prologue + query


class SparqlRunner:
    """Runs read-only queries against the graph at `path`, one at a time."""

    def __init__(self, path: Path, *, timeout_s: float, max_rows: int) -> None:
        self.path = path
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None

    def _start(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._connection:
            return self._connection
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=sparql_worker.serve, args=(str(self.path), child), daemon=True
        )
        process.start()
        child.close()
        self._process, self._connection = process, parent
        if not parent.poll(STARTUP_TIMEOUT_S):
            self.stop()
            raise EngineUnavailable("the SPARQL worker did not start")
        ok, message = parent.recv()
        if not ok:
            self.stop()
            raise EngineUnavailable(message)
        return parent

    def run(self, query: str) -> dict[str, Any]:
        """SPARQL 1.1 JSON results (plus "truncated"); blocking, so call it from a thread."""
        text = check_query(query)
        with self._lock:
            connection = self._start()
            connection.send((text, self.max_rows))
            if not connection.poll(self.timeout_s):
                self.stop()
                raise QueryTimeout(
                    f"the query ran longer than {self.timeout_s:g} s and was stopped; "
                    "add a LIMIT or narrow the pattern"
                )
            try:
                ok, payload = connection.recv()
            except EOFError:
                self.stop()
                raise QueryRejected("the query could not be run (its worker ended)") from None
        if not ok:
            raise QueryRejected(f"the SPARQL query is not valid: {payload}")
        result: dict[str, Any] = payload
        return result

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None
