"""``monitor version``, ``monitor config check``, ``monitor db upgrade`` and ``monitor db
prune``: the monitor itself, its configuration and its database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from monitor import __version__
from monitor.cli.common import friendly_errors, open_repository, out, settings
from monitor.config import load_config
from monitor.db import upgrade
from monitor.repository import Repository

app = typer.Typer()
config_group = typer.Typer(
    name="config", help="Check the council's configuration files.", no_args_is_help=True
)
db_group = typer.Typer(
    name="db", help="Create or upgrade the database; prune old page detail.", no_args_is_help=True
)
app.add_typer(config_group)
app.add_typer(db_group)


@app.command()
def version() -> None:
    """Print the monitor's version and the versions of what it drives."""
    from importlib.metadata import version as package_version

    out.print(f"monitor {__version__}")
    for package in ("playwright", "selenium", "axe-playwright-python", "sqlmodel", "streamlit"):
        try:
            out.print(f"  {package} {package_version(package)}")
        except Exception:
            out.print(f"  {package} not installed")


@config_group.command("check")
@friendly_errors
def config_check(
    config_dir: Annotated[
        Path | None, typer.Option(help="Folder with services.yaml, brand.yaml, measures.yaml")
    ] = None,
) -> None:
    """Validate the config files; print every problem at once (exit code 2 if any)."""
    folder = config_dir or settings().config_dir
    config = load_config(folder)
    journeys = sum(len(s.journeys) for s in config.services)
    signs_in = [s for s in config.services if s.sign_in is not None]
    out.print(
        f"[green]OK[/green] {folder}: {len(config.services)} services, {journeys} journeys, "
        f"{len(config.brand.palette)} brand colours, {len(config.measures.measures)} measures"
        + (f", {len(signs_in)} signing in" if signs_in else "")
    )
    # Credentials live in the environment where audits run: say (by name only) which ones
    # this shell lacks, without failing: the audit may well run elsewhere.
    for service in signs_in:
        assert service.sign_in is not None
        missing = [name for name in service.sign_in.secrets if not os.environ.get(name)]
        if missing:
            out.print(
                f"[yellow]note[/yellow] {service.id} signs in with {', '.join(missing)}, not "
                "set here: set them where audits run, or its pages are not reached"
            )


@db_group.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Create the database or bring it to the newest schema."""
    url = settings().database_url
    revision = upgrade(url)
    out.print(f"Database at revision {revision}: {Repository(url).engine.url!r}")


@db_group.command("prune")
@friendly_errors
def db_prune(
    keep_days: Annotated[
        int | None,
        typer.Option(min=1, help="Days of page detail to keep (default: MONITOR_KEEP_DETAIL_DAYS)"),
    ] = None,
) -> None:
    """Remove the page detail of older runs, keep every run's totals, give the space back.

    Page and brand results, findings and journey steps of runs older than the kept days
    go; the totals per run and service that trends read stay, as do runs, issues,
    journeys' outcomes and feedback. The newest audit is always kept whole."""
    days = keep_days or settings().keep_detail_days
    if days < 1:
        out.print(
            "Nothing pruned: MONITOR_KEEP_DETAIL_DAYS is 0 (keep everything); "
            "pass --keep-days N to prune once."
        )
        return
    repository = open_repository()
    report = repository.prune_detail(days)
    if report.kept_from_run is None or report.runs == 0:
        out.print(f"Nothing older than {days} days to prune.")
    else:
        out.print(
            f"Pruned the page detail of {report.runs:,} runs (every run before run "
            f"{report.kept_from_run}): {report.page_results:,} page results, "
            f"{report.brand_results:,} brand results, {report.findings:,} findings, "
            f"{report.journey_steps:,} journey steps. Their totals stay for the trends."
        )
    space = repository.reclaim_space()
    if space.bytes_before is not None and space.bytes_after is not None:
        out.print(
            f"Database: {space.bytes_before / 1e6:,.1f} MB before, "
            f"{space.bytes_after / 1e6:,.1f} MB after ({space.how})."
        )
