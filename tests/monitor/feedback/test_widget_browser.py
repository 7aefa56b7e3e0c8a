"""The widget and the no-JavaScript form in a real headless Chromium.

The demo council site embeds the widget when given the collector's address; a tiny page of
our own, served with a strict Content-Security-Policy, embeds it on a service's end page.
axe-core (the product's one copy) checks the widget closed and open: zero violations.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from crawlers.axe_source import axe_script
from tests.monitor.feedback.conftest import Collector

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def demo_site(collector: Collector) -> Iterator[str]:
    from demo import DemoSite

    site = DemoSite(port=0, feedback_url=collector.base_url).start()
    yield site.base_url
    site.stop()


@pytest.fixture(scope="module")
def end_page(collector: Collector) -> Iterator[str]:
    """A service's end page of our own, with a strict CSP that allows only the collector."""
    collector_url = collector.base_url
    html = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Pothole reported - Example County Council</title></head>
<body><main><h1>Pothole reported</h1>
<div class="dx-feedback" data-service="report-a-pothole" data-page="/report-a-pothole/done"
 data-end-page><p><a href="{collector_url}/feedback?service=report-a-pothole&amp;\
page=/report-a-pothole/done">Give feedback</a></p>
</div></main>
<script src="{collector_url}/widget.js" defer></script></body></html>""".encode()
    csp = (
        f"default-src 'self'; script-src {collector_url}; style-src {collector_url}; "
        f"connect-src {collector_url}; form-action {collector_url}"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", csp)
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/report-a-pothole/done"
    server.shutdown()
    server.server_close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol, so the page's own CSP does not block it.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    result: dict[str, Any] = page.evaluate(
        """async (tags) => await axe.run({include: [['.dx-feedback']]},
                                         {runOnly: {type: 'tag', values: tags}})""",
        AXE_TAGS,
    )
    return [{"id": v["id"], "nodes": [n["html"] for n in v["nodes"]]} for v in result["violations"]]


@contextmanager
def opened(browser: Browser, **options: Any) -> Iterator[tuple[Page, list[str]]]:
    """A page in a fresh browser context, and the Content Security Policy errors its
    console reports (the widget must need no inline script or style)."""
    context = browser.new_context(**options)
    page = context.new_page()
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        yield page, csp_errors
    finally:
        context.close()


def test_no_then_report_a_problem_is_stored_and_announced(
    browser: Browser, demo_site: str, collector: Collector
) -> None:
    with opened(browser) as (page, csp_errors):
        page.goto(f"{demo_site}/report-a-pothole/location")
        widget = page.locator(".dx-feedback")
        no = widget.get_by_role("button", name="No this page is not useful")
        expect(no).to_be_visible()
        assert axe_violations(page) == []  # closed

        before = collector.repository.count_feedback()
        no.click()
        heading = widget.get_by_role("heading", name="Help us improve this page")
        expect(heading).to_be_focused()
        assert axe_violations(page) == []  # open

        # Keyboard only from here: Tab to each field, type, and send with Enter on the button.
        page.keyboard.press("Tab")
        expect(widget.get_by_label("What were you doing?")).to_be_focused()
        page.keyboard.type("Reporting a pothole near ME14 1XQ")
        page.keyboard.press("Tab")
        expect(widget.get_by_label("What went wrong?")).to_be_focused()
        page.keyboard.type("The map would not load; call me on 07700 900123")
        page.keyboard.press("Tab")
        expect(widget.get_by_role("button", name="Send", exact=True)).to_be_focused()
        page.keyboard.press("Enter")

        status = widget.get_by_role("status")
        expect(status).to_have_text("Thank you for your feedback")
        assert status.get_attribute("aria-live") == "polite"
        assert axe_violations(page) == []  # after sending
        rows = collector.repository.feedback(service_id="report-a-pothole", limit=2)
        problem = next(r for r in rows if r.kind == "problem")
        assert problem.page_path == "/report-a-pothole/location"
        assert problem.what_doing == "Reporting a pothole near [postcode]"
        assert problem.what_wrong == "The map would not load; call me on [phone]"
        assert problem.source == "widget"
        assert any(r.kind == "page_useful" and r.useful is False for r in rows)
        assert collector.repository.count_feedback() == before + 2
        assert csp_errors == []


def test_an_empty_problem_report_is_explained_not_sent(
    browser: Browser, demo_site: str, collector: Collector
) -> None:
    with opened(browser) as (page, _):
        page.goto(f"{demo_site}/join-the-library")
        widget = page.locator(".dx-feedback")
        widget.get_by_role("button", name="Report a problem with this page").click()
        before = collector.repository.count_feedback()
        widget.get_by_role("button", name="Send", exact=True).click()
        expect(widget.get_by_role("status")).to_contain_text("tell us what went wrong")
        expect(widget.get_by_label("What went wrong?")).to_be_focused()
        assert widget.get_by_label("What went wrong?").get_attribute("aria-invalid") == "true"
        assert axe_violations(page) == []
        widget.get_by_role("button", name="Cancel").click()
        expect(widget.get_by_role("button", name="Report a problem with this page")).to_be_focused()
        assert collector.repository.count_feedback() == before


def test_the_satisfaction_question_on_an_end_page_under_a_strict_csp(
    browser: Browser, end_page: str, collector: Collector
) -> None:
    with opened(browser) as (page, csp_errors):
        page.goto(end_page)
        widget = page.locator(".dx-feedback")
        question = widget.get_by_role(
            "group", name="Overall, how satisfied were you with this service today?"
        )
        expect(question).to_be_visible()
        assert csp_errors == []  # the widget itself needs no inline script or style
        assert axe_violations(page) == []
        csp_errors.clear()  # axe-core's own probes may try inline styles; not the widget's
        question.get_by_label("Satisfied", exact=True).check()
        widget.get_by_role("group", name="Did you finish what you came to do today?").get_by_label(
            "Partly"
        ).check()
        widget.get_by_label("How could we improve this service?").fill(
            "Good, but my email is a@b.com"
        )
        widget.get_by_role("button", name="Send feedback").click()
        expect(widget.get_by_role("status")).to_have_text("Thank you for your feedback")
        row = collector.repository.feedback(service_id="report-a-pothole", limit=1)[0]
        assert (row.kind, row.rating, row.completed) == ("satisfaction", 4, "partly")
        assert row.comment == "Good, but my email is [email]"
        assert csp_errors == []
        # The stylesheet came from the collector, not from an inline style.
        assert (
            page.evaluate(
                "() => getComputedStyle(document.querySelector('.dx-feedback')).borderTopWidth"
            )
            == "4px"
        )


def test_without_javascript_the_link_leads_to_a_form_that_works(
    browser: Browser, demo_site: str, collector: Collector
) -> None:
    with opened(browser, java_script_enabled=False) as (page, _):
        page.goto(f"{demo_site}/join-the-library")
        page.locator(".dx-feedback a").click()
        expect(
            page.get_by_role("heading", name="Give feedback about Join the library")
        ).to_be_visible()
        assert page.url.startswith(collector.base_url)
        before = collector.repository.count_feedback()
        section = page.locator(
            "section", has=page.get_by_role("heading", name="Report a problem with this page")
        )
        section.get_by_label("What were you doing?").fill("Joining the library")
        section.get_by_label("What went wrong?").fill(
            "The date of birth field (born 12/03/1958) failed"
        )
        section.get_by_role("button", name="Send report").click()
        # Back on the page the resident came from, on the council's own site.
        page.wait_for_url(f"{demo_site}/join-the-library?dx-feedback=thanks")
        assert collector.repository.count_feedback() == before + 1
        row = collector.repository.feedback(limit=1)[0]
        assert (row.kind, row.source, row.page_path) == ("problem", "form", "/join-the-library")
        assert row.what_wrong == "The date of birth field (born [date-of-birth]) failed"


def test_the_no_javascript_form_page_has_no_axe_violations(
    browser: Browser, collector: Collector
) -> None:
    with opened(browser) as (page, _):
        page.goto(f"{collector.base_url}/feedback?service=join-the-library&page=/join-the-library")
        page.evaluate(axe_script())
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        assert [v["id"] for v in result["violations"]] == []
        # An error summary is accessible too.
        page.get_by_role("button", name="Send rating").click()
        expect(page.get_by_role("alert")).to_contain_text("There is a problem")
        page.evaluate(axe_script())
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        assert [v["id"] for v in result["violations"]] == []
