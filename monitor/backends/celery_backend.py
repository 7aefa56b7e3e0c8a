"""The ``celery`` backend: this process coordinates, Celery workers audit the pages.

The coordinator (``monitor audit`` with ``MONITOR_EXECUTION_BACKEND=celery``, or a
scheduled or queued run) plans the run and takes the services' leases exactly as the
local runner does, then:

1. discovers the start URLs and sitemaps, storing each address as a *pending* page
   result (so an interrupted run can be resumed) and enqueueing one task per page;
2. collects the tasks' results (status, links found), enqueues the new in-scope pages;
3. closes the run when no task is left, after moving the issues along their lifecycle.

No browser runs here: the workers have them. Page results and findings go straight from
the workers to the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from celery import Celery
from celery.backends.base import KeyValueStoreBackend
from celery.result import AsyncResult

from crawlers.discovery import HostPolicy
from monitor.audit import (
    Auditor,
    AuditProgress,
    AuditRequest,
    Frontier,
    PageAuditor,
    ProgressCallback,
    _ServicePlan,
)
from monitor.backends import ExecutionBackend
from monitor.backends.cancel import CancelWatch
from monitor.backends.celery_app import AUDIT_PAGE_TASK, make_celery_app
from monitor.models import PageResult, PageStatus, Run, utcnow

if TYPE_CHECKING:
    from monitor.config import CouncilConfig
    from monitor.repository import Repository
    from monitor.settings import Settings

log = logging.getLogger(__name__)

#: How often the coordinator collects finished tasks.
POLL_SECONDS = 0.2


@dataclass
class _Task:
    plan: _ServicePlan
    page_id: int
    url: str
    depth: int


class CeleryAuditor(Auditor):
    """An ``Auditor`` whose pages are audited by Celery workers."""

    def __init__(
        self,
        settings: Settings,
        config: CouncilConfig,
        repository: Repository,
        *,
        on_progress: ProgressCallback | None = None,
        celery: Celery | None = None,
    ) -> None:
        super().__init__(settings, config, repository, on_progress=on_progress)
        self.celery = celery or make_celery_app(settings)

    async def _visit_pages(
        self, run: Run, request: AuditRequest, policy: HostPolicy, progress: AuditProgress
    ) -> tuple[dict[str, _ServicePlan], PageAuditor]:
        """Send every page of the frontier to the workers; take in the links they found."""
        assert run.id is not None
        run_id = run.id
        in_flight: dict[str, _Task] = {}

        async def submit(plan: _ServicePlan, page_id: int, url: str, depth: int) -> None:
            sent = self.celery.send_task(
                AUDIT_PAGE_TASK,
                args=[run_id, plan.config.id, page_id, url, run.engine, run.full_audit],
                queue=self.settings.celery_queue,
            )
            in_flight[sent.id] = _Task(plan, page_id, url, depth)

        frontier = Frontier(self, run, request, policy, progress, submit)
        await frontier.start()
        cancel = CancelWatch(self.repository, run_id)
        while in_flight:
            if await cancel.requested():
                # Queued tasks see the flag and skip; revoking saves them the trouble.
                self.celery.control.revoke(list(in_flight))
                break
            finished = await asyncio.to_thread(lambda: list(self._finished(list(in_flight))))
            for task_id, state, value in finished:
                task = in_flight.pop(task_id)
                if state == "SUCCESS" and isinstance(value, dict):
                    status = str(value.get("status", PageStatus.failed))
                    for href in value.get("links", []):
                        await frontier.discover(task.plan, href, task.depth + 1, task.url)
                else:
                    status = PageStatus.failed
                    await asyncio.to_thread(self._record_lost_page, run_id, task, value)
                self._count(progress, status)
                self._report(progress)
                AsyncResult(task_id, app=self.celery).forget()
            if not finished:
                await asyncio.sleep(POLL_SECONDS)
        # Service-level checks need HTTP only; the browsers are the workers'.
        auditor = PageAuditor(
            self.settings, self.config, self.repository, None, policy, full=run.full_audit
        )
        return frontier.plans, auditor

    def _finished(self, task_ids: list[str]) -> Iterator[tuple[str, str, Any]]:
        """(task id, state, result) of the tasks that have finished, in one round trip
        to the result backend where it allows."""
        backend = self.celery.backend
        if isinstance(backend, KeyValueStoreBackend):
            for task_id, meta in backend.get_many(task_ids, interval=0, max_iterations=1):
                yield task_id, meta["status"], meta.get("result")
            return
        for task_id in task_ids:
            result = AsyncResult(task_id, app=self.celery)
            if result.ready():
                yield task_id, result.state, result.result

    def _record_lost_page(self, run_id: int, task: _Task, error: Any) -> None:
        """A task that failed for good (not a page that failed: PageAuditor records those)."""
        self.repository.record_page(
            PageResult(
                run_id=run_id,
                page_id=task.page_id,
                service_id=task.plan.config.id,
                status=PageStatus.failed,
                error=f"the worker could not audit this page: {error}"[:2000],
                error_kind="monitor-error",
                finished_at=utcnow(),
            ),
            [],
        )


class CeleryBackend(ExecutionBackend):
    name = "celery"

    def auditor(
        self,
        config: CouncilConfig,
        repository: Repository,
        on_progress: ProgressCallback | None = None,
    ) -> Auditor:
        return CeleryAuditor(self.settings, config, repository, on_progress=on_progress)
