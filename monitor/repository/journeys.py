"""Reads and writes of journey attempts, and the journey completion measures.

Completion is counted the way a service owner would: each journey in each run counts
once, by its latest attempt (a pass on retry counts as completed, and is marked flaky).
Attempts that *errored* say the monitor broke, not the service, so they are left out of
the completion rate and reported on their own.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from monitor.models import JourneyRun, JourneyStepResult
from monitor.repository.base import RepositoryBase

#: Outcomes in which the resident got through (up to the stop marker on a live service).
SUCCESSFUL_OUTCOMES = ("completed", "completed-up-to-stop")
ERRORED = "errored"


@dataclass(frozen=True)
class FailingStep:
    """The step where a journey fails most often."""

    journey_id: str
    index: int
    name: str
    failures: int


@dataclass(frozen=True)
class JourneyCompletion:
    """Completion of one journey (or of every journey of a service) over a period."""

    service_id: str
    journey_id: str | None  # None for the whole service
    runs: int  # journey runs that judged the service (errored ones are left out)
    completed: int
    failed: int
    errored: int  # the monitor broke; not counted against the service
    flaky: int  # completed only on a retry
    rate: float | None  # completed / runs as a percentage; None when nothing ran
    median_seconds: float | None  # time to complete, over completed runs
    p95_seconds: float | None
    most_failing_step: FailingStep | None
    last_run_at: datetime | None = None
    last_outcome: str | None = None


@dataclass
class _Tally:
    runs: int = 0
    completed: int = 0
    failed: int = 0
    errored: int = 0
    flaky: int = 0
    durations: list[float] = field(default_factory=list)
    failing: Counter[tuple[str, int]] = field(default_factory=Counter)
    last: JourneyRun | None = None

    def add(self, row: JourneyRun) -> None:
        if self.last is None or (row.started_at, row.id or 0) > (
            self.last.started_at,
            self.last.id or 0,
        ):
            self.last = row
        if row.outcome == ERRORED:
            self.errored += 1
            return
        self.runs += 1
        if row.outcome in SUCCESSFUL_OUTCOMES:
            self.completed += 1
            self.flaky += int(row.flaky)
            if row.duration_ms is not None:
                self.durations.append(row.duration_ms / 1000)
        else:
            self.failed += 1
            if row.failed_step is not None:
                self.failing[(row.journey_id, row.failed_step)] += 1


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) with linear interpolation between ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class JourneyRepository(RepositoryBase):
    """Journey attempts, their steps, and completion measures."""

    def record_journey_attempt(
        self, attempt: JourneyRun, steps: Sequence[JourneyStepResult]
    ) -> JourneyRun:
        """Store one attempt with its steps (already masked of any secret)."""
        with self.session() as session:
            session.add(attempt)
            session.flush()
            assert attempt.id is not None
            for step in steps:
                step.journey_run_id = attempt.id
                session.add(step)
            session.commit()
            session.refresh(attempt)
            return attempt

    def journey_runs(
        self,
        *,
        run_id: int | None = None,
        service_id: str | None = None,
        journey_id: str | None = None,
        limit: int = 200,
    ) -> list[JourneyRun]:
        """Attempts, newest first."""
        with self.session() as session:
            query = select(JourneyRun).order_by(col(JourneyRun.id).desc()).limit(limit)
            if run_id is not None:
                query = query.where(JourneyRun.run_id == run_id)
            if service_id:
                query = query.where(JourneyRun.service_id == service_id)
            if journey_id:
                query = query.where(JourneyRun.journey_id == journey_id)
            return list(session.exec(query).all())

    def journey_page_urls(self, service_id: str, *, recent_attempts: int = 50) -> set[str]:
        """Addresses the service's recent journey attempts passed through."""
        with self.session() as session:
            recent = (
                select(JourneyRun.id)
                .where(JourneyRun.service_id == service_id)
                .order_by(col(JourneyRun.id).desc())
                .limit(recent_attempts)
                .subquery()
            )
            urls = session.exec(
                select(JourneyStepResult.url)
                .where(col(JourneyStepResult.journey_run_id).in_(select(recent.c.id)))
                .distinct()
            ).all()
            return {u for u in urls if u}

    def journey_steps(self, journey_run_id: int) -> list[JourneyStepResult]:
        with self.session() as session:
            return list(
                session.exec(
                    select(JourneyStepResult)
                    .where(JourneyStepResult.journey_run_id == journey_run_id)
                    .order_by(col(JourneyStepResult.index))
                ).all()
            )

    def _latest_attempts(
        self,
        service_id: str | None,
        journey_id: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> list[JourneyRun]:
        """The latest attempt of each journey in each run, so a retry counts once."""
        with self.session() as session:
            latest = select(
                JourneyRun.run_id,
                JourneyRun.service_id,
                JourneyRun.journey_id,
                func.max(JourneyRun.attempt).label("attempt"),
            ).group_by(
                col(JourneyRun.run_id), col(JourneyRun.service_id), col(JourneyRun.journey_id)
            )
            if service_id:
                latest = latest.where(JourneyRun.service_id == service_id)
            if journey_id:
                latest = latest.where(JourneyRun.journey_id == journey_id)
            if since is not None:
                latest = latest.where(col(JourneyRun.started_at) >= since)
            if until is not None:
                latest = latest.where(col(JourneyRun.started_at) < until)
            last = latest.subquery()
            query = select(JourneyRun).join(
                last,
                (col(JourneyRun.run_id) == last.c.run_id)
                & (col(JourneyRun.service_id) == last.c.service_id)
                & (col(JourneyRun.journey_id) == last.c.journey_id)
                & (col(JourneyRun.attempt) == last.c.attempt),
            )
            return list(session.exec(query).all())

    def _step_names(self, keys: Sequence[tuple[str, str, int]]) -> dict[tuple[str, str, int], str]:
        """The most recent recorded name of each (service, journey, step index)."""
        names: dict[tuple[str, str, int], str] = {}
        if not keys:
            return names
        with self.session() as session:
            for service_id, journey_id, index in keys:
                name = session.exec(
                    select(JourneyStepResult.name)
                    .join(JourneyRun, col(JourneyRun.id) == col(JourneyStepResult.journey_run_id))
                    .where(
                        JourneyRun.service_id == service_id,
                        JourneyRun.journey_id == journey_id,
                        JourneyStepResult.index == index,
                    )
                    .order_by(col(JourneyStepResult.id).desc())
                    .limit(1)
                ).first()
                names[(service_id, journey_id, index)] = name or f"step {index}"
        return names

    def _completion(
        self,
        service_id: str,
        journey_id: str | None,
        tally: _Tally,
        names: dict[tuple[str, str, int], str],
    ) -> JourneyCompletion:
        most: FailingStep | None = None
        if tally.failing:
            # Ties go to the earliest step: that is where residents stop first.
            (failing_journey, index), count = min(
                tally.failing.items(), key=lambda item: (-item[1], item[0][0], item[0][1])
            )
            name = names.get((service_id, failing_journey, index), f"step {index}")
            most = FailingStep(failing_journey, index, name, count)
        rate = 100 * tally.completed / tally.runs if tally.runs else None
        return JourneyCompletion(
            service_id=service_id,
            journey_id=journey_id,
            runs=tally.runs,
            completed=tally.completed,
            failed=tally.failed,
            errored=tally.errored,
            flaky=tally.flaky,
            rate=min(rate, 100.0) if rate is not None else None,
            median_seconds=percentile(tally.durations, 50),
            p95_seconds=percentile(tally.durations, 95),
            most_failing_step=most,
            last_run_at=tally.last.started_at if tally.last else None,
            last_outcome=tally.last.outcome if tally.last else None,
        )

    def journey_completion(
        self,
        *,
        service_id: str | None = None,
        journey_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[JourneyCompletion]:
        """Completion of each journey, ordered by service and journey."""
        tallies: dict[tuple[str, str], _Tally] = {}
        for row in self._latest_attempts(service_id, journey_id, since, until):
            tallies.setdefault((row.service_id, row.journey_id), _Tally()).add(row)
        keys = sorted({(s, j, idx) for (s, _), t in tallies.items() for (j, idx) in t.failing})
        names = self._step_names(keys)
        return [self._completion(s, j, tally, names) for (s, j), tally in sorted(tallies.items())]

    def service_journey_completion(
        self,
        *,
        service_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[JourneyCompletion]:
        """Completion of all journeys of each service together (``journey_id`` is None)."""
        tallies: dict[str, _Tally] = {}
        for row in self._latest_attempts(service_id, None, since, until):
            tallies.setdefault(row.service_id, _Tally()).add(row)
        keys = sorted({(s, j, idx) for s, t in tallies.items() for (j, idx) in t.failing})
        names = self._step_names(keys)
        return [self._completion(s, None, tally, names) for s, tally in sorted(tallies.items())]
