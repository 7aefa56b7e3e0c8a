"""The printable accessibility report and the CSV exports a service owner takes away."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pandas as pd
import pytest
from playwright.async_api import async_playwright

from crawlers.axe_source import axe_script
from dashboard.components import csv_bytes
from dashboard.report import accessibility_report_html
from monitor.settings import BROWSER_FLAGS, Settings

ISSUES = [
    {
        "rule": "label",
        "wcag": "4.1.2",
        "impact": "critical",
        "message": "Add a label",
        "pages_affected": 3,
        "status": "open",
        "first_seen": datetime(2026, 11, 1, tzinfo=UTC),
        "help_url": "https://dequeuniversity.com/rules/axe/4.12/label",
    },
    {
        "rule": "image-alt",
        "wcag": "1.1.1,1.4.3",
        "impact": "serious",
        "message": "<script>alert('x')</script> has no alt",
        "pages_affected": 1,
        "status": "new",
        "first_seen": datetime(2026, 11, 20, tzinfo=UTC),
        "help_url": None,
    },
]


def report() -> str:
    return accessibility_report_html(
        "Report a pothole",
        ISSUES,
        generated_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        statement="Found and complete",
    )


def test_open_issues_are_listed_by_wcag_criterion_in_order() -> None:
    html = report()
    positions = [html.index(f"<h3>WCAG {c}</h3>") for c in ("1.1.1", "1.4.3", "4.1.2")]
    assert positions == sorted(positions)
    assert html.count("image-alt") == 2  # listed under both of its criteria
    assert "2 open issues under 3 success criteria" in html
    assert "Accessibility statement: Found and complete" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


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
