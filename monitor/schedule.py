"""The schedule: the nightly audit, journeys every few hours, the daily feedback purge,
the optional daily digest; and the queue of on-demand runs.

``monitor schedule`` runs ``Scheduler.serve()``: an APScheduler with the cron expressions
of services.yaml's ``schedule:`` section. Three things make it safe to run more than one
scheduler, or a scheduler beside people running audits:

- each job takes a lease in the database (``schedule:{job}``, with an expiry, renewed
  while it runs) so two schedulers never start the same job together; and the Auditor
  takes each service's own lease, so nobody audits a service twice at once;
- each job's last run is recorded (``ScheduledJob``) with the cron *slot* it was for; a
  job whose slot has been run already by another scheduler is not run again;
- at start, a job whose latest slot is later than its last run (the machine was off at
  02:00) is run once, however many slots were missed. APScheduler's own ``coalesce`` and
  ``misfire_grace_time`` only know about one process's lifetime, so this is explicit.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from monitor.config import CouncilConfig
from monitor.models import Run, utcnow
from monitor.repository import Repository
from monitor.settings import Settings

log = logging.getLogger(__name__)

JOB_NAMES = ("audit", "journeys", "feedback_purge", "digest")
#: Windows searched, in turn, for a cron expression's latest slot (a yearly job needs 400).
_SLOT_WINDOWS = (timedelta(days=2), timedelta(days=40), timedelta(days=400))
_MAX_STEPS = 100_000

#: What a job does; returns the id of the run it made, if any.
JobFunction = Callable[[], int | None]


class JobOutcome(StrEnum):
    ran = "ran"
    failed = "failed"
    busy = "busy"  # another scheduler holds the job's lease
    done_already = "done-already"  # this slot was run by another scheduler


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    return CronTrigger.from_crontab(expression, timezone=ZoneInfo(timezone))


def latest_slot(
    trigger: CronTrigger, now: datetime, *, since: datetime | None = None
) -> tuple[datetime | None, int]:
    """The latest fire time at or before ``now``, and how many fire times fell after
    ``since`` (the slots missed since the last run; capped)."""
    if since is not None:
        start = max(since + timedelta(microseconds=1), now - _SLOT_WINDOWS[-1])
        return _walk(trigger, start, now)
    for window in _SLOT_WINDOWS:
        last, count = _walk(trigger, now - window, now)
        if last is not None:
            return last, count
    return None, 0


def _walk(trigger: CronTrigger, start: datetime, now: datetime) -> tuple[datetime | None, int]:
    last: datetime | None = None
    count = 0
    moment = trigger.get_next_fire_time(None, start)
    while moment is not None and moment <= now and count < _MAX_STEPS:
        last, count = moment, count + 1
        moment = trigger.get_next_fire_time(moment, moment + timedelta(microseconds=1))
    return last, count


@dataclass
class JobResult:
    name: str
    outcome: JobOutcome
    slot: datetime | None = None
    run_id: int | None = None
    error: str | None = None
    # What made it fail, for ``monitor schedule run`` to say in one sentence.
    exception: BaseException | None = field(default=None, compare=False, repr=False)


class Scheduler:
    """The council's schedule, over one database shared by any number of schedulers."""

    def __init__(
        self,
        settings: Settings,
        config: CouncilConfig,
        repository: Repository,
        *,
        jobs: dict[str, JobFunction] | None = None,
        holder: str | None = None,
        after_run: Callable[[Run], None] | None = None,
    ) -> None:
        from monitor.audit.plan import holder_name

        self.settings = settings
        self.config = config
        self.repository = repository
        self.holder = holder or holder_name()
        self.functions = jobs if jobs is not None else self._default_jobs()
        self.after_run = after_run
        schedule = config.schedule
        self.triggers: dict[str, CronTrigger] = {}
        for name in JOB_NAMES:
            expression = getattr(schedule, name)
            if expression and name in self.functions:
                self.triggers[name] = cron_trigger(expression, schedule.timezone)
        self._locks = {name: threading.Lock() for name in self.triggers}
        self._stop = threading.Event()

    # --- the jobs ---------------------------------------------------------------------------

    def _default_jobs(self) -> dict[str, JobFunction]:
        return {
            "audit": self.nightly_audit,
            "journeys": self.journeys,
            "feedback_purge": self.feedback_purge,
            "digest": self.digest,
        }

    def nightly_audit(self) -> int | None:
        from monitor.audit import AuditRequest, start_audit

        run = start_audit(
            self.settings, self.config, self.repository, AuditRequest(trigger="schedule")
        )
        self.send_alerts()
        self.prune_detail()
        return run.id

    def prune_detail(self) -> None:
        """After the nightly audit, the only job that adds page detail, drop what is older
        than ``MONITOR_KEEP_DETAIL_DAYS``: the store stays bounded with one small prune a
        night instead of a large one now and then."""
        days = self.settings.keep_detail_days
        if days < 1:
            return
        try:
            report = self.repository.prune_detail(days)
            if report.runs:
                self.repository.reclaim_space()
                log.info("pruned the page detail of %s runs older than %s days", report.runs, days)
        except Exception:  # pruning must never make a finished audit look failed
            log.exception("pruning old page detail failed")

    def journeys(self) -> int | None:
        from monitor.journeys import run_journeys

        if not any(s.journeys for s in self.config.services):
            return None
        run_id = asyncio.run(
            run_journeys(self.settings, self.config, self.repository, trigger="schedule")
        )
        self.send_alerts()
        return run_id

    def feedback_purge(self) -> int | None:
        older = utcnow() - timedelta(days=self.settings.feedback_retention_days)
        purged = self.repository.purge_feedback_comments(older)
        log.info("purged the comments of %s feedback record(s)", purged)
        return None

    def digest(self) -> int | None:
        from monitor.alerts import send_digest

        report = send_digest(self.config, self.repository)
        log.info("digest: %s sent, %s failed", report.sent, report.failed)
        return None

    def send_alerts(self) -> None:
        from monitor.alerts import send_alerts

        try:
            report = send_alerts(self.config, self.repository)
        except Exception:  # alerting must never make a finished audit look failed
            log.exception("sending alerts failed")
            return
        if report.sent or report.failed:
            log.info("alerts: %s sent, %s failed %s", report.sent, report.failed, report.errors)

    # --- running a job once per slot -------------------------------------------------------

    def slot_now(self, name: str, now: datetime | None = None) -> datetime | None:
        # A second's grace: a job fired a hair early still belongs to its own slot.
        slot, _ = latest_slot(self.triggers[name], (now or utcnow()) + timedelta(seconds=1))
        return slot

    def run_job(self, name: str, slot: datetime | None = None) -> JobResult:
        """Run a job for its slot, unless it is running or has run for that slot already."""
        slot = slot or self.slot_now(name) or utcnow()
        lock = self._locks.setdefault(name, threading.Lock())
        if not lock.acquire(blocking=False):
            return JobResult(name, JobOutcome.busy, slot)
        lease = f"schedule:{name}"
        try:
            if not self.repository.acquire_lease(lease, self.holder, self.settings.lease_seconds):
                log.info("%s: another scheduler is running it", name)
                return JobResult(name, JobOutcome.busy, slot)
            try:
                record = self.repository.scheduled_job(name)
                if record and record.last_slot_at and _aware(record.last_slot_at) >= slot:
                    return JobResult(name, JobOutcome.done_already, slot)
                return self._run_holding_lease(name, slot, lease)
            finally:
                self.repository.release_lease(lease, self.holder)
        finally:
            lock.release()

    def _run_holding_lease(self, name: str, slot: datetime, lease: str) -> JobResult:
        self.repository.job_started(name, slot)
        stop = threading.Event()
        renewer = threading.Thread(
            target=self._renew, args=(lease, stop), name=f"lease-{name}", daemon=True
        )
        renewer.start()
        log.info("%s: starting (slot %s)", name, slot.isoformat())
        try:
            run_id = self.functions[name]()
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("%s failed", name)
            self.repository.job_finished(name, "failed", error=error)
            if not isinstance(exc, Exception):
                raise
            return JobResult(name, JobOutcome.failed, slot, error=error, exception=exc)
        finally:
            stop.set()
            renewer.join(timeout=5)
        self.repository.job_finished(name, "completed", run_id=run_id)
        return JobResult(name, JobOutcome.ran, slot, run_id=run_id)

    def _renew(self, lease: str, stop: threading.Event) -> None:
        every = max(self.settings.lease_seconds / 3, 1)
        while not stop.wait(every):
            self.repository.renew_lease(lease, self.holder, self.settings.lease_seconds)

    def catch_up(self, now: datetime | None = None) -> list[JobResult]:
        """Run, once each, the jobs whose latest slot passed while no scheduler was up."""
        now = now or utcnow()
        results: list[JobResult] = []
        for name, trigger in self.triggers.items():
            slot, _ = latest_slot(trigger, now)
            if slot is None:
                continue
            record = self.repository.ensure_scheduled_job(name, slot)
            last = _aware(record.last_slot_at) if record.last_slot_at else None
            if last is not None and last >= slot:
                continue
            _, missed = latest_slot(trigger, now, since=last)
            log.info("%s: %s slot(s) missed since %s; running it once now", name, missed, last)
            results.append(self.run_job(name, slot))
        return results

    # --- serving ----------------------------------------------------------------------------

    def run_queued(self) -> None:
        """Take up runs people queued, until the scheduler stops."""
        from monitor.audit.queue import work_queue

        def after(run: Run) -> None:
            self.send_alerts()
            if self.after_run is not None:
                self.after_run(run)

        work_queue(self.settings, self.config, self.repository, stop=self._stop, after=after)

    def serve(self, *, install_signals: bool = True) -> None:
        """Run until stopped (SIGTERM from systemd, or Ctrl-C)."""
        from apscheduler.schedulers.background import BackgroundScheduler

        scheduler = BackgroundScheduler(
            timezone=ZoneInfo(self.config.schedule.timezone),
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            executors={"default": {"type": "threadpool", "max_workers": 4}},
        )
        for name, trigger in self.triggers.items():
            scheduler.add_job(self.run_job, trigger, args=[name], id=name, name=name)
        scheduler.start()
        for job in scheduler.get_jobs():
            log.info("scheduled %s: next at %s", job.id, job.next_run_time)
        threads: list[threading.Thread] = []
        if self.config.schedule.catch_up:
            threads.append(threading.Thread(target=self.catch_up, name="catch-up", daemon=True))
        if self.config.schedule.queued_runs:
            threads.append(threading.Thread(target=self.run_queued, name="queue", daemon=True))
        for thread in threads:
            thread.start()
        if install_signals and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: self.stop())
        try:
            while not self._stop.wait(1):
                pass
        except KeyboardInterrupt:
            self.stop()
        finally:
            scheduler.shutdown(wait=False)
            for thread in threads:
                thread.join(timeout=5)

    def stop(self) -> None:
        self._stop.set()

    def next_runs(self, now: datetime | None = None) -> dict[str, datetime | None]:
        now = now or utcnow()
        return {name: t.get_next_fire_time(None, now) for name, t in self.triggers.items()}


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


__all__ = ["JOB_NAMES", "JobOutcome", "JobResult", "Scheduler", "latest_slot"]
