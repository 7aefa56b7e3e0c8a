"""The dashboard's views, timed on the demo council and on a year of nightly history for
50 services.

Targets: every view renders in under 1 s on the demo, and in under 2 s with its caches
cold on the year of history. "Renders" is the view's script run on the server, what
Streamlit does between the browser asking for a view and sending its last element:
measured with Streamlit's AppTest in a process that has imported everything already (a
server's first script run pays about 3 s of imports once; that is not a view's time),
first with every data cache cleared ("cold"), then again ("warm", from the caches). The
processor time of the cold run is reported beside its wall time: on a shared machine the
wall time says as much about the other work as about the view.

A real Chromium's time to open each view at its address, until Streamlit's "running"
indicator has gone, is measured too ("browser", first and second visit after the server
started): it adds the browser downloading and starting Streamlit's front end and drawing
the charts and tables. Its floor is the time to open a view that reads nothing (the
"Issue not found" page). Timings are reported, never asserted (``make bench``).

The year is a county council's estate: 10,000 pages over the 50 services
(``demo seed-history --pages 10000``; ``BENCH_DASHBOARD_PAGES`` sets it). Also reported:
what the year stores (finding rows against the findings the runs hold, page results, the
file's size), and the size and the views' cold times once ``monitor db prune
--keep-days 90`` has run.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DAYS = 365
SERVICES = 50
DEMO_TARGET_S = 1.0
YEAR_COLD_TARGET_S = 2.0
PAGES = int(os.environ.get("BENCH_DASHBOARD_PAGES", "10000"))
PRUNED_TO_DAYS = 90
#: Each view as its bench names it; "issues-all" is the issues view of every service (the
#: digital team's), "issues" that of the service with the most open issues.
VIEWS = (
    "summary",
    "overview",
    "service",
    "issues",
    "issues-all",
    "issue",
    "branding",
    "journeys",
    "feedback",
    "audits",
    "exports",
)
APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fresh(database: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{database}"


def _demo_database(folder: Path) -> str:
    """The demo council audited, its journeys replayed and residents' feedback sent, as
    ``make demo`` does (``monitor demo run --no-serve``)."""
    url = _fresh(folder / "monitor.db")
    env = {
        **os.environ,
        "MONITOR_DATA_DIR": str(folder),
        "MONITOR_DATABASE_URL": url,
        "MONITOR_DEMO_PORT": str(_free_port()),
        "MONITOR_FEEDBACK_PORT": str(_free_port()),
    }
    subprocess.run(
        [sys.executable, "-m", "monitor", "demo", "run", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def _year_database(folder: Path) -> tuple[str, dict[str, Any]]:
    from demo.history import seed_history
    from monitor.db import upgrade
    from monitor.repository import Repository

    url = _fresh(folder / "dashboard.db")
    upgrade(url)
    repository = Repository(url)
    report = seed_history(repository, days=DAYS, services=SERVICES, pages=PAGES)
    return url, {
        "pages": report.pages,
        "seed_seconds": report.seconds,
        "page_results": report.page_results,
        "findings_held_by_the_runs": report.findings,
        "finding_rows_stored": report.finding_rows,
        "issues": report.issues,
        "feedback": report.feedback,
        "database_mb": _megabytes(repository),
    }


def _megabytes(repository: Any) -> float:
    with repository.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return round((repository.database_bytes() or 0) / 1e6, 1)


def _pruned(url: str) -> dict[str, Any]:
    """Prune the year's page detail to the last ``PRUNED_TO_DAYS`` days, give the space
    back, and time the views again with their caches cold."""
    from monitor.repository import Repository

    repository = Repository(url)
    started = time.perf_counter()
    pruned = repository.prune_detail(PRUNED_TO_DAYS)
    space = repository.reclaim_space()
    seconds = time.perf_counter() - started
    service, issue = _use(url)
    server = _server_times(url, service, issue)
    return {
        "runs_pruned": pruned.runs,
        "page_results_removed": pruned.page_results,
        "findings_removed": pruned.findings,
        "seconds_with_vacuum": round(seconds, 1),
        "how": space.how,
        "database_mb": round((space.bytes_after or 0) / 1e6, 1),
        "slowest_cold_s": max(server[v]["cold_s"] for v in VIEWS),
    }


def _use(url: str) -> tuple[str, int]:
    """Point the dashboard's data module at ``url``; return the service with the most open
    issues and its issue that does most harm (the heaviest per-service views)."""
    import streamlit as st

    from monitor.measures.fix_first import fix_first
    from monitor.models import utcnow
    from monitor.repository import Repository
    from monitor.settings import get_settings

    os.environ["MONITOR_DATABASE_URL"] = url
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    ranked = fix_first(Repository(url).read, utcnow())
    counts: dict[str, int] = {}
    for item in ranked:
        counts[item.issue.service_id] = counts.get(item.issue.service_id, 0) + 1
    service = max(counts, key=lambda s: counts[s])
    issue = next(r.issue.id for r in ranked if r.issue.service_id == service)
    return service, issue


def _query(view: str, service: str, issue: int) -> dict[str, str]:
    if view == "issue":
        return {"id": str(issue)}
    if view in ("overview", "audits", "issues-all"):
        return {}
    return {"service": service}


def _page(view: str) -> str:
    return view.removesuffix("-all")


def _server_times(url: str, service: str, issue: int) -> dict[str, dict[str, Any]]:
    """Each view's script run, caches cold then warm (see the module's docstring)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    warm_up = AppTest.from_file(str(APP), default_timeout=300)
    warm_up.run()  # imports, the engine, the config: once per server process
    times: dict[str, dict[str, Any]] = {}
    for view in VIEWS:
        at = AppTest.from_file(str(APP), default_timeout=300)
        at.run()  # the root address: it sends the viewer on to the overview
        # Stand on another view first: switching to the view already shown is no run.
        at.query_params["id"] = "0"
        at.switch_page("views/issue.py" if view != "issue" else "views/exports.py").run()
        at.query_params.clear()
        for key, value in _query(view, service, issue).items():
            at.query_params[key] = value
        st.cache_data.clear()
        started, cpu = time.perf_counter(), time.process_time()
        at.switch_page(f"views/{_page(view)}.py").run()
        cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        at.run()
        warm = time.perf_counter() - started
        problems = [e.value for e in at.exception]
        times[view] = {
            "cold_s": round(cold, 3),
            "cold_cpu_s": round(cold_cpu, 3),
            "warm_s": round(warm, 3),
        }
        if problems:
            times[view]["exception"] = str(problems[0])[:300]
    return times


