"""Benchmark of the feedback collector: a steady 1,000 posts a second for 60 seconds.

One collector process (``monitor feedback serve`` in a subprocess, exactly as it runs in
production) on SQLite, on loopback, while another process writes to the same database the
whole time the way an audit does (short transactions of findings). The posts are
realistic: the three kinds of feedback, comments from a few words to the 1,200-character
limit, a fifth of them carrying personal data in one of the ways residents write it, so
redaction does its full work.

The load is *open*: post number k is due at ``start + k / rate`` whatever happened to the
posts before it, and its latency is measured from that scheduled time, not from when a
connection was free to send it. A collector that stalls for 200 ms therefore shows 200
posts late by up to 200 ms, as the residents would see it, rather than one slow post
(measuring from the send time hides such stalls: "coordinated omission"). The client is a
small raw-HTTP/1.1 asyncio client in this process, over a pool of keep-alive connections,
with every request built before the clock starts (httpx costs more processor time per
request than the collector does, and this machine has two cores for the three processes).

Targets: every post accepted at 1,000 a second is stored (accepted == stored), p99 latency
under 50 ms. Also reported: redaction's own time per comment (measured in this process on
the same posts), a shorter saturated run to show the ceiling, and how busy the machine was
(load average, and the processor time of everything else on it during the run).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

import httpx
import psutil

PROJECT = Path(__file__).resolve().parents[1]
SERVICES = ("report-a-pothole", "apply-for-a-blue-badge", "school-admissions", "join-the-library")
TARGET_POSTS_PER_SECOND = 1000
TARGET_P99_MS = 50.0
STEADY_SECONDS = 60.0
CONNECTIONS = 64
#: A shorter run as fast as the connections go, to show the ceiling.
SATURATED_SECONDS = 10.0
WARM_UP_SECONDS = 3.0

# --- realistic posts ----------------------------------------------------------------------

_OPENINGS = [
    "Quick and easy, thank you.",
    "Much simpler than phoning the council.",
    "The page timed out and I had to start again.",
    "I could not find where to upload my documents.",
    "The error messages did not tell me what was wrong.",
    "Worked well on my phone but the map was slow.",
    "Too many questions, some of them twice.",
    "I couldn’t use the date fields with my screen reader.",
    "Payment page looked different and I wasn't sure it was the council.",
    "Found what I needed straight away.",
]
_MIDDLES = [
    "I reported it on {d}/{m}/2025 and nothing has happened since.",
    "The pothole on Station Road near junction {n} of the M20 is getting bigger.",
    "It took {n} minutes and I had to go back {k} times.",
    "The A229 was closed for {k} weeks and the diversion signs were wrong.",
    "I rang 03069 990000 and waited {n} minutes before giving up.",
    "Step {k} of 5 kept saying my answer was not valid.",
    "Version 1.{k}.{n} of the app crashed when I pressed continue.",
    "My son starts Year 7 in September 2025 and the form did not say which schools.",
    "I paid £{n}.50 but the receipt said £{k}.00.",
    "The library in the town centre was shut on {d} May even though the page said open.",
]
_PERSONAL = [
    "Please email me at resident{i}@example.com about this.",
    "email me on sam dot taylor{i} at gmail dot com",
    "You can ring me on 07700 {p:06d} if you need more details.",
    "my number is 0 7 7 0 0 {q} if you want to call",
    "I live at {n} Mill Lane, Maidstone ME14 1XQ and the hole is outside.",
    "My reference is POT-{p:06d} and nobody has replied.",
    "My NI number is QQ {a:02d} {b:02d} {c:02d} C, why do you need it again?",
    "NHS number 943 476 5919 was rejected.",
    "I was born on {d}/{m}/1958 and the date box would not accept it.",
    "Charged twice on card 4111 1111 1111 1111.",
    "Refund to sort code 12-34-56 account {p:08d} please.",
    "My passport number is {p:09d} and the upload failed.",
]


def realistic_posts(count: int, seed: int = 21) -> list[dict[str, Any]]:
    """``count`` different posts, as residents send them (no two are duplicates)."""
    rng = random.Random(seed)
    posts = []
    for index in range(count):
        kind = rng.choices(("satisfaction", "page_useful", "problem"), (60, 25, 15))[0]
        # Comment length: mostly short, some long, a few at the 1,200-character limit.
        sentences = rng.choices((1, 3, 8, 20), (45, 35, 15, 5))[0]
        parts = [rng.choice(_OPENINGS)]
        for _ in range(sentences - 1):
            parts.append(rng.choice(_MIDDLES))
        if rng.random() < 0.2:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(_PERSONAL))
        values = {
            "i": index,
            "n": rng.randrange(2, 90),
            "k": rng.randrange(2, 9),
            "d": rng.randrange(1, 28),
            "m": rng.randrange(1, 12),
            "p": rng.randrange(10**6, 10**8),
            "q": " ".join(f"{index % 1_000_000:06d}"),
            "a": rng.randrange(100),
            "b": rng.randrange(100),
            "c": rng.randrange(100),
        }
        text = " ".join(parts).format(**values)[:1150] + f" ({index})"
        post: dict[str, Any] = {
            "service": SERVICES[index % len(SERVICES)],
            "page": rng.choice(("/", "/report-a-pothole", "/report-a-pothole/done")),
            "kind": kind,
        }
        if kind == "satisfaction":
            post |= {"rating": 1 + index % 5, "completed": "yes", "comment": text}
        elif kind == "page_useful":
            post |= {"useful": rng.random() < 0.6, "comment": text}
        else:
            post |= {"what_doing": "Reporting a pothole", "what_wrong": text}
        posts.append(post)
    return posts


def _request(port: int, index: int, post: dict[str, Any]) -> bytes:
    body = json.dumps(post).encode()
    # Each post from its own (private-range) address, as through the reverse proxy, so
    # the per-client rate limit is exercised without limiting the benchmark.
    address = f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"
    head = (
        f"POST /api/feedback HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"X-Forwarded-For: {address}\r\n\r\n"
    )
    return head.encode() + body


# --- the load -----------------------------------------------------------------------------


_OPEN_LOAD_SECONDS: list[int] = []  # of the last load: the second each latency belongs to


def _worst_seconds(latencies: list[float], count: int = 3) -> list[dict[str, float]]:
    """The seconds of the run with the slowest posts: where a stall happened, if one did."""
    by_second: dict[int, list[float]] = {}
    for second, latency in zip(_OPEN_LOAD_SECONDS, latencies, strict=True):
        by_second.setdefault(second, []).append(latency)
    worst = sorted(by_second.items(), key=lambda item: max(item[1]), reverse=True)[:count]
    return [
        {"second": s, "max_ms": _ms(max(v)), "p50_ms": _ms(_percentile(v, 0.5))} for s, v in worst
    ]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status, b"connection: close" in head.lower()


async def _open_load(
    port: int, requests: list[bytes], rate: float | None, connections: int, seconds: float
) -> tuple[list[float], dict[int, int], float]:
    """Send ``requests``: at ``rate`` a second on a fixed schedule (latency from each one's
    scheduled time), or, with no rate, as fast as the connections go (latency from send)
    for ``seconds``. Returns the latencies, the statuses and the time it took."""
    latencies: list[float] = []
    seconds_in: list[int] = []  # the second of the run each post was due in
    statuses: dict[int, int] = {}
    due: deque[tuple[int, float]] = deque()
    ready = asyncio.Event()
    done = False
    started = time.perf_counter()
    stop_at = started + seconds

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                if rate is None:  # saturated: the next request, timed from its sending
                    if time.perf_counter() >= stop_at or not requests:
                        return
                    request, scheduled = requests.pop(), time.perf_counter()
                else:
                    while not due:
                        if done:
                            return
                        ready.clear()
                        await ready.wait()
                    index, scheduled = due.popleft()
                    request = requests[index]
                writer.write(request)
                status, closing = await _read_response(reader)
                latencies.append(time.perf_counter() - scheduled)
                seconds_in.append(int(scheduled - started))
                statuses[status] = statuses.get(status, 0) + 1
                if closing:
                    return
        finally:
            writer.close()

    async def schedule() -> None:
        nonlocal done
        interval = 1.0 / rate if rate else 0.0
        for index in range(len(requests)):
            when = started + index * interval
            delay = when - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            due.append((index, when))
            ready.set()
        done = True
        ready.set()

    tasks = [connection() for _ in range(connections)]
    if rate is not None:
        tasks.append(schedule())
    await asyncio.gather(*tasks)
    _OPEN_LOAD_SECONDS[:] = seconds_in
    return latencies, statuses, time.perf_counter() - started


def _run_load(*args: Any) -> tuple[list[float], dict[int, int], float]:
    try:
        import uvloop

        return uvloop.run(_open_load(*args))
    except ImportError:  # pragma: no cover - uvloop is installed where it can be
        return asyncio.run(_open_load(*args))


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
                    first_run_id=run_id,
                    last_run_id=run_id,
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
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def redaction_timing(posts: list[dict[str, Any]]) -> dict[str, Any]:
    """Redaction's own processor time per post (page address and every text field), in
    this process: processor time, so that what other programs on the machine do between
    two instructions is not counted as redaction's."""
    from monitor.config import load_config
    from monitor.feedback.redaction import Redactor

    redactor = Redactor.for_council(load_config(PROJECT / "config").feedback)
    times: list[float] = []
    long_times: list[float] = []
    redacted = 0
    for post in posts:
        texts = [post.get("comment"), post.get("what_doing"), post.get("what_wrong")]
        began = time.process_time()
        _, _, kinds = redactor.redact_submission(post["page"], texts)
        spent = time.process_time() - began
        times.append(spent)
        if sum(len(t or "") for t in texts) >= 1000:
            long_times.append(spent)
        redacted += bool(kinds)
    return {
        "posts": len(times),
        "with_personal_data": redacted,
        "mean_us": round(sum(times) / len(times) * 1e6, 1),
        "p50_us": round(_percentile(times, 0.50) * 1e6, 1),
        "p99_us": round(_percentile(times, 0.99) * 1e6, 1),
        "max_us": round(max(times) * 1e6, 1),
        "comments_of_1000_chars_or_more": len(long_times),
        "their_mean_us": round(sum(long_times) / max(1, len(long_times)) * 1e6, 1),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def _machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(
        getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal")
    )


def run(
    seconds: float = STEADY_SECONDS, connections: int = CONNECTIONS, with_audit: bool = True
) -> dict[str, Any]:
    from monitor.db import upgrade
    from monitor.repository import Repository

    rate = TARGET_POSTS_PER_SECOND
    steady_count = int(seconds * rate)
    warm_count = int(WARM_UP_SECONDS * rate)
    saturated_count = 60_000
    posts = realistic_posts(warm_count + steady_count + saturated_count)
    redaction = redaction_timing(posts[warm_count : warm_count + 20_000])

    folder = Path(tempfile.mkdtemp(prefix="monitor-bench-feedback-"))
    database_url = f"sqlite:///{folder / 'monitor.db'}"
    upgrade(database_url)
    port = _free_port()
    requests = [_request(port, i, post) for i, post in enumerate(posts)]
    warm = requests[:warm_count]
    steady = requests[warm_count : warm_count + steady_count]
    saturated = requests[warm_count + steady_count :]
    env = {
        **os.environ,
        "MONITOR_DATABASE_URL": database_url,
        "MONITOR_CONFIG_DIR": str(PROJECT / "config"),
        "MONITOR_DATA_DIR": str(folder),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "monitor", "feedback", "serve", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stop_file = str(folder / "stop-audit")
    context = multiprocessing.get_context("spawn")
    audit_batches = context.Value("i", 0)
    audit = context.Process(target=_audit_writer, args=(database_url, stop_file, audit_batches))
    load_before = os.getloadavg()
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
        # A warm-up at the same rate, so that imports and the first connections are not
        # measured.
        _run_load(port, warm, rate, connections, WARM_UP_SECONDS)
        ours = [psutil.Process(), psutil.Process(server.pid)]
        if with_audit and audit.pid:
            ours.append(psutil.Process(audit.pid))
        ours_before, machine_before = _cpu_seconds(ours), _machine_busy_seconds()
        latencies, statuses, elapsed = _run_load(port, steady, rate, connections, seconds)
        worst = _worst_seconds(latencies)
        ours_cores = (_cpu_seconds(ours) - ours_before) / elapsed
        elsewhere = (_machine_busy_seconds() - machine_before) / elapsed - ours_cores
        load_during = os.getloadavg()
        ceiling, ceiling_statuses, ceiling_elapsed = _run_load(
            port, saturated, None, connections, SATURATED_SECONDS
        )
        health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
        counts = health["counts"]
    finally:
        Path(stop_file).touch()
        if with_audit and audit.pid:
            audit.join(30)
        server.send_signal(signal.SIGTERM)  # graceful: queued rows are committed first
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    stored = Repository(database_url).count_feedback()
    accepted = statuses.get(201, 0)
    result = {
        "rate_offered_per_second": rate,
        "seconds_measured": round(elapsed, 1),
        "connections": connections,
        "posts_per_second": round(accepted / elapsed, 1),
        "latency_from_scheduled_send": {
            "p50_ms": _ms(_percentile(latencies, 0.50)),
            "p99_ms": _ms(_percentile(latencies, 0.99)),
            "p99_9_ms": _ms(_percentile(latencies, 0.999)),
            "max_ms": _ms(max(latencies)) if latencies else 0.0,
            "worst_seconds": worst,
        },
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "accepted_total": counts["accepted"],
        "stored_total": stored,
        "accepted_equals_stored": counts["accepted"] == stored
        and counts["duplicates"] + counts["honeypot"] == 0,
        "redaction_per_post": redaction,
        # Batches, rows and the slowest commit: a stall of the disk or of the database's
        # write lock shows here; one of the whole machine does not.
        "writer": health.get("writer"),
        "audit_write_transactions": audit_batches.value,
        "machine": {
            "cores": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after_steady_run": [round(x, 2) for x in load_during],
            "cores_used_by_this_benchmark": round(ours_cores, 2),
            "cores_used_by_everything_else": round(max(0.0, elsewhere), 2),
        },
        "saturated": {
            "seconds": round(ceiling_elapsed, 1),
            "posts_per_second": round(ceiling_statuses.get(201, 0) / ceiling_elapsed, 1),
            "p50_ms": _ms(_percentile(ceiling, 0.50)),
            "p99_ms": _ms(_percentile(ceiling, 0.99)),
        },
        "target_posts_per_second": TARGET_POSTS_PER_SECOND,
        "target_p99_ms": TARGET_P99_MS,
    }
    result["meets_target"] = (
        result["posts_per_second"] >= TARGET_POSTS_PER_SECOND * 0.99
        and result["latency_from_scheduled_send"]["p99_ms"] < TARGET_P99_MS
        and result["accepted_equals_stored"]
    )
    return result


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    print(
        json.dumps(
            run(
                float(arguments[0]) if arguments else STEADY_SECONDS,
                int(arguments[1]) if len(arguments) > 1 else CONNECTIONS,
                "--no-audit" not in sys.argv,
            ),
            indent=2,
        )
    )
