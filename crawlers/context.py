"""What a check knows besides the page it is given: typed, never a bag of string keys.

- ``RunContext``: what every page of one run shares: the settings, the HTTP client with
  its robots.txt rules (``http``), the link statuses and favicons asked so far, the hashes
  of sub-resources, the furniture audited so far, the brand rules and where evidence goes.
  One per run and process; caches in it only save work, so a Celery worker starting with
  an empty one finds exactly what the coordinator's would.
- ``PageContext``: one page's view of it: the service the page belongs to, regions to
  leave out, on a journey the step that reached the page, and for a service crawled
  signed in (or through an app) its session and what it must never follow.
- ``ServiceEvidence``: what the service phase reads after every page was visited: the
  pages as they were *recorded* (titles, statement links, documents linked), never a
  per-process dictionary, so the local pool and Celery workers give the same findings
  whatever the order the pages were visited in.

A check names in ``reads`` what it needs (``Needs``); where a context lacks it (no HTTP
client, no brand rules), the pipeline skips the check and says why.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawlers.session import CrawlGuard, ServiceSession, SessionKeeper, SignIn

if TYPE_CHECKING:
    from crawlers.discovery import HostPolicy
    from crawlers.furniture import FurnitureRegistry
    from crawlers.revalidation import ResourceHashes
    from monitor.config import BrandFile, ServiceConfig
    from monitor.settings import Settings


class Needs(StrEnum):
    """What a check may need from its context besides the page."""

    http = "http"  # HTTP requests of its own (link statuses, a favicon, a statement)
    brand = "brand"  # the council's brand rules (brand.yaml)


class LinkStatuses:
    """Each address's HTTP status, asked once per run however many pages link to it."""

    def __init__(self, http: HostPolicy | None) -> None:
        self.http = http
        self._known: dict[str, asyncio.Future[tuple[int | None, str | None]]] = {}

    async def status(self, url: str) -> tuple[int | None, str | None]:
        """``(HTTP status, error)``; a server refusing HEAD is asked with a short GET."""
        if self.http is None:
            return None, "no HTTP client in this run"
        pending = self._known.get(url)
        if pending is None:
            pending = asyncio.ensure_future(self._probe(self.http, url))
            self._known[url] = pending
        return await asyncio.shield(pending)

    async def status_now(self, url: str) -> tuple[int | None, str | None]:
        """``status`` asked again now, not remembered (is the site still answering?)."""
        if self.http is None:
            return None, "no HTTP client in this run"
        return await self._probe(self.http, url)

    @staticmethod
    async def _probe(http: HostPolicy, url: str) -> tuple[int | None, str | None]:
        fetched = await http.fetch(url, method="HEAD")
        if fetched.status in (405, 501) or (fetched.status is None and fetched.error):
            fetched = await http.fetch(url, max_bytes=1)
        return fetched.status, fetched.error


class SharedWork:
    """Answers a check worked out on one page of a run and may reuse on later pages.

    Each answer is filed under everything it depends on (a logo's look, a header's markup),
    so reusing it cannot change a finding; ``MONITOR_CHECK_SHORTCUTS=false`` turns this off
    for a plain run. Bounded: the oldest answers of a kind go first.
    """

    def __init__(self, per_kind: int = 2048) -> None:
        self.per_kind = per_kind
        self._kinds: dict[str, dict[str, Any]] = {}
        self.reused = 0

    def get(self, kind: str, key: str) -> Any | None:
        found = self._kinds.get(kind, {}).get(key)
        if found is not None:
            self.reused += 1
        return found

    def put(self, kind: str, key: str, answer: Any) -> None:
        answers = self._kinds.setdefault(kind, {})
        if len(answers) >= self.per_kind:
            del answers[next(iter(answers))]
        answers[key] = answer


