"""Findings stored as stretches of a page's visits: every question stays exact.

Each test records pages through the repository exactly as an audit does (``record_page``
for a page audited, ``record_carried_page`` for one carried unchanged), on SQLite and on
PostgreSQL, then asks what the product asks: the findings each run holds, the run's
counts and summaries, the issue lifecycle, what changed since last night; and checks how
many rows were stored, which is what the new storage is for.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import asdict
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from crawlers.base import FindingData
from monitor.audit.recording import CarriedBatches
from monitor.config import load_config
from monitor.models import BrandResult, Finding, Issue, PageResult, PageStatus, RunStatus
from monitor.repository import Repository
from monitor.repository.issues import CarriedVisit
from tests.conftest import CONFIG_DIR

SERVICE = "report-a-pothole"
HOME, FORM = "http://x/report-a-pothole", "http://x/report-a-pothole/form"


def axe(rule: str, selector: str = "img", impact: str = "critical") -> FindingData:
    return FindingData(
        check="axe",
        rule=rule,
        message=f"{rule} fails",
        wcag=("1.1.1",),
        impact=impact,
        selector=selector,
        snippet=f"<{selector}>",
    )


ALT, LABEL, CONTRAST = (
    axe("image-alt"),
    axe("label", "input"),
    axe("color-contrast", "p", "serious"),
)
LINK = FindingData(check="links", rule="broken-link", message="404", key="/gone", impact="minor")


class Site:
    """Runs of one service, recorded page by page as the audit records them."""

    def __init__(self, repository: Repository) -> None:
        repository.sync_services(load_config(CONFIG_DIR).services)
        self.repository = repository
        self.pages = {url: self._page(url) for url in (HOME, FORM)}

    def _page(self, url: str) -> int:
        page = self.repository.upsert_page(SERVICE, url)
        assert page.id is not None
        return page.id

    def start(self) -> int:
        run = self.repository.create_run(service_ids=[SERVICE])
        assert run.id is not None
        self.repository.start_run(run.id, holder="test")
        return run.id

    def audited(self, run_id: int, url: str, findings: list[FindingData], **extra: object) -> None:
        self.repository.record_page(
            self._result(run_id, url, PageStatus.audited, **extra), findings
        )

    def failed(self, run_id: int, url: str) -> None:
        self.repository.record_page(
            PageResult(run_id=run_id, page_id=self.pages[url], service_id=SERVICE, status="failed"),
            [],
        )

    def carried(
        self,
        run_id: int,
        url: str,
        previous: int,
        fresh: list[FindingData] = (),  # type: ignore[assignment]
        rechecked: tuple[str, ...] = ("links",),
    ) -> None:
        self.repository.record_carried_page(
            self._result(run_id, url, PageStatus.carried), previous, fresh, rechecked
        )

    def _result(self, run_id: int, url: str, status: PageStatus, **extra: object) -> PageResult:
        return PageResult(
            run_id=run_id,
            page_id=self.pages[url],
            service_id=SERVICE,
            status=status,
            title=f"Title of {url}",
            final_url=url,
            facts={"statement_links": [f"{url}/accessibility"], "documents": []},
            **extra,  # type: ignore[arg-type]
        )

    def brand_judged(self, run_id: int, url: str) -> dict[str, Any]:
        """A brand result whose logo failed; its details (the header evidence) returned."""
        details = {"url": url, "rules": {"logo": {"passed": False, "detail": "no logo"}}}
        self.repository.save_brand_result(
            run_id,
            self.pages[url],
            SERVICE,
            {"score": 80, "passed": False, "rules": {"logo": False}, "details": details},
        )
        return details

    def finish(self, run_id: int) -> None:
        self.repository.update_issues(run_id, SERVICE)
        self.repository.finish_run(run_id, RunStatus.completed)

    def held(self, run_id: int) -> Counter[tuple[str, str]]:
        """(page, rule) of every finding the run holds, with multiplicity."""
        urls = {page_id: url for url, page_id in self.pages.items()}
        return Counter((urls[f.page_id], f.rule) for f in self.repository.findings(run_id))

    def rows(self) -> int:
        with self.repository.session() as session:
            return int(session.execute(select(func.count()).select_from(Finding)).scalar_one())


def test_an_unchanged_site_writes_no_finding_again(repository: Repository) -> None:
    site = Site(repository)
    first = site.start()
    site.audited(first, HOME, [ALT, CONTRAST])
    site.audited(first, FORM, [LABEL])
    site.finish(first)
    assert site.rows() == 3
    runs = [first]
    for _ in range(3):
        run = site.start()
        site.carried(run, HOME, runs[-1])
        site.carried(run, FORM, runs[-1])
        site.finish(run)
        runs.append(run)
    assert site.rows() == 3  # stretched, not copied
    expected = Counter({(HOME, "image-alt"): 1, (HOME, "color-contrast"): 1, (FORM, "label"): 1})
    for run in runs:
        assert site.held(run) == expected
        found = repository.run(run)
        assert found is not None and found.findings_count == 3
    carried = repository.findings(runs[-1])
    assert {f.run_id for f in carried} == {runs[-1]} and all(f.carried for f in carried)
    assert not any(f.carried for f in repository.findings(first))
    with repository.session() as session:
        stretches = set(
            session.execute(select(col(Finding.first_run_id), col(Finding.last_run_id))).all()
        )
    assert stretches == {(first, runs[-1])}


def test_a_finding_that_goes_and_comes_back_is_two_stretches(repository: Repository) -> None:
    site = Site(repository)
    runs = [site.start() for _ in range(4)]
    site.audited(runs[0], HOME, [ALT])
    site.audited(runs[1], HOME, [])  # fixed
    site.audited(runs[2], HOME, [ALT])  # back
    site.carried(runs[3], HOME, runs[2])
    assert [site.held(r) for r in runs] == [
        Counter({(HOME, "image-alt"): 1}),
        Counter(),
        Counter({(HOME, "image-alt"): 1}),
        Counter({(HOME, "image-alt"): 1}),
    ]
    assert site.rows() == 2


def test_a_visit_that_failed_is_passed_over_but_holds_nothing(repository: Repository) -> None:
    site = Site(repository)
    runs = [site.start() for _ in range(3)]
    site.audited(runs[0], HOME, [ALT])
    site.failed(runs[1], HOME)
    site.audited(runs[2], HOME, [ALT])
    assert [site.held(r) for r in runs] == [
        Counter({(HOME, "image-alt"): 1}),
        Counter(),
        Counter({(HOME, "image-alt"): 1}),
    ]
    assert site.rows() == 1  # one stretch over the failed night, which it does not hold


def test_a_page_recorded_again_in_its_run_holds_only_the_last_attempt(
    repository: Repository,
) -> None:
    site = Site(repository)
    first, second = site.start(), site.start()
    site.audited(first, HOME, [ALT, LABEL])
    site.audited(second, HOME, [ALT, LABEL, CONTRAST])
    site.audited(second, HOME, [ALT])  # a Celery retry, or a resumed run
    assert site.held(first) == Counter({(HOME, "image-alt"): 1, (HOME, "label"): 1})
    assert site.held(second) == Counter({(HOME, "image-alt"): 1})
    site.failed(second, HOME)  # and a last attempt that failed
    assert site.held(second) == Counter()
    assert site.held(first) == Counter({(HOME, "image-alt"): 1, (HOME, "label"): 1})


def test_an_older_run_resumed_after_a_newer_one_splits_the_stretch(
    repository: Repository,
) -> None:
    site = Site(repository)
    first, interrupted, third = site.start(), site.start(), site.start()
    site.audited(first, HOME, [ALT])
    repository.add_pending_page(interrupted, SERVICE, HOME)  # found, never visited
    site.carried(third, HOME, first)  # the stretch now runs from the first to the third
    assert [site.held(r) for r in (first, interrupted, third)] == [
        Counter({(HOME, "image-alt"): 1}),
        Counter(),
        Counter({(HOME, "image-alt"): 1}),
    ]
    site.audited(interrupted, HOME, [LABEL])  # ``--resume``: the page had changed then
    assert [site.held(r) for r in (first, interrupted, third)] == [
        Counter({(HOME, "image-alt"): 1}),
        Counter({(HOME, "label"): 1}),
        Counter({(HOME, "image-alt"): 1}),
    ]
    site.audited(interrupted, HOME, [ALT])  # once more, as it was: one stretch again
    assert [site.held(r) for r in (first, interrupted, third)] == [
        Counter({(HOME, "image-alt"): 1})
    ] * 3


def test_the_same_finding_twice_on_a_page_is_counted_twice(repository: Repository) -> None:
    site = Site(repository)
    runs = [site.start() for _ in range(3)]
    site.audited(runs[0], HOME, [ALT, ALT])
    site.carried(runs[1], HOME, runs[0])
    site.audited(runs[2], HOME, [ALT])
    assert [site.held(r)[(HOME, "image-alt")] for r in runs] == [2, 2, 1]
    assert site.rows() == 2


def test_checks_run_again_on_a_carried_page_replace_their_findings(
    repository: Repository,
) -> None:
    site = Site(repository)
    first, second = site.start(), site.start()
    site.audited(first, HOME, [ALT, LINK])
    site.carried(second, HOME, first, fresh=[], rechecked=("links",))  # the link was mended
    assert site.held(second) == Counter({(HOME, "image-alt"): 1})
    assert site.held(first) == Counter({(HOME, "image-alt"): 1, (HOME, "broken-link"): 1})


def test_service_check_and_journey_findings_belong_to_their_run_alone(
    repository: Repository,
) -> None:
    site = Site(repository)
    first, second = site.start(), site.start()
    site.audited(first, HOME, [ALT])
    statement = FindingData(check="statement", rule="statement-missing", message="none")
    repository.replace_check_findings(first, SERVICE, "statement", {site.pages[HOME]: [statement]})
    journey = FindingData(
        check="axe", rule="label", message="x", journey_id="report", journey_step=2
    )
    repository.add_journey_findings(first, site.pages[FORM], SERVICE, [journey])
    # The service phase of the next run judges the statement again: it is not carried.
    site.carried(second, HOME, first, rechecked=("links", "statement", "page-titles"))
    assert site.held(first) == Counter(
        {(HOME, "image-alt"): 1, (HOME, "statement-missing"): 1, (FORM, "label"): 1}
    )
    assert site.held(second) == Counter({(HOME, "image-alt"): 1})
    # Replacing the statement's findings of the first run leaves the page's stretch alone.
    repository.replace_check_findings(first, SERVICE, "statement", {})
    assert site.held(first) == Counter({(HOME, "image-alt"): 1, (FORM, "label"): 1})
    assert site.held(second) == Counter({(HOME, "image-alt"): 1})


def test_the_issue_lifecycle_and_what_changed_on_stretches(repository: Repository) -> None:
    site = Site(repository)
    first = site.start()
    site.audited(first, HOME, [ALT])
    site.audited(first, FORM, [ALT])
    site.finish(first)
    (new,) = repository.issues(service_id=SERVICE)
    issue: Issue | None = new
    assert issue is not None and (issue.status, issue.pages_affected) == ("new", 2)
    assert [i.rule for i in repository.read.issues.run_changes(SERVICE, first).broke] == [
        "image-alt"
    ]

    second = site.start()
    site.carried(second, HOME, first)
    site.carried(second, FORM, first)
    site.finish(second)
    issue = repository.issue(issue.id or 0)
    assert issue is not None and (issue.status, issue.pages_affected) == ("open", 2)
    changes = repository.read.issues.run_changes(SERVICE, second)
    assert changes.broke == [] and changes.fixed == []
    assert site.rows() == 2
    with repository.session() as session:
        tied = session.execute(select(col(Finding.issue_id)).distinct()).scalars().all()
    assert tied == [issue.id]

    third = site.start()
    site.audited(third, HOME, [])  # mended on one page only
    site.carried(third, FORM, second)
    site.finish(third)
    issue = repository.issue(issue.id or 0)
    assert issue is not None and (issue.status, issue.pages_affected) == ("open", 1)

    fourth = site.start()
    site.audited(fourth, HOME, [])
    site.audited(fourth, FORM, [])
    site.finish(fourth)
    issue = repository.issue(issue.id or 0)
    assert issue is not None and (issue.status, issue.fixed_run_id) == ("fixed", fourth)
    assert [i.rule for i in repository.read.issues.run_changes(SERVICE, fourth).fixed] == [
        "image-alt"
    ]

    fifth = site.start()
    site.audited(fifth, FORM, [ALT])
    site.finish(fifth)
    issue = repository.issue(issue.id or 0)
    assert issue is not None and (issue.status, issue.reopened_count) == ("reopened", 1)
    assert repository.issue_page_urls(issue.id or 0) == [FORM]
    assert [p["page"] for p in repository.issue_pages(issue.id or 0)] == [FORM]


def test_a_check_that_could_not_judge_leaves_its_issue_open(repository: Repository) -> None:
    site = Site(repository)
    first, second = site.start(), site.start()
    site.audited(first, HOME, [ALT])
    site.finish(first)
    errors = [{"check": "axe", "kind": "timeout", "message": "did not finish"}]
    site.audited(second, HOME, [], check_errors=errors)
    site.finish(second)
    assert site.held(second) == Counter()
    (issue,) = repository.issues(service_id=SERVICE)
    assert (issue.status, issue.pages_affected) == ("new", 1)


def test_trends_per_run_come_from_the_runs_summaries(repository: Repository) -> None:
    site = Site(repository)
    first = site.start()
    site.audited(first, HOME, [ALT])  # critical: not clean
    site.audited(first, FORM, [])
    repository.save_brand_result(first, site.pages[HOME], SERVICE, {"score": 100, "rules": {}})
    site.finish(first)
    second = site.start()
    site.carried(second, HOME, first)
    site.failed(second, FORM)
    repository.carry_brand_result(first, second, site.pages[HOME])
    site.finish(second)
    counts = {
        pair: asdict(c)
        for pair, c in repository.read.runs.page_counts(
            [(SERVICE, first), (SERVICE, second)]
        ).items()
    }
    assert counts[(SERVICE, first)] == {
        "judged": 2,
        "clean": 1,
        "carried": 0,
        "checked": 1,
        "passed": 1,
    }
    assert counts[(SERVICE, second)] == {
        "judged": 1,
        "clean": 0,
        "carried": 1,
        "checked": 1,
        "passed": 1,
    }
    trend = [
        (p.run_id, p.judged, p.clean, p.brand_checked)
        for p in repository.read.runs.audit_trend(runs=5, service_id=SERVICE)
    ]
    assert trend == [(first, 2, 1, 1), (second, 1, 0, 1)]
    recent = repository.read.runs.latest_audits(per_service=2)
    assert {s: [ref.run_id for ref in refs] for s, refs in recent.items()} == {
        SERVICE: [second, first]
    }


def test_a_carried_result_is_stored_compactly_and_read_whole(repository: Repository) -> None:
    site = Site(repository)
    first, second, third = site.start(), site.start(), site.start()
    site.audited(first, HOME, [])
    site.carried(second, HOME, first)
    site.carried(third, HOME, second)
    with repository.session() as session:
        stored = {
            r.run_id: r for r in session.execute(select(PageResult)).scalars() if r.run_id > first
        }
    # Both point at the audited visit, and keep none of its details themselves.
    assert {r.carried_from_run_id for r in stored.values()} == {first}
    assert all(r.title is None and r.facts is None for r in stored.values())
    (read,) = repository.page_results(third)
    assert (read.title, read.final_url, read.status) == (f"Title of {HOME}", HOME, "carried")
    assert repository.recorded_pages(third, SERVICE) == [
        (
            HOME,
            "html",
            f"Title of {HOME}",
            {"statement_links": [f"{HOME}/accessibility"], "documents": []},
        )
    ]
    _, last = repository.page_and_last_visit(site.pages[HOME], third + 1)
    assert last is not None and last.run_id == third and last.title == f"Title of {HOME}"


def test_a_carried_page_whose_details_changed_keeps_them(repository: Repository) -> None:
    site = Site(repository)
    first, second = site.start(), site.start()
    site.audited(first, HOME, [])
    repository.record_carried_page(
        PageResult(
            run_id=second,
            page_id=site.pages[HOME],
            service_id=SERVICE,
            status=PageStatus.carried,
            title="A new title",
            final_url=HOME,
        ),
        first,
        [],
        ("links",),
    )
    (read,) = repository.page_results(second)
    assert (read.title, read.carried_from_run_id) == ("A new title", None)


def test_a_carried_brand_result_reads_the_details_of_the_run_that_judged_it(
    repository: Repository,
) -> None:
    site = Site(repository)
    runs = [site.start() for _ in range(3)]
    details = site.brand_judged(runs[0], HOME)
    repository.carry_brand_result(runs[0], runs[1], site.pages[HOME])
    repository.carry_brand_result(runs[1], runs[2], site.pages[HOME])
    with repository.session() as session:
        kept = [
            r.details
            for r in session.execute(
                select(BrandResult).order_by(col(BrandResult.run_id))
            ).scalars()
        ]
    assert kept[1:] == [{"carried_from_run": runs[0]}] * 2
    carried = repository.brand_result(runs[2], site.pages[HOME])
    assert carried is not None and carried.rules == {"logo": False}
    assert carried.details == {**details, "carried_from_run": runs[0]}
    assert repository.rules_failed_most(SERVICE, runs[2]) == [("logo", 1)]


def carried_visit(site: Site, run_id: int, url: str, previous: int, **extra: Any) -> CarriedVisit:
    return CarriedVisit(
        PageResult(
            run_id=run_id,
            page_id=site.pages[url],
            service_id=SERVICE,
            status=PageStatus.carried,
            title=f"Title of {url}",
            final_url=url,
            facts={"statement_links": [f"{url}/accessibility"], "documents": []},
        ),
        previous,
        rechecked=("links", "statement", "page-titles"),
        carry_brand=True,
        **extra,
    )


def stored_run(repository: Repository, site: Site, run_id: int) -> dict[str, Any]:
    return {
        "held": site.held(run_id),
        "results": sorted(
            (r.page_id, r.status, r.serious_count, r.title, r.final_url, str(r.facts))
            for r in repository.page_results(run_id)
        ),
        "brand": sorted(
            (b.page_id, b.score, b.passed, sorted(b.rules.items()), str(b.details))
            for b in repository.brand_results(run_id)
        ),
    }


def test_carried_pages_recorded_in_one_batch_are_stored_as_one_by_one(
    repository: Repository,
) -> None:
    site = Site(repository)
    first, batched, single = site.start(), site.start(), site.start()
    site.audited(first, HOME, [ALT, CONTRAST])
    site.audited(first, FORM, [LABEL, LINK])
    for url in (HOME, FORM):
        repository.save_brand_result(
            first, site.pages[url], SERVICE, {"score": 90, "rules": {"logo": url == HOME}}
        )
    rows = site.rows()
    # HOME as it was; FORM's link check ran again and found the link still broken.
    repository.record_carried_pages(
        [
            carried_visit(site, batched, HOME, first),
            carried_visit(site, batched, FORM, first, fresh=[LINK]),
        ]
    )
    for url, fresh in ((HOME, []), (FORM, [LINK])):
        visit = carried_visit(site, single, url, batched, fresh=fresh)
        repository.record_carried_page(
            visit.result,
            visit.previous_run_id,
            visit.fresh,
            visit.rechecked,
            carry_brand=True,
        )
    expected = Counter(
        {
            (HOME, "image-alt"): 1,
            (HOME, "color-contrast"): 1,
            (FORM, "label"): 1,
            (FORM, "broken-link"): 1,
        }
    )
    as_batched, as_single = (
        stored_run(repository, site, batched),
        stored_run(repository, site, single),
    )
    assert as_batched["held"] == expected
    assert as_batched == as_single
    assert site.rows() == rows  # stretched, nothing copied
    with repository.session() as session:
        compact = (
            session.execute(
                select(col(PageResult.carried_from_run_id)).where(col(PageResult.run_id) == batched)
            )
            .scalars()
            .all()
        )
    assert compact == [first, first]
    # A second attempt at the batch (a retry) leaves one copy of everything.
    repository.record_carried_pages(
        [
            carried_visit(site, batched, HOME, first),
            carried_visit(site, batched, FORM, first, fresh=[LINK]),
        ]
    )
    assert stored_run(repository, site, batched) == as_batched and site.rows() == rows


def test_carried_batches_write_every_page_handed_over_and_report_a_failure(
    repository: Repository,
) -> None:
    site = Site(repository)
    first, second = site.start(), site.start()
    site.audited(first, HOME, [ALT])
    site.audited(first, FORM, [LABEL])

    async def hand_over(batches: CarriedBatches, visits: list[CarriedVisit]) -> None:
        batches.start()
        for visit in visits:
            await batches.add(visit)
        await batches.close()

    visits = [carried_visit(site, second, url, first) for url in (HOME, FORM)]
    asyncio.run(hand_over(CarriedBatches(repository, size=1), visits))
    assert site.held(second) == Counter({(HOME, "image-alt"): 1, (FORM, "label"): 1})

    class Broken(Repository):
        def record_carried_pages(self, visits: Any) -> None:
            raise RuntimeError("the disk is full")

    broken = Broken(engine=repository.engine)
    with pytest.raises(RuntimeError, match="the disk is full"):
        asyncio.run(hand_over(CarriedBatches(broken), visits))
