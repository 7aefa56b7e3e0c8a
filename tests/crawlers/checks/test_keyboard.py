"""The keyboard check on real headless Chromium: barriers are found, clean pages pass."""

from __future__ import annotations

import pytest

from crawlers.base import FindingData
from crawlers.checks.keyboard import CHECK
from crawlers.context import RunContext
from crawlers.pipeline import audit_page
from demo import DemoSite
from tests.crawlers.checks.conftest import (
    Browser,
    LocalSite,
    demo_html_pages,
    demo_url,
    expected_demo_defects,
    rules,
    start_browser,
    stop_browser,
)
from tests.crawlers.checks.pages import ACCESSIBLE, NAV, page

pytestmark = pytest.mark.browser

TRAP = (
    page(
        NAV
        + """<main><h1>Map</h1><div id="map" tabindex="0" role="application" aria-label="Map">
map</div><p><a href="/after">After the map</a></p></main>
<script>document.getElementById('map').addEventListener('keydown', (e) => {
  if (e.key === 'Tab') { e.preventDefault(); e.target.focus(); } });</script>""",
    )
    .replace("<header>", '<a class="skip" href="#m">Skip to main content</a><header>')
    .replace("<main>", '<main id="m">')
)
LOOP = page(
    """<a class="skip" href="#m">Skip to main content</a><main id="m"><h1>Widget</h1>
<div id="widget"><button id="one">One</button><button id="two">Two</button></div>
<p><a href="/x">X</a> <a href="/y">Y</a> <a href="/z">Z</a> <a href="/w">W</a></p></main>
<script>
const one = document.getElementById('one'), two = document.getElementById('two');
two.addEventListener('keydown', (e) => {
  if (e.key === 'Tab' && !e.shiftKey) { e.preventDefault(); one.focus(); } });
one.addEventListener('keydown', (e) => {
  if (e.key === 'Tab' && e.shiftKey) { e.preventDefault(); two.focus(); } });
</script>"""
)
# The trap of the issue: the second field's Tab goes back to the first, the first field's
# Shift+Tab to the second; Continue, after them, is never reached. The loop starts at the
# very first stop, where a normal wrap back to the start would also come back.
FIELDS_TRAP = page(
    """<main><h1>Your details</h1><form><label for="first">First name</label>
<input id="first" type="text"><label for="last">Last name</label><input id="last" type="text">
</form><p><a href="/continue">Continue</a></p></main>
<script>
const first = document.getElementById('first'), last = document.getElementById('last');
last.addEventListener('keydown', (e) => {
  if (e.key === 'Tab' && !e.shiftKey) { e.preventDefault(); first.focus(); } });
first.addEventListener('keydown', (e) => {
  if (e.key === 'Tab' && e.shiftKey) { e.preventDefault(); last.focus(); } });
</script>"""
)
# CSS puts the last link in the source at the top of the column: focus jumps back up.
VISUAL_ORDER = page(
    '<a class="skip" href="#m">Skip to main content</a><main id="m"><h1>Order</h1>'
    '<div style="display:flex;flex-direction:column"><p style="order:3"><a href="/one">One</a>'
    '</p><div style="order:2;height:300px"></div><p style="order:1"><a href="/two">Two</a></p>'
    "</div></main>"
)
NO_FOCUS_STYLE = page(
    """<a class="skip" href="#m">Skip to main content</a><main id="m"><h1>Links</h1>
<p><a class="plain" href="/one">First plain link</a></p>
<p><a href="/two">Second, styled link</a></p></main>""",
    style="a.plain:focus { outline: none !important; background: none !important; "
    "box-shadow: none !important; }",
)
# Focus shown only around a link (its card's :focus-within, a neighbour's ::before) is
# shown; cards share their ancestors, whose looks are read once per page.
SHOWN_AROUND = page(
    '<a class="skip" href="#m">Skip to main content</a><main id="m"><h1>Cards</h1>'
    + "".join(
        f'<div class="card"><p><a class="bare" href="/card/{n}">Card {n}</a></p></div>'
        for n in range(4)
    )
    + '<p><span class="mark"></span><a class="bare" href="/marked">Marked</a></p>'
    '<p><a class="bare" href="/plain">Plain link</a></p></main>',
    style="a.bare:focus { outline: none !important; background: none !important; "
    "box-shadow: none !important; } .card:focus-within { outline: 3px solid #fd0; } "
    ".mark::before { content: ''; } .mark:has(+ a:focus)::before { content: '>'; }",
)
NO_SKIP = page(NAV + "<main><h1>No skip link</h1><p>Text.</p></main>")
BROKEN_SKIP = page(
    '<a class="skip" href="#nowhere">Skip to main content</a>'
    + NAV
    + "<main><h1>Broken skip link</h1></main>"
)
OBSCURED = page(
    '<a class="skip" href="#m">Skip to main content</a><main id="m"><h1>Long page</h1>'
    + "".join(
        f'<p style="margin-bottom:300px"><a href="/p{i}">Paragraph link {i}</a></p>'
        for i in range(6)
    )
    + '</main><div id="cookies" style="position:fixed;bottom:0;left:0;right:0;height:200px;'
    'background:#f3f2f1">We use cookies</div>'
)
ORDER = page(
    '<a class="skip" href="#m">Skip to main content</a><main id="m"><h1>Order</h1>'
    '<p><a href="/top">Top link</a></p><div style="height:900px"></div>'
    '<p><a href="/bottom" tabindex="1">Bottom link</a></p></main>'
)
UNREACHABLE = page(
    '<a class="skip" href="#m">Skip to main content</a><main id="m"><h1>Form</h1>'
    '<form><label for="q">Search</label><input id="q" type="text">'
    '<button type="submit" tabindex="-1">Search now</button></form>'
    '<div class="card" onclick="location.href=\'/more\'">Open the menu</div>'
    '<span role="button">Close</span></main>'
)


