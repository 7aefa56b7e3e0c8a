"""The ``monitor`` command line: the digital team's way in.

One Typer app per module, joined here: ``system`` (version, config, db), ``demo`` (the
demo council), ``audit`` (audit, audit-urls), ``issues``, ``brand``, ``journeys``,
``feedback``, ``dashboard``, ``schedule``, ``runs`` and ``alerts``. What they share
(output, exit codes, errors in one sentence, settings, the repository) is ``common``;
no module imports this one.

Exit codes: 0 done; 1 findings at or over ``--fail-on``; 2 a usage or config error;
3 something around the monitor is unavailable (database, port, browser).
"""

from __future__ import annotations

import signal
import sys

import typer

from monitor.cli import (
    alerts,
    audit,
    brand,
    dashboard,
    demo,
    feedback,
    issues,
    journeys,
    runs,
    schedule,
    system,
)
from monitor.cli.common import configure_logging, err, stopped_by_sigterm

app = typer.Typer(
    help="Resident digital-experience monitor: accessibility, branding, journeys and "
    "resident feedback for the council's online services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
for part in (
    system,
    demo,
    audit,
    issues,
    brand,
    journeys,
    feedback,
    dashboard,
    schedule,
    runs,
    alerts,
):
    app.add_typer(part.app)


def main() -> None:
    """Entry point of the ``monitor`` console script."""
    configure_logging()
    try:
        app()
    except (SystemExit, KeyboardInterrupt) as exc:
        # Typer turns an interrupt (ours too: Terminated) into exit code 130.
        if stopped_by_sigterm():
            err.print("Stopped (SIGTERM).")
            sys.exit(128 + signal.SIGTERM)
        if isinstance(exc, KeyboardInterrupt) or exc.code == 130:
            err.print("Interrupted.")
            sys.exit(130)
        raise


__all__ = ["app", "main"]
