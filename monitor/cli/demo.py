"""``monitor demo-site``, ``monitor demo run`` and ``monitor demo seed-history``: the local
demo council (``demo/``), the whole product end to end on it, and a believable past."""

from __future__ import annotations

import asyncio
import os
import subprocess
from typing import Annotated, Any

import typer
from rich.markup import escape

from demo import DemoSite, PortInUseError
from demo.account import DEMO_EMAIL, DEMO_PASSWORD, EMAIL_ENV, PASSWORD_ENV
from demo.feedback import backdate_demo_feedback, send_demo_feedback
from demo.history import seed_history
from monitor.audit import AuditRequest, start_audit
from monitor.cli.common import (
    council_config,
    friendly_errors,
    open_repository,
    out,
    settings,
    sigterm_like_ctrl_c,
    stop_child,
)
from monitor.cli.dashboard import dashboard_command, dashboard_environment
from monitor.feedback.app import start_collector_in_thread
from monitor.journeys import run_journeys
from monitor.ports import PortInUse, ensure_free
from monitor.yamlsource import ConfigError

app = typer.Typer()
demo_group = typer.Typer(
    name="demo", help="The local demo of council services.", no_args_is_help=True
)
app.add_typer(demo_group)


def _start_demo_site(
    host: str, port: int, feedback_url: str | None = None, hint: str = "pass --port"
) -> Any:
    try:
        return DemoSite(host=host, port=port, feedback_url=feedback_url).start()
    except PortInUseError as exc:
        raise PortInUse(exc.host, exc.port, hint) from None


@app.command("demo-site")
@friendly_errors
def demo_site(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port of the council site")] = None,
) -> None:
    """Serve the demo council site (the supplier's site is on the next port)."""
    site = _start_demo_site(
        host or settings().demo_host, port if port is not None else settings().demo_port
    )
    out.print(f"Demo council site: {site.base_url}  supplier: {site.supplier_url}  (Ctrl-C stops)")
    with sigterm_like_ctrl_c():
        try:
            site.serve_forever()
        finally:
            site.stop()


@demo_group.command("run")
@friendly_errors
def demo_run(
    serve: Annotated[
        bool, typer.Option(help="Keep the site, collector and dashboard running until Ctrl-C")
    ] = True,
    feedback: Annotated[int, typer.Option(help="Simulated residents' feedback to send")] = 400,
) -> None:
    """Run the whole product on the embedded default: demo site, SQLite, an audit, the
    journeys, residents' feedback through the real API, and the dashboard."""
    s = settings()
    config = council_config()  # the demo site's default address until it has started
    dashboard_hint = "set MONITOR_DASHBOARD_PORT"
    if serve:  # found out now, not after the audit
        ensure_free("127.0.0.1", s.dashboard_port, hint=dashboard_hint)
    repository = open_repository(config)
    collector_url, stop_collector = start_collector_in_thread(
        s, config, s.feedback_host, s.feedback_port, repository=repository
    )
    try:
        site = _start_demo_site(
            s.demo_host, s.demo_port, feedback_url=collector_url, hint="set MONITOR_DEMO_PORT"
        )
    except BaseException:
        stop_collector()
        raise
    os.environ["DEMO_SITE"], os.environ["DEMO_SUPPLIER"] = site.base_url, site.supplier_url
    # The demo's test account, for the "My account" sign-in recipe (real credentials come
    # from the environment where the monitor runs; an account set there is kept).
    os.environ.setdefault(EMAIL_ENV, DEMO_EMAIL)
    os.environ.setdefault(PASSWORD_ENV, DEMO_PASSWORD)
    try:
        config = council_config()
        out.print("[bold]Resident digital-experience monitor: demo[/bold]")
        # Journeys first: the audit then knows which pages and documents residents meet
        # on their journeys (those weigh more).
        out.print("Replaying residents' journeys ...")
        journeys_run = asyncio.run(run_journeys(s, config, repository, trigger="demo"))
        out.print(f"  journeys run {journeys_run}")
        out.print(f"Auditing {len(config.services)} services on {site.base_url} ...")
        run = start_audit(s, config, repository, AuditRequest(trigger="demo"))
        out.print(
            f"  run {run.id}: {run.pages_audited} pages audited, {run.pages_carried} unchanged, "
            f"{run.pages_failed} failed"
        )
        assert run.id is not None
        for note in repository.access_notes(run.id).values():
            for line in note.lines():
                out.print(f"  {escape(line)}")
        out.print(f"Sending {feedback} residents' feedback through {collector_url} ...")
        sent = send_demo_feedback(collector_url, config.services, count=feedback)
        backdate_demo_feedback(repository, sent)
        out.print(f"  {len(sent)} stored (personal data redacted)")
        out.print()
        out.print(f"  Demo council site  : {site.base_url}")
        out.print(f"  Supplier site      : {site.supplier_url}")
        out.print(f"  Feedback collector : {collector_url}  (widget: {collector_url}/widget.js)")
        out.print(f"  Database           : {repository.engine.url!r}")
        out.print(f"  Config             : {config.directory.resolve()}")
        out.print(f"  Evidence           : {s.evidence_dir.resolve()}")
        if serve:
            with sigterm_like_ctrl_c():
                ensure_free("127.0.0.1", s.dashboard_port, hint=dashboard_hint)
                dashboard = subprocess.Popen(  # noqa: S603 - our own argv, no shell
                    dashboard_command(s.dashboard_port), env=dashboard_environment()
                )
                try:
                    out.print(f"  Dashboard          : http://127.0.0.1:{s.dashboard_port}/")
                    out.print("Serving until Ctrl-C.")
                    site.serve_forever()
                finally:
                    stop_child(dashboard)
    finally:
        site.stop()
        stop_collector()


@demo_group.command("seed-history")
@friendly_errors
def seed_history_command(
    days: Annotated[int, typer.Option(min=1, max=3650, help="Nights of history")] = 365,
    services: Annotated[int, typer.Option(min=1, max=1000, help="How many services")] = 50,
    pages: Annotated[
        int | None,
        typer.Option(min=1, help="Pages in all, shared unevenly (default: 8 to 16 a service)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same history)")] = 2024,
) -> None:
    """Fill the database with believable nightly history, so the dashboard has a past."""
    if pages is not None and pages < services:
        raise typer.BadParameter("give at least one page per service", param_hint="--pages")
    try:
        config = council_config()
    except ConfigError:
        config = None  # the history does not need the council's config, only its names
    repository = open_repository()
    report = seed_history(
        repository,
        days=days,
        services=services,
        pages=pages,
        config=config,
        seed=seed,
        progress=out.print,
    )
    for key, value in report.as_dict().items():
        out.print(f"  {key.replace('_', ' '):14} {value:,}")
