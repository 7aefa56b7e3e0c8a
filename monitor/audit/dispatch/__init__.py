"""How the pages of a run reach the page pipeline: one interface, one module each.

- ``local`` (the default, ``dispatch/local.py``): in this process, a pool of browser tabs;
- ``celery`` (``dispatch/celery.py``): one task per page on a Redis broker, taken by any
  number of Celery workers (``dispatch/celery_app.py``) on any number of machines, each
  with a warm browser; this process coordinates: it keeps the frontier, enqueues pages
  and follows the links the workers report.

Either way every page goes through ``monitor.audit.page.PageAuditor`` and the one page
pipeline, and the service phase runs here afterwards from what was recorded, so both give
the same findings. ``MONITOR_EXECUTION_BACKEND`` chooses (``monitor.audit.runner``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from crawlers.context import RunContext
from monitor.audit.cancel import CancelWatch
from monitor.audit.frontier import Frontier
from monitor.audit.plan import AuditProgress
from monitor.config import CouncilConfig
from monitor.models import Run
from monitor.repository import Repository
from monitor.settings import Settings


@dataclass
class PagePhase:
    """What a dispatcher is given for the page phase of one run."""

    run: Run
    frontier: Frontier
    context: RunContext  # the run's shared context (caches), for pages audited here
    progress: AuditProgress
    report: Callable[[], None]  # tell whoever watches the run how far it is
    cancel: CancelWatch


class Dispatcher(ABC):
    """Hands every page of a run's frontier to the page pipeline."""

    name: ClassVar[str]

    def __init__(self, settings: Settings, config: CouncilConfig, repository: Repository) -> None:
        self.settings = settings
        self.config = config
        self.repository = repository

    @abstractmethod
    async def visit_pages(self, phase: PagePhase) -> None:
        """Visit every web page the frontier holds, and those their links add, until none
        is left or the run is cancelled (the pages not visited stay pending). Pages that
        turn out to be documents are set aside in the frontier for the service phase."""


__all__ = ["Dispatcher", "PagePhase"]
