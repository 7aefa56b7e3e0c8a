"""What every part of the crawlers shares: a loaded page, the browser engine interface,
findings and page errors.

A *browser engine* opens a URL in a real browser and hands back a ``LoadedPage``; checks
(``crawlers.check``) turn a loaded page into ``FindingData``. New engines are added by one
module in ``crawlers.engines``, new checks by one module in ``crawlers.checks``.

Errors while loading a page are ``PageError`` with a ``kind`` slug; the run records them
as the page's result and goes on::

    PageError(kind=...)
      timeout · http-error · redirect-loop · crash · tls · dns · connection
      · navigation · too-large · download · unsupported
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from crawlers.browser_state import SessionState
    from monitor.settings import Settings

#: What a tab holds of a signed-in session: its cookies (as Playwright's storage state
#: lists them) and, per origin, its local storage.
StorageState = tuple[list[dict[str, Any]], dict[str, dict[str, str]]]


#: Every link of the rendered page, as absolute addresses (an SVG link's ``href`` is an
#: animated string: its base value is resolved against the document).
LINKS = """() => Array.from(document.querySelectorAll('a[href], area[href]'), (a) =>
  typeof a.href === 'string' ? a.href : new URL(a.href.baseVal, document.baseURI).href)"""
#: The rendered HTML as ``page.content()`` gives it: doctype, then the document.
CONTENT = """() => (document.doctype ? new XMLSerializer().serializeToString(document.doctype)
  : '') + (document.documentElement ? document.documentElement.outerHTML : '')"""


#: Pages whose HTML is bigger than this are refused (``PageError('too-large')``): axe on a
#: DOM that size takes minutes and the page is not a resident-facing web page anyway.
MAX_PAGE_BYTES = 8 * 1024 * 1024


_page_limit: ContextVar[tuple[asyncio.Timeout, float] | None] = ContextVar(
    "page_limit", default=None
)


@asynccontextmanager
async def page_time_limit(seconds: float) -> AsyncIterator[None]:
    """Bound the audit of one page to ``seconds``; ``TimeoutError`` past it.

    The clock starts at once and starts again when an engine lends the page a browser tab
    (``restart_page_clock``): waiting for a free tab is the pool's time, not the page's.
    """
    async with asyncio.timeout(None) as limit:
        token = _page_limit.set((limit, seconds))
        try:
            restart_page_clock()
            yield
        finally:
            _page_limit.reset(token)


def restart_page_clock() -> None:
    """Give the page being audited (if any) its whole time limit from now."""
    current = _page_limit.get()
    if current is not None:
        limit, seconds = current
        limit.reschedule(asyncio.get_running_loop().time() + seconds)


def document_of(address: str) -> str:
    """An address without its fragment: moving to a fragment keeps the same document."""
    return address.partition("#")[0]


class PageError(Exception):
    """A page could not be loaded or audited; ``kind`` says what went wrong."""

    def __init__(self, kind: str, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.http_status = http_status


@dataclass
class FindingData:
    """One defect seen by one check on one page (before it is stored)."""

    check: str
    rule: str
    message: str
    wcag: tuple[str, ...] = ()
    impact: str | None = None  # minor | moderate | serious | critical
    selector: str = ""
    snippet: str = ""
    help_url: str | None = None
    outcome: str = "violation"  # violation | needs_review
    region: str | None = None  # shared page furniture the element sits in, if any
    key: str = ""  # extra identity, e.g. the target of a broken link
    journey_id: str | None = None
    journey_step: int | None = None

    def fingerprint(self, service_id: str) -> str:
        """Stable identity of the defect within a service, across pages and runs.

        Ids, numbers and query strings that change between requests are normalised away,
        so the same defect on the same template is one issue however many pages show it.
        """
        parts = [
            service_id,
            self.check,
            self.rule,
            self.outcome,
            normalise_selector(self.selector),
            normalise_snippet(self.snippet),
            self.key,
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


_VOLATILE_TOKEN = re.compile(r"[0-9a-f]{6,}|\d+", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("[^"]*"|\'[^\']*\'|[^\s>]+)')
_KEPT_ATTRIBUTES = {"class", "role", "type", "aria-hidden", "tabindex", "lang"}


def normalise_selector(selector: str) -> str:
    """Drop numbers and hex runs that frameworks put in ids (``#field-8f3a21`` → ``#field-#``)."""
    return _VOLATILE_TOKEN.sub("#", selector.strip())


def normalise_snippet(snippet: str) -> str:
    """Keep the element's shape (tag, classes, role, type), not its per-request values."""
    match = re.match(r"\s*<\s*([a-zA-Z0-9-]+)", snippet)
    if not match:
        return ""
    kept = sorted(
        f"{name.lower()}={_VOLATILE_TOKEN.sub('#', value.strip(chr(34) + chr(39)))}"
        for name, value in _ATTRIBUTE.findall(snippet.split(">", 1)[0])
        if name.lower() in _KEPT_ATTRIBUTES
    )
    return " ".join([match.group(1).lower(), *kept])


class LoadedPage(ABC):
    """A page loaded in a real browser, whatever the engine."""

    requested_url: str
    url: str  # final URL after redirects
    status: int | None
    content_type: str | None
    title: str
    load_ms: int
    console_errors: list[str]
    #: Set when the page stopped responding (a hung script, a crash): nothing more is
    #: asked of it, and its tab is not reused.
    broken: bool = False

    @abstractmethod
    async def evaluate(self, script: str, arg: Any = None) -> Any:
        """Run a JavaScript function body ``(arg) => ...`` and return its JSON result."""

    @abstractmethod
    async def run_axe_passes(
        self, passes: list[tuple[Any, dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        """Run the injected axe-core once per ``(context, options)`` pass, in one call into
        the page; each result holds ``violations`` and ``incomplete`` (axe's own shape, cut
        to what findings are made of) and ``testEngine``."""

    async def run_axe(self, options: dict[str, Any], context: Any = None) -> dict[str, Any]:
        """Run the injected axe-core once (see ``run_axe_passes``)."""
        (results,) = await self.run_axe_passes([(context, options)])
        return results

    @abstractmethod
    async def screenshot(self, selector: str) -> bytes | None:
        """PNG of the first element matching ``selector``, or None if there is none."""

    @abstractmethod
    async def content(self) -> str:
        """The rendered HTML."""

    async def served(self) -> tuple[str, int, bytes] | None:
        """The HTML as the server sent it: ``(final address, HTTP status, body)``, or None
        when the engine cannot hand over its response (the monitor then asks the server)."""
        return None

    async def links(self) -> list[str]:
        """Absolute addresses of every link on the page."""
        found = await self.evaluate(LINKS)
        return [str(u) for u in found or []]

    # Interaction, for checks that change the page (keyboard, reflow). Engines override
    # these; a check that gets NotImplementedError skips what needs them.

    async def press(self, key: str) -> None:
        """Press a key (``"Tab"``, ``"Shift+Tab"``, ``"Escape"``) on the focused element."""
        raise NotImplementedError

    async def press_many(self, key: str, times: int) -> None:
        """Press ``key`` ``times`` times in a row. Engines that can send the presses without
        waiting for each in turn override this (the page handles them one by one, in order,
        just the same)."""
        for _ in range(times):
            await self.press(key)

    async def viewport(self) -> tuple[int, int]:
        """The viewport's ``(width, height)`` in CSS pixels."""
        size = await self.evaluate("() => [window.innerWidth, window.innerHeight]")
        return int(size[0]), int(size[1])

    async def set_viewport(self, width: int, height: int) -> None:
        """Resize the viewport to ``width`` × ``height`` CSS pixels (checks restore it)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Find:
    """How a journey finds an element, as residents and assistive technology do: by role
    and accessible name, by label, or by text; CSS only as a fallback. Names and labels
    match as substrings, ignoring case, unless ``exact``."""

    role: str | None = None
    name: str | None = None
    label: str | None = None
    text: str | None = None
    css: str | None = None
    exact: bool = False


@dataclass(frozen=True)
class Expected:
    """What a journey step expects to see: an address matching ``url`` (a regular
    expression, searched), a title containing ``title``, ``text`` visible, ``element``
    visible."""

    url: str | None = None
    title: str | None = None
    text: str | None = None
    element: Find | None = None


class ElementMissing(Exception):
    """The element a journey step acts on did not appear in time."""


class ExpectationUnmet(Exception):
    """What a journey step expected to see did not show in time."""


class TabFailure(Exception):
    """The browser refused what a journey step asked (an address that could not be
    loaded, an element that went away); a dead tab is told apart by ``alive()``."""


class InteractiveTab(ABC):
    """A browser tab a journey drives step by step; cookies last as long as the tab.

    Every wait is bounded by the ``seconds`` given; running out raises ``TimeoutError``
    (``ElementMissing`` when the element never appeared). After each action the tab
    knows the answer to the last navigation it caused (``document_status``,
    ``document_method``, ``document_url``), or None when the action navigated nowhere.
    """

    console: list[str]
    document_status: int | None = None
    document_method: str = "GET"
    document_url: str | None = None

    def forget_document(self) -> None:
        """Before a step: no navigation seen yet."""
        self.document_status, self.document_method, self.document_url = None, "GET", None

    @property
    @abstractmethod
    def url(self) -> str:
        """The address of the document the tab shows."""

    @abstractmethod
    async def title(self) -> str: ...

    @abstractmethod
    async def goto(self, url: str, seconds: float) -> None: ...

    @abstractmethod
    async def click(self, target: Find, seconds: float) -> None:
        """Click the element and wait for the page it leads to (if any) to load."""

    @abstractmethod
    async def fill(self, target: Find, value: str, seconds: float) -> None: ...

    @abstractmethod
    async def select(self, target: Find, value: str, seconds: float) -> None:
        """Choose the option with this label (or value) in a select."""

    @abstractmethod
    async def check(self, target: Find, seconds: float) -> None:
        """Tick a checkbox or choose a radio button."""

    @abstractmethod
    async def press(self, key: str, target: Find | None, seconds: float) -> None:
        """Press a key on the element (or on whatever has focus); wait for any load."""

    @abstractmethod
    async def wait_for(self, target: Find, seconds: float) -> None:
        """Wait until the element is visible (``TimeoutError`` if it never is)."""

    @abstractmethod
    async def expect(self, wanted: Expected, seconds: float) -> None:
        """Wait until all of ``wanted`` is true; ``ExpectationUnmet`` if it is not in time."""

    @abstractmethod
    async def evaluate(self, script: str, arg: Any = None) -> Any:
        """Run a JavaScript function body ``(arg) => ...`` and return its JSON result."""

    @abstractmethod
    async def alive(self) -> bool:
        """Whether the tab still answers (a crashed tab is the monitor's, not the
        service's, failure)."""

    @abstractmethod
    async def screenshot(self) -> bytes:
        """PNG of what the tab shows."""

    @abstractmethod
    async def page(self) -> LoadedPage:
        """The document the tab shows now, for the page pipeline (valid until the next
        step)."""

    @abstractmethod
    async def storage_state(self) -> StorageState:
        """The tab's cookies (every one the browser holds, where the engine can read them
        all; else those of the document it shows) and the local storage of the origins it
        can read: what a sign-in left, for the crawl to carry."""

    async def start_trace(self) -> bool:
        """Start recording a trace of the steps, where the engine can; False if not."""
        return False

    async def stop_trace(self, path: Path | None) -> bool:
        """Stop recording; keep the trace at ``path`` (None: throw it away)."""
        return False


class BrowserEngine(ABC):
    """Opens URLs in a real browser; one engine serves many pages in parallel."""

    name: ClassVar[str]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abstractmethod
    async def start(self) -> None:
        """Launch the browser (or connect to a Selenium Grid)."""

    @abstractmethod
    async def close(self) -> None:
        """Close everything the engine started."""

    @abstractmethod
    def open(
        self,
        url: str,
        *,
        wait_for_selector: str | None = None,
        session: SessionState | None = None,
    ) -> AbstractAsyncContextManager[LoadedPage]:
        """Load ``url`` and yield the page; raise ``PageError`` if it cannot be loaded.

        Without ``session`` the page is seen as on a first visit (no cookies); with one, in
        a tab that holds that signed-in session's cookies and storage."""

    @abstractmethod
    def session(self) -> AbstractAsyncContextManager[InteractiveTab]:
        """A fresh tab for one journey attempt, thrown away afterwards (cookies too)."""

    async def __aenter__(self) -> BrowserEngine:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
