"""A whole audit run, from the request to the closed run.

1. plan: pick the services, create the run (or take up an interrupted or queued one);
2. take each service's lease, so nobody else audits it at the same time;
3. record the versions of axe-core and of every check with the run;
4. seed the frontier from the start URLs and sitemaps (robots.txt obeyed); every address
   found is stored at once as a *pending* page result;
5. the page phase: the dispatcher (``dispatch/local.py`` or ``dispatch/celery.py``) hands
   each web page to the page pipeline; new links join the frontier;
6. the service phase (``service_phase.py``): documents, then the checks of each service
   as a whole, from what the page phase recorded;
7. move each service's issues along their lifecycle and close the run with its counts.

Pages not reached (behind a sign-in the service has no recipe for, or whose sign-in
failed) are recorded as skipped with the reason: they open and close no issue, and a
service none of whose pages was reached is not judged as a whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from crawlers.axe_source import axe_version
from crawlers.checks import check_versions
from crawlers.discovery import HostPolicy, make_client
from monitor.audit.cancel import CancelWatch
from monitor.audit.context import run_context
from monitor.audit.dispatch import Dispatcher, PagePhase
from monitor.audit.frontier import Frontier
from monitor.audit.plan import (
    AuditProgress,
    AuditRefused,
    AuditRequest,
    ProgressCallback,
    holder_name,
    plan_run,
    release_leases,
    take_leases,
)
from monitor.audit.reach import unreachable_services
from monitor.audit.service_phase import ServicePhase
from monitor.config import CouncilConfig
from monitor.db import DATABASE_FAULTS
from monitor.eventloop import run_to_end
from monitor.models import Run, RunStatus
from monitor.repository import Repository
from monitor.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def make_dispatcher(
    settings: Settings, config: CouncilConfig, repository: Repository
) -> Dispatcher:
    """The dispatcher named by ``settings.execution_backend``."""
    if settings.execution_backend == "celery":
        from monitor.audit.dispatch.celery import CeleryDispatcher

        return CeleryDispatcher(settings, config, repository)
    from monitor.audit.dispatch.local import LocalDispatcher

    return LocalDispatcher(settings, config, repository)


class Auditor:
    """Runs one audit over one or more services; the dispatcher decides where pages go."""

    def __init__(
        self,
        settings: Settings,
        config: CouncilConfig,
        repository: Repository,
        *,
        dispatcher: Dispatcher | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.settings = settings
        self.config = config
        self.repository = repository
        self.dispatcher = dispatcher or make_dispatcher(settings, config, repository)
        self.on_progress = on_progress
        self.holder = holder_name()

    def plan(self, request: AuditRequest) -> Run:
        return plan_run(self.settings, self.config, self.repository, request)

    async def run(self, request: AuditRequest) -> Run:
        run = self.plan(request)
        assert run.id is not None
        try:
            leases = take_leases(self.repository, run, self.holder, self.settings.lease_seconds)
        except AuditRefused:
            if run.status == RunStatus.queued:
                self.repository.finish_run(run.id, RunStatus.cancelled, "service busy")
            raise
        try:
            return await self._run(run, request, leases)
        finally:
            release_leases(self.repository, leases, self.holder)

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
                context = run_context(self.settings, self.config, run_id, policy)
                frontier = Frontier(
                    run, self.config, self.repository, policy, progress, max_pages=request.max_pages
                )
                await frontier.start()
                self._report(progress)
                phase = PagePhase(
                    run=run,
                    frontier=frontier,
                    context=context,
                    progress=progress,
                    report=lambda: self._report(progress),
                    cancel=CancelWatch(self.repository, run_id),
                )
                await self.dispatcher.visit_pages(phase)
                if self.repository.cancel_requested(run_id):  # ``monitor runs cancel``
                    return self.repository.finish_run(run_id, RunStatus.cancelled, "cancelled")
                unreachable = unreachable_services(
                    run.service_ids, self.repository.page_visits(run_id), frontier.refused()
                )
                reached = [s for s in run.service_ids if s not in unreachable]
                for service_id, reason in unreachable.items():
                    log.warning("%s could not be reached: %s", service_id, reason)
                    self.repository.skip_pending_pages(
                        run_id, service_id, f"the service could not be reached: {reason}"
                    )
                services = ServicePhase(self.settings, self.config, self.repository, context)
                judged = await services.run(
                    run,
                    [t for t in frontier.documents if t.service_id in reached],
                    progress,
                    service_ids=reached,
                )
                self._report(progress)
            for service_id in reached:
                # Nothing is concluded about a service that was not reached: its issues
                # neither open nor close.
                self.repository.update_issues(run_id, service_id, judged.get(service_id, []))
            if not unreachable:
                return self.repository.finish_run(run_id, RunStatus.completed)
            status = RunStatus.partial if reached else RunStatus.failed
            error = None if reached else "no service could be reached"
            return self.repository.finish_run(run_id, status, error, unreachable=unreachable)
        except (asyncio.CancelledError, KeyboardInterrupt):
            self._close(run_id, RunStatus.interrupted, "interrupted")
            raise
        except DATABASE_FAULTS as exc:
            # What could not be recorded stays pending: the run can be resumed.
            self._close(run_id, RunStatus.interrupted, f"the database failed: {exc}"[:2000])
            raise
        except Exception as exc:
            if _being_cancelled():
                # Closing the HTTP client or the browser while Ctrl-C unwinds the run can
                # raise errors of its own: the run was interrupted all the same.
                self._close(run_id, RunStatus.interrupted, "interrupted")
                raise asyncio.CancelledError from exc
            self._close(run_id, RunStatus.failed, f"{type(exc).__name__}: {exc}")
            raise
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _heartbeat(self, run_id: int, leases: list[str]) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await asyncio.to_thread(self.repository.heartbeat, run_id)
                for lease in leases:
                    await asyncio.to_thread(
                        self.repository.renew_lease,
                        lease,
                        self.holder,
                        self.settings.lease_seconds,
                    )
            except DATABASE_FAULTS as exc:
                # A missed beat is not the run's end: the next one may get through, and
                # readers judge a live holder on this host by its process, not its beat.
                log.warning("run %s: the heartbeat could not be written: %s", run_id, exc)

    def _close(self, run_id: int, status: RunStatus, error: str) -> None:
        """Close the run; if even that cannot be written, the run stays ``running`` and
        every reader sees it as interrupted once this process has gone."""
        try:
            self.repository.finish_run(run_id, status, error)
        except DATABASE_FAULTS as exc:
            log.warning("run %s could not be closed as %s: %s", run_id, status, exc)

    def _report(self, progress: AuditProgress) -> None:
        if self.on_progress is not None:
            self.on_progress(progress)


def start_audit(
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    request: AuditRequest,
    on_progress: ProgressCallback | None = None,
    *,
    dispatcher: Dispatcher | None = None,
) -> Run:
    """Run an audit to the end (blocking): the CLI, the dashboard and the schedule call this.

    ``MONITOR_EXECUTION_BACKEND`` decides where the pages are visited (this process, or
    Celery workers on any number of machines), unless a ``dispatcher`` is given."""
    auditor = Auditor(settings, config, repository, dispatcher=dispatcher, on_progress=on_progress)
    return run_to_end(auditor.run(request))
