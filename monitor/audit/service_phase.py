"""The service phase: what is judged after every page of a run was visited.

It reads what the page phase *recorded* (``ServiceEvidence``: titles, statement links,
documents linked, journey pages), never a per-process dictionary, so the local pool and
Celery workers give the same findings, whatever the order pages were visited in. It runs
in the process that coordinates the run, over HTTP only:

1. documents (PDF, Word...) set aside by the frontier are fetched and judged, knowing
   which of them residents meet on a journey (linked from a page a journey passes);
2. each service check (the accessibility statement, titles shared by several pages)
   judges each service from the recorded evidence; its findings replace any earlier
   attempt's in the same run.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from crawlers.base import FindingData
from crawlers.check import CouldNotJudge, DocumentCheck
from crawlers.checks import document_checks, service_checks
from crawlers.context import OpenIssue, RecordedPage, RunContext, ServiceEvidence
from crawlers.session import SIGN_IN_STATUSES
from crawlers.urls import is_document_type, normalise_url
from monitor.audit.frontier import PageTask
from monitor.audit.page import enabled
from monitor.audit.plan import AuditProgress
from monitor.config import CouncilConfig, ServiceConfig
from monitor.models import PageResult, PageStatus, Run, utcnow
from monitor.repository import Repository
from monitor.repository.issues import OPEN_STATUSES
from monitor.settings import Settings

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024


class ServicePhase:
    """Documents and service checks of one run, from what its page phase recorded."""

    def __init__(
        self,
        settings: Settings,
        config: CouncilConfig,
        repository: Repository,
        context: RunContext,
    ) -> None:
        self.settings = settings
        self.config = config
        self.repository = repository
        self.context = context

    async def evidence(self, run_id: int, service_id: str) -> ServiceEvidence:
        """What the run recorded of a service's pages, sorted by address."""
        rows = await asyncio.to_thread(self.repository.recorded_pages, run_id, service_id)
        journey = await asyncio.to_thread(self.repository.journey_page_urls, service_id)
        issues = await asyncio.to_thread(
            functools.partial(
                self.repository.issues, service_id=service_id, statuses=list(OPEN_STATUSES)
            )
        )
        pages = [
            RecordedPage(
                url=url,
                kind=kind,
                title=title or "",
                statement_links=tuple((facts or {}).get("statement_links") or ()),
                documents=tuple((facts or {}).get("documents") or ()),
            )
            for url, kind, title, facts in sorted(rows, key=lambda row: row[0])
        ]
        return ServiceEvidence(
            service_id=service_id,
            service=self.config.service(service_id),
            pages=pages,
            journey_urls=frozenset(u for u in (normalise_url(x) for x in journey) if u),
            open_issues=[OpenIssue(i.check, i.impact, i.outcome) for i in issues],
        )

    async def run(
        self,
        run: Run,
        documents: Sequence[PageTask],
        progress: AuditProgress,
        *,
        service_ids: Sequence[str],
    ) -> dict[str, list[str]]:
        """Audit the documents, then the services as a whole; return, per service, the
        service checks that judged it (a check that could not is left out: its issues stay
        as they were)."""
        assert run.id is not None
        run_id = run.id
        services = sorted({t.service_id for t in documents})
        before = {sid: await self.evidence(run_id, sid) for sid in services}
        limit = asyncio.Semaphore(self.settings.per_host_concurrency)

        async def one(task: PageTask) -> None:
            async with limit:
                status = await self.document(task, before[task.service_id])
            progress.count(status)

        await asyncio.gather(*(one(t) for t in documents))
        judged: dict[str, list[str]] = {}
        for service_id in service_ids:
            evidence = await self.evidence(run_id, service_id)
            if not evidence.pages:
                # No page of it was reached (a failed sign-in): nothing to judge it by.
                log.info("%s: no page was reached, so it is not judged as a whole", service_id)
                judged[service_id] = []
                continue
            judged[service_id] = await self.service_checks(run_id, evidence)
        return judged

    async def document(self, task: PageTask, evidence: ServiceEvidence) -> str:
        """Record a document from its HTTP answer; document checks read its bytes."""
        http = self.context.http
        assert http is not None, "documents are fetched over HTTP"
        service = self.config.service(task.service_id)
        checks = [c for c in document_checks() if enabled(self.config, service, c.name)]
        result = PageResult(
            run_id=task.run_id,
            page_id=task.page_id,
            service_id=task.service_id,
            started_at=utcnow(),
        )
        readers: list[DocumentCheck] = []

        def read_body(content_type: str | None, size: int | None) -> bool:
            # Decided from the headers, before a byte of the body: a file no check reads,
            # or one over the limit, costs one request's headers.
            readers[:] = [c for c in checks if c.reads(task.url, content_type)]
            return bool(readers) and (size is None or size <= MAX_DOCUMENT_BYTES)

        fetched = await http.fetch(task.url, max_bytes=MAX_DOCUMENT_BYTES, read_body=read_body)
        result.http_status = fetched.status
        result.content_type = fetched.content_type
        result.size_bytes = fetched.size
        result.last_modified = fetched.last_modified
        findings: list[FindingData] = []
        if self._behind_sign_in(service, fetched.status, fetched.final_url):
            # Documents are fetched over HTTP, and the session lives in the browser alone.
            result.status = PageStatus.skipped
            result.error = (
                "needs sign-in: documents behind a sign-in are not fetched (the monitor's "
                "session is kept in the browser alone)"
            )
            result.error_kind = "sign-in-required"
        elif fetched.status is None or fetched.status >= 400:
            result.status = PageStatus.failed
            result.error = fetched.error or f"the document answered HTTP {fetched.status}"
            result.error_kind = "http-error" if fetched.status else "connection"
        elif not (is_document_type(fetched.content_type) or readers):
            result.status = PageStatus.skipped
            result.error_kind = "download"
            result.error = (
                f"a file to download, not a document residents read "
                f"({fetched.content_type or 'no content type'}"
                + (f", {_size(fetched.size)}" if fetched.size else "")
                + "): not audited"
            )
        elif readers and (fetched.truncated or (fetched.size or 0) > MAX_DOCUMENT_BYTES):
            result.status = PageStatus.skipped
            result.error_kind = "too-large"
            result.error = f"the document is over the {MAX_DOCUMENT_BYTES // 2**20} MB limit"
        else:
            result.status = PageStatus.audited
            context = self.context.for_page(service)
            context.on_journey = evidence.on_journey(task.url)
            if fetched.body:
                for check in readers:
                    findings += await check.run_document(
                        task.url, fetched.body, fetched.content_type, context
                    )
        result.finished_at = utcnow()
        saved = await asyncio.to_thread(
            functools.partial(self.repository.record_page, result, findings, revalidation=None)
        )
        return str(saved.status)

    @staticmethod
    def _behind_sign_in(service: ServiceConfig, status: int | None, final_url: str | None) -> bool:
        if service.sign_in is None:
            return False
        if status in SIGN_IN_STATUSES:
            return True
        parts = urlsplit(final_url or "")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return bool(final_url) and bool(re.search(service.sign_in.page_pattern, target))

    async def service_checks(self, run_id: int, evidence: ServiceEvidence) -> list[str]:
        """Each enabled service check on the service; its findings replace earlier ones.
        Returns the checks that judged it."""
        service = evidence.service
        assert service is not None
        judged: list[str] = []
        for check in service_checks():
            if not enabled(self.config, service, check.name):
                continue
            if any(not self.context.has(need) for need in check.reads):
                log.info("the %s check needs what this run lacks: skipped", check.name)
                continue
            try:
                found = await check.run_service(evidence, self.context)
            except CouldNotJudge as exc:
                log.warning("the %s check could not judge %s: %s", check.name, service.id, exc)
                continue
            judged.append(check.name)
            by_page: dict[int, list[FindingData]] = {}
            for url, finding in found:
                page = await asyncio.to_thread(
                    self.repository.upsert_page, service.id, normalise_url(url) or url
                )
                by_page.setdefault(page.id or 0, []).append(finding)
            await asyncio.to_thread(
                self.repository.replace_check_findings, run_id, service.id, check.name, by_page
            )
        return judged


def _size(size: int) -> str:
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.1f} MB"
