"""The printable accessibility report of one service: evidence for its accessibility statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from html import escape
from typing import Any

STYLE = """
body { font-family: Arial, sans-serif; color: #0b0c0c; margin: 2rem; line-height: 1.5; }
h1, h2 { color: #1d3f6e; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { border: 1px solid #505a5f; padding: 0.4rem; text-align: left; vertical-align: top; }
th { background: #f3f2f1; }
code { font-size: 0.9em; word-break: break-all; }
@media print { a { color: #0b0c0c; } }
"""


def _criterion_key(criterion: str) -> tuple[int, ...]:
    return tuple(int(p) for p in criterion.split(".") if p.isdigit()) or (999,)


def accessibility_report_html(
    service_name: str,
    issues: Iterable[Mapping[str, Any]],
    *,
    generated_at: datetime,
    statement: str = "",
) -> str:
    """An HTML page listing open issues by WCAG success criterion; all text escaped."""
    by_criterion: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    total = 0
    for issue in issues:
        total += 1
        criteria = [c.strip() for c in str(issue.get("wcag") or "").split(",") if c.strip()]
        for criterion in criteria or ["Not mapped to a WCAG criterion"]:
            by_criterion[criterion].append(issue)
    parts = [
        "<!doctype html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>Accessibility report: {escape(service_name)}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<h1>Accessibility report: {escape(service_name)}</h1>",
        f"<p>Generated {generated_at:%d %B %Y %H:%M} UTC from automated checks against "
        "WCAG 2.2 level A and AA (axe-core). Automated checks find only part of the "
        "problems; a manual audit is still needed.</p>",
    ]
    if statement:
        parts.append(f"<p>Accessibility statement: {escape(statement)}</p>")
    parts.append(
        f"<p>{total} open issue{'s' if total != 1 else ''} under "
        f"{len(by_criterion)} success criteri{'a' if len(by_criterion) != 1 else 'on'}.</p>"
    )
    parts.append("<h2>Non-accessible content</h2>")
    if not by_criterion:
        parts.append("<p>No open issues were found by the automated checks.</p>")
    for criterion in sorted(by_criterion, key=_criterion_key):
        rows = by_criterion[criterion]
        parts.append(f"<h3>WCAG {escape(criterion)}</h3>")
        parts.append(
            "<table><thead><tr><th scope='col'>Rule</th><th scope='col'>Impact</th>"
            "<th scope='col'>What fails</th><th scope='col'>Pages</th>"
            "<th scope='col'>Status</th><th scope='col'>First seen</th></tr></thead><tbody>"
        )
        for issue in rows:
            help_url = str(issue.get("help_url") or "")
            rule = escape(str(issue.get("rule", "")))
            rule_cell = f'<a href="{escape(help_url, quote=True)}">{rule}</a>' if help_url else rule
            first = issue.get("first_seen")
            seen = f"{first:%d %b %Y}" if isinstance(first, datetime) else str(first or "")
            parts.append(
                "<tr>"
                f"<td>{rule_cell}</td>"
                f"<td>{escape(str(issue.get('impact', '')))}</td>"
                f"<td>{escape(str(issue.get('message', '')))}</td>"
                f"<td>{escape(str(issue.get('pages_affected', '')))}</td>"
                f"<td>{escape(str(issue.get('status', '')))}</td>"
                f"<td>{escape(seen)}</td>"
                "</tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</main></body></html>")
    return "\n".join(parts)
