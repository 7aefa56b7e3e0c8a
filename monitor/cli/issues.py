"""``monitor issues ...``: issues tracked across runs; list, show, acknowledge."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from monitor.cli.common import (
    EXIT_USAGE,
    err,
    friendly_errors,
    open_repository,
    out,
    require_known_service,
)
from monitor.models import IssueStatus


class Impact(StrEnum):
    """axe's impacts, least first."""

    minor = "minor"
    moderate = "moderate"
    serious = "serious"
    critical = "critical"


IMPACT_ORDER = [level.value for level in Impact]
app = typer.Typer(
    name="issues", help="Issues tracked across runs: list, show, acknowledge.", no_args_is_help=True
)


@app.command("list")
@friendly_errors
def issues_list(
    service: Annotated[str | None, typer.Option(help="Only this service")] = None,
    status: Annotated[
        list[IssueStatus] | None,
        typer.Option(help="new, open, fixed or reopened (repeatable)", case_sensitive=False),
    ] = None,
    impact: Annotated[
        Impact | None,
        typer.Option(help="minor, moderate, serious or critical", case_sensitive=False),
    ] = None,
    check: Annotated[str | None, typer.Option(help="axe, links, branding, ...")] = None,
) -> None:
    """List issues with their status, impact and the pages they affect."""
    # A status or impact that does not exist is a usage error (exit 2, naming the values
    # accepted), never an empty list that looks like good news.
    repository = open_repository()
    require_known_service(repository, service)
    rows = repository.issues(
        service_id=service,
        statuses=status,
        impact=impact,
        check=check,
    )
    table = Table(title=f"{len(rows)} issue(s)")
    for column in (
        "Id",
        "Service",
        "Status",
        "Check",
        "Rule",
        "WCAG",
        "Impact",
        "Pages",
        "First seen",
        "Acknowledged",
    ):
        table.add_column(column, overflow="fold")
    for issue in rows:
        acked = (
            f"{issue.ack_by} until {issue.ack_until:%Y-%m-%d}"
            if issue.ack_by and issue.ack_until
            else (issue.ack_by or "")
        )
        table.add_row(
            str(issue.id),
            issue.service_id,
            issue.status,
            issue.check,
            issue.rule,
            issue.wcag,
            issue.impact or "",
            str(issue.pages_affected),
            f"{issue.first_seen_at:%Y-%m-%d}",
            acked,
        )
    out.print(table)


@app.command("show")
@friendly_errors
def issues_show(issue_id: Annotated[int, typer.Argument(help="Issue id")]) -> None:
    """Everything about one issue: the rule, the element, the pages, the history."""
    repository = open_repository()
    issue = repository.issue(issue_id)
    if issue is None:
        err.print(f"no issue {issue_id}")
        raise typer.Exit(EXIT_USAGE)
    out.print(f"[bold]Issue {issue.id}[/bold] · {issue.service_id} · {issue.status}")
    for label, value in (
        ("Check / rule", f"{issue.check} / {issue.rule}"),
        ("WCAG", issue.wcag or "—"),
        ("Impact", issue.impact or "—"),
        ("Message", issue.message),
        ("Element", issue.selector),
        ("Snippet", issue.snippet),
        ("Help", issue.help_url or "—"),
        ("First seen", f"{issue.first_seen_at:%Y-%m-%d %H:%M} (run {issue.first_seen_run_id})"),
        ("Last seen", f"{issue.last_seen_at:%Y-%m-%d %H:%M} (run {issue.last_seen_run_id})"),
        ("Fixed", f"{issue.fixed_at:%Y-%m-%d %H:%M}" if issue.fixed_at else "—"),
        ("Reopened", str(issue.reopened_count)),
        (
            "Acknowledged",
            f"by {issue.ack_by}: {issue.ack_reason} (until {issue.ack_until:%Y-%m-%d})"
            if issue.ack_by and issue.ack_until
            else (f"by {issue.ack_by}: {issue.ack_reason}" if issue.ack_by else "—"),
        ),
    ):
        out.print(f"  {label:13} {value}", markup=False, highlight=False)
    out.print(f"  Pages ({issue.pages_affected}):")
    for url in repository.issue_page_urls(issue_id):
        out.print(f"    {url}", markup=False)


@app.command("ack")
@friendly_errors
def issues_ack(
    issue_id: Annotated[int, typer.Argument(help="Issue id")],
    by: Annotated[str, typer.Option(help="Who acknowledges it")],
    reason: Annotated[str, typer.Option(help="Why (e.g. fix scheduled with the supplier)")],
    until: Annotated[str, typer.Option(help="Expiry date, YYYY-MM-DD")],
) -> None:
    """Acknowledge an issue: it stops counting against the measures until the expiry."""
    try:
        expiry = datetime.strptime(until, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        err.print(f"--until must be a date like 2027-01-31, not {until!r}")
        raise typer.Exit(EXIT_USAGE) from None
    if expiry <= datetime.now(UTC):
        # It would replace whatever acknowledgement the issue has with one already over.
        err.print(f"--until {until} is not after today: give the date the acknowledgement ends")
        raise typer.Exit(EXIT_USAGE)
    repository = open_repository()
    try:
        issue = repository.acknowledge_issue(issue_id, by=by, reason=reason, until=expiry)
    except (KeyError, ValueError) as exc:
        err.print(str(exc.args[0]))
        raise typer.Exit(EXIT_USAGE) from None
    out.print(f"Issue {issue.id} acknowledged by {issue.ack_by} until {until}.")
