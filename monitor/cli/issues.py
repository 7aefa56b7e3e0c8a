"""``monitor issues ...``: issues tracked across runs; list, show, acknowledge.

The states are the dashboard's, the CSV's and the report's (``monitor.vocabulary``):
new, open, reopened, acknowledged (open, with an acknowledgement that has not expired)
and fixed; an acknowledgement's date is read in the council's time zone
(``monitor.acknowledgements``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer
from rich.table import Table

from monitor import humanise
from monitor.acknowledgements import AcknowledgementRefused, acknowledge, day_of
from monitor.cli.common import (
    EXIT_USAGE,
    council_config,
    err,
    friendly_errors,
    open_repository,
    out,
    require_known_service,
)
from monitor.config import ScheduleConfig
from monitor.repository.read import IssueFilter, IssueRow
from monitor.vocabulary import Impact, IssueKind, IssueState
from monitor.yamlsource import ConfigError

app = typer.Typer(
    name="issues", help="Issues tracked across runs: list, show, acknowledge.", no_args_is_help=True
)


def council_timezone() -> str:
    """The council's time zone; its default when services.yaml cannot be read (an
    acknowledgement should not wait for an unrelated mistake in the config)."""
    try:
        return council_config().schedule.timezone
    except ConfigError:
        return ScheduleConfig().timezone


def acknowledged_words(issue: IssueRow, timezone: str) -> str:
    if not issue.ack_by:
        return ""
    until = (
        f" until {humanise.long_day(day_of(issue.ack_until, timezone))}" if issue.ack_until else ""
    )
    return f"by {issue.ack_by}{until}"


@app.command("list")
@friendly_errors
def issues_list(
    service: Annotated[str | None, typer.Option(help="Only this service")] = None,
    status: Annotated[
        list[IssueState] | None,
        typer.Option(
            help="new, open, reopened, acknowledged or fixed (repeatable)", case_sensitive=False
        ),
    ] = None,
    impact: Annotated[
        Impact | None,
        typer.Option(help="minor, moderate, serious or critical", case_sensitive=False),
    ] = None,
    kind: Annotated[
        IssueKind | None,
        typer.Option(
            help="accessibility, branding, links, statement, documents or journeys",
            case_sensitive=False,
        ),
    ] = None,
    check: Annotated[str | None, typer.Option(help="axe, links, branding, ...")] = None,
) -> None:
    """List issues with their state, impact and the pages they affect."""
    # A state or impact that does not exist is a usage error (exit 2, naming the values
    # accepted), never an empty list that looks like good news.
    repository = open_repository()
    require_known_service(repository, service)
    timezone = council_timezone()
    rows = repository.read.issues.rows(
        IssueFilter(
            service_ids=(service,) if service else None,
            states=tuple(status or ()),
            impacts=(impact,) if impact else (),
            kinds=(kind,) if kind else (),
            checks=(check,) if check else (),
        ),
        limit=500,
    )
    rows.sort(key=lambda issue: issue.id)
    table = Table(title=f"{len(rows)} issue(s)")
    for column in (
        "Id",
        "Service",
        "State",
        "Kind",
        "Rule",
        "WCAG",
        "Impact",
        "Pages",
        "First seen",
        "Acknowledged",
    ):
        table.add_column(column, overflow="fold")
    for issue in rows:
        table.add_row(
            str(issue.id),
            issue.service_id,
            issue.state.value,
            issue.kind.value,
            issue.rule,
            ", ".join(issue.wcag),
            issue.impact.value if issue.impact else "",
            str(issue.pages_affected),
            humanise.day(issue.first_seen_at, timezone),
            acknowledged_words(issue, timezone),
        )
    out.print(table)


@app.command("show")
@friendly_errors
def issues_show(issue_id: Annotated[int, typer.Argument(help="Issue id")]) -> None:
    """Everything about one issue: the rule, the element, the pages, the history."""
    repository = open_repository()
    issue = repository.read.issues.issue(issue_id)
    if issue is None:
        err.print(f"no issue {issue_id}")
        raise typer.Exit(EXIT_USAGE)
    timezone = council_timezone()
    out.print(f"[bold]Issue {issue.id}[/bold] · {issue.service_id} · {issue.state.value}")
    for label, value in (
        ("Check / rule", f"{issue.check} / {issue.rule}"),
        ("Kind", issue.kind.label),
        ("WCAG", ", ".join(issue.wcag) or "—"),
        ("Impact", issue.impact.value if issue.impact else "—"),
        ("Message", issue.message),
        ("Element", issue.selector),
        ("Snippet", issue.snippet),
        ("Help", issue.help_url or "—"),
        (
            "First seen",
            f"{humanise.when(issue.first_seen_at, timezone)} (run {issue.first_seen_run_id})",
        ),
        (
            "Last seen",
            f"{humanise.when(issue.last_seen_at, timezone)} (run {issue.last_seen_run_id})",
        ),
        ("Fixed", humanise.when(issue.fixed_at, timezone) or "—"),
        ("Reopened", str(issue.reopened_count)),
        (
            "Acknowledged",
            f"{acknowledged_words(issue, timezone)}: {issue.ack_reason}" if issue.ack_by else "—",
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
    until: Annotated[
        str,
        typer.Option(
            help="YYYY-MM-DD: the issue counts again from the start of this day, in the "
            "council's time zone"
        ),
    ],
) -> None:
    """Acknowledge an issue: it stops counting against the measures until the date."""
    try:
        day: date = datetime.strptime(until, "%Y-%m-%d").date()
    except ValueError:
        err.print(f"--until must be a date like 2027-01-31, not {until!r}")
        raise typer.Exit(EXIT_USAGE) from None
    repository = open_repository()
    timezone = council_timezone()
    try:
        issue = acknowledge(
            repository, issue_id, by=by, reason=reason, until=day, timezone=timezone
        )
    except AcknowledgementRefused as exc:
        err.print(f"--until {exc}" if str(exc).startswith(until) else str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    out.print(
        f"Issue {issue.id} acknowledged by {issue.ack_by} until {humanise.long_day(day)}: "
        f"it counts again from the start of that day ({timezone})."
    )
