"""What one PostgreSQL server holds: pages recorded a second, by how many workers write.

Every Celery worker records each page it audits in one transaction (its result, its
findings, each new finding written and each one seen again extending its stretch). This
benchmark does exactly that, through the repository the workers use, from 1, 2, 4 and 8
writer processes at once into a durable PostgreSQL (its own defaults: fsync on, as a
council's server runs), with no browser: so the figure is the store's limit, not the
audit's. Two nights per count: the first (every finding new) and the next (every finding
seen again), then the service's issues are updated as the coordinator does after a run.

Each page carries ``FINDINGS`` findings (the 10,000-page estate averages about 17). The
database's growth over the two nights is reported per 10,000 pages. ``BENCH_STORE_PAGES``
sets how many pages each night records (default 2,000). On this 2-core machine
PostgreSQL and the writers share the cores, so the figures are a floor for a server of
its own.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from typing import Any

from sqlalchemy import text

PAGES = int(os.environ.get("BENCH_STORE_PAGES", "2000"))
WRITERS = (1, 2, 4, 8)
FINDINGS = 17
SERVICE = "bench"


def _findings(page: int) -> list[Any]:
    from crawlers.base import FindingData

    rules = ("color-contrast", "link-name", "image-alt", "label", "region", "target-size")
    return [
        FindingData(
            check="axe",
            rule=rules[n % len(rules)],
            message=f"Finding {n} of the page",
            wcag=("1.4.3",),
            impact="serious" if n % 3 else "moderate",
            selector=f"main > div:nth-child({n + 1}) > a",
            snippet=f'<a href="/page-{page}/link-{n}">Link {n}</a>',
            help_url="https://dequeuniversity.com/rules/axe/4.12/color-contrast",
        )
        for n in range(FINDINGS)
    ]


def _write(url: str, run_id: int, page_ids: list[int], latencies: Any, spans: Any) -> None:
    """One worker: record its pages one transaction each, as a Celery worker does."""
    from monitor.models import PageResult, PageStatus
    from monitor.repository import Repository

    repository = Repository(url)
    repository.run(run_id)  # connected before the clock starts, as a warm worker is
    started = time.time()
    for page_id in page_ids:
        began = time.perf_counter()
        repository.record_page(
            PageResult(
                run_id=run_id,
                page_id=page_id,
                service_id=SERVICE,
                status=PageStatus.audited,
                http_status=200,
                title=f"Page {page_id} - Example County Council",
                fingerprint=f"fingerprint-{page_id}",
                load_ms=800,
                checks_ms=1200,
            ),
            _findings(page_id),
            versions="axe=4.12",
        )
        latencies.append(time.perf_counter() - began)
    spans.append((started, time.time()))


def _night(url: str, writers: int, page_ids: list[int]) -> dict[str, Any]:
    from monitor.models import RunStatus
    from monitor.repository import Repository

    repository = Repository(url)
    run = repository.create_run(service_ids=[SERVICE])
    assert run.id is not None
    repository.start_run(run.id, holder="bench")
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        latencies, spans = manager.list(), manager.list()
        shares = [page_ids[i::writers] for i in range(writers)]
        processes = [
            context.Process(target=_write, args=(url, run.id, share, latencies, spans))
            for share in shares
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        # From the first writer's first page to the last one's last: process start-up
        # (imports, a connection) is not the store's time.
        seconds = max(end for _, end in spans) - min(start for start, _ in spans)
        times = sorted(latencies)
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    began = time.perf_counter()
    repository.update_issues(run.id, SERVICE)
    issues_seconds = time.perf_counter() - began
    repository.finish_run(run.id, RunStatus.completed)
    return {
        "pages": len(times),
        "seconds": round(seconds, 1),
        "pages_per_second": round(len(times) / seconds, 1),
        "record_ms_median": round(1000 * statistics.median(times), 1),
        "record_ms_p95": round(1000 * times[int(0.95 * (len(times) - 1))], 1),
        "update_issues_seconds": round(issues_seconds, 1),
    }


def _size_mb(url: str) -> float:
    from monitor.db import engine_for

    with engine_for(url).connect() as connection:
        size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
    return round(int(size or 0) / 1e6, 1)


def run() -> dict[str, Any]:
    from monitor.config import ServiceConfig
    from monitor.db import engine_for, upgrade
    from monitor.models import RunStatus
    from monitor.repository import Repository
    from tests.servers import postgres_server

    results: dict[str, Any] = {"pages": PAGES, "findings_a_page": FINDINGS, "cpus": os.cpu_count()}
    load_before = os.getloadavg()[0]
    with postgres_server(durable=True) as admin_url:
        for writers in WRITERS:
            name = f"store_{writers}"
            with (
                engine_for(admin_url)
                .connect()
                .execution_options(isolation_level="AUTOCOMMIT") as connection
            ):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = admin_url.rsplit("/", 1)[0] + f"/{name}"
            upgrade(url)
            repository = Repository(url)
            repository.sync_services(
                [
                    ServiceConfig.model_validate(
                        {
                            "id": SERVICE,
                            "name": "Benchmark service",
                            "owner": {"name": "Web team", "email": "web@example.gov.uk"},
                            "start_urls": ["https://www.example.gov.uk/"],
                        }
                    )
                ]
            )
            # The addresses, as discovery stores them (with a run of their own).
            setup = repository.create_run(service_ids=[SERVICE])
            assert setup.id is not None
            pages = repository.add_pending_pages(
                setup.id,
                SERVICE,
                [(f"https://www.example.gov.uk/page-{n}", "html", 1) for n in range(PAGES)],
            )
            repository.finish_run(setup.id, RunStatus.cancelled)
            page_ids = [p.id for p in pages if p.id is not None]
            empty_mb = _size_mb(url)
            first = _night(url, writers, page_ids)
            again = _night(url, writers, page_ids)
            results[f"{writers}_writers"] = {
                "first_night": first,
                "next_night_unchanged": again,
                "database_mb_per_10000_pages_after_two_nights": round(
                    (_size_mb(url) - empty_mb) * 10_000 / PAGES, 1
                ),
            }
            print(writers, results[f"{writers}_writers"], flush=True)
    results["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
