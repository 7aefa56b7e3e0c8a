"""Reads and writes of the schedule and the run queue: when each job last ran, queued
runs waiting for a worker, and runs asked to stop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from monitor.models import Run, RunStatus, ScheduledJob, utcnow
from monitor.repository.base import RepositoryBase


class ScheduleRepository(RepositoryBase):
    """Scheduled jobs, the queue of on-demand runs, cancelling runs."""

    # --- scheduled jobs -----------------------------------------------------------------

    def scheduled_job(self, name: str) -> ScheduledJob | None:
        with self.session() as session:
            return session.get(ScheduledJob, name)

    def scheduled_jobs(self) -> list[ScheduledJob]:
        with self.session() as session:
            return list(session.exec(select(ScheduledJob).order_by(col(ScheduledJob.name))).all())

    def ensure_scheduled_job(self, name: str, baseline_slot: datetime) -> ScheduledJob:
        """The job's record; a job seen for the first time counts its latest slot as done,
        so installing the scheduler does not start a surprise audit."""
        with self.session() as session:
            job = session.get(ScheduledJob, name)
            if job is not None:
                return job
            job = ScheduledJob(name=name, last_slot_at=baseline_slot)
            session.add(job)
            try:
                session.commit()
            except IntegrityError:  # another scheduler created it first
                session.rollback()
                return session.get_one(ScheduledJob, name)
            session.refresh(job)
            return job

    def job_started(self, name: str, slot: datetime) -> None:
        with self.session() as session:
            job = session.get(ScheduledJob, name) or ScheduledJob(name=name)
            job.last_slot_at = slot
            job.last_started_at = utcnow()
            job.last_finished_at = None
            job.last_status = "running"
            job.last_error = None
            job.runs += 1
            session.add(job)
            session.commit()

    def job_finished(
        self, name: str, status: str, *, error: str | None = None, run_id: int | None = None
    ) -> None:
        with self.session() as session:
            job = session.get_one(ScheduledJob, name)
            job.last_finished_at = utcnow()
            job.last_status = status
            job.last_error = error
            if run_id is not None:
                job.last_run_id = run_id
            session.add(job)
            session.commit()

    # --- the queue of on-demand runs ------------------------------------------------------

    def queued_runs(self, *, kind: str | None = None) -> list[Run]:
        """Runs waiting for a worker, oldest first."""
        with self.session() as session:
            query = (
                select(Run)
                .where(Run.status == RunStatus.queued, col(Run.holder).is_(None))
                .order_by(col(Run.id))
            )
            if kind:
                query = query.where(Run.kind == kind)
            return list(session.exec(query).all())

    def claim_run(self, run_id: int, holder: str) -> bool:
        """Take a queued run for this worker; False if another worker (or a cancel) won."""
        with self.session() as session:
            count = session.execute(
                update(Run)
                .where(
                    col(Run.id) == run_id,
                    col(Run.status) == RunStatus.queued,
                    col(Run.holder).is_(None),
                )
                .values(holder=holder)
            ).rowcount  # type: ignore[attr-defined]
            session.commit()
            return bool(count)

    def unclaim_run(self, run_id: int, holder: str) -> None:
        """Put a claimed run back in the queue (its service was busy)."""
        with self.session() as session:
            session.execute(
                update(Run)
                .where(
                    col(Run.id) == run_id,
                    col(Run.status) == RunStatus.queued,
                    col(Run.holder) == holder,
                )
                .values(holder=None)
            )
            session.commit()

    def release_orphaned_claims(self, alive: Callable[[str], bool]) -> int:
        """Queued runs claimed by a worker that has since died go back in the queue."""
        released = 0
        with self.session() as session:
            claimed = session.exec(
                select(Run).where(Run.status == RunStatus.queued, col(Run.holder).is_not(None))
            ).all()
            for run in claimed:
                if not alive(run.holder or ""):
                    run.holder = None
                    session.add(run)
                    released += 1
            session.commit()
        return released

    # --- cancelling -----------------------------------------------------------------------

    def cancel_run(self, run_id: int, *, by: str = "") -> str:
        """Cancel a queued run at once, or ask a running one to stop between pages.

        Returns what happened: ``cancelled``, ``stopping``, or the run's final status if it
        had already finished. Raises ``KeyError`` if there is no such run."""
        reason = f"cancelled by {by}" if by else "cancelled"
        with self.session() as session:
            count = session.execute(
                update(Run)
                .where(col(Run.id) == run_id, col(Run.status) == RunStatus.queued)
                .values(
                    status=RunStatus.cancelled,
                    cancel_requested=True,
                    finished_at=utcnow(),
                    error=reason,
                )
            ).rowcount  # type: ignore[attr-defined]
            if count:
                session.commit()
                return RunStatus.cancelled
            count = session.execute(
                update(Run)
                .where(col(Run.id) == run_id, col(Run.status) == RunStatus.running)
                .values(cancel_requested=True)
            ).rowcount  # type: ignore[attr-defined]
            session.commit()
            if count:
                return "stopping"
            run = session.get(Run, run_id)
            if run is None:
                raise KeyError(f"no run {run_id}")
            return run.status

    def cancel_requested(self, run_id: int) -> bool:
        with self.session() as session:
            return bool(session.exec(select(Run.cancel_requested).where(Run.id == run_id)).first())
