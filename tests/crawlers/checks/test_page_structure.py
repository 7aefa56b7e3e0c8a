"""The page-structure check on real headless Chromium, and 3.3.1 for journeys."""

from __future__ import annotations

import pytest

from crawlers.base import FindingData
from crawlers.checks.page_structure import (
    CHECK,
    detect_language,
    error_identification,
    form_state,
    title_findings,
)
from demo import DemoSite
from tests.crawlers.checks.conftest import (
    Browser,
    LocalSite,
    demo_html_pages,
    demo_url,
    rules,
)
from tests.crawlers.checks.pages import ACCESSIBLE, page

pytestmark = pytest.mark.browser

ENGLISH = (
    "You can apply for a school place for your child online. You will need to tell us the "
    "schools you would like, in order of preference, and we will write to you with the offer "
    "of a place. If you are not happy with the school you are offered, you can appeal and "
    "the panel will look at your reasons. It is important that you apply on time, because "
    "applications that are late are considered after those that were on time, and this can "
    "make it harder to get a place at the school you want."
)
WELSH = (
    "Gallwch wneud cais am le mewn ysgol i'ch plentyn ar-lein. Bydd angen i chi ddweud wrthym "
    "pa ysgolion yr hoffech eu cael, yn nhrefn blaenoriaeth, a byddwn yn ysgrifennu atoch "
    "gyda'r cynnig o le. Os nad ydych yn hapus gyda'r ysgol a gynigir i chi, gallwch apelio "
    "a bydd y panel yn edrych ar eich rhesymau. Mae'n bwysig eich bod yn gwneud cais mewn "
    "pryd, oherwydd mae ceisiadau hwyr yn cael eu hystyried ar ôl y rhai a oedd mewn pryd, "
    "ac mae hyn yn ei gwneud yn anoddach cael lle yn yr ysgol rydych chi ei heisiau. Mae "
    "gennych hawl i apelio os nad ydych yn cael lle yn yr ysgol a ddewiswyd gennych chi."
)

GENERIC_TITLE = page("<main><h1>Apply</h1></main>", title="Untitled")
GENERIC_LINKS = page(
    '<main><h1>News</h1><ul><li><a href="/news/1">Click here</a></li>'
    '<li><a href="/news/2">click here</a></li></ul>'
    '<p>Bins: <a href="/bins">read more about bin collections</a></p>'
    '<p>The library opening hours changed in May. <a href="/hours">Read more</a></p>'
    '<p>Parking permits cost less this year. <a href="/permits">Read more</a></p></main>'
)
HEADINGS = page("<main><h1>Top</h1><h2>Section</h2><h4>Too deep</h4><h2></h2></main>")
WRONG_LANGUAGE = page(f"<main><h1>Derbyniadau</h1><p>{WELSH}</p></main>", lang="en")
RIGHT_LANGUAGE = page(f"<main><h1>Derbyniadau</h1><p>{WELSH}</p></main>", lang="cy")
PLACEHOLDER = page(
    '<main><h1>Search</h1><form><input type="text" name="q" placeholder="Search the site">'
    '<input type="text" name="ok" placeholder="Postcode" aria-label="Postcode">'
    "<button>Search</button></form></main>"
)
NO_STATEMENT = (
    '<!DOCTYPE html><html lang="en"><head><title>No statement - Council</title></head>'
    "<body><main><h1>Nothing</h1></main><footer><a href='/cookies'>Cookies</a></footer>"
    "</body></html>"
)
FORM_WITHOUT_ERRORS = page(
    '<main><h1>Your details</h1><form><label for="n">Name</label>'
    '<input id="n" type="text" style="border-color:red"><button>Continue</button></form></main>'
)
FORM_INVALID_NO_TEXT = page(
    '<main><h1>Your details</h1><form><label for="n">Name</label>'
    '<input id="n" type="text" aria-invalid="true"><button>Continue</button></form></main>'
)


def test_the_language_detector_is_conservative() -> None:
    assert detect_language(ENGLISH) == "en"
    assert detect_language(WELSH) == "cy"
    assert detect_language("Contact us") is None  # too short to tell
    assert detect_language(ENGLISH + " " + WELSH) is None  # bilingual: no claim


def test_home_and_the_council_s_name_alone_are_generic_titles_except_on_the_home_page() -> None:
    council = "Example County Council"
    for title in ("Home", "Welcome", "Hafan"):
        assert [f.rule for f in title_findings(title, "https://example.gov.uk/")] == [
            "page-title-generic"
        ]
    assert title_findings(council, "https://example.gov.uk/", council) == []
    assert [f.wcag for f in title_findings(council, "https://example.gov.uk/bins", council)] == [
        ("2.4.2",)
    ]
    assert (
        title_findings("Bin collections - " + council, "https://example.gov.uk/bins", council) == []
    )


