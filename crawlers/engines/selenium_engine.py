"""The Selenium browser engine: local chromedriver, or browsers from a Selenium Grid.

A pool of ``settings.concurrency`` WebDriver sessions, each used by one page at a time.
WebDriver calls block, so they run in this engine's own threads and the interface stays
async. A session is replaced every ``settings.recycle_context_every`` pages and at once after
a crash or a hung page. axe-core is injected with axe-selenium-python's ``Axe`` pointed at
the one axe-core file of ``crawlers.axe_source`` (never the 2018 copy the package bundles),
into the page and every frame in it, so the results match the Playwright engine's.

WebDriver reports no HTTP status: it is read from the Navigation Timing API
(``responseStatus``), with the content type from ``document.contentType``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import psutil
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    JavascriptException,
    NoAlertPresentException,
    NoSuchElementException,
    NoSuchFrameException,
    StaleElementReferenceException,
    TimeoutException,
    UnexpectedAlertPresentException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options as ChromeOptions
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from crawlers.axe_source import AXE_SPEEDUPS, axe_path
from crawlers.base import (
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
from crawlers.browser_state import SessionState, cookie_of
from crawlers.engines.base import (
    AXE_PASSES,
    PAGE_FACTS,
    RESPONSIVE_SECONDS,
    TabLost,
    TabPool,
    page_error_from,
    require_browser,
)
from monitor.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Network idle as far as WebDriver can tell: no resource *finished* for this long. It cannot
# see requests still in flight, so the window is twice the Playwright engine's.
QUIET_SECONDS = 0.5
RUN_AXE_PASSES = f"""
const done = arguments[arguments.length - 1];
({AXE_PASSES})(arguments[0]).then(
  (results) => done(results === null ? 'null' : results),
  (error) => done(JSON.stringify({{__error: String(error)}})),
);"""
_NAVIGATED = ("Execution context was destroyed", "Cannot find context", "detached")
# WebDriver errors after which the session cannot serve another page.
_SESSION_LOST = (
    "invalid session id",
    "chrome not reachable",
    "session deleted",
    "disconnected",
    "no such window",
    "target window already closed",
    "not connected to devtools",
)
_MARKER = "__councilMonitorPreviousDocument"


@dataclass
class _Session:
    """One slot of the pool: a WebDriver session and the axe injector bound to it."""

    driver: WebDriver
    axe: Axe
    served: int = 0
    current: SeleniumPage | None = None  # the page loaded in it now
    # Where the window's document was when its last visit ended well. A document that
    # has moved on since (or whose visit failed) may still run scripts that navigate:
    # they could cut off or outrun the next address, so the window is replaced first.
    settled: str | None = None
    #: The signed-in session it was given (None: cookies cleared before every address).
    session: SessionState | None = None


def press_key(driver: WebDriver, key: str, on: Any = None, times: int = 1) -> None:
    """Press ``key`` (``"Tab"``, ``"Shift+Tab"``, ``"Enter"``) ``times`` times on the element
    ``on`` (after clicking it) or on whatever has focus."""
    *modifiers, name = key.split("+")
    chain = ActionChains(driver)
    if on is not None:
        chain.click(on)
    for _ in range(times):
        for modifier in modifiers:
            chain.key_down(getattr(Keys, modifier.upper()))
        chain.send_keys(getattr(Keys, name.upper(), name))
        for modifier in reversed(modifiers):
            chain.key_up(getattr(Keys, modifier.upper()))
    chain.perform()


def browser_log(driver: WebDriver) -> list[str]:
    """The console errors since the last read: only a local chromedriver keeps them (a
    Remote WebDriver has no log to read)."""
    read = getattr(driver, "get_log", None)
    if read is None:
        return []
    with suppress(WebDriverException):
        return [str(entry.get("message", ""))[:500] for entry in read("browser")]
    return []


def _message(exc: BaseException) -> str:
    text = getattr(exc, "msg", None) or str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


class SeleniumPage(LoadedPage):
    """A page loaded in a WebDriver session; valid only inside ``engine.open(...)``."""

    def __init__(self, engine: SeleniumEngine, session: _Session, url: str) -> None:
        self._engine = engine
        self._session = session
        self.driver = session.driver  # for journeys and tests
        self.requested_url = url
        self.url = url
        self.status = None
        self.content_type = None
        self.title = ""
        self.load_ms = 0
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.fully_loaded = True
        self.broken = False
        self.session_lost = False  # the WebDriver session died under this page
        self._natural_viewport: tuple[int, int] | None = None

    async def _call(self, work: Callable[[], T], what: str) -> T:
        """Run blocking WebDriver work in a thread; failures become ``PageError``."""
        limit = self._engine.settings.page_timeout_seconds
        for attempt in (0, 1):
            try:
                return await self._engine._in_thread(work, limit + 2)
            except (TimeoutError, TimeoutException) as exc:
                self.broken = True
                raise PageError(
                    "timeout",
                    f"the page stopped responding while {what} (a script that never ends, or "
                    f"a page too large to lay out in time): {self.url}",
                    http_status=self.status,
                ) from exc
            except UnexpectedAlertPresentException as exc:
                if attempt:
                    raise PageError(
                        "script", f"the page kept opening dialogs while {what}: {self.url}"
                    ) from exc
                self.dialogs.append(f"alert: {exc.alert_text}")
                await self._engine._in_thread(
                    lambda: self._engine._dismiss_dialogs(self.driver, self), limit
                )
                continue
            except WebDriverException as exc:
                text = _message(exc)
                if any(s in text.lower() for s in _SESSION_LOST):
                    self.broken = self.session_lost = True
                    raise PageError(
                        "crash", f"the browser went away while {what}: {self.url} ({text[:200]})"
                    ) from exc
                if "crash" in text.lower():
                    self.broken = True
                    raise PageError(
                        "crash", f"the browser tab crashed while {what}: {self.url}"
                    ) from exc
                if attempt == 0 and any(s in text for s in _NAVIGATED):
                    # The page went somewhere else by itself: audit where it ended up.
                    await self._engine._in_thread(
                        lambda: self._engine._wait_ready(self.driver, limit), limit + 10
                    )
                    continue
                raise PageError(
                    "script",
                    f"the browser failed while {what}: {text[:300]}",
                    http_status=self.status,
                ) from exc
        raise AssertionError("unreachable")

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        return await self._call(
            lambda: self.driver.execute_script(f"return ({script})(arguments[0]);", arg),
            "running a script",
        )

    async def run_axe_passes(
        self, passes: list[tuple[Any, dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        def run() -> list[dict[str, Any]]:
            self._engine._inject_axe(self._session)
            raw = self.driver.execute_async_script(RUN_AXE_PASSES, passes)
            results: Any = json.loads(raw)
            if isinstance(results, dict) and "__error" in results:
                raise JavascriptException(f"axe-core failed: {results['__error']}")
            if results is None:
                raise JavascriptException("axe-core is not in the page")
            return list(results)

        results = await self._call(run, "running axe")
        self.url = await self._call(lambda: self.driver.current_url, "reading the address")
        return results

    async def screenshot(self, selector: str) -> bytes | None:
        def shoot() -> bytes | None:
            found = self.driver.find_elements(By.CSS_SELECTOR, selector)
            if not found:
                return None
            try:
                if not found[0].is_displayed():
                    return None
                return found[0].screenshot_as_png
            except (StaleElementReferenceException, JavascriptException):
                return None

        return await self._call(shoot, "taking a screenshot")

    async def content(self) -> str:
        return await self._call(
            lambda: str(
                self.driver.execute_script(
                    "return (document.doctype ? new XMLSerializer()"
                    ".serializeToString(document.doctype) : '')"
                    " + document.documentElement.outerHTML;"
                )
            ),
            "reading the HTML",
        )

    async def press(self, key: str) -> None:
        await self._call(lambda: press_key(self.driver, key), f"pressing {key}")

    async def press_many(self, key: str, times: int) -> None:
        # One WebDriver request for the lot: the driver presses them in turn.
        await self._call(lambda: press_key(self.driver, key, times=times), f"pressing {key}")

    async def set_viewport(self, width: int, height: int) -> None:
        def resize() -> None:
            natural = self._natural_viewport
            if natural is None:
                size = self.driver.execute_script("return [window.innerWidth, window.innerHeight];")
                natural = self._natural_viewport = (int(size[0]), int(size[1]))
            cdp = getattr(self.driver, "execute_cdp_cmd", None)
            if cdp is not None:  # local chromedriver: emulate, as Playwright does
                if (width, height) == natural:
                    cdp("Emulation.clearDeviceMetricsOverride", {})
                else:
                    cdp(
                        "Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                    )
                return
            # A Grid session: resize the window by what the viewport must change.
            window = self.driver.get_window_size()
            inner = self.driver.execute_script("return [window.innerWidth, window.innerHeight];")
            self.driver.set_window_size(
                window["width"] + width - int(inner[0]), window["height"] + height - int(inner[1])
            )

        await self._call(resize, "resizing the viewport")


class SeleniumEngine(TabPool[_Session]):
    """A pool of WebDriver sessions, at most ``settings.concurrency`` in use at once."""

    name: ClassVar[str] = "selenium"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._all: list[_Session] = []
        self._threads: ThreadPoolExecutor | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def _start_browser(self) -> None:
        if not self.settings.selenium_remote_url:
            require_browser(self.settings, driver=True)
        # Two spare threads so that a session being thrown away never starves the pool.
        self._threads = ThreadPoolExecutor(
            max_workers=self.settings.concurrency + 2, thread_name_prefix="selenium"
        )
        # Start one session now so a missing browser or Grid shows up at once.
        self._idle.append(await self._in_thread(self._new_session, 120))

    async def _stop_browser(self, idle: list[_Session]) -> None:
        sessions, self._all = list(self._all), []
        if self._threads is not None:
            await asyncio.gather(
                *(self._in_thread(partial(self._quit, s), 30) for s in sessions),
                return_exceptions=True,
            )
            self._threads.shutdown(wait=False, cancel_futures=True)
            self._threads = None

    async def _in_thread(self, work: Callable[[], T], seconds: float) -> T:
        assert self._threads is not None, "the browser engine is not started"
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.run_in_executor(self._threads, work), seconds)

    def _options(self) -> ChromeOptions:
        options = ChromeOptions()
        for flag in self.settings.browser_flags:
            options.add_argument(flag)
        options.add_argument("--headless=new")
        options.add_argument("--window-size=1280,720")
        options.add_argument(f"--user-agent={self.settings.user_agent}")
        options.unhandled_prompt_behavior = "dismiss"
        options.page_load_strategy = "eager"  # the load event is awaited by polling
        # 3 = block every download: an address that is a file must not fill the disk.
        options.add_experimental_option("prefs", {"download_restrictions": 3})
        options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
        return options

    def _new_session(self) -> _Session:
        options = self._options()
        try:
            if self.settings.selenium_remote_url:
                driver: WebDriver = webdriver.Remote(
                    command_executor=self.settings.selenium_remote_url, options=options
                )
            else:
                options.binary_location = str(self.settings.chromium_path)
                driver = webdriver.Chrome(
                    service=Service(executable_path=str(self.settings.chromedriver_path)),
                    options=options,
                )
        except WebDriverException as exc:
            where = self.settings.selenium_remote_url or str(self.settings.chromium_path)
            raise RuntimeError(f"no browser from {where}: {_message(exc)}") from exc
        driver.set_page_load_timeout(self.settings.page_timeout_seconds)
        driver.set_script_timeout(self.settings.page_timeout_seconds)
        session = _Session(driver=driver, axe=Axe(driver, script_url=str(axe_path())))
        session.settled = document_of(driver.current_url)  # a new window: nothing runs there
        self._all.append(session)
        self.contexts_created += 1
        return session

    def _quit(self, session: _Session, *, wedged: bool = False) -> None:
        """End a session; a wedged local browser is killed rather than asked to quit."""
        if session in self._all:
            self._all.remove(session)
        service = getattr(session.driver, "service", None)
        process = getattr(service, "process", None)
        family: list[psutil.Process] = []
        if process is not None:
            with suppress(psutil.Error):
                family = [psutil.Process(process.pid)]
                family += family[0].children(recursive=True)
        if wedged and family:
            for proc in family:
                with suppress(psutil.Error):
                    proc.kill()
            with suppress(Exception):
                session.driver.service.stop()  # type: ignore[attr-defined]
            return
        try:
            session.driver.quit()
        except Exception as exc:  # a wedged session: the processes are killed below
            log.warning("a WebDriver session did not quit cleanly: %s", _message(exc))
        for proc in family:
            with suppress(psutil.Error):
                if proc.is_running():
                    proc.kill()

    # -- loading a page --------------------------------------------------------------------

    def _inject_axe(self, session: _Session) -> None:
        """axe-core into the page and, recursively, every frame (as the init script does)."""
        driver = session.driver

        def into_frames(depth: int) -> None:
            session.axe.inject()
            if self.settings.axe_speedups:
                driver.execute_script(AXE_SPEEDUPS)
            if depth >= 3:
                return
            for index in range(len(driver.find_elements(By.CSS_SELECTOR, "iframe, frame"))):
                try:
                    driver.switch_to.frame(index)
                except NoSuchFrameException:
                    continue
                try:
                    into_frames(depth + 1)
                except WebDriverException:
                    pass  # a frame that refuses scripts is reported by axe as not tested
                finally:
                    driver.switch_to.parent_frame()

        try:
            into_frames(0)
        finally:
            driver.switch_to.default_content()

    def _wait_state(
        self, driver: WebDriver, loaded: SeleniumPage, states: tuple[str, ...], deadline: float
    ) -> bool:
        """Poll ``document.readyState`` until it is one of ``states``, dismissing dialogs.

        Raise ``PageError('timeout')`` if DOMContentLoaded never comes; return False if
        only the load event is missing when the time is up.
        """
        while True:
            try:
                if driver.execute_script("return document.readyState") in states:
                    return True
            except UnexpectedAlertPresentException as exc:
                loaded.dialogs.append(f"alert: {exc.alert_text}")
                self._dismiss_dialogs(driver, loaded)
                continue
            if time.monotonic() >= deadline:
                if "interactive" in states:
                    loaded.broken = True
                    raise PageError(
                        "timeout",
                        f"the page did not load within "
                        f"{self.settings.page_timeout_seconds:g} s: {loaded.requested_url}",
                    )
                return False
            time.sleep(0.05)

    @staticmethod
    def _dismiss_dialogs(driver: WebDriver, loaded: SeleniumPage | None) -> None:
        for _ in range(20):
            try:
                alert = driver.switch_to.alert
                if loaded is not None:
                    loaded.dialogs.append(f"dialog: {alert.text}")
                alert.dismiss()
            except NoAlertPresentException:
                return

    @staticmethod
    def _wait_ready(driver: WebDriver, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with suppress(WebDriverException):
                if driver.execute_script("return document.readyState") == "complete":
                    return
            time.sleep(0.05)

    def _wait_network_quiet(self, driver: WebDriver, deadline: float) -> None:
        """Wait until no resource has finished loading for ``QUIET_SECONDS`` (bounded)."""
        end = min(deadline, time.monotonic() + self.settings.network_idle_seconds)
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() < end:
            count = driver.execute_script("return performance.getEntriesByType('resource').length")
            now = time.monotonic()
            if count != last:
                last, quiet_since = count, now
            elif now - quiet_since >= QUIET_SECONDS:
                return
            time.sleep(0.1)

    def _load_blocking(
        self, session: _Session, loaded: SeleniumPage, wait_for_selector: str | None
    ) -> dict[str, Any]:
        driver, url = session.driver, loaded.requested_url
        timeout = self.settings.page_timeout_seconds
        deadline = time.monotonic() + timeout
        # A marker on the current document: if it survives, no new document was loaded.
        # A window known to be unsettled is not asked: WebDriver waits on its navigations.
        here = (
            None
            if session.settled is None
            else document_of(
                str(driver.execute_script(f"window.{_MARKER} = true; return location.href;"))
            )
        )
        # Only the fragment differing (an app's hash route), the browser would move within
        # the document it shows, whatever the last audit left there, not load it afresh.
        same_document = "#" in url and here == document_of(url)
        if here is None or session.settled != here or same_document:
            self._fresh_window(driver)
        session.settled = None
        if session.session is None:
            driver.delete_all_cookies()  # every public address is audited as a first visit
        try:
            driver.get(url)  # the "eager" strategy returns at DOMContentLoaded
        except UnexpectedAlertPresentException as exc:
            loaded.dialogs.append(f"alert: {exc.alert_text}")
            self._wait_state(driver, loaded, ("interactive", "complete"), deadline)
        except TimeoutException:
            loaded.broken = True
            raise PageError(
                "timeout", f"the page did not load within {timeout:g} s: {url}"
            ) from None
        except WebDriverException as exc:
            error = page_error_from(Exception(_message(exc)), url)
            loaded.session_lost = any(s in str(exc).lower() for s in _SESSION_LOST)
            # Anything but a network error of the page (a lost session, a dead browser)
            # means this session cannot serve the next address.
            loaded.broken = error.kind in ("timeout", "crash") or "net::" not in str(exc)
            raise error from exc
        # DOMContentLoaded happened: wait for the load event, then audit what is there.
        loaded.fully_loaded = self._wait_state(driver, loaded, ("complete",), deadline)
        if driver.execute_script(f"return window.{_MARKER} === true"):
            raise PageError("download", f"the address is a file to download, not a page: {url}")
        if loaded.fully_loaded and self.settings.network_idle_seconds > 0:
            self._wait_network_quiet(driver, deadline)
        if wait_for_selector:
            try:
                WebDriverWait(driver, max(0.1, deadline - time.monotonic())).until(
                    expected_conditions.visibility_of_element_located(
                        (By.CSS_SELECTOR, wait_for_selector)
                    )
                )
            except TimeoutException as exc:
                raise PageError(
                    "timeout", f"{wait_for_selector!r} did not appear within {timeout:g} s: {url}"
                ) from exc
        self._close_popups(driver)
        loaded.console_errors += browser_log(driver)
        driver.set_script_timeout(RESPONSIVE_SECONDS)
        try:
            facts: dict[str, Any] = driver.execute_script(f"return ({PAGE_FACTS})();")
        finally:
            with suppress(WebDriverException):
                driver.set_script_timeout(timeout)
        # A document that moved on by itself while it loaded may keep doing so. WebDriver
        # shows no navigations: an address other than the one asked for, reached from a
        # page (not by redirects, which keep the empty referrer), is that.
        arrived = document_of(str(facts["url"]))
        moved = arrived != document_of(url) and bool(facts["referrer"])
        session.settled = None if moved else arrived
        return facts

    @staticmethod
    def _fresh_window(driver: WebDriver) -> None:
        """Replace the session's window with a blank one: the old one's scripts die with it."""
        old = driver.current_window_handle
        driver.switch_to.new_window("tab")
        new = driver.current_window_handle
        driver.switch_to.window(old)
        driver.close()
        driver.switch_to.window(new)
        driver.execute_script(f"window.{_MARKER} = true;")

    @staticmethod
    def _close_popups(driver: WebDriver) -> None:
        handles = driver.window_handles
        if len(handles) > 1:
            main = driver.current_window_handle
            for handle in handles:
                if handle != main:
                    driver.switch_to.window(handle)
                    driver.close()
            driver.switch_to.window(main)

    @staticmethod
    def _net_error_of_error_page(driver: WebDriver) -> str:
        """Chromium's error page (e.g. a certificate warning) names the network error."""
        with suppress(WebDriverException):
            found = re.search(
                r"ERR_[A-Z_]+", str(driver.execute_script("return document.body.innerText"))
            )
            if found:
                return f"net::{found.group(0)}"
        return ""

    # -- the pool --------------------------------------------------------------------------

    async def _take_tab(self, *, fresh: bool, session: SessionState | None = None) -> _Session:
        if not fresh and (idle := self._pop_idle(session)) is not None:
            return idle
        tab = await self._in_thread(self._new_session, 120)
        if session is not None:
            try:
                await self._in_thread(
                    lambda: self._hold(tab, session), self.settings.page_timeout_seconds * 2
                )
            except BaseException:
                await self._discard(tab, wedged=False)
                raise
        return tab

    def _hold(self, tab: _Session, state: SessionState) -> None:
        """Give a new WebDriver session a signed-in session's cookies and local storage.

        WebDriver sets a cookie only for the document it shows, so each origin of the
        session is visited first, at its robots.txt: small, and never an account page."""
        driver = tab.driver
        for origin in state.origins:
            driver.get(origin + "/robots.txt")
            for cookie in state.cookies_for(urlsplit(origin).hostname or ""):
                wanted: dict[str, Any] = {
                    "name": cookie["name"],
                    "value": cookie["value"],
                    "path": cookie["path"],
                    "secure": cookie["secure"],
                    "httpOnly": cookie["httpOnly"],
                    "sameSite": cookie["sameSite"],
                }
                if str(cookie["domain"]).startswith("."):
                    wanted["domain"] = cookie["domain"]  # else host-only: this document's host
                if cookie["expires"] > 0:
                    wanted["expiry"] = int(cookie["expires"])
                driver.add_cookie(wanted)
            items = state.local_storage.get(origin)
            if items:
                driver.execute_script(
                    "for (const [k, v] of Object.entries(arguments[0]))"
                    " localStorage.setItem(k, v);",
                    dict(items),
                )
        tab.session = state
        self._fresh_window(driver)
        tab.settled = document_of(driver.current_url)

    def _usable_after_error(self, tab: _Session) -> bool:
        return tab.current is not None and not tab.current.broken

    async def _tidy(self, tab: _Session) -> bool:
        tab.current = None
        return True

    async def _discard(self, tab: _Session, *, wedged: bool) -> None:
        try:
            await self._in_thread(lambda: self._quit(tab, wedged=wedged), 30)
        except TimeoutError:
            log.warning("a WebDriver session took too long to quit")

    async def _interactive(self, tab: _Session) -> InteractiveTab:
        return SeleniumTab(self, tab)

    async def _load(self, session: _Session, url: str, wait_for_selector: str | None) -> LoadedPage:
        loaded = session.current = SeleniumPage(self, session, url)
        try:
            facts = await loaded._call(
                lambda: self._load_blocking(session, loaded, wait_for_selector), "loading"
            )
        except PageError as exc:
            if loaded.session_lost:
                raise TabLost(exc.message) from exc
            raise
        if str(facts["url"]).startswith("chrome-error://"):
            detail = await self._in_thread(
                lambda: self._net_error_of_error_page(session.driver), RESPONSIVE_SECONDS
            )
            raise page_error_from(Exception(detail or "net::ERR_FAILED"), url)
        loaded.url = facts["url"]
        loaded.title = facts["title"]
        loaded.content_type = facts["contentType"]
        loaded.status = facts["status"]
        loaded.load_ms = facts["loadMs"]
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

