"""The page pipeline in both engines: checks fail alone, documents that are not web pages
are judged by the checks that apply to them, and the outcome says what was skipped."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from crawlers.base import FindingData, LoadedPage
from crawlers.check import DocumentKind, PageCheck
from crawlers.checks import page_checks
from crawlers.checks.axe import CHECK as AXE
from crawlers.checks.page_structure import CHECK as PAGE_STRUCTURE
from crawlers.context import PageContext
from tests.crawlers.checks.conftest import Browser, LocalSite, start_browser, stop_browser

pytestmark = pytest.mark.browser

PAGE = """<!DOCTYPE html><html lang="en"><head><title>Report a pothole - Council</title></head>
<body><main><h1>Report a pothole</h1><img src="/pothole.png" id="no-alt">
<h3>Skipped a level</h3></main></body></html>"""
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="80">
<a href="/missing-page"><text x="10" y="20">Where potholes are</text></a></svg>"""
XML = """<?xml version="1.0"?><feed><entry><title>Pothole repairs</title></entry></feed>"""


class Throwing(PageCheck):
    """A check with a bug: it raises whatever the page."""

    name = "throwing"
    version = "1"
    order = 20

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        raise RuntimeError("a bug in the check")


class Slow(PageCheck):
    """A check that never finishes in time."""

    name = "slow"
    version = "1"
    order = 25

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        await asyncio.sleep(30)
        return []


@pytest.fixture(scope="module")
def local_site() -> Iterator[LocalSite]:
    site = LocalSite()
    yield site
    site.close()


@pytest.fixture(scope="module", params=["playwright", "selenium"])
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    started = start_browser(request.param)
    started.settings.check_time_limit_seconds = 1.0
    yield started
    stop_browser(started)


def test_a_check_that_throws_or_overruns_keeps_the_other_checks_findings(
    browser: Browser, local_site: LocalSite
) -> None:
    url = local_site.add("/pipeline/page", PAGE)
    outcome = browser.outcome([AXE, Throwing(), Slow(), PAGE_STRUCTURE], url)
    assert outcome.status == "audited" and outcome.error is None
    rules = {(f.check, f.rule) for f in outcome.findings}
    assert ("axe", "image-alt") in rules
    assert ("page-structure", "heading-skipped-level") in rules
    errors = {(e.check, e.kind) for e in outcome.check_errors}
    assert errors == {("throwing", "error"), ("slow", "timeout")}
    assert "a bug in the check" in outcome.check_errors[0].message
    assert outcome.ran == ["axe", "page-structure"]  # what judged the page
    assert set(outcome.check_ms) == {"axe", "throwing", "slow", "page-structure"}


def test_an_svg_image_opened_as_a_page_is_judged_by_the_checks_that_apply(
    browser: Browser, local_site: LocalSite
) -> None:
    url = local_site.add("/pipeline/map.svg", SVG, "image/svg+xml")
    outcome = browser.outcome(page_checks(), url)
    assert outcome.status == "audited" and outcome.error is None, outcome.error
    assert outcome.kind is DocumentKind.svg
    assert outcome.check_errors == []
    assert outcome.ran == ["axe", "links"]
    # Its link is a link like any other: followed, and found broken.
    assert local_site.base_url + "/missing-page" in outcome.links
    assert ("links", "broken-link") in {(f.check, f.rule) for f in outcome.findings}
    assert outcome.skipped["page-structure"] == (
        "an SVG image: the page-structure check does not apply to it"
    )


def test_an_xml_document_is_audited_without_a_page_failure_saying_what_was_skipped(
    browser: Browser, local_site: LocalSite
) -> None:
    url = local_site.add("/pipeline/feed.xml", XML, "application/xml")
    outcome = browser.outcome(page_checks(), url)
    assert outcome.status == "audited" and outcome.error is None
    assert outcome.kind is DocumentKind.xml
    assert outcome.findings == [] and outcome.check_errors == [] and outcome.ran == []
    assert set(outcome.skipped) == {c.name for c in page_checks()}
    assert all(reason.startswith("an XML document") for reason in outcome.skipped.values())


def test_a_check_needing_what_the_run_lacks_is_skipped_saying_so(
    browser: Browser, local_site: LocalSite
) -> None:
    url = local_site.add("/pipeline/plain", PAGE)
    (branding,) = [c for c in page_checks() if c.name == "branding"]
    outcome = browser.outcome([branding], url)  # the browser fixture's run has no brand rules
    assert outcome.ran == [] and outcome.check_errors == []
    assert outcome.skipped == {"branding": "needs brand, which this run does not have"}
