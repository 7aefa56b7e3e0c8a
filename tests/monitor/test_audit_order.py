"""An audit's answer does not depend on how its pages were dispatched: one page at a time,
several at a time, or in reverse order, the demo council gives the same findings and the
same issues, including what is judged across pages (titles shared by a form's steps, the
statement link its pages add by script, the PDF a journey passes) from what was recorded,
and the pages behind the sign-in and the app's routes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from demo import DemoSite
from monitor.audit import AuditRequest, start_audit
from monitor.audit.dispatch import PagePhase
from monitor.audit.dispatch.local import LocalDispatcher
from monitor.config import CouncilConfig
from monitor.db import upgrade
from monitor.models import RunStatus
from monitor.repository import Repository
from monitor.settings import Settings
from tests.audits import Finding, IssueSummary, findings_of, issues_of, record_journey_pages

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

#: With the account area (visited signed in) and the app (its routes found by clicking):
#: neither depends on the order its pages were visited in, nor on how many at a time.
SERVICES = ["report-a-pothole", "school-admissions", "my-account", "parking-permits"]


class ReverseOrder(LocalDispatcher):
    """The local pool, taking the newest address first: every page the sitemaps and start
    pages give is visited in the reverse of the order it was found."""

    async def visit_pages(self, phase: PagePhase) -> None:
        queue = phase.frontier.pages
        stack: asyncio.LifoQueue[object] = asyncio.LifoQueue()
        while not queue.empty():
            stack.put_nowait(queue.get_nowait())
            queue.task_done()
        phase.frontier.pages = stack  # type: ignore[assignment]
        await super().visit_pages(phase)


Audit = tuple[set[Finding], set[IssueSummary]]
#: The web pages of each audit in the order they were visited.
VISITS: dict[tuple[int, bool], list[str]] = {}
#: What each audit could not judge (failed pages, check errors): a difference between two
#: audits on a loaded machine is first looked for here.
NOT_JUDGED: dict[tuple[int, bool], list[str]] = {}


def audit(
    site: DemoSite,
    config: CouncilConfig,
    folder: Path,
    *,
    concurrency: int,
    reverse: bool = False,
) -> Audit:
    settings = Settings(
        data_dir=folder, database_url=f"sqlite:///{folder / 'm.db'}", concurrency=concurrency
    )
    upgrade(settings.database_url)
    repository = Repository(settings.database_url)
    repository.sync_services(config.services)
    record_journey_pages(
        repository, "report-a-pothole", "report-a-pothole", [site.base_url + "/report-a-pothole"]
    )
    dispatcher = ReverseOrder(settings, config, repository) if reverse else None
    run = start_audit(
        settings, config, repository, AuditRequest(service_ids=SERVICES), dispatcher=dispatcher
    )
    assert run.id is not None and run.status == RunStatus.completed, run.error
    urls = {p.id: p.url for s in SERVICES for p in repository.pages(s)}
    visited = sorted(
        (r for r in repository.page_results(run.id) if r.checks_ms is not None),
        key=lambda r: r.started_at or 0,
    )
    VISITS[(concurrency, reverse)] = [urls[r.page_id] for r in visited]
    NOT_JUDGED[(concurrency, reverse)] = [
        f"{urls[r.page_id]}: {r.status} {r.error or ''} {r.check_errors or ''}".strip()
        for r in repository.page_results(run.id)
        if r.status == "failed" or r.check_errors
    ]
    return findings_of(repository, run.id, SERVICES), issues_of(repository, SERVICES)


@pytest.fixture(scope="module")
def audit_once(
    demo_site: DemoSite, demo_config: CouncilConfig, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Audit]:
    done: dict[tuple[int, bool], Audit] = {}

    def run(concurrency: int, reverse: bool = False) -> Audit:
        key = (concurrency, reverse)
        if key not in done:
            folder = tmp_path_factory.mktemp(f"order-{concurrency}-{reverse}")
            done[key] = audit(
                demo_site, demo_config, folder, concurrency=concurrency, reverse=reverse
            )
        return done[key]

    return run


def test_the_cross_page_findings_are_there(
    audit_once: Callable[..., Audit], demo_site: DemoSite
) -> None:
    findings, issues = audit_once(1)
    base = demo_site.base_url
    titles = {(url, impact) for url, check, *_, impact, _ in findings if check == "page-titles"}
    assert titles == {
        (f"{base}/school-admissions/apply/{step}", "moderate")
        for step in ("child", "address", "schools")
    }
    # The PDF residents meet on the "Report a pothole" journey weighs one level more.
    pdf = {
        (rule, impact)
        for url, check, rule, _, impact, _ in findings
        if url.endswith("/road-repair-standards.pdf")
    }
    assert pdf == {("pdf-untagged", "critical"), ("pdf-no-title", "serious")}
    # The school pages' statement link comes from script: it was found, not "missing".
    statement = {rule for _, check, rule, *_ in findings if check == "statement"}
    assert "statement-missing" not in statement
    (duplicate,) = [i for i in issues if i[1] == "page-title-duplicate"]
    assert len(duplicate[5]) == 3  # one issue, affecting the three steps
    # The account's defects (signed in) and the app's (by route) are among what is compared.
    paths = {url.removeprefix(base) for url, check, *_ in findings if check == "axe"}
    assert {"/account/details", "/parking-permits/prices", "/parking-permits#/visitors"} <= paths


def test_one_or_several_pages_at_a_time_give_the_same_audit(
    audit_once: Callable[..., Audit],
) -> None:
    one = audit_once(1)
    assert one[0] and one[1]
    three = audit_once(3)
    assert three == one, {
        "only one at a time": sorted(one[0] - three[0]),
        "only three at a time": sorted(three[0] - one[0]),
        "not judged": {key: NOT_JUDGED.get(key) for key in ((1, False), (3, False))},
    }


def test_pages_visited_in_reverse_order_give_the_same_audit(
    audit_once: Callable[..., Audit],
) -> None:
    assert audit_once(2, reverse=True) == audit_once(1)
    forwards, backwards = VISITS[(1, False)], VISITS[(2, True)]
    assert sorted(forwards) == sorted(backwards)
    # Really another order: the pages first visited one way come late the other way.
    assert forwards.index(backwards[0]) > len(forwards) // 2
