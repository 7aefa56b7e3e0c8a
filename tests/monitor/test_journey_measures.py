"""Journey completion measures, on SQLite and PostgreSQL, with exact expected values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.models import JourneyRun, JourneyStepResult
from monitor.repository import Repository
from monitor.repository.journeys import percentile

DAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def attempt(
    repository: Repository,
    run_id: int,
    journey_id: str,
    outcome: str,
    *,
    service_id: str = "report-a-pothole",
    attempt: int = 1,
    seconds: float = 10,
    failed_step: int | None = None,
    flaky: bool = False,
    when: datetime = DAY,
    step_names: tuple[str, ...] = ("Go to /report-a-pothole", "Click Start now", "Expect title"),
) -> JourneyRun:
    row = JourneyRun(
        run_id=run_id,
        service_id=service_id,
        journey_id=journey_id,
        attempt=attempt,
        outcome=outcome,
        failed_step=failed_step,
        reason=f"element-not-found: step {failed_step}" if failed_step else None,
        flaky=flaky,
        started_at=when,
        finished_at=when + timedelta(seconds=seconds),
        duration_ms=int(seconds * 1000),
    )
    steps = [
        JourneyStepResult(
            journey_run_id=0,
            index=index,
            name=name,
            action="click",
            status="failed" if index == failed_step else "passed",
        )
        for index, name in enumerate(step_names, start=1)
    ]
    return repository.record_journey_attempt(row, steps)


def new_run(repository: Repository) -> int:
    run = repository.create_run(kind="journeys", service_ids=["report-a-pothole"])
    assert run.id is not None
    return run.id


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([10.0, 20.0, 30.0, 40.0, 50.0], 95) == 48.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_completion_counts_the_latest_attempt_of_each_journey_run_once(
    repository: Repository,
) -> None:
    runs = [new_run(repository) for _ in range(5)]
    # Run 1: completed in 10s. Run 2: failed at step 2, passed on retry in 20s (flaky).
    attempt(repository, runs[0], "report", "completed", seconds=10)
    attempt(repository, runs[1], "report", "failed", failed_step=2)
    attempt(repository, runs[1], "report", "completed", attempt=2, seconds=20, flaky=True)
    # Run 3: failed twice at step 3. Run 4: stopped at its stop marker after 30s.
    attempt(repository, runs[2], "report", "failed", failed_step=3)
    attempt(repository, runs[2], "report", "failed", attempt=2, failed_step=3)
    attempt(repository, runs[3], "report", "completed-up-to-stop", seconds=30)
    # Run 5: the monitor broke; this says nothing about the service.
    attempt(repository, runs[4], "report", "errored", seconds=1)

    (report,) = repository.journey_completion(journey_id="report")
    assert (report.runs, report.completed, report.failed) == (4, 3, 1)
    assert (report.errored, report.flaky) == (1, 1)
    assert report.rate == 75.0
    assert report.median_seconds == 20.0
    assert report.p95_seconds == 29.0  # 10, 20, 30 → 20 + 0.9 * 10
    failing = report.most_failing_step
    assert failing is not None
    assert (failing.journey_id, failing.index, failing.failures) == ("report", 3, 1)
    assert failing.name == "Expect title"
    assert report.last_outcome == "errored"


def test_service_completion_and_the_step_that_fails_most(repository: Repository) -> None:
    runs = [new_run(repository) for _ in range(4)]
    for run_id in runs[:3]:
        attempt(repository, run_id, "report", "failed", failed_step=2)
    attempt(repository, runs[3], "report", "completed", seconds=12)
    for run_id in runs:
        attempt(repository, run_id, "track", "completed", seconds=4)
    attempt(repository, runs[0], "join", "failed", service_id="join-the-library", failed_step=1)

    by_journey = {(c.service_id, c.journey_id): c for c in repository.journey_completion()}
    assert by_journey[("report-a-pothole", "report")].rate == 25.0
    assert by_journey[("report-a-pothole", "track")].rate == 100.0
    assert by_journey[("join-the-library", "join")].rate == 0.0

    services = {c.service_id: c for c in repository.service_journey_completion()}
    pothole = services["report-a-pothole"]
    assert pothole.journey_id is None
    assert (pothole.runs, pothole.completed, pothole.failed) == (8, 5, 3)
    assert pothole.rate == 62.5
    assert pothole.median_seconds == 4.0
    assert pothole.most_failing_step is not None
    assert (pothole.most_failing_step.journey_id, pothole.most_failing_step.index) == ("report", 2)
    assert pothole.most_failing_step.name == "Click Start now"
    assert pothole.most_failing_step.failures == 3

    only = repository.service_journey_completion(service_id="join-the-library")
    assert [c.service_id for c in only] == ["join-the-library"]


def test_completion_over_a_period_and_with_no_runs(repository: Repository) -> None:
    assert repository.journey_completion() == []
    assert repository.service_journey_completion() == []
    old, recent = new_run(repository), new_run(repository)
    attempt(repository, old, "report", "failed", failed_step=1, when=DAY - timedelta(days=10))
    attempt(repository, recent, "report", "completed", when=DAY)

    (week,) = repository.journey_completion(since=DAY - timedelta(days=7))
    assert (week.runs, week.rate) == (1, 100.0)
    (before,) = repository.journey_completion(until=DAY - timedelta(days=7))
    assert (before.runs, before.rate, before.median_seconds) == (1, 0.0, None)
    (everything,) = repository.journey_completion()
    assert everything.rate == 50.0


def test_attempts_and_steps_are_read_back_in_order(repository: Repository) -> None:
    run_id = new_run(repository)
    first = attempt(repository, run_id, "report", "failed", failed_step=2)
    second = attempt(repository, run_id, "report", "completed", attempt=2, flaky=True)
    rows = repository.journey_runs(run_id=run_id)
    assert [r.id for r in rows] == [second.id, first.id]  # newest first
    steps = repository.journey_steps(first.id or 0)
    assert [(s.index, s.status) for s in steps] == [(1, "passed"), (2, "failed"), (3, "passed")]
    assert repository.journey_runs(service_id="join-the-library") == []
