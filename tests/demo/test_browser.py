"""The demo site in headless Chromium: axe finds exactly the manifest's axe defects.

Uses Debian's Chromium (never a downloaded browser) and the axe-core bundled with
``axe_playwright_python``.
"""

from __future__ import annotations

from typing import Any

import pytest

from crawlers.axe_source import axe_script
from demo import DemoSite
from demo.account import SESSION_COOKIE
from demo.manifest import Manifest, PageEntry
from monitor.settings import DEFAULT_AXE_TAGS
from tests.demo.conftest import html_pages, url_of

pytestmark = pytest.mark.browser

WCAG_TAGS = DEFAULT_AXE_TAGS


def _axe_source() -> str:
    return axe_script()


def signed_in_context(site: DemoSite, browser: Any) -> Any:
    """A browser context holding a session of the demo account (as after signing in)."""
    context = browser.new_context()
    context.add_cookies(
        [{"name": SESSION_COOKIE, "value": site.accounts.start_session(), "url": site.base_url}]
    )
    return context


def load(page: Any, site: DemoSite, entry: PageEntry) -> None:
    """Open a manifest page as a resident sees it; an app route once its view is drawn."""
    if entry.route:
        page.goto("about:blank")  # a hash route must load its document afresh
    page.goto(url_of(site, entry.host, entry.path), wait_until="load")
    if entry.route:
        page.wait_for_function(
            "() => document.querySelector('#app').getAttribute('aria-busy') === 'false'"
        )
        page.wait_for_load_state("networkidle")
    assert entry.access != "signed-in" or "/sign-in" not in page.url, entry


def _run_axe(page: Any, tags: list[str]) -> list[dict[str, Any]]:
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags
    )
    return list(result["violations"])


def _audit(
    site: DemoSite,
    manifest: Manifest,
    browser: Any,
    tags: list[str],
    services: set[str] | None = None,
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(host, path, rule) -> axe violation, for every HTML page of both hosts (or of services)."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    context = signed_in_context(site, browser)
    context.add_init_script(_axe_source())  # axe is injected into every page before it loads
    try:
        page = context.new_page()
        for entry in html_pages(manifest):
            if services is not None and entry.service not in services:
                continue
            load(page, site, entry)
            for violation in _run_axe(page, tags):
                found[entry.host, entry.path, violation["id"]] = violation
    finally:
        context.close()
    return found


def _wcag(tags: list[str]) -> list[str]:
    """axe's success-criterion tags (``wcag143``) as numbers (``1.4.3``)."""
    numbers = []
    for tag in tags:
        digits = tag[4:]
        if tag.startswith("wcag") and digits.isdigit() and len(digits) >= 3:
            numbers.append(f"{digits[0]}.{digits[1]}.{digits[2:]}")
    return sorted(numbers)


def test_axe_finds_exactly_the_manifest_defects(
    site: DemoSite, manifest: Manifest, browser: Any
) -> None:
    expected = {(d.host, d.path, d.rule): d for d in manifest.defects_for(check="axe")}
    found = _audit(site, manifest, browser, WCAG_TAGS)
    assert set(found) == set(expected)
    for key, defect in expected.items():
        violation = found[key]
        assert violation["impact"] == defect.impact, defect.id
        assert _wcag(violation["tags"]) == sorted(defect.wcag), defect.id
        targets = [node["target"] for node in violation["nodes"]]
        assert targets == [[defect.selector]], defect.id

    # the clean control has no violation even with the best-practice rules
    clean = set(manifest.clean_services)
    assert _audit(site, manifest, browser, [*WCAG_TAGS, "best-practice"], clean) == {}


def test_axe_finds_nothing_once_every_defect_is_fixed(
    site: DemoSite, manifest: Manifest, browser: Any
) -> None:
    """Every page, best-practice rules included, once the manifest's defects are fixed."""
    for defect in manifest.defects:
        site.fix_defect(defect.id)
    assert _audit(site, manifest, browser, [*WCAG_TAGS, "best-practice"]) == {}


def _focused(page: Any) -> str:
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return e ? (e.id || e.getAttribute('href') || e.tagName) : ''; }"
        )
    )


def test_keyboard_defects(site: DemoSite, manifest: Manifest, browser: Any) -> None:
    context = signed_in_context(site, browser)
    page = context.new_page()
    try:
        # the first Tab stop is the skip link, except on the school pages
        skipless = {d.path for d in manifest.defects if d.rule == "skip-link"}
        for entry in html_pages(manifest):
            if entry.status != 200:
                continue
            load(page, site, entry)
            page.keyboard.press("Tab")
            first = _focused(page)
            if entry.path in skipless:
                assert first != "#main-content", entry.path
            else:
                assert first == "#main-content", entry.path

        # the catchment map traps focus until the trap is fixed
        map_url = site.base_url + "/school-admissions/catchment-map"
        page.goto(map_url)
        page.focus("#catchment-map")
        for key in ("Tab", "Tab", "Shift+Tab", "Escape", "Tab"):
            page.keyboard.press(key)
            assert _focused(page) == "catchment-map"
        site.fix_defect("school-catchment-keyboard-trap")
        page.goto(map_url)
        page.focus("#catchment-map")
        page.keyboard.press("Tab")
        assert _focused(page) != "catchment-map"
        page.focus("#catchment-map")
        page.keyboard.press("Shift+Tab")
        assert _focused(page) != "catchment-map"
        # the other pages have no trap: Tab always moves on
        page.goto(site.base_url + "/join-the-library/apply")
        seen = []
        for _ in range(12):
            page.keyboard.press("Tab")
            seen.append(_focused(page))
        assert len(set(seen)) >= 10
    finally:
        context.close()
