"""The resident's address behind the council's reverse proxy (MONITOR_FEEDBACK_TRUSTED_PROXIES).

The proxy here is a real client connecting from another loopback address (127.0.0.2), as
a load balancer or an ingress connects from an address of its own; a resident connecting
directly comes from 127.0.0.5. Both talk HTTP to a real collector on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from monitor.config import CouncilConfig
from tests.monitor.feedback.conftest import Collector, start_collector

SERVICE = "report-a-pothole"
LIMIT = 3


def client_from(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


@pytest.fixture
def proxy() -> Iterator[httpx.Client]:
    with client_from("127.0.0.2") as client:
        yield client


def posts(
    collector: Collector, client: httpx.Client, forwarded_for: str, count: int, who: str
) -> list[int]:
    statuses = []
    for n in range(count):
        response = client.post(
            f"{collector.base_url}/api/feedback",
            json={"service": SERVICE, "rating": 4, "comment": f"{who} post {n}"},
            headers={"X-Forwarded-For": forwarded_for},
        )
        statuses.append(response.status_code)
    return statuses


def hashes(collector: Collector) -> dict[str, set[str]]:
    """The stored client hashes of the posts, by who sent them."""
    found: dict[str, set[str]] = {}
    for row in collector.repository.feedback(limit=None):
        found.setdefault((row.comment or "").split()[0], set()).add(row.client_hash or "")
    return found


def test_residents_behind_a_trusted_proxy_each_have_their_own_limit(
    tmp_path: Path, council_config: CouncilConfig, proxy: httpx.Client
) -> None:
    collector = start_collector(
        tmp_path,
        council_config,
        feedback_rate_limit_per_minute=LIMIT,
        feedback_trusted_proxies="127.0.0.1, 127.0.0.2/32",  # as from the environment
    )
    try:
        # Each resident gets the whole limit, however many others post through the proxy.
        assert posts(collector, proxy, "198.51.100.7", LIMIT + 1, "ann") == [201] * LIMIT + [429]
        assert posts(collector, proxy, "198.51.100.8", LIMIT, "bob") == [201] * LIMIT
        # A resident who writes an X-Forwarded-For of their own gains nothing: the proxy
        # appends the address it saw, and that one counts.
        spoofed = [
            posts(collector, proxy, f"203.0.113.{n}, 198.51.100.9", 1, "cat")[0]
            for n in range(LIMIT + 2)
        ]
        assert spoofed == [201] * LIMIT + [429, 429]
        # IPv6: one household's /64 is one client.
        assert posts(collector, proxy, "2001:db8:1:2::10", 2, "dan") == [201, 201]
        assert posts(collector, proxy, "2001:db8:1:2::20", 2, "dan") == [201, 429]
        assert posts(collector, proxy, "2001:db8:1:3::10", 1, "eve") == [201]
        # Someone connecting directly cannot pretend to be a proxy.
        with client_from("127.0.0.5") as direct:
            forged = [
                posts(collector, direct, f"192.0.2.{n}", 1, "fay")[0] for n in range(LIMIT + 1)
            ]
        assert forged == [201] * LIMIT + [429]
        stored = hashes(collector)
        assert all(len(stored[who]) == 1 for who in ("ann", "bob", "cat", "dan", "fay"))
        assert len(set.union(*(stored[w] for w in ("ann", "bob", "cat", "dan", "eve")))) == 5
    finally:
        collector.stop()


def test_an_untrusted_proxy_makes_every_resident_one_client(
    tmp_path: Path, council_config: CouncilConfig, proxy: httpx.Client
) -> None:
    """The fault this setting mends: with only 127.0.0.1 trusted, residents behind a proxy
    on another address share the proxy's limit."""
    collector = start_collector(tmp_path, council_config, feedback_rate_limit_per_minute=LIMIT)
    try:
        assert collector.settings.feedback_trusted_proxies == ["127.0.0.1", "::1"]
        statuses = [
            posts(collector, proxy, f"198.51.100.{n}", 1, f"r{n}")[0] for n in range(LIMIT + 1)
        ]
        assert statuses == [201] * LIMIT + [429]
    finally:
        collector.stop()
