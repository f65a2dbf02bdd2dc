"""The HTTP and WebSocket edge: translates requests into calls on `Heron` and back."""

from heron.server.app import create_app

__all__ = ["create_app"]
