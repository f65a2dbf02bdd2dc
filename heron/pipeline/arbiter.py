"""Several satellites in one room hear the same wake word: only the one that heard it best
answers; the others are told to stand down.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class _Round:
    claims: dict[str, float] = field(default_factory=dict)
    decided: asyncio.Event = field(default_factory=asyncio.Event)
    winner: str | None = None


class WakeArbiter:
    """Wake words from one user's devices in one room within `window_s` are one round."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._rounds: dict[tuple[int, str], _Round] = {}

    async def claim(self, user_id: int, room: str, device: str, signal: float) -> bool:
        """True if `device` should answer. `signal` is how well it heard the wake word
        (louder and more certain is higher). A device without a room answers alone."""
        if not room or self.window_s <= 0:
            return True
        key = (user_id, room)
        found = self._rounds.get(key)
        if found is None:
            found = self._rounds[key] = _Round()
            asyncio.get_running_loop().call_later(self.window_s, self._decide, key, found)
        found.claims[device] = max(signal, found.claims.get(device, signal))
        await found.decided.wait()
        return found.winner == device

    def _decide(self, key: tuple[int, str], found: _Round) -> None:
        found.winner = max(found.claims, key=lambda device: found.claims[device])
        if self._rounds.get(key) is found:
            del self._rounds[key]
        found.decided.set()
