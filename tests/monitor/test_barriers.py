"""Every rule the checks report has a plain-English explanation; an unknown rule falls back
to its own help text, never to axe's "Fix any of the following" preamble."""

from __future__ import annotations

import re
import typing

import pytest

from crawlers.axe_source import axe_script
from crawlers.checks import _scan, documents, keyboard
from monitor.barriers import explain, explained_rules, plain_message
from monitor.config import BrandRuleId
from monitor.settings import DEFAULT_AXE_TAGS

# The rules of the checks whose rules are not kept in a table of their own.
CHECK_RULES = {
    "page-structure": [
        "page-title-generic",
        "link-text-generic",
        "heading-empty",
        "heading-skipped-level",
        "language-mismatch",
        "placeholder-no-label",
        "error-not-identified",
        "error-not-described",
        "statement-link-missing",
    ],
    "reflow": [
        "reflow",
        "resize-text-clipped",
        "resize-text-overlap",
        "text-spacing-clipped",
        "hover-content-dismissible",
        "content-on-hover-or-focus",
    ],
    "interaction": ["change-of-context", "mouse-only-content"],
    "links": ["broken-link"],
    "page-titles": ["page-title-duplicate"],
    "language-of-parts": ["passage-language"],
    "documents": ["pdf-exempt"],
    "statement": [
        "statement-missing",
        "statement-unreachable",
        "statement-compliance-status",
        "statement-non-accessible-content",
        "statement-feedback",
        "statement-enforcement",
        "statement-preparation",
        "statement-stale",
        "statement-contradicts-scan",
    ],
}


def axe_rules_audited() -> set[str]:
    """axe-core's rules with a tag the audits run (WCAG 2.2 A and AA), not experimental."""
    rules = set()
    for match in re.finditer(r'\{id:"([\w-]+)"[^{}]*?tags:\[([^\]]*)\]', axe_script()):
        tags = set(re.findall(r'"([\w.-]+)"', match.group(2)))
        if tags & set(DEFAULT_AXE_TAGS) and not tags & {"experimental", "deprecated"}:
            rules.add(match.group(1))
    return rules


def test_every_rule_of_the_monitors_own_checks_is_explained() -> None:
    own = {
        *_scan.RULES,
        *keyboard.RULES,
        *documents.RULES,
        *typing.get_args(BrandRuleId),
        *(rule for rules in CHECK_RULES.values() for rule in rules),
    }
    assert len(own) > 80
    assert sorted(own - explained_rules()) == []


def test_every_wcag_rule_axe_runs_is_explained() -> None:
    audited = axe_rules_audited()
    assert len(audited) > 50  # the tags were read
    assert sorted(audited - explained_rules()) == []


def test_an_explanation_says_what_the_barrier_is_and_who_it_stops() -> None:
    barrier = explain("label", "Fix any of the following:\n  Form element does not have a label")
    assert barrier.title == "Form fields have no label"
    assert "not told what to enter" in barrier.barrier
    assert barrier.affects.startswith("Blind and partially sighted residents")
    assert barrier.known


@pytest.mark.parametrize(
    ("rule", "message", "title", "detail"),
    [
        # An axe rule outside the table: axe-core's own help text, and the failure named.
        (
            "aria-dialog-name",
            "Fix any of the following:\n  aria-label attribute does not exist",
            "ARIA dialog and alertdialog nodes should have an accessible name",
            "aria-label attribute does not exist",
        ),
        # A rule nobody knows: the message without axe's preamble.
        (
            "made-up-rule",
            "Fix all of the following:\n  The thing is broken",
            "The thing is broken",
            "",
        ),
        ("made-up-rule", "", "Made up rule", ""),
    ],
)
def test_an_unknown_rule_falls_back_to_its_own_help_never_the_preamble(
    rule: str, message: str, title: str, detail: str
) -> None:
    barrier = explain(rule, message)
    assert (barrier.title, barrier.barrier) == (title, detail)
    assert not barrier.known
    assert "Fix any" not in barrier.title + barrier.barrier
    assert "Fix all" not in barrier.title + barrier.barrier


def test_the_preamble_is_dropped_from_any_message() -> None:
    assert plain_message("Fix any of the following:\n  Element has insufficient contrast") == (
        "Element has insufficient contrast"
    )
    assert plain_message("Fix all of the following:\nFix any of the following:\n  x") == "x"
    assert plain_message("The link goes nowhere") == "The link goes nowhere"
