"""The reflow check on real headless Chromium: reflow, zoom, text spacing, tooltips."""

from __future__ import annotations

import pytest

from crawlers.checks.reflow import CHECK
from demo import DemoSite
from tests.crawlers.checks.conftest import (
    Browser,
    LocalSite,
    demo_html_pages,
    demo_url,
    rules,
    start_browser,
    stop_browser,
)
from tests.crawlers.checks.pages import ACCESSIBLE, page

pytestmark = pytest.mark.browser

WIDE = page(
    '<main><h1>Wide</h1><div id="wide" style="width:800px">This box is always 800 pixels'
    " wide, so at 320 pixels the page scrolls sideways.</div>"
    "<table><tr>" + "<td>cell&nbsp;of&nbsp;a&nbsp;wide&nbsp;table</td>" * 4 + "</tr></table>"
    "<pre>a_long_line_of_code_that_needs_two_dimensions_to_read_properly_and_must_not_wrap</pre>"
    "</main>"
)
SPACING = page(
    '<main><h1>Spacing</h1><p id="box" style="width:300px;height:3em;overflow:hidden;'
    'line-height:1.2;margin:0">Two lines of text that fit in their box until the spacing'
    " grows.</p></main>"
)
ZOOM = page(
    '<main><h1>Zoom</h1><div id="banner" style="height:1.6em;overflow:hidden;font-size:16px;'
    'line-height:1.4">Applications for school places starting in September close on 31'
    " October, so apply soon</div></main>"
)
TOOLTIP = page(
    '<main><h1>Tooltip</h1><button class="has-tip" aria-describedby="t">PIN</button>'
    '<div id="t" role="tooltip" class="tip">Four numbers</div></main>'
)
TWO_TABLE_PAGES = page(
    "<main><h1>Exempt</h1><div style='overflow-x:auto'><table style='width:900px'><tr>"
    "<td>a</td></tr></table></div><svg width='700' height='20'></svg></main>"
)


def test_content_that_does_not_reflow_at_320_pixels_is_found(
    browser: Browser, local_site: LocalSite
) -> None:
    found = browser.check(CHECK, local_site.add("/rf/wide", WIDE))
    assert rules(found) == {("reflow", ("1.4.10",))}
    assert [f.selector for f in found] == ["#wide"]  # the table and the code are exempt


def test_text_cut_off_by_text_spacing_is_found(browser: Browser, local_site: LocalSite) -> None:
    found = browser.check(CHECK, local_site.add("/rf/spacing", SPACING))
    assert ("text-spacing-clipped", ("1.4.12",)) in rules(found)
    assert {f.selector for f in found if f.rule == "text-spacing-clipped"} == {"#box"}


def test_text_cut_off_at_200_percent_is_found(browser: Browser, local_site: LocalSite) -> None:
    found = browser.check(CHECK, local_site.add("/rf/zoom", ZOOM))
    assert rules(found) == {("resize-text-clipped", ("1.4.4",))}
    assert found[0].selector == "#banner"


def test_a_tooltip_escape_cannot_dismiss_is_found(browser: Browser, local_site: LocalSite) -> None:
    found = browser.check(CHECK, local_site.add("/rf/tooltip", TOOLTIP))
    assert rules(found) == {("hover-content-dismissible", ("1.4.13",))}


def test_accessible_pages_pass_and_the_viewport_is_restored(
    browser: Browser, local_site: LocalSite
) -> None:
    for path, html in (("/rf/accessible", ACCESSIBLE), ("/rf/exempt", TWO_TABLE_PAGES)):
        found, after = browser.checks_then(
            CHECK,
            local_site.add(path, html),
            "() => [window.innerWidth, window.innerHeight, "
            "document.querySelectorAll('[id^=__council-monitor]').length, "
            "document.activeElement === document.body]",
        )
        assert found == []
        assert after == [1280, 720, 0, True]


def test_the_demo_site_has_no_reflow_findings(browser: Browser, demo: DemoSite) -> None:
    # The manifest lists no reflow defect. The pothole photo (an <img width="480"> with no
    # max-width) does stick out at 320 px, but images are exempt: a script cannot tell a
    # photo from a diagram that needs its size.
    found = []
    for host, path, _service in demo_html_pages(demo):
        found += [(path, f.rule) for f in browser.check(CHECK, demo_url(demo, host, path))]
    assert found == []


def test_the_selenium_engine_narrows_and_restores_the_viewport(local_site: LocalSite) -> None:
    selenium = start_browser("selenium")
    try:
        found = selenium.check(CHECK, local_site.add("/rf/wide", WIDE))
        assert rules(found) == {("reflow", ("1.4.10",))}
        found, after = selenium.checks_then(
            CHECK,
            local_site.add("/rf/accessible", ACCESSIBLE),
            "() => [window.innerWidth,"
            " document.querySelectorAll('[id^=__council-monitor]').length]",
        )
        assert found == []
        assert after == [1280, 0]
    finally:
        stop_browser(selenium)
