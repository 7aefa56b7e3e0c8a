"""Both browser engines against a small local site of ordinary and hostile pages.

Real headless Chromium (Playwright) and chromedriver (Selenium), real HTTP and HTTPS
servers on 127.0.0.1. One started engine of each kind is shared by the whole module.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from crawlers.base import BrowserEngine, LoadedPage, PageError
from crawlers.engines import make_engine
from monitor.settings import Settings
from tests.servers import free_port

pytestmark = pytest.mark.browser

SMALL_LIMIT = 2_000_000  # bytes: the "huge" pages are just over it, to keep the test quick

NORMAL = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Report a pothole - Kent County Council</title>
<style>.faint {{ color: #bbb; background: #fff; }}</style></head>
<body>
<header id="masthead" style="height:60px;background:#1d3557;color:#fff">
  <a href="/normal" style="color:#fff">Kent County Council</a></header>
<nav><a href="/status/404">Broken link</a> <a href="/other?x=1">Other</a></nav>
<main>
  <h1>Report a pothole</h1>
  <img src="/pothole.png" width="20" height="20">
  <form><input type="text" name="where"><button type="submit">Continue</button></form>
  <p class="faint">Low-contrast help text</p>
  <iframe src="/frame" title="Map of the road"></iframe>
  {extra}
</main></body></html>"""
FRAME = """<!DOCTYPE html><html lang="en"><head><title>Map</title></head>
<body><button></button></body></html>"""

DIALOG = """<!DOCTYPE html><html lang="en"><head><title>Dialogs</title>
<script>alert('Hello'); confirm('Sure?'); prompt('Name?');
window.addEventListener('beforeunload', (e) => {{ e.preventDefault(); e.returnValue = ''; }});
</script></head><body><main><h1>Still audited</h1><img src="/pothole.png"></main></body></html>"""
NAVIGATE_AWAY = """<!DOCTYPE html><html lang="en"><head><title>Moving</title></head>
<body><p>Moving you on…</p><script>
window.addEventListener('load',
  () => setTimeout(() => {{ location.href = '/normal?moved=1'; }}, 300));
</script></body></html>"""
RESTLESS = """<!DOCTYPE html><html lang="en"><head><title>Restless</title></head>
<body><p>This page loads itself again and again.</p><script>
setTimeout(() => {{ location.href = '/restless?n=' + Date.now(); }}, 5);
</script></body></html>"""
POPUP = """<!DOCTYPE html><html lang="en"><head><title>Pop-up</title></head>
<body><h1>Pop-up</h1><script>window.open('/normal?popup=1', '_blank');
window.open('/normal?popup=2', 'other', 'width=300,height=300');</script></body></html>"""
JS_LOOP = """<!DOCTYPE html><html lang="en"><head><title>Busy</title></head>
<body><h1>Busy</h1><script>
window.addEventListener('load', () => setTimeout(() => {{ while (true) {{}} }}, 0));
</script></body></html>"""
STALLED_IMAGE = """<!DOCTYPE html><html lang="en"><head><title>Half loaded</title></head>
<body><h1>Half loaded</h1><img alt="never" src="/hang-forever.png"></body></html>"""
SPA_FETCH = """<!DOCTYPE html><html lang="en"><head><title>Bin days</title></head>
<body><main id="root"></main><script>
fetch('/data').then((r) => r.text()).then((text) => {{
  document.getElementById('root').innerHTML = '<p id="data">' + text + '</p>'; }});
</script></body></html>"""
SPA = """<!DOCTYPE html><html lang="en"><head><title>App</title></head>
<body><div id="root"></div><script>
setTimeout(() => {{ document.getElementById('root').innerHTML =
  '<main id="app"><h1>Apply for a Blue Badge</h1></main>'; }}, 400);
</script></body></html>"""
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
)


