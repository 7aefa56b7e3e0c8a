"""Fixtures for the branding tests: the demo site, a few hand-made pages, a real browser."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawlers.base import FindingData
from crawlers.checks.branding import CHECK
from crawlers.context import RunContext
from crawlers.discovery import HostPolicy, make_client
from crawlers.engines import make_engine
from crawlers.pipeline import audit_page
from demo import DemoSite
from monitor.config import BrandFile, ServiceConfig, load_config
from monitor.settings import Settings
from tests.conftest import CONFIG_DIR, PROJECT
from tests.crawlers.brand.pages import PAGES

FAVICON = PROJECT / "demo" / "static" / "favicon.ico"


def brand_settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp,
        "config_dir": CONFIG_DIR,
        "page_timeout_seconds": 15.0,
        "network_idle_seconds": 0.3,
    }
    values.update(overrides)
    return Settings(**values)


class BrandDriver:
    """A started browser engine and its event loop; ``check`` runs the branding check."""

    def __init__(self, engine_name: str, tmp: Path) -> None:
        self.settings = brand_settings(tmp)
        self.engine = make_engine(self.settings, engine_name)
        self.loop = asyncio.new_event_loop()
        self.brand: BrandFile = load_config(CONFIG_DIR).brand
        self.run(self.engine.start())

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(work, 90))

    def check(
        self,
        url: str,
        *,
        service: ServiceConfig | None = None,
        brand: BrandFile | None = None,
        evidence_dir: Path | None = None,
        run_id: int | None = 1,
    ) -> tuple[list[FindingData], dict[str, Any]]:
        """Findings and ``brand_result`` of one page, loaded once."""

        async def visit() -> tuple[list[FindingData], dict[str, Any]]:
            async with self.engine.open(url) as page, make_client(self.settings) as client:
                run = RunContext(
                    settings=self.settings,
                    run_id=run_id,
                    http=HostPolicy(self.settings, client),
                    brand=brand or self.brand,
                    config_dir=CONFIG_DIR,
                    evidence_dir=evidence_dir,
                )
                context = run.for_page(service, service_id=service.id if service else "test")
                outcome = await audit_page(page, [CHECK], context)
                assert not outcome.check_errors, outcome.check_errors
                assert outcome.brand is not None, outcome.skipped
                return outcome.findings, outcome.brand.as_result()

        result: tuple[list[FindingData], dict[str, Any]] = self.run(visit())
        return result

    def close(self) -> None:
        self.run(self.engine.close())
        self.loop.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrandDriver]:
    driver = BrandDriver("playwright", tmp_path_factory.mktemp("brand"))
    yield driver
    driver.close()


@pytest.fixture(scope="module")
def running_site() -> Iterator[DemoSite]:
    with DemoSite(port=0) as site:
        yield site


class _PagesHandler(BaseHTTPRequestHandler):
    """Serves ``pages.PAGES`` plus the council's logo and favicon."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in PAGES:
            self._send(200, "text/html; charset=utf-8", PAGES[path].encode())
        elif path == "/logo.png":
            self._send(200, "image/png", (CONFIG_DIR / "brand" / "logo.png").read_bytes())
        elif path == "/favicon.ico":
            self._send(200, "image/x-icon", FAVICON.read_bytes())
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def pages_url() -> Iterator[str]:
    """The hand-made pages of ``pages.py`` served on 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PagesHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
