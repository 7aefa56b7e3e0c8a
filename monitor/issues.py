"""Findings from outside a page audit (journeys) joining the service's issues."""

from __future__ import annotations

from collections.abc import Sequence

from crawlers.base import FindingData
from crawlers.urls import normalise_url
from monitor.repository import Repository


def record_journey_findings(
    repository: Repository,
    run_id: int,
    service_id: str,
    findings: Sequence[FindingData],
    page_url: str,
) -> None:
    """Store accessibility findings seen along a journey, marked with the journey and step,
    and fold them into the service's issues (they never mark a page issue fixed)."""
    if not findings:
        return
    page = repository.upsert_page(service_id, normalise_url(page_url) or page_url)
    assert page.id is not None
    repository.add_journey_findings(run_id, page.id, service_id, findings)
    repository.update_issues(run_id, service_id)
