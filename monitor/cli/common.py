"""What every command module of the CLI shares: output, exit codes, the errors a council
officer can fix turned into one sentence, settings, config and the repository, and the
handling of child processes and SIGTERM.

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
from typing import Annotated, Any, NoReturn, TextIO, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from crawlers.engines import BrowserUnavailable
from crawlers.secrets import SecretsFilter
from monitor.config import CouncilConfig, load_config
from monitor.db import DatabaseUnavailable, describe_fault, upgrade
from monitor.ports import CannotListen
from monitor.repository import Repository
from monitor.settings import Settings, get_settings
from monitor.yamlsource import ConfigError

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3

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


class _ConsoleHandler(logging.StreamHandler[TextIO]):
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
    errors = _ErrorLogHandler()
    for handler in (console, errors):
        # A journey's or a sign-in's secrets never reach a log, whoever logs them.
        handler.addFilter(SecretsFilter())
        root.addHandler(handler)
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


def _engine_name(value: str | None) -> str | None:
    if value not in (None, "playwright", "selenium"):
        raise typer.BadParameter(f"must be playwright or selenium, not {value!r}")
    return value


#: The options the commands that start an audit share.
ServiceIds = Annotated[
    list[str] | None,
    typer.Option("--service", "-s", help="Service id (repeatable); default every service"),
]
EngineName = Annotated[
    str | None, typer.Option(help="playwright or selenium", callback=_engine_name)
]
MaxPages = Annotated[int | None, typer.Option(help="At most this many pages per service")]
FullAudit = Annotated[bool, typer.Option(help="Audit every page, even unchanged ones")]


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


def stopped_by_sigterm() -> bool:
    """Whether SIGTERM (not Ctrl-C) stopped the command."""
    return _SIGTERM.is_set()


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
