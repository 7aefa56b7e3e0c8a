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
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from celery import Celery
from celery.backends.base import KeyValueStoreBackend
from celery.result import AsyncResult

from crawlers.axe_source import axe_version
from crawlers.checks import check_versions, service_checks
from crawlers.discovery import HostPolicy, make_client, urls_from_sitemaps
from crawlers.urls import Scope, looks_like_document, normalise_url
from monitor.audit import (
    AuditProgress,
    AuditRequest,
    Auditor,
    PageAuditor,
    ProgressCallback,
    _ServicePlan,
)
from monitor.backends import ExecutionBackend
from monitor.backends.cancel import CancelWatch
from monitor.backends.celery_app import AUDIT_PAGE_TASK, make_celery_app
from monitor.models import PageResult, PageStatus, Run, RunStatus, utcnow

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


class _NoBrowser:
    """The coordinator has no browser; whole-service checks must not need one."""

    def open(self, *_: Any, **__: Any) -> Any:
        raise RuntimeError("the Celery coordinator has no browser; pages are audited by workers")


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

    async def _run(self, run: Run, request: AuditRequest, leases: list[str]) -> Run:
        assert run.id is not None
        run_id = run.id
        self.repository.start_run(
            run_id, holder=self.holder, axe_version=axe_version(), check_versions=check_versions()
        )
        progress = AuditProgress(run_id)
        heartbeat = asyncio.create_task(self._heartbeat(run_id, leases))
        try:
            async with make_client(self.settings) as client:
                policy = HostPolicy(self.settings, client)
                plans = await self._distribute(run, request, policy, progress)
                if self.repository.cancel_requested(run_id):
                    return self.repository.finish_run(run_id, RunStatus.cancelled, "cancelled")
                auditor = PageAuditor(
                    self.settings,
                    self.config,
                    self.repository,
                    _NoBrowser(),  # type: ignore[arg-type]
                    policy,
                    full=run.full_audit,
                )
                for plan in plans.values():
                    await self._service_checks(run_id, plan, auditor)
            for service_id in run.service_ids:
                service = self.config.service(service_id)
                ran = [c.name for c in service_checks() if auditor.enabled(service, c.name)]
                self.repository.update_issues(run_id, service_id, ran)
            return self.repository.finish_run(run_id, RunStatus.completed)
        except (asyncio.CancelledError, KeyboardInterrupt):
            self.repository.finish_run(run_id, RunStatus.interrupted, "interrupted")
            raise
        except Exception as exc:
            self.repository.finish_run(run_id, RunStatus.failed, f"{type(exc).__name__}: {exc}")
            raise
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _distribute(
        self, run: Run, request: AuditRequest, policy: HostPolicy, progress: AuditProgress
    ) -> dict[str, _ServicePlan]:
        assert run.id is not None
        run_id = run.id
        engine = run.engine
        plans: dict[str, _ServicePlan] = {}
        max_pages = request.max_pages or run.options.get("max_pages")
        for service_id in run.service_ids:
            service = self.config.service(service_id)
            plans[service_id] = _ServicePlan(
                service,
                Scope.build(
                    service.hosts, service.include, service.exclude, self.config.max_depth(service)
                ),
                int(max_pages or self.config.max_pages(service)),
            )
        in_flight: dict[str, _Task] = {}

        def enqueue(task: _Task) -> None:
            sent = self.celery.send_task(
                AUDIT_PAGE_TASK,
                args=[
                    run_id,
                    task.plan.config.id,
                    task.page_id,
                    task.url,
                    engine,
                    run.full_audit,
                ],
                queue=self.settings.celery_queue,
            )
            in_flight[sent.id] = task

        # Resume: what was found before is known; only pending pages are sent again.
        known = {r.page_id: r for r in self.repository.page_results(run_id)}
        for page in (p for sid in plans for p in self.repository.pages(sid)):
            result = known.get(page.id or 0)
            if result is None:
                continue
            plan = plans[page.service_id]
            plan.seen.add(page.url)
            progress.found += 1
            if result.status == PageStatus.pending:
                enqueue(_Task(plan, page.id or 0, page.url, page.depth))
            else:
                self._count(progress, result.status)

        async def discover(
            plan: _ServicePlan, href: str, depth: int, base: str | None = None
        ) -> None:
            url = normalise_url(href, base)
            if url is None or url in plan.seen or not plan.scope.allows(url, depth):
                return
            if len(plan.seen) >= plan.max_pages:
                return
            plan.seen.add(url)
            if not await policy.allowed(url):
                log.info("robots.txt disallows %s", url)
                return
            kind = "document" if looks_like_document(url) else "html"
            page = await asyncio.to_thread(
                self.repository.upsert_page, plan.config.id, url, kind=kind, depth=depth
            )
            assert page.id is not None
            await asyncio.to_thread(
                self.repository.save_page_result,
                PageResult(run_id=run_id, page_id=page.id, service_id=plan.config.id),
            )
            progress.found += 1
            enqueue(_Task(plan, page.id, url, depth))

        for plan in plans.values():
            for url in plan.config.start_urls:
                await discover(plan, url, 0)
            for url in await urls_from_sitemaps(policy, list(plan.config.sitemaps)):
                await discover(plan, url, 0)
        self._report(progress)

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
                        await discover(task.plan, href, task.depth + 1, task.url)
                else:
                    status = PageStatus.failed
                    await asyncio.to_thread(self._record_lost_page, run_id, task, value)
                self._count(progress, status)
                self._report(progress)
                AsyncResult(task_id, app=self.celery).forget()
            if not finished:
                await asyncio.sleep(POLL_SECONDS)
        return plans

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

    def run_audit(
        self,
        config: CouncilConfig,
        repository: Repository,
        request: AuditRequest,
        on_progress: ProgressCallback | None = None,
    ) -> Run:
        auditor = CeleryAuditor(self.settings, config, repository, on_progress=on_progress)
        return asyncio.run(auditor.run(request))
