"""Runs as the dashboard reads them: each service's latest audits, their page counts, the
history of runs, a running run's progress and the pages a run could not judge."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, func, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import col

from monitor.models import Page, PageResult, PageStatus, Run, RunStatus, RunSummary
from monitor.repository.base import RepositoryBase
from monitor.repository.read._sql import MEASURING_RUNS, aware


@dataclass(frozen=True)
class AuditRunRef:
    """One completed audit run of a service, and when it began."""

    run_id: int
    started_at: datetime


@dataclass(frozen=True)
class RunPageCounts:
    """One service's pages in one run: judged, clean of serious failures, brand results."""

    judged: int = 0  # audited or carried forward
    clean: int = 0  # of those, no serious or critical violation
    carried: int = 0
    checked: int = 0  # pages with a brand result
    passed: int = 0  # of those, every brand rule met


@dataclass(frozen=True)
class AuditTrendPoint:
    """Accessibility and branding counts of one completed audit run."""

    run_id: int
    started_at: datetime | None
    judged: int
    clean: int
    brand_checked: int
    brand_passed: int


@dataclass(frozen=True)
class AuditRunRow:
    """One audit run in the history."""

    run_id: int
    started_at: datetime
    finished_at: datetime | None
    trigger: str
    status: RunStatus
    service_ids: tuple[str, ...]
    full_audit: bool
    seconds: float | None
    pages_found: int
    pages_audited: int
    pages_carried: int
    pages_revalidated: int
    pages_failed: int
    error: str


@dataclass(frozen=True)
class RunProgress:
    """Pages of a run so far, by status."""

    pending: int = 0
    audited: int = 0
    carried: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def found(self) -> int:
        return self.pending + self.audited + self.carried + self.failed + self.skipped

    @property
    def done(self) -> int:
        return self.found - self.pending


@dataclass(frozen=True)
class PageProblem:
    """A page a run could not judge in full: it failed, or a check could not judge it."""

    run_id: int
    service_id: str
    url: str
    what: str  # "Page failed" or the name of the check that could not judge it
    kind: str  # the error's kind slug: timeout, http-error, crash, ...
    reason: str


def _has_check_errors() -> ColumnElement[bool]:
    """A page result listing checks that could not judge it (JSON ``null`` and ``[]`` do not)."""
    listed = cast(col(PageResult.check_errors), String)
    return col(PageResult.check_errors).is_not(None) & listed.not_in(["null", "[]"])


