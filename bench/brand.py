"""Benchmark of the branding check: milliseconds per page, in the same visit as axe.

The check runs on a page already loaded by the engine, so what it adds to a page audit is
its own time: one script over the rendered DOM, one logo screenshot, one favicon request
(cached per run) and the judging in Python. Measured on the demo's clean and drifting
pages and on a synthetic page of 6,000 elements (the script reads at most 5,000 plus the
footer). Target: under 300 ms a page at the median on the big page.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._serve import serve_html
from crawlers.checks.branding import CHECK
from crawlers.context import RunContext
from crawlers.discovery import HostPolicy, make_client
from crawlers.engines import make_engine
from demo import DemoSite
from monitor.config import load_config
from monitor.settings import Settings

PROJECT = Path(__file__).resolve().parents[1]
REPEATS = 10
TARGET_MEDIAN_MS = 300.0


def _big_page() -> bytes:
    rows = "".join(
        f'<div class="row"><p>Row {i} <a href="/r{i}">link</a> <span>more</span></p>'
        '<button class="button">Go</button></div>'
        for i in range(1500)
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><title>Big - Example County Council</title>"
        "<style>body{font-family:Arial;color:#0b0c0c}a{color:#1d5fa8}"
        ".button{background:#00703c;color:#fff}</style></head><body>"
        f"<header><a href='/'>Home</a></header><main>{rows}</main>"
        "<footer><a href='/accessibility'>Accessibility</a></footer></body></html>"
    ).encode()


async def _measure(settings: Settings, urls: dict[str, str]) -> dict[str, Any]:
    config = load_config(PROJECT / "config")
    results: dict[str, Any] = {}
    engine = make_engine(settings)
    await engine.start()
    try:
        for name, url in urls.items():
            times = []
            async with engine.open(url) as page, make_client(settings) as client:
                # Shared like a run's: the favicon is asked once.
                run = RunContext(
                    settings=settings,
                    http=HostPolicy(settings, client),
                    brand=config.brand,
                    config_dir=config.directory,
                )
                for _ in range(REPEATS):
                    started = time.perf_counter()
                    findings = (await CHECK.run(page, run.for_page(service_id="bench"))).findings
                    times.append((time.perf_counter() - started) * 1000)
            results[name] = {
                "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
                "findings": len(findings),
            }
    finally:
        await engine.close()
    return results


def run() -> dict[str, Any]:
    site = DemoSite(port=0).start()
    try:
        with serve_html(_big_page()) as big_url, tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), config_dir=PROJECT / "config")
            pages = asyncio.run(
                _measure(
                    settings,
                    {
                        "clean": site.base_url + "/join-the-library",
                        "supplier": site.supplier_url + "/pay-a-parking-fine",
                        "big_6000_elements": big_url,
                    },
                )
            )
    finally:
        site.stop()
    big = pages["big_6000_elements"]["median_ms"]
    return {
        "pages": pages,
        "target_median_ms": TARGET_MEDIAN_MS,
        "meets_target": big <= TARGET_MEDIAN_MS,
    }
