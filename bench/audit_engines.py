"""How fast, and in how much memory, the browser engines audit a site of 200 council pages.

Measured on a generated local site (``demo.bench_site``, ~45 KB pages): a bare loop
(one warm Playwright page, goto + axe.run and nothing else: the floor), the Playwright engine
with pools of 1, 2 and 4 tabs and both ways of injecting axe-core, the Selenium engine, and
the Playwright engine's memory after 1,000 page visits against after 200. Memory is the sum
of the resident set sizes of this process and every browser/driver process under it,
sampled four times a second. ``recommended_concurrency`` is the smallest pool within 10 % of
the fastest.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

import psutil

from crawlers.axe_source import axe_script
from crawlers.base import BrowserEngine, PageError
from crawlers.engines import make_engine
from demo.bench_site import BenchSite
from monitor.settings import BROWSER_FLAGS, Settings

PAGES = 200


def _rss_by_kind(proportional: bool = False) -> dict[str, int]:
    """Bytes resident in this process and its descendants, by kind of process.

    A sum of RSS counts memory shared between Chromium's processes more than once, so it
    overstates the true footprint; it is what an operator's ``top`` adds up, and it is
    comparable between runs. ``proportional`` sums PSS instead (each shared page divided
    between the processes sharing it): the true footprint, used to judge growth.
    """
    me = psutil.Process()
    found = {"python": 0, "driver": 0, "chromium": 0}
    for proc in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            name = proc.name()
            kind = (
                "python"
                if proc.pid == me.pid
                else "chromium"
                if name.startswith("chrom") and "driver" not in name
                else "driver"  # Playwright's node driver, chromedriver
            )
            found[kind] += (
                getattr(proc.memory_full_info(), "pss", 0)
                if proportional
                else proc.memory_info().rss
            )
    return found


def _tree_rss() -> int:
    """Bytes resident in this process and all its descendants (driver, browsers)."""
    return sum(_rss_by_kind().values())


class MemorySampler:
    """Peak of ``_tree_rss`` while the ``with`` block runs."""

    def __init__(self, every: float = 0.25) -> None:
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss())
            self._stop.wait(self.every)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss())


def _axe_options(settings: Settings) -> dict[str, Any]:
    return {
        "runOnly": {"type": "tag", "values": list(settings.axe_tags)},
        "resultTypes": ["violations", "incomplete"],
    }


def _mb(value: int) -> float:
    return round(value / 1e6, 1)


async def _bare_loop(
    settings: Settings, urls: list[str], flags: list[str] | None = None
) -> dict[str, set[str]]:
    """The floor: one warm page, goto + axe.run, nothing else, in Chromium launched with
    the standard headless flags (or ``flags``)."""
    from playwright.async_api import async_playwright

    found: dict[str, set[str]] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(settings.chromium_path),
            headless=True,
            args=BROWSER_FLAGS if flags is None else flags,
        )
        context = await browser.new_context()
        await context.add_init_script(script=axe_script())
        page = await context.new_page()
        for url in urls:
            await page.goto(url)
            results = await page.evaluate(
                "(options) => axe.run(document, options)", _axe_options(settings)
            )
            found[url] = {rule["id"] for rule in results["violations"]}
        await browser.close()
    return found


async def _audit_all(engine: BrowserEngine, urls: list[str]) -> dict[str, set[str]]:
    """Audit every address with axe through the engine, as the audit runner does."""
    options = _axe_options(engine.settings)
    found: dict[str, set[str]] = {}

    async def audit(url: str) -> None:
        try:
            async with engine.open(url) as page:
                results = await page.run_axe(options)
                found[url] = {rule["id"] for rule in results["violations"]}
        except PageError as error:
            found[url] = {f"error:{error.kind}"}

    await asyncio.gather(*(audit(url) for url in urls))
    return found


def _timed(
    work: Callable[[], Coroutine[Any, Any, dict[str, set[str]]]], pages: int
) -> tuple[dict[str, Any], dict[str, set[str]]]:
    with MemorySampler() as memory:
        started = time.perf_counter()
        found = asyncio.run(work())
        seconds = time.perf_counter() - started
    return {
        "pages": pages,
        "seconds": round(seconds, 2),
        "pages_per_second": round(pages / seconds, 2),
        "peak_memory_mb": _mb(memory.peak),
        "errors": sum(1 for rules in found.values() if any(r.startswith("error:") for r in rules)),
    }, found


def _engine_run(
    settings: Settings, name: str, urls: list[str], *, injection: str | None = None
) -> tuple[dict[str, Any], dict[str, set[str]]]:
    clock: list[float] = []

    async def work() -> dict[str, set[str]]:
        engine = make_engine(settings, name)
        if injection:
            engine.axe_injection = injection  # type: ignore[attr-defined]
        async with engine:
            # Warm up outside the clock: the pool's tabs and the browser itself.
            await _audit_all(engine, urls[: settings.concurrency])
            started = time.perf_counter()
            found = await _audit_all(engine, urls)
            clock.append(time.perf_counter() - started)
            return found

    stats, found = _timed(work, len(urls))
    seconds = clock[0]
    stats["seconds"] = round(seconds, 2)
    stats["pages_per_second"] = round(len(urls) / seconds, 2)
    return stats, found


def _memory_over_visits(settings: Settings, urls: list[str], passes: int = 5) -> dict[str, Any]:
    async def work() -> dict[str, Any]:
        engine = make_engine(settings, "playwright")
        after: list[float] = []
        by_kind: list[dict[str, float]] = []
        async with engine:
            for _ in range(passes):
                await _audit_all(engine, urls)
                await asyncio.sleep(1.0)  # let recycled contexts' renderers exit
                kinds = _rss_by_kind(proportional=True)
                after.append(_mb(sum(kinds.values())))
                by_kind.append({kind: _mb(value) for kind, value in kinds.items()})
        return {
            "measure": "PSS (proportional set size), 1 s after each pass",
            "memory_mb_by_process_after_each_200": by_kind,
            "concurrency": settings.concurrency,
            "recycle_context_every": settings.recycle_context_every,
            "memory_mb_after_each_200": after,
            "memory_mb_after_200": after[0],
            "memory_mb_after_1000": after[-1],
            "growth_mb": round(after[-1] - after[0], 1),
        }

    with MemorySampler() as memory:
        result = asyncio.run(work())
    result["peak_memory_mb"] = _mb(memory.peak)
    return result


def run() -> dict[str, Any]:
    site = BenchSite(pages=PAGES)
    site.start()
    urls = site.urls
    base = Settings()
    results: dict[str, Any] = {
        "pages": PAGES,
        "average_page_kb": round(sum(len(site.body(n)) for n in range(PAGES)) / PAGES / 1000, 1),
        "cpus": os.cpu_count(),
        "network_idle_seconds": base.network_idle_seconds,
        "baseline_memory_mb": _mb(_tree_rss()),
    }
    try:
        results["bare_playwright_loop"], reference = _timed(
            lambda: _bare_loop(base, urls), len(urls)
        )
        print("bare loop", results["bare_playwright_loop"], flush=True)

        sample = urls[:60]
        for injection in ("init-script", "evaluate"):
            stats, _ = _engine_run(
                base.model_copy(update={"concurrency": 1}),
                "playwright",
                sample,
                injection=injection,
            )
            results[f"axe_injection_{injection}"] = stats
            print(injection, stats, flush=True)

        speeds: dict[int, float] = {}
        for pool in (1, 2, 4):
            stats, found = _engine_run(
                base.model_copy(update={"concurrency": pool}), "playwright", urls
            )
            stats["same_rules_as_bare_loop"] = found == reference
            results[f"playwright_pool_{pool}"] = stats
            speeds[pool] = stats["pages_per_second"]
            print("playwright", pool, stats, flush=True)

        stats, found = _engine_run(base.model_copy(update={"concurrency": 2}), "selenium", urls)
        stats["same_rules_as_playwright"] = found == reference
        results["selenium_pool_2"] = stats
        print("selenium", stats, flush=True)

        best = max(speeds.values())
        recommended = min(pool for pool, speed in speeds.items() if speed >= 0.9 * best)
        results["recommended_concurrency"] = recommended

        results["playwright_memory_over_1000_visits"] = _memory_over_visits(
            base.model_copy(update={"concurrency": recommended}), urls
        )
    finally:
        site.stop()
    return results
