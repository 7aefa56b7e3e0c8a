"""One page of a run: revalidated over HTTP, or opened in the browser and put through the
page pipeline, then recorded. The local pool and every Celery worker call ``PageAuditor``,
so a page of a run is judged the same way wherever it is audited.

Whatever goes wrong with one page (a hang past ``page_audit_limit_seconds``, a fault in
the monitor) is recorded as that page's failure and the run goes on; only a browser that
cannot be started, or storage that cannot record the failure, stops the run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crawlers.axe_source import axe_version
from crawlers.base import BrowserEngine, page_time_limit
from crawlers.check import PageCheck
from crawlers.checks import page_checks
from crawlers.context import RunContext
from crawlers.engines import BrowserUnavailable
from crawlers.fingerprint import versions_fingerprint
from crawlers.pipeline import CARRIED, PageOutcome, PreviousVisit, audit_address, audit_page
from crawlers.revalidation import RememberedPage, ServedRecord
from crawlers.urls import looks_like_document
from monitor.audit.frontier import PageTask
from monitor.audit.recording import CarriedBatches, record_failure, record_outcome
from monitor.config import CouncilConfig, ServiceConfig
from monitor.db import DATABASE_FAULTS
from monitor.models import Page, PageResult, utcnow
from monitor.repository import Repository
from monitor.settings import Settings

log = logging.getLogger(__name__)

#: What a visited page's task hands back when it turned out to be a document.
DOCUMENT = "document"


@dataclass
class PageDone:
    """What the dispatcher needs back from one page: its status and the links it showed."""

    status: str
    links: list[str] = field(default_factory=list)


def enabled(config: CouncilConfig, service: ServiceConfig, name: str) -> bool:
    """Whether a check runs on this service's pages (services.yaml ``checks:``)."""
    return config.defaults.checks.get(name, True) and service.check_enabled(name)


def service_page_checks(config: CouncilConfig, service: ServiceConfig | None) -> list[PageCheck]:
    """The page checks enabled for a service (every default check without one)."""
    if service is None:
        return [c for c in page_checks() if config.defaults.checks.get(c.name, True)]
    return [c for c in page_checks() if enabled(config, service, c.name)]


#: Faults that stop the run rather than fail a page.
NOT_THE_PAGES_FAULT: tuple[type[BaseException], ...] = (BrowserUnavailable, *DATABASE_FAULTS)


def stop_if_interrupted() -> None:
    """A run being interrupted (Ctrl-C, ``monitor runs cancel`` of the process) records
    nothing more: what its browser said while it was shutting down is not the page's."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class PageAuditor:
    """Audits the pages of one run on an already started engine (or none: a coordinator
    that only revalidates), sharing the run's ``RunContext``."""

    def __init__(
        self,
        settings: Settings,
        config: CouncilConfig,
        repository: Repository,
        engine: BrowserEngine | None,
        context: RunContext,
        *,
        full: bool = False,
        carried: CarriedBatches | None = None,
    ) -> None:
        self.settings = settings
        self.config = config
        self.repository = repository
        self.engine = engine
        self.context = context
        self.full = full
        self.carried = carried  # unchanged pages recorded in batches, if given
        self._versions: dict[str, str] = {}

    def versions(self, service: ServiceConfig) -> str:
        """Everything that judges this service's pages: if any of it changes, re-audit."""
        if service.id not in self._versions:
            self._versions[service.id] = versions_fingerprint(
                {
                    "checks": {
                        c.name: c.version for c in service_page_checks(self.config, service)
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

    async def audit(self, task: PageTask) -> PageDone:
        """Audit one page of the run; record it; return its status and links."""
        limit = self.settings.page_audit_limit_seconds
        started_at = utcnow()
        try:
            async with page_time_limit(limit):
                return await self._audit(task, started_at)
        except NOT_THE_PAGES_FAULT:
            # Not this page's fault: no browser, or storage that cannot record it. The run
            # stops; this page and those left stay pending, so ``--resume`` redoes them.
            raise
        except TimeoutError:
            # The traceback says where the page was stuck.
            log.warning("gave up on %s after %g s", task.url, limit, exc_info=True)
            kind = "timeout"
            error = (
                f"auditing the page took more than {limit:g} s (a page or check that never "
                f"finished): {task.url}"
            )
        except Exception as exc:  # a fault in the monitor: the page's failure
            log.exception("auditing %s failed", task.url)
            kind = "monitor-error"
            error = f"the monitor failed on this page: {type(exc).__name__}: {exc}"
        stop_if_interrupted()
        status = await record_failure(self.repository, task, kind, error, started_at)
        return PageDone(status)

    async def _audit(self, task: PageTask, started_at: datetime) -> PageDone:
        if looks_like_document(task.url):
            return PageDone(DOCUMENT)  # documents are the service phase's
        service = self.config.service(task.service_id)
        stored, last = await asyncio.to_thread(
            self.repository.page_and_last_visit, task.page_id, task.run_id
        )
        checks = service_page_checks(self.config, service)
        context = self.context.for_page(service)
        previous = (
            PreviousVisit(stored.fingerprint, self.judged_alike(stored, service))
            if last is not None
            else None
        )
        # A signed-in page is always opened in the browser: the monitor's HTTP client holds
        # no session, so what it fetched would be the sign-in page.
        if service.sign_in is None:
            remembered = await self._revalidate(service, stored, last, task, checks)
            if remembered is not None:
                return remembered
        if self.engine is None:
            raise RuntimeError("web pages need a started browser engine")
        outcome = await audit_address(
            self.engine,
            task.url,
            checks,
            context,
            previous=previous,
            wait_for_selector=service.wait_for_selector,
            discover_routes=True,
        )
        if outcome.error_kind == "download":
            return PageDone(DOCUMENT)  # a file, not a page: audited with the documents
        stop_if_interrupted()
        status = await record_outcome(
            self.repository,
            task,
            outcome,
            versions=self.versions(service),
            carried_from=last if outcome.status == CARRIED else None,
            started_at=started_at,
            batches=self.carried,
        )
        return PageDone(status, outcome.links)

    async def _revalidate(
        self,
        service: ServiceConfig,
        stored: Page,
        last: PageResult | None,
        task: PageTask,
        checks: list[PageCheck],
    ) -> PageDone | None:
        """Carry a static page forward after an HTTP request alone, if it is served exactly
        as at its last browser visit; None sends it to the browser."""
        record = ServedRecord.from_json(stored.revalidation)
        http = self.context.http
        hashes = self.context.resource_hashes
        if (
            record is None
            or last is None
            or http is None
            or hashes is None
            or not self.settings.revalidate_over_http
            or not stored.fingerprint
            or not self.judged_alike(stored, service)
        ):
            return None
        started = time.perf_counter()
        if not await record.still_served(task.url, http, hashes):
            return None
        page = RememberedPage(task.url, record, int((time.perf_counter() - started) * 1000))
        outcome: PageOutcome = await audit_page(
            page,
            [c for c in checks if c.recheck_unchanged],
            self.context.for_page(service),
            look=False,
        )
        if any(e.kind == "not-open" for e in outcome.check_errors):
            return None  # a check that needs the page itself: open it in the browser
        outcome.status = CARRIED
        outcome.fingerprint = stored.fingerprint
        status = await record_outcome(
            self.repository,
            task,
            outcome,
            versions=None,
            carried_from=last,
            revalidated=True,
            batches=self.carried,
        )
        return PageDone(status, record.links)