def _browser_times(url: str, service: str, issue: int) -> dict[str, Any]:
    """Each view opened at its address in Chromium, twice, after the server started."""
    import httpx
    from playwright.sync_api import sync_playwright

    from monitor.cli.dashboard import dashboard_command
    from monitor.settings import BROWSER_FLAGS, get_settings

    port = _free_port()
    env = {**os.environ, "MONITOR_DATABASE_URL": url}
    server = subprocess.Popen(
        dashboard_command(port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    times: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/_stcore/health", timeout=2).text == "ok":
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(get_settings().chromium_path),
                headless=True,
                args=BROWSER_FLAGS,
            )

            def visit(path: str) -> float:
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                started = time.perf_counter()
                page.goto(f"{base}/{path}")
                page.wait_for_selector("[data-testid='stMain'] h1", timeout=120_000)
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                    timeout=120_000,
                )
                seconds = time.perf_counter() - started
                page.close()
                return round(seconds, 2)

            visit("issue?id=0")  # the server's first script run: its imports
            times["floor_s"] = visit("issue?id=0")
            for view in VIEWS:
                query = "&".join(f"{k}={v}" for k, v in _query(view, service, issue).items())
                path = f"{_page(view)}?{query}" if query else _page(view)
                times[view] = {"first_s": visit(path), "second_s": visit(path)}
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return times


def _measure(url: str, target: float) -> dict[str, Any]:
    service, issue = _use(url)
    server = _server_times(url, service, issue)
    browser = _browser_times(url, service, issue)
    slowest = max(server[v]["cold_s"] for v in VIEWS)
    return {
        "load_average_1min_after": round(os.getloadavg()[0], 1),
        "service": service,
        "issue": issue,
        "views": {
            v: {**server[v], **{f"browser_{k}": s for k, s in browser[v].items()}} for v in VIEWS
        },
        "browser_floor_s": browser["floor_s"],
        "slowest_cold_s": slowest,
        "target_s": target,
        "on_target": slowest < target,
    }


def run() -> dict[str, Any]:
    # Streamlit's caches work outside a server too; its "no runtime" warnings are noise here.
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    folder = Path("data/bench").resolve()
    (folder / "demo").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MONITOR_CONFIG_DIR", str(APP.parents[1] / "config"))
    demo_url = _demo_database(folder / "demo")
    year_url, seeded = _year_database(folder)
    return {
        "demo": _measure(demo_url, DEMO_TARGET_S),
        "year": {
            "days": DAYS,
            "services": SERVICES,
            **seeded,
            **_measure(year_url, YEAR_COLD_TARGET_S),
        },
        f"year_pruned_to_{PRUNED_TO_DAYS}_days": _pruned(year_url),
    }
