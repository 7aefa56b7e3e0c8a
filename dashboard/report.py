"""The printable accessibility report of one service: the evidence for its accessibility
statement.

It lists every issue not yet fixed (acknowledged ones too: an acknowledged barrier is
still a barrier, and the statement must say what is not accessible and why), grouped
by WCAG success criterion, each with the pages and elements it was found on, what it
means for residents in plain English, and any acknowledgement: who, why and until when.
Every text from the checks or the pages is escaped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from monitor import humanise
from monitor.acknowledgements import day_of
from monitor.barriers import Barrier
from monitor.repository.read import IssuePageRow, IssueRow
from monitor.vocabulary import IssueKind

STYLE = """
body { font-family: Arial, sans-serif; color: #0b0c0c; margin: 2rem; line-height: 1.5; }
h1, h2 { color: #1d3f6e; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { border: 1px solid #505a5f; padding: 0.4rem; text-align: left; vertical-align: top; }
th { background: #f3f2f1; }
code { font-size: 0.9em; word-break: break-all; }
ul { margin: 0; padding-left: 1.2rem; }
@media print { a { color: #0b0c0c; } }
"""
NOT_MAPPED = "Not mapped to a WCAG criterion"
PAGES_LISTED = 20


@dataclass(frozen=True)
class ReportIssue:
    """An issue as the report lists it."""

    issue: IssueRow
    barrier: Barrier
    pages: Sequence[IssuePageRow]


def _criterion_key(criterion: str) -> tuple[int, ...]:
    return tuple(int(p) for p in criterion.split(".") if p.isdigit()) or (999,)


def _pages_cell(item: ReportIssue) -> str:
    if not item.pages:
        return f"{item.issue.pages_affected} (addresses not recorded)"
    rows = []
    for page in item.pages[:PAGES_LISTED]:
        element = f"<br><code>{escape(page.element)}</code>" if page.element else ""
        rows.append(f"<li>{escape(page.url)}{element}</li>")
    more = len(item.pages) - PAGES_LISTED
    if more > 0:
        rows.append(f"<li>and {more} more</li>")
    return f"<ul>{''.join(rows)}</ul>"


def _acknowledgement(issue: IssueRow, timezone: str) -> str:
    if not issue.ack_by:
        return ""
    until = (
        f" until {humanise.long_day(day_of(issue.ack_until, timezone))}"
        if issue.ack_until
        else " (no end date)"
    )
    return (
        f"Acknowledged by {escape(issue.ack_by)}{escape(until)}: {escape(issue.ack_reason or '')}"
    )


def _row(item: ReportIssue, timezone: str) -> str:
    issue, barrier = item.issue, item.barrier
    help_link = (
        f' <a href="{escape(issue.help_url, quote=True)}">How to fix it</a>'
        if issue.help_url
        else ""
    )
    explained = " ".join(
        part for part in (escape(barrier.barrier), escape(barrier.affects)) if part
    ) or escape(issue.message)
    state = escape(issue.state.label)
    acknowledged = _acknowledgement(issue, timezone)
    return (
        "<tr>"
        f"<td><strong>{escape(barrier.title)}</strong><br>{explained}{help_link}"
        f"<br><small>Rule {escape(issue.rule)}, issue {issue.id}</small></td>"
        f"<td>{escape(issue.impact.label if issue.impact else '')}</td>"
        f"<td>{_pages_cell(item)}</td>"
        f"<td>{state}{'<br>' + acknowledged if acknowledged else ''}</td>"
        f"<td>{escape(humanise.day(issue.first_seen_at, timezone))}</td>"
        "</tr>"
    )


def _table(items: Sequence[ReportIssue], timezone: str) -> str:
    head = (
        "<table><thead><tr><th scope='col'>What fails, and for whom</th>"
        "<th scope='col'>Impact</th><th scope='col'>Pages and elements</th>"
        "<th scope='col'>State</th><th scope='col'>First seen</th></tr></thead><tbody>"
    )
    return head + "".join(_row(item, timezone) for item in items) + "</tbody></table>"


def accessibility_report_html(
    service_name: str,
    issues: Sequence[ReportIssue],
    *,
    generated_at: datetime,
    statement: str = "",
    timezone: str = humanise.DEFAULT_TIMEZONE,
) -> str:
    """An HTML page listing the service's issues not yet fixed; all text escaped."""
    by_criterion: dict[str, list[ReportIssue]] = defaultdict(list)
    other: dict[IssueKind, list[ReportIssue]] = defaultdict(list)
    for item in issues:
        if item.issue.kind in (IssueKind.accessibility, IssueKind.documents):
            for criterion in item.issue.wcag or (NOT_MAPPED,):
                by_criterion[criterion].append(item)
        else:
            other[item.issue.kind].append(item)
    accessibility = sum(
        1 for i in issues if i.issue.kind in (IssueKind.accessibility, IssueKind.documents)
    )
    acknowledged = sum(1 for i in issues if i.issue.ack_by)
    title = f"Accessibility report: {escape(service_name)}"
    parts = [
        "<!doctype html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<h1>{title}</h1>",
        f"<p>Generated {escape(humanise.when(generated_at, timezone))} (UK time) from "
        "automated checks against WCAG 2.2 level A and AA (axe-core and the monitor's own "
        "checks). Automated checks find only part of the problems; a manual audit is still "
        "needed.</p>",
    ]
    if statement:
        parts.append(f"<p>Accessibility statement: {escape(statement)}</p>")
    parts.append(
        f"<p>{accessibility} accessibility issue{'s' if accessibility != 1 else ''} not yet "
        f"fixed under {len(by_criterion)} success criteri"
        f"{'a' if len(by_criterion) != 1 else 'on'}; {acknowledged} of all the issues below "
        "are acknowledged.</p>"
    )
    parts.append("<h2>Non-accessible content</h2>")
    if not by_criterion:
        parts.append("<p>No accessibility issues were found by the automated checks.</p>")
    for criterion in sorted(by_criterion, key=_criterion_key):
        label = criterion if criterion == NOT_MAPPED else f"WCAG {criterion}"
        parts.append(f"<h3>{escape(label)}</h3>")
        parts.append(_table(by_criterion[criterion], timezone))
    for kind in (IssueKind.statement, IssueKind.links, IssueKind.branding):
        if other.get(kind):
            parts.append(f"<h2>{escape(kind.label)}</h2>")
            parts.append(_table(other[kind], timezone))
    parts.append("</main></body></html>")
    return "\n".join(parts)