class _Site(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    stop = threading.Event()
    active = 0  # requests being answered right now (for the concurrency test)
    peak = 0
    lock = threading.Condition()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Site

    def log_message(self, *args: Any) -> None:
        pass

    def _send(
        self,
        status: int,
        body: bytes | str,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _hang(self) -> None:
        self.server.stop.wait(60)
        self.close_connection = True

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/normal" or path == "/other":
            self._send(200, NORMAL.format(extra=""))
        elif path == "/frame":
            self._send(200, FRAME)
        elif path == "/pothole.png":
            self._send(200, TINY_PNG, "image/png")
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self._send(code, NORMAL.format(extra=f"<p>Error {code}</p>"))
        elif path == "/slow":
            # Hold each request until another one arrives (or 1.5 s pass): with a pool of
            # two, pages meet here in pairs, and a third never arrives while two are held.
            with _Site.lock:
                _Site.active += 1
                _Site.peak = max(_Site.peak, _Site.active)
                _Site.lock.notify_all()
                _Site.lock.wait_for(lambda: _Site.active >= 2, timeout=1.5)
            time.sleep(0.05)
            with _Site.lock:
                _Site.active -= 1
            self._send(200, NORMAL.format(extra="<p>Slow</p>"))
        elif path == "/redirect-loop":
            self._send(302, "", headers={"Location": "/redirect-loop"})
        elif path == "/huge":
            self._send(200, "<!DOCTYPE html><p>" + "x" * (SMALL_LIMIT + 1000))
        elif path == "/huge-chunked":
            # No Content-Length: the size is only known once the body has arrived.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"<!DOCTYPE html><title>Big</title><p>" + b"y" * (SMALL_LIMIT + 1000))
            self.close_connection = True
        elif path == "/dialog":
            self._send(200, DIALOG.format())
        elif path == "/navigate-away":
            self._send(200, NAVIGATE_AWAY.format())
        elif path == "/popup":
            self._send(200, POPUP)
        elif path == "/restless":
            self._send(200, RESTLESS.format())
        elif path == "/download":
            self._send(
                200,
                b"%PDF-1.4 fake",
                "application/octet-stream",
                {"Content-Disposition": 'attachment; filename="form.pdf"'},
            )
        elif path == "/never-loads":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<!DOCTYPE html><html><head><title>Never</title></head><body><p>")
            self.wfile.flush()
            self._hang()
        elif path == "/stalled-image":
            self._send(200, STALLED_IMAGE)
        elif path == "/hang-forever.png":
            self._hang()
        elif path == "/js-loop":
            self._send(200, JS_LOOP.format())
        elif path == "/spa-fetch":
            self._send(200, SPA_FETCH.format())
        elif path == "/data":
            time.sleep(0.3)
            self._send(200, "Next collection: Tuesday", "text/plain")
        elif path == "/spa":
            self._send(200, SPA.format())
        else:
            self._send(404, "<!DOCTYPE html><title>Not found</title><h1>Not found</h1>")


def _serve(server: _Site) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = _Site(("127.0.0.1", 0), _Handler)
    _serve(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.stop.set()
    server.shutdown()


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An HTTPS server with a self-signed certificate no browser trusts."""
    folder: Path = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = _Site(("127.0.0.1", 0), _Handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    _serve(server)
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "concurrency": 2,
        "page_timeout_seconds": 3.0,
        "network_idle_seconds": 1.5,
        "recycle_context_every": 50,
    }
    values.update(overrides)
    return Settings(**values)


class Driven:
    """A started engine and the event loop it lives on (tests are plain functions)."""

    def __init__(self, engine: BrowserEngine) -> None:
        self.engine = engine
        self.loop = asyncio.new_event_loop()

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(work, 60))

    def load(self, url: str, **options: Any) -> dict[str, Any]:
        """Open ``url`` and return what the page says about itself."""

        async def visit() -> dict[str, Any]:
            async with self.engine.open(url, **options) as page:
                return _facts(page)

        result: dict[str, Any] = self.run(visit())
        return result

    def error(self, url: str, **options: Any) -> PageError:
        """The ``PageError`` opening ``url`` (or using the page) raises."""

        async def visit() -> None:
            async with self.engine.open(url, **options) as page:
                await page.run_axe(AXE_OPTIONS)

        with pytest.raises(PageError) as caught:
            self.run(visit())
        return caught.value


def _facts(page: LoadedPage) -> dict[str, Any]:
    return {
        "url": page.url,
        "status": page.status,
        "title": page.title,
        "content_type": page.content_type,
        "dialogs": list(getattr(page, "dialogs", [])),
        "fully_loaded": getattr(page, "fully_loaded", True),
    }


AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations", "incomplete"],
}


def _driven(name: str, **overrides: Any) -> Driven:
    driven = Driven(make_engine(_settings(**overrides), name))
    driven.engine.max_page_bytes = SMALL_LIMIT  # type: ignore[attr-defined]
    driven.run(driven.engine.start())
    return driven


@pytest.fixture(scope="module", params=["playwright", "selenium"])
def browser(request: pytest.FixtureRequest) -> Iterator[Driven]:
    driven = _driven(request.param)
    yield driven
    driven.run(driven.engine.close())
    driven.loop.close()


def test_a_normal_page_loads_with_status_title_and_content_type(browser: Driven, site: str) -> None:
    facts = browser.load(f"{site}/normal?a=1")
    assert facts["status"] == 200
    assert facts["url"] == f"{site}/normal?a=1"
    assert facts["title"] == "Report a pothole - Kent County Council"
    assert facts["content_type"] == "text/html"
    assert facts["fully_loaded"] is True


def test_content_links_evaluate_and_screenshots(browser: Driven, site: str) -> None:
    async def visit() -> tuple[str, list[str], Any, bytes | None, bytes | None]:
        async with browser.engine.open(f"{site}/normal") as page:
            return (
                await page.content(),
                await page.links(),
                await page.evaluate("(n) => document.querySelectorAll('a').length + n", 10),
                await page.screenshot("header"),
                await page.screenshot("#no-such-element"),
            )

    html, links, count, shot, missing = browser.run(visit())
    assert html.startswith("<!DOCTYPE html>") and "<h1>Report a pothole</h1>" in html
    assert f"{site}/status/404" in links and f"{site}/other?x=1" in links
    assert count == 13
    assert shot is not None and shot.startswith(b"\x89PNG\r\n\x1a\n")
    assert missing is None


def test_http_errors_are_returned_with_their_status(browser: Driven, site: str) -> None:
    assert browser.load(f"{site}/status/404")["status"] == 404
    facts = browser.load(f"{site}/status/500")
    assert facts["status"] == 500
    assert facts["title"] == "Report a pothole - Kent County Council"


def test_pages_that_fetch_their_content_are_waited_for(browser: Driven, site: str) -> None:
    async def visit() -> str | None:
        async with browser.engine.open(f"{site}/spa-fetch") as page:
            found = await page.evaluate("() => document.querySelector('#data')?.textContent")
            return None if found is None else str(found)

    assert browser.run(visit()) == "Next collection: Tuesday"


def test_single_page_apps_are_waited_for(browser: Driven, site: str) -> None:
    async def visit() -> str:
        async with browser.engine.open(f"{site}/spa", wait_for_selector="#app h1") as page:
            return str(await page.evaluate("() => document.querySelector('#app h1').textContent"))

    assert browser.run(visit()) == "Apply for a Blue Badge"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/redirect-loop", "redirect-loop"),
        ("/download", "download"),
        ("/huge", "too-large"),
        ("/huge-chunked", "too-large"),
        ("/never-loads", "timeout"),
        ("/js-loop", "timeout"),
    ],
)
def test_hostile_pages_raise_the_right_error_and_the_engine_goes_on(
    browser: Driven, site: str, path: str, kind: str
) -> None:
    assert browser.error(f"{site}{path}").kind == kind
    assert browser.load(f"{site}/normal")["status"] == 200


def test_missing_selector_is_a_timeout(browser: Driven, site: str) -> None:
    assert browser.error(f"{site}/normal", wait_for_selector="#never-there").kind == "timeout"


def test_network_failures_name_their_cause(browser: Driven, tls_site: str) -> None:
    assert browser.error(f"{tls_site}/normal").kind == "tls"
    assert browser.error(f"http://127.0.0.1:{free_port()}/").kind == "connection"
    assert browser.error("http://no-such-service.invalid/").kind == "dns"


def test_dialogs_are_dismissed_and_the_page_still_audited(browser: Driven, site: str) -> None:
    async def visit() -> tuple[dict[str, Any], list[str]]:
        async with browser.engine.open(f"{site}/dialog") as page:
            results = await page.run_axe(AXE_OPTIONS)
            return _facts(page), [rule["id"] for rule in results["violations"]]

    facts, rules = browser.run(visit())
    assert facts["status"] == 200 and facts["title"] == "Dialogs"
    assert "image-alt" in rules
    # The next address loads although the page asked "are you sure you want to leave?".
    assert browser.load(f"{site}/normal")["title"].startswith("Report a pothole")


def test_pages_that_navigate_away_are_audited_where_they_end_up(browser: Driven, site: str) -> None:
    async def visit() -> tuple[str, list[str]]:
        async with browser.engine.open(f"{site}/navigate-away") as page:
            await asyncio.sleep(0.6)  # the page moves on by itself after 300 ms
            results = await page.run_axe(AXE_OPTIONS)
            return page.url, [rule["id"] for rule in results["violations"]]

    url, rules = browser.run(visit())
    assert url == f"{site}/normal?moved=1"
    assert "image-alt" in rules


def test_the_next_address_loads_although_the_last_page_keeps_navigating(
    browser: Driven, site: str
) -> None:
    # A warm tab still runs the last document's scripts while the next address loads; a
    # navigation of theirs interrupts ours. That once left the tab closing for ever.
    for attempt in range(3):
        with contextlib.suppress(PageError):  # reading a page that never stays is its error
            browser.load(f"{site}/restless")
        facts = browser.load(f"{site}/normal?after={attempt}")
        assert facts["url"] == f"{site}/normal?after={attempt}"
        assert facts["title"].startswith("Report a pothole")
    # The restless pages went with their tabs: none is left running in the browser.
    _assert_one_window_per_tab(browser)


def _assert_one_window_per_tab(browser: Driven) -> None:
    engine: Any = browser.engine
    if engine.name == "playwright":
        pages = [p for c in engine._browser.contexts for p in c.pages]
        assert len(pages) <= engine.settings.concurrency
    else:
        for session in engine._idle:
            assert len(session.driver.window_handles) == 1


def test_popups_are_closed(browser: Driven, site: str) -> None:
    facts = browser.load(f"{site}/popup")
    assert facts["title"] == "Pop-up"
    _assert_one_window_per_tab(browser)


def test_a_page_that_never_finishes_loading_is_audited_after_domcontentloaded(
    browser: Driven, site: str
) -> None:
    facts = browser.load(f"{site}/stalled-image")
    assert facts["title"] == "Half loaded" and facts["fully_loaded"] is False


def test_a_crashed_tab_is_replaced(browser: Driven, site: str) -> None:
    engine: Any = browser.engine

    async def crash() -> None:
        async with engine.open(f"{site}/normal") as page:
            if engine.name == "playwright":
                cdp = await page.page.context.new_cdp_session(page.page)
                with pytest.raises(Exception):  # noqa: B017, PT011 - the tab dies under the call
                    await asyncio.wait_for(cdp.send("Page.crash"), 1)
            else:
                with pytest.raises(Exception):  # noqa: B017, PT011 - as above
                    await asyncio.to_thread(page.driver.execute_cdp_cmd, "Page.crash", {})
            await page.evaluate("() => document.title")

    with pytest.raises(PageError) as caught:
        browser.run(crash())
    assert caught.value.kind in ("crash", "timeout")
    assert browser.load(f"{site}/normal")["status"] == 200


def test_a_browser_that_dies_is_started_again(browser: Driven, site: str) -> None:
    assert browser.load(f"{site}/normal")["status"] == 200
    engine: Any = browser.engine
    if engine.name == "playwright":

        async def browser_pid() -> int:
            cdp = await engine._browser.new_browser_cdp_session()
            info = await cdp.send("SystemInfo.getProcessInfo")
            return int(next(p["id"] for p in info["processInfo"] if p["type"] == "browser"))

        doomed = [psutil.Process(browser.run(browser_pid()))]
    else:
        doomed = [
            child
            for session in engine._idle
            for child in psutil.Process(session.driver.service.process.pid).children()
        ]
    assert doomed
    for process in doomed:
        with contextlib.suppress(psutil.Error):
            process.kill()
    time.sleep(0.5)
    # The engine notices, starts a browser again and loads the address as if nothing happened.
    assert [browser.load(f"{site}/normal?n={n}")["status"] for n in range(3)] == [200] * 3


def test_never_more_pages_open_than_the_concurrency(browser: Driven, site: str) -> None:
    engine: Any = browser.engine
    _Site.peak = 0
    open_now = 0
    peak = 0

    async def visit(n: int) -> int | None:
        nonlocal open_now, peak
        async with engine.open(f"{site}/slow?n={n}") as page:
            open_now += 1
            peak = max(peak, open_now)
            await asyncio.sleep(0.3)
            open_now -= 1
            return page.status

    async def many() -> list[int | None]:
        return await asyncio.gather(*(visit(n) for n in range(6)))

    assert browser.run(many()) == [200] * 6
    assert 1 <= peak <= engine.settings.concurrency
    assert engine.peak_in_use == engine.settings.concurrency
    assert _Site.peak == engine.settings.concurrency  # pages being loaded at the same time


@pytest.mark.parametrize("name", ["playwright", "selenium"])
def test_contexts_are_recycled_after_n_pages(name: str, site: str) -> None:
    driven = _driven(name, concurrency=1, recycle_context_every=2, network_idle_seconds=0)
    try:
        engine: Any = driven.engine
        for n in range(5):
            assert driven.load(f"{site}/other?n={n}")["status"] == 200
        # 5 pages, 2 per context (or Selenium session): pages 1-2, 3-4, then 5.
        assert engine.contexts_created == 3
    finally:
        driven.run(driven.engine.close())
        driven.loop.close()


def test_both_engines_report_the_same_axe_rules(site: str) -> None:
    found: dict[str, tuple[list[str], list[str]]] = {}
    for name in ("playwright", "selenium"):
        driven = _driven(name, concurrency=1)

        async def audit(driven: Driven = driven) -> tuple[list[str], list[str]]:
            async with driven.engine.open(f"{site}/normal") as page:
                results = await page.run_axe(AXE_OPTIONS)
                excluded = await page.run_axe(AXE_OPTIONS, {"exclude": [["header"]]})
                assert results["testEngine"]["version"] == "4.12.1" or results["testEngine"]
                return (
                    sorted(rule["id"] for rule in results["violations"]),
                    sorted(rule["id"] for rule in excluded["violations"]),
                )

        try:
            found[name] = driven.run(audit())
        finally:
            driven.run(driven.engine.close())
            driven.loop.close()
    assert found["playwright"] == found["selenium"]
    everything, _ = found["playwright"]
    # Defects of the page itself and of the button inside its iframe.
    assert {"image-alt", "label", "color-contrast", "button-name"} <= set(everything)


def test_a_missing_browser_is_reported_clearly() -> None:
    for name in ("playwright", "selenium"):
        engine = make_engine(_settings(chromium_path=Path("/nowhere/chromium")), name)
        with pytest.raises(
            RuntimeError, match=r"Chromium not found at /nowhere/chromium: run `make install`"
        ):
            asyncio.run(engine.start())
    engine = make_engine(_settings(chromedriver_path=Path("/nowhere/chromedriver")), "selenium")
    with pytest.raises(RuntimeError, match=r"chromedriver not found at /nowhere/chromedriver"):
        asyncio.run(engine.start())


@pytest.mark.parametrize("name", ["playwright", "selenium"])
def test_chromium_runs_with_the_configured_v8_flags(name: str, site: str) -> None:
    # A value no other browser of the test run uses, so the process found is this one's.
    flags = "--no-opt --max-semi-space-size=23"
    driven = _driven(name, chromium_js_flags=flags)
    try:
        assert driven.load(f"{site}/normal")["status"] == 200
        command_lines = (p.info["cmdline"] or [] for p in psutil.process_iter(["cmdline"]))
        assert any(f"--js-flags={flags}" in line for line in command_lines)
    finally:
        driven.run(driven.engine.close())
        driven.loop.close()
