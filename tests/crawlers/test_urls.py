"""Addresses: normalisation, de-duplication and scope."""

from __future__ import annotations

import pytest

from crawlers.checks.axe import criteria_from_tags, findings_from_axe
from crawlers.urls import Scope, looks_like_document, normalise_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTP://Example.GOV.uk:80/a#top", "http://example.gov.uk/a"),
        ("https://example.gov.uk:443", "https://example.gov.uk/"),
        ("https://example.gov.uk:8443/x", "https://example.gov.uk:8443/x"),
        ("https://e.gov.uk/a?utm_source=x&b=2&a=1&gclid=z", "https://e.gov.uk/a?a=1&b=2"),
        ("https://e.gov.uk//a//b", "https://e.gov.uk/a/b"),
        ("mailto:someone@example.gov.uk", None),
        ("tel:01234", None),
        ("javascript:void(0)", None),
    ],
)
def test_addresses_are_normalised(given: str, expected: str | None) -> None:
    assert normalise_url(given) == expected


def test_relative_links_are_resolved_against_the_page() -> None:
    assert normalise_url("../b?x=1#f", "https://e.gov.uk/a/c") == "https://e.gov.uk/b?x=1"


def test_scope_keeps_to_hosts_patterns_and_depth() -> None:
    scope = Scope.build(["e.gov.uk"], [r"^/roads"], [r"/print$"], max_depth=2)
    assert scope.allows("https://e.gov.uk/roads/potholes", 2)
    assert not scope.allows("https://e.gov.uk/roads/potholes", 3)
    assert not scope.allows("https://other.gov.uk/roads", 0)
    assert not scope.allows("https://e.gov.uk/schools", 0)
    assert not scope.allows("https://e.gov.uk/roads/print", 0)


def test_documents_are_told_apart_by_extension() -> None:
    assert looks_like_document("https://e.gov.uk/files/Guide.PDF")
    assert looks_like_document("https://e.gov.uk/a.docx")
    assert not looks_like_document("https://e.gov.uk/pdf-guide")


def test_wcag_criteria_come_from_axe_tags() -> None:
    assert criteria_from_tags(["wcag2aa", "wcag143", "wcag1410", "cat.color"]) == (
        "1.4.3",
        "1.4.10",
    )
    assert criteria_from_tags(["wcag2411", "wcag22aa"]) == ("2.4.11",)
    assert criteria_from_tags(["best-practice"]) == ()


def test_axe_violations_and_needs_review_are_kept_apart() -> None:
    node = {"target": ["#a"], "html": "<img id=a>", "impact": "critical", "failureSummary": "Fix"}
    results = {
        "violations": [{"id": "image-alt", "tags": ["wcag111"], "nodes": [node], "helpUrl": "u"}],
        "incomplete": [
            {
                "id": "color-contrast",
                "tags": ["wcag143"],
                "impact": "serious",
                "nodes": [{"target": ["p"], "html": "<p>" + "x" * 400}],
            }
        ],
    }
    violation, review = findings_from_axe(results)
    assert (violation.rule, violation.outcome, violation.wcag, violation.selector) == (
        "image-alt",
        "violation",
        ("1.1.1",),
        "#a",
    )
    assert (review.rule, review.outcome, review.impact) == (
        "color-contrast",
        "needs_review",
        "serious",
    )
    assert len(review.snippet) == 300 and review.snippet.endswith("…")
