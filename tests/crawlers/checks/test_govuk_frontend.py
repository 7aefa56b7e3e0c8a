"""False alarms: GOV.UK Frontend's published component examples, each in a minimal
accessible page (the GOV.UK template with the package's CSS and JavaScript), raise no
violation from the checks beyond axe, except the few examples that are not complete on their
own, listed here with the reason (each must still show the barrier it is listed for, so the
list cannot go stale)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawlers.check import PageCheck
from crawlers.checks import page_checks
from tests.crawlers.checks import govuk
from tests.crawlers.checks.conftest import Browser, LocalSite, start_browser, stop_browser

pytestmark = pytest.mark.browser

#: Every page check but axe (measured elsewhere), links (the examples link to "#") and
#: branding (the council's brand, not GOV.UK's).
BEYOND_AXE: list[PageCheck] = [
    c for c in page_checks() if c.name not in ("axe", "links", "branding")
]
_ERRORS_ONLY = (
    "the error styling without its error message, which GOV.UK's guidance says must go with "
    "it: alone, the fields are marked wrong by a red border only"
)
#: (component, example) → (the rule it raises, why the example is not complete on its own).
EXCEPTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("date-input", "with errors only"): ("error-colour-only", _ERRORS_ONLY),
    ("date-input", "with errors only (using classes)"): ("error-colour-only", _ERRORS_ONLY),
    ("date-input", "with errors only (using items)"): ("error-colour-only", _ERRORS_ONLY),
    ("date-input", "with errors only (using items and classes)"): (
        "error-colour-only",
        _ERRORS_ONLY,
    ),
    ("radios", "without fieldset"): (
        "group-no-name",
        "three radios with no question at all: the fieldset and legend are left to the page",
    ),
    ("skip-link", "default"): (
        "skip-link-target",
        "the skip link points to #test-target-element, which the example leaves to the page",
    ),
    ("skip-link", "with focus"): (
        "skip-link-target",
        "the skip link points to #test-target-element, which the example leaves to the page",
    ),
}

if not govuk.available():
    pytest.fail(
        f"GOV.UK Frontend {govuk.VERSION} is not in {govuk.DIST}: run `make govuk-frontend`",
        pytrace=False,
    )

EXAMPLES = govuk.examples()
COMPONENTS = sorted({e.component for e in EXAMPLES})


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Browser, dict[govuk.Example, str]]]:
    site = LocalSite()
    browser = start_browser()
    try:
        yield browser, govuk.serve(site, EXAMPLES)
    finally:
        stop_browser(browser)
        site.close()


def test_the_published_examples_and_the_exceptions_are_known() -> None:
    assert len(EXAMPLES) == 293 and len(COMPONENTS) == 39
    names = {(e.component, e.name) for e in EXAMPLES}
    assert set(EXCEPTIONS) <= names


@pytest.mark.parametrize("component", COMPONENTS)
def test_the_examples_raise_no_violation_beyond_axe(
    served: tuple[Browser, dict[govuk.Example, str]], component: str
) -> None:
    browser, urls = served
    wrong = []
    for example in (e for e in EXAMPLES if e.component == component):
        outcome = browser.outcome(BEYOND_AXE, urls[example])
        assert not outcome.check_errors, (example.name, outcome.check_errors)
        assert len(outcome.ran) == len(BEYOND_AXE), (example.name, outcome.skipped)
        rules = {f.rule for f in outcome.violations}
        listed = EXCEPTIONS.get((component, example.name))
        if listed is not None:
            assert rules == {listed[0]}, (example.name, rules)
        elif rules:
            wrong.append((example.name, [(f.rule, f.message) for f in outcome.violations]))
    assert wrong == []
