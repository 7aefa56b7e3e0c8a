"""The words shared about issues are defined once, and each outcome has its own name."""

from __future__ import annotations

import re

from monitor.config import AlertRules
from monitor.repository import issues as issue_writes
from monitor.vocabulary import (
    OPEN_STATES,
    SERIOUS_OR_MORE,
    Impact,
    IssueKind,
    IssueState,
    is_serious_or_more,
)
from tests.conftest import PROJECT


def test_impacts_are_in_their_natural_order_with_labels() -> None:
    assert [i.value for i in Impact] == ["minor", "moderate", "serious", "critical"]
    assert [i.label for i in Impact.most_severe_first()] == [
        "Critical",
        "Serious",
        "Moderate",
        "Minor",
    ]
    assert [i.rank for i in Impact] == [1, 2, 3, 4]
    assert Impact.of("serious") is Impact.serious
    assert Impact.of(None) is None and Impact.of("catastrophic") is None


def test_serious_or_more_is_one_definition() -> None:
    assert {Impact.serious, Impact.critical} == SERIOUS_OR_MORE
    assert [is_serious_or_more(i) for i in ("minor", "moderate", "serious", "critical")] == [
        False,
        False,
        True,
        True,
    ]
    assert not is_serious_or_more(None)
    assert AlertRules().new_issue_impacts == [Impact.serious, Impact.critical]
    # The findings' write path keeps its own copy while its storage is being reworked on
    # another branch; it must say the same.
    assert set(issue_writes.SERIOUS) == {i.value for i in SERIOUS_OR_MORE}


def test_an_issue_state_is_its_lifecycle_or_acknowledged() -> None:
    assert IssueState.of("open", acknowledged=False) is IssueState.open
    assert IssueState.of("reopened", acknowledged=True) is IssueState.acknowledged
    assert IssueState.of("fixed", acknowledged=True) is IssueState.fixed
    assert [s.label for s in IssueState] == ["New", "Open", "Reopened", "Acknowledged", "Fixed"]
    assert (IssueState.new, IssueState.open, IssueState.reopened) == OPEN_STATES
    assert [s.counts for s in IssueState] == [True, True, True, False, False]


def test_an_issue_kind_follows_its_check_and_rule() -> None:
    assert IssueKind.of("axe", "image-alt") is IssueKind.accessibility
    assert IssueKind.of("keyboard", "keyboard-trap") is IssueKind.accessibility
    assert IssueKind.of("branding", "logo") is IssueKind.branding
    assert IssueKind.of("links", "broken-link") is IssueKind.links
    assert IssueKind.of("statement", "statement-stale") is IssueKind.statement
    assert IssueKind.of("page-structure", "statement-link-missing") is IssueKind.statement
    assert IssueKind.of("documents", "pdf-untagged") is IssueKind.documents


def test_no_two_different_things_are_called_outcome() -> None:
    classes = [
        (path.relative_to(PROJECT), match.group(1))
        for folder in ("monitor", "crawlers", "dashboard")
        for path in (PROJECT / folder).rglob("*.py")
        for match in re.finditer(r"^class (\w*Outcome)\b", path.read_text(), re.MULTILINE)
    ]
    names = [name for _, name in classes]
    assert "Outcome" not in names
    assert len(names) == len(set(names)), classes
    assert {"FindingOutcome", "AttemptOutcome", "JobOutcome"} <= set(names)
