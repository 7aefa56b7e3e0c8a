"""Retention: ``monitor db prune`` removes old page detail and every trend stays exact.

On SQLite and PostgreSQL: a seeded history is pruned and every per-run measure, trend and
count is the same after as before, while the pruned runs hold no page detail and the
kept runs hold all of theirs (a kept carried result whose details lived with a pruned run
takes them over). On SQLite the space is handed back to the disk. The command and the
nightly schedule prune with ``MONITOR_KEEP_DETAIL_DAYS``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlmodel import col
from typer.testing import CliRunner

from demo.history import seed_history
from monitor.cli import app
from monitor.db import upgrade
from monitor.models import PageResult, Run, RunSummary, utcnow
from monitor.repository import Repository
from monitor.repository.read import IssueFilter
from monitor.schedule import Scheduler
from monitor.settings import Settings, get_settings
from tests.conftest import CONFIG_DIR
from tests.monitor.test_finding_stretches import ALT, HOME, Site

DAYS, KEEP = 60, 20
#: One moment for every reading, so readings before and after a prune compare.
NOW = utcnow()


def everything_trends_read(repository: Repository) -> dict[str, Any]:
    runs = repository.runs(limit=10_000)
    pairs = [(s, r.id or 0) for r in runs for s in r.service_ids]
    read = repository.read
    now = NOW
    return {
        "runs": [
            (r.id, r.status, r.pages_found, r.pages_audited, r.pages_carried, r.findings_count)
            for r in runs
        ],
        "page_counts": read.runs.page_counts(pairs),
        "trend": read.runs.audit_trend(runs=10_000),
        "trend_of_one": {
            s: read.runs.audit_trend(runs=10_000, service_id=s) for s in {p[0] for p in pairs}
        },
        "recent": read.runs.latest_audits(per_service=5),
        "open": read.issues.open_accessibility_counts(now),
        "criteria": read.issues.by_criterion(IssueFilter(), now=now),
        "journeys": read.journeys.tallies(now - timedelta(days=DAYS + 5), now),
        "weekly_journeys": read.journeys.weekly(now - timedelta(days=DAYS + 5)),
        "weekly_feedback": read.feedback.weekly(now - timedelta(days=DAYS + 5)),
    }


def detail_of(repository: Repository, run_id: int) -> dict[str, Any]:
    return {
        "findings": Counter(
            (f.page_id, f.rule, f.selector, f.impact) for f in repository.findings(run_id)
        ),
        "results": sorted(
            (r.page_id, r.status, r.serious_count, r.title, r.final_url)
            for r in repository.page_results(run_id)
        ),
        "brand": sorted(
            (b.page_id, b.passed, b.score, sorted(b.rules.items()))
            for b in repository.brand_results(run_id)
        ),
    }


def test_pruning_keeps_every_trend_and_the_kept_runs_whole(repository: Repository) -> None:
    seed_history(repository, days=DAYS, services=3, seed=5)
    before = everything_trends_read(repository)
    audits = [r.id or 0 for r in repository.runs(limit=10_000) if r.kind == "audit"]
    kept_from = repository.kept_from_run(KEEP)
    assert kept_from is not None
    kept = [r for r in audits if r >= kept_from]
    pruned = [r for r in audits if r < kept_from]
    assert len(pruned) > 30 and len(kept) >= KEEP - 1
    kept_detail = {r: detail_of(repository, r) for r in kept}
    assert sum(sum(d["findings"].values()) for d in kept_detail.values()) > 0

    report = repository.prune_detail(KEEP)

    assert report.runs >= len(pruned) and report.page_results > 0 and report.findings > 0
    assert everything_trends_read(repository) == before
    assert {r: detail_of(repository, r) for r in kept} == kept_detail
    for run_id in pruned:
        assert detail_of(repository, run_id) == {
            "findings": Counter(),
            "results": [],
            "brand": [],
        }
    with repository.session() as session:
        marked = set(
            session.execute(
                select(col(RunSummary.run_id)).where(col(RunSummary.detail_pruned_at).is_not(None))
            ).scalars()
        )
    assert set(pruned) <= marked and not marked & set(kept)
    assert repository.prune_detail(KEEP).runs == 0  # nothing left to prune
    assert everything_trends_read(repository) == before


def age(repository: Repository, run_id: int, days: int) -> None:
    with repository.session() as session:
        session.execute(
            update(Run)
            .where(Run.id == run_id)  # type: ignore[arg-type]
            .values(started_at=utcnow() - timedelta(days=days))
        )
        session.commit()


def test_a_kept_carried_result_takes_over_the_details_of_a_pruned_run(
    repository: Repository,
) -> None:
    site = Site(repository)
    runs = [site.start() for _ in range(4)]
    site.audited(runs[0], HOME, [ALT])
    details = site.brand_judged(runs[0], HOME)
    for previous, run in itertools.pairwise(runs):
        site.carried(run, HOME, previous)
        repository.carry_brand_result(previous, run, site.pages[HOME])
    for run, days in zip(runs, (40, 30, 5, 1), strict=True):
        site.finish(run)
        age(repository, run, days)
    kept = {r: detail_of(repository, r) for r in runs[2:]}

    report = repository.prune_detail(10)

    assert report.kept_from_run == runs[2] and report.runs == 2
    assert {r: detail_of(repository, r) for r in runs[2:]} == kept
    with repository.session() as session:
        stored = {
            r.run_id: r.carried_from_run_id for r in session.execute(select(PageResult)).scalars()
        }
    assert stored == {runs[2]: None, runs[3]: runs[2]}  # the first kept one holds them now
    brand = repository.brand_result(runs[3], site.pages[HOME])
    assert brand is not None and brand.details == {**details, "carried_from_run": runs[2]}
    assert Counter(site.held(runs[3])) == Counter({(HOME, "image-alt"): 1})
    assert site.held(runs[0]) == Counter()


def test_the_newest_audit_is_kept_however_old(repository: Repository) -> None:
    site = Site(repository)
    first, last = site.start(), site.start()
    site.audited(first, HOME, [ALT])
    site.carried(last, HOME, first)
    for run, days in ((first, 90), (last, 80)):
        site.finish(run)
        age(repository, run, days)
    report = repository.prune_detail(30)
    assert report.kept_from_run == last and report.runs == 1
    assert site.held(last) == Counter({(HOME, "image-alt"): 1})
    (result,) = repository.page_results(last)
    assert result.title == f"Title of {HOME}"


def pragma(repository: Repository, name: str) -> int:
    with repository.engine.connect() as connection:
        return int(connection.execute(text(f"PRAGMA {name}")).scalar_one())


def test_sqlite_hands_the_space_back_incrementally(sqlite_repository: Repository) -> None:
    assert pragma(sqlite_repository, "auto_vacuum") == 2  # a new database: incremental
    seed_history(sqlite_repository, days=90, services=4, seed=2)
    sqlite_repository.prune_detail(10)
    with sqlite_repository.engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    freed = pragma(sqlite_repository, "freelist_count") * pragma(sqlite_repository, "page_size")
    path = Path(sqlite_repository.engine.url.database or "")
    before = path.stat().st_size
    space = sqlite_repository.reclaim_space()
    assert freed > before / 4 and "incremental" in space.how
    assert pragma(sqlite_repository, "freelist_count") == 0
    assert path.stat().st_size <= before - freed


def test_an_older_sqlite_database_is_vacuumed_once_into_incremental_mode(
    tmp_path: Path,
) -> None:
    import sqlite3

    path = tmp_path / "older.db"
    with sqlite3.connect(path) as older:  # as databases made before this setting were
        older.execute("CREATE TABLE made_before (x)")
    url = f"sqlite:///{path}"
    upgrade(url)
    repository = Repository(url)
    assert pragma(repository, "auto_vacuum") == 0
    seed_history(repository, days=60, services=3, seed=2)
    repository.prune_detail(10)
    space = repository.reclaim_space()
    assert space.how.startswith("VACUUM") and pragma(repository, "auto_vacuum") == 2
    assert space.bytes_after is not None and space.bytes_before is not None
    assert space.bytes_after < space.bytes_before
    assert pragma(repository, "freelist_count") == 0


def test_db_prune_command_and_the_nightly_schedule_use_the_setting(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(sqlite_url)
    repository = Repository(sqlite_url)
    seed_history(repository, days=30, services=2, seed=4)
    monkeypatch.setenv("MONITOR_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.setenv("MONITOR_KEEP_DETAIL_DAYS", "0")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["db", "prune"])
        assert result.exit_code == 0 and "Nothing pruned" in result.output
        result = CliRunner().invoke(app, ["db", "prune", "--keep-days", "20"])
        assert result.exit_code == 0, result.output
        assert "Pruned the page detail of" in result.output and "MB after" in result.output
    finally:
        get_settings.cache_clear()
    kept_from = repository.kept_from_run(20)
    assert kept_from is not None
    assert repository.page_results(kept_from - 2) == []

    settings = Settings(data_dir=tmp_path, database_url=sqlite_url, keep_detail_days=5)
    from monitor.config import load_config

    scheduler = Scheduler(settings, load_config(CONFIG_DIR), repository, jobs={})
    scheduler.prune_detail()
    newer = repository.kept_from_run(5)
    assert newer is not None and newer > kept_from
    assert repository.page_results(newer - 2) == [] and repository.page_results(newer) != []
