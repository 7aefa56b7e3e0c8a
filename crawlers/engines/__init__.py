"""The browser engines behind one interface: Playwright (default) and Selenium.

``make_engine(settings)`` picks the engine named by ``settings.engine``. Both engines load
a page the same way (load event, then network idle bounded by
``settings.network_idle_seconds``, then an optional selector), inject the same axe-core
file, and turn every way a page can fail into a ``PageError`` with the same ``kind``. The
pool of tabs, its limits and recycling are theirs in common (``base.TabPool``); each engine
module implements taking, loading and discarding a tab, and driving one for a journey.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, ClassVar

from crawlers.base import BrowserEngine, InteractiveTab, LoadedPage
from crawlers.engines.base import BrowserUnavailable as BrowserUnavailable

if TYPE_CHECKING:
    from crawlers.browser_state import SessionState
    from monitor.settings import Settings

ENGINE_NAMES = ("playwright", "selenium")


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
        self,
        url: str,
        *,
        wait_for_selector: str | None = None,
        session: SessionState | None = None,
    ) -> AsyncIterator[LoadedPage]:
        await self._ensure_started()
        async with self.engine.open(
            url, wait_for_selector=wait_for_selector, session=session
        ) as page:
            yield page

    @asynccontextmanager
    async def session(self) -> AsyncIterator[InteractiveTab]:
        await self._ensure_started()
        async with self.engine.session() as tab:
            yield tab
