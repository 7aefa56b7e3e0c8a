"""The ``monitor`` command line: the digital team's way in.

Exit codes: 0 done; 1 findings at or over ``--fail-on``; 2 a usage or config error;
3 something around the monitor is unavailable (database, port, browser).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from monitor import __version__
from monitor.config import CouncilConfig, load_config
from monitor.db import DatabaseUnavailable, upgrade
from monitor.feedback.cli import feedback_app
from monitor.repository import Repository
from monitor.settings import Settings, get_settings
from monitor.yamlsource import ConfigError

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3

app = typer.Typer(
    help="Resident digital-experience monitor: accessibility, branding, journeys and "
    "resident feedback for the council's online services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
config_app = typer.Typer(help="Check the council's configuration files.", no_args_is_help=True)
db_app = typer.Typer(help="Create or upgrade the database.", no_args_is_help=True)
demo_app = typer.Typer(help="The local demo of council services.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(feedback_app, name="feedback")

out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


class Unavailable(RuntimeError):
    """Something the command needs is not there (a port, a browser, a server)."""


def friendly_errors(func: F) -> F:
    """Turn the errors a council officer can fix into a clear message and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            err.print(f"[red]The configuration has {len(exc.problems)} problem(s):[/red]")
            for problem in exc.problems:
                err.print(f"  {problem}", markup=False, highlight=False)
            raise typer.Exit(EXIT_USAGE) from None
        except DatabaseUnavailable as exc:
            err.print(f"[red]Database unavailable:[/red] {exc}", highlight=False)
            raise typer.Exit(EXIT_UNAVAILABLE) from None
        except Unavailable as exc:
            err.print(f"[red]{exc}[/red]", highlight=False)
            raise typer.Exit(EXIT_UNAVAILABLE) from None

    return wrapper  # type: ignore[return-value]


def settings() -> Settings:
    return get_settings()


def council_config() -> CouncilConfig:
    return load_config(settings().config_dir)


def open_repository(config: CouncilConfig | None = None) -> Repository:
    """The database, migrated to the newest schema, with services synced from config."""
    url = settings().database_url
    upgrade(url)
    repository = Repository(url)
    if config is not None:
        repository.sync_services(config.services)
    return repository


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


@config_app.command("check")
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
    out.print(
        f"[green]OK[/green] {folder}: {len(config.services)} services, {journeys} journeys, "
        f"{len(config.brand.palette)} brand colours, {len(config.measures.measures)} measures"
    )


@db_app.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Create the database or bring it to the newest schema."""
    url = settings().database_url
    revision = upgrade(url)
    out.print(f"Database at revision {revision}: {Repository(url).engine.url!r}")


def _start_demo_site(host: str, port: int, feedback_url: str | None = None) -> Any:
    from monitor.demo import DemoSite, PortInUseError

    try:
        return DemoSite(host=host, port=port, feedback_url=feedback_url).start()
    except PortInUseError as exc:
        raise Unavailable(str(exc)) from None


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
    try:
        site.serve_forever()
    finally:
        site.stop()


@demo_app.command("run")
@friendly_errors
def demo_run(
    serve: Annotated[
        bool, typer.Option(help="Keep the demo site running afterwards until Ctrl-C")
    ] = True,
) -> None:
    """Run the whole product on the embedded default: demo site, SQLite, config."""
    import os

    s = settings()
    site = _start_demo_site(s.demo_host, s.demo_port)
    os.environ.setdefault("DEMO_SITE", site.base_url)
    os.environ.setdefault("DEMO_SUPPLIER", site.supplier_url)
    try:
        config = council_config()
        repository = open_repository(config)
        out.print("[bold]Resident digital-experience monitor — demo[/bold]")
        out.print(f"  Demo council site : {site.base_url}")
        out.print(f"  Supplier site     : {site.supplier_url}")
        out.print(f"  Database          : {repository.engine.url!r}")
        out.print(f"  Config            : {config.directory.resolve()}")
        out.print(f"  Services          : {', '.join(sv.id for sv in config.services)}")
        out.print(f"  Data directory    : {s.data_dir.resolve()}")
        if serve:
            out.print("Serving until Ctrl-C.")
            site.serve_forever()
    finally:
        site.stop()


def _register_commands() -> None:
    """Import the modules whose commands join this app (they import ``app`` from here)."""
    import monitor.audit_cli  # noqa: F401
    import monitor.dashboard_cli  # noqa: F401
    import monitor.brand_cli
    import monitor.journeys_cli  # noqa: F401


def main() -> None:
    """Entry point of the ``monitor`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)


_register_commands()

if __name__ == "__main__":
    # Run the imported module's app, which the command modules registered on.
    from monitor.cli import main as registered_main

    registered_main()
