"""The whole product auditing the 200-page benchmark site, against the bare axe loop.

In one run, on the same generated site (``demo.bench_site``, council layout):

- ``floor``: one warm Playwright page doing goto + axe.run, nothing else (the plain
  per-page axe loop), in Chromium launched with the standard headless flags;
- ``first``: ``monitor audit`` of a fresh database with shared furniture on, at the
  default pool of pages;
- ``plain``: the same with shared furniture and the axe speedups off, i.e. plain axe-core
  on every whole page (its findings are the reference);
- where the gain comes from: the floor in Chromium launched as the product launches it
  (with ``MONITOR_CHROMIUM_JS_FLAGS``), the first audit without those flags, and the first
  audit without the axe speedups (``MONITOR_AXE_SPEEDUPS``);
- ``second``: the audit again over the unchanged site (pages revalidated over HTTP);
- ``changed``: after editing 10 % of the pages, which pages were audited again, and whether
  the findings equal a full audit's (``full``).

This machine's speed drifts by a fifth within minutes, so the floor and the first audit are
each measured three times, alternately (floor, first, floor, first, ...), and compared by
the best time of each (noise only ever adds time); the ratio of each adjacent pair is
recorded too.
The article layout (a long text fills almost every page; the worst case for shared
furniture) is measured the same way on fewer pages. Only the axe check runs (every other
check is switched off) so every row does the same accessibility work as the floor.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.audit_engines import MemorySampler, _bare_loop
from demo.bench_site import BenchSite, Layout
from monitor.audit import AuditRequest, start_audit
from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.repository import Repository
from monitor.settings import Settings

PAGES = 200
ATTEMPTS = ("a", "b", "c")
ARTICLE_PAGES = 60
CONFIG_ROOT = Path(__file__).resolve().parents[1] / "config"
#: What issue 10 asks of the product on this site.
TARGETS = {"first_vs_floor": 1.5, "second_vs_first": 5.0}


def _config_dir(folder: Path, base_url: str, pages: int = PAGES) -> Path:
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
        f"    include: ['^/services/page-']\n    max_pages: {pages}\n"
        "    checks: {branding: false, links: false, keyboard: false, reflow: false,\n"
        "             page-structure: false, documents: false, statement: false}\n"
    )
    return config


def _findings(repository: Repository, run_id: int) -> set[tuple[str, str, str]]:
    urls = {p.id: p.url for p in repository.pages("bench")}
    return {(urls[f.page_id], f.rule, f.snippet) for f in repository.findings(run_id)}


class _Bench:
    """One generated site, its config, and timed audits into databases under ``folder``."""

    def __init__(self, folder: Path, site: BenchSite, config: CouncilConfig) -> None:
        self.folder = folder
        self.site = site
        self.config = config
        self.pages = site.pages

    def floor(self, flags: list[str] | None = None) -> float:
        started = time.perf_counter()
        asyncio.run(_bare_loop(Settings(data_dir=self.folder), self.site.urls, flags))
        return time.perf_counter() - started

    def audit(self, db: str, request: AuditRequest, **overrides: Any) -> dict[str, Any]:
        where = self.folder / db
        settings = Settings(data_dir=where, database_url=f"sqlite:///{where / 'm.db'}", **overrides)
        upgrade(settings.database_url)
        repository = Repository(settings.database_url)
        with MemorySampler() as memory:
            began = time.perf_counter()
            run = start_audit(settings, self.config, repository, request)
            seconds = time.perf_counter() - began
        assert run.id is not None
        results = repository.page_results(run.id)
        return {
            "seconds": round(seconds, 1),
            "per_page_ms": round(seconds / self.pages * 1000),
            "audited": run.pages_audited,
            "carried": run.pages_carried,
            "revalidated_over_http": sum(1 for r in results if r.revalidated),
            "failed": run.pages_failed,
            "peak_memory_mb": round(memory.peak / 1e6),
            "concurrency": settings.concurrency,
            "_repository": repository,
            "_run": run.id,
        }

    def first_against_floor(self, prefix: str) -> dict[str, Any]:
        """Floor, first, floor, first, ...: each measured ``len(ATTEMPTS)`` times, alternately."""
        floors: list[float] = []
        firsts: list[dict[str, Any]] = []
        for attempt in ATTEMPTS:
            floors.append(self.floor())
            firsts.append(self.audit(f"{prefix}first-{attempt}", AuditRequest()))
        floor = min(floors)
        first = min(f["seconds"] for f in firsts)
        return {
            "floor": {
                "seconds": [round(s, 1) for s in floors],
                "per_page_ms": round(floor / self.pages * 1000),
            },
            "first": {
                **{k: v for k, v in firsts[-1].items() if not k.startswith("_")},
                "seconds": [f["seconds"] for f in firsts],
                "per_page_ms": round(first / self.pages * 1000),
            },
            "first_vs_floor_speedup": round(floor / first, 2),
            "pair_speedups": [
                round(f / a["seconds"], 2) for f, a in zip(floors, firsts, strict=True)
            ],
            "_last": firsts[-1],
            "_first_seconds": first,
        }


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _with_site(layout: Layout, pages: int, work: Any) -> dict[str, Any]:
    site = BenchSite(pages=pages, layout=layout)
    base = site.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
            folder = Path(tmp)
            config = load_config(_config_dir(folder, base, pages))
            result: dict[str, Any] = work(_Bench(folder, site, config))
            return result
    finally:
        site.stop()


def _council(bench: _Bench) -> dict[str, Any]:
    results: dict[str, Any] = {
        "pages": bench.pages,
        "average_page_kb": round(
            sum(len(bench.site.body(n)) for n in range(bench.pages)) / bench.pages / 1000, 1
        ),
    }
    compared = bench.first_against_floor("council-")
    results["floor"], results["first_shared_pool"] = compared["floor"], compared["first"]
    first, first_seconds = compared["_last"], compared["_first_seconds"]
    plain = bench.audit("plain", AuditRequest(), shared_furniture=False, axe_speedups=False)
    results["plain_pool"] = _public(plain)
    product_flags = Settings().browser_flags
    results["floor_with_product_flags"] = {"seconds": round(bench.floor(product_flags), 1)}
    default_v8 = bench.audit("council-first-default-v8", AuditRequest(), chromium_js_flags="")
    results["first_without_js_flags"] = _public(default_v8)
    slow_axe = bench.audit("council-first-plain-axe", AuditRequest(), axe_speedups=False)
    results["first_without_axe_speedups"] = _public(slow_axe)

    # The second, changed and full audits continue the last first audit's database.
    db = f"council-first-{ATTEMPTS[-1]}"
    second = bench.audit(db, AuditRequest())
    results["second_unchanged"] = _public(second)
    changed = set(bench.site.change(0.1))
    third = bench.audit(db, AuditRequest())
    results["after_10_percent_changed"] = _public(third)
    full = bench.audit(db, AuditRequest(full=True))
    results["full_after_change"] = _public(full)

    repo: Repository = third["_repository"]
    urls = {p.id: p.url for p in repo.pages("bench")}
    audited = {urls[r.page_id] for r in repo.page_results(third["_run"]) if r.status == "audited"}
    speedups = {
        "first_vs_floor": compared["first_vs_floor_speedup"],
        "second_vs_first": round(first_seconds / second["seconds"], 2),
    }
    results["checks"] = {
        "optimised_equals_plain": _findings(first["_repository"], first["_run"])
        == _findings(plain["_repository"], plain["_run"]),
        "same_findings_without_js_flags": _findings(default_v8["_repository"], default_v8["_run"])
        == _findings(plain["_repository"], plain["_run"]),
        "same_findings_without_axe_speedups": _findings(slow_axe["_repository"], slow_axe["_run"])
        == _findings(plain["_repository"], plain["_run"]),
        "changed_pages": len(changed),
        "audited_again_are_the_changed": audited == {bench.site.urls[i] for i in changed},
        "incremental_equals_full": _findings(repo, third["_run"]) == _findings(repo, full["_run"]),
        "first_vs_floor_speedup": speedups["first_vs_floor"],
        "first_vs_floor_pair_speedups": compared["pair_speedups"],
        "second_vs_first_speedup": speedups["second_vs_first"],
        "targets": TARGETS,
        "targets_met": {name: speedups[name] >= goal for name, goal in TARGETS.items()},
    }
    return results


def _article(bench: _Bench) -> dict[str, Any]:
    compared = bench.first_against_floor("article-")
    return {
        "pages": bench.pages,
        "floor": compared["floor"],
        "first_shared_pool": compared["first"],
        "first_vs_floor_speedup": compared["first_vs_floor_speedup"],
        "pair_speedups": compared["pair_speedups"],
    }


def run() -> dict[str, Any]:
    results = _with_site("council", PAGES, _council)
    results["article_layout"] = _with_site("article", ARTICLE_PAGES, _article)
    return results
