"""Whether the process holding a run is still there.

A run's ``holder`` is ``host:pid`` (``monitor.audit.holder_name``). A process that dies
without closing its run (``kill -9``, a crash, the machine losing power) leaves it
``running``; every reader of runs asks this module, so such a run reads as interrupted
everywhere, not only when the next audit happens to look.

On the holder's own host the process table is the truth. Elsewhere only the heartbeat can
tell: a run whose holder has not beaten for longer than its kind allows is taken to be
dead.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import psutil

#: How long a run's holder may go without a heartbeat before a reader on another host takes
#: it to be dead. Audits beat every 10 seconds (``monitor.audit.HEARTBEAT_SECONDS``); a
#: journey run beats once after each journey, and one journey may take several minutes
#: (its timeout, twice with the retry), so it is given much longer.
STALE_AFTER: dict[str, timedelta] = {"audit": timedelta(minutes=2)}
STALE_AFTER_OTHER_KINDS = timedelta(minutes=30)

# /proc gives a process's start in clock ticks after a boot time known to the second, so
# a start time may read up to a second early or late.
_START_TIME_SLACK_SECONDS = 1.0


class Holder(StrEnum):
    alive = "alive"
    dead = "dead"
    unknown = "unknown"  # on another host, or not a ``host:pid`` name: ask the heartbeat


def stale_after(kind: str) -> timedelta:
    return STALE_AFTER.get(kind, STALE_AFTER_OTHER_KINDS)


def holder_state(holder: str | None, last_heartbeat: datetime | None) -> Holder:
    """The state of the process named ``holder`` if it ran on this host.

    A live process with the holder's pid that started after the run's last heartbeat is
    not the holder (the pid was reused), so the holder is dead. A zombie (killed, not yet
    reaped by its parent) is dead too."""
    if not holder or ":" not in holder:
        return Holder.unknown
    host, _, pid_text = holder.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return Holder.unknown
    try:
        process = psutil.Process(int(pid_text))
        if process.status() == psutil.STATUS_ZOMBIE:
            return Holder.dead
        started = process.create_time()
    except psutil.NoSuchProcess:  # ZombieProcess is one too
        return Holder.dead
    except psutil.AccessDenied:  # another user's process: it exists, so say alive
        return Holder.alive
    if last_heartbeat is not None:
        beat = _aware(last_heartbeat).timestamp()
        if started > beat + _START_TIME_SLACK_SECONDS:
            return Holder.dead
    return Holder.alive


def is_dead(kind: str, holder: str | None, last_heartbeat: datetime, now: datetime) -> bool:
    """Whether a running run's holder is gone: its process on this host, or its heartbeat
    (``last_heartbeat``: the run's last heartbeat, or its start if it has none)."""
    state = holder_state(holder, last_heartbeat)
    if state is not Holder.unknown:
        return state is Holder.dead
    return _aware(last_heartbeat) < now - stale_after(kind)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
