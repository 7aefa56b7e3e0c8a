"""How a runner learns that someone asked its run to stop (``monitor runs cancel``)."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class _Reads(Protocol):
    def cancel_requested(self, run_id: int) -> bool: ...


class CancelWatch:
    """Reads the run's ``cancel_requested`` flag at most every ``every`` seconds, so that
    checking between pages costs no more than a query every few seconds."""

    def __init__(self, repository: _Reads, run_id: int, every: float = 2.0) -> None:
        self.repository = repository
        self.run_id = run_id
        self.every = every
        self._checked = 0.0
        self._cancelled = False

    async def requested(self) -> bool:
        if self._cancelled:
            return True
        now = time.monotonic()
        if now - self._checked >= self.every:
            self._checked = now
            self._cancelled = await asyncio.to_thread(self.repository.cancel_requested, self.run_id)
        return self._cancelled
