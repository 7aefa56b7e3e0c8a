"""The pool of browser tabs both engines share: limits, recycling, counters and sessions.

An engine implements what differs between Playwright and Selenium: starting and stopping
its browser, taking a tab (warm from the pool, or new), loading an address in it, and
discarding it. ``TabPool`` owns the rest, once:

- at most ``settings.concurrency`` tabs in use at once (the page's time limit starts when
  it has its tab: waiting for one is the pool's time);
- a tab is kept warm between addresses and replaced after ``recycle_context_every``
  pages, so memory stays flat, and at once after anything went wrong with it;
- a tab whose browser went away before the address loaded is replaced and the address
  loaded again, once;
- ``session()`` lends a fresh tab for a journey: its cookies live for the session only,
  and it is never put back in the pool;
- ``open(url, session=...)`` loads a page signed in: in a warm tab that already holds that
  session (``crawlers.session.SessionState``), or a new one given its cookies and storage.
  A tab holding a session serves only that session (the cookies and storage the site
  sets as the crawl goes are kept); a tab holding none has its cookies cleared before
  every address. At most twice ``settings.concurrency`` tabs wait idle (room for the
  public tabs and one session's): beyond that, the one idle longest is closed.
"""

from __future__ import annotations

import asyncio
import re
from abc import abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from crawlers.base import (
    MAX_PAGE_BYTES,
    BrowserEngine,
    InteractiveTab,
    LoadedPage,
    PageError,
    restart_page_clock,
)
from monitor.settings import Settings

if TYPE_CHECKING:
    from crawlers.browser_state import SessionState


#: Network idle: no request in flight for this long (Playwright's own "networkidle" waits a
#: fixed 500 ms, which cost more than the audit of an ordinary page). The Selenium engine
#: cannot see requests in flight and waits for no request *finishing* for twice as long.
QUIET_SECONDS = 0.25
#: How long after the load event a request must start to count as the page still loading.
LOAD_GRACE_SECONDS = 0.02

#: How long the rendered page may take to answer a trivial script before it counts as hung.
RESPONSIVE_SECONDS = 5.0

#: Runs axe-core once per pass, in order, in ONE call into the page, and hands back only
#: what findings are made of (violations and "needs review", each node's target, markup,
#: impact and summary). axe's full results are mostly ``passes`` and check details that
#: are never stored; carrying them across the driver cost more than the page-level rules.
#: A pass's options may name ``onlyTagged``: its ``runOnly`` rules are then cut to those
#: axe tags with any of those tags (rules that cannot apply are not run at all).
#: ``null`` when the document has no axe (an engine that injects it after load).
AXE_PASSES = """async (passes) => {
  if (!window.axe) return null;
  const slim = (rule) => ({
    id: rule.id, tags: rule.tags, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl,
    nodes: rule.nodes.map((n) => ({
      target: n.target, html: n.html, impact: n.impact, failureSummary: n.failureSummary,
    })),
  });
  const out = [];
  for (const [context, given] of passes) {
    let options = given;
    if (given.onlyTagged) {
      const tagged = new Set(axe.getRules(given.onlyTagged).map((r) => r.ruleId));
      const { onlyTagged, ...rest } = given;
      const values = rest.runOnly.values.filter((id) => tagged.has(id));
      options = { ...rest, runOnly: { type: 'rule', values } };
      if (!values.length) {
        out.push({ testEngine: { name: 'axe-core', version: axe.version },
                   violations: [], incomplete: [] });
        continue;
      }
    }
    const r = await axe.run(context || document, options);
    out.push({ testEngine: r.testEngine, url: r.url,
               violations: r.violations.map(slim), incomplete: r.incomplete.map(slim) });
  }
  // One string: the engines' own serialisers walk a nested result value by value.
  return JSON.stringify(out);
}"""

