"""Benchmark of the checks beyond axe: milliseconds per page, against axe on the same pages.

``scan`` is the shared read-only scan alone (one call into the page that several checks
read); in an audit its cost is paid once, by the first scan check to run.

Each demo page is loaded once and goes through the page pipeline with every page check on
that one visit, as in a real audit; each check's time is the pipeline's own measure, and
axe's time on the same page is the baseline. Also measured: a synthetic page of
about 6,000 elements (1,500 rows of text, links and buttons), the documents check on the
demo's PDF and the statement service check on the demo council's statement.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from bench._serve import serve_html
from crawlers.base import LoadedPage
from crawlers.checks import page_checks
from crawlers.checks._scan import page_scan
from crawlers.checks.documents import CHECK as DOCUMENTS
from crawlers.checks.statement import CHECK as STATEMENT
from crawlers.context import PageContext, RecordedPage, RunContext, ServiceEvidence
from crawlers.discovery import HostPolicy, make_client
from crawlers.engines import make_engine
from crawlers.pipeline import audit_page
from demo import DemoSite
from monitor.settings import Settings

#: Every page check but links (HTTP requests, measured by the audit benchmarks) and
#: branding (its own benchmark). The checks that read the shared scan are charged its cost
#: only once, by the first of them to run (forms); ``scan_ms`` measures the scan alone.
CHECKS: list[Any] = [c for c in page_checks() if c.name not in ("links", "branding")]
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
    started = time.perf_counter()
    await page_scan(page)
    scan_ms = (time.perf_counter() - started) * 1000
    page.__dict__.pop("_scan", None)  # the checks take it again, as in an audit
    outcome = await audit_page(page, CHECKS, context)
    if outcome.check_errors:
        raise RuntimeError(f"a check failed on {page.url}: {outcome.check_errors}")
    return {"scan": scan_ms} | {name: float(ms) for name, ms in outcome.check_ms.items()}


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
    demo_samples: dict[str, list[float]] = {"scan": []} | {c.name: [] for c in CHECKS}
    big_samples: dict[str, list[float]] = {"scan": []} | {c.name: [] for c in CHECKS}
    pages = [
        (site.supplier_url if p.host == "supplier" else site.base_url) + p.path
        for p in site.manifest.pages
        if p.status == 200 and p.content_type == "text/html" and p.robots_allowed
    ]
    async with make_client(settings) as client, engine:
        http = HostPolicy(settings, client)
        run = RunContext(settings=settings, http=http)
        context = run.for_page(service_id="bench")
        for _ in range(REPEATS):
            for url in pages:
                async with engine.open(url) as page:
                    for name, ms in (await _time_checks(page, context)).items():
                        demo_samples[name].append(ms)
            async with engine.open(big_url) as page:
                for name, ms in (await _time_checks(page, context)).items():
                    big_samples[name].append(ms)
        fetched = await http.fetch(site.base_url + "/documents/admissions-guide.pdf")
        started = time.perf_counter()
        for _ in range(20):
            await DOCUMENTS.run_document(fetched.url, fetched.body, "application/pdf", context)
        document_ms = (time.perf_counter() - started) * 1000 / 20
        statement = site.base_url + "/accessibility-statement"
        evidence = ServiceEvidence(
            service_id="bench",
            pages=[RecordedPage(site.base_url + "/", "html", statement_links=(statement,))],
        )
        started = time.perf_counter()
        for _ in range(5):
            await STATEMENT.run_service(evidence, run)
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