def test_a_keyboard_trap_is_found(browser: Browser, local_site: LocalSite) -> None:
    found = browser.check(CHECK, local_site.add("/kb/trap", TRAP))
    assert rules(found) == {("keyboard-trap", ("2.1.2",))}
    assert found[0].selector == "#map"


def test_a_focus_loop_is_a_trap(browser: Browser, local_site: LocalSite) -> None:
    found = browser.check(CHECK, local_site.add("/kb/loop", LOOP))
    assert rules(found) == {("keyboard-trap", ("2.1.2",))}


def test_a_trap_of_two_fields_from_the_first_stop_is_found(
    browser: Browser, local_site: LocalSite
) -> None:
    found = browser.check(CHECK, local_site.add("/kb/fields-trap", FIELDS_TRAP))
    assert rules(found) == {("keyboard-trap", ("2.1.2",))}
    assert found[0].outcome == "violation" and "loop of 2 elements" in found[0].message


def test_focus_going_back_up_the_column_is_for_a_person_to_judge(
    browser: Browser, local_site: LocalSite
) -> None:
    found = browser.check(CHECK, local_site.add("/kb/visual-order", VISUAL_ORDER))
    assert [(f.rule, f.wcag, f.outcome) for f in found] == [
        ("focus-order-visual", ("2.4.3",), "needs_review")
    ]


def test_focus_that_does_not_show_is_found(browser: Browser, local_site: LocalSite) -> None:
    found = browser.check(CHECK, local_site.add("/kb/no-focus", NO_FOCUS_STYLE))
    assert rules(found) == {("focus-not-visible", ("2.4.7",))}
    assert "First plain link" in found[0].message


def test_focus_shown_around_a_link_counts_and_a_plain_link_is_found(
    browser: Browser, local_site: LocalSite
) -> None:
    found = browser.check(CHECK, local_site.add("/kb/shown-around", SHOWN_AROUND))
    assert [(f.rule, f.selector) for f in found] == [
        ("focus-not-visible", "#m > p:nth-of-type(2) > a")
    ]


def test_a_missing_or_broken_skip_link_is_found(browser: Browser, local_site: LocalSite) -> None:
    found = browser.check(CHECK, local_site.add("/kb/no-skip", NO_SKIP))
    assert rules(found) == {("skip-link", ("2.4.1",))}
    assert found[0].selector == ""
    found = browser.check(CHECK, local_site.add("/kb/broken-skip", BROKEN_SKIP))
    assert rules(found) == {("skip-link-target", ("2.4.1",))}


def test_focus_hidden_under_a_fixed_banner_is_found(
    browser: Browser, local_site: LocalSite
) -> None:
    found = browser.check(CHECK, local_site.add("/kb/obscured", OBSCURED))
    assert rules(found) == {("focus-obscured", ("2.4.11",))}
    assert "#cookies" in found[0].message


