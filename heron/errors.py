"""The exception hierarchy; every edge maps each class to one error shape.

HeronError
├── BadInput            the request is malformed or impossible (HTTP 422)
│   ├── TooLarge        the request is bigger than allowed (HTTP 413)
│   ├── BadAudio        audio that is corrupt, empty or cannot be decoded (HTTP 400)
│   ├── BadDocument     a document that is corrupt, encrypted or has no text (HTTP 400)
│   ├── UnsupportedMedia  a format or codec Heron does not read (HTTP 415)
│   ├── QueryRejected   a query Heron will not run: malformed, or an update (HTTP 400)
│   └── UnsupportedLanguage  a language or language pair Heron has no engine for (HTTP 400)
├── NotFound            no such thing for this user (HTTP 404; also for other users' ids)
├── Unauthorized        no valid credentials (HTTP 401)
├── Conflict            the thing exists already (HTTP 409)
├── QueryTimeout        a query ran longer than allowed and was stopped (HTTP 504)
├── EngineUnavailable   a capability's engine or its model files are missing (HTTP 503)
└── StoreError          the database could not be reached or migrated (HTTP 503)
"""

from __future__ import annotations


class HeronError(Exception):
    """Base of every error Heron raises on purpose."""

    status = 500
    title = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadInput(HeronError):
    status = 422
    title = "Bad input"


class TooLarge(BadInput):
    status = 413
    title = "Request too large"


class BadAudio(BadInput):
    status = 400
    title = "Bad audio"


class BadDocument(BadInput):
    status = 400
    title = "Bad document"


class UnsupportedMedia(BadInput):
    status = 415
    title = "Unsupported media type"


class QueryRejected(BadInput):
    status = 400
    title = "Query rejected"


class UnsupportedLanguage(BadInput):
    status = 400
    title = "Unsupported language"


class QueryTimeout(HeronError):
    status = 504
    title = "Query timed out"


class NotFound(HeronError):
    status = 404
    title = "Not found"


class Unauthorized(HeronError):
    status = 401
    title = "Unauthorized"


class Conflict(HeronError):
    status = 409
    title = "Conflict"


class EngineUnavailable(HeronError):
    status = 503
    title = "Engine unavailable"


class StoreError(HeronError):
    status = 503
    title = "Database unavailable"
