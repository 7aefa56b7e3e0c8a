"""Benchmark of the checks beyond axe: milliseconds per page, against axe on the same pages.

Each demo page is loaded once and every page check runs on that one visit, as in a real
audit; axe's time on the same page is the baseline. Also measured: a synthetic page of
about 6,000 elements (1,500 rows of text, links and buttons), the documents check on the
demo's PDF and the statement service check on the demo council's statement.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from crawlers.base import LoadedPage, PageContext
from crawlers.checks.axe import CHECK as AXE
from crawlers.checks.documents import CHECK as DOCUMENTS
from crawlers.checks.keyboard import CHECK as KEYBOARD
from crawlers.checks.page_structure import CHECK as PAGE_STRUCTURE
from crawlers.checks.reflow import CHECK as REFLOW
from crawlers.checks.statement import CHECK as STATEMENT
from crawlers.discovery import HostPolicy, make_client
from crawlers.engines import make_engine
from monitor.bench._serve import serve_html
from monitor.demo import DemoSite
from monitor.settings import Settings

CHECKS: list[Any] = [AXE, PAGE_STRUCTURE, KEYBOARD, REFLOW]
REPEATS = 3


def _big_page() -> bytes:
    rows = "".join(
        f'<div class="row"><p>Row {i} of the list <a href="/r{i}">link {i}</a></p>'
        '<button class="button">Go</button></div>'
        for i in range(1500)
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><title>Big - Example County Council</title>"
        "<style>a:focus,button:focus{outline:3px solid #fd0}</style></head><body>"
        "<a href='#main'>Skip to main content</a><header><a href='/'>Home</a></header>"
        f"<main id='main'>{rows}</main>"
        "<footer><a href='/accessibility'>Accessibility</a></footer></body></html>"
    ).encode()


async def _time_checks(page: LoadedPage, context: PageContext) -> dict[str, float]:
    times = {}
    for check in CHECKS:
        started = time.perf_counter()
        await check.run(page, context)
        times[check.name] = (time.perf_counter() - started) * 1000
    return times


def _summary(samples: dict[str, list[float]]) -> dict[str, Any]:
    axe = statistics.median(samples["axe"]) or 1.0
    return {
        name: {
            "median_ms": round(statistics.median(values), 1),
            "max_ms": round(max(values), 1),
            "vs_axe": round(statistics.median(values) / axe, 2),
        }
        for name, values in samples.items()
    }


async def _bench(site: DemoSite, big_url: str) -> dict[str, Any]:
    settings = Settings(concurrency=1, network_idle_seconds=0.3)
    engine = make_engine(settings)
    demo_samples: dict[str, list[float]] = {c.name: [] for c in CHECKS}
    big_samples: dict[str, list[float]] = {c.name: [] for c in CHECKS}
    pages = [
        (site.supplier_url if p.host == "supplier" else site.base_url) + p.path
        for p in site.manifest.pages
        if p.status == 200 and p.content_type == "text/html" and p.robots_allowed
    ]
    async with make_client(settings) as client, engine:
        context = PageContext(
            service_id="bench",
            run_id=None,
            settings=settings,
            extras={"host_policy": HostPolicy(settings, client), "page_titles": {}},
        )
        for _ in range(REPEATS):
            for url in pages:
                async with engine.open(url) as page:
                    for name, ms in (await _time_checks(page, context)).items():
                        demo_samples[name].append(ms)
            async with engine.open(big_url) as page:
                for name, ms in (await _time_checks(page, context)).items():
                    big_samples[name].append(ms)
        fetched = await context.extras["host_policy"].fetch(
            site.base_url + "/documents/admissions-guide.pdf"
        )
        started = time.perf_counter()
        for _ in range(20):
            await DOCUMENTS.run_document(fetched.url, fetched.body, "application/pdf", context)
        document_ms = (time.perf_counter() - started) * 1000 / 20
        statement_context = PageContext(
            service_id="bench",
            run_id=None,
            settings=settings,
            extras={
                "host_policy": context.extras["host_policy"],
                "statement_links": {"bench": site.base_url + "/accessibility-statement"},
            },
        )
        started = time.perf_counter()
        for _ in range(5):
            await STATEMENT.run_service(statement_context)
        statement_ms = (time.perf_counter() - started) * 1000 / 5
    return {
        "demo_pages": len(pages),
        "repeats": REPEATS,
        "demo_per_page": _summary(demo_samples),
        "big_page": _summary(big_samples),
        "documents_ms_per_pdf": round(document_ms, 1),
        "statement_ms_per_service": round(statement_ms, 1),
    }


def run() -> dict[str, Any]:
    with serve_html(_big_page()) as big_url, DemoSite(port=0, slow_page_seconds=0.1) as site:
        return asyncio.run(_bench(site, big_url))


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
