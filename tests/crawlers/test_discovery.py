"""Discovery over HTTP: robots.txt with Crawl-delay, sitemaps, retries on 429 and 503."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawlers.discovery import HostPolicy, make_client, parse_sitemap, urls_from_sitemaps
from monitor.settings import Settings

SITEMAP = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/a?utm_source=x</loc></url><url><loc>{base}/b</loc></url></urlset>"""


class Server(BaseHTTPRequestHandler):
    hits: dict[str, list[float]] = {}
    base = ""

    def do_GET(self) -> None:
        Server.hits.setdefault(self.path, []).append(time.monotonic())
        status, body = 200, b"ok"
        if self.path == "/robots.txt":
            body = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\nSitemap: /sitemap.xml\n"
        elif self.path == "/index.xml":
            body = (
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{Server.base}/pages.xml.gz</loc></sitemap></sitemapindex>"
            ).encode()
        elif self.path == "/pages.xml.gz":
            body = gzip.compress(SITEMAP.replace(b"{base}", Server.base.encode()))
        elif self.path == "/flaky":
            status = 503 if len(Server.hits[self.path]) < 3 else 200
        elif self.path == "/busy":
            status = 429
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Server)
    Server.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield Server.base
    httpd.shutdown()


async def with_policy(work):
    settings = Settings(http_retries=2)
    async with make_client(settings) as client:
        return await work(HostPolicy(settings, client))


def test_robots_rules_and_crawl_delay_are_obeyed(server: str) -> None:
    async def work(policy: HostPolicy) -> tuple[bool, bool, float, list[float]]:
        allowed = await policy.allowed(f"{server}/public")
        private = await policy.allowed(f"{server}/private/x")
        delay = await policy.crawl_delay(f"{server}/public")
        Server.hits.pop("/spaced", None)
        await asyncio.gather(*(policy.fetch(f"{server}/spaced") for _ in range(3)))
        return allowed, private, delay, Server.hits["/spaced"]

    allowed, private, delay, hits = asyncio.run(with_policy(work))
    assert allowed and not private and delay == pytest.approx(0.3)
    gaps = [b - a for a, b in itertools.pairwise(hits)]
    assert all(gap >= 0.25 for gap in gaps), gaps


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Each sleep the policy asks for, recorded and not waited (the back-off is 1 s, 2 s)."""
    asked: list[float] = []
    real_sleep = asyncio.sleep

    async def record(delay: float) -> None:
        asked.append(delay)
        await real_sleep(0)

    monkeypatch.setattr("crawlers.discovery.asyncio.sleep", record)
    return asked


def test_429_and_503_are_retried_with_back_off(server: str, slept: list[float]) -> None:
    async def work(policy: HostPolicy) -> tuple[int | None, int | None]:
        flaky = await policy.fetch(f"{server}/flaky")
        busy = await policy.fetch(f"{server}/busy")
        return flaky.status, busy.status

    assert asyncio.run(with_policy(work)) == (200, 429)
    assert len(Server.hits["/flaky"]) == 3 and len(Server.hits["/busy"]) == 3
    # Two back-offs for each address, doubling: 1 s then 2 s (besides any Crawl-delay waits).
    assert [d for d in slept if d in (1.0, 2.0)] == [1.0, 2.0, 1.0, 2.0]


def test_sitemap_index_and_gzip_children_are_followed(server: str) -> None:
    pages = asyncio.run(with_policy(lambda p: urls_from_sitemaps(p, [f"{server}/index.xml"])))
    assert pages == [f"{server}/a", f"{server}/b"]


def test_hostile_sitemaps_give_nothing_rather_than_failing() -> None:
    assert parse_sitemap(b"<not xml") == ([], [])
    assert parse_sitemap(b'<!DOCTYPE x [<!ENTITY a "b">]><urlset/>') == ([], [])
    assert parse_sitemap(b"<html><body>hello</body></html>") == ([], [])