#: Finds elements by role and name, label, text or CSS: Playwright's rules, in the page.
LOCATE = (Path(__file__).with_name("js") / "locate.js").read_text(encoding="utf-8")
_FOUND = "[data-council-monitor-found]"
#: Remembers, across the navigation it causes, that a form was submitted and how.
_WATCH_SUBMIT = """
try { sessionStorage.removeItem('__councilMonitorSubmit'); } catch (e) {}
if (!window.__councilMonitorWatching) {
  window.__councilMonitorWatching = true;
  document.addEventListener('submit', (event) => {
    const method = (event.target.getAttribute('method') || 'GET').toUpperCase();
    try { sessionStorage.setItem('__councilMonitorSubmit', method); } catch (e) {}
  }, true);
}
return performance.timeOrigin;"""
_DOCUMENT = """
let method = null;
try { method = sessionStorage.getItem('__councilMonitorSubmit'); } catch (e) {}
const nav = performance.getEntriesByType('navigation')[0];
return {origin: performance.timeOrigin, url: location.href, method: method,
        status: nav && nav.responseStatus ? nav.responseStatus : null,
        ready: document.readyState};"""
_POLL_SECONDS = 0.1


class SeleniumTab(InteractiveTab):
    """A WebDriver session a journey drives (local chromedriver or a Selenium Grid).

    WebDriver sees no network events: the answer to a navigation is read from the
    Navigation Timing API of the new document, and whether a form was posted from a
    note its submit event left in the tab's session storage."""

    def __init__(self, engine: SeleniumEngine, session: _Session) -> None:
        self._engine = engine
        self._session = session
        self.driver = session.driver
        self.console: list[str] = []
        self._url = ""

    async def _call(self, work: Callable[[], T], seconds: float) -> T:
        try:
            return await self._engine._in_thread(work, seconds + 5)
        except (TimeoutError, TimeoutException) as exc:
            raise TimeoutError(_message(exc)) from exc
        except WebDriverException as exc:
            raise TabFailure(_message(exc)) from exc

    def _before(self) -> float:
        return float(self.driver.execute_script(_WATCH_SUBMIT))

    def _after(self, origin: float, seconds: float) -> None:
        """Wait for the document the action led to (if any) to load; note its answer."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                now = self.driver.execute_script(_DOCUMENT)
            except UnexpectedAlertPresentException:
                self._engine._dismiss_dialogs(self.driver, None)
                continue
            if now["ready"] == "complete" or time.monotonic() >= deadline:
                break
            time.sleep(_POLL_SECONDS)
        if now["ready"] != "complete":
            raise TimeoutError(f"the page did not finish loading within {seconds:g}s")
        self._url = str(now["url"])
        if now["origin"] != origin:  # a new document
            self.document_status = now["status"]
            self.document_url = str(now["url"])
            self.document_method = str(now["method"] or "GET")
        self._read_console()

    def _read_console(self) -> None:
        self.console += browser_log(self.driver)

    def _find(self, target: Find, seconds: float) -> Any:
        """The first element matching ``target`` once it is visible (polled)."""
        deadline = time.monotonic() + seconds
        while True:
            found = self.driver.execute_script(f"return ({LOCATE})(arguments[0]);", asdict(target))
            if found["count"] and found["visible"]:
                return self.driver.find_element(By.CSS_SELECTOR, _FOUND)
            if time.monotonic() >= deadline:
                raise ElementMissing(str(target))
            time.sleep(_POLL_SECONDS)

    @staticmethod
    def _click(driver: WebDriver, element: Any) -> None:
        """A native click; a control drawn over by its own label (GOV.UK radios and
        check boxes are transparent inputs) is clicked in the page instead."""
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except (ElementNotInteractableException, ElementClickInterceptedException):
            driver.execute_script("arguments[0].click();", element)

    @property
    def url(self) -> str:
        return self._url

    async def title(self) -> str:
        try:
            return str(await self._call(lambda: self.driver.title, 5))
        except (TimeoutError, TabFailure):
            return ""

    async def goto(self, url: str, seconds: float) -> None:
        def work() -> None:
            origin = self._before()
            self.driver.set_page_load_timeout(seconds)
            try:
                self.driver.get(url)
            finally:
                self.driver.set_page_load_timeout(self._engine.settings.page_timeout_seconds)
            self._after(origin, seconds)
            if self.document_status is None:  # the same address again: still an answer
                self.document_status = self.driver.execute_script(_DOCUMENT)["status"]
            self.document_method = "GET"

        await self._call(work, seconds)

    async def click(self, target: Find, seconds: float) -> None:
        def work() -> None:
            element = self._find(target, seconds)
            origin = self._before()
            self._click(self.driver, element)
            self._after(origin, seconds)

        await self._call(work, seconds)

    async def fill(self, target: Find, value: str, seconds: float) -> None:
        def work() -> None:
            element = self._find(target, seconds)
            element.clear()
            element.send_keys(value)

        await self._call(work, seconds)

    async def select(self, target: Find, value: str, seconds: float) -> None:
        def work() -> None:
            chooser = Select(self._find(target, seconds))
            try:
                chooser.select_by_visible_text(value)
            except NoSuchElementException:
                chooser.select_by_value(value)

        await self._call(work, seconds)

    async def check(self, target: Find, seconds: float) -> None:
        def work() -> None:
            element = self._find(target, seconds)
            if not element.is_selected():
                self._click(self.driver, element)

        await self._call(work, seconds)

    async def press(self, key: str, target: Find | None, seconds: float) -> None:
        def work() -> None:
            element = self._find(target, seconds) if target is not None else None
            origin = self._before()
            press_key(self.driver, key, element)
            self._after(origin, seconds)

        await self._call(work, seconds)

    async def wait_for(self, target: Find, seconds: float) -> None:
        def work() -> None:
            try:
                self._find(target, seconds)
            except ElementMissing:
                raise TimeoutError(f"{target} did not appear within {seconds:g}s") from None

        await self._call(work, seconds)

    async def expect(self, wanted: Expected, seconds: float) -> None:
        url, title, text, element = wanted.url, wanted.title, wanted.text, wanted.element

        def met() -> bool:
            if url and not re.search(url, self.driver.current_url):
                return False
            if title and title not in self.driver.title:
                return False
            for wanted in ([Find(text=text)] if text else []) + ([element] if element else []):
                found = self.driver.execute_script(
                    f"return ({LOCATE})(arguments[0]);", asdict(wanted)
                )
                if not (found["count"] and found["visible"]):
                    return False
            return True

        def work() -> None:
            deadline = time.monotonic() + seconds
            while not met():
                if time.monotonic() >= deadline:
                    raise ExpectationUnmet("not seen in time")
                time.sleep(_POLL_SECONDS)
            self._url = self.driver.current_url

        await self._call(work, seconds)

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        return await self._call(
            lambda: self.driver.execute_script(f"return ({script})(arguments[0]);", arg),
            self._engine.settings.page_timeout_seconds,
        )

    async def alive(self) -> bool:
        try:
            await self._engine._in_thread(lambda: self.driver.execute_script("return 1"), 3)
        except (TimeoutError, WebDriverException):
            return False
        return True

    async def screenshot(self) -> bytes:
        shot: bytes = await self._call(self.driver.get_screenshot_as_png, 10)
        return shot

    async def storage_state(self) -> StorageState:
        def read() -> StorageState:
            cookies: list[dict[str, Any]] | None = None
            cdp = getattr(self.driver, "execute_cdp_cmd", None)
            if cdp is not None:  # a local chromedriver: every cookie the browser holds
                with suppress(WebDriverException):
                    cookies = list(cdp("Network.getAllCookies", {})["cookies"])
            if cookies is None:  # a Grid: those of the document shown
                cookies = list(self.driver.get_cookies())
            origin, items = self.driver.execute_script(
                "return [location.origin, Object.entries(localStorage)];"
            )
            storage = {str(origin): {str(k): str(v) for k, v in items}} if items else {}
            return [cookie_of(c) for c in cookies], storage

        return await self._call(read, 10)

    async def page(self) -> LoadedPage:
        loaded = SeleniumPage(self._engine, self._session, self._url)
        facts = await loaded._call(
            lambda: self.driver.execute_script(f"return ({PAGE_FACTS})();"), "reading the page"
        )
        loaded.url, loaded.title = facts["url"], facts["title"]
        loaded.content_type, loaded.status = facts["contentType"], facts["status"]
        loaded.load_ms = facts["loadMs"]
        return loaded
