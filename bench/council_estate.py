"""A whole council every night: a 10,000-page estate audited on one machine.

The site is ``demo.bench_site.CouncilSite`` (ten sections of realistic council pages with
shared and per-page furniture, a sitemap index and links between pages), served by a
process of its own as a real site would be, and audited as ten services (one a section)
by ``monitor audit`` with axe (the other checks off, as in ``audit_product``), SQLite, the
default pool of two pages. Three nights in a row, into one database:

1. the first audit (every page through the browser);
2. the same site unchanged (pages revalidated over HTTP, no browser);
3. after 5 % of the pages changed (those audited again, the rest revalidated).

For each: wall time, pages a second, peak memory (PSS of the monitor and every process
under it, the site's process left out, sampled every two seconds with the pages done so
far), the database's size after the run (checkpointed) and its growth, and how busy the
rest of the machine was. Also the frontier's memory at its largest (every address of the
estate queued, just after discovery) and whether memory stayed flat from page 2,000 to the
last page of the first audit. ``BENCH_ESTATE_PAGES`` sets the size (default 10,000; a few
hundred while developing). Timings are reported against the targets, never asserted.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

PAGES = int(os.environ.get("BENCH_ESTATE_PAGES", "10000"))
CHANGED = 0.05
SAMPLE_SECONDS = 2.0
PROJECT = Path(__file__).resolve().parents[1]
FOLDER = Path("data/bench/estate")
TARGETS = {
    "first_audit_seconds": 3600.0,
    "unchanged_audit_seconds": 120.0,
    "unchanged_growth_vs_first": 0.05,
    "memory_growth_mb_from_2000": 100.0,  # "beyond noise": a tab recycle swings ~600 MB
}


def _config_dir(base_url: str) -> Path:
    from demo.bench_site import COUNCIL_SECTIONS, CouncilSite

    site = CouncilSite(pages=PAGES)
    config = FOLDER / "config"
    (config / "brand").mkdir(parents=True)
    root = PROJECT / "config"
    (config / "brand.yaml").write_text((root / "brand.yaml").read_text())
    (config / "brand" / "logo.png").write_bytes((root / "brand" / "logo.png").read_bytes())
    (config / "measures.yaml").write_text(
        (root / "measures.yaml").read_text().split("overrides:")[0]
    )
    services = ["services:"]
    for number, (slug, name) in enumerate(COUNCIL_SECTIONS):
        first = site.path(number)
        services += [
            f"  - id: {slug}",
            f"    name: {name}",
            "    owner: {name: Web team, email: web@example.gov.uk}",
            f"    start_urls: ['{base_url}{first}']",
            f"    sitemaps: ['{base_url}/sitemaps/{slug}.xml']",
            f"    include: ['^/{slug}/']",
            f"    exclude: ['^/{slug}/a-to-z/', '^/{slug}/contact']",
            f"    max_pages: {len(site.section_pages(number))}",
            "    checks: {branding: false, links: false, keyboard: false, reflow: false,",
            "             page-structure: false, documents: false, statement: false,",
            "             page-titles: false, text-alternatives: false, media: false,",
            "             info-and-relationships: false, forms: false, use-of-colour: false,",
            "             moving-content: false, widgets: false, interaction: false,",
            "             language-of-parts: false}",
        ]
    (config / "services.yaml").write_text("\n".join(services) + "\n")
    return config


class _Sampler:
    """PSS of this process and every process under it but the site's, every two seconds,
    with the pages done at that moment; and the processor time the rest of the machine
    used meanwhile."""

    def __init__(self, site_pid: int) -> None:
        self.site_pid = site_pid
        self.done = 0
        self.series: list[tuple[int, int, float]] = []  # (seconds, pages done, PSS MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _tree(self) -> list[psutil.Process]:
        me = psutil.Process()
        return [me, *(p for p in me.children(recursive=True) if p.pid != self.site_pid)]

    def pss(self) -> float:
        total = 0
        for process in self._tree():
            with contextlib.suppress(psutil.Error):
                total += getattr(process.memory_full_info(), "pss", 0)
        return total / 1e6

    def _cpu(self, processes: list[psutil.Process]) -> float:
        """Processor seconds of these processes, with their children that have ended
        (a renderer replaced at a tab recycle counts in the browser process that reaped it)."""
        total = 0.0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                t = process.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
        return total

    def _site(self) -> list[psutil.Process]:
        with contextlib.suppress(psutil.Error):
            return [psutil.Process(self.site_pid)]
        return []

    def _note_cpu(self) -> None:
        """Each process's processor time as last seen: the browser's processes are gone by
        the end of the run (and renderers come and go at tab recycles), so what they used
        is read while they live."""
        for process in self._tree():
            with contextlib.suppress(psutil.Error):
                t = process.cpu_times()
                key = (process.pid, process.create_time())
                self._seen.setdefault(key, (t.user + t.system) if key in self._at_start else 0.0)
                self._latest[key] = t.user + t.system

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._note_cpu()
            self.series.append(
                (int(time.perf_counter() - self.began), self.done, float(round(self.pss())))
            )

    def __enter__(self) -> _Sampler:
        self.began = time.perf_counter()
        self.load_before = os.getloadavg()[0]
        machine = psutil.cpu_times()
        self.machine_before = machine.user + machine.system + machine.nice + machine.irq
        self._seen: dict[tuple[int, float], float] = {}
        self._latest: dict[tuple[int, float], float] = {}
        self._at_start: set[tuple[int, float]] = set()
        for process in self._tree():
            with contextlib.suppress(psutil.Error):
                self._at_start.add((process.pid, process.create_time()))
        self._note_cpu()
        self.site_before = self._cpu(self._site())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.seconds = time.perf_counter() - self.began
        machine = psutil.cpu_times()
        busy = machine.user + machine.system + machine.nice + machine.irq - self.machine_before
        self._note_cpu()
        ours = sum(self._latest[key] - self._seen[key] for key in self._latest)
        site = self._cpu(self._site()) - self.site_before
        seconds = self.seconds or 1.0
        self.ours_cores = ours / seconds
        self.site_cores = site / seconds
        self.others_cores = max(0.0, (busy - ours - site) / seconds)
        self.load_after = os.getloadavg()[0]


def _database_mb(path: Path) -> float:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6, 2)


def _tables_mb(path: Path) -> dict[str, float]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        rows = connection.execute(
            "SELECT tbl_name, SUM(pgsize) FROM dbstat JOIN sqlite_schema USING (name) "
            "GROUP BY tbl_name ORDER BY 2 DESC"
        ).fetchall()
    return {name: round(size / 1e6, 2) for name, size in rows if size > 50_000}


def _frontier_probe() -> dict[str, float]:
    """Measure the frontier at its largest: just after discovery, everything queued."""
    import monitor.audit.runner as runner
    from monitor.audit.frontier import Frontier

    measured: dict[str, float] = {}

    class Measured(Frontier):
        async def start(self) -> None:
            await super().start()
            seen = sum(
                sys.getsizeof(plan.seen) + sum(sys.getsizeof(u) for u in plan.seen)
                for plan in self.plans.values()
            )
            queued = list(self.pages._queue)  # type: ignore[attr-defined]
            tasks = sum(sys.getsizeof(t) + sys.getsizeof(t.url) for t in queued)
            measured["addresses"] = float(len(queued))
            measured["mb"] = round((seen + tasks + sys.getsizeof(self.pages._queue)) / 1e6, 2)  # type: ignore[attr-defined]

    runner.Frontier = Measured  # type: ignore[attr-defined]
    return measured


def _flatness(series: list[tuple[int, int, float]]) -> dict[str, Any]:
    """PSS from page 2,000 (or a fifth of the estate) to the end of the first audit."""
    start = min(2000, PAGES // 5)
    later = [(done, pss) for _, done, pss in series if done >= start]
    if len(later) < 3:
        return {"from_pages": start, "samples": len(later)}
    xs, ys = [float(d) for d, _ in later], [p for _, p in later]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs) or 1.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in later) / spread
    return {
        "from_pages": start,
        "samples": len(later),
        "pss_mb_at_start": ys[0],
        "pss_mb_at_end": ys[-1],
        "pss_mb_min": min(ys),
        "pss_mb_max": max(ys),
        "trend_mb_per_1000_pages": round(slope * 1000, 1),
        "growth_mb_start_to_end_of_fit": round(slope * (xs[-1] - xs[0]), 1),
    }


def _night(
    name: str, site_pid: int, settings: Any, config: Any, database: Path, *, full: bool = False
) -> dict[str, Any]:
    from monitor.audit import AuditRequest, start_audit
    from monitor.repository import Repository

    repository = Repository(settings.database_url)
    print(f"-- {name}", flush=True)
    with _Sampler(site_pid) as sampler:

        def progress(state: Any) -> None:
            sampler.done = state.done

        run = start_audit(
            settings, config, repository, AuditRequest(full=full), on_progress=progress
        )
    pages = run.pages_audited + run.pages_carried + run.pages_failed
    result = {
        "status": run.status,
        "seconds": round(sampler.seconds, 1),
        "pages": pages,
        "pages_per_second": round(pages / sampler.seconds, 2),
        "audited": run.pages_audited,
        "carried": run.pages_carried,
        "revalidated_over_http": run.pages_revalidated,
        "failed": run.pages_failed,
        "findings_held": run.findings_count,
        "peak_pss_mb": max((p for _, _, p in sampler.series), default=round(sampler.pss())),
        "database_mb": _database_mb(database),
        "tables_mb": _tables_mb(database),
        "load_average": [round(sampler.load_before, 2), round(sampler.load_after, 2)],
        "cores_used_by_the_monitor_and_browser": round(sampler.ours_cores, 2),
        "cores_used_by_the_site": round(sampler.site_cores, 2),
        "cores_used_by_everything_else": round(sampler.others_cores, 2),
        "_series": sampler.series,
        "_run": run.id,
    }
    print({k: v for k, v in result.items() if not k.startswith("_")}, flush=True)
    return result


def run() -> dict[str, Any]:
    from monitor.config import load_config
    from monitor.db import upgrade
    from monitor.settings import Settings

    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    site = subprocess.Popen(
        [sys.executable, "-m", "demo.bench_site", "--council", str(PAGES)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert site.stdout is not None
        base_url = site.stdout.readline().strip()
        config_dir = _config_dir(base_url)
        config = load_config(config_dir)
        database = (FOLDER / "monitor.db").resolve()
        settings = Settings(
            data_dir=FOLDER, database_url=f"sqlite:///{database}", config_dir=config_dir
        )
        upgrade(settings.database_url)
        frontier = _frontier_probe()
        results: dict[str, Any] = {"pages": PAGES, "cpus": os.cpu_count()}
        first = _night("first audit", site.pid, settings, config, database)
        results["frontier"] = dict(frontier)
        second = _night("unchanged", site.pid, settings, config, database)
        edit = f"{base_url}/__bench/change?fraction={CHANGED}"
        with urllib.request.urlopen(urllib.request.Request(edit, b"", method="POST")) as answer:
            changed = len(json.loads(answer.read()))
        third = _night("5 % changed", site.pid, settings, config, database)
        first_mb = first["database_mb"]
        for name, night, before in (
            ("first_audit", first, 0.0),
            ("unchanged_audit", second, first["database_mb"]),
            ("after_5_percent_changed", third, second["database_mb"]),
        ):
            night["database_growth_mb"] = round(night["database_mb"] - before, 2)
            night["growth_vs_first"] = round(night["database_growth_mb"] / first_mb, 4)
            results[name] = {k: v for k, v in night.items() if not k.startswith("_")}
        results["pages_changed"] = changed
        results["first_audit_memory"] = _flatness(first["_series"])
        results["first_audit_pss_series"] = [
            [done, pss] for _, done, pss in first["_series"][:: max(1, len(first["_series"]) // 60)]
        ]
        results["targets"] = TARGETS
        results["targets_met"] = {
            "first_audit_seconds": first["seconds"] < TARGETS["first_audit_seconds"],
            "unchanged_audit_seconds": second["seconds"] < TARGETS["unchanged_audit_seconds"],
            "unchanged_growth_vs_first": second["growth_vs_first"]
            <= TARGETS["unchanged_growth_vs_first"],
            "memory_flat_from_2000": abs(
                results["first_audit_memory"].get("growth_mb_start_to_end_of_fit", 0.0)
            )
            <= TARGETS["memory_growth_mb_from_2000"],
        }
        results["changed_pages_audited_again"] = third["audited"]
        return results
    finally:
        site.terminate()
        site.wait(timeout=10)


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
