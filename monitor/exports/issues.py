"""Issues as the rows of an export: the same states, words and dates as the dashboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from monitor import humanise
from monitor.acknowledgements import day_of
from monitor.barriers import explain
from monitor.repository.read import IssueRow, PageRef


def issue_csv_rows(
    issues: Sequence[IssueRow], pages: Mapping[int, Sequence[PageRef]], timezone: str
) -> list[dict[str, Any]]:
    """Issues as the rows of an issues CSV: the same states, words and dates as the
    dashboard and the report (UK time; an acknowledgement's date as it was entered)."""
    rows = []
    for issue in issues:
        barrier = explain(issue.rule, issue.message)
        rows.append(
            {
                "Issue": issue.id,
                "Service": issue.service_id,
                "Kind": issue.kind.label,
                "State": issue.state.label,
                "Rule": issue.rule,
                "What is wrong": barrier.title,
                "Who it affects": barrier.affects,
                "Impact": issue.impact.label if issue.impact else "",
                "WCAG": ", ".join(issue.wcag),
                "Pages affected": issue.pages_affected,
                "Page addresses": "; ".join(p.url for p in pages.get(issue.id, [])),
                "Element": issue.selector,
                "First seen": humanise.csv_time(issue.first_seen_at, timezone),
                "Last seen": humanise.csv_time(issue.last_seen_at, timezone),
                "Fixed": humanise.csv_time(issue.fixed_at, timezone),
                "Acknowledged by": issue.ack_by or "",
                "Reason": issue.ack_reason or "",
                "Acknowledged until": day_of(issue.ack_until, timezone).isoformat()
                if issue.ack_until
                else "",
            }
        )
    return rows
