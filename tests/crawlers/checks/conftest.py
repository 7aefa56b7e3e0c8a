"""Shared fixtures of the check tests: the demo site, a local site of our own pages and a
started browser engine (one per test module), all on 127.0.0.1."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from crawlers.base import BrowserEngine, FindingData
from crawlers.browser_state import SessionState
from crawlers.check import PageCheck
from crawlers.context import PageContext, RunContext
from crawlers.discovery import HostPolicy, make_client
from crawlers.engines import make_engine
from crawlers.pipeline import PageOutcome, audit_page
from crawlers.spa import settle
from demo import DemoSite
from demo.account import SESSION_COOKIE
from monitor.config import SpaConfig
from monitor.settings import Settings


def check_settings() -> Settings:
    return Settings(
        concurrency=1,
        page_timeout_seconds=15.0,
        network_idle_seconds=0.3,
        recycle_context_every=500,
    )


class LocalSite:
    """Pages of our own, served from memory: ``site.pages[path] = html``."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path not in pages:
                    self.send_error(404)
                    return
                content_type, body = pages[path]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(
        self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8"
    ) -> str:
        self.pages[path] = (content_type, body.encode() if isinstance(body, str) else body)
        return self.base_url + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def local_site() -> Iterator[LocalSite]:
    site = LocalSite()
    yield site
    site.close()


@pytest.fixture(scope="session")
def demo() -> Iterator[DemoSite]:
    with DemoSite(port=0, slow_page_seconds=0.1) as site:
        yield site


class Browser:
    """A started engine, an HTTP client and their event loop, for plain (non-async) tests."""

    def __init__(self, engine: BrowserEngine) -> None:
        self.engine = engine
        self.loop = asyncio.new_event_loop()
        self.settings = engine.settings
        self.client = make_client(self.settings)
        self.run_context = RunContext(
            settings=self.settings, http=HostPolicy(self.settings, self.client)
        )

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(work, 120))

    def context(self, service_id: str = "test") -> PageContext:
        return self.run_context.for_page(service_id=service_id)

    def outcome(
        self,
        checks: list[PageCheck],
        url: str,
        *,
        session: SessionState | None = None,
        app: bool = False,
    ) -> PageOutcome:
        """Open ``url`` and put it through the page pipeline with these checks (in a
        signed-in ``session``; ``app``: a single-page app's route, once its view settled)."""

        async def visit() -> PageOutcome:
            async with self.engine.open(url, session=session) as page:
                if app:
                    await settle(page, SpaConfig())
                return await audit_page(page, checks, self.context())

        result: PageOutcome = self.run(visit())
        return result

    def check(self, check: PageCheck, url: str) -> list[FindingData]:
        """Open ``url`` and run one check on it, through the page pipeline; a check error
        fails the test."""
        outcome = self.outcome([check], url)
        assert not outcome.check_errors, outcome.check_errors
        assert check.name in outcome.ran, outcome.skipped
        return outcome.findings

    def checks_then(self, check: PageCheck, url: str, after: str) -> tuple[list[FindingData], Any]:
        """Run a check, then a script on the same page: what the check left behind."""

        async def visit() -> tuple[list[FindingData], Any]:
            async with self.engine.open(url) as page:
                outcome = await audit_page(page, [check], self.context())
                assert not outcome.check_errors, outcome.check_errors
                return outcome.findings, await page.evaluate(after)

        result: tuple[list[FindingData], Any] = self.run(visit())
        return result


def start_browser(engine_name: str = "playwright") -> Browser:
    engine = make_engine(check_settings(), engine_name)
    browser = Browser(engine)
    browser.run(engine.start())
    return browser


def stop_browser(browser: Browser) -> None:
    browser.run(browser.engine.close())
    browser.run(browser.client.aclose())
    browser.loop.close()


def rules(findings: list[FindingData]) -> set[tuple[str, tuple[str, ...]]]:
    return {(f.rule, f.wcag) for f in findings}


def demo_url(demo: DemoSite, host: str, path: str) -> str:
    return (demo.supplier_url if host == "supplier" else demo.base_url) + path


def demo_session(demo: DemoSite) -> SessionState:
    """A signed-in session of the demo account, as the sign-in recipe would leave it."""
    cookie = {"name": SESSION_COOKIE, "value": demo.accounts.start_session()}
    return SessionState.build(
        "my-account", 1, [{**cookie, "domain": "127.0.0.1", "path": "/"}], {}, [demo.base_url]
    )


def demo_html_pages(demo: DemoSite) -> list[tuple[str, str, str | None]]:
    """``(host, path, service)`` of every demo page that answers 200 with HTML."""
    return [
        (p.host, p.path, p.service)
        for p in demo.manifest.pages
        if p.status == 200 and p.content_type == "text/html" and p.robots_allowed
    ]


def expected_demo_defects(demo: DemoSite, check: str) -> set[tuple[str, str, str]]:
    """``(host, path, rule)`` of the manifest's defects found by ``check``."""
    return {(d.host, d.path, d.rule) for d in demo.manifest.defects if d.check == check}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """The product's engine, started once per test module."""
    started = start_browser()
    yield started
    stop_browser(started)
