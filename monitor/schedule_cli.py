"""Commands for the schedule, the run queue and alerts:
``monitor schedule``, ``monitor runs ...``, ``monitor alerts ...``."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.exc import InterfaceError, OperationalError

from crawlers.engines import BrowserUnavailable
from monitor.cli import (
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    app,
    configure_logging,
    council_config,
    err,
    error_log_path,
    friendly_errors,
    open_repository,
    out,
    require_known_service,
    settings,
)
from monitor.db import describe_fault
from monitor.models import RunStatus
from monitor.schedule import JOB_NAMES, Outcome, Scheduler

schedule_app = typer.Typer(
    help="The schedule: nightly audit, journeys, feedback purge, digest. With no command, "
    "run the scheduler until stopped.",
    invoke_without_command=True,
)
runs_app = typer.Typer(
    help="Runs: list, queue, cancel, and a worker for queued runs.", no_args_is_help=True
)
alerts_app = typer.Typer(help="Alerts to service owners: send now, list.", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")
app.add_typer(runs_app, name="runs")
app.add_typer(alerts_app, name="alerts")


def _logging() -> None:
    # A long-lived process: what it does, with times, on standard error (its journal).
    configure_logging(logging.INFO, timestamps=True)


@schedule_app.callback()
@friendly_errors
def schedule(ctx: typer.Context) -> None:
    """Run the scheduler until stopped (Ctrl-C, or SIGTERM from systemd)."""
    if ctx.invoked_subcommand is not None:
        return
    _logging()
    config = council_config()
    scheduler = Scheduler(settings(), config, open_repository(config))
    for name, moment in scheduler.next_runs().items():
        out.print(f"  {name:15} next at {moment:%Y-%m-%d %H:%M %Z}")
    out.print(f"Scheduler {scheduler.holder} running (Ctrl-C stops).")
    scheduler.serve()


@schedule_app.command("show")
@friendly_errors
def schedule_show() -> None:
    """Each job: its cron expression, when it next runs, when it last ran and how."""
    config = council_config()
    repository = open_repository(config)
    scheduler = Scheduler(settings(), config, repository)
    records = {r.name: r for r in repository.scheduled_jobs()}
    table = Table(title=f"Schedule ({config.schedule.timezone})")
    for column in ("Job", "Cron", "Next run", "Last slot", "Last status", "Runs"):
        table.add_column(column)
    following = scheduler.next_runs()
    for name in JOB_NAMES:
        record = records.get(name)
        nxt = following.get(name)
        table.add_row(
            name,
            getattr(config.schedule, name) or "off",
            f"{nxt:%Y-%m-%d %H:%M %Z}" if nxt else "—",
            f"{record.last_slot_at:%Y-%m-%d %H:%M}" if record and record.last_slot_at else "—",
            (record.last_status or "—") if record else "—",
            str(record.runs) if record else "0",
        )
    out.print(table)


@schedule_app.command("run")
@friendly_errors
def schedule_run(
    job: Annotated[str, typer.Argument(help=f"One of {', '.join(JOB_NAMES)}")],
    force: Annotated[
        bool, typer.Option(help="Run even if its latest cron slot has been run already")
    ] = False,
) -> None:
    """Run one job for its latest cron slot, holding its lease (for cron: runs once per
    slot however many machines call it); ``--force`` runs it again now."""
    config = council_config()
    scheduler = Scheduler(settings(), config, open_repository(config))
    if job not in scheduler.triggers:
        err.print(f"no scheduled job {job!r}; expected one of {', '.join(scheduler.triggers)}")
        raise typer.Exit(EXIT_USAGE)
    from monitor.models import utcnow

    result = scheduler.run_job(job, utcnow() if force else None)
    if result.outcome == Outcome.failed:
        # The traceback is in the error log (the scheduler logged it); here one sentence.
        reason = (result.error or "").splitlines()[0] if result.error else "unknown error"
        if isinstance(result.exception, OperationalError | InterfaceError):
            reason = describe_fault(result.exception, settings().database_url)
        elif isinstance(result.exception, BrowserUnavailable):
            reason = str(result.exception)
        log_file = error_log_path()
        details = f" (details in {log_file})" if log_file.is_file() else ""
        err.print(f"{job}: failed: {reason}{details}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNAVAILABLE)
    out.print(f"{job}: {result.outcome}" + (f" (run {result.run_id})" if result.run_id else ""))


@runs_app.command("list")
@friendly_errors
def runs_list(
    limit: Annotated[int, typer.Option(help="How many, newest first")] = 20,
    status: Annotated[
        RunStatus | None,
        typer.Option(
            help="queued, running, completed, failed, interrupted or cancelled",
            case_sensitive=False,
        ),
    ] = None,
) -> None:
    """Recent runs with their status (queued runs wait for a worker)."""
    repository = open_repository()
    rows = [
        r
        for r in repository.runs(limit=limit * 5 if status else limit)
        if status is None or r.status == status
    ][:limit]
    table = Table(title=f"{len(rows)} run(s)")
    for column in ("Id", "Kind", "Trigger", "Status", "Services", "Created", "Pages", "Note"):
        table.add_column(column)
    for run in rows:
        note = "stopping" if run.cancel_requested and run.status == "running" else (run.error or "")
        table.add_row(
            str(run.id),
            run.kind,
            run.trigger,
            run.status,
            ", ".join(run.service_ids),
            f"{run.created_at:%Y-%m-%d %H:%M}",
            str(run.pages_found),
            note[:60],
        )
    out.print(table)


@runs_app.command("queue")
@friendly_errors
def runs_queue(
    service: Annotated[
        list[str] | None,
        typer.Option("--service", "-s", help="Service id (repeatable); default every service"),
    ] = None,
    engine: Annotated[str | None, typer.Option(help="playwright or selenium")] = None,
    max_pages: Annotated[int | None, typer.Option(help="At most this many pages")] = None,
    full: Annotated[bool, typer.Option(help="Audit every page, even unchanged ones")] = False,
) -> None:
    """Queue an audit for a worker (``monitor runs worker`` or the scheduler)."""
    from monitor.audit.queue import queue_audit

    config = council_config()
    try:
        run = queue_audit(
            settings(),
            config,
            open_repository(config),
            service_ids=service or None,
            engine=engine,
            max_pages=max_pages,
            full=full,
        )
    except KeyError as exc:
        err.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    out.print(f"Run {run.id} queued: {', '.join(run.service_ids)}")


@runs_app.command("cancel")
@friendly_errors
def runs_cancel(run_id: Annotated[int, typer.Argument(help="Run id")]) -> None:
    """Cancel a queued run, or ask a running one to stop after the pages in hand."""
    import getpass

    from monitor.audit.queue import cancel_run

    try:
        outcome = cancel_run(open_repository(), run_id, by=getpass.getuser())
    except KeyError as exc:
        err.print(str(exc.args[0]))
        raise typer.Exit(EXIT_USAGE) from None
    messages = {
        "cancelled": f"Run {run_id} cancelled.",
        "stopping": f"Run {run_id} was asked to stop; it stops after the pages in hand.",
    }
    out.print(messages.get(outcome, f"Run {run_id} had already finished ({outcome})."))


@runs_app.command("worker")
@friendly_errors
def runs_worker(
    once: Annotated[bool, typer.Option(help="Stop when the queue is empty")] = False,
) -> None:
    """Take queued runs, oldest first, and run them (on MONITOR_EXECUTION_BACKEND)."""
    from monitor.alerts import send_alerts
    from monitor.audit.queue import work_queue

    _logging()
    config = council_config()
    repository = open_repository(config)
    stop = threading.Event()

    def after(_run: object) -> None:
        send_alerts(config, repository)

    try:
        taken = work_queue(
            settings(),
            config,
            repository,
            stop=stop,
            once=once,
            after=after,
        )
    except KeyboardInterrupt:
        stop.set()
        raise
    out.print(f"{taken} run(s) done.")


@alerts_app.command("send")
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


@alerts_app.command("list")
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