def test_a_positive_tabindex_bending_the_order_is_found(
    browser: Browser, local_site: LocalSite
) -> None:
    found = browser.check(CHECK, local_site.add("/kb/order", ORDER))
    assert rules(found) == {("focus-order", ("2.4.3",))}


def test_controls_a_keyboard_cannot_reach_are_found(
    browser: Browser, local_site: LocalSite
) -> None:
    found = browser.check(CHECK, local_site.add("/kb/unreachable", UNREACHABLE))
    assert {(f.rule, f.wcag, f.snippet.split(">")[0]) for f in found} == {
        ("not-keyboard-reachable", ("2.1.1",), '<button type="submit" tabindex="-1"'),
        ("click-not-focusable", ("2.1.1",), '<div class="card" onclick="location.href=\'/more\'"'),
        ("click-not-focusable", ("2.1.1",), '<span role="button"'),
    }


def test_an_accessible_page_passes_and_is_left_as_it_was(
    browser: Browser, local_site: LocalSite
) -> None:
    found, after = browser.checks_then(
        CHECK,
        local_site.add("/kb/accessible", ACCESSIBLE),
        "() => [document.activeElement === document.body, window.scrollY,"
        " document.querySelectorAll('[id^=__council-monitor]').length]",
    )
    assert found == []
    assert after == [True, 0, 0]


def test_the_demo_site_shows_exactly_its_keyboard_defects(browser: Browser, demo: DemoSite) -> None:
    found = set()
    for host, path, _service in demo_html_pages(demo):
        for f in browser.check(CHECK, demo_url(demo, host, path)):
            found.add((host, path, f.rule))
            if f.rule == "keyboard-trap":
                assert f.selector == "#catchment-map" and f.wcag == ("2.1.2",)
            if f.rule == "skip-link":
                assert f.wcag == ("2.4.1",)
    assert found == expected_demo_defects(demo, "keyboard")


def test_the_selenium_engine_finds_the_same_trap(local_site: LocalSite) -> None:
    selenium = start_browser("selenium")
    try:
        found = selenium.check(CHECK, local_site.add("/kb/trap", TRAP))
        assert rules(found) == {("keyboard-trap", ("2.1.2",))}
        found = selenium.check(CHECK, local_site.add("/kb/fields-trap", FIELDS_TRAP))
        assert rules(found) == {("keyboard-trap", ("2.1.2",))}
        found = selenium.check(CHECK, local_site.add("/kb/visual-order", VISUAL_ORDER))
        assert rules(found) == {("focus-order-visual", ("2.4.3",))}
        assert selenium.check(CHECK, local_site.add("/kb/accessible", ACCESSIBLE)) == []
    finally:
        stop_browser(selenium)


CAROUSEL_AND_COMPONENT = page(
    '<div id="cookies"><button>Accept</button><button>Reject</button><a href="/c">View</a>'
    '<a href="/more">More</a></div><a class="skip" href="#m">Skip to main content</a>'
    + NAV
    + '<main id="m"><h1>Pictures</h1><div style="overflow:hidden;width:300px"><div '
    'style="display:flex;width:900px"><p style="width:300px"><a href="/1">One</a></p>'
    '<p style="width:300px"><a href="/2" tabindex="-1">Two</a></p>'
    '<p style="width:300px"><a href="/3" tabindex="-1">Three</a></p></div></div>'
    '<div class="backdrop" onclick="void 0"></div><label onclick="void 0" for="x">X</label>'
    '<input id="x" type="checkbox"><council-card></council-card></main>'
    "<script>customElements.define('council-card', class extends HTMLElement {"
    "connectedCallback() { this.attachShadow({mode: 'open'}).innerHTML = "
    '\'<style>a:focus{outline:3px solid #fd0}</style><a href="/a">A</a> <a href="/b">B</a>'
    ' <a href="/c">C</a> <a href="/d">D</a>\'; } });</script>'
)


def test_common_patterns_are_not_mistaken_for_barriers(
    browser: Browser, local_site: LocalSite
) -> None:
    # A cookie banner before the skip link, a carousel's hidden slides, a backdrop and a
    # label that take clicks, and a web component with links in its shadow tree.
    assert browser.check(CHECK, local_site.add("/kb/patterns", CAROUSEL_AND_COMPONENT)) == []


