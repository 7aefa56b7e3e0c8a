"""The running dashboard in a real headless Chromium: every view opens from its own
address, has its own tab title and no serious or critical axe failure; viewers get no
"Deploy" button; the owner's morning summary fits above the fold at 1366×768."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page

from crawlers.axe_source import axe_script
from monitor.cli.dashboard import dashboard_command
from monitor.settings import DEFAULT_AXE_TAGS
from tests.servers import free_port

pytestmark = pytest.mark.browser

# (address, the heading that says the view has drawn, the browser tab's title)
VIEWS = [
    ("summary?service=alpha", "Alpha service: this morning", "This morning"),
    ("overview", "Measures, all services", "Overview"),
    ("service?service=alpha", "Alpha service: scorecard", "Service scorecard"),
    ("issues?service=alpha", "Accessibility issues by WCAG success criterion", "Issues"),
    ("issue?id=1", "Pages and elements", "Issue"),
    ("branding?service=alpha", "Pages of one service", "Branding"),
    ("journeys?service=alpha", "Latest failures", "Journeys"),
    ("feedback?service=alpha", "Resident feedback", "Feedback"),
    ("audits", "Pages a run could not judge", "Audits"),
    ("exports", "Accessibility report for a service", "Exports"),
]


@pytest.fixture(scope="module")
def dashboard_url(dashboard_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, **dashboard_env}
    process = subprocess.Popen(
        dashboard_command(port),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/_stcore/health", timeout=2).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                assert process.stderr is not None
                raise RuntimeError(f"the dashboard did not start: {process.stderr.read()!r}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def opened(browser: Browser, url: str, heading: str) -> Page:
    """A page at 1366×768 (a council laptop) once the view has finished drawing."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(url)
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    # Let the script run finish (Streamlit shows its "running" widget meanwhile).
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(500)
    return page


def serious_violations(page: Page) -> list[dict[str, object]]:
    page.add_script_tag(content=axe_script())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        list(DEFAULT_AXE_TAGS),
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:160] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(("address", "heading", "title"), VIEWS)
def test_every_view_opens_at_its_address_titled_and_axe_clean(
    browser: Browser, dashboard_url: str, address: str, heading: str, title: str
) -> None:
    page = opened(browser, f"{dashboard_url}/{address}", heading)
    try:
        assert "Page not found" not in page.inner_text("body")
        assert page.title() == title
        assert page.get_by_role("button", name="Deploy").count() == 0
        assert serious_violations(page) == []
    finally:
        page.close()


def test_the_root_address_opens_the_overview_for_a_viewer_who_owns_nothing(
    browser: Browser, dashboard_url: str
) -> None:
    page = opened(browser, dashboard_url, "Measures, all services")
    try:
        assert page.url.endswith("/overview")
    finally:
        page.close()


def test_the_morning_summary_is_above_the_fold_at_1366_by_768(
    browser: Browser, dashboard_url: str
) -> None:
    page = opened(browser, f"{dashboard_url}/summary?service=alpha", "Alpha service: this morning")
    try:
        must_show = [
            page.get_by_role("heading", name="Measures against their targets"),
            page.get_by_role("cell", name="Brand compliance", exact=True),  # the last measure
            page.get_by_role("heading", name="Fix first (3 open issues)"),
            page.get_by_role("link", name="1. Text is hard to read against its background"),
            page.get_by_role("link", name="3. Links are broken"),  # the third to fix
            page.get_by_role("heading", name="Since the previous run"),
            page.get_by_role("heading", name="What residents said"),
            page.get_by_text(" Alpha: the form lost my answers twice", exact=False),
            page.get_by_role("link", name="Every comment, by rating"),
        ]
        for locator in must_show:
            box = locator.first.bounding_box()
            assert box is not None, locator
            assert box["y"] + box["height"] <= 768, (locator, box)
    finally:
        page.close()


def test_an_issue_link_from_the_summary_opens_the_issue(
    browser: Browser, dashboard_url: str
) -> None:
    page = opened(browser, f"{dashboard_url}/summary?service=alpha", "Alpha service: this morning")
    try:
        page.get_by_role("link", name="1. Text is hard to read against its background").click()
        page.get_by_role("heading", name="Acknowledge this issue").wait_for(timeout=60_000)
        assert page.url.endswith("/issue?id=1")
    finally:
        page.close()
