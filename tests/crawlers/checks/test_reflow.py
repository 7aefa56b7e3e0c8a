"""The reflow check on real headless Chromium: reflow, zoom, text spacing, tooltips."""

from __future__ import annotations

from typing import Any

import pytest

from crawlers.base import FindingData
from crawlers.checks.interaction import CHECK as INTERACTION
from crawlers.checks.reflow import CHECK
from crawlers.context import RunContext
from crawlers.pipeline import audit_page
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


# Every reflow barrier on a page whose scripts answer a resize a frame late, as debounced
# handlers do: a box made wide on narrow windows, a select (that changes the page when
# chosen) shown only on wide ones, and the width they last saw. The page starts scrolled.
SETTLING = page(
    '<main><h1>Settling</h1><div id="wide" style="width:800px">Always 800 pixels wide.</div>'
    '<p id="box" style="width:300px;height:3em;overflow:hidden;line-height:1.2;margin:0">Two'
    " lines of text that fit in their box until the spacing grows.</p>"
    '<div id="banner" style="height:1.6em;overflow:hidden;font-size:16px;line-height:1.4">'
    "Applications for school places starting in September close on 31 October, so apply soon"
    '</div><button class="has-tip" aria-describedby="t">PIN</button>'
    '<div id="t" role="tooltip" class="tip">Four numbers</div>'
    '<div id="late">Made wide by a script a frame after the window narrows.</div>'
    '<p id="area"><label for="pick">Area</label> <select id="pick" '
    "onchange=\"location.href = '/areas/' + this.value\"><option>north</option>"
    '<option>south</option></select></p><div style="height:1500px"></div></main>'
    "<script>addEventListener('resize', () => requestAnimationFrame(() => {"
    "document.getElementById('late').style.width = innerWidth < 700 ? '900px' : '';"
    "document.getElementById('area').hidden = innerWidth < 1000;"
    "document.body.dataset.width = String(innerWidth); }));"
    "scrollTo(0, 300);</script>"
)


def _audited(browser: Browser, url: str, shortcuts: bool) -> tuple[list[tuple[str, ...]], Any]:
    """Reflow and then interaction (which reads the page reflow put back), and the page's
    width, scroll and last width seen by its script after both."""
    settings = browser.settings.model_copy(update={"check_shortcuts": shortcuts})
    context = RunContext(settings=settings).for_page(service_id="test")

    async def visit() -> tuple[list[FindingData], Any]:
        async with browser.engine.open(url) as loaded:
            outcome = await audit_page(loaded, [CHECK, INTERACTION], context)
            assert not outcome.check_errors, outcome.check_errors
            after = await loaded.evaluate(
                "() => [innerWidth, innerHeight, scrollY, document.body.dataset.width]"
            )
            return outcome.findings, after

    found, after = browser.run(visit())
    return sorted((f.check, f.rule, f.selector, f.message, f.outcome) for f in found), after


def test_fewer_calls_into_the_page_find_what_one_call_per_step_finds(
    browser: Browser, local_site: LocalSite
) -> None:
    url = local_site.add("/rf/settling", SETTLING)
    merged, merged_after = _audited(browser, url, shortcuts=True)
    plain, plain_after = _audited(browser, url, shortcuts=False)
    assert merged == plain
    assert merged_after == plain_after == [1280, 720, 300, "1280"]
    # Every step had something to find, the late script's box and select included.
    assert {(check, rule) for check, rule, *_ in plain} == {
        ("reflow", "text-spacing-clipped"),
        ("reflow", "resize-text-clipped"),
        ("reflow", "resize-text-overlap"),
        ("reflow", "reflow"),
        ("reflow", "hover-content-dismissible"),
        ("interaction", "change-of-context"),
    }
    assert {selector for _, rule, selector, *_ in plain if rule == "reflow"} == {"#wide", "#late"}