# Chromium's network error codes (as Playwright and chromedriver both report them) → kind.
_NET_ERROR_KINDS: list[tuple[str, str]] = [
    (r"ERR_TOO_MANY_REDIRECTS", "redirect-loop"),
    (r"ERR_CERT_|ERR_SSL_|ERR_BAD_SSL|SSL_PROTOCOL|ERR_CERTIFICATE", "tls"),
    (r"ERR_NAME_NOT_RESOLVED|ERR_NAME_RESOLUTION_FAILED|ERR_DNS_", "dns"),
    (
        r"ERR_CONNECTION_|ERR_ADDRESS_|ERR_NETWORK_|ERR_INTERNET_DISCONNECTED|ERR_EMPTY_RESPONSE"
        r"|ERR_UNSAFE_PORT|ERR_TUNNEL|ERR_PROXY",
        "connection",
    ),
    (r"Download is starting|ERR_ABORTED.*download", "download"),
    (r"ERR_TIMED_OUT|Timeout \d+ms exceeded|timed out|timeout", "timeout"),
    (r"crash", "crash"),
    (r"ERR_INVALID_RESPONSE|ERR_RESPONSE_|ERR_CONTENT_", "http-error"),
]


def classify_browser_error(message: str) -> str:
    """The ``PageError`` kind for a browser's error message (``navigation`` if unknown)."""
    for pattern, kind in _NET_ERROR_KINDS:
        if re.search(pattern, message, re.IGNORECASE):
            return kind
    return "navigation"


def page_error_from(exc: BaseException, url: str) -> PageError:
    """A ``PageError`` for an exception raised by the browser while loading ``url``."""
    if isinstance(exc, PageError):
        return exc
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    kind = classify_browser_error(message)
    net = re.search(r"net::(ERR_[A-Z_]+)", message)
    summary = {
        "redirect-loop": "the address redirects in a loop",
        "tls": "the secure connection failed (certificate or TLS problem)",
        "dns": "the server's name could not be found",
        "connection": "the server could not be reached",
        "download": "the address is a file to download, not a web page",
        "timeout": "the page did not load in time",
        "crash": "the browser tab crashed",
    }.get(kind, "the page could not be loaded")
    detail = net.group(1) if net else message[:200]
    return PageError(kind, f"{summary}: {url} ({detail})")


class BrowserUnavailable(RuntimeError):
    """The browser could not be started: no web page can be audited, so the run fails."""


#: The message when the browser is not installed (``RuntimeError`` from ``engine.start()``).
BROWSER_LAUNCH_ERROR = "{what} not found at {path}: run `make install`"


def require_browser(settings: Settings, *, driver: bool = False) -> None:
    """Fail clearly when the Debian Chromium (or chromedriver) is not installed."""
    needed = [("Chromium", settings.chromium_path)]
    if driver:
        needed.append(("chromedriver", settings.chromedriver_path))
    for what, path in needed:
        if not Path(path).exists():
            raise BrowserUnavailable(BROWSER_LAUNCH_ERROR.format(what=what, path=path))


#: What the page says about itself once loaded (the same script in both engines).
PAGE_FACTS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    url: location.href,
    referrer: document.referrer,
    title: document.title || '',
    contentType: document.contentType || null,
    status: nav && nav.responseStatus ? nav.responseStatus : null,
    bodyBytes: nav ? Math.max(nav.decodedBodySize || 0, nav.encodedBodySize || 0) : 0,
    loadMs: nav ? Math.round(nav.loadEventEnd || nav.domContentLoadedEventEnd || 0) : 0,
  };
}"""


class Tab(Protocol):
    """What the pool counts on every engine's tab."""

    served: int
    #: The signed-in session the tab holds (None: cookies cleared before every address).
    session: SessionState | None


TabT = TypeVar("TabT", bound=Tab)


class TabLost(PageError):
    """The tab's browser went away before the address loaded (not the page's fault)."""

    def __init__(self, message: str) -> None:
        super().__init__("crash", message)


