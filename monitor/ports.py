"""Ports the monitor listens on, taken before anything starts.

A server that finds its port taken deep inside its start-up (uvicorn, Streamlit) logs its
own error and exits; binding the socket first turns that into one plain sentence and exit
code 3 from the CLI.
"""

from __future__ import annotations

import errno
import socket


class CannotListen(RuntimeError):
    """The monitor cannot listen where it was asked to; the message says why in one line."""


class PortInUse(CannotListen):
    """Another program is listening on the port."""

    def __init__(self, host: str, port: int, hint: str = "pass --port") -> None:
        super().__init__(
            f"port {port} on {host} is already in use: stop whatever is using it or {hint}"
        )
        self.host = host
        self.port = port


def bind(host: str, port: int, *, hint: str = "pass --port") -> socket.socket:
    """A TCP socket bound to ``host:port`` (``port`` 0: a free one), not yet listening.

    ``SO_REUSEADDR`` is set, as uvicorn and Tornado set it, so a port whose last
    connections are still closing counts as free, and only a listener makes it taken."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise CannotListen(f"cannot listen on {host}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(host, port, hint) from None
        if exc.errno == errno.EACCES:
            raise CannotListen(
                f"port {port} on {host} is reserved for the administrator: {hint}"
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise CannotListen(f"{host} is not an address of this machine") from None
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock  # not inheritable: a child such as Streamlit must not keep the port open


def ensure_free(host: str, port: int, *, hint: str = "pass --port") -> None:
    """Raise ``PortInUse`` now if a program that binds by itself (Streamlit) would find
    ``host:port`` taken; the port is let go at once for that program to take."""
    bind(host, port, hint=hint).close()
