"""Recording: a page's ``PageOutcome`` becomes its stored result, in one transaction.

An audited page's findings, brand verdict, fingerprint, facts for the service phase and
check errors are written together; an unchanged page's last findings are carried forward
as seen in this run, except those of the checks that judged it again. A page that failed
in the browser (or was not reached: behind a sign-in) forgets its revalidation record: it
must be seen in the browser again. Whether the page was seen signed in is recorded too.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import datetime

from crawlers.pipeline import CARRIED, FAILED, SKIPPED, PageOutcome
from monitor.audit.frontier import PageTask
from monitor.models import PageResult, PageStatus, utcnow
from monitor.repository import Repository
from monitor.repository.issues import KEEP, Revalidation


def result_of(
    task: PageTask, outcome: PageOutcome, started_at: datetime | None = None
) -> PageResult:
    """The stored result of one visit."""
    return PageResult(
        run_id=task.run_id,
        page_id=task.page_id,
        service_id=task.service_id,
        status=outcome.status,
        http_status=outcome.http_status,
        final_url=outcome.final_url,
        content_type=outcome.content_type,
        title=(
            outcome.title[:500]
            if outcome.status not in (FAILED, SKIPPED) or outcome.title
            else None
        ),
        error=outcome.error,
        error_kind=outcome.error_kind,
        load_ms=outcome.load_ms,
        checks_ms=outcome.checks_ms,
        fingerprint=outcome.fingerprint,
        brand_score=outcome.brand.score if outcome.brand is not None else None,
        facts=outcome.facts(),
        check_errors=[e.as_dict() for e in outcome.check_errors] or None,
        signed_in=outcome.signed_in,
        started_at=started_at or utcnow(),
        finished_at=utcnow(),
    )


def revalidation_of(outcome: PageOutcome) -> Revalidation:
    """What the page's revalidation record becomes: forgotten after a failure (or a page
    not reached: it must be seen in the browser again), replaced when the visit looked,
    left as it is otherwise."""
    if outcome.status in (FAILED, SKIPPED):
        return None
    if outcome.served_checked:
        return outcome.served.to_json() if outcome.served is not None else None
    return KEEP


async def record_outcome(
    repository: Repository,
    task: PageTask,
    outcome: PageOutcome,
    *,
    versions: str | None,
    carried_from: PageResult | None = None,
    revalidated: bool = False,
    started_at: datetime | None = None,
) -> str:
    """Store one visit; return the page's status in the run."""
    result = result_of(task, outcome, started_at)
    revalidation = KEEP if revalidated else revalidation_of(outcome)
    if outcome.status == CARRIED and carried_from is not None:
        assert carried_from.run_id is not None
        result.revalidated = revalidated
        result.brand_score = carried_from.brand_score
        if not result.facts:
            result.facts = carried_from.facts
        saved = await asyncio.to_thread(
            functools.partial(
                repository.record_carried_page,
                result,
                carried_from.run_id,
                outcome.findings,
                outcome.ran,
                revalidation=revalidation,
                carry_brand=True,
            )
        )
        return str(saved.status)
    if result.status == PageStatus.carried:  # nothing to carry from: judged afresh next time
        result.status = PageStatus.audited
    audited = result.status == PageStatus.audited and bool(result.fingerprint)
    saved = await asyncio.to_thread(
        functools.partial(
            repository.record_page,
            result,
            outcome.findings,
            versions=versions if audited else None,
            revalidation=revalidation,
        )
    )
    if outcome.brand is not None:
        await asyncio.to_thread(
            repository.save_brand_result,
            task.run_id,
            task.page_id,
            task.service_id,
            outcome.brand.as_result(),
        )
    return str(saved.status)


async def record_failure(
    repository: Repository,
    task: PageTask,
    kind: str,
    error: str,
    started_at: datetime | None = None,
) -> str:
    """A page the monitor could not audit at all (a hang past its limit, a fault)."""
    result = PageResult(
        run_id=task.run_id,
        page_id=task.page_id,
        service_id=task.service_id,
        started_at=started_at or utcnow(),
        finished_at=utcnow(),
        status=PageStatus.failed,
        error=error[:2000],
        error_kind=kind,
    )
    saved = await asyncio.to_thread(
        functools.partial(repository.record_page, result, [], revalidation=None)
    )
    return str(saved.status)
