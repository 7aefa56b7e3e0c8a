"""What a page's rendering depends on, and revalidating an unchanged page over HTTP.

What the checks see on a page is made from its HTML, its *sub-resources* (style sheets,
scripts, images, fonts) and, on a page whose scripts fetch data, whatever they fetch. So:

- a page's fingerprint is its rendered HTML **and** the hash of every sub-resource it
  loaded: a new style sheet that changes a colour's contrast is a change, though the
  markup is the same (``resource_hashes``);
- a page whose browser visit showed it *static* (no fetch or XHR for content, no frames;
  beacons to analytics hosts do not count) gets a ``ServedRecord``: a hash of its HTML as
  the server sent it, where it ended up, its sub-resources' hashes and its links. On the
  next run, when nothing that judges pages has changed and its last full audit is recent,
  the page is fetched over HTTP alone (one request; sub-resources are hashed once per run
  for every page that shares them): if all of it is exactly as before, the browser would
  render exactly what it rendered before, so the page is carried forward without opening
  it. Anything different, or anything that cannot be fetched, and the page is loaded in
  the browser as usual. A full audit every ``full_audit_every_days`` bounds what a page's
  scripts could change by themselves (the time of day, a random banner).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawlers.base import MAX_PAGE_BYTES, LoadedPage, PageError
from crawlers.fingerprint import normalise_html
from crawlers.urls import host_allowed

if TYPE_CHECKING:
    from crawlers.discovery import HostPolicy

#: Sub-resources bigger than this are not hashed; the page is then never called static.
MAX_RESOURCE_BYTES = 5 * 1024 * 1024
#: Chromium keeps this many resource timings unless a page asks for more; a page that
#: filled the buffer may have loaded more than we can see, so it is never called static.
TIMING_BUFFER = 250
#: How the browser fetched something, by what it can mean for the rendering.
CONTENT_FETCHES = frozenset(
    {"fetch", "xmlhttprequest", "other", "iframe", "frame", "subdocument", "object", "embed"}
)
NOT_RENDERED = frozenset({"beacon", "video", "audio", "track", "ping"})
#: Headers of a browser asking for a page, so the server answers the monitor's HTTP
#: request with what it sends the browser.
PAGE_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-GB,en;q=0.9",
}

RESOURCES = """() => {
  const entries = performance.getEntriesByType('resource');
  // The browser asks for the icon when it likes (once per tab, say): it is listed from
  // the markup instead, so the same page always depends on the same addresses.
  const declared = Array.from(
    document.querySelectorAll('link[rel~="icon" i][href]'), (l) => l.href);
  const icons = declared.length ? declared : [new URL('/favicon.ico', location.href).href];
  return {
    resources: entries.map((e) => [e.name.split('#')[0], e.initiatorType]),
    icons: icons.map((u) => u.split('#')[0]),
    frames: window.frames.length,
    full: entries.length >= TIMING_BUFFER,
  };
}""".replace("TIMING_BUFFER", str(TIMING_BUFFER))


@dataclass
class PageResources:
    """What a loaded page fetched besides its HTML."""

    hashed: list[str] = field(default_factory=list)  # sub-resources that shape the rendering
    dynamic: str | None = None  # why the page is not static, if it is not

    @property
    def static(self) -> bool:
        return self.dynamic is None


def read_resources(found: dict[str, Any], beacon_hosts: list[str]) -> PageResources:
    """The page's sub-resources (what ``RESOURCES`` read), and whether it fetched content
    by script."""
    hashed: list[str] = []
    dynamic: str | None = None
    if found.get("full"):
        dynamic = "more sub-resources than the browser keeps timings for"
    if found.get("frames"):
        dynamic = "the page has frames"
    icons = [str(u) for u in found.get("icons", []) if str(u).startswith(("http://", "https://"))]
    for name, kind in found.get("resources", []):
        name, kind = str(name), str(kind)
        if not name.startswith(("http://", "https://")) or name in icons:
            continue
        if kind in CONTENT_FETCHES:
            if not host_allowed(urlsplit(name).hostname or "", beacon_hosts):
                dynamic = dynamic or f"a script fetched {name[:200]} ({kind})"
            continue
        if kind in NOT_RENDERED or name in hashed:
            continue
        hashed.append(name)
    hashed += [u for u in icons if u not in hashed]
    return PageResources(hashed=hashed, dynamic=dynamic)


class ResourceHashes:
    """The hash of each sub-resource, fetched once per run for every page that uses it."""

    def __init__(self, policy: HostPolicy) -> None:
        self.policy = policy
        self._known: dict[str, asyncio.Future[str | None]] = {}

    async def of(self, url: str) -> str | None:
        """``"<status>:<sha256>"`` of what the address answers, None if it cannot be had."""
        pending = self._known.get(url)
        if pending is None:
            pending = asyncio.ensure_future(self._hash(url))
            self._known[url] = pending
        return await asyncio.shield(pending)

    async def all(self, urls: list[str]) -> dict[str, str | None]:
        hashes = await asyncio.gather(*(self.of(u) for u in urls))
        return dict(zip(urls, hashes, strict=True))

    async def _hash(self, url: str) -> str | None:
        fetched = await self.policy.fetch(url, max_bytes=MAX_RESOURCE_BYTES)
        if fetched.status is None or fetched.truncated:
            return None
        body = fetched.body
        if _is_text(fetched.content_type):
            # Build stamps and tokens inside style sheets and scripts are not changes.
            body = normalise_html(body.decode("utf-8", "replace")).encode()
        return f"{fetched.status}:{hashlib.sha256(body).hexdigest()}"


def _is_text(content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind.startswith("text/") or kind.endswith(("javascript", "json", "+xml"))


def served_hash(body: bytes, content_type: str | None) -> str:
    """Hash of the HTML as the server sent it, with per-request noise taken out."""
    charset = "utf-8"
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("\"'")
    try:
        text = body.decode(charset, "replace")
    except LookupError:
        text = body.decode("utf-8", "replace")
    return hashlib.sha256(normalise_html(text).encode("utf-8", "replace")).hexdigest()


def _no_fragment(url: str) -> str:
    return url.split("#", 1)[0]


@dataclass
class ServedRecord:
    """Everything a static page's rendering depends on, as of its last browser visit."""

    final_url: str
    http_status: int
    content_type: str | None
    html: str  # ``served_hash`` of the HTML
    resources: dict[str, str]  # sub-resource address → ``ResourceHashes.of``
    links: list[str]
    title: str
    # SHA-256 of the HTML's bytes as served: when they are the same bytes again, the page
    # is the same without normalising it (most of a revalidation's processor time).
    raw: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: object) -> ServedRecord | None:
        if not isinstance(value, dict):
            return None
        try:
            return cls(**value)
        except TypeError:  # written by another version: the browser will make a new one
            return None

    async def still_served(self, url: str, policy: HostPolicy, hashes: ResourceHashes) -> bool:
        """Whether the address still answers exactly this, sub-resources included."""
        fetched = await policy.fetch(url, max_bytes=MAX_PAGE_BYTES, headers=PAGE_HEADERS)
        if (
            fetched.status != self.http_status
            or fetched.truncated
            or _no_fragment(fetched.final_url or url) != _no_fragment(self.final_url)
        ):
            return False
        same_bytes = bool(self.raw) and hashlib.sha256(fetched.body).hexdigest() == self.raw
        if not same_bytes and served_hash(fetched.body, fetched.content_type) != self.html:
            return False
        now = await hashes.all(list(self.resources))
        return now == self.resources


