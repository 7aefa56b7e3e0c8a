"""Benchmark of the feedback collector: sustained accepted posts per second.

One collector process (uvicorn, in a subprocess, exactly as ``monitor feedback serve``
runs it) on SQLite, on loopback, for 30 seconds, while another process writes to the same
database the whole time the way an audit does (short transactions of findings). The load
comes from keep-alive connections driven by a small raw-HTTP/1.1 asyncio client in this
process (httpx costs more CPU per request than the server does, and this machine has two
cores to share between the three processes).

Targets: at least 1,000 accepted posts a second, p99 latency under 50 ms, and nothing
lost: every post answered 201 is a row in the database after the collector stops. The
30-second run offers 1,200 posts a second steadily (the target with a margin) and measures
the latency at that rate; a shorter saturated run then shows the ceiling, where latency is
queueing by construction.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

PROJECT = Path(__file__).resolve().parents[2]
SERVICES = ("report-a-pothole", "apply-for-a-blue-badge", "school-admissions", "join-the-library")
TARGET_POSTS_PER_SECOND = 1000
TARGET_P99_MS = 50.0
#: The sustained run offers the target rate plus this margin, steadily.
SUSTAINED_MARGIN = 1.2
#: A shorter run as fast as the connections go, to show the ceiling.
SATURATED_SECONDS = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(port: int, index: int) -> bytes:
    body = json.dumps(
        {
            "service": SERVICES[index % len(SERVICES)],
            "page": "/report-a-pothole/done",
            "kind": "satisfaction",
            "rating": 1 + index % 5,
            "completed": "yes",
            "comment": f"Resident {index}: quick to do. Email me at r{index}@example.com",
        }
    ).encode()
    # Each post from its own (private-range) address, as through a reverse proxy, so
    # the per-client rate limit is exercised without limiting the benchmark.
    address = f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"
    head = (
        f"POST /api/feedback HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"X-Forwarded-For: {address}\r\n\r\n"
    )
    return head.encode() + body


async def _connection(
    port: int,
    counter: list[int],
    stop_at: float,
    latencies: list[float],
    statuses: dict[int, int],
    interval: float = 0.0,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    next_send = time.perf_counter()
    try:
        while time.perf_counter() < stop_at:
            if interval:  # paced: one post every ``interval`` seconds on this connection
                next_send += interval
                delay = next_send - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            counter[0] += 1
            request = _request(port, counter[0])
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            if b"connection: close" in head.lower():
                break
    finally:
        writer.close()


_SENT = [0]  # posts numbered across runs, so that no two posts are duplicates


async def _load(
    port: int, seconds: float, connections: int, rate: float | None = None
) -> tuple[list[float], dict[int, int]]:
    """Post for ``seconds``: as fast as the connections allow, or at ``rate`` posts/s."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = _SENT
    stop_at = time.perf_counter() + seconds
    interval = connections / rate if rate else 0.0
    await asyncio.gather(
        *(
            _connection(port, counter, stop_at, latencies, statuses, interval)
            for _ in range(connections)
        )
    )
    return latencies, statuses


#: Seconds between the simulated audit's transactions: about ten a second, twice what a
#: real audit writes on this machine (4–5 pages a second, one transaction each).
AUDIT_WRITE_EVERY_SECONDS = 0.1


