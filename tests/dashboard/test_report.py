"""The printable accessibility report and the CSV exports a service owner takes away."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pandas as pd
import pytest
from playwright.async_api import async_playwright

from crawlers.axe_source import axe_script
from dashboard.components import csv_bytes
from dashboard.report import ReportIssue, accessibility_report_html
from monitor.barriers import explain
from monitor.models import FindingOutcome
from monitor.repository.read import IssuePageRow, IssueRow
from monitor.settings import BROWSER_FLAGS, Settings
from monitor.vocabulary import Impact, IssueKind, IssueState


def row(
    issue_id: int, rule: str, wcag: tuple[str, ...], impact: Impact, **extra: object
) -> IssueRow:
    values: dict[str, object] = {
        "id": issue_id,
        "service_id": "report-a-pothole",
        "check": "axe",
        "rule": rule,
        "kind": IssueKind.accessibility,
        "wcag": wcag,
        "impact": impact,
        "outcome": FindingOutcome.violation,
        "state": IssueState.open,
        "pages_affected": 1,
        "on_journey": False,
        "message": "Fix any of the following:\n  Element has no label",
        "help_url": f"https://dequeuniversity.com/rules/axe/4.12/{rule}",
        "selector": f"#{rule}",
        "snippet": "",
        "first_seen_at": datetime(2026, 11, 1, 9, tzinfo=UTC),
        "first_seen_run_id": 1,
        "last_seen_at": datetime(2026, 11, 20, 9, tzinfo=UTC),
        "last_seen_run_id": 5,
        "fixed_at": None,
        "reopened_count": 0,
        "ack_by": None,
        "ack_reason": None,
        "ack_at": None,
        "ack_until": None,
    }
    values.update(extra)
    return IssueRow(**values)  # type: ignore[arg-type]


def item(issue: IssueRow, *pages: tuple[str, str]) -> ReportIssue:
    return ReportIssue(
        issue,
        explain(issue.rule, issue.message),
        [IssuePageRow(url, element, "", "", "") for url, element in pages],
    )


ISSUES = [
    item(
        row(1, "label", ("4.1.2",), Impact.critical, pages_affected=2),
        ("https://example.gov.uk/report/where", "#street"),
        ("https://example.gov.uk/report/details", "#size"),
    ),
    item(
        row(
            2,
            "image-alt",
            ("1.1.1", "1.4.3"),
            Impact.serious,
            state=IssueState.acknowledged,
            ack_by="Sam Owner",
            ack_reason="Supplier <b>fix</b> booked",
            # 31 July 2027 in London is 30 July, 23:00 UTC (summer time).
            ack_until=datetime(2027, 7, 30, 23, tzinfo=UTC),
        ),
        ("https://example.gov.uk/report/photo", "img.pothole"),
    ),
    item(
        row(3, "statement-stale", (), Impact.moderate, check="statement", kind=IssueKind.statement),
    ),
]


def report() -> str:
    return accessibility_report_html(
        "Report a pothole",
        ISSUES,
        generated_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        statement="Found and complete",
    )


def test_issues_are_listed_by_wcag_criterion_in_order_with_pages_and_elements() -> None:
    html = report()
    positions = [html.index(f"<h3>WCAG {c}</h3>") for c in ("1.1.1", "1.4.3", "4.1.2")]
    assert positions == sorted(positions)
    assert html.count("Images have no text alternative") == 2  # under both criteria
    assert "https://example.gov.uk/report/where<br><code>#street</code>" in html
    assert "https://example.gov.uk/report/details<br><code>#size</code>" in html
    assert "2 accessibility issues not yet fixed under 3 success criteria" in html
    assert "Accessibility statement: Found and complete" in html
    assert "Generated 25 Nov 2026, 09:00 (UK time)" in html


def test_explanations_are_plain_english_never_axe_preamble() -> None:
    html = report()
    assert "A form field has no label linked to it" in html
    assert "Blind and partially sighted residents using screen readers." in html
    assert "Fix any of the following" not in html


def test_acknowledgements_say_who_why_and_until_when_escaped() -> None:
    html = report()
    assert (
        "Acknowledged by Sam Owner until 31 July 2027: Supplier &lt;b&gt;fix&lt;/b&gt; booked"
        in html
    )
    assert "<b>fix</b>" not in html
    assert "1 of all the issues below are acknowledged" in html


def test_issues_of_the_statement_have_their_own_section() -> None:
    html = report()
    assert "<h2>Accessibility statement</h2>" in html
    assert html.index("<h2>Accessibility statement</h2>") > html.index("<h3>WCAG 4.1.2</h3>")


@pytest.mark.browser
def test_the_report_is_itself_accessible() -> None:
    async def violations() -> list[str]:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(Settings().chromium_path), headless=True, args=BROWSER_FLAGS
            )
            page = await browser.new_page()
            await page.set_content(report())
            await page.add_script_tag(content=axe_script())
            result = await page.evaluate(
                "() => axe.run(document, {runOnly: {type: 'tag', values: "
                "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
            )
            await browser.close()
            return [v["id"] for v in result["violations"]]

    assert asyncio.run(violations()) == []


def test_csv_exports_neutralise_spreadsheet_formulas() -> None:
    frame = pd.DataFrame({"comment": ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "ok"]})
    rows = csv_bytes(frame).decode("utf-8").strip().splitlines()
    assert rows == ["comment", "'=HYPERLINK(1)", "'+1", "'-2", "'@SUM(A1)", "ok"]
