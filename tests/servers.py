"""Throw-away PostgreSQL, Redis and web servers for the tests, on free ports on 127.0.0.1.

PostgreSQL refuses to run as root, so when the tests run as root (as CI does) the cluster
is created and started as the ``postgres`` user in a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def html_site(render: Callable[[str], str | None]) -> Iterator[str]:
    """Serve ``render(path)`` as HTML (``None``: 404) on a free port on 127.0.0.1; yield the
    site's address."""

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = render(self.path)
            body = b"not here" if page is None else page.encode()
            self.send_response(404 if page is None else 200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with served(Pages) as base:
        yield base


@contextmanager
def served(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free port on 127.0.0.1 (a thread per request); yield the
    server's address, and stop it on the way out."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: run `make install`")
    return Path(found[-1]).parent


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start within {timeout}s")


_NOT_DURABLE = " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"


@contextmanager
def postgres_server(*, durable: bool = False) -> Iterator[str]:
    """Yield the URL of a fresh PostgreSQL cluster; stop and delete it afterwards.

    Tests run it without waiting for the disk (fsync off); ``durable`` keeps PostgreSQL's
    own defaults, as a council's server runs, for benchmarks of what a server holds."""
    bin_dir = _pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="monitor-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    port = free_port()
    subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "monitor",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "log"),
                "-w",
                "-o",
                f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
                + ("" if durable else _NOT_DURABLE),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        wait_for_port(port)
        subprocess.run(
            _as_postgres(
                [
                    str(bin_dir / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "monitor",
                    "monitor",
                ]
            ),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://monitor@127.0.0.1:{port}/monitor"
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


NO_PERSISTENCE = ("--save", "", "--appendonly", "no")


@contextmanager
def redis_server() -> Iterator[str]:
    """Yield the URL of a fresh Redis server with no persistence."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    with local_server(
        lambda port: [binary, "--port", str(port), "--bind", "127.0.0.1", *NO_PERSISTENCE]
    ) as port:
        yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def webdriver_server() -> Iterator[str]:
    """Yield the URL of a standalone chromedriver: the WebDriver protocol a Selenium Grid
    speaks, so the Selenium engine is tested as it would drive a Grid."""
    with local_server(lambda port: ["/usr/bin/chromedriver", f"--port={port}"]) as port:
        yield f"http://127.0.0.1:{port}"


@contextmanager
def local_server(command: Callable[[int], list[str]]) -> Iterator[int]:
    """Run ``command(port)`` on a free port until the block ends; yield the port."""
    port = free_port()
    process = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
