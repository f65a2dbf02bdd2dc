"""Heron: an open, self-hosted, offline-first AI assistant platform for smart devices.

The public surface is small: `Heron` (the engine every edge uses), `Settings` and the errors.
"""

from heron.config import Settings
from heron.engine import Heron
from heron.errors import BadInput, HeronError, NotFound, Unauthorized

__all__ = ["BadInput", "Heron", "HeronError", "NotFound", "Settings", "Unauthorized"]
__version__ = "0.1.0"