def test_the_page_language_is_told_in_any_of_the_known_languages() -> None:
    french = (
        "Vous pouvez demander une place dans une école pour votre enfant en ligne. Vous devrez "
        "nous indiquer les écoles que vous souhaitez, par ordre de préférence, et nous vous "
        "écrirons pour vous proposer une place. Si vous n'êtes pas satisfait de l'école "
        "proposée, vous pouvez faire appel et le comité examinera vos raisons."
    )
    assert detect_language(french + " " + french) == "fr"
    assert detect_language("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 12) is None


def test_a_generic_title_is_found(browser: Browser, local_site: LocalSite) -> None:
    found = browser.check(CHECK, local_site.add("/ps/title", GENERIC_TITLE))
    assert rules(found) == {("page-title-generic", ("2.4.2",))}


def test_generic_link_text_to_different_places_is_found(
    browser: Browser, local_site: LocalSite
) -> None:
    found = browser.check(CHECK, local_site.add("/ps/links", GENERIC_LINKS))
    # "Read more" links have their sentence as context; the bare "Click here" links do not.
    assert [(f.rule, f.wcag, f.key) for f in found] == [
        ("link-text-generic", ("2.4.4",), "click here")
    ]


def test_skipped_and_empty_headings_are_found(browser: Browser, local_site: LocalSite) -> None:
    found = browser.check(CHECK, local_site.add("/ps/headings", HEADINGS))
    assert rules(found) == {
        ("heading-skipped-level", ("1.3.1",)),
        ("heading-empty", ("1.3.1", "2.4.6")),
    }


def test_a_page_in_welsh_marked_as_english_is_found(
    browser: Browser, local_site: LocalSite
) -> None:
    found = browser.check(CHECK, local_site.add("/ps/wrong-lang", WRONG_LANGUAGE))
    assert rules(found) == {("language-mismatch", ("3.1.1",))}
    assert browser.check(CHECK, local_site.add("/ps/right-lang", RIGHT_LANGUAGE)) == []


def test_a_placeholder_instead_of_a_label_is_found(browser: Browser, local_site: LocalSite) -> None:
    found = browser.check(CHECK, local_site.add("/ps/placeholder", PLACEHOLDER))
    assert rules(found) == {("placeholder-no-label", ("3.3.2", "1.3.1"))}
    assert "Search the site" in found[0].message


def test_a_page_without_a_statement_link_is_found_and_links_are_recorded(
    browser: Browser, local_site: LocalSite
) -> None:
    found = browser.check(CHECK, local_site.add("/ps/no-statement", NO_STATEMENT))
    assert [(f.check, f.rule) for f in found] == [("page-structure", "statement-link-missing")]
    outcome = browser.outcome([CHECK], local_site.add("/ps/accessible", ACCESSIBLE))
    assert outcome.findings == []
    # The pipeline records where the page's statement link goes, for the service phase.
    assert outcome.statement_links == [local_site.base_url + "/accessibility-statement"]


def test_the_demo_site_has_no_findings_but_the_suppliers_missing_statement_links(
    browser: Browser, demo: DemoSite
) -> None:
    found = set()
    for host, path, _service in demo_html_pages(demo):
        for f in browser.check(CHECK, demo_url(demo, host, path)):
            found.add((host, path, f.rule))
    # Real, and in the manifest only as the branding check's "footer-links" defect: the
    # supplier's pages have no accessibility statement link in their footer.
    assert found == {
        ("supplier", "/pay-a-parking-fine", "statement-link-missing"),
        ("supplier", "/pay-a-parking-fine/find", "statement-link-missing"),
        ("supplier", "/pay-a-parking-fine/pay", "statement-link-missing"),
    }


def _errors_after(browser: Browser, url: str, submit: str | None) -> list[FindingData]:
    async def journey_step() -> list[FindingData]:
        async with browser.engine.open(url) as loaded:
            if not submit:
                return await error_identification(loaded, await form_state(loaded))
            # As the journey runner would: its raw Playwright page, its journey and step.
            playwright_page = loaded.page  # type: ignore[attr-defined]
            before = await form_state(playwright_page)
            async with playwright_page.expect_navigation():
                await playwright_page.click(submit)
            return await error_identification(
                playwright_page, before, journey_id="join-the-library", journey_step=3
            )

    result: list[FindingData] = browser.run(journey_step())
    return result


def test_errors_after_an_invalid_submission_are_checked(
    browser: Browser, local_site: LocalSite, demo: DemoSite
) -> None:
    # The demo library form answers an empty submission with an error summary and messages.
    apply = demo.base_url + "/join-the-library/apply"
    assert _errors_after(browser, apply, "form button[type=submit], form .button") == []
    assert _errors_after(browser, local_site.add("/ps/form-good", ACCESSIBLE), None) == []
    bad = _errors_after(browser, local_site.add("/ps/form-silent", FORM_WITHOUT_ERRORS), None)
    assert rules(bad) == {("error-not-identified", ("3.3.1",))}
    vague = _errors_after(browser, local_site.add("/ps/form-vague", FORM_INVALID_NO_TEXT), None)
    assert rules(vague) == {("error-not-described", ("3.3.1",))}
