"""The page pipeline on the fake engine (no browser): checks fail alone, what does not
apply is skipped saying why, an unchanged page runs only its rechecks, journey findings
are tied to their step. The real-browser side of the same rules: test_pipeline.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from crawlers.base import FindingData, LoadedPage, PageError
from crawlers.check import CheckReport, DocumentKind, PageCheck
from crawlers.checks._inpage import script
from crawlers.checks.axe import CHECK as AXE
from crawlers.checks.links import CHECK as LINKS
from crawlers.checks.page_structure import CHECK as PAGE_STRUCTURE
from crawlers.context import JourneyStep, PageContext, RunContext
from crawlers.engines.fake import FakeDocument, FakeEngine
from crawlers.pipeline import PageOutcome, PreviousVisit, audit_address
from monitor.settings import Settings
from tests.servers import served

URL = "https://www.example.gov.uk/report-a-pothole"
PAGE = """<!DOCTYPE html><html lang="en"><head><title>Report a pothole</title></head>
<body><main><h1>Report a pothole</h1><img src="/hole.png">
<a href="/report-a-pothole/start">Start now</a>
<a href="/accessibility">Accessibility statement</a>
<a href="/forms/pothole.pdf">Report form (PDF)</a></main></body></html>"""
IMAGE_ALT = {
    "id": "image-alt",
    "tags": ["wcag2a", "wcag111"],
    "impact": "critical",
    "help": "Images must have alternative text",
    "helpUrl": "https://dequeuniversity.com/rules/axe/4.12/image-alt",
    "nodes": [{"target": ["img"], "html": '<img src="/hole.png">', "impact": "critical"}],
}


class Boom(PageCheck):
    name = "boom"
    version = "1"
    order = 20

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        raise ValueError("a bug in a check")


class Rechecked(PageCheck):
    """A check that re-judges unchanged pages, and counts how often it ran."""

    name = "rechecked"
    version = "1"
    recheck_unchanged = True
    runs = 0

    async def run(self, page: LoadedPage, context: PageContext) -> CheckReport:
        Rechecked.runs += 1
        return CheckReport([FindingData(check=self.name, rule="seen", message="seen")])


def structure_answer(arg: Any) -> dict[str, Any]:
    """What page-structure's in-page script would say about PAGE (a skipped heading
    level would be an h3 here; this page has none)."""
    return {
        "title": "Report a pothole",
        "lang": "en",
        "text": "Report a pothole",
        "headings": [{"level": 1, "text": "Report a pothole", "selector": "h1", "snippet": ""}],
        "links": [
            {"href": "/accessibility", "name": "Accessibility statement", "context": ""},
        ],
        "labelless": [],
    }


def outcome(
    document: FakeDocument,
    checks: list[PageCheck],
    *,
    previous: PreviousVisit | None = None,
    journey: JourneyStep | None = None,
    run: RunContext | None = None,
) -> PageOutcome:
    engine = FakeEngine(Settings(), {URL: document})
    context = (run or RunContext(settings=Settings())).for_page(
        service_id="report-a-pothole", journey=journey
    )
    return asyncio.run(audit_address(engine, URL, checks, context, previous=previous))


def test_a_check_that_raises_is_that_checks_error_and_the_others_findings_stay() -> None:
    page = FakeDocument(
        PAGE, axe={"violations": [IMAGE_ALT]}, answers={script("page_structure"): structure_answer}
    )
    found = outcome(page, [AXE, Boom(), PAGE_STRUCTURE])
    assert found.status == "audited"
    assert [(f.check, f.rule) for f in found.findings] == [("axe", "image-alt")]
    assert [(e.check, e.kind, e.message) for e in found.check_errors] == [
        ("boom", "error", "ValueError: a bug in a check")
    ]
    assert found.ran == ["axe", "page-structure"]


def test_the_pipeline_reads_links_statement_links_and_documents_from_the_page() -> None:
    found = outcome(FakeDocument(PAGE), [])
    assert found.links == [
        "https://www.example.gov.uk/report-a-pothole/start",
        "https://www.example.gov.uk/accessibility",
        "https://www.example.gov.uk/forms/pothole.pdf",
    ]
    assert found.statement_links == ["https://www.example.gov.uk/accessibility"]
    assert found.documents == ["https://www.example.gov.uk/forms/pothole.pdf"]
    assert found.facts() == {
        "statement_links": ["https://www.example.gov.uk/accessibility"],
        "documents": ["https://www.example.gov.uk/forms/pothole.pdf"],
    }


def test_what_does_not_apply_or_lacks_what_it_needs_is_skipped_saying_why() -> None:
    svg = FakeDocument("<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml")
    found = outcome(svg, [AXE, PAGE_STRUCTURE, LINKS])
    assert found.kind is DocumentKind.svg and found.status == "audited"
    assert found.skipped == {
        "page-structure": "an SVG image: the page-structure check does not apply to it",
        "links": "needs http, which this run does not have",  # no HTTP client given
    }
    assert found.ran == ["axe"]


def test_an_http_error_or_a_page_that_cannot_load_is_the_pages_failure() -> None:
    missing = outcome(FakeDocument("<title>Gone</title>", status=404), [AXE])
    assert (missing.status, missing.error_kind, missing.ran) == ("failed", "http-error", [])
    broken = FakeDocument("", error=PageError("dns", "the server's name could not be found"))
    failed = outcome(broken, [AXE])
    assert (failed.status, failed.error_kind) == ("failed", "dns")
    assert failed.error == "the server's name could not be found"


def test_an_unchanged_page_runs_only_the_checks_that_recheck() -> None:
    from crawlers.revalidation import ResourceHashes

    Rechecked.runs = 0
    page = FakeDocument(PAGE, axe={"violations": [IMAGE_ALT]})

    async def twice() -> tuple[PageOutcome, PageOutcome]:
        import httpx

        from crawlers.discovery import HostPolicy

        settings = Settings()
        async with httpx.AsyncClient() as client:
            run = RunContext(
                settings=settings, resource_hashes=ResourceHashes(HostPolicy(settings, client))
            )
            engine = FakeEngine(settings, {URL: page})
            context = run.for_page(service_id="s")
            first = await audit_address(engine, URL, [AXE, Rechecked()], context)
            same = PreviousVisit(first.fingerprint, judged_alike=True)
            second = await audit_address(engine, URL, [AXE, Rechecked()], context, previous=same)
            return first, second

    first, second = asyncio.run(twice())
    assert first.status == "audited" and first.fingerprint
    assert second.status == "carried" and second.fingerprint == first.fingerprint
    assert second.ran == ["rechecked"]  # axe's findings are carried by the recorder
    assert Rechecked.runs == 2


@pytest.mark.parametrize("journey", [JourneyStep("report-a-pothole", 3)])
def test_findings_on_a_journey_step_are_tied_to_it(journey: JourneyStep) -> None:
    found = outcome(FakeDocument(PAGE, axe={"violations": [IMAGE_ALT]}), [AXE], journey=journey)
    assert [(f.journey_id, f.journey_step) for f in found.findings] == [("report-a-pothole", 3)]


def _links_outcome(answers: dict[str, int]) -> PageOutcome:
    """The links check on a fake page whose links point at a real local server answering
    ``answers[path]`` (404 for the rest)."""
    from http.server import BaseHTTPRequestHandler

    import httpx

    from crawlers.discovery import HostPolicy

    class Answers(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.send_response(answers.get(self.path, 404))
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    page = FakeDocument(
        '<html lang="en"><title>Bins</title><main><h1>Bins</h1>'
        '<a href="/collections">Collection days</a><a href="/fees">Fees</a></main></html>'
    )

    async def audit(base: str) -> PageOutcome:
        settings = Settings()
        async with httpx.AsyncClient() as client:
            run = RunContext(settings=settings, http=HostPolicy(settings, client))
            engine = FakeEngine(settings, {f"{base}/bins": page})
            return await audit_address(
                engine, f"{base}/bins", [LINKS], run.for_page(service_id="s")
            )

    with served(Answers) as base:
        return asyncio.run(audit(base))


def test_a_link_answering_a_server_error_is_broken_while_the_site_answers() -> None:
    found = _links_outcome({"/bins": 200, "/robots.txt": 404, "/collections": 200, "/fees": 500})
    assert found.status == "audited"
    assert [(f.rule, f.key) for f in found.findings] == [("broken-link", found.url[:-5] + "/fees")]


def test_server_errors_from_a_site_going_down_blame_no_link(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The 503s are retried with back-off; the waits are asked for but not waited.
    real_sleep = asyncio.sleep
    asked: list[float] = []

    async def record(delay: float) -> None:
        asked.append(delay)
        await real_sleep(0)

    monkeypatch.setattr("crawlers.discovery.asyncio.sleep", record)
    # The page was served, then every address of the site answers 503 (a gateway that
    # lost the server): the links check could not judge (its issues stay as they were),
    # and no link is called broken.
    found = _links_outcome({"/robots.txt": 404, "/collections": 503, "/fees": 503, "/bins": 503})
    assert found.findings == [] and "links" not in found.ran
    [error] = found.check_errors
    assert (error.check, error.kind) == ("links", "connection")
    assert "stopped answering" in error.message and "HTTP 503" in error.message
    assert asked and min(asked) > 0
