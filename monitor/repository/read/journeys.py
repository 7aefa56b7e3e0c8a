"""Journeys as the measures and the journeys view read them.

Counted as ``monitor.repository.journeys`` counts them, but in SQL: each journey in each
run counts once, by its latest attempt (a pass on retry is completed, and flaky); an
attempt that *errored* says the monitor broke, not the service, so it is left out of the
runs that judge the service.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from sqlalchemy import Subquery, and_, case, func, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import col

from monitor.models import JourneyRun, JourneyStepResult
from monitor.repository.base import RepositoryBase
from monitor.repository.journeys import ERRORED, SUCCESSFUL_OUTCOMES
from monitor.repository.read._sql import as_date, aware, few, keep, week_of


@dataclass(frozen=True)
class JourneyTally:
    """A service's journeys over a period, each journey of each run counted once."""

    runs: int = 0  # runs that judged the service (errored ones left out)
    completed: int = 0
    errored: int = 0
    flaky: int = 0  # completed only on a retry
    average_seconds: float | None = None  # time to complete, over completed runs


@dataclass(frozen=True)
class WeekJourneys:
    week: date  # its Monday
    tally: JourneyTally


@dataclass(frozen=True)
class JourneyAttemptRow:
    """One attempt at one journey."""

    id: int
    run_id: int
    service_id: str
    journey_id: str
    attempt: int
    outcome: str  # completed, completed-up-to-stop, failed, errored (or running)
    flaky: bool
    failed_step: int | None
    reason: str
    started_at: datetime
    seconds: float | None
    screenshot: str

    @property
    def succeeded(self) -> bool:
        return self.outcome in SUCCESSFUL_OUTCOMES


@dataclass(frozen=True)
class StepTiming:
    journey_id: str
    index: int
    name: str
    runs: int
    average_seconds: float | None
    slowest_seconds: float | None
    failures: int


