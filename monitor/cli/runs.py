"""``monitor runs ...``: recent runs, the queue of on-demand audits and its worker."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer
from rich.table import Table

from monitor.cli.common import (
    EXIT_USAGE,
    EngineName,
    FullAudit,
    MaxPages,
    ServiceIds,
    configure_logging,
    council_config,
    err,
    friendly_errors,
    open_repository,
    out,
    settings,
)
from monitor.models import RunStatus

app = typer.Typer(
    name="runs",
    help="Runs: list, queue, cancel, and a worker for queued runs.",
    no_args_is_help=True,
)


def _logging() -> None:
    # A long-lived process: what it does, with times, on standard error (its journal).
    configure_logging(logging.INFO, timestamps=True)


@app.command("list")
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


@app.command("queue")
@friendly_errors
def runs_queue(
    service: ServiceIds = None,
    engine: EngineName = None,
    max_pages: MaxPages = None,
    full: FullAudit = False,
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


@app.command("cancel")
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


@app.command("worker")
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
