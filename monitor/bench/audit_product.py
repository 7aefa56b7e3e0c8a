"""The whole product auditing the 200-page benchmark site, against the bare axe loop.

In one run, on the same generated site (``monitor.demo.bench_site``):

- ``floor``: one warm Playwright page doing goto + axe.run, nothing else;
- ``plain``: ``monitor audit`` with every optimisation off, one page at a time: the
  product's own overhead (discovery, storage, issue tracking) next to axe itself;
- ``first``: the first audit with shared furniture on, at 1 page and at the default pool;
- ``second``: the same audit again over the unchanged site (pages carried forward);
- ``changed``: after editing 10 % of the pages, which pages were audited again, and whether
  the findings equal a full audit's.

Only the axe check runs (every other check is switched off) so every row does the same
accessibility work as the floor.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from monitor.audit import AuditRequest, start_audit
from monitor.bench.audit_engines import MemorySampler, _bare_loop
from monitor.config import load_config
from monitor.db import upgrade
from monitor.demo.bench_site import BenchSite
from monitor.repository import Repository
from monitor.settings import Settings

PAGES = 200
CONFIG_ROOT = Path(__file__).resolve().parents[2] / "config"


def _config_dir(folder: Path, base_url: str) -> Path:
    config = folder / "config"
    (config / "brand").mkdir(parents=True)
    (config / "brand.yaml").write_text((CONFIG_ROOT / "brand.yaml").read_text())
    (config / "brand" / "logo.png").write_bytes((CONFIG_ROOT / "brand" / "logo.png").read_bytes())
    (config / "measures.yaml").write_text(
        (CONFIG_ROOT / "measures.yaml").read_text().split("overrides:")[0]
    )
    (config / "services.yaml").write_text(
        "services:\n  - id: bench\n    name: Benchmark service\n"
        "    owner: {name: Web team, email: web@example.gov.uk}\n"
        f"    start_urls: ['{base_url}/services/page-0']\n"
        f"    sitemaps: ['{base_url}/sitemap.xml']\n"
        f"    include: ['^/services/page-']\n    max_pages: {PAGES}\n"
        "    checks: {branding: false, links: false, keyboard: false, reflow: false,\n"
        "             page-structure: false, documents: false, statement: false}\n"
    )
    return config


def _findings(repository: Repository, run_id: int) -> set[tuple[str, str, str]]:
    urls = {p.id: p.url for p in repository.pages("bench")}
    return {(urls[f.page_id], f.rule, f.snippet) for f in repository.findings(run_id)}


def run() -> dict[str, Any]:
    site = BenchSite(pages=PAGES)
    base = site.start()
    results: dict[str, Any] = {"pages": PAGES}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
            folder = Path(tmp)
            config = load_config(_config_dir(folder, base))
            defaults = Settings(data_dir=folder)

            started = time.perf_counter()
            asyncio.run(_bare_loop(defaults, site.urls))
            floor = time.perf_counter() - started
            results["floor"] = {
                "seconds": round(floor, 1),
                "per_page_ms": round(floor / PAGES * 1000),
            }

            def audit(name: str, request: AuditRequest, **overrides: Any) -> tuple[Repository, int]:
                where = folder / overrides.pop("db", name)
                settings = Settings(
                    data_dir=where, database_url=f"sqlite:///{where / 'm.db'}", **overrides
                )
                upgrade(settings.database_url)
                repository = Repository(settings.database_url)
                with MemorySampler() as memory:
                    began = time.perf_counter()
                    run = start_audit(settings, config, repository, request)
                    seconds = time.perf_counter() - began
                assert run.id is not None
                results[name] = {
                    "seconds": round(seconds, 1),
                    "per_page_ms": round(seconds / PAGES * 1000),
                    "vs_floor": round(seconds / floor, 2),
                    "audited": run.pages_audited,
                    "carried": run.pages_carried,
                    "failed": run.pages_failed,
                    "peak_memory_mb": round(memory.peak / 1e6),
                    "concurrency": settings.concurrency,
                }
                return repository, run.id

            plain_repo, plain_run = audit(
                "plain_1_page", AuditRequest(), concurrency=1, shared_furniture=False
            )
            shared_repo, shared_run = audit(
                "first_shared_1_page", AuditRequest(), concurrency=1, shared_furniture=True
            )
            repo, _ = audit("first_shared_pool", AuditRequest(), db="pool")
            audit("second_unchanged", AuditRequest(), db="pool")
            changed = set(site.change(0.1))
            _, third = audit("after_10_percent_changed", AuditRequest(), db="pool")
            _, full = audit("full_after_change", AuditRequest(full=True), db="pool")

            urls = {p.id: p.url for p in repo.pages("bench")}
            audited = {urls[r.page_id] for r in repo.page_results(third) if r.status == "audited"}
            results["checks"] = {
                "optimised_equals_plain": _findings(shared_repo, shared_run)
                == _findings(plain_repo, plain_run),
                "changed_pages": len(changed),
                "audited_again_are_the_changed": audited == {site.urls[i] for i in changed},
                "incremental_equals_full": _findings(repo, third) == _findings(repo, full),
                "first_vs_floor_speedup": round(floor / results["first_shared_pool"]["seconds"], 2),
                "second_vs_first_speedup": round(
                    results["first_shared_pool"]["seconds"]
                    / results["second_unchanged"]["seconds"],
                    2,
                ),
                "product_overhead_vs_floor": results["plain_1_page"]["vs_floor"],
            }
    finally:
        site.stop()
    return results
