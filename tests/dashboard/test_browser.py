"""The running dashboard, in a real headless Chromium, has no serious or critical axe failure."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from crawlers.axe_source import axe_script
from monitor.cli.dashboard import dashboard_command
from monitor.settings import BROWSER_FLAGS, DEFAULT_AXE_TAGS, get_settings
from tests.servers import free_port

pytestmark = pytest.mark.browser


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
                raise RuntimeError(f"the dashboard did not start: {process.stderr.read()!r}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(get_settings().chromium_path), headless=True, args=BROWSER_FLAGS
        )
        yield browser
        browser.close()


def serious_violations(browser: Browser, url: str, heading: str) -> list[dict]:
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    try:
        page.goto(url)
        page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)
        # Let the script run finish (Streamlit shows its "running" widget meanwhile).
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
        )
        page.wait_for_timeout(500)
        page.add_script_tag(content=axe_script())
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            list(DEFAULT_AXE_TAGS),
        )
    finally:
        page.close()
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_overview_has_no_serious_axe_violations(browser: Browser, dashboard_url: str) -> None:
    assert (
        serious_violations(browser, f"{dashboard_url}/overview", "Measures against their targets")
        == []
    )


def test_service_page_has_no_serious_axe_violations(browser: Browser, dashboard_url: str) -> None:
    assert (
        serious_violations(browser, f"{dashboard_url}/service?service=alpha", "Issues to fix first")
        == []
    )