# A map in a frame between the links: presses inside it reach the frame's own document.
IN_FRAME = page(
    '<a class="skip" href="#m">Skip to main content</a>'
    + NAV
    + '<main id="m"><h1>Where we are</h1><p><a href="/before">Before the map</a></p>'
    "<iframe title=\"Map\" srcdoc=\"<a href='/a'>A</a> <a href='/b'>B</a> "
    '<button>Zoom</button>"></iframe><p><a href="/after">After the map</a></p></main>'
)
# A script that stops every other listener from seeing Tab: the burst's log loses presses.
SWALLOWED = page(
    '<script>window.addEventListener("keydown", (e) => { if (e.key === "Tab") '
    "e.stopImmediatePropagation(); }, true);</script>"
    '<a class="skip" href="#m">Skip to main content</a>'
    + NAV
    + '<main id="m"><h1>Links</h1><p><a class="plain" href="/one">First plain link</a></p>'
    '<p><a href="/two">Second link</a></p></main>',
    style="a.plain:focus { outline: none !important; background: none !important; "
    "box-shadow: none !important; }",
)
EVERY_PAGE = {
    "trap": TRAP,
    "loop": LOOP,
    "fields-trap": FIELDS_TRAP,
    "visual-order": VISUAL_ORDER,
    "no-focus": NO_FOCUS_STYLE,
    "no-skip": NO_SKIP,
    "broken-skip": BROKEN_SKIP,
    "obscured": OBSCURED,
    "order": ORDER,
    "unreachable": UNREACHABLE,
    "accessible": ACCESSIBLE,
    "patterns": CAROUSEL_AND_COMPONENT,
    "in-frame": IN_FRAME,
    "swallowed": SWALLOWED,
    "shown-around": SHOWN_AROUND,
}


def _walked(browser: Browser, url: str, bursts: bool) -> list[tuple[str, str, str, str]]:
    settings = browser.settings.model_copy(update={"check_shortcuts": bursts})
    context = RunContext(settings=settings).for_page(service_id="test")

    async def visit() -> list[FindingData]:
        async with browser.engine.open(url) as loaded:
            outcome = await audit_page(loaded, [CHECK], context)
            assert not outcome.check_errors, outcome.check_errors
            return outcome.findings

    found: list[FindingData] = browser.run(visit())
    return sorted((f.rule, f.selector, f.message, f.outcome) for f in found)


@pytest.mark.parametrize("engine", ["playwright", "selenium"])
def test_tab_presses_in_bursts_find_what_presses_one_by_one_find(
    engine: str, browser: Browser, local_site: LocalSite
) -> None:
    walker = browser if engine == "playwright" else start_browser("selenium")
    try:
        for name, html in EVERY_PAGE.items():
            url = local_site.add(f"/kb/same/{name}", html)
            assert _walked(walker, url, bursts=True) == _walked(walker, url, bursts=False), name
        # The frame's page and the swallowing page are judged too, not passed by default.
        frame = _walked(walker, local_site.add("/kb/same/in-frame", IN_FRAME), bursts=True)
        assert frame == []
        swallowed = _walked(walker, local_site.add("/kb/same/swallowed", SWALLOWED), True)
        assert [f[0] for f in swallowed] == ["focus-not-visible"]
    finally:
        if walker is not browser:
            stop_browser(walker)


def test_a_burst_goes_round_the_page_once_and_a_lost_press_is_noticed(
    browser: Browser, local_site: LocalSite
) -> None:
    from crawlers.checks._inpage import run_script
    from crawlers.checks.keyboard import KeyboardCheck, _LostCount

    async def stops(url: str) -> list[dict[str, object]]:
        async with browser.engine.open(url) as loaded:
            prepared = await run_script(loaded, "keyboard", {"do": "prepare", "bursts": True})
            seen = []
            try:
                async for stop in KeyboardCheck._bursts(loaded, prepared["tabbables"]):
                    seen.append(stop)
            finally:
                await run_script(loaded, "keyboard", {"do": "finish"})
            return seen

    walked = browser.run(stops(local_site.add("/kb/burst/accessible", ACCESSIBLE)))
    ids = [s["id"] for s in walked if s["id"]]
    # Every control once in order, then round again to the first: the walk has its wrap.
    assert ids[0] in ids[1:]
    first_again = ids.index(ids[0], 1)
    assert len(set(ids[:first_again])) == first_again
    with pytest.raises(_LostCount):
        browser.run(stops(local_site.add("/kb/burst/swallowed", SWALLOWED)))
