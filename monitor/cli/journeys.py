"""Commands for resident journeys: ``monitor journeys list`` and ``monitor journeys run``."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from crawlers.journeys import AttemptOutcome, JourneyEvent, StepStatus
from monitor.cli.common import (
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    council_config,
    err,
    friendly_errors,
    open_repository,
    out,
)
from monitor.cli.common import settings as current_settings
from monitor.journeys import run_journeys, select_journeys
from monitor.models import RunStatus

app = typer.Typer(
    name="journeys",
    help="Resident journeys replayed in a real browser: list them, run them.",
    no_args_is_help=True,
)

EXIT_JOURNEY_FAILED = 1

_STEP_STYLE = {
    StepStatus.passed: ("[green]✓[/green]", "passed"),
    StepStatus.failed: ("[red]✗[/red]", "FAILED"),
    StepStatus.errored: ("[magenta]![/magenta]", "MONITOR ERROR"),
    StepStatus.stopped: ("[cyan]■[/cyan]", "stopped"),
    StepStatus.skipped: ("[dim]·[/dim]", "skipped"),
}
_OUTCOME_STYLE = {
    AttemptOutcome.completed: "[green]completed[/green]",
    AttemptOutcome.completed_up_to_stop: "[green]completed up to the stop marker[/green]",
    AttemptOutcome.failed: "[red]failed[/red]",
    AttemptOutcome.errored: "[magenta]errored (the monitor broke, not the service)[/magenta]",
}


def _print_event(event: JourneyEvent) -> None:
    """Live output: one line per step as it finishes (texts are already masked)."""
    if event.kind == "journey-start":
        retry = f" (retry {event.attempt - 1})" if event.attempt > 1 else ""
        out.print(f"\n[bold]{event.service_id} / {event.journey_name}[/bold]{retry}")
        return
    if event.kind == "step" and event.step is not None:
        step = event.step
        if step.status == StepStatus.skipped:
            return
        symbol, words = _STEP_STYLE[step.status]
        line = (
            f"  {symbol} {step.index:>2}/{event.total_steps} {step.name} "
            f"[dim]{step.duration_ms} ms[/dim]"
        )
        if step.findings:
            line += f" [yellow]{len(step.findings)} accessibility finding(s)[/yellow]"
        out.print(line, highlight=False)
        if step.status in (StepStatus.failed, StepStatus.errored):
            reason = f"{step.failure}: " if step.failure else ""
            out.print(f"      {words}: {reason}{step.error}", markup=False, highlight=False)
        for message in step.console_errors[:3]:
            out.print(f"      console: {message}", markup=False, highlight=False)
        return
    if event.kind == "journey-end" and event.outcome is not None:
        outcome = event.outcome
        words = _OUTCOME_STYLE[outcome.outcome]
        if outcome.outcome == AttemptOutcome.failed:
            words += f" at step {outcome.failed_step}"
        if outcome.flaky:
            words += " [yellow](flaky: passed on retry)[/yellow]"
        out.print(f"  → {words} in {outcome.duration_ms / 1000:.1f}s", highlight=False)
        if outcome.outcome == AttemptOutcome.errored and outcome.reason:
            out.print(f"    {outcome.reason}", markup=False, highlight=False)
        for label, path in (("screenshot", outcome.screenshot_path), ("trace", outcome.trace_path)):
            if path is not None:
                out.print(f"    {label}: {path}", markup=False, highlight=False)


@app.command("list")
@friendly_errors
def journeys_list(
    service: Annotated[
        list[str] | None, typer.Option("--service", "-s", help="Only this service (repeatable)")
    ] = None,
) -> None:
    """List the journeys in services.yaml."""
    config = council_config()
    try:
        chosen = select_journeys(config, service)
    except KeyError as exc:
        err.print(str(exc.args[0]), markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    table = Table(title="Resident journeys")
    for column in ("Service", "Journey", "Name", "Steps", "Submits?", "Audited", "Limit"):
        table.add_column(column)
    for svc, journey in chosen:
        marker = any(s.stop_before or s.submits for s in journey.steps)
        submits = (
            "yes (safe to submit)"
            if journey.safe_to_submit
            else ("no (stops before submitting)" if marker else "no")
        )
        audited = (
            "every step"
            if journey.audit_steps
            else (f"{sum(s.audit for s in journey.steps)} step(s)")
        )
        table.add_row(
            svc.id,
            journey.id,
            journey.name,
            str(len(journey.steps)),
            submits,
            audited,
            f"{journey.timeout_seconds:g}s",
        )
    out.print(table)
    if not chosen:
        out.print("No journeys configured.")


@app.command("run")
@friendly_errors
def journeys_run(
    service: Annotated[
        list[str] | None, typer.Option("--service", "-s", help="Service id (repeatable)")
    ] = None,
    journey: Annotated[
        list[str] | None, typer.Option("--journey", "-j", help="Journey id (repeatable)")
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(help="playwright or selenium (MONITOR_SELENIUM_REMOTE_URL: a Grid)"),
    ] = None,
) -> None:
    """Replay journeys now, step by step; exit 1 if any failed or errored."""
    if engine not in (None, "playwright", "selenium"):
        err.print(f"--engine must be playwright or selenium, not {engine!r}")
        raise typer.Exit(EXIT_USAGE)
    config = council_config()
    try:
        chosen = select_journeys(config, service, journey)
    except KeyError as exc:
        err.print(str(exc.args[0]), markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    if not chosen:
        err.print("No journeys to run.")
        raise typer.Exit(EXIT_USAGE)
    repository = open_repository(config)
    run_id = asyncio.run(
        run_journeys(
            current_settings(),
            config,
            repository,
            service_ids=service,
            journey_ids=journey,
            trigger="cli",
            on_step=_print_event,
            engine=engine,
        )
    )
    run = repository.run(run_id)
    if run is not None and run.status == RunStatus.failed:
        err.print(f"[red]Run {run_id}: the monitor could not replay journeys:[/red] {run.error}")
        raise typer.Exit(EXIT_UNAVAILABLE)
    attempts = repository.journey_runs(run_id=run_id, limit=10_000)
    latest: dict[tuple[str, str], str] = {}
    for row in sorted(attempts, key=lambda r: r.attempt):
        latest[(row.service_id, row.journey_id)] = row.outcome
    good = sum(
        o in (AttemptOutcome.completed, AttemptOutcome.completed_up_to_stop)
        for o in latest.values()
    )
    out.print(f"\nRun {run_id}: {good} of {len(latest)} journey(s) completed.")
    if good < len(latest):
        raise typer.Exit(EXIT_JOURNEY_FAILED)