class TabPool(BrowserEngine, Generic[TabT]):
    """A browser engine with a pool of warm tabs."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.max_page_bytes = MAX_PAGE_BYTES
        self._idle: list[TabT] = []
        self._slots: asyncio.Semaphore | None = None
        # Counters for tests, benchmarks and the run log.
        self.in_use = 0
        self.peak_in_use = 0
        self.pages_opened = 0
        self.contexts_created = 0  # tabs created (a Playwright context, a WebDriver session)

    # -- what each engine implements ----------------------------------------------------

    @abstractmethod
    async def _start_browser(self) -> None:
        """Launch the browser (or reach the Grid); ``RuntimeError`` if it cannot be."""

    @abstractmethod
    async def _stop_browser(self, idle: list[TabT]) -> None:
        """Close the idle tabs and everything the engine started."""

    @abstractmethod
    async def _take_tab(self, *, fresh: bool, session: SessionState | None = None) -> TabT:
        """A tab ready for an address, with the standard viewport: a warm one from
        ``self._idle`` holding the same ``session`` (``_pop_idle``) unless ``fresh``, else
        a new one given that session; with no session, its cookies cleared."""

    @abstractmethod
    async def _load(self, tab: TabT, url: str, wait_for_selector: str | None) -> LoadedPage:
        """Load ``url`` in the tab; ``PageError`` if it cannot be (``TabLost`` when the
        browser behind the tab went away first)."""

    @abstractmethod
    def _usable_after_error(self, tab: TabT) -> bool:
        """Whether a tab whose load raised ``PageError`` may serve another address."""

    @abstractmethod
    async def _tidy(self, tab: TabT) -> bool:
        """Make a healthy tab ready to wait in the pool; False if it cannot stay."""

    @abstractmethod
    async def _discard(self, tab: TabT, *, wedged: bool) -> None:
        """Throw the tab away (``wedged``: it stopped answering, so kill what it runs on)."""

    @abstractmethod
    async def _interactive(self, tab: TabT) -> InteractiveTab:
        """The tab as a journey drives it."""

    # -- the pool -------------------------------------------------------------------------

    def _pop_idle(self, session: SessionState | None) -> TabT | None:
        """The idle tab used last that holds ``session`` (matched by identity: a renewed
        session is another object), or None."""
        for index in range(len(self._idle) - 1, -1, -1):
            if self._idle[index].session is session:
                return self._idle.pop(index)
        return None

    async def _close_expired(self, session: SessionState) -> None:
        """Close the idle tabs holding an earlier session of the same service: it expired
        (a tab is matched to its session by identity, so no page would take them)."""
        expired = [
            tab
            for tab in self._idle
            if tab.session is not None
            and tab.session.service_id == session.service_id
            and tab.session.generation < session.generation
        ]
        for tab in expired:
            self._idle.remove(tab)
            await self._discard(tab, wedged=False)

    async def start(self) -> None:
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        await self._start_browser()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        await self._stop_browser(idle)

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        if self._slots is None:
            raise RuntimeError("the browser engine is not started: use `async with engine:`")
        async with self._slots:
            restart_page_clock()  # the page's time limit starts once it has its tab
            self.in_use += 1
            self.peak_in_use = max(self.peak_in_use, self.in_use)
            try:
                yield
            finally:
                self.in_use -= 1

    @asynccontextmanager
    async def open(
        self,
        url: str,
        *,
        wait_for_selector: str | None = None,
        session: SessionState | None = None,
    ) -> AsyncIterator[LoadedPage]:
        async with self._slot():
            self.pages_opened += 1
            tab: TabT | None = None
            healthy = False
            try:
                if session is not None:
                    await self._close_expired(session)
                for attempt in (0, 1):
                    tab = await self._take_tab(fresh=attempt > 0, session=session)
                    try:
                        loaded = await self._load(tab, url, wait_for_selector)
                        break
                    except TabLost:
                        if attempt:
                            raise
                        # The browser behind an idle tab died (killed, out of memory):
                        # replace it and load the address again, once.
                        await self._give_back(tab, False)
                        tab = None
                    except PageError:
                        # Refused addresses (a download, a TLS failure...) leave it usable.
                        healthy = self._usable_after_error(tab)
                        raise
                try:
                    yield loaded
                except PageError:
                    healthy = not loaded.broken
                    raise
                healthy = not loaded.broken
            finally:
                if tab is not None:
                    await self._give_back(tab, healthy)

    async def _give_back(self, tab: TabT, healthy: bool) -> None:
        tab.served += 1
        if healthy and tab.served < self.settings.recycle_context_every and await self._tidy(tab):
            self._idle.append(tab)
            # Tabs of several sessions (and none) take turns: keep memory flat, closing the
            # tab idle longest.
            while len(self._idle) > 2 * self.settings.concurrency:
                await self._discard(self._idle.pop(0), wedged=False)
            return
        await self._discard(tab, wedged=not healthy)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[InteractiveTab]:
        """A fresh tab for one journey attempt; thrown away afterwards (its cookies too)."""
        async with self._slot():
            tab = await self._take_tab(fresh=True, session=None)
            try:
                yield await self._interactive(tab)
            finally:
                await self._discard(tab, wedged=False)
