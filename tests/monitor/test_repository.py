"""Repository round trips, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from monitor.config import load_config
from monitor.models import Feedback, JourneyRun, PageResult, PageStatus, RunStatus, utcnow
from monitor.repository import Repository
from tests.conftest import CONFIG_DIR


def test_services_are_synced_from_config_and_removed_ones_deactivated(
    repository: Repository,
) -> None:
    config = load_config(CONFIG_DIR)
    repository.sync_services(config.services)
    assert {s.id for s in repository.services()} == {s.id for s in config.services}
    parking = repository.service("pay-a-parking-fine")
    assert parking is not None and parking.tags == {"supplier": "ParkRight Services"}
    repository.sync_services(config.services[:2])
    assert {s.id for s in repository.services()} == {"council-website", "report-a-pothole"}
    assert len(repository.services(active_only=False)) == len(config.services)


def test_a_run_records_its_pages_and_counts(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    run = repository.create_run(
        service_ids=["join-the-library"], trigger="cli", options={"max_pages": 3}
    )
    assert run.id is not None and run.status == RunStatus.queued
    started = repository.start_run(
        run.id, holder="test", axe_version="4.12.1", check_versions={"axe": "1"}
    )
    assert started.status == RunStatus.running and started.axe_version == "4.12.1"
    page = repository.upsert_page("join-the-library", "http://127.0.0.1/join-the-library")
    again = repository.upsert_page("join-the-library", "http://127.0.0.1/join-the-library")
    assert again.id == page.id
    other = repository.upsert_page("join-the-library", "http://127.0.0.1/join-the-library/apply")
    assert page.id is not None and other.id is not None
    repository.save_page_result(
        PageResult(
            run_id=run.id,
            page_id=page.id,
            service_id="join-the-library",
            status=PageStatus.audited,
            http_status=200,
            load_ms=120,
        )
    )
    repository.save_page_result(
        PageResult(
            run_id=run.id,
            page_id=other.id,
            service_id="join-the-library",
            status=PageStatus.pending,
        )
    )
    # Saving again replaces the row: one result per page per run.
    repository.save_page_result(
        PageResult(
            run_id=run.id,
            page_id=other.id,
            service_id="join-the-library",
            status=PageStatus.failed,
            error="timeout after 30s",
            error_kind="timeout",
        )
    )
    results = repository.page_results(run.id)
    assert [(r.page_id, r.status) for r in results] == [(page.id, "audited"), (other.id, "failed")]
    finished = repository.finish_run(run.id, RunStatus.completed)
    assert (finished.pages_found, finished.pages_audited, finished.pages_failed) == (2, 1, 1)
    assert finished.finished_at is not None and finished.started_at is not None
    assert finished.finished_at >= finished.started_at
    assert repository.runs(limit=1)[0].id == run.id


def test_runs_without_a_heartbeat_are_marked_interrupted(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    run = repository.create_run(service_ids=["join-the-library"])
    assert run.id is not None
    repository.start_run(run.id, holder="gone")
    assert repository.mark_stale_runs_interrupted(utcnow() - timedelta(minutes=5)) == []
    assert repository.mark_stale_runs_interrupted(utcnow() + timedelta(seconds=1)) == [run.id]
    stored = repository.run(run.id)
    assert stored is not None and stored.status == RunStatus.interrupted


def test_feedback_round_trip_keeps_every_field(repository: Repository) -> None:
    saved = repository.add_feedback(
        Feedback(
            service_id="join-the-library",
            page_path="/join-the-library",
            kind="satisfaction",
            rating=4,
            completed="yes",
            comment="Quick and clear [email]",
            redacted=True,
            flags=["email"],
            client_hash="ab" * 32,
        )
    )
    (loaded,) = repository.feedback(service_id="join-the-library")
    assert loaded.id == saved.id
    assert (loaded.rating, loaded.completed, loaded.comment, loaded.flags) == (
        4,
        "yes",
        "Quick and clear [email]",
        ["email"],
    )
    assert loaded.received_at.tzinfo is not None


def test_finish_run_counts_the_runs_findings(repository: Repository) -> None:
    from crawlers.base import FindingData

    repository.sync_services(load_config(CONFIG_DIR).services)

    def finding(rule: str, outcome: str = "violation") -> FindingData:
        return FindingData(check="axe", rule=rule, message=rule, outcome=outcome)

    first, second = (repository.create_run(service_ids=["join-the-library"]) for _ in range(2))
    assert first.id is not None and second.id is not None
    pages = [
        repository.upsert_page("join-the-library", f"http://x/join-the-library/{n}")
        for n in range(2)
    ]
    assert pages[0].id is not None and pages[1].id is not None
    for run_id, page_id, findings in (
        (first.id, pages[0].id, [finding("label"), finding("color-contrast", "needs_review")]),
        (first.id, pages[1].id, [finding("image-alt")]),
        (second.id, pages[0].id, [finding("label")]),
    ):
        repository.record_page(
            PageResult(
                run_id=run_id, page_id=page_id, service_id="join-the-library", status="audited"
            ),
            findings,
        )
    repository.add_journey_findings(first.id, pages[1].id, "join-the-library", [finding("x")])
    # Violations and needs-review alike, journeys' too; none of the other run's.
    assert repository.finish_run(first.id, RunStatus.completed).findings_count == 4
    assert repository.finish_run(second.id, RunStatus.completed).findings_count == 1


def test_bulk_insert_keeps_every_rows_columns_when_rows_name_different_ones(
    repository: Repository,
) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    run = repository.create_run(service_ids=["report-a-pothole"], trigger="cli", options={})
    now = utcnow()
    completed = {
        "run_id": run.id,
        "service_id": "report-a-pothole",
        "journey_id": "report",
        "attempt": 1,
        "outcome": "completed",
        "flaky": False,
        "started_at": now,
    }
    # The failed attempt names two columns the first row does not.
    failed = {**completed, "journey_id": "pay", "outcome": "failed"}
    failed |= {"failed_step": 2, "reason": "Step 3: button not found"}
    assert repository.bulk_insert(JourneyRun, [completed, failed]) == 2
    rows = {r.journey_id: r for r in repository.read.journeys.history(limit=10)}
    assert rows["pay"].failed_step == 2 and rows["pay"].reason == "Step 3: button not found"
    assert rows["report"].failed_step is None and rows["report"].reason == ""
