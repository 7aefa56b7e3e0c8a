"""The schedule (catch-up once after downtime, one scheduler per job), leases, and the
queue of on-demand runs (queued, taken by a worker, cancelled)."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import patch

import pytest

from demo import DemoSite
from monitor.audit import AuditRefused, AuditRequest, start_audit
from monitor.audit.queue import cancel_run, queue_audit, run_next_queued
from monitor.config import CouncilConfig, ScheduleConfig, load_config
from monitor.db import upgrade
from monitor.models import Feedback, PageStatus, RunStatus, utcnow
from monitor.repository import Repository
from monitor.schedule import JobOutcome, Scheduler, cron_trigger, latest_slot
from monitor.settings import Settings
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def config() -> CouncilConfig:
    base = load_config(CONFIG_DIR)
    return dataclasses.replace(
        base,
        schedule=ScheduleConfig(
            timezone="UTC", audit="0 2 * * *", journeys=None, feedback_purge="30 3 * * *"
        ),
    )


def settings_for(repository: Repository, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=str(repository.engine.url.render_as_string(hide_password=False)),
    )


# --- slots -------------------------------------------------------------------------------


def test_latest_slot_and_missed_slots_of_a_nightly_job() -> None:
    trigger = cron_trigger("0 2 * * *", "UTC")
    now = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
    slot, _ = latest_slot(trigger, now)
    assert slot == datetime(2026, 1, 10, 2, 0, tzinfo=UTC)
    _, missed = latest_slot(trigger, now, since=datetime(2026, 1, 5, 2, 0, tzinfo=UTC))
    assert missed == 5
    slot, missed = latest_slot(trigger, now, since=slot)
    assert (slot, missed) == (None, 0)


def test_latest_slot_follows_the_councils_clock_across_summer_time() -> None:
    trigger = cron_trigger("0 2 * * *", "Europe/London")
    slot, _ = latest_slot(trigger, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert slot == datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 02:00 BST


# --- catch-up, once -----------------------------------------------------------------------


def test_a_missed_purge_is_caught_up_once_not_once_per_missed_slot(
    repository: Repository, config: CouncilConfig, tmp_path: Path
) -> None:
    settings = settings_for(repository, tmp_path)
    repository.sync_services(config.services)
    old = repository.add_feedback(
        Feedback(
            service_id="report-a-pothole",
            kind="problem",
            what_wrong="The map did not load",
            received_at=utcnow() - timedelta(days=settings.feedback_retention_days + 5),
        )
    )
    scheduler = Scheduler(settings, config, repository)
    now = utcnow()
    # The scheduler last purged five nights ago; four or five slots have been missed since.
    repository.ensure_scheduled_job("feedback_purge", now - timedelta(days=5))
    repository.ensure_scheduled_job("audit", scheduler.slot_now("audit", now) or now)

    results = scheduler.catch_up(now)

    assert [(r.name, r.outcome) for r in results] == [("feedback_purge", JobOutcome.ran)]
    job = repository.scheduled_job("feedback_purge")
    assert job is not None and job.runs == 1 and job.last_status == "completed"
    purged = next(f for f in repository.feedback(limit=10) if f.id == old.id)
    assert purged.what_wrong is None and purged.comment_purged_at is not None
    # Starting again (or a second scheduler starting) runs nothing more.
    assert Scheduler(settings, config, repository, holder="other:1").catch_up(now) == []
    assert scheduler.catch_up(now + timedelta(minutes=5)) == []
    assert repository.scheduled_job("feedback_purge").runs == 1  # type: ignore[union-attr]


def test_first_start_records_a_baseline_and_runs_nothing(
    sqlite_repository: Repository, config: CouncilConfig, tmp_path: Path
) -> None:
    calls: list[str] = []
    scheduler = Scheduler(
        settings_for(sqlite_repository, tmp_path),
        config,
        sqlite_repository,
        jobs={"feedback_purge": lambda: calls.append("purge")},
    )
    assert scheduler.catch_up() == []
    assert calls == []
    assert sqlite_repository.scheduled_job("feedback_purge") is not None


def test_two_schedulers_starting_together_run_a_missed_job_once(
    repository: Repository, config: CouncilConfig, tmp_path: Path
) -> None:
    settings = settings_for(repository, tmp_path)
    calls: list[str] = []

    def slow_purge() -> None:
        calls.append(threading.current_thread().name)
        time.sleep(0.5)

    schedulers = [
        Scheduler(settings, config, repository, jobs={"feedback_purge": slow_purge}, holder=h)
        for h in ("host-a:1", "host-b:2")
    ]
    repository.ensure_scheduled_job("feedback_purge", utcnow() - timedelta(days=3))
    outcomes: list[JobOutcome] = []
    threads = [
        threading.Thread(target=lambda s=s: outcomes.extend(r.outcome for r in s.catch_up()))
        for s in schedulers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(calls) == 1
    # The other one found the job running (busy), or already run for this slot.
    assert outcomes.count(JobOutcome.ran) == 1
    assert set(outcomes) <= {JobOutcome.ran, JobOutcome.busy, JobOutcome.done_already}


def test_the_job_lease_stops_a_second_scheduler(
    sqlite_repository: Repository, config: CouncilConfig, tmp_path: Path
) -> None:
    calls: list[int] = []
    scheduler = Scheduler(
        settings_for(sqlite_repository, tmp_path),
        config,
        sqlite_repository,
        jobs={"feedback_purge": lambda: calls.append(1)},
        holder="here:1",
    )
    assert sqlite_repository.acquire_lease("schedule:feedback_purge", "there:2", 600)
    assert scheduler.run_job("feedback_purge").outcome == JobOutcome.busy
    sqlite_repository.release_lease("schedule:feedback_purge", "there:2")
    assert scheduler.run_job("feedback_purge").outcome == JobOutcome.ran
    assert scheduler.run_job("feedback_purge").outcome == JobOutcome.done_already
    assert calls == [1]


def test_the_service_lease_stops_a_double_audit(
    repository: Repository, config: CouncilConfig, tmp_path: Path
) -> None:
    settings = settings_for(repository, tmp_path)
    # Another machine is auditing the service (its process cannot be checked from here).
    assert repository.acquire_lease("audit:report-a-pothole", "elsewhere:4242", 600)
    with pytest.raises(AuditRefused, match="already being audited"):
        start_audit(settings, config, repository, AuditRequest(service_ids=["report-a-pothole"]))
    refused = repository.runs(limit=1)[0]
    assert refused.status == RunStatus.cancelled


# --- the queue ------------------------------------------------------------------------------


def test_a_queued_run_is_listed_and_can_be_cancelled(
    repository: Repository, config: CouncilConfig, tmp_path: Path
) -> None:
    settings = settings_for(repository, tmp_path)
    run = queue_audit(settings, config, repository, service_ids=["join-the-library"])
    assert run.id is not None
    assert [r.id for r in repository.queued_runs()] == [run.id]
    assert cancel_run(repository, run.id, by="digital.team") == RunStatus.cancelled
    cancelled = repository.run(run.id)
    assert cancelled is not None and cancelled.status == RunStatus.cancelled
    assert repository.queued_runs() == []
    assert run_next_queued(settings, config, repository) is None  # nothing left to take
    assert cancel_run(repository, run.id) == RunStatus.cancelled  # already finished
    with pytest.raises(KeyError):
        cancel_run(repository, 999_999)


@pytest.fixture(scope="module")
def demo_config(config: CouncilConfig) -> Iterator[CouncilConfig]:
    with DemoSite(port=0, slow_page_seconds=0.5) as site:
        demo = {"DEMO_SITE": site.base_url, "DEMO_SUPPLIER": site.supplier_url}
        with patch.dict(os.environ, demo):
            yield dataclasses.replace(load_config(CONFIG_DIR), schedule=config.schedule)


@pytest.mark.browser
def test_a_worker_takes_a_queued_run_and_a_running_run_stops_when_cancelled(
    sqlite_repository: Repository, demo_config: CouncilConfig, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'monitor.db'}", concurrency=1
    )
    upgrade(settings.database_url)
    repository = Repository(settings.database_url)
    first = queue_audit(settings, demo_config, repository, service_ids=["join-the-library"])
    finished = run_next_queued(settings, demo_config, repository)
    assert finished is not None and finished.id == first.id
    assert finished.status == RunStatus.completed and finished.pages_audited == 3

    second = queue_audit(settings, demo_config, repository, service_ids=["school-admissions"])
    assert second.id is not None
    done: list[object] = []
    worker = threading.Thread(
        target=lambda: done.append(run_next_queued(settings, demo_config, repository))
    )
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            current = repository.run(second.id)
            if current is not None and current.status == RunStatus.running:
                break
            time.sleep(0.02)
        assert cancel_run(repository, second.id) == "stopping"
    finally:
        worker.join(timeout=120)
    stopped = repository.run(second.id)
    assert stopped is not None and stopped.status == RunStatus.cancelled
    results = repository.page_results(second.id)
    assert any(r.status == PageStatus.pending for r in results)  # the rest was left
