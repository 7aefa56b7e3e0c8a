"""Transactions tried again while they meet a lock another process holds.

SQLite waits up to its busy timeout for a lock and then answers "database is locked";
PostgreSQL rolls back a transaction caught in a deadlock or a serialization failure. Both
may well succeed if simply run again, so the repository's methods and the migrations are
run through ``retry_transient``: again with growing pauses, within a bounded time
(``MONITOR_DATABASE_RETRY_SECONDS``), then the last error is raised for the CLI to report
in one sentence with exit code 3.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from monitor.settings import get_settings

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

# SQLite's answers when another connection holds the lock past the busy timeout.
_SQLITE_LOCKED = ("database is locked", "database table is locked", "database schema is locked")
# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available. The server has
# rolled the transaction back; running it again is what the documentation advises.
_POSTGRES_RETRY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_transient(exc: BaseException) -> bool:
    """Whether a database error is a lock that another try may not meet."""
    if not isinstance(exc, DBAPIError):
        return False
    original = exc.orig
    if getattr(original, "sqlstate", None) in _POSTGRES_RETRY_SQLSTATES:
        return True
    return isinstance(original, sqlite3.OperationalError) and any(
        text in str(original) for text in _SQLITE_LOCKED
    )


_retrying = threading.local()


def _say_waiting(state: RetryCallState) -> None:
    # Said once per call, so a person at the terminal knows why nothing happens; later
    # tries are debug lines.
    level = logging.WARNING if state.attempt_number == 1 else logging.DEBUG
    log.log(
        level,
        "The database is locked by another process; waiting for it (up to %g s).",
        get_settings().database_retry_seconds,
    )
    log.debug("locked in %s", getattr(state.fn, "__qualname__", "a repository method"))


def retry_transient(method: F) -> F:
    """Run ``method`` (one transaction) again, with growing pauses, while it meets a lock.

    Each try already waits up to SQLite's busy timeout for the lock; the tries stop after
    ``MONITOR_DATABASE_RETRY_SECONDS``, and the last error is raised (the CLI turns it into
    exit code 3). A repository method that calls another is retried as a whole, once: the
    outermost call in a thread is the one retried."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if getattr(_retrying, "active", False):
            return method(*args, **kwargs)
        _retrying.active = True
        try:
            for attempt in Retrying(
                retry=retry_if_exception(is_transient),
                stop=stop_after_delay(get_settings().database_retry_seconds),
                # 50 ms, 100 ms, ... up to 2 s, jittered so two waiting processes part.
                wait=wait_exponential(multiplier=0.05, max=2.0) + wait_random(0, 0.05),
                before_sleep=_say_waiting,
                reraise=True,
            ):
                with attempt:
                    return method(*args, **kwargs)
        finally:
            _retrying.active = False
        raise AssertionError("unreachable: Retrying either returns or raises")

    return wrapper  # type: ignore[return-value]
