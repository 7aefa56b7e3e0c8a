"""Issues across runs: one issue per defect per service, and its lifecycle."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import timedelta

from crawlers.base import FindingData
from monitor.config import load_config
from monitor.models import PageResult, PageStatus, RunStatus, utcnow
from monitor.repository import Repository
from tests.conftest import CONFIG_DIR

SERVICE = "report-a-pothole"


def image_alt(src: str = "/static/hole.jpg") -> FindingData:
    return FindingData(
        check="axe",
        rule="image-alt",
        message="Fix: add alt text",
        wcag=("1.1.1",),
        impact="critical",
        selector="img.hero",
        snippet=f'<img class="hero" src="{src}">',
    )


def run_once(
    repository: Repository,
    pages: dict[str, list[FindingData]],
    failed: AbstractSet[str] = frozenset(),
) -> int:
    run = repository.create_run(service_ids=[SERVICE])
    assert run.id is not None
    repository.start_run(run.id, holder="test")
    for url, findings in pages.items():
        page = repository.upsert_page(SERVICE, url)
        assert page.id is not None
        status = PageStatus.failed if url in failed else PageStatus.audited
        repository.record_page(
            PageResult(run_id=run.id, page_id=page.id, service_id=SERVICE, status=status),
            [] if url in failed else findings,
        )
    repository.update_issues(run.id, SERVICE)
    repository.finish_run(run.id, RunStatus.completed)
    return run.id


def the_issue(repository: Repository):
    (issue,) = repository.issues(service_id=SERVICE, check="axe")
    return issue


def test_the_same_defect_on_many_pages_is_one_issue(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    run_once(
        repository,
        {f"http://x/report-a-pothole/{n}": [image_alt(f"/img/{n}.jpg?v={n}")] for n in range(5)},
    )
    issue = the_issue(repository)
    assert (issue.status, issue.pages_affected, issue.wcag, issue.impact) == (
        "new",
        5,
        "1.1.1",
        "critical",
    )
    assert len(repository.issue_page_urls(issue.id)) == 5


def test_lifecycle_new_open_fixed_reopened(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    pages = {"http://x/report-a-pothole": [image_alt()], "http://x/report-a-pothole/2": []}
    first = run_once(repository, pages)
    assert the_issue(repository).status == "new"
    run_once(repository, pages)
    assert the_issue(repository).status == "open"
    fixed_run = run_once(
        repository, {"http://x/report-a-pothole": [], "http://x/report-a-pothole/2": []}
    )
    issue = the_issue(repository)
    assert (issue.status, issue.fixed_run_id, issue.first_seen_run_id) == (
        "fixed",
        fixed_run,
        first,
    )
    run_once(repository, pages)
    issue = the_issue(repository)
    assert (issue.status, issue.reopened_count, issue.fixed_at) == ("reopened", 1, None)
    run_once(repository, pages)
    assert the_issue(repository).status == "open"


def test_an_issue_is_not_fixed_when_its_page_could_not_be_audited(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    url = "http://x/report-a-pothole"
    run_once(repository, {url: [image_alt()]})
    run_once(repository, {url: [image_alt()]}, failed={url})
    assert the_issue(repository).status == "new"  # unseen, but not known to be fixed
    assert the_issue(repository).fixed_at is None


def test_updating_issues_twice_for_one_run_changes_nothing(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    run_id = run_once(repository, {"http://x/report-a-pothole": [image_alt()]})
    before = the_issue(repository)
    assert repository.update_issues(run_id, SERVICE) == {}
    after = the_issue(repository)
    assert (after.status, after.pages_affected, after.reopened_count) == (
        before.status,
        before.pages_affected,
        0,
    )


def test_recording_a_page_twice_in_a_run_keeps_one_copy_of_its_findings(
    repository: Repository,
) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    run = repository.create_run(service_ids=[SERVICE])
    page = repository.upsert_page(SERVICE, "http://x/report-a-pothole")
    assert run.id is not None and page.id is not None
    for _ in range(2):
        repository.record_page(
            PageResult(
                run_id=run.id, page_id=page.id, service_id=SERVICE, status=PageStatus.audited
            ),
            [image_alt(), image_alt("/other.png")],
        )
    assert len(repository.findings(run.id)) == 2
    (result,) = repository.page_results(run.id)
    assert result.serious_count == 2


def test_acknowledgement_records_who_why_and_until(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    run_once(repository, {"http://x/report-a-pothole": [image_alt()]})
    issue = the_issue(repository)
    until = utcnow() + timedelta(days=30)
    acked = repository.acknowledge_issue(
        issue.id, by="Sam Owner", reason="Supplier fix due", until=until
    )
    assert (acked.ack_by, acked.ack_reason) == ("Sam Owner", "Supplier fix due")
    assert acked.ack_until is not None and abs((acked.ack_until - until).total_seconds()) < 1


def test_fingerprints_ignore_ids_and_query_strings() -> None:
    a = FindingData(
        check="axe",
        rule="label",
        message="m",
        selector="#field-8f3a21",
        snippet='<input id="field-8f3a21" type="text" name="q" value="abc">',
    )
    b = FindingData(
        check="axe",
        rule="label",
        message="m",
        selector="#field-77b0c9",
        snippet='<input id="field-77b0c9" type="text" name="q" value="xyz">',
    )
    c = FindingData(
        check="axe",
        rule="label",
        message="m",
        selector="#search",
        snippet='<input id="search" type="search">',
    )
    assert a.fingerprint("s") == b.fingerprint("s")
    assert a.fingerprint("s") != c.fingerprint("s")
    assert a.fingerprint("s") != a.fingerprint("other-service")


def test_leases_keep_a_second_holder_out_until_expiry(repository: Repository) -> None:
    assert repository.acquire_lease("audit:x", "one", 60)
    assert not repository.acquire_lease("audit:x", "two", 60)
    assert repository.acquire_lease("audit:x", "one", 60)  # the holder may renew
    repository.release_lease("audit:x", "one")
    assert repository.acquire_lease("audit:x", "two", 1)
    assert repository.lease("audit:x") is not None
    assert repository.acquire_lease("audit:y", "two", -1)  # already expired
    assert repository.acquire_lease("audit:y", "three", 60)


def test_journey_findings_join_the_service_issues_marked_with_journey_and_step(
    repository: Repository,
) -> None:
    from monitor.issues import record_journey_findings

    repository.sync_services(load_config(CONFIG_DIR).services)
    run = repository.create_run(kind="journeys", service_ids=[SERVICE])
    assert run.id is not None
    finding = image_alt()
    finding.journey_id, finding.journey_step = "report-a-pothole", 4
    record_journey_findings(repository, run.id, SERVICE, [finding], "http://x/report-a-pothole#top")
    issue = the_issue(repository)
    assert (issue.status, issue.on_journey, issue.pages_affected) == ("new", True, 1)
    (stored,) = repository.findings(run.id)
    assert (stored.journey_id, stored.journey_step, stored.issue_id) == (
        "report-a-pothole",
        4,
        issue.id,
    )
    assert repository.issue_page_urls(issue.id) == ["http://x/report-a-pothole"]
