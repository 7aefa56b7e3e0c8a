"""The default browser engine: one headless Chromium driven by Playwright's async API.

One Chromium serves a pool of at most ``settings.concurrency`` tabs. Each tab is a page in
its own browser context and is kept warm between addresses (navigating a warm page is
several times faster than opening a new context); the context is replaced every
``settings.recycle_context_every`` pages so memory stays flat, and at once after anything
goes wrong with it (a crash, a hung script, a page that never loaded). axe-core is injected
as a context init script, so every document and frame has it before its own scripts run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from playwright.async_api import (
    Browser,
    BrowserContext,
    CDPSession,
    Dialog,
    Locator,
    Page,
    Playwright,
    Response,
    ViewportSize,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from playwright.async_api import expect as pw_expect

from crawlers.axe_source import audit_script
from crawlers.base import (
    CONTENT,
    ElementMissing,
    ExpectationUnmet,
    Expected,
    Find,
    InteractiveTab,
    LoadedPage,
    PageError,
    StorageState,
    TabFailure,
    document_of,
)
from crawlers.engines.base import (
    AXE_PASSES,
    LOAD_GRACE_SECONDS,
    PAGE_FACTS,
    QUIET_SECONDS,
    RESPONSIVE_SECONDS,
    TabPool,
    page_error_from,
    require_browser,
)
from monitor.settings import Settings

if TYPE_CHECKING:
    from crawlers.browser_state import SessionState

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The window every page is audited in (the Selenium engine opens the same size).
VIEWPORT: ViewportSize = {"width": 1280, "height": 720}

#: Most time readying a tab may take (new context, page, cookies) before Chromium is
#: judged wedged and started again.
TAB_SETUP_SECONDS = 30.0
#: Most time closing one page may take before its whole context is thrown away.
CLOSE_SECONDS = 10.0

#: The DevTools key events of one press, for keys pressed in bursts (as Playwright's
#: keyboard sends them: Tab has no text, so its down event is a raw one).
_TAB = {"key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9}
_SHIFT = {"key": "Shift", "code": "ShiftLeft", "windowsVirtualKeyCode": 16}
_KEY_EVENTS: dict[str, list[dict[str, Any]]] = {
    "Tab": [{"type": "rawKeyDown", **_TAB}, {"type": "keyUp", **_TAB}],
    "Shift+Tab": [
        {"type": "rawKeyDown", "modifiers": 8, **_SHIFT},
        {"type": "rawKeyDown", "modifiers": 8, **_TAB},
        {"type": "keyUp", "modifiers": 8, **_TAB},
        {"type": "keyUp", "modifiers": 0, **_SHIFT},
    ],
}

_NAVIGATED = ("Execution context was destroyed", "Cannot find context", "navigated")
_CUT_OFF = ("is interrupted by another navigation", "net::ERR_ABORTED")


@dataclass
class _Tab:
    """One slot of the pool: a browser context and its warm page."""

    context: BrowserContext
    generation: int  # which Chromium launch it belongs to
    page: Page | None = None
    served: int = 0
    crashed: bool = False
    current: PlaywrightPage | None = None  # the loaded page events are recorded on
    in_flight: int = 0  # requests of the page still waiting for an answer
    last_activity: float = 0.0  # when a request last started or ended (monotonic)
    # Where the page's document was when its last visit ended well. A warm page whose
    # document has moved on since (or whose visit failed) may still run scripts that
    # navigate: they could cut off or outrun the next address, so it is replaced first.
    settled: str | None = None
    # A DevTools session on ``page`` for bursts of key presses (``press_many``).
    devtools: CDPSession | None = None
    devtools_page: Page | None = None
    #: The signed-in session its context was made with (None: cookies cleared each time).
    session: SessionState | None = None

    def network_changed(self, delta: int) -> None:
        self.in_flight = max(0, self.in_flight + delta)
        self.last_activity = time.monotonic()


class PlaywrightPage(LoadedPage):
    """A page loaded in a Playwright tab; valid only inside ``engine.open(...)``."""

    def __init__(self, engine: PlaywrightEngine, tab: _Tab, page: Page, url: str) -> None:
        self._engine = engine
        self._tab = tab
        self.page = page  # the Playwright page, for journeys and tests
        self.requested_url = url
        self.url = url
        self.status = None
        self.content_type = None
        self.title = ""
        self.load_ms = 0
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []  # JavaScript dialogs that were dismissed
        self.fully_loaded = True  # False when only DOMContentLoaded happened in time
        self.broken = False  # set when the tab must be thrown away afterwards
        self.response: Response | None = None  # the answer to the navigation

    async def _call(
        self, make: Callable[[], Awaitable[T]], what: str, seconds: float | None = None
    ) -> T:
        """One browser call with a time limit; hangs, crashes and errors become ``PageError``.

        A page that navigates away by itself is followed once: the call is repeated on the
        document it ends up on, which is what gets audited.
        """
        limit = seconds if seconds is not None else self._engine.settings.page_timeout_seconds
        for attempt in (0, 1):
            try:
                return await asyncio.wait_for(make(), limit)
            except (TimeoutError, PlaywrightTimeoutError) as exc:
                self.broken = True
                raise PageError(
                    "timeout",
                    f"the page stopped responding while {what} (a script that never ends, or "
                    f"a page too large to lay out in time): {self.url}",
                    http_status=self.status,
                ) from exc
            except PlaywrightError as exc:
                text = str(exc)
                if self._tab.crashed or "crash" in text.lower():
                    self.broken = True
                    raise PageError(
                        "crash", f"the browser tab crashed while {what}: {self.url}"
                    ) from exc
                if attempt == 0 and any(s in text for s in _NAVIGATED):
                    with suppress(PlaywrightError):
                        await self.page.wait_for_load_state("load", timeout=limit * 1000)
                    self.url = self.page.url
                    continue
                raise PageError(
                    "script",
                    f"the browser failed while {what}: {text.strip().splitlines()[0][:300]}",
                    http_status=self.status,
                ) from exc
        raise AssertionError("unreachable")

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        return await self._call(lambda: self.page.evaluate(script, arg), "running a script")

    async def run_axe_passes(
        self, passes: list[tuple[Any, dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        async def run() -> list[dict[str, Any]]:
            result: str | None = await self.page.evaluate(AXE_PASSES, passes)
            if result is None:
                await self._engine._inject_axe(self.page)
                result = await self.page.evaluate(AXE_PASSES, passes)
            if result is None:
                raise PageError("script", f"axe-core could not be injected into {self.url}")
            found: list[dict[str, Any]] = json.loads(result)
            return found

        result = await self._call(run, "running axe")
        self.url = self.page.url
        return result

    async def screenshot(self, selector: str) -> bytes | None:
        handle = await self._call(lambda: self.page.query_selector(selector), "finding an element")
        if handle is None or not await self._call(handle.is_visible, "finding an element"):
            return None
        try:
            shot: bytes = await handle.screenshot(type="png", timeout=RESPONSIVE_SECONDS * 1000)
        except PlaywrightError:
            return None  # the element went away or never settled
        return shot

    async def content(self) -> str:
        # What ``page.content()`` returns, read in the page's own world: Playwright's
        # method first sets up a utility world in every new document, which cost more
        # than the shared-furniture saving on a 45 KB page.
        html: str = await self._call(lambda: self.page.evaluate(CONTENT), "reading the HTML")
        return html

    async def served(self) -> tuple[str, int, bytes] | None:
        response = self.response
        if response is None:
            return None
        try:
            body = await self._call(response.body, "reading the HTML as served")
        except PageError:
            return None  # gone with a later navigation: the monitor asks the server
        return response.url, response.status, body

    async def press(self, key: str) -> None:
        await self._call(lambda: self.page.keyboard.press(key), f"pressing {key}")

    async def press_many(self, key: str, times: int) -> None:
        events = _KEY_EVENTS.get(key)
        if events is None or times < 2:
            await super().press_many(key, times)
            return

        async def burst() -> None:
            # Straight to the DevTools protocol, every event sent before the first is
            # answered: Chromium still handles them one after another, in order, but the
            # walk no longer waits a round trip for each (a tenth of the time on a page of
            # 80 stops). Playwright's keyboard sends and awaits one event at a time.
            tab = self._tab
            if tab.devtools is None or tab.devtools_page is not self.page:
                tab.devtools = await self.page.context.new_cdp_session(self.page)
                tab.devtools_page = self.page
            session = tab.devtools
            await asyncio.gather(
                *(
                    session.send("Input.dispatchKeyEvent", event)
                    for _ in range(times)
                    for event in events
                )
            )

        await self._call(burst, f"pressing {key}")

    async def viewport(self) -> tuple[int, int]:
        size = self.page.viewport_size
        if size is None:
            return await super().viewport()
        return size["width"], size["height"]

    async def set_viewport(self, width: int, height: int) -> None:
        await self._call(
            lambda: self.page.set_viewport_size({"width": width, "height": height}),
            "resizing the viewport",
        )


class PlaywrightEngine(TabPool[_Tab]):
    """A pool of warm Chromium tabs, at most ``settings.concurrency`` in use at once."""

    name: ClassVar[str] = "playwright"
    #: "init-script" (context.add_init_script, measured fastest) or "evaluate" after load.
    axe_injection: Literal["init-script", "evaluate"] = "init-script"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._generation = 0
        self._launch_lock: asyncio.Lock | None = None
        self.browser_launches = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def _start_browser(self) -> None:
        require_browser(self.settings)
        self._launch_lock = asyncio.Lock()
        self._playwright = await async_playwright().start()
        await self._launch()

    async def _launch(self) -> None:
        assert self._playwright is not None
        try:
            self._browser = await self._playwright.chromium.launch(
                executable_path=str(self.settings.chromium_path),
                headless=True,
                args=self.settings.browser_flags,
                timeout=60_000,
            )
        except PlaywrightError as exc:
            raise RuntimeError(
                f"Chromium at {self.settings.chromium_path} could not be started: "
                f"{str(exc).splitlines()[0]}"
            ) from exc
        self._generation += 1
        self.browser_launches += 1
        self._idle.clear()

    async def _stop_browser(self, idle: list[_Tab]) -> None:
        for tab in idle:
            with suppress(Exception):
                await asyncio.wait_for(tab.context.close(), CLOSE_SECONDS)
        if self._browser is not None:
            with suppress(Exception):
                await asyncio.wait_for(self._browser.close(), 20)
            self._browser = None
        if self._playwright is not None:
            with suppress(Exception):
                await asyncio.wait_for(self._playwright.stop(), 20)
            self._playwright = None

    # -- the pool --------------------------------------------------------------------------

    async def _ensure_browser(self) -> None:
        assert self._launch_lock is not None
        async with self._launch_lock:
            if self._browser is None or not self._browser.is_connected():
                log.warning("Chromium is gone; starting it again")
                if self._browser is not None:
                    with suppress(Exception):
                        await asyncio.wait_for(self._browser.close(), CLOSE_SECONDS)
                await self._launch()

    async def _new_tab(self, session: SessionState | None = None) -> _Tab:
        await self._ensure_browser()
        assert self._browser is not None
        context = await self._browser.new_context(
            user_agent=self.settings.user_agent,
            viewport=VIEWPORT,
            accept_downloads=False,
            service_workers="block",
            # A signed-in session: its cookies and local storage, before the first page.
            storage_state=session.playwright_state() if session is not None else None,  # type: ignore[arg-type]
        )
        if self.axe_injection == "init-script":
            await context.add_init_script(script=audit_script(self.settings.axe_speedups))
        self.contexts_created += 1
        return _Tab(context=context, generation=self._generation, session=session)

    async def _inject_axe(self, page: Page) -> None:
        """Put axe-core into every frame of a page that has no init script."""
        for frame in page.frames:
            with suppress(PlaywrightError):
                await frame.evaluate(audit_script(self.settings.axe_speedups))

    async def _from_idle(self, session: SessionState | None) -> _Tab:
        while (tab := self._pop_idle(session)) is not None:
            if tab.generation != self._generation or not self._browser_ok():
                continue
            page = tab.page
            if page is not None and not page.is_closed() and document_of(page.url) != tab.settled:
                # Its document moved on by itself: its scripts could cut off or outrun the
                # next address, and such a page may not even close. The context goes.
                await self._discard(tab)
                continue
            return tab
        return await self._new_tab(session)

    def _browser_ok(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    def _usable_after_error(self, tab: _Tab) -> bool:
        return tab.current is not None and not tab.current.broken

    async def _tidy(self, tab: _Tab) -> bool:
        tab.current = None
        if tab.crashed:
            return False
        # Pop-ups that slipped past the handler would otherwise pile up in the context.
        for extra in tab.context.pages:
            if extra is not tab.page:
                with suppress(PlaywrightError, TimeoutError):
                    await asyncio.wait_for(extra.close(), CLOSE_SECONDS)
        return True

    async def _discard(self, tab: _Tab, *, wedged: bool = False) -> None:
        if tab.generation != self._generation:
            return  # its Chromium has already been replaced
        try:
            await asyncio.wait_for(tab.context.close(), CLOSE_SECONDS)
        except (TimeoutError, PlaywrightError):
            # A context that cannot even be closed means a wedged browser: start afresh.
            await self._restart_browser(tab.generation)

    @staticmethod
    async def _network_quiet(tab: _Tab, until: float) -> None:
        """Wait for no request in flight for ``QUIET_SECONDS`` (single-page apps fetching).

        Like Playwright's "networkidle" with a shorter quiet window: its fixed 500 ms cost
        more than the audit itself on an ordinary page. A page with nothing in flight when
        it finished loading, and nothing started in the ``LOAD_GRACE_SECONDS`` after, is
        done at once: scripts that fetch content start their requests before the load
        event or straight after it, and an ordinary page should not pay for them.
        """
        loaded_at = time.monotonic()
        idle_at_load = tab.in_flight == 0
        while time.monotonic() < until:
            now = time.monotonic()
            if tab.in_flight == 0:
                untouched = idle_at_load and tab.last_activity <= loaded_at
                if untouched and now - loaded_at >= LOAD_GRACE_SECONDS:
                    return
                if now - tab.last_activity >= QUIET_SECONDS:
                    return
            await asyncio.sleep(0.01)

    async def _renew(self, tab: _Tab) -> Page:
        """Give the tab a new context and page: a page whose scripts keep navigating may
        not close, and its scripts would go on using the processor."""
        await self._discard(tab)
        fresh = await self._new_tab(tab.session)
        tab.context, tab.generation, tab.page = fresh.context, fresh.generation, None
        tab.served, tab.crashed = 0, False
        return await asyncio.wait_for(self._page_for(tab), TAB_SETUP_SECONDS)

    async def _page_for(self, tab: _Tab) -> Page:
        if tab.page is not None and not tab.page.is_closed():
            return tab.page
        page = await tab.context.new_page()
        tab.settled = document_of(page.url)  # a new page is blank: nothing runs there

        def on_crash(_: Page) -> None:
            tab.crashed = True

        def on_console(message: Any) -> None:
            if message.type == "error" and tab.current is not None:
                tab.current.console_errors.append(message.text[:500])

        def on_page_error(error: Any) -> None:
            if tab.current is not None:
                tab.current.console_errors.append(str(error)[:500])

        async def on_dialog(dialog: Dialog) -> None:
            if tab.current is not None and dialog.type != "beforeunload":  # the last page's
                tab.current.dialogs.append(f"{dialog.type}: {dialog.message[:200]}")
            with suppress(PlaywrightError):
                # Leaving must win over "are you sure?"; everything else is dismissed.
                if dialog.type == "beforeunload":
                    await dialog.accept()
                else:
                    await dialog.dismiss()

        async def on_popup(popup: Page) -> None:
            with suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(popup.close(), CLOSE_SECONDS)

        page.on("crash", on_crash)
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("dialog", on_dialog)
        page.on("popup", on_popup)
        page.on("request", lambda _: tab.network_changed(+1))
        page.on("requestfinished", lambda _: tab.network_changed(-1))
        page.on("requestfailed", lambda _: tab.network_changed(-1))
        tab.page = page
        return page

    async def _take_tab(self, *, fresh: bool, session: SessionState | None = None) -> _Tab:
        """A tab with a warm page (a new one if ``fresh``) and the standard viewport: one
        holding ``session``, or with fresh cookies when there is none. If Chromium died
        since the tab was last used, it is started again once.
        """
        for attempt in (0, 1):
            generation = self._generation
            try:
                # Bounded: a wedged Chromium must not hold the run (and its slot) for ever.
                return await asyncio.wait_for(self._prepare_tab(fresh, session), TAB_SETUP_SECONDS)
            except (PlaywrightError, TimeoutError) as exc:
                if attempt:
                    reason = str(exc) or f"no answer within {TAB_SETUP_SECONDS:g} s"
                    raise PageError(
                        "crash", f"Chromium stopped working and could not be restarted: {reason}"
                    ) from exc
                await self._restart_browser(generation)
        raise AssertionError("unreachable")

    async def _prepare_tab(self, fresh: bool, session: SessionState | None) -> _Tab:
        tab = await (self._new_tab(session) if fresh else self._from_idle(session))
        page = await self._page_for(tab)
        if page.viewport_size != VIEWPORT:  # a check narrowed it, did not restore it
            await page.set_viewport_size(VIEWPORT)
        if tab.session is None:
            await tab.context.clear_cookies()  # every public address is a first visit
        return tab

    async def _restart_browser(self, generation: int) -> None:
        """Start Chromium again, unless another tab already did since ``generation``."""
        assert self._launch_lock is not None
        async with self._launch_lock:
            if self._generation != generation:
                return
            log.warning("Chromium stopped working; starting it again")
            if self._browser is not None:
                with suppress(Exception):
                    await asyncio.wait_for(self._browser.close(), CLOSE_SECONDS)
            self._browser = None
            await self._launch()

    async def _interactive(self, tab: _Tab) -> InteractiveTab:
        assert tab.page is not None
        return PlaywrightTab(self, tab, tab.page)

    async def _load(self, tab: _Tab, url: str, wait_for_selector: str | None) -> PlaywrightPage:
        assert tab.page is not None
        page = tab.page
        loaded = PlaywrightPage(self, tab, page, url)
        tab.current = loaded
        timeout = self.settings.page_timeout_seconds
        started = time.monotonic()
        deadline = started + timeout

        def left_ms() -> float:
            return max(1.0, (deadline - time.monotonic()) * 1000)

        if "#" in url and document_of(page.url) == document_of(url):
            # Only the fragment differs (an app's hash route): the browser would move within
            # the document it shows, whatever the last audit left there, not load it afresh.
            try:
                await page.goto("about:blank", timeout=left_ms())
            except PlaywrightError:
                page = loaded.page = await self._renew(tab)
        tab.settled = None
        tab.network_changed(-tab.in_flight)  # what the last page left unfinished is gone
        for attempt in (0, 1):
            try:
                response = await page.goto(url, wait_until="commit", timeout=left_ms())
                committed = document_of(page.url)
                break
            except PlaywrightError as exc:
                if attempt == 0 and any(s in str(exc) for s in _CUT_OFF):
                    # The last document's scripts still run in a warm tab, and a navigation
                    # of theirs cut this one off: they die with their context; go again.
                    page = loaded.page = await self._renew(tab)
                    continue
                error = page_error_from(exc, url)
                loaded.broken = (
                    error.kind in ("timeout", "crash") or tab.crashed or not self._browser_ok()
                )
                # Chromium still shows its error page; the next address gets a fresh page.
                # Playwright's close has no time limit of its own, and can hang after an
                # interrupted navigation: then the whole context goes.
                try:
                    await asyncio.wait_for(page.close(), CLOSE_SECONDS)
                except (PlaywrightError, TimeoutError):
                    loaded.broken = True
                if tab.crashed:
                    error = PageError("crash", f"the browser tab crashed loading {url}")
                raise error from exc
        loaded.response = response
        if response is not None:
            loaded.status = response.status
            loaded.content_type = response.headers.get("content-type")
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > self.max_page_bytes:
                loaded.broken = True  # stop the transfer by throwing the tab away
                raise PageError(
                    "too-large",
                    f"the page is {int(length) / 1e6:.1f} MB, over the "
                    f"{self.max_page_bytes / 1e6:.0f} MB limit: {url}",
                    http_status=response.status,
                )
        try:
            await page.wait_for_load_state("domcontentloaded", timeout=left_ms())
        except PlaywrightError as exc:
            loaded.broken = True
            kind = "crash" if tab.crashed else "timeout"
            raise PageError(
                kind,
                f"the page did not load within {timeout:g} s: {url}"
                if kind == "timeout"
                else f"the browser tab crashed loading {url}",
                http_status=loaded.status,
            ) from exc
        try:
            await page.wait_for_load_state("load", timeout=left_ms())
        except PlaywrightError:
            loaded.fully_loaded = False  # DOMContentLoaded happened: audit what is there
        if loaded.fully_loaded and self.settings.network_idle_seconds > 0:
            await self._network_quiet(
                tab, min(deadline, time.monotonic() + self.settings.network_idle_seconds)
            )
        if wait_for_selector:
            try:
                await page.wait_for_selector(wait_for_selector, timeout=left_ms())
            except PlaywrightTimeoutError as exc:
                raise PageError(
                    "timeout",
                    f"{wait_for_selector!r} did not appear within {timeout:g} s: {url}",
                    http_status=loaded.status,
                ) from exc
        facts = await loaded._call(
            lambda: page.evaluate(PAGE_FACTS), "reading the page", RESPONSIVE_SECONDS
        )
        # A document that moved on by itself while it loaded may keep doing so.
        tab.settled = committed if document_of(page.url) == committed else None
        loaded.url = facts["url"]
        loaded.title = facts["title"]
        loaded.content_type = facts["contentType"] or loaded.content_type
        loaded.status = facts["status"] or loaded.status
        loaded.load_ms = facts["loadMs"] or int((time.monotonic() - started) * 1000)
        if facts["bodyBytes"] > self.max_page_bytes:
            loaded.broken = True
            raise PageError(
                "too-large",
                f"the page is {facts['bodyBytes'] / 1e6:.1f} MB, over the "
                f"{self.max_page_bytes / 1e6:.0f} MB limit: {url}",
                http_status=loaded.status,
            )
        return loaded


# -- a tab a journey drives ------------------------------------------------------------


def locate(page: Page, target: Find) -> Locator:
    """Find an element as residents and assistive technology do; CSS only as a fallback."""
    primary: Locator | None = None
    if target.role:
        primary = page.get_by_role(
            target.role,  # type: ignore[arg-type]
            name=target.name,
            exact=target.exact,
        )
    elif target.label:
        primary = page.get_by_label(target.label, exact=target.exact)
    elif target.text:
        primary = page.get_by_text(target.text, exact=target.exact)
    if target.css:
        fallback = page.locator(target.css)
        primary = fallback if primary is None else primary.or_(fallback)
    assert primary is not None  # the config requires one way to find the element
    return primary.first


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


class PlaywrightTab(InteractiveTab):
    """A Playwright tab a journey drives: Playwright's own locators and expectations."""

    def __init__(self, engine: PlaywrightEngine, tab: _Tab, page: Page) -> None:
        self._engine = engine
        self._tab = tab
        self._page = page
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"Uncaught: {error}"[:500]))
        page.on("response", self._on_response)

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console.append(str(message.text)[:500])

    def _on_response(self, response: Response) -> None:
        try:
            request = response.request
            if request.is_navigation_request() and response.frame == self._page.main_frame:
                self.document_status = response.status
                self.document_method = request.method
                self.document_url = response.url
        except PlaywrightError:  # the page went away while the event was delivered
            pass

    @property
    def url(self) -> str:
        return self._page.url

    async def title(self) -> str:
        try:
            return await self._page.title()
        except PlaywrightError:
            return ""

    async def _do(self, work: Awaitable[Any]) -> Any:
        """Playwright's waits and failures in the interface's terms."""
        try:
            return await work
        except PlaywrightTimeoutError as exc:
            raise TimeoutError(_first_line(exc)) from exc
        except PlaywrightError as exc:
            raise TabFailure(_first_line(exc)) from exc

    async def _find(self, target: Find, seconds: float) -> Locator:
        locator = locate(self._page, target)
        try:
            await locator.wait_for(state="visible", timeout=seconds * 1000)
        except PlaywrightTimeoutError:
            raise ElementMissing(str(target)) from None
        return locator

    async def _settle(self, seconds: float) -> None:
        await self._do(self._page.wait_for_load_state("load", timeout=seconds * 1000))

    async def goto(self, url: str, seconds: float) -> None:
        response = await self._do(self._page.goto(url, timeout=seconds * 1000, wait_until="load"))
        if response is not None:
            self.document_status, self.document_method = response.status, "GET"
            self.document_url = response.url

    async def click(self, target: Find, seconds: float) -> None:
        element = await self._find(target, seconds)
        await self._do(element.click(timeout=seconds * 1000))
        await self._settle(seconds)

    async def fill(self, target: Find, value: str, seconds: float) -> None:
        element = await self._find(target, seconds)
        await self._do(element.fill(value, timeout=seconds * 1000))

    async def select(self, target: Find, value: str, seconds: float) -> None:
        element = await self._find(target, seconds)
        await self._do(element.select_option(value, timeout=seconds * 1000))

    async def check(self, target: Find, seconds: float) -> None:
        element = await self._find(target, seconds)
        await self._do(element.check(timeout=seconds * 1000))

    async def press(self, key: str, target: Find | None, seconds: float) -> None:
        if target is not None:
            element = await self._find(target, seconds)
            await self._do(element.press(key, timeout=seconds * 1000))
        else:
            await self._do(self._page.keyboard.press(key))
        await self._settle(seconds)

    async def wait_for(self, target: Find, seconds: float) -> None:
        await self._do(locate(self._page, target).wait_for(state="visible", timeout=seconds * 1000))

    async def expect(self, wanted: Expected, seconds: float) -> None:
        url, title, text, element = wanted.url, wanted.title, wanted.text, wanted.element
        ms = seconds * 1000
        try:
            if url:
                await pw_expect(self._page).to_have_url(re.compile(url), timeout=ms)
            if title:
                await pw_expect(self._page).to_have_title(re.compile(re.escape(title)), timeout=ms)
            if text:
                await pw_expect(self._page.get_by_text(text).first).to_be_visible(timeout=ms)
            if element:
                await pw_expect(locate(self._page, element)).to_be_visible(timeout=ms)
        except AssertionError as exc:
            raise ExpectationUnmet(_first_line(exc)) from None
        except PlaywrightError as exc:
            raise TabFailure(_first_line(exc)) from exc

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        return await self._do(self._page.evaluate(script, arg))

    async def alive(self) -> bool:
        if not self._engine._browser_ok() or self._page.is_closed() or self._tab.crashed:
            return False
        try:
            await asyncio.wait_for(self._page.evaluate("() => 1"), timeout=3)
        except (PlaywrightError, TimeoutError):
            return False
        return not self._tab.crashed

    async def screenshot(self) -> bytes:
        shot: bytes = await self._do(
            self._page.screenshot(full_page=False, type="png", timeout=10_000)
        )
        return shot

    async def page(self) -> LoadedPage:
        loaded = PlaywrightPage(self._engine, self._tab, self._page, self._page.url)
        facts = await loaded._call(
            lambda: self._page.evaluate(PAGE_FACTS), "reading the page", RESPONSIVE_SECONDS
        )
        loaded.url, loaded.title = facts["url"], facts["title"]
        loaded.content_type = facts["contentType"]
        loaded.status = facts["status"] or self.document_status
        loaded.load_ms = facts["loadMs"]
        return loaded

    async def storage_state(self) -> StorageState:
        state = await self._do(self._tab.context.storage_state())
        storage = {
            str(o["origin"]): {str(i["name"]): str(i["value"]) for i in o.get("localStorage", [])}
            for o in state.get("origins", [])
        }
        return [dict(c) for c in state.get("cookies", [])], storage

    async def start_trace(self) -> bool:
        await self._do(
            self._tab.context.tracing.start(screenshots=True, snapshots=True, sources=False)
        )
        return True

    async def stop_trace(self, path: Path | None) -> bool:
        try:
            if path is None:
                await self._tab.context.tracing.stop()
            else:
                await self._tab.context.tracing.stop(path=path)
        except PlaywrightError:
            return False
        return True
