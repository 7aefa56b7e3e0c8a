"""``monitor schedule``: the long-lived scheduler, and its jobs shown or run now."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.exc import InterfaceError, OperationalError

from crawlers.engines import BrowserUnavailable
from monitor.cli.common import (
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    configure_logging,
    council_config,
    err,
    error_log_path,
    friendly_errors,
    open_repository,
    out,
    settings,
)
from monitor.db import describe_fault
from monitor.schedule import JOB_NAMES, JobOutcome, Scheduler

app = typer.Typer(
    name="schedule",
    help="The schedule: nightly audit, journeys, feedback purge, digest. With no command, "
    "run the scheduler until stopped.",
    invoke_without_command=True,
)


def _logging() -> None:
    # A long-lived process: what it does, with times, on standard error (its journal).
    configure_logging(logging.INFO, timestamps=True)


@app.callback()
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


@app.command("show")
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


@app.command("run")
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
    if result.outcome == JobOutcome.failed:
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
