"""Running async work from synchronous code (the CLI, the dashboard, the scheduler)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: After the work itself has finished, stray tasks get this long to wind down.
CLEANUP_SECONDS = 10.0


def run_to_end(work: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, except that a stray task that ignores cancellation (a browser
    driver's event handler caught by a dying page, say) cannot keep finished work from
    returning: it gets ``CLEANUP_SECONDS``, is named in the log, and is left behind."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(work)
    finally:
        try:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                _, stuck = loop.run_until_complete(asyncio.wait(pending, timeout=CLEANUP_SECONDS))
                for task in stuck:
                    log.warning("left behind a task that would not stop: %r", task)
            loop.run_until_complete(asyncio.wait_for(loop.shutdown_asyncgens(), CLEANUP_SECONDS))
        except (TimeoutError, RuntimeError) as exc:
            log.warning("the event loop did not close cleanly: %s", exc)
        finally:
            loop.close()
