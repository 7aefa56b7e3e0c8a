"""The ``monitor`` command line: the digital team's way in.

Exit codes: 0 done; 1 findings at or over ``--fail-on``; 2 a usage or config error;
3 something around the monitor is unavailable (database, port, browser).
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from crawlers.engines import BrowserUnavailable
from monitor import __version__
from monitor.config import CouncilConfig, load_config
from monitor.db import DatabaseUnavailable, describe_fault, upgrade
from monitor.feedback.cli import feedback_app
from monitor.ports import CannotListen, PortInUse, ensure_free
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

# Logs and pipes get wide tables rather than the 80 columns Rich assumes off a terminal.
_WIDTH = None if sys.stdout.isatty() else 160
out = Console(width=_WIDTH)
err = Console(stderr=True, width=_WIDTH)

F = TypeVar("F", bound=Callable[..., Any])


class Unavailable(RuntimeError):
    """Something the command needs is not there (a port, a browser, a server)."""


def error_log_path() -> Path:
    """Where the CLI writes the tracebacks of the faults it reports in one sentence."""
    return settings().data_dir / "logs" / "errors.log"


def log_details(exc: BaseException) -> Path | None:
    """Append the traceback of ``exc`` to the error log; its path, or None if it could not
    be written (the disk may be the thing that is full)."""
    try:
        path = error_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC: {shlex.join(sys.argv)}\n")
            log.write("".join(traceback.format_exception(exc)))
        return path
    except Exception:
        return None


class _MessageOnly(logging.Formatter):
    """A log line without its traceback: the traceback goes to the error log."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


class _ErrorLogHandler(logging.FileHandler):
    """Errors, with their tracebacks, appended to ``error_log_path()``; opened (and its
    folder made) at the first error, and silent if it cannot be written (a full disk)."""

    def __init__(self) -> None:
        super().__init__(os.devnull, delay=True, encoding="utf-8")
        self.setLevel(logging.ERROR)
        self.setFormatter(logging.Formatter("--- %(asctime)s %(levelname)s %(name)s: %(message)s"))

    def _open(self) -> Any:
        path = error_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.baseFilename = str(path.resolve())
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        pass  # the message still reached standard error


class _ConsoleHandler(logging.StreamHandler):
    """Standard error, one line per message."""


def configure_logging(level: int = logging.WARNING, *, timestamps: bool = False) -> None:
    """The CLI's logging: messages of ``level`` and over on standard error, one line each;
    errors with their tracebacks in the error log. Called again, it replaces itself."""
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if isinstance(handler, _ConsoleHandler | _ErrorLogHandler):
            root.removeHandler(handler)
    console = _ConsoleHandler()
    console.setLevel(level)
    console.setFormatter(
        _MessageOnly("%(asctime)s %(levelname)s %(name)s: %(message)s" if timestamps else None)
    )
    root.addHandler(console)
    root.addHandler(_ErrorLogHandler())
    root.setLevel(min(level, logging.ERROR))