async def served_record(
    page: LoadedPage,
    resources: PageResources,
    hashes: dict[str, str | None],
    links: list[str],
    policy: HostPolicy,
) -> ServedRecord | None:
    """The record of a page just loaded in the browser, or None if it is not static."""
    if not resources.static or page.status is None or page.status >= 400:
        return None
    if any(value is None for value in hashes.values()):
        return None  # a sub-resource the monitor cannot fetch cannot be revalidated
    served = await page.served()
    if served is None:  # the engine cannot hand over the response: ask the server
        fetched = await policy.fetch(
            page.requested_url, max_bytes=MAX_PAGE_BYTES, headers=PAGE_HEADERS
        )
        if fetched.status is None or fetched.truncated:
            return None
        served = (fetched.final_url or page.requested_url, fetched.status, fetched.body)
    served_url, status, body = served
    if _no_fragment(served_url) != _no_fragment(page.url) or status != page.status:
        return None  # a script moved the page on, or the server answered differently
    return ServedRecord(
        final_url=page.url,
        http_status=status,
        content_type=page.content_type,
        html=served_hash(body, page.content_type),
        resources={url: value for url, value in hashes.items() if value is not None},
        links=links,
        title=page.title,
        raw=hashlib.sha256(body).hexdigest(),
    )


class RememberedPage(LoadedPage):
    """A page revalidated over HTTP: what its last browser visit saw, no browser behind it.

    Only checks that re-judge an unchanged page (``recheck_unchanged``: a link's target may
    have gone) run on it; they need its address and its links, which are remembered.
    """

    def __init__(self, url: str, record: ServedRecord, load_ms: int) -> None:
        self.requested_url = url
        self.url = record.final_url
        self.status = record.http_status
        self.content_type = record.content_type
        self.title = record.title
        self.load_ms = load_ms
        self.console_errors = []
        self._links = list(record.links)

    def _not_open(self) -> PageError:
        return PageError("unsupported", f"{self.url} was revalidated over HTTP, not opened")

    async def links(self) -> list[str]:
        return list(self._links)

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        raise self._not_open()

    async def run_axe_passes(
        self, passes: list[tuple[Any, dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        raise self._not_open()

    async def screenshot(self, selector: str) -> bytes | None:
        raise self._not_open()

    async def content(self) -> str:
        raise self._not_open()
