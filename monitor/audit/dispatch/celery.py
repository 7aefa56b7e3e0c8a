"""The ``celery`` dispatcher: this process coordinates, Celery workers audit the pages.

The coordinator (``monitor audit`` with ``MONITOR_EXECUTION_BACKEND=celery``, or a
scheduled or queued run) plans the run and takes the services' leases exactly as the
local runner does, then:

1. sends one task per web page of the frontier (``dispatch/celery_app.py`` audits it
   with the same ``PageAuditor`` and page pipeline, and writes its result and findings
   straight to the database);
2. collects the tasks' answers (status, links found) and sends the new in-scope pages;
3. when no task is left, hands over to the service phase, here, like the local runner.

No browser runs here: the workers have them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

from celery import Celery
from celery.backends.base import KeyValueStoreBackend
from celery.result import AsyncResult

from monitor.audit.dispatch import Dispatcher, PagePhase
from monitor.audit.dispatch.celery_app import AUDIT_PAGE_TASK, make_celery_app
from monitor.audit.frontier import PageTask
from monitor.audit.page import DOCUMENT
from monitor.audit.recording import record_failure
from monitor.config import CouncilConfig
from monitor.models import PageStatus
from monitor.repository import Repository
from monitor.settings import Settings

log = logging.getLogger(__name__)

#: How often the coordinator collects finished tasks.
POLL_SECONDS = 0.2


class CeleryDispatcher(Dispatcher):
    name = "celery"

    def __init__(
        self,
        settings: Settings,
        config: CouncilConfig,
        repository: Repository,
        *,
        celery: Celery | None = None,
    ) -> None:
        super().__init__(settings, config, repository)
        self.celery = celery or make_celery_app(settings)

    async def visit_pages(self, phase: PagePhase) -> None:
        """Send every page of the frontier to the workers; take in the links they found."""
        run, frontier = phase.run, phase.frontier
        in_flight: dict[str, PageTask] = {}
        while True:
            while not frontier.pages.empty():
                task = frontier.pages.get_nowait()
                sent = self.celery.send_task(
                    AUDIT_PAGE_TASK,
                    args=[
                        run.id,
                        task.service_id,
                        task.page_id,
                        task.url,
                        run.engine,
                        run.full_audit,
                    ],
                    queue=self.settings.celery_queue,
                )
                in_flight[sent.id] = task
            if not in_flight:
                return
            if await phase.cancel.requested():
                # Queued tasks see the flag and skip; revoking saves them the trouble.
                self.celery.control.revoke(list(in_flight))
                return
            finished = await asyncio.to_thread(lambda: list(self._finished(list(in_flight))))
            for task_id, state, value in finished:
                task = in_flight.pop(task_id)
                if state == "SUCCESS" and isinstance(value, dict):
                    status = str(value.get("status", PageStatus.failed))
                    if status == DOCUMENT:
                        await frontier.set_aside(task)
                        AsyncResult(task_id, app=self.celery).forget()
                        continue
                    await frontier.found(task, [str(u) for u in value.get("links", [])])
                else:
                    status = await record_failure(
                        self.repository,
                        task,
                        "monitor-error",
                        f"the worker could not audit this page: {value}",
                    )
                phase.progress.count(status)
                phase.report()
                AsyncResult(task_id, app=self.celery).forget()
            if not finished:
                await asyncio.sleep(POLL_SECONDS)

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