def _report_unavailable(what: str, reason: str, exc: BaseException) -> NoReturn:
    path = log_details(exc)
    details = f" (details in {path})" if path else ""
    # One line however long the paths are: logs and tests read it as one sentence. The
    # reason comes from outside (a path, a server's words): never read as Rich markup.
    err.print(f"[red]{what}:[/red] {escape(reason + details)}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_UNAVAILABLE) from None


def friendly_errors(func: F) -> F:
    """Turn the errors a council officer can fix into a clear message and an exit code.

    Faults of what is around the monitor (the database, the disk, a port, a browser) are
    one sentence and exit code 3; their tracebacks go to ``error_log_path()``."""

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
            _report_unavailable("Database unavailable", str(exc), exc)
        except BrowserUnavailable as exc:
            _report_unavailable("Browser unavailable", str(exc), exc)
        except (OperationalError, InterfaceError, SQLAlchemyTimeoutError) as exc:
            # What is left after the repository's retries: a lock held too long, a full
            # disk, a server gone away.
            reason = describe_fault(exc, settings().database_url)
            _report_unavailable("Database unavailable", reason, exc)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            where = f" for {exc.filename}" if exc.filename else ""
            _report_unavailable("Disk full", f"no space left{where}; free some space", exc)
        except (Unavailable, CannotListen) as exc:
            err.print(f"[red]{escape(str(exc))}[/red]", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_UNAVAILABLE) from None
        except ValidationError as exc:
            if exc.title != "Settings":
                raise
            err.print(f"[red]The settings have {exc.error_count()} problem(s):[/red]")
            for error in exc.errors():
                name = "MONITOR_" + "_".join(str(p) for p in error["loc"]).upper()
                err.print(f"  {name}: {error['msg']}", markup=False, highlight=False)
            raise typer.Exit(EXIT_USAGE) from None

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


def require_known_service(repository: Repository, service_id: str | None) -> None:
    """Exit 2 naming the services there are, if ``service_id`` is not one of them (one
    removed from services.yaml still counts: its history is in the database)."""
    if service_id is None or repository.service(service_id) is not None:
        return
    known = ", ".join(sorted(s.id for s in repository.services(active_only=False)))
    err.print(
        f"no service {service_id!r}; the services are: {known or 'none yet (run an audit)'}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_USAGE)


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


def _start_demo_site(
    host: str, port: int, feedback_url: str | None = None, hint: str = "pass --port"
) -> Any:
    from monitor.demo import DemoSite, PortInUseError

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


@demo_app.command("run")
@friendly_errors
def demo_run(
    serve: Annotated[
        bool, typer.Option(help="Keep the site, collector and dashboard running until Ctrl-C")
    ] = True,
    feedback: Annotated[int, typer.Option(help="Simulated residents' feedback to send")] = 400,
) -> None:
    """Run the whole product on the embedded default: demo site, SQLite, an audit, the
    journeys, residents' feedback through the real API, and the dashboard."""
    import asyncio
    import os

    from monitor.audit import AuditRequest, start_audit
    from monitor.dashboard_cli import dashboard_command, dashboard_environment
    from monitor.feedback.app import start_collector_in_thread
    from monitor.feedback.simulate import backdate_demo_feedback, send_demo_feedback
    from monitor.journeys import run_journeys

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
                dashboard = subprocess.Popen(
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


def _register_commands() -> None:
    """Import the modules whose commands join this app (they import ``app`` from here)."""
    import monitor.audit_cli
    import monitor.brand_cli
    import monitor.dashboard_cli
    import monitor.journeys_cli
    import monitor.schedule_cli  # noqa: F401


def stop_child(process: subprocess.Popen[Any], grace_seconds: float = 10) -> None:
    """Stop a child process (the dashboard's Streamlit): SIGTERM, then SIGKILL if it is
    still there after ``grace_seconds``; reaped either way."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill PID``, systemd stopping a service) while a command runs processes or
    servers of its own: it stops as Ctrl-C stops it, its ``finally`` blocks stopping them."""


_SIGTERM = threading.Event()


def _terminate_like_ctrl_c(signum: int, _frame: FrameType | None) -> None:
    _SIGTERM.set()
    # Once: a second SIGTERM must not cut the clean-up short (SIGKILL still can).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated()


@contextmanager
def sigterm_like_ctrl_c() -> Iterator[None]:
    """Within the block, SIGTERM raises ``Terminated`` (exit code 143), so the block's own
    ``finally`` stops the child processes and servers it started: Python's default would
    end this process at once and leave a child such as Streamlit running.

    Only around such blocks: an audit or a journey run killed by SIGTERM is better left to
    die at once, its run then read as interrupted (``RepositoryBase._settle_dead_runs``)
    and resumable, than interrupted inside whatever coroutine was running."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate_like_ctrl_c)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main() -> None:
    """Entry point of the ``monitor`` console script."""
    configure_logging()
    try:
        app()
    except (SystemExit, KeyboardInterrupt) as exc:
        # Typer turns an interrupt (ours too: Terminated) into exit code 130.
        if _SIGTERM.is_set():
            err.print("Stopped (SIGTERM).")
            sys.exit(128 + signal.SIGTERM)
        if isinstance(exc, KeyboardInterrupt) or exc.code == 130:
            err.print("Interrupted.")
            sys.exit(130)
        raise


_register_commands()

if __name__ == "__main__":
    # Run the imported module's app, which the command modules registered on.
    from monitor.cli import main as registered_main

    registered_main()