def _audit_writer(database_url: str, stop_file: str, counts: Any) -> None:
    """Write findings the way an audit does, in short transactions, until told to stop."""
    from monitor.models import Finding, Page, Run, Service
    from monitor.repository import Repository

    repository = Repository(database_url)
    with repository.session() as session:
        session.add(Service(id="bench-audit", name="Benchmark audit"))
        run = Run(service_ids=["bench-audit"])
        session.add(run)
        session.flush()
        page = Page(service_id="bench-audit", url="http://127.0.0.1/bench")
        session.add(page)
        session.commit()
        run_id, page_id = run.id, page.id
    assert run_id is not None and page_id is not None
    while not os.path.exists(stop_file):
        with repository.session() as session:
            session.add_all(
                Finding(
                    run_id=run_id,
                    page_id=page_id,
                    service_id="bench-audit",
                    check="axe",
                    rule="color-contrast",
                    fingerprint=f"{counts.value}-{i}",
                )
                for i in range(20)
            )
            session.commit()
        counts.value += 1
        time.sleep(AUDIT_WRITE_EVERY_SECONDS)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def run(seconds: float = 30.0, connections: int = 32, with_audit: bool = True) -> dict[str, Any]:
    from monitor.db import upgrade
    from monitor.repository import Repository

    folder = Path(tempfile.mkdtemp(prefix="monitor-bench-feedback-"))
    database_url = f"sqlite:///{folder / 'monitor.db'}"
    upgrade(database_url)
    port = _free_port()
    env = {
        **os.environ,
        "MONITOR_DATABASE_URL": database_url,
        "MONITOR_CONFIG_DIR": str(PROJECT / "config"),
        "MONITOR_DATA_DIR": str(folder),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "feedback", "serve", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stop_file = str(folder / "stop-audit")
    audit_batches = multiprocessing.get_context("spawn").Value("i", 0)
    audit = multiprocessing.get_context("spawn").Process(
        target=_audit_writer, args=(database_url, stop_file, audit_batches)
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "collector did not start: "
                        + (server.stderr.read().decode() if server.stderr else "")
                    ) from None
                time.sleep(0.2)
        if with_audit:
            audit.start()
        # A short warm-up so that imports and the first connections are not measured.
        asyncio.run(_load(port, 2.0, connections))
        warm = httpx.get(f"http://127.0.0.1:{port}/healthz").json()["counts"]
        # Sustained: the target rate (with a margin), offered steadily; latency at that rate.
        started = time.perf_counter()
        latencies, statuses = asyncio.run(
            _load(port, seconds, connections, rate=TARGET_POSTS_PER_SECOND * SUSTAINED_MARGIN)
        )
        elapsed = time.perf_counter() - started
        # Saturated: as fast as the connections go, to show the ceiling.
        began = time.perf_counter()
        ceiling, ceiling_statuses = asyncio.run(_load(port, SATURATED_SECONDS, connections))
        ceiling_elapsed = time.perf_counter() - began
        counts = httpx.get(f"http://127.0.0.1:{port}/healthz").json()["counts"]
    finally:
        Path(stop_file).touch()
        if with_audit:
            audit.join(30)
        server.send_signal(signal.SIGTERM)  # graceful: queued rows are committed first
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    stored = Repository(database_url).count_feedback()
    accepted_total = counts["accepted"]
    accepted = statuses.get(201, 0)
    result = {
        "seconds_measured": round(elapsed, 1),
        "connections": connections,
        "posts_per_second": round(accepted / elapsed, 1),
        "p50_ms": round(_percentile(latencies, 0.50), 2),
        "p99_ms": round(_percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies) * 1000, 2) if latencies else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "accepted_total": accepted_total,
        "stored_total": stored,
        "duplicates_or_honeypot": counts["duplicates"] + counts["honeypot"],
        "lost": counts["stored"] - stored,
        "accepted_during_warm_up": warm["accepted"],
        "audit_write_transactions": audit_batches.value,
        "saturated": {
            "seconds": round(ceiling_elapsed, 1),
            "posts_per_second": round(ceiling_statuses.get(201, 0) / ceiling_elapsed, 1),
            "p50_ms": round(_percentile(ceiling, 0.50), 2),
            "p99_ms": round(_percentile(ceiling, 0.99), 2),
        },
        "target_posts_per_second": TARGET_POSTS_PER_SECOND,
        "target_p99_ms": TARGET_P99_MS,
    }
    result["meets_target"] = (
        result["posts_per_second"] >= TARGET_POSTS_PER_SECOND
        and result["p99_ms"] < TARGET_P99_MS
        and result["lost"] == 0
    )
    return result


if __name__ == "__main__":
    arguments = sys.argv[1:]
    print(
        json.dumps(
            run(
                float(arguments[0]) if arguments else 30.0,
                int(arguments[1]) if len(arguments) > 1 else 32,
                "--no-audit" not in arguments,
            ),
            indent=2,
        )
    )
