"""The checks beyond axe on real headless Chromium, in both engines: every rule finds its
barrier with the right criteria and outcome, the same pattern done right is not flagged, the
well-built test page and the demo's clean service raise nothing, and the scan is one call."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawlers.base import FindingData
from crawlers.check import PageCheck
from crawlers.checks import page_checks
from crawlers.checks._scan import RULES, page_scan
from crawlers.checks.interaction import CHECK as INTERACTION
from crawlers.checks.language_of_parts import CHECK as LANGUAGE_OF_PARTS
from demo import DemoSite
from tests.crawlers.checks.barriers import (
    BARRIERS,
    INTERACTION_BARRIERS,
    INTERACTION_WELL_BUILT,
    WELL_BUILT,
    barrier_page,
    well_built_page,
)
from tests.crawlers.checks.conftest import (
    Browser,
    LocalSite,
    demo_html_pages,
    demo_session,
    demo_url,
    start_browser,
    stop_browser,
)
from tests.crawlers.checks.pages import ACCESSIBLE

pytestmark = pytest.mark.browser

#: The checks that read the shared scan (they only read the page).
SCAN_CHECKS: list[PageCheck] = [c for c in page_checks() if c.order == 45]
BEYOND_AXE: list[PageCheck] = [
    c for c in page_checks() if c.name not in ("axe", "links", "branding")
]


@pytest.fixture(scope="module", params=["playwright", "selenium"])
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    started = start_browser(request.param)
    yield started
    stop_browser(started)


def outcomes(found: list[FindingData]) -> set[tuple[str, tuple[str, ...], str]]:
    return {(f.rule, f.wcag, f.outcome) for f in found}


def test_the_scan_checks_are_found_and_each_rule_belongs_to_one() -> None:
    names = {c.name for c in SCAN_CHECKS}
    assert {
        "text-alternatives",
        "media",
        "info-and-relationships",
        "forms",
        "use-of-colour",
        "moving-content",
        "widgets",
        "language-of-parts",
    } == names
    assert {rule.check for rule in RULES.values()} <= names
    # Every rule of the scan has a barrier page among the cases (or its review twin does).
    covered = {rule for _, _, expected in BARRIERS for rule, _, _ in expected}
    for rule_id in RULES:
        assert (
            rule_id in covered
            or rule_id.removesuffix("-review") in covered
            or (rule_id + "-review" in covered)
        ), rule_id


@pytest.mark.parametrize("case", BARRIERS, ids=[c[0] for c in BARRIERS])
def test_each_barrier_is_found_with_its_criteria(
    browser: Browser,
    local_site: LocalSite,
    case: tuple[str, str, set[tuple[str, tuple[str, ...], str]]],
) -> None:
    case_id, body, expected = case
    outcome = browser.outcome(
        SCAN_CHECKS, local_site.add(f"/beyond/{case_id}", barrier_page(case_id, body))
    )
    assert not outcome.check_errors, outcome.check_errors
    assert outcomes(outcome.findings) == expected
    for finding in outcome.findings:
        assert finding.message and finding.impact in ("minor", "moderate", "serious", "critical")
        assert finding.help_url and finding.help_url.startswith("https://www.w3.org/WAI/WCAG22/")
        if finding.outcome == "needs_review":
            assert "?" in finding.message, finding.message  # a question a person can answer


@pytest.mark.parametrize("case", WELL_BUILT, ids=[c[0] for c in WELL_BUILT])
def test_the_same_patterns_done_right_are_not_flagged(
    browser: Browser, local_site: LocalSite, case: tuple[str, str]
) -> None:
    case_id, body = case
    outcome = browser.outcome(
        SCAN_CHECKS, local_site.add(f"/right/{case_id}", well_built_page(case_id, body))
    )
    assert not outcome.check_errors, outcome.check_errors
    assert outcome.findings == []


@pytest.mark.parametrize("case", INTERACTION_BARRIERS, ids=[c[0] for c in INTERACTION_BARRIERS])
def test_changes_of_context_and_mouse_only_content_are_found(
    browser: Browser,
    local_site: LocalSite,
    case: tuple[str, str, set[tuple[str, tuple[str, ...], str]]],
) -> None:
    case_id, body, expected = case
    url = local_site.add(f"/acts/{case_id}", barrier_page(case_id, body))
    found, still = browser.checks_then(INTERACTION, url, "() => location.pathname")
    assert outcomes(found) == expected
    assert still == f"/acts/{case_id}"  # the navigation it provoked was cancelled


@pytest.mark.parametrize("case", INTERACTION_WELL_BUILT, ids=[c[0] for c in INTERACTION_WELL_BUILT])
def test_fields_that_change_nothing_and_menus_that_open_on_focus_pass(
    browser: Browser, local_site: LocalSite, case: tuple[str, str]
) -> None:
    case_id, body = case
    assert (
        browser.check(
            INTERACTION, local_site.add(f"/calm/{case_id}", well_built_page(case_id, body))
        )
        == []
    )


def test_the_accessible_page_raises_nothing_beyond_axe(
    browser: Browser, local_site: LocalSite
) -> None:
    outcome = browser.outcome(BEYOND_AXE, local_site.add("/beyond/accessible", ACCESSIBLE))
    assert not outcome.check_errors, outcome.check_errors
    assert outcome.findings == []


def test_the_scan_is_one_call_shared_by_every_check(
    browser: Browser, local_site: LocalSite
) -> None:
    url = local_site.add("/beyond/shared", barrier_page("alt-generic", BARRIERS[1][1]))

    async def visit() -> tuple[int, int]:
        async with browser.engine.open(url) as page:
            calls = 0
            evaluate = page.evaluate

            async def counted(script: str, arg: object = None) -> object:
                nonlocal calls
                calls += 1
                return await evaluate(script, arg)

            page.evaluate = counted  # type: ignore[method-assign]
            first = await page_scan(page)
            for check in SCAN_CHECKS:
                if check is not LANGUAGE_OF_PARTS:
                    await check.run(page, browser.context())
            assert await page_scan(page) is first
            return calls, len(first["found"])

    calls, found = browser.run(visit())
    assert (calls, found) == (1, 1)


def test_the_demo_raises_nothing_beyond_axe_but_its_seeded_defects(
    browser: Browser, demo: DemoSite
) -> None:
    seeded = {(d.path, d.rule) for d in demo.manifest.defects if d.check == "keyboard"}
    found = set()
    session = demo_session(demo)  # the account area, seen signed in
    entries = {p.path: p for p in demo.manifest.pages}
    for host, path, _service in demo_html_pages(demo):
        entry = entries[path]
        outcome = browser.outcome(
            BEYOND_AXE,
            demo_url(demo, host, path),
            session=session if entry.access == "signed-in" else None,
            app=entry.route,
        )
        assert entry.access != "signed-in" or "/sign-in" not in (outcome.final_url or "")
        assert not outcome.check_errors, (path, outcome.check_errors)
        for f in outcome.violations:
            found.add((path, f.rule))
    # The supplier's pages have no statement link (the manifest's footer-links defect).
    statement = {
        (p, "statement-link-missing") for h, p, _ in demo_html_pages(demo) if h == "supplier"
    }
    assert found == seeded | statement
