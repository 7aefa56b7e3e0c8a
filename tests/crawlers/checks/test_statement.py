"""The accessibility statement check against statements served on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from crawlers.base import FindingData
from crawlers.checks.statement import CHECK, parse_dates, read_statement
from crawlers.context import OpenIssue, RecordedPage, RunContext, ServiceEvidence
from crawlers.discovery import HostPolicy, make_client
from demo import DemoSite
from monitor.config import load_config
from monitor.models import PageResult, PageStatus
from monitor.repository import Repository
from monitor.settings import Settings
from tests.conftest import CONFIG_DIR
from tests.crawlers.checks.conftest import LocalSite

TODAY = date(2026, 11, 25)
SERVICE = "report-a-pothole"

GOOD = """<!DOCTYPE html><html lang="en"><head><title>Accessibility statement</title></head>
<body><main><h1>Accessibility statement for Report a pothole</h1>
<h2>Compliance status</h2>
<p>This website is {status} compliant with the Web Content Accessibility Guidelines version
2.2 AA standard{reason}.</p>
{non_accessible}
<h2>Feedback and contact information</h2>
<p>If you need information in a different format like large print, easy read or braille,
email us. If you find any problems not listed on this page, contact us to report a
problem.</p>
{enforcement}
<h2>Preparation of this accessibility statement</h2>
<p>This statement was prepared on {prepared}. It was last reviewed on {reviewed}.</p>
</main></body></html>"""
NON_ACCESSIBLE = """<h2>Non-accessible content</h2><p>The content listed below is
non-accessible: some images do not have a text alternative.</p>"""
ENFORCEMENT = """<h2>Enforcement procedure</h2><p>The Equality and Human Rights Commission
(EHRC) is responsible for enforcing the accessibility regulations. If you are not happy with
how we respond to your complaint, contact the Equality Advisory and Support Service
(EASS).</p>"""


def statement(**parts: str) -> str:
    values = {
        "status": "partially",
        "reason": ", due to the non-compliances listed below",
        "non_accessible": NON_ACCESSIBLE,
        "enforcement": ENFORCEMENT,
        "prepared": "1 September 2025",
        "reviewed": "1 October 2026",
    }
    values.update(parts)
    return GOOD.format(**values)


def run_statement_check(
    *,
    linked: str | None = None,
    pages: list[str] | None = None,
    service: Any = None,
    service_id: str = SERVICE,
    open_issues: list[OpenIssue] | None = None,
) -> list[tuple[str, FindingData]]:
    """The check on a service whose recorded pages are ``pages`` (plain) and, if given, one
    page linking to the statement at ``linked``."""
    settings = Settings()
    recorded = [RecordedPage(url, "html") for url in pages or []]
    if linked is not None:
        recorded.append(RecordedPage("http://x/linking", "html", statement_links=(linked,)))
    evidence = ServiceEvidence(
        service_id=service_id, service=service, pages=recorded, open_issues=open_issues or []
    )

    async def check() -> list[tuple[str, FindingData]]:
        async with make_client(settings) as client:
            context = RunContext(settings=settings, http=HostPolicy(settings, client), today=TODAY)
            return await CHECK.run_service(evidence, context)

    return asyncio.run(check())


def found_rules(found: list[tuple[str, FindingData]]) -> set[str]:
    return {f.rule for _, f in found}


def test_dates_are_read_as_written_in_the_uk() -> None:
    assert parse_dates("reviewed on 1 October 2026, then 3rd March 2025 and 04/05/2024") == [
        date(2026, 10, 1),
        date(2025, 3, 3),
        date(2024, 5, 4),
    ]
    assert parse_dates("31 February 2026 and 2026") == []


def test_a_complete_statement_has_no_findings(local_site: LocalSite) -> None:
    url = local_site.add("/st/good", statement())
    assert run_statement_check(linked=url) == []


def test_an_incomplete_statement_names_each_missing_part(local_site: LocalSite) -> None:
    url = local_site.add(
        "/st/incomplete",
        statement(status="", reason="", non_accessible="", enforcement="", prepared="soon"),
    )
    found = run_statement_check(linked=url)
    assert found_rules(found) == {
        "statement-compliance-status",
        "statement-non-accessible-content",
        "statement-enforcement",
        "statement-preparation",
    }
    assert {page for page, _ in found} == {url}


def test_a_statement_not_reviewed_for_a_year_is_stale(local_site: LocalSite) -> None:
    url = local_site.add("/st/stale", statement(prepared="12 June 2023", reviewed="1 October 2024"))
    found = run_statement_check(linked=url)
    assert found_rules(found) == {"statement-stale"}
    assert "1 October 2024" in found[0][1].message


def test_a_fully_compliant_claim_with_serious_issues_open_contradicts_the_scan(
    local_site: LocalSite, sqlite_repository: Repository
) -> None:
    config = load_config(CONFIG_DIR)
    sqlite_repository.sync_services(config.services)
    url = local_site.add("/st/fully", statement(status="fully", reason="", non_accessible=""))
    assert run_statement_check(linked=url) == []  # nothing open yet: the claim may be true

    run = sqlite_repository.create_run(service_ids=[SERVICE])
    assert run.id is not None
    page = sqlite_repository.upsert_page(SERVICE, "http://x/report-a-pothole")
    assert page.id is not None
    image_alt = FindingData(
        check="axe", rule="image-alt", message="Add alt text", wcag=("1.1.1",), impact="critical"
    )
    sqlite_repository.record_page(
        PageResult(run_id=run.id, page_id=page.id, service_id=SERVICE, status=PageStatus.audited),
        [image_alt],
    )
    sqlite_repository.update_issues(run.id, SERVICE)
    issues = sqlite_repository.issues(service_id=SERVICE, statuses=["new", "open", "reopened"])
    found = run_statement_check(
        linked=url, open_issues=[OpenIssue(i.check, i.impact, i.outcome) for i in issues]
    )
    assert found_rules(found) == {"statement-contradicts-scan"}
    assert "1 serious or critical" in found[0][1].message


def test_the_statement_is_found_from_config_or_from_the_pages(local_site: LocalSite) -> None:
    config = load_config(CONFIG_DIR)
    url = local_site.add("/st/configured", statement(enforcement=""))
    service = config.service(SERVICE).model_copy(update={"accessibility_statement_url": url})
    assert found_rules(run_statement_check(service=service)) == {"statement-enforcement"}

    home = local_site.add(
        "/st/home",
        '<html><body><footer><a href="/st/configured">Accessibility</a></footer></body></html>',
    )
    found = run_statement_check(pages=[home])
    assert found_rules(found) == {"statement-enforcement"}

    lost = local_site.add("/st/lost", "<html><body><p>No links here</p></body></html>")
    assert [(p, f.rule) for p, f in run_statement_check(pages=[lost])] == [
        (lost, "statement-missing")
    ]
    gone = local_site.base_url + "/st/not-there"
    assert found_rules(run_statement_check(linked=gone)) == {"statement-unreachable"}


def test_the_demo_councils_statement_is_complete(demo: DemoSite) -> None:
    config = load_config(CONFIG_DIR)
    service = config.service("join-the-library").model_copy(
        update={"start_urls": [demo.base_url + "/join-the-library"]}
    )
    assert run_statement_check(service=service, service_id="join-the-library") == []


def test_reading_is_forgiving_about_wording() -> None:
    text = (
        "This service is partly compliant with WCAG 2.1 level AA. Some content is not "
        "accessible. Tell us if you need an accessible format. Contact the EHRC. "
        "This statement was prepared on 3 March 2026."
    )
    assert read_statement(text, TODAY) == []
