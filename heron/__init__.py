"""Heron: an open, self-hosted, offline-first AI assistant platform for smart devices.

The public surface is small: `Heron` (the engine every edge uses), `Settings` and the errors.
"""

from typing import TYPE_CHECKING, Any

from heron.config import Settings
from heron.errors import BadInput, HeronError, NotFound, Unauthorized

if TYPE_CHECKING:
    from heron.engine import Heron

__all__ = ["BadInput", "Heron", "HeronError", "NotFound", "Settings", "Unauthorized"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The engine pulls in every model library; a satellite or a client that only needs
    # `heron.audio` or `heron.clients` should not pay for importing it.
    if name == "Heron":
        from heron.engine import Heron

        return Heron
    raise AttributeError(f"module 'heron' has no attribute {name!r}")
