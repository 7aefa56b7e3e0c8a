"""Discovery over HTTP (httpx, async): robots.txt, sitemaps, documents and link statuses.

robots.txt is obeyed for the monitor's user agent, including Crawl-delay; sitemaps may be
index files and may be gzip-compressed. Requests to one host are limited in number and
spaced by its Crawl-delay; 429 and 503 answers are retried with back-off.
"""

from __future__ import annotations

import asyncio
import gzip
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

import httpx
from protego import Protego

from crawlers.urls import host_of, normalise_url
from monitor.settings import Settings

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit
MAX_SITEMAPS = 200
#: One request, redirects and body included, may take this many ``http_timeout_seconds``.
WHOLE_REQUEST_FACTOR = 4


#: Decides from the content type and declared size (None: not declared) whether the body
#: is worth reading.
ReadBody = Callable[[str | None, int | None], bool]


@dataclass
class Fetched:
    """The outcome of one HTTP request: a status, or an error, never an exception."""

    url: str
    status: int | None
    content_type: str | None = None
    size: int | None = None
    last_modified: str | None = None
    body: bytes = b""
    error: str | None = None
    final_url: str | None = None  # where redirects ended
    truncated: bool = False  # the body was cut at ``max_bytes``


class HostPolicy:
    """Per-host limits: concurrency, Crawl-delay spacing and robots.txt rules."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self._limits: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host_concurrency)
        )
        self._robots: dict[str, Protego | None] = {}
        self._robots_lock: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._next_slot: dict[str, float] = defaultdict(float)

    async def robots(self, url: str) -> Protego | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        async with self._robots_lock[origin]:
            if origin not in self._robots:
                fetched = await self._get(f"{origin}/robots.txt", respect_delay=False)
                ok = fetched.status is not None and 200 <= fetched.status < 300
                text = fetched.body.decode("utf-8", "replace") if ok else ""
                self._robots[origin] = Protego.parse(text) if ok else None
            return self._robots[origin]

    async def allowed(self, url: str) -> bool:
        rules = await self.robots(url)
        return rules is None or bool(rules.can_fetch(url, self.settings.user_agent))

    async def crawl_delay(self, url: str) -> float:
        rules = await self.robots(url)
        delay = rules.crawl_delay(self.settings.user_agent) if rules else None
        return float(delay or 0)

    async def sitemaps_in_robots(self, url: str) -> list[str]:
        rules = await self.robots(url)
        return list(rules.sitemaps) if rules else []

    async def wait_turn(self, url: str) -> None:
        """Space requests to one host by its Crawl-delay."""
        delay = await self.crawl_delay(url)
        if delay <= 0:
            return
        host = host_of(url)
        now = time.monotonic()
        slot = max(now, self._next_slot[host])
        self._next_slot[host] = slot + delay
        if slot > now:
            await asyncio.sleep(slot - now)

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        max_bytes: int = 0,
        headers: dict[str, str] | None = None,
        read_body: ReadBody | None = None,
    ) -> Fetched:
        """One request, an answer or an error (never an exception). ``read_body`` sees the
        content type and declared size first: False leaves the body unread (a download no
        check reads costs its headers only)."""
        return await self._get(
            url, method=method, max_bytes=max_bytes, headers=headers, read_body=read_body
        )

    async def _get(
        self,
        url: str,
        *,
        method: str = "GET",
        max_bytes: int = 0,
        respect_delay: bool = True,
        headers: dict[str, str] | None = None,
        read_body: ReadBody | None = None,
    ) -> Fetched:
        host = host_of(url)
        attempt = 0
        while True:
            if respect_delay:
                await self.wait_turn(url)
            async with self._limits[host]:
                fetched = await self._request(url, method, max_bytes, headers, read_body)
            retryable = fetched.status in (429, 503)
            if not retryable or attempt >= self.settings.http_retries:
                return fetched
            attempt += 1
            await asyncio.sleep(min(0.5 * 2**attempt, 10.0))

    async def _request(
        self,
        url: str,
        method: str,
        max_bytes: int,
        headers: dict[str, str] | None = None,
        read_body: ReadBody | None = None,
    ) -> Fetched:
        try:
            # httpx's timeout is per read: a server trickling a byte a second would never
            # trip it, so the whole request is bounded too.
            async with (
                asyncio.timeout(self.settings.http_timeout_seconds * WHOLE_REQUEST_FACTOR),
                self.client.stream(method, url, headers=headers) as response,
            ):
                body = b""
                truncated = False
                length = response.headers.get("content-length")
                declared = int(length) if length and length.isdigit() else None
                wanted = read_body is None or read_body(
                    response.headers.get("content-type"), declared
                )
                if method == "GET" and wanted:
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_bytes():
                        chunks.append(chunk)
                        size += len(chunk)
                        if max_bytes and size > max_bytes:
                            truncated = True
                            break
                    body = b"".join(chunks)
                return Fetched(
                    url=url,
                    status=response.status_code,
                    content_type=response.headers.get("content-type"),
                    size=declared if declared is not None else len(body) or None,
                    last_modified=response.headers.get("last-modified"),
                    body=body,
                    final_url=str(response.url),
                    truncated=truncated,
                )
        except httpx.TooManyRedirects:
            return Fetched(url, None, error="redirect loop")
        except (httpx.TimeoutException, TimeoutError):
            return Fetched(url, None, error="timed out")
        except httpx.ConnectError as exc:
            return Fetched(url, None, error=f"cannot connect: {exc}".strip())
        except httpx.HTTPError as exc:
            return Fetched(url, None, error=f"{exc.__class__.__name__}: {exc}".strip())


def make_client(settings: Settings) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent},
        timeout=settings.http_timeout_seconds,
        follow_redirects=True,
        max_redirects=10,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
    )
    # Every address is asked for as a first visit, as the browser engines do (they clear
    # cookies before each page): a cookie one answer sets must not change the next.
    client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return client


_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """``(page URLs, child sitemap URLs)`` of a sitemap or sitemap index (gzip or not)."""
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)[:MAX_SITEMAP_BYTES]
    if b"<!ENTITY" in body[:2048]:
        return [], []  # no entity expansion from strangers' XML
    try:
        root = ET.fromstring(body)  # noqa: S314 - entity declarations refused above
    except ET.ParseError:
        return [], []
    tag = root.tag.removeprefix(_NS)
    locs = [
        (el.text or "").strip()
        for el in root.iter()
        if el.tag.removeprefix(_NS) == "loc" and (el.text or "").strip()
    ]
    if tag == "sitemapindex":
        return [], locs
    if tag == "urlset":
        return locs, []
    return [], []


async def urls_from_sitemaps(policy: HostPolicy, sitemap_urls: list[str]) -> list[str]:
    """Every page URL listed by the sitemaps, following index files, in order."""
    pages: list[str] = []
    queue = list(sitemap_urls)
    seen: set[str] = set()
    while queue and len(seen) < MAX_SITEMAPS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        fetched = await policy.fetch(url, max_bytes=MAX_SITEMAP_BYTES)
        if fetched.status != 200:
            continue
        found, children = parse_sitemap(fetched.body)
        pages += [u for u in (normalise_url(p) for p in found) if u]
        queue += children
    return pages