@dataclass
class RunContext:
    """What every page of one run shares (one per run and process)."""

    settings: Settings
    run_id: int | None = None
    http: HostPolicy | None = None
    brand: BrandFile | None = None
    config_dir: Path | None = None
    evidence_dir: Path | None = None
    furniture: FurnitureRegistry | None = None
    resource_hashes: ResourceHashes | None = None
    #: Signs in to services with a recipe (``crawlers.signin.sign_in``, handed in by the
    #: entry points; None: services behind a sign-in fail with a named reason).
    signer: SignIn | None = None
    link_statuses: LinkStatuses = field(init=False)
    #: None for a plain run (``settings.check_shortcuts`` off).
    shared: SharedWork | None = field(init=False)
    #: The signed-in sessions of this run in this process (one sign-in per service).
    sessions: SessionKeeper = field(init=False)
    #: The day statements are judged on (tests fix it).
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    _guards: dict[str, CrawlGuard | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.link_statuses = LinkStatuses(self.http)
        self.shared = SharedWork() if self.settings.check_shortcuts else None
        self.sessions = SessionKeeper(self.settings, signer=self.signer)

    def guard(self, service: ServiceConfig | None) -> CrawlGuard | None:
        """What the service's crawl never follows nor clicks (signed-in and app services)."""
        if service is None:
            return None
        if service.id not in self._guards:
            self._guards[service.id] = CrawlGuard.for_service(service)
        return self._guards[service.id]

    def has(self, need: Needs) -> bool:
        if need is Needs.http:
            return self.http is not None
        return self.brand is not None

    def for_page(
        self,
        service: ServiceConfig | None = None,
        *,
        service_id: str | None = None,
        journey: JourneyStep | None = None,
    ) -> PageContext:
        return PageContext(
            run=self,
            service=service,
            service_id=service_id if service_id is not None else (service.id if service else ""),
            journey=journey,
            session=self.sessions.for_service(service),
            guard=self.guard(service),
        )


@dataclass(frozen=True)
class JourneyStep:
    """The journey step that reached a page: its findings are tied to it."""

    journey_id: str
    index: int  # 1-based, as a service owner counts steps


@dataclass
class PageContext:
    """One page's view of the run: which service it belongs to, what to leave out."""

    run: RunContext
    service: ServiceConfig | None = None
    service_id: str = ""
    #: Selectors of regions audited elsewhere (excluded from axe).
    exclude_regions: list[str] = field(default_factory=list)
    journey: JourneyStep | None = None
    #: Residents meet this page or document on a journey (it then weighs more).
    on_journey: bool = False
    #: The service's signed-in session (a ``sign_in`` recipe), if it has one.
    session: ServiceSession | None = None
    #: What the service's crawl never follows nor clicks (signed-in and app services).
    guard: CrawlGuard | None = None

    @property
    def settings(self) -> Settings:
        return self.run.settings

    @property
    def run_id(self) -> int | None:
        return self.run.run_id

    @property
    def brand(self) -> BrandFile | None:
        return self.run.brand

    @property
    def config_dir(self) -> Path | None:
        return self.run.config_dir

    @property
    def evidence_dir(self) -> Path | None:
        return self.run.evidence_dir


@dataclass(frozen=True)
class RecordedPage:
    """One page of a service as this run recorded it (audited, or carried unchanged)."""

    url: str
    kind: str  # html | document
    title: str = ""
    #: Where its links whose text names accessibility go (its statement links).
    statement_links: tuple[str, ...] = ()
    #: The documents (PDF, Word...) it links to.
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenIssue:
    """An issue still open for the service, as the statement check weighs it."""

    check: str
    impact: str | None
    outcome: str


@dataclass
class ServiceEvidence:
    """What the service phase knows of one service after the page phase of a run."""

    service_id: str
    service: ServiceConfig | None = None
    pages: list[RecordedPage] = field(default_factory=list)  # sorted by address
    #: Pages residents' journeys pass through (recorded journey steps).
    journey_urls: frozenset[str] = frozenset()
    open_issues: list[OpenIssue] = field(default_factory=list)

    @property
    def page_urls(self) -> list[str]:
        return [p.url for p in self.pages]

    def on_journey(self, url: str) -> bool:
        """Whether residents meet this address on a journey: a journey page, or a document
        linked from one."""
        if url in self.journey_urls:
            return True
        return any(url in p.documents for p in self.pages if p.url in self.journey_urls)
