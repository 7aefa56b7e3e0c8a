"""Incremental re-audits: unchanged pages keep their findings without being checked again."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from crawlers.checks import document_checks, service_checks
from crawlers.checks.axe import CHECK as AXE
from crawlers.fingerprint import normalise_html, page_fingerprint
from demo import DemoSite
from monitor.audit import AuditRequest, start_audit
from monitor.config import CouncilConfig
from monitor.db import upgrade
from monitor.models import Page, RunStatus, utcnow
from monitor.repository import Repository
from monitor.settings import Settings

pytestmark = pytest.mark.browser

SERVICES = ["report-a-pothole", "join-the-library", "pay-a-parking-fine"]


@pytest.fixture(scope="module")
def site(demo_site: DemoSite) -> DemoSite:
    return demo_site


@pytest.fixture(scope="module")
def config(demo_config: CouncilConfig) -> CouncilConfig:
    return demo_config


@pytest.fixture
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Repository]:
    folder = tmp_path_factory.mktemp("incremental")
    settings = Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'monitor.db'}")
    upgrade(settings.database_url)
    return settings, Repository(settings.database_url)


def seen(repository: Repository, run_id: int) -> set[tuple[int, str, str, str]]:
    return {(f.page_id, f.check, f.rule, f.selector) for f in repository.findings(run_id)}


def documents_in(repository: Repository, run_id: int) -> int:
    """The documents (PDF...) of a run: audited afresh on every run, never carried."""
    return sum("pdf" in (r.content_type or "") for r in repository.page_results(run_id))


def statuses(repository: Repository, run_id: int) -> dict[int, str]:
    return {r.page_id: r.status for r in repository.page_results(run_id)}


def test_per_request_noise_does_not_change_the_fingerprint(site: DemoSite) -> None:
    first = httpx.get(f"{site.base_url}/report-a-pothole/location").text
    second = httpx.get(f"{site.base_url}/report-a-pothole/location").text
    assert first != second  # CSRF token, timestamp and nonce differ
    assert page_fingerprint(first) == page_fingerprint(second)
    site.set_page_text("/report-a-pothole/location", "Roads are checked every month.")
    try:
        changed = httpx.get(f"{site.base_url}/report-a-pothole/location").text
    finally:
        site.set_page_text("/report-a-pothole/location", None)
    assert page_fingerprint(changed) != page_fingerprint(first)


def test_normalising_keeps_text_and_drops_tokens() -> None:
    html = (
        '<meta name="generated" content="2026-11-25T14:00:01Z"><script nonce="abc123">x()</script>'
        '<input type="hidden" name="csrf_token" value="f00dfeed1234"><p>Fee is £50</p>'
    )
    normal = normalise_html(html)
    assert "f00dfeed1234" not in normal and "abc123" not in normal and "14:00" not in normal
    assert "Fee is £50" in normal
    assert page_fingerprint(html) != page_fingerprint(html.replace("£50", "£60"))


def test_a_second_run_over_an_unchanged_site_carries_every_page_forward(
    config: CouncilConfig, world: tuple[Settings, Repository]
) -> None:
    settings, repository = world
    first = start_audit(settings, config, repository, AuditRequest(service_ids=SERVICES))
    second = start_audit(settings, config, repository, AuditRequest(service_ids=SERVICES))
    assert first.id is not None and second.id is not None
    assert second.status == RunStatus.completed
    # Web pages are carried; documents (the PDF on the pothole journey) are fetched again.
    documents = documents_in(repository, second.id)
    assert documents == 1
    assert (second.pages_audited, second.pages_carried) == (
        documents,
        first.pages_audited - documents,
    )
    assert seen(repository, second.id) == seen(repository, first.id)
    # Only the links check (a target may break), whole-service checks and documents (read
    # afresh) run again.
    rechecked = {"links"} | {c.name for c in service_checks()} | {c.name for c in document_checks()}
    assert all(f.carried for f in repository.findings(second.id) if f.check not in rechecked)
    # The issues stay open and the measures do not move.
    issues = repository.issues(service_id="report-a-pothole")
    assert issues and {i.status for i in issues} == {"open"}
    serious = [
        sum(r.serious_count for r in repository.page_results(run)) for run in (first.id, second.id)
    ]
    assert serious[0] == serious[1] > 0
    assert repository.brand_compliance(
        "pay-a-parking-fine", second.id
    ) == repository.brand_compliance("pay-a-parking-fine", first.id)
    assert len(repository.brand_results(second.id)) == len(repository.brand_results(first.id)) > 0

    # --full audits every page again.
    full = start_audit(settings, config, repository, AuditRequest(service_ids=SERVICES, full=True))
    assert full.id is not None and (full.pages_carried, full.pages_audited) == (
        0,
        first.pages_audited,
    )


def test_a_fix_on_a_changed_page_is_seen_and_only_that_page_is_audited_again(
    site: DemoSite, config: CouncilConfig, world: tuple[Settings, Repository]
) -> None:
    settings, repository = world
    request = AuditRequest(service_ids=["report-a-pothole"])
    first = start_audit(settings, config, repository, request)
    site.fix_defect("pothole-image-alt")
    try:
        second = start_audit(settings, config, repository, request)
    finally:
        site.restore_defect("pothole-image-alt")
    assert first.id is not None and second.id is not None
    start_page = next(
        p for p in repository.pages("report-a-pothole") if p.url.endswith("/report-a-pothole")
    )
    assert statuses(repository, second.id)[start_page.id or 0] == "audited"
    assert sum(
        s == "carried" for s in statuses(repository, second.id).values()
    ) == first.pages_audited - 1 - documents_in(repository, second.id)
    image_alt = next(
        i for i in repository.issues(service_id="report-a-pothole") if i.rule == "image-alt"
    )
    assert image_alt.status == "fixed"


def test_a_new_check_version_or_an_old_full_audit_forces_a_re_audit(
    config: CouncilConfig, world: tuple[Settings, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, repository = world
    request = AuditRequest(service_ids=["join-the-library"])
    first = start_audit(settings, config, repository, request)
    assert first.pages_audited > 0
    monkeypatch.setattr(AXE, "version", "2/bumped")
    bumped = start_audit(settings, config, repository, request)
    assert (bumped.pages_carried, bumped.pages_audited) == (0, first.pages_audited)
    with repository.session() as session:
        session.execute(update(Page).values(last_full_audit_at=utcnow() - timedelta(days=8)))
        session.commit()
    stale = start_audit(settings, config, repository, request)
    assert (stale.pages_carried, stale.pages_audited) == (0, first.pages_audited)
    fresh = start_audit(settings, config, repository, request)
    assert (fresh.pages_carried, fresh.pages_audited) == (first.pages_audited, 0)
