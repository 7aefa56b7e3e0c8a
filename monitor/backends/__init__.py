"""Where audits run, behind one interface.

- ``local`` (the default): in this process, one browser, today's ``Auditor``;
- ``celery``: the run is split into page-audit tasks on a Redis broker, taken by any number
  of ``celery`` workers on any number of machines, each with a warm browser; this process
  coordinates (discovers pages, enqueues them, follows the links the workers found) and
  closes the run when no page is left.

``MONITOR_EXECUTION_BACKEND`` chooses; ``monitor.audit.start_audit`` asks ``make_backend``.
Nothing here is imported by ``monitor.audit`` at import time, so the modules may import it.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from monitor.audit import Auditor, AuditRequest, ProgressCallback
    from monitor.config import CouncilConfig
    from monitor.models import Run
    from monitor.repository import Repository
    from monitor.settings import Settings

log = logging.getLogger(__name__)


class ExecutionBackend(ABC):
    """Runs one audit to its end (blocking) and returns the closed run."""

    name: str = ""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abstractmethod
    def auditor(
        self,
        config: CouncilConfig,
        repository: Repository,
        on_progress: ProgressCallback | None = None,
    ) -> Auditor:
        """The auditor that runs the audit here: it decides where the pages are visited."""

    def run_audit(
        self,
        config: CouncilConfig,
        repository: Repository,
        request: AuditRequest,
        on_progress: ProgressCallback | None = None,
    ) -> Run:
        return run_to_end(self.auditor(config, repository, on_progress).run(request))


T = TypeVar("T")

#: After the audit itself has finished, stray tasks get this long to wind down.
CLEANUP_SECONDS = 10.0


def run_to_end(work: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, except that a stray task that ignores cancellation (a browser
    driver's event handler caught by a dying page, say) cannot keep a finished run from
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
            log.warning("the audit's event loop did not close cleanly: %s", exc)
        finally:
            loop.close()


def make_backend(settings: Settings) -> ExecutionBackend:
    """The backend named by ``settings.execution_backend``."""
    if settings.execution_backend == "celery":
        from monitor.backends.celery_backend import CeleryBackend

        return CeleryBackend(settings)
    from monitor.backends.local import LocalBackend

    return LocalBackend(settings)


__all__ = ["ExecutionBackend", "make_backend", "run_to_end"]
