"""``monitor feedback ...``: run the collector, purge old comments, import and export CSV."""

from __future__ import annotations

import gc
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

import monitor.cli.common as cli
from monitor.models import utcnow

app = typer.Typer(
    name="feedback",
    help="The resident feedback collector: serve it, purge old comments, import and export.",
    no_args_is_help=True,
)


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Run the feedback collector (HTTP API, no-JavaScript form and widget) until Ctrl-C."""

    @cli.friendly_errors
    def run() -> None:
        import uvicorn

        from monitor.feedback.app import create_app, uvicorn_config
        from monitor.ports import bind

        settings = cli.settings()
        config = cli.council_config()
        bind_host = host or settings.feedback_host
        bind_port = settings.feedback_port if port is None else port
        # Taken before anything else: a busy port is one sentence, not uvicorn's log.
        sock = bind(bind_host, bind_port)
        bind_port = sock.getsockname()[1]
        cli.open_repository(config)
        app = create_app(settings, config)
        cli.out.print(
            f"Feedback collector on http://{bind_host}:{bind_port}  "
            f"(widget: /widget.js, form: /feedback, API: /api/feedback, docs: /docs)"
        )
        server = uvicorn.Server(
            uvicorn_config(
                app, bind_host, bind_port, trusted_proxies=settings.feedback_trusted_proxies
            )
        )
        # What was built at start-up lives as long as the server: keep it out of the garbage
        # collector's sweeps, and sweep less often, so no resident waits on a full sweep.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
        server.run(sockets=[sock])
        if not server.started:
            raise cli.Unavailable(f"the feedback collector could not start on {bind_host}")

    run()


@app.command("purge")
def purge(
    older_than_days: Annotated[
        int | None,
        typer.Option(help="Default: MONITOR_FEEDBACK_RETENTION_DAYS", min=0),
    ] = None,
) -> None:
    """Delete the words of feedback older than the retention period; keep the ratings."""

    @cli.friendly_errors
    def run() -> None:
        days = (
            cli.settings().feedback_retention_days if older_than_days is None else older_than_days
        )
        repository = cli.open_repository()
        purged = repository.purge_feedback_comments(utcnow() - timedelta(days=days))
        cli.out.print(
            f"Deleted the comments of {purged} feedback record(s) older than {days} days."
        )

    run()


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help="CSV file with a header row", exists=True, dir_okay=False)
    ],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=FIELD, e.g. 'How satisfied?=rating' (repeatable)"),
    ] = None,
    service: Annotated[str | None, typer.Option(help="Service id for rows without one")] = None,
) -> None:
    """Import ratings collected by other survey tools, all or nothing: any bad row is
    reported by line and nothing is stored (exit 2)."""

    @cli.friendly_errors
    def run() -> None:
        from monitor.feedback.csvio import MappingError, import_csv, parse_mapping

        config = cli.council_config()
        try:
            mapping = parse_mapping(map_ or [])
            repository = cli.open_repository(config)
            with file.open(encoding="utf-8-sig", newline="") as stream:
                report = import_csv(stream, repository, config, mapping=mapping, service=service)
        except MappingError as exc:
            cli.err.print(f"[red]{exc}[/red]", highlight=False)
            raise typer.Exit(cli.EXIT_USAGE) from None
        except UnicodeDecodeError:
            cli.err.print(f"[red]{file} is not UTF-8 text; save it as CSV UTF-8[/red]")
            raise typer.Exit(cli.EXIT_USAGE) from None
        if report.problems:
            for problem in report.problems:
                cli.err.print(f"  {problem}", markup=False, highlight=False)
            bad = len({p.line for p in report.problems})
            cli.err.print(
                f"Nothing imported: {bad} bad row(s) in {file}; correct them and import the "
                "whole file again.",
                markup=False,
                highlight=False,
            )
            raise typer.Exit(cli.EXIT_USAGE)
        cli.out.print(f"Imported {report.imported} row(s) ({report.redacted} redacted).")

    run()


@app.command("export")
def export(
    service: Annotated[str | None, typer.Option(help="Only this service")] = None,
    output: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output)")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
) -> None:
    """Export feedback: CSV that is safe to open in a spreadsheet, or JSON."""

    @cli.friendly_errors
    def run() -> None:
        from monitor.exports import exporter
        from monitor.feedback.csvio import export_feedback, export_to_path

        try:
            chosen = exporter(format)
        except KeyError as exc:
            cli.err.print(f"--format: {exc.args[0]}")
            raise typer.Exit(cli.EXIT_USAGE) from None
        repository = cli.open_repository()
        cli.require_known_service(repository, service)
        if output is None:
            export_feedback(sys.stdout, repository, service=service, exporter=chosen)
            return
        count = export_to_path(output, repository, service=service, exporter=chosen)
        cli.out.print(f"Wrote {count} feedback row(s) to {output}")

    run()


@app.command("simulate")
def simulate(
    count: Annotated[int, typer.Option(min=1, help="How many residents' posts")] = 400,
    seed: Annotated[int, typer.Option(help="Same seed, same feedback")] = 2024,
) -> None:
    """Send demo feedback through a collector started in this process, spread over 90 days."""

    @cli.friendly_errors
    def run() -> None:
        from demo.feedback import seed_demo_feedback

        config = cli.council_config()
        cli.open_repository(config)
        sent = seed_demo_feedback(cli.settings(), config, count=count, seed=seed)
        cli.out.print(f"Stored {len(sent)} simulated residents' feedback over the last 90 days.")

    run()
