"""What two audits are compared by: every finding and every issue, in plain tuples.

An audit of the same site must give the same answer whatever dispatched its pages (this
process, Celery workers), however many pages were in flight and in whatever order they
were visited; these helpers say what "the same" means."""

from __future__ import annotations

from collections.abc import Iterable

from monitor.models import IssueStatus, JourneyRun, JourneyStepResult
from monitor.repository import Repository

#: (page address, check, rule, element, impact, message)
Finding = tuple[str, str, str, str, str | None, str]
#: (check, rule, element, impact, status, page addresses)
IssueSummary = tuple[str, str, str, str | None, str, tuple[str, ...]]


def page_urls(repository: Repository, services: Iterable[str]) -> dict[int, str]:
    return {p.id or 0: p.url for s in services for p in repository.pages(s)}


def findings_of(repository: Repository, run_id: int, services: Iterable[str]) -> set[Finding]:
    urls = page_urls(repository, services)
    return {
        (urls[f.page_id], f.check, f.rule, f.selector, f.impact, f.message)
        for f in repository.findings(run_id)
        if f.page_id in urls
    }


def issues_of(repository: Repository, services: Iterable[str]) -> set[IssueSummary]:
    """Every issue of the services, with the pages it affects."""
    found = set()
    for service in services:
        for issue in repository.issues(service_id=service):
            assert issue.id is not None
            pages = tuple(repository.issue_page_urls(issue.id))
            assert len(pages) == issue.pages_affected or issue.status == IssueStatus.fixed
            found.add((issue.check, issue.rule, issue.selector, issue.impact, issue.status, pages))
    return found


def record_journey_pages(
    repository: Repository, service_id: str, journey_id: str, urls: list[str]
) -> None:
    """A completed journey attempt through these pages, as ``monitor journeys run`` keeps
    one: the next audit then knows them as pages residents' journeys pass through."""
    run = repository.create_run(kind="journeys", service_ids=[service_id])
    assert run.id is not None
    repository.record_journey_attempt(
        JourneyRun(
            run_id=run.id, service_id=service_id, journey_id=journey_id, outcome="completed"
        ),
        [
            JourneyStepResult(journey_run_id=0, index=i, action="goto", status="passed", url=url)
            for i, url in enumerate(urls, start=1)
        ],
    )
