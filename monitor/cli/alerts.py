"""``monitor alerts ...``: tell service owners what regressed, and what was sent."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from monitor.cli.common import (
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    council_config,
    err,
    friendly_errors,
    open_repository,
    out,
    require_known_service,
)

app = typer.Typer(
    name="alerts", help="Alerts to service owners: send now, list.", no_args_is_help=True
)


@app.command("send")
@friendly_errors
def alerts_send(
    digest: Annotated[bool, typer.Option(help="Send today's digest instead")] = False,
) -> None:
    """Send what is worth an alert now (each alert once per channel, ever). Exit 2 if no
    channel is configured or a channel's secret is not set; 3 if a delivery failed (it is
    tried again next time)."""
    from monitor.alerts import missing_secrets, send_alerts, send_digest

    config = council_config()
    if not config.alerts.channels:
        # "0 sent" would read as "nothing to say"; the truth is nowhere to say it.
        services_yaml = config.directory / "services.yaml"
        err.print(
            "No alert channel is configured, so no alert can be sent: add an alerts: "
            f"section with channels (email, teams or slack) to {services_yaml}",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_USAGE)
    unusable = missing_secrets(config)
    for problem in unusable:
        err.print(problem, markup=False, soft_wrap=True)
    repository = open_repository(config)
    report = (send_digest if digest else send_alerts)(config, repository)
    out.print(f"{report.found} alert(s) found; {report.sent} sent, {report.failed} failed.")
    for error in report.errors:
        err.print(error, markup=False)
    if unusable:
        raise typer.Exit(EXIT_USAGE)
    if report.failed:
        raise typer.Exit(EXIT_UNAVAILABLE)


@app.command("list")
@friendly_errors
def alerts_list(
    service: Annotated[str | None, typer.Option(help="Only this service")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first")] = 50,
) -> None:
    """Alerts sent (or that failed), newest first."""
    repository = open_repository()
    require_known_service(repository, service)
    rows = repository.alerts(service_id=service, limit=limit)
    table = Table(title=f"{len(rows)} alert(s)")
    for column in ("When", "Service", "Kind", "Channel", "To", "Status", "Subject"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            f"{row.sent_at:%Y-%m-%d %H:%M}",
            row.service_id or "",
            row.kind,
            row.channel,
            row.recipient,
            row.status + (f": {row.error}" if row.error else ""),
            row.subject,
        )
    out.print(table)