class RunReads(RepositoryBase):
    """Runs, read for the measures and the audits view."""

    def latest_audits(
        self,
        *,
        per_service: int = 2,
        service_ids: Sequence[str] | None = None,
        before: datetime | None = None,
    ) -> dict[str, list[AuditRunRef]]:
        """Each service's latest audit runs that measured it and began before ``before``
        (all of them without it), newest first.

        A run measured a service when it finished (completed, or partial: some other
        service was down) and judged at least one of its pages; a run that could not reach
        it (down, or its sign-in failed) does not count, so its measures keep their last
        values. Read from the runs' summaries: a few rows per run, however many pages."""
        began = func.coalesce(col(Run.started_at), col(Run.created_at))
        conditions = [
            col(Run.kind) == "audit",
            col(Run.status).in_(list(MEASURING_RUNS)),
            col(RunSummary.pages_judged) > 0,
        ]
        if before is not None:
            conditions.append(began < before)
        if service_ids is not None:
            conditions.append(col(RunSummary.service_id).in_(list(service_ids)))
        pairs = (
            select(col(RunSummary.service_id), col(RunSummary.run_id), began.label("began"))
            .join(Run, col(Run.id) == col(RunSummary.run_id))
            .where(*conditions)
        )
        pairs_sq = pairs.subquery()
        ranked = select(
            pairs_sq.c.service_id,
            pairs_sq.c.run_id,
            pairs_sq.c.began,
            func.row_number()
            .over(partition_by=pairs_sq.c.service_id, order_by=pairs_sq.c.run_id.desc())
            .label("rank"),
        ).subquery()
        query = (
            select(ranked.c.service_id, ranked.c.run_id, ranked.c.began)
            .where(ranked.c.rank <= per_service)
            .order_by(ranked.c.service_id, ranked.c.run_id.desc())
        )
        found: dict[str, list[AuditRunRef]] = defaultdict(list)
        with self.session() as session:
            for service_id, run_id, started in session.execute(query).all():
                found[service_id].append(AuditRunRef(int(run_id), aware(started)))
        return dict(found)

    def page_counts(self, pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], RunPageCounts]:
        """Per (service, run): pages judged, clean, carried; brand results and passes (from
        the runs' summaries, which outlive their page detail)."""
        wanted = list(pairs)
        if not wanted:
            return {}
        runs = sorted({run_id for _, run_id in wanted})
        services = sorted({service_id for service_id, _ in wanted})
        query = select(
            col(RunSummary.service_id),
            col(RunSummary.run_id),
            col(RunSummary.pages_judged),
            col(RunSummary.pages_clean),
            col(RunSummary.pages_carried),
            col(RunSummary.brand_checked),
            col(RunSummary.brand_passed),
        ).where(col(RunSummary.run_id).in_(runs), col(RunSummary.service_id).in_(services))
        counts: dict[tuple[str, int], RunPageCounts] = {}
        with self.session() as session:
            for service_id, run_id, *numbers in session.execute(query).all():
                counts[(service_id, run_id)] = RunPageCounts(*(int(n or 0) for n in numbers))
        return {key: counts.get(key, RunPageCounts()) for key in wanted}

    def audit_trend(
        self, *, runs: int = 14, service_id: str | None = None
    ) -> list[AuditTrendPoint]:
        """Accessibility and brand counts of the last audit runs that measured something
        (of the service, if given), oldest first, from the runs' summaries."""
        if service_id is not None:
            refs = self.latest_audits(per_service=runs, service_ids=[service_id])
            ids = [ref.run_id for ref in refs.get(service_id, [])]
        else:
            recent = (
                select(col(Run.id))
                .where(
                    col(Run.kind) == "audit",
                    col(Run.status).in_(list(MEASURING_RUNS)),
                    col(Run.pages_found) > 0,
                )
                .order_by(col(Run.id).desc())
                .limit(runs)
            )
            with self.session() as session:
                ids = [int(i) for i in session.execute(recent).scalars().all() if i is not None]
        if not ids:
            return []
        totals = select(
            col(RunSummary.run_id),
            func.sum(col(RunSummary.pages_judged)),
            func.sum(col(RunSummary.pages_clean)),
            func.sum(col(RunSummary.brand_checked)),
            func.sum(col(RunSummary.brand_passed)),
        ).where(col(RunSummary.run_id).in_(ids))
        if service_id is not None:
            totals = totals.where(col(RunSummary.service_id) == service_id)
        began = select(col(Run.id), func.coalesce(col(Run.started_at), col(Run.created_at))).where(
            col(Run.id).in_(ids)
        )
        with self.session() as session:
            started = {int(r): aware(s) for r, s in session.execute(began).all() if r is not None}
            summed = {
                int(r): tuple(int(n or 0) for n in numbers)
                for r, *numbers in session.execute(totals.group_by(col(RunSummary.run_id))).all()
            }
        points = []
        for run_id in sorted(ids):
            judged, clean, checked, passed = summed.get(run_id, (0, 0, 0, 0))
            points.append(
                AuditTrendPoint(run_id, started.get(run_id), judged, clean, checked, passed)
            )
        return points

    def history(self, *, limit: int = 50, service_id: str | None = None) -> list[AuditRunRow]:
        """Audit runs, newest first (a run whose process died reads as interrupted)."""
        self._settle_dead_runs()
        query = (
            select(Run)
            .where(col(Run.kind) == "audit")
            .order_by(col(Run.id).desc())
            .limit(limit * 4 if service_id else limit)
        )
        with self.session() as session:
            runs = list(session.execute(query).scalars().all())
        rows = []
        for run in runs:
            if service_id and service_id not in run.service_ids:
                continue
            began = run.started_at or run.created_at
            seconds = (
                (aware(run.finished_at) - aware(run.started_at)).total_seconds()
                if run.finished_at and run.started_at
                else None
            )
            rows.append(
                AuditRunRow(
                    run_id=run.id or 0,
                    started_at=aware(began),
                    finished_at=aware(run.finished_at) if run.finished_at else None,
                    trigger=run.trigger,
                    status=RunStatus(run.status),
                    service_ids=tuple(run.service_ids),
                    full_audit=run.full_audit,
                    seconds=seconds,
                    pages_found=run.pages_found,
                    pages_audited=run.pages_audited,
                    pages_carried=run.pages_carried,
                    pages_revalidated=run.pages_revalidated,
                    pages_failed=run.pages_failed,
                    error=run.error or "",
                )
            )
        return rows[:limit]

    def progress(self, run_id: int) -> RunProgress:
        """Pages of a run so far, by status (polled while a run goes)."""
        query = (
            select(col(PageResult.status), func.count())
            .where(col(PageResult.run_id) == run_id)
            .group_by(col(PageResult.status))
        )
        with self.session() as session:
            counts = {str(status): int(n) for status, n in session.execute(query).all()}
        return RunProgress(**{s.value: counts.get(s.value, 0) for s in PageStatus})

    def active(self) -> list[Run]:
        """Runs queued or going now; a run whose process died is not going: it reads as
        interrupted."""
        self._settle_dead_runs()
        with self.session() as session:
            return list(
                session.execute(
                    select(Run).where(col(Run.status).in_([RunStatus.queued, RunStatus.running]))
                )
                .scalars()
                .all()
            )

    def page_problems(self, run_ids: Sequence[int], *, limit: int = 500) -> list[PageProblem]:
        """Pages of these runs that failed, with the reason, and pages some check could not
        judge (``PageResult.check_errors``: the monitor's fault, never the page's)."""
        if not run_ids:
            return []
        query = (
            select(
                col(PageResult.run_id),
                col(PageResult.service_id),
                col(Page.url),
                col(PageResult.status),
                col(PageResult.error_kind),
                col(PageResult.error),
                col(PageResult.check_errors),
            )
            .join(Page, col(Page.id) == col(PageResult.page_id))
            .where(
                col(PageResult.run_id).in_(list(run_ids)),
                (col(PageResult.status) == PageStatus.failed) | _has_check_errors(),
            )
            .order_by(col(PageResult.run_id).desc(), col(Page.url))
            .limit(limit)
        )
        problems: list[PageProblem] = []
        with self.session() as session:
            rows = session.execute(query).all()
        for run_id, service_id, url, status, kind, error, check_errors in rows:
            if status == PageStatus.failed:
                problems.append(
                    PageProblem(
                        run_id, service_id, url, "Page failed", kind or "error", error or ""
                    )
                )
            for item in check_errors or ():
                problems.append(
                    PageProblem(
                        run_id,
                        service_id,
                        url,
                        f"The {item.get('check', 'unknown')} check could not judge it",
                        str(item.get("kind") or "error"),
                        str(item.get("message") or ""),
                    )
                )
        return problems
