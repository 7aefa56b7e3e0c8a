"""Recording: a page's ``PageOutcome`` becomes its stored result, in one transaction.

An audited page's findings, brand verdict, fingerprint, facts for the service phase and
check errors are written together; an unchanged page's last findings are carried forward
as seen in this run, except those of the checks that judged it again (and those of the
service checks, which judge the service again in this run's service phase). A page that
failed in the browser (or was not reached: behind a sign-in) forgets its revalidation
record: it must be seen in the browser again. Whether the page was seen signed in is
recorded too.

Unchanged pages can be handed to ``CarriedBatches``, which records them many to a
transaction: on a night when almost all of a large site is unchanged, that is most of the
run's writing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import datetime
from functools import lru_cache

from crawlers.checks import service_checks
from crawlers.pipeline import CARRIED, FAILED, SKIPPED, PageOutcome
from monitor.audit.frontier import PageTask
from monitor.models import PageResult, PageStatus, utcnow
from monitor.repository import Repository
from monitor.repository.issues import KEEP, CarriedVisit, Revalidation

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _service_check_names() -> tuple[str, ...]:
    return tuple(c.name for c in service_checks())


class CarriedBatches:
    """Unchanged pages of a run, recorded many to a transaction by one writer.

    The page workers hand each carried page here and go on; the writer records what has
    gathered (``Repository.record_carried_pages``) in batches of up to ``size``. The
    dispatcher waits for it (``close``) before the run goes on, so the service phase and
    the issues read every page. A page handed over but not yet written when the process
    dies stays pending, as any unfinished page does, and ``--resume`` visits it again. If
    writing fails, ``add`` and ``close`` raise that error, which stops the run."""

    def __init__(
        self, repository: Repository, *, size: int = 200, linger: float = 0.05, backlog: int = 2000
    ) -> None:
        self.repository = repository
        self.size = size
        self.linger = linger
        self.queue: asyncio.Queue[CarriedVisit] = asyncio.Queue(maxsize=backlog)
        self.failure: Exception | None = None
        self._writer: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write(), name="carried-pages")

    async def add(self, visit: CarriedVisit) -> None:
        if self.failure is not None:
            raise self.failure
        await self.queue.put(visit)

    async def _batch(self) -> list[CarriedVisit]:
        batch = [await self.queue.get()]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.linger
        while len(batch) < self.size:
            if not self.queue.empty():
                batch.append(self.queue.get_nowait())
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self.queue.get(), remaining))
            except TimeoutError:
                break
        return batch

    async def _write(self) -> None:
        while True:
            batch = await self._batch()
            try:
                await asyncio.to_thread(self.repository.record_carried_pages, batch)
            except Exception as exc:
                log.exception("recording %s carried pages failed", len(batch))
                self.failure = exc
                return
            finally:
                for _ in batch:
                    self.queue.task_done()

    async def close(self) -> None:
        """Wait until every page handed over is written; raise if writing failed."""
        writer = self._writer
        if writer is None:
            return
        drained = asyncio.ensure_future(self.queue.join())
        # The writer ends only by failing; then what it could not write never drains.
        await asyncio.wait({drained, writer}, return_when=asyncio.FIRST_COMPLETED)
        drained.cancel()
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
        self._writer = None
        if self.failure is not None:
            raise self.failure


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
    batches: CarriedBatches | None = None,
) -> str:
    """Store one visit (an unchanged one through ``batches``, if given); return the
    page's status in the run."""
    result = result_of(task, outcome, started_at)
    revalidation = KEEP if revalidated else revalidation_of(outcome)
    if outcome.status == CARRIED and carried_from is not None:
        assert carried_from.run_id is not None
        result.revalidated = revalidated
        result.brand_score = carried_from.brand_score
        if not result.facts:
            result.facts = carried_from.facts
        visit = CarriedVisit(
            result,
            carried_from.run_id,
            outcome.findings,
            # Service checks judge the service again in this run's service phase.
            (*outcome.ran, *_service_check_names()),
            revalidation,
            carry_brand=True,
        )
        if batches is not None:
            await batches.add(visit)
            return PageStatus.carried.value
        saved = await asyncio.to_thread(
            functools.partial(
                repository.record_carried_page,
                visit.result,
                visit.previous_run_id,
                visit.fresh,
                visit.rechecked,
                revalidation=visit.revalidation,
                carry_brand=visit.carry_brand,
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
