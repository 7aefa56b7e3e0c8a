"""The frontier: the addresses a run still has to visit, per service.

Every address found is stored at once as a *pending* page result, so an interrupted run
knows exactly what is left. Web pages wait in ``pages`` for a dispatcher to hand them to
the page pipeline (in this process, or on a Celery worker); documents (PDF, Word...) are
set aside for the service phase, which audits them once every page is visited and so
knows which documents residents meet on their journeys.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field

from crawlers.discovery import HostPolicy, urls_from_sitemaps
from crawlers.session import CrawlGuard
from crawlers.urls import Scope, looks_like_document, normalise_url
from monitor.audit.plan import AuditProgress
from monitor.config import CouncilConfig, ServiceConfig
from monitor.models import PageStatus, Run
from monitor.repository import Repository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageTask:
    """One address of a run to visit (what a dispatcher hands to the page pipeline)."""

    run_id: int
    service_id: str
    page_id: int
    url: str
    depth: int


@dataclass
class ServicePlan:
    """One service's part of the run: its scope, its page limit, what was found so far."""

    config: ServiceConfig
    scope: Scope
    max_pages: int
    seen: set[str] = field(default_factory=set)
    #: Start addresses robots.txt refused the monitor (a service it refuses entirely is
    #: unreachable, not empty).
    refused: list[str] = field(default_factory=list)
    #: What a signed-in or app service never follows (sign-out, delete, cancel...).
    guard: CrawlGuard | None = None
    #: A single-page app: ``#/route`` fragments are pages of it, kept in addresses.
    hash_routes: bool = False
    #: Links already looked at, as written, by the depth of the page showing them: a council
    #: page repeats the same hundred links of its header, menu and footer, and each was
    #: judged the first time (an absolute or root-relative link means the same thing on
    #: every page of a host).
    looked_at: set[str] = field(default_factory=set)


#: Addresses added to the run per transaction when a sitemap lists many.
DISCOVERY_BATCH = 500


class Frontier:
    """The run's addresses still to visit: web pages queued, documents set aside."""

    def __init__(
        self,
        run: Run,
        config: CouncilConfig,
        repository: Repository,
        policy: HostPolicy,
        progress: AuditProgress,
        *,
        max_pages: int | None = None,
    ) -> None:
        assert run.id is not None
        self.run_id = run.id
        self.repository = repository
        self.policy = policy
        self.progress = progress
        self.pages: asyncio.Queue[PageTask] = asyncio.Queue()
        self.documents: list[PageTask] = []
        limit = max_pages or run.options.get("max_pages")
        self.plans: dict[str, ServicePlan] = {}
        for service_id in run.service_ids:
            service = config.service(service_id)
            self.plans[service_id] = ServicePlan(
                service,
                Scope.build(
                    service.hosts, service.include, service.exclude, config.max_depth(service)
                ),
                int(limit or config.max_pages(service)),
                guard=CrawlGuard.for_service(service),
                hash_routes=service.spa is not None,
            )

    async def start(self) -> None:
        """Take up what an interrupted attempt found, then the start URLs and sitemaps."""
        known = {r.page_id: r for r in self.repository.page_results(self.run_id)}
        for page in (p for sid in self.plans for p in self.repository.pages(sid)):
            result = known.get(page.id or 0)
            if result is None:
                continue
            self.plans[page.service_id].seen.add(page.url)
            self.progress.found += 1
            if result.status == PageStatus.pending:
                task = PageTask(self.run_id, page.service_id, page.id or 0, page.url, page.depth)
                self._queue(task, document=page.kind == "document")
            else:
                self.progress.count(result.status)
        for plan in self.plans.values():
            await self.discover_many(plan, list(plan.config.start_urls), 0)
            listed = await urls_from_sitemaps(self.policy, list(plan.config.sitemaps))
            await self.discover_many(plan, listed, 0)

    async def found(self, task: PageTask, links: list[str]) -> None:
        """The links a visited page showed: the new ones in scope join the frontier."""
        plan = self.plans[task.service_id]
        host = task.url.split("/", 3)[:3]
        fresh = []
        for href in links:
            # The same absolute or root-relative link on another page of the same host is
            # the same address: judged once.
            same_everywhere = href.startswith(("http://", "https://")) or (
                href.startswith("/") and not href.startswith("//")
            )
            # Depth is part of it: a link too deep for the scope here may not be elsewhere.
            key = f"{task.depth} {href if href.startswith('http') else '/'.join(host) + href}"
            if same_everywhere and key in plan.looked_at:
                continue
            if same_everywhere:
                plan.looked_at.add(key)
            fresh.append(href)
        await self.discover_many(plan, fresh, task.depth + 1, task.url)

    def refused(self) -> dict[str, list[str]]:
        """Service id → the start addresses robots.txt refused."""
        return {sid: list(plan.refused) for sid, plan in self.plans.items() if plan.refused}

    async def set_aside(self, task: PageTask) -> None:
        """A page that turned out to be a document (a download): the service phase has it."""
        await asyncio.to_thread(
            functools.partial(
                self.repository.upsert_page, task.service_id, task.url, kind="document"
            )
        )
        self.documents.append(task)

    async def discover(
        self, plan: ServicePlan, href: str, depth: int, base: str | None = None
    ) -> None:
        """Add an address if it is new, in scope, under the page limit and robots allow it,
        and (behind a sign-in, or in an app) it is not one never to follow."""
        await self.discover_many(plan, [href], depth, base)

    async def discover_many(
        self, plan: ServicePlan, hrefs: list[str], depth: int, base: str | None = None
    ) -> None:
        """``discover`` for many addresses: the new ones in scope, under the page limit and
        allowed by robots.txt are stored as pending in batches, one transaction each."""
        wanted: list[tuple[str, str, int]] = []
        for href in hrefs:
            url = normalise_url(href, base, hash_routes=plan.hash_routes)
            if url is None or url in plan.seen or not plan.scope.allows(url, depth):
                continue
            if plan.guard is not None and plan.guard.refuses_address(url):
                log.debug("never followed (it could end the session or the account): %s", url)
                continue
            if len(plan.seen) >= plan.max_pages:
                break
            plan.seen.add(url)
            if not await self.policy.allowed(url):
                log.info("robots.txt disallows %s", url)
                if depth == 0:
                    plan.refused.append(url)
                continue
            wanted.append((url, "document" if looks_like_document(url) else "html", depth))
        for start in range(0, len(wanted), DISCOVERY_BATCH):
            batch = wanted[start : start + DISCOVERY_BATCH]
            pages = await asyncio.to_thread(
                self.repository.add_pending_pages, self.run_id, plan.config.id, batch
            )
            for (url, _, _), page in zip(batch, pages, strict=True):
                assert page.id is not None
                self.progress.found += 1
                self._queue(PageTask(self.run_id, plan.config.id, page.id, url, depth))

    def _queue(self, task: PageTask, *, document: bool = False) -> None:
        if document or looks_like_document(task.url):
            self.documents.append(task)
        else:
            self.pages.put_nowait(task)