class JourneyReads(RepositoryBase):
    """Journey attempts, read for the measures, the journeys view and the fix-first order."""

    @staticmethod
    def _latest_attempts(
        since: datetime | None, until: datetime | None, named: Sequence[str] | None
    ) -> Subquery:
        """The latest attempt of each journey of each run among the attempts that began in
        the window: one pass over them (a window function), no join back."""
        ranked = select(
            col(JourneyRun.id),
            col(JourneyRun.service_id),
            col(JourneyRun.outcome),
            col(JourneyRun.flaky),
            col(JourneyRun.duration_ms),
            col(JourneyRun.started_at),
            func.row_number()
            .over(
                partition_by=(
                    col(JourneyRun.run_id),
                    col(JourneyRun.service_id),
                    col(JourneyRun.journey_id),
                ),
                order_by=col(JourneyRun.attempt).desc(),
            )
            .label("newest"),
        )
        if since is not None:
            ranked = ranked.where(col(JourneyRun.started_at) >= since)
        if until is not None:
            ranked = ranked.where(col(JourneyRun.started_at) < until)
        if named is not None:
            ranked = ranked.where(col(JourneyRun.service_id).in_(list(named)))
        return ranked.subquery()

    @staticmethod
    def _counts(latest: Subquery) -> tuple[ColumnElement[int], ...]:
        """Runs that judged the service, completed, errored, flaky (as in ``JourneyTally``)."""
        succeeded = latest.c.outcome.in_(SUCCESSFUL_OUTCOMES)
        errored = latest.c.outcome == ERRORED
        return (
            func.sum(case((errored, 0), else_=1)),
            func.sum(case((succeeded, 1), else_=0)),
            func.sum(case((errored, 1), else_=0)),
            func.sum(case((and_(succeeded, latest.c.flaky.is_(True)), 1), else_=0)),
        )

    def tallies(
        self, since: datetime, until: datetime, *, service_ids: Sequence[str] | None = None
    ) -> dict[str, JourneyTally]:
        """Per service: journey runs, completed, errored, flaky, time to complete."""
        latest = self._latest_attempts(since, until, few(service_ids))
        succeeded = latest.c.outcome.in_(SUCCESSFUL_OUTCOMES)
        query = (
            select(
                latest.c.service_id,
                *self._counts(latest),
                func.avg(case((succeeded, latest.c.duration_ms), else_=None)),
            )
            .where(latest.c.newest == 1)
            .group_by(latest.c.service_id)
        )
        with self.session() as session:
            found = {
                service_id: JourneyTally(
                    runs=int(runs or 0),
                    completed=int(completed or 0),
                    errored=int(errors or 0),
                    flaky=int(flaky or 0),
                    average_seconds=None if ms is None else float(ms) / 1000,
                )
                for service_id, runs, completed, errors, flaky, ms in session.execute(query).all()
            }
        return keep(found, service_ids)

    def weekly(
        self, since: datetime, *, service_ids: Sequence[str] | None = None
    ) -> list[WeekJourneys]:
        """The same tallies per week (UTC, Monday first), for all the services together."""
        latest = self._latest_attempts(since, None, service_ids)
        week = week_of(self.engine, latest.c.started_at)
        query = (
            select(week.label("week"), *self._counts(latest))
            .where(latest.c.newest == 1)
            .group_by(week)
            .order_by(week)
        )
        with self.session() as session:
            return [
                WeekJourneys(
                    as_date(w),
                    JourneyTally(int(r or 0), int(c or 0), int(e or 0), int(f or 0)),
                )
                for w, r, c, e, f in session.execute(query).all()
            ]

    def history(
        self,
        *,
        service_ids: Sequence[str] | None = None,
        since: datetime | None = None,
        limit: int = 200,
    ) -> list[JourneyAttemptRow]:
        """Attempts, newest first."""
        query = select(JourneyRun).order_by(col(JourneyRun.id).desc()).limit(limit)
        if service_ids is not None:
            query = query.where(col(JourneyRun.service_id).in_(list(service_ids)))
        if since is not None:
            query = query.where(col(JourneyRun.started_at) >= since)
        with self.session() as session:
            attempts = session.execute(query).scalars().all()
        return [_attempt_row(r) for r in attempts]

    def latest_verdicts(
        self, *, service_ids: Sequence[str] | None = None
    ) -> list[JourneyAttemptRow]:
        """Each journey's latest attempt: the verdict of its latest run."""
        newest = select(func.max(col(JourneyRun.id))).group_by(
            col(JourneyRun.service_id), col(JourneyRun.journey_id)
        )
        if service_ids is not None:
            newest = newest.where(col(JourneyRun.service_id).in_(list(service_ids)))
        query = (
            select(JourneyRun)
            .where(col(JourneyRun.id).in_(newest))
            .order_by(col(JourneyRun.service_id), col(JourneyRun.journey_id))
        )
        with self.session() as session:
            return [_attempt_row(r) for r in session.execute(query).scalars().all()]

    def step_timings(self, service_id: str, since: datetime) -> list[StepTiming]:
        """Average and slowest time of each step of each journey over the window."""
        query = (
            select(
                col(JourneyRun.journey_id),
                col(JourneyStepResult.index),
                col(JourneyStepResult.name),
                func.count(),
                func.avg(col(JourneyStepResult.duration_ms)),
                func.max(col(JourneyStepResult.duration_ms)),
                func.sum(case((col(JourneyStepResult.status) == "failed", 1), else_=0)),
            )
            .join(JourneyRun, col(JourneyRun.id) == col(JourneyStepResult.journey_run_id))
            .where(col(JourneyRun.service_id) == service_id, col(JourneyRun.started_at) >= since)
            .group_by(
                col(JourneyRun.journey_id),
                col(JourneyStepResult.index),
                col(JourneyStepResult.name),
            )
            .order_by(col(JourneyRun.journey_id), col(JourneyStepResult.index))
        )
        with self.session() as session:
            return [
                StepTiming(
                    journey_id=j,
                    index=int(i),
                    name=name,
                    runs=int(n),
                    average_seconds=None if avg is None else round(float(avg) / 1000, 2),
                    slowest_seconds=None if mx is None else round(float(mx) / 1000, 2),
                    failures=int(failed or 0),
                )
                for j, i, name, n, avg, mx, failed in session.execute(query).all()
            ]

    def paths_on_journeys(
        self, since: datetime, *, service_ids: Sequence[str] | None = None
    ) -> dict[str, set[str]]:
        """Per service, the page paths its journeys passed through since ``since``."""
        query = (
            select(col(JourneyRun.service_id), col(JourneyStepResult.url))
            .join(JourneyRun, col(JourneyRun.id) == col(JourneyStepResult.journey_run_id))
            .where(col(JourneyRun.started_at) >= since, col(JourneyStepResult.url).is_not(None))
        )  # no DISTINCT: SQLite would then walk every attempt by service; a set does it
        if (named := few(service_ids)) is not None:
            query = query.where(col(JourneyRun.service_id).in_(named))
        paths: dict[str, set[str]] = defaultdict(set)
        with self.session() as session:
            for service_id, url in session.execute(query).all():
                if url:
                    paths[service_id].add(path_of(url))
        return keep(paths, service_ids)

    def failures_by_path(
        self, since: datetime, *, service_ids: Sequence[str] | None = None
    ) -> dict[str, dict[str, int]]:
        """Per service and page path: journey runs that failed at a step on that page (each
        journey of each run once, by its latest attempt)."""
        latest = self._latest_attempts(since, None, few(service_ids))
        query = (
            select(latest.c.service_id, col(JourneyStepResult.url), func.count())
            .join(JourneyStepResult, col(JourneyStepResult.journey_run_id) == latest.c.id)
            .where(
                latest.c.newest == 1,
                latest.c.outcome == "failed",
                col(JourneyStepResult.status) == "failed",
                col(JourneyStepResult.url).is_not(None),
            )
            .group_by(latest.c.service_id, col(JourneyStepResult.url))
        )
        failures: dict[str, dict[str, int]] = defaultdict(dict)
        with self.session() as session:
            for service_id, url, n in session.execute(query).all():
                if url:
                    path = path_of(url)
                    failures[service_id][path] = failures[service_id].get(path, 0) + int(n)
        return keep(failures, service_ids)


def _attempt_row(r: JourneyRun) -> JourneyAttemptRow:
    return JourneyAttemptRow(
        id=r.id or 0,
        run_id=r.run_id,
        service_id=r.service_id,
        journey_id=r.journey_id,
        attempt=r.attempt,
        outcome=r.outcome,
        flaky=r.flaky,
        failed_step=r.failed_step,
        reason=r.reason or "",
        started_at=aware(r.started_at),
        seconds=None if r.duration_ms is None else r.duration_ms / 1000,
        screenshot=r.screenshot_path or "",
    )


def path_of(url: str) -> str:
    """The path of an address, as residents' feedback records pages (no query, no host)."""
    path = urlsplit(url).path or "/"
    return path if path == "/" else path.rstrip("/")
