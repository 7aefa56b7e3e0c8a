"""Pages audited per second on the benchmark site: the local backend, then the Celery
backend with one and with two workers on this machine (real redis-server and PostgreSQL,
started for the benchmark and stopped afterwards).

Every configuration audits the same generated pages into its own fresh database, so each
starts cold: the figure includes discovery and the workers' first browser start.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import text

PAGES = int(os.environ.get("BENCH_SCALE_PAGES", "30"))
PROJECT = Path(__file__).resolve().parents[1]


def _config(folder: Path, base_url: str) -> Path:
    """A copy of the council's config whose one service is the benchmark site."""
    config = folder / "config"
    shutil.copytree(PROJECT / "config", config)
    (config / "services.yaml").write_text(
        "defaults: {max_pages: %d, max_depth: 2}\n"
        "services:\n"
        "  - id: bench\n"
        "    name: Benchmark services\n"
        "    owner: {name: Digital team, email: digital@example.gov.uk}\n"
        f"    start_urls: ['{base_url}/']\n"
        f"    sitemaps: ['{base_url}/sitemap.xml']\n" % (PAGES + 1)
    )
    measures = yaml.safe_load((config / "measures.yaml").read_text())
    measures.pop("overrides", None)  # they name the council's services, not this one
    (config / "measures.yaml").write_text(yaml.safe_dump(measures))
    return config


def _database(admin_url: str, name: str) -> str:
    from monitor.db import engine_for, upgrade

    with engine_for(admin_url).connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def _audit(settings: Any, config_dir: Path) -> dict[str, Any]:
    from monitor.audit import AuditRequest, start_audit
    from monitor.config import load_config
    from monitor.repository import Repository

    config = load_config(config_dir)
    repository = Repository(settings.database_url)
    started = time.perf_counter()
    run = start_audit(settings, config, repository, AuditRequest(full=True))
    seconds = time.perf_counter() - started
    pages = run.pages_audited + run.pages_failed
    return {
        "status": run.status,
        "pages": pages,
        "seconds": round(seconds, 2),
        "pages_per_second": round(pages / seconds, 2) if seconds else None,
    }


def run() -> dict[str, Any]:
    from monitor.settings import Settings
    from tests.servers import postgres_server, redis_server

    try:
        from demo.bench_site import BenchSite
    except ImportError:  # pragma: no cover - the benchmark site is part of the product
        raise SystemExit("demo.bench_site is needed for this benchmark") from None

    results: dict[str, Any] = {"pages": PAGES, "cpus": os.cpu_count()}
    folder = Path(tempfile.mkdtemp(prefix="monitor-scale-"))
    site = BenchSite(pages=PAGES)
    base_url = site.start()
    config_dir = _config(folder, base_url)
    celery = str(Path(sys.executable).parent / "celery")
    try:
        with postgres_server() as admin_url, redis_server() as broker:
            local_url = _database(admin_url, "scale_local")
            results["local"] = _audit(
                Settings(data_dir=folder, database_url=local_url, config_dir=config_dir),
                config_dir,
            )
            for count in (1, 2):
                url = _database(admin_url, f"scale_celery_{count}")
                queue = f"scale-{count}"
                env = dict(
                    os.environ,
                    MONITOR_DATABASE_URL=url,
                    MONITOR_CELERY_BROKER_URL=broker,
                    MONITOR_CELERY_QUEUE=queue,
                    MONITOR_CONFIG_DIR=str(config_dir),
                    MONITOR_DATA_DIR=str(folder),
                )
                workers = [
                    subprocess.Popen(
                        [
                            celery,
                            "-A",
                            "monitor.audit.dispatch.celery_app",
                            "worker",
                            "--pool",
                            "solo",
                            "--concurrency",
                            "1",
                            "--loglevel",
                            "WARNING",
                            "--without-gossip",
                            "--without-mingle",
                            "-n",
                            f"bench{i}@%h",
                        ],
                        cwd=PROJECT,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                    for i in range(count)
                ]
                try:
                    settings = Settings(
                        data_dir=folder,
                        database_url=url,
                        config_dir=config_dir,
                        execution_backend="celery",
                        celery_broker_url=broker,
                        celery_queue=queue,
                    )
                    results[f"celery_{count}_worker{'s' if count > 1 else ''}"] = _audit(
                        settings, config_dir
                    )
                finally:
                    for worker in workers:
                        try:
                            os.killpg(worker.pid, signal.SIGTERM)
                            worker.wait(timeout=20)
                        except (ProcessLookupError, subprocess.TimeoutExpired):
                            os.killpg(worker.pid, signal.SIGKILL)
                            worker.wait(timeout=10)
    finally:
        stop = getattr(site, "stop", None)
        if callable(stop):
            stop()
        shutil.rmtree(folder, ignore_errors=True)
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
