"""The browser engines behind one interface: Playwright (default) and Selenium.

``make_engine(settings)`` picks the engine named by ``settings.engine``. Both engines load
a page the same way (load event, then network idle bounded by
``settings.network_idle_seconds``, then an optional selector), inject the same axe-core
file, and turn every way a page can fail into a ``PageError`` with the same ``kind``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from crawlers.base import BrowserEngine, LoadedPage, PageError

if TYPE_CHECKING:
    from monitor.settings import Settings

ENGINE_NAMES = ("playwright", "selenium")

#: Pages whose HTML is bigger than this are refused (``PageError('too-large')``): axe on a
#: DOM that size takes minutes and the page is not a resident-facing web page anyway.
MAX_PAGE_BYTES = 8 * 1024 * 1024

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


def make_engine(settings: Settings, name: str | None = None) -> BrowserEngine:
    """The browser engine named ``name`` (default: ``settings.engine``), not yet started."""
    chosen = name or settings.engine
    if chosen == "playwright":
        from crawlers.engines.playwright_engine import PlaywrightEngine

        return PlaywrightEngine(settings)
    if chosen == "selenium":
        from crawlers.engines.selenium_engine import SeleniumEngine

        return SeleniumEngine(settings)
    raise ValueError(
        f"unknown browser engine {chosen!r}: expected one of {', '.join(ENGINE_NAMES)}"
    )


class BrowserUnavailable(RuntimeError):
    """The browser could not be started: no web page can be audited, so the run fails."""


class StartedOnDemand(BrowserEngine):
    """An engine that starts the one it wraps when the first page needs a browser.

    A nightly run whose pages are all revalidated over HTTP then never launches Chromium.
    If the browser cannot be started, every page asking for it gets ``BrowserUnavailable``.
    """

    name: ClassVar[str] = "on-demand"

    def __init__(self, engine: BrowserEngine) -> None:
        super().__init__(engine.settings)
        self.engine = engine
        self.started = False
        self._failure: BrowserUnavailable | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Nothing yet: the wrapped engine starts with the first page."""

    async def close(self) -> None:
        if self.started:
            await self.engine.close()

    async def _ensure_started(self) -> None:
        async with self._lock:
            if self._failure is not None:
                raise self._failure
            if not self.started:
                try:
                    await self.engine.start()
                except Exception as exc:
                    self._failure = BrowserUnavailable(str(exc))
                    await self.engine.close()
                    raise self._failure from exc
                self.started = True

    @asynccontextmanager
    async def open(
        self, url: str, *, wait_for_selector: str | None = None
    ) -> AsyncIterator[LoadedPage]:
        await self._ensure_started()
        async with self.engine.open(url, wait_for_selector=wait_for_selector) as page:
            yield page
