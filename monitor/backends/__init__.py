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
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.audit import Auditor, AuditRequest, ProgressCallback
    from monitor.config import CouncilConfig
    from monitor.models import Run
    from monitor.repository import Repository
    from monitor.settings import Settings


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
        return asyncio.run(self.auditor(config, repository, on_progress).run(request))


def make_backend(settings: Settings) -> ExecutionBackend:
    """The backend named by ``settings.execution_backend``."""
    if settings.execution_backend == "celery":
        from monitor.backends.celery_backend import CeleryBackend

        return CeleryBackend(settings)
    from monitor.backends.local import LocalBackend

    return LocalBackend(settings)


__all__ = ["ExecutionBackend", "make_backend"]
