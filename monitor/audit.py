"""Auditing the council's services: the one code path the CLI, the dashboard and the
schedule use to start a run.

The steps of a run:

1. plan: pick the services, create the run (or take up an interrupted one to resume);
2. take each service's lease, so nobody else audits it at the same time;
3. launch the browser engine and record the versions of axe-core and of every check;
4. seed each service's frontier from its start URLs and sitemaps, inside its scope and
   as robots.txt allows; every address found is stored at once as a *pending* page
   result, so an interrupted run knows exactly what is left;
5. visit pages in parallel: documents are recorded from their HTTP headers; web pages are
   loaded once, every enabled check runs on that one visit, new links join the frontier;
   a page's result and findings are written in one transaction;
6. when the frontier is empty, move each service's issues along their lifecycle and
   close the run with its counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from crawlers.axe_source import axe_version
from crawlers.base import (
    BrowserEngine,
    Check,
    FindingData,
    LoadedPage,
    PageContext,
    PageError,
    page_time_limit,
)
from crawlers.checks import check_versions, document_checks, page_checks, service_checks
from crawlers.discovery import HostPolicy, make_client, urls_from_sitemaps
from crawlers.engines import BrowserUnavailable, StartedOnDemand, make_engine
from crawlers.fingerprint import page_fingerprint, versions_fingerprint
from crawlers.furniture import FurnitureRegistry
from crawlers.revalidation import (
    PageResources,
    RememberedPage,
    ResourceHashes,
    ServedRecord,
    read_resources,
    served_record,
)
from crawlers.snapshot import snapshot
from crawlers.urls import Scope, looks_like_document, normalise_url
from monitor.backends.cancel import CancelWatch
from monitor.config import CouncilConfig, ServiceConfig
from monitor.models import Page, PageResult, PageStatus, Run, RunStatus, utcnow
from monitor.repository import Repository
from monitor.repository.issues import KEEP, Revalidation
from monitor.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
MAX_DOCUMENT_BYTES = 30 * 1024 * 1024
STALE_AFTER = timedelta(minutes=2)


class AuditRefused(RuntimeError):
    """The audit cannot start (a service is already being audited, nothing to resume...)."""


@dataclass
class AuditRequest:
    """What a person, the dashboard or the schedule asked for."""

    service_ids: list[str] | None = None
    engine: str | None = None
    max_pages: int | None = None
    resume: bool = False
    full: bool = False
    trigger: str = "cli"
    run_id: int | None = None  # take up this queued run (``monitor runs worker``)


@dataclass
class AuditProgress:
    """Counts shown while a run goes on."""

    run_id: int
    found: int = 0
    audited: int = 0
    carried: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> int:
        return self.audited + self.carried + self.failed

    def seconds_left(self) -> float | None:
        if self.done == 0:
            return None
        rate = (time.monotonic() - self.started) / self.done
        return rate * max(self.found - self.done, 0)


ProgressCallback = Callable[[AuditProgress], None]


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _holder_alive(holder: str | None) -> bool:
    """Whether the process that holds a run is still alive (only knowable on this host)."""
    if not holder or ":" not in holder:
        return False
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


@dataclass
class _ServicePlan:
    config: ServiceConfig
    scope: Scope
    max_pages: int
    seen: set[str] = field(default_factory=set)


Submit = Callable[["_ServicePlan", int, str, int], Awaitable[None]]


class Frontier:
    """The addresses a run still has to visit, per service.

    Every address found is stored at once as a *pending* page result, so an interrupted run
    knows exactly what is left; ``submit`` hands each new page to whoever visits it (the
    local pool of browser pages, or the Celery queue).
    """

    def __init__(
        self,
        auditor: Auditor,
        run: Run,
        request: AuditRequest,
        policy: HostPolicy,
        progress: AuditProgress,
        submit: Submit,
    ) -> None:
        assert run.id is not None
        self.run_id = run.id
        self.auditor = auditor
        self.repository = auditor.repository
        self.policy = policy
        self.progress = progress
        self.submit = submit
        config = auditor.config
        max_pages = request.max_pages or run.options.get("max_pages")
        self.plans: dict[str, _ServicePlan] = {}
        #: Pages residents' journeys pass through, and the documents linked from them.
        self.journey_pages = auditor.journey_pages
        for service_id in run.service_ids:
            self.journey_pages[service_id] = {
                u
                for u in (normalise_url(x) for x in self.repository.journey_page_urls(service_id))
                if u
            }
            service = config.service(service_id)
            self.plans[service_id] = _ServicePlan(
                service,
                Scope.build(
                    service.hosts, service.include, service.exclude, config.max_depth(service)
                ),
                int(max_pages or config.max_pages(service)),
            )

    async def start(self) -> None:
        """Take up what an interrupted attempt found, then the start URLs and sitemaps."""
        known = {r.page_id: r for r in self.repository.page_results(self.run_id)}
        for page in (p for sid in self.plans for p in self.repository.pages(sid)):
            result = known.get(page.id or 0)
            if result is None:
                continue
            plan = self.plans[page.service_id]
            plan.seen.add(page.url)
            self.progress.found += 1
            if result.status == PageStatus.pending:
                await self.submit(plan, page.id or 0, page.url, page.depth)
            else:
                self.auditor._count(self.progress, result.status)
        for plan in self.plans.values():
            for url in plan.config.start_urls:
                await self.discover(plan, url, 0)
            for url in await urls_from_sitemaps(self.policy, list(plan.config.sitemaps)):
                await self.discover(plan, url, 0)
        self.auditor._report(self.progress)

    async def discover(
        self, plan: _ServicePlan, href: str, depth: int, base: str | None = None
    ) -> None:
        """Add an address if it is new, in scope, under the page limit and robots allow it."""
        url = normalise_url(href, base)
        on_journey = self.journey_pages.get(plan.config.id, set())
        if url and base in on_journey and looks_like_document(url):
            on_journey.add(url)  # a document residents meet on their journey
        if url is None or url in plan.seen or not plan.scope.allows(url, depth):
            return
        if len(plan.seen) >= plan.max_pages:
            return
        plan.seen.add(url)
        if not await self.policy.allowed(url):
            log.info("robots.txt disallows %s", url)
            return
        kind = "document" if looks_like_document(url) else "html"
        page = await asyncio.to_thread(
            functools.partial(
                self.repository.add_pending_page,
                self.run_id,
                plan.config.id,
                url,
                kind=kind,
                depth=depth,
            )
        )
        assert page.id is not None
        self.progress.found += 1
        await self.submit(plan, page.id, url, depth)


class Auditor:
    """Runs one audit over one or more services."""

    def __init__(
        self,
        settings: Settings,
        config: CouncilConfig,
        repository: Repository,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.settings = settings
        self.config = config
        self.repository = repository
        self.on_progress = on_progress
        self.holder = holder_name()
        self.journey_pages: dict[str, set[str]] = {}

    # --- planning -------------------------------------------------------------------------

    def plan(self, request: AuditRequest) -> Run:
        """Create the run, or find the interrupted one to resume."""
        self.repository.sync_services(self.config.services)
        self._mark_dead_runs_interrupted()
        if request.run_id is not None:  # a queued on-demand run, picked up by a worker
            queued = self.repository.run(request.run_id)
            if queued is None or queued.status != RunStatus.queued:
                raise AuditRefused(f"run {request.run_id} is not waiting in the queue")
            return queued
        if request.resume:
            candidates = [
                r
                for r in self.repository.runs(limit=20, kind="audit")
                if r.status == RunStatus.interrupted
                and (not request.service_ids or set(request.service_ids) <= set(r.service_ids))
            ]
            if not candidates:
                raise AuditRefused("there is no interrupted audit to resume")
            return candidates[0]
        ids = request.service_ids or [s.id for s in self.config.services]
        for service_id in ids:
            self.config.service(service_id)  # KeyError names the known services
        return self.repository.create_run(
            kind="audit",
            trigger=request.trigger,
            service_ids=ids,
            engine=request.engine or self.settings.engine,
            options={"max_pages": request.max_pages, "full": request.full},
            full_audit=request.full,
        )

    def _mark_dead_runs_interrupted(self) -> None:
        self.repository.mark_stale_runs_interrupted(utcnow() - STALE_AFTER)
        for run in self.repository.runs(limit=20, kind="audit"):
            if run.status == RunStatus.running and not _holder_alive(run.holder):
                assert run.id is not None
                self.repository.finish_run(
                    run.id, RunStatus.interrupted, "the auditing process stopped"
                )

    # --- running --------------------------------------------------------------------------

    async def run(self, request: AuditRequest) -> Run:
        run = self.plan(request)
        assert run.id is not None
        leases = [f"audit:{s}" for s in run.service_ids]
        taken: list[str] = []
        try:
            for lease in leases:
                current = self.repository.lease(lease)
                if current is not None and not _holder_alive(current.holder):
                    self.repository.release_lease(lease, current.holder)  # its holder died
                if not self.repository.acquire_lease(
                    lease, self.holder, self.settings.lease_seconds, run_id=run.id
                ):
                    raise AuditRefused(
                        f"{lease.removeprefix('audit:')} is already being audited; try again "
                        "when that run has finished"
                    )
                taken.append(lease)
            return await self._run(run, request, leases)
        except AuditRefused:
            if run.status == RunStatus.queued:
                self.repository.finish_run(run.id, RunStatus.cancelled, "service busy")
            raise
        finally:
            for lease in taken:
                self.repository.release_lease(lease, self.holder)

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
                plans, auditor = await self._visit_pages(run, request, policy, progress)
                if self.repository.cancel_requested(run_id):  # ``monitor runs cancel``
                    return self.repository.finish_run(run_id, RunStatus.cancelled, "cancelled")
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

    async def _heartbeat(self, run_id: int, leases: list[str]) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await asyncio.to_thread(self.repository.heartbeat, run_id)
            for lease in leases:
                await asyncio.to_thread(
                    self.repository.renew_lease, lease, self.holder, self.settings.lease_seconds
                )

    async def _visit_pages(
        self, run: Run, request: AuditRequest, policy: HostPolicy, progress: AuditProgress
    ) -> tuple[dict[str, _ServicePlan], PageAuditor]:
        """Visit every page of the frontier in this process, a pool of pages at a time."""
        assert run.id is not None
        run_id = run.id
        queue: asyncio.Queue[tuple[_ServicePlan, int, str, int]] = asyncio.Queue()
        # Documents wait until every page is visited: by then every journey page's links
        # are known, so whether a document is on a journey does not depend on the order.
        documents: list[tuple[_ServicePlan, int, str, int]] = []

        async def submit(plan: _ServicePlan, page_id: int, url: str, depth: int) -> None:
            if looks_like_document(url):
                documents.append((plan, page_id, url, depth))
            else:
                await queue.put((plan, page_id, url, depth))

        frontier = Frontier(self, run, request, policy, progress, submit)
        # What stops the run: no browser, or storage that cannot record a page. The pages
        # not yet visited stay pending, so the run can be resumed.
        failures: list[Exception] = []
        async with StartedOnDemand(make_engine(self.settings, run.engine)) as engine:
            auditor = PageAuditor(
                self.settings,
                self.config,
                self.repository,
                engine,
                policy,
                {"journey_pages": self.journey_pages},
                full=run.full_audit,
            )
            await frontier.start()
            cancel = CancelWatch(self.repository, run_id)

            async def worker() -> None:
                while True:
                    plan, page_id, url, depth = await queue.get()
                    try:
                        if failures or await cancel.requested():  # the rest stays pending
                            continue
                        try:
                            status, links = await auditor.audit(run_id, plan.config, page_id, url)
                            for href in links:
                                await frontier.discover(plan, href, depth + 1, url)
                        except Exception as exc:
                            # A worker that died would leave ``queue.join()`` waiting for ever.
                            failures.append(exc)
                            continue
                        self._count(progress, status)
                        self._report(progress)
                    finally:
                        queue.task_done()

            # The engine lends at most ``concurrency`` tabs; pages revalidated over HTTP
            # need none, so more of them are in flight than there are tabs.
            count = self.settings.concurrency + self.settings.per_host_concurrency
            workers = [asyncio.create_task(worker()) for _ in range(count)]
            try:
                await queue.join()
                for item in documents:  # documents link nowhere: one more round is all
                    queue.put_nowait(item)
                documents.clear()
                await queue.join()
            finally:
                for task in workers:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
        if failures:
            raise failures[0]
        return frontier.plans, auditor

    async def _service_checks(self, run_id: int, plan: _ServicePlan, auditor: PageAuditor) -> None:
        """Checks of the service as a whole (its accessibility statement, say)."""
        service = plan.config
        for check in service_checks():
            if not auditor.enabled(service, check.name):
                continue
            context = auditor.context(service, run_id)
            context.extras["repository"] = self.repository
            context.extras["page_urls"] = sorted(plan.seen)
            found = await check.run_service(context)
            by_page: dict[int, list[FindingData]] = {}
            for url, finding in found:
                page = await asyncio.to_thread(
                    self.repository.upsert_page, service.id, normalise_url(url) or url
                )
                by_page.setdefault(page.id or 0, []).append(finding)
            await asyncio.to_thread(
                self.repository.replace_check_findings, run_id, service.id, check.name, by_page
            )

    @staticmethod
    def _count(progress: AuditProgress, status: str) -> None:
        if status == PageStatus.audited:
            progress.audited += 1
        elif status == PageStatus.carried:
            progress.carried += 1
        elif status == PageStatus.failed:
            progress.failed += 1

    def _report(self, progress: AuditProgress) -> None:
        if self.on_progress is not None:
            self.on_progress(progress)


class PageAuditor:
    """Audits one page on an already started engine: load once, run every enabled check,
    record the result and findings in one transaction. The local runner and the Celery
    workers both use it, so a page is judged the same way wherever it is audited."""

    def __init__(
        self,
        settings: Settings,
        config: CouncilConfig,
        repository: Repository,
        engine: BrowserEngine | None,
        policy: HostPolicy,
        shared: dict[str, object] | None = None,
        *,
        full: bool = False,
    ) -> None:
        self.settings = settings
        self.config = config
        self.repository = repository
        self.engine = engine
        self.policy = policy
        self.full = full
        # Mutable values here are shared by every page of the run (caches of checks).
        self.shared: dict[str, object] = shared if shared is not None else {}
        self.shared.setdefault("host_policy", policy)
        self.shared.setdefault("link_statuses", {})
        self.shared.setdefault("brand_favicons", {})
        self.shared.setdefault("page_titles", {})  # duplicate titles within a service
        self.shared.setdefault("statement_links", {})  # where each service's statement is
        if settings.shared_furniture:
            self.shared.setdefault("furniture", FurnitureRegistry())
        self._versions: dict[str, str] = {}

    def versions(self, service: ServiceConfig) -> str:
        """Everything that judges this service's pages: if any of it changes, re-audit."""
        if service.id not in self._versions:
            self._versions[service.id] = versions_fingerprint(
                {
                    "checks": {
                        c.name: c.version for c in page_checks() if self.enabled(service, c.name)
                    },
                    "axe": axe_version(),
                    "axe_tags": self.settings.axe_tags,
                    "best_practice": self.settings.axe_best_practice,
                    "brand": self.config.brand.model_dump_json(),
                    "service": service.model_dump_json(include={"checks", "brand_exemptions"}),
                }
            )
        return self._versions[service.id]

    def judged_alike(self, page: Page, service: ServiceConfig) -> bool:
        """Whether this run judges the page as its last full audit did: same checks, same
        axe-core, same rules, not forced to audit in full, and that audit recent enough."""
        if self.full or page.last_full_audit_at is None:
            return False
        if page.fingerprint_versions != self.versions(service):
            return False
        age = utcnow() - page.last_full_audit_at
        return age < timedelta(days=self.settings.full_audit_every_days)

    def unchanged(self, page: Page, fingerprint: str, service: ServiceConfig) -> bool:
        """Whether the checks would see exactly what they saw last time."""
        return page.fingerprint == fingerprint and self.judged_alike(page, service)

    def context(self, service: ServiceConfig, run_id: int | None) -> PageContext:
        return PageContext(
            service_id=service.id,
            run_id=run_id,
            settings=self.settings,
            service=service,
            brand=self.config.brand,
            config_dir=self.config.directory,
            evidence_dir=self.settings.evidence_dir,
            extras={
                **self.shared,
                "journey_urls": self._journey_pages().get(service.id, set()),
            },
        )

    def _journey_pages(self) -> dict[str, set[str]]:
        pages = self.shared.get("journey_pages")
        return pages if isinstance(pages, dict) else {}

    def enabled(self, service: ServiceConfig, name: str) -> bool:
        return self.config.defaults.checks.get(name, True) and service.check_enabled(name)

    def _rechecks(self, service: ServiceConfig) -> list[Check]:
        """Checks that run again on an unchanged page (a link's target may have gone)."""
        return [
            c
            for c in page_checks()
            if self.enabled(service, c.name) and getattr(c, "recheck_unchanged", False)
        ]

    async def audit(
        self, run_id: int, service: ServiceConfig, page_id: int, url: str
    ) -> tuple[str, list[str]]:
        """Audit one page; return its status and the links found on it.

        Whatever goes wrong with one page (a hang past ``page_audit_limit_seconds``, a
        fault in the monitor) is recorded as that page's failure and the run goes on; only
        a browser that cannot be started, or storage that cannot record the failure,
        stops the run."""
        limit = self.settings.page_audit_limit_seconds
        started_at = utcnow()
        try:
            async with page_time_limit(limit):
                return await self._audit(run_id, service, page_id, url)
        except BrowserUnavailable:
            raise
        except TimeoutError:
            # The traceback says where the page was stuck.
            log.warning("gave up on %s after %g s", url, limit, exc_info=True)
            kind = "timeout"
            error = (
                f"auditing the page took more than {limit:g} s (a page or check that never "
                f"finished): {url}"
            )
        except Exception as exc:  # a fault in a check or in the monitor: the page's failure
            log.exception("auditing %s failed", url)
            kind = "monitor-error"
            error = f"the monitor failed on this page: {type(exc).__name__}: {exc}"
        result = PageResult(
            run_id=run_id,
            page_id=page_id,
            service_id=service.id,
            started_at=started_at,
            finished_at=utcnow(),
            status=PageStatus.failed,
            error=error[:2000],
            error_kind=kind,
        )
        saved = await asyncio.to_thread(
            functools.partial(self.repository.record_page, result, [], revalidation=None)
        )
        return saved.status, []

    async def _audit(
        self, run_id: int, service: ServiceConfig, page_id: int, url: str
    ) -> tuple[str, list[str]]:
        result = PageResult(
            run_id=run_id, page_id=page_id, service_id=service.id, started_at=utcnow()
        )
        findings: list[FindingData] = []
        links: list[str] = []
        carried_from: PageResult | None = None
        rechecked: list[str] = []
        record: Revalidation = KEEP
        context = self.context(service, run_id)
        started = time.perf_counter()
        if looks_like_document(url):
            findings = await self._document(result, url, service, context)
        else:
            stored, last = await asyncio.to_thread(
                self.repository.page_and_last_visit, page_id, run_id
            )
            revalidated = await self._revalidate(service, stored, last, url, result, context)
            if revalidated is not None:
                return revalidated
            assert self.engine is not None, "web pages need a started browser engine"
            try:
                async with self.engine.open(
                    url, wait_for_selector=service.wait_for_selector
                ) as page:
                    result.http_status = page.status
                    result.final_url = page.url
                    result.content_type = page.content_type
                    result.title = (page.title or "")[:500]
                    result.load_ms = page.load_ms
                    if page.status is not None and page.status >= 400:
                        result.status = PageStatus.failed
                        result.error = f"the page answered HTTP {page.status}"
                        result.error_kind = "http-error"
                    else:
                        seen = await snapshot(
                            page,
                            furniture=self.settings.shared_furniture
                            and self.enabled(service, "axe"),
                        )
                        links = seen.links
                        resources = read_resources(seen.resources, self.settings.beacon_hosts)
                        hashes = await self.resource_hashes.all(resources.hashed)
                        result.fingerprint = page_fingerprint(seen.html, hashes)
                        if self.unchanged(stored, result.fingerprint, service):
                            carried_from = last
                        # An unchanged page keeps its findings; only checks that depend on
                        # other pages (a link's target may have gone) run again.
                        checks = (
                            [c for c in page_checks() if self.enabled(service, c.name)]
                            if carried_from is None
                            else self._rechecks(service)
                        )
                        checks_started = time.perf_counter()
                        for check in checks:
                            findings += await check.run(page, context)
                        result.checks_ms = int((time.perf_counter() - checks_started) * 1000)
                        result.status = (
                            PageStatus.audited if carried_from is None else PageStatus.carried
                        )
                        rechecked = [c.name for c in checks]
                        record = await self._served_record(page, resources, hashes, links)
            except BrowserUnavailable:
                raise  # not this page's fault: the run cannot go on
            except PageError as exc:
                if exc.kind == "download":
                    findings = await self._document(result, url, service, context)
                else:
                    result.status = PageStatus.failed
                    result.error = exc.message[:2000]
                    result.error_kind = exc.kind
                    result.http_status = exc.http_status
            if result.status == PageStatus.failed:
                record = None  # what failed in the browser must be seen in the browser again
        result.finished_at = utcnow()
        if result.load_ms is None:
            result.load_ms = int((time.perf_counter() - started) * 1000)
        if carried_from is not None and result.status == PageStatus.carried:
            status = await self._record_carried(result, carried_from, findings, rechecked, record)
            return status, links
        brand = context.extras.get("brand_result")
        if isinstance(brand, dict):
            result.brand_score = float(brand.get("score", 0))
        audited = result.status == PageStatus.audited and bool(result.fingerprint)
        saved = await asyncio.to_thread(
            functools.partial(
                self.repository.record_page,
                result,
                findings,
                versions=self.versions(service) if audited else None,
                revalidation=record,
            )
        )
        if isinstance(brand, dict):
            await asyncio.to_thread(
                self.repository.save_brand_result, run_id, page_id, service.id, brand
            )
        return saved.status, links

    async def _record_carried(
        self,
        result: PageResult,
        carried_from: PageResult,
        fresh: list[FindingData],
        rechecked: list[str],
        record: Revalidation,
    ) -> str:
        """An unchanged page: its last findings and brand result, as seen in this run."""
        assert carried_from.run_id is not None
        result.brand_score = carried_from.brand_score
        saved = await asyncio.to_thread(
            functools.partial(
                self.repository.record_carried_page,
                result,
                carried_from.run_id,
                fresh,
                rechecked,
                revalidation=record,
                carry_brand=True,
            )
        )
        return saved.status

    @property
    def resource_hashes(self) -> ResourceHashes:
        """Sub-resource hashes, shared by every page of the run."""
        hashes = self.shared.get("resource_hashes")
        if not isinstance(hashes, ResourceHashes):
            hashes = self.shared["resource_hashes"] = ResourceHashes(self.policy)
        return hashes

    async def _served_record(
        self,
        page: LoadedPage,
        resources: PageResources,
        hashes: dict[str, str | None],
        links: list[str],
    ) -> Revalidation:
        if not self.settings.revalidate_over_http:
            return KEEP
        record = await served_record(page, resources, hashes, links, self.policy)
        return record.to_json() if record is not None else None

    async def _revalidate(
        self,
        service: ServiceConfig,
        stored: Page,
        carried_from: PageResult | None,
        url: str,
        result: PageResult,
        context: PageContext,
    ) -> tuple[str, list[str]] | None:
        """Carry a static page forward after an HTTP request alone, if it is served exactly
        as at its last browser visit; None sends it to the browser."""
        record = ServedRecord.from_json(stored.revalidation)
        if (
            record is None
            or carried_from is None
            or not self.settings.revalidate_over_http
            or not stored.fingerprint
            or not self.judged_alike(stored, service)
        ):
            return None
        started = time.perf_counter()
        if not await record.still_served(url, self.policy, self.resource_hashes):
            return None
        page = RememberedPage(url, record, int((time.perf_counter() - started) * 1000))
        checks = self._rechecks(service)
        findings: list[FindingData] = []
        checks_started = time.perf_counter()
        try:
            for check in checks:
                findings += await check.run(page, context)
        except PageError:
            return None  # a check that needs the page itself: open it in the browser
        result.checks_ms = int((time.perf_counter() - checks_started) * 1000)
        result.http_status = record.http_status
        result.final_url = record.final_url
        result.content_type = record.content_type
        result.title = record.title[:500]
        result.load_ms = page.load_ms
        result.fingerprint = stored.fingerprint
        result.status = PageStatus.carried
        result.revalidated = True
        result.finished_at = utcnow()
        status = await self._record_carried(
            result, carried_from, findings, [c.name for c in checks], KEEP
        )
        return status, record.links

    async def _document(
        self, result: PageResult, url: str, service: ServiceConfig, context: PageContext
    ) -> list[FindingData]:
        """Record a document from its HTTP answer; document checks read its bytes."""
        checks = [c for c in document_checks() if self.enabled(service, c.name)]
        if checks:
            fetched = await self.policy.fetch(url, max_bytes=MAX_DOCUMENT_BYTES)
        else:
            fetched = await self.policy.fetch(url, method="HEAD")
            if fetched.status in (405, 501):
                fetched = await self.policy.fetch(url, max_bytes=1)
        result.http_status = fetched.status
        result.content_type = fetched.content_type
        result.size_bytes = fetched.size
        result.last_modified = fetched.last_modified
        if fetched.status is None or fetched.status >= 400:
            result.status = PageStatus.failed
            result.error = fetched.error or f"the document answered HTTP {fetched.status}"
            result.error_kind = "http-error" if fetched.status else "connection"
            return []
        result.status = PageStatus.audited
        findings: list[FindingData] = []
        for check in checks:
            findings += await check.run_document(url, fetched.body, fetched.content_type, context)
        return findings


def start_audit(
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    request: AuditRequest,
    on_progress: ProgressCallback | None = None,
) -> Run:
    """Run an audit to the end (blocking): the CLI, the dashboard and the schedule call this.

    ``MONITOR_EXECUTION_BACKEND`` decides where the pages are visited (this process, or
    Celery workers on any number of machines)."""
    from monitor.backends import make_backend

    return make_backend(settings).run_audit(config, repository, request, on_progress)


__all__ = [
    "AuditProgress",
    "AuditRefused",
    "AuditRequest",
    "Auditor",
    "PageAuditor",
    "start_audit",
]
