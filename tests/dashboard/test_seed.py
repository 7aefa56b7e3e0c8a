"""``monitor demo seed-history`` writes a consistent history the dashboard can read."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import col

from demo.history import seed_history
from monitor.models import Finding, Issue, PageResult
from monitor.repository import Repository


def test_seed_history_is_consistent(sqlite_repository: Repository) -> None:
    report = seed_history(sqlite_repository, days=5, services=3, seed=1)
    assert report.services == 3 and report.runs == 10
    assert report.findings > 0 and report.feedback > 0 and report.journey_runs >= 15
    # Stored as the monitor stores them: one row per stretch of nights, fewer than the
    # findings the runs hold.
    assert 0 < report.finding_rows < report.findings
    with sqlite_repository.session() as session:
        rows = session.execute(select(func.count()).select_from(Finding)).scalar_one()
        issues = session.execute(select(func.count()).select_from(Issue)).scalar_one()
        results = session.execute(
            select(
                col(PageResult.run_id),
                col(PageResult.page_id),
                col(PageResult.status),
                col(PageResult.serious_count),
            )
        ).all()
    assert rows == report.finding_rows and issues == report.issues
    runs = sorted({run_id for run_id, *_ in results})
    held = {run_id: sqlite_repository.findings(run_id) for run_id in runs}
    assert sum(len(found) for found in held.values()) == report.findings
    # serious_count of each page result = its serious or critical findings in that run;
    # a page whose audit failed holds none.
    for run_id, page_id, status, serious in results:
        on_page = [f for f in held[run_id] if f.page_id == page_id]
        assert serious == sum(1 for f in on_page if f.impact in ("serious", "critical"))
        if status == "failed":
            assert on_page == []
    # Each run's stored totals are its pages' and findings' counts.
    for run_id in runs:
        run = sqlite_repository.run(run_id)
        assert run is not None and run.findings_count == len(held[run_id])
        assert run.pages_found == sum(1 for r in results if r[0] == run_id)
    latest = sqlite_repository.read.runs.latest_audits(per_service=2)
    assert len(latest) == 3 and all(len(ids) == 2 for ids in latest.values())


def test_seed_history_spreads_a_large_estate_over_the_services(
    sqlite_repository: Repository,
) -> None:
    report = seed_history(sqlite_repository, days=2, services=4, pages=300, seed=3)
    assert report.pages == 300
    sizes = sorted(len(sqlite_repository.pages(s.id)) for s in sqlite_repository.services())
    assert sum(sizes) == 300 and sizes[0] >= 1 and sizes[-1] > sizes[0]


def test_seed_history_is_repeatable(sqlite_url: str, tmp_path) -> None:
    from monitor.db import upgrade

    other = f"sqlite:///{tmp_path / 'other.db'}"
    for url in (sqlite_url, other):
        upgrade(url)
    first = seed_history(Repository(sqlite_url), days=3, services=2, seed=9).as_dict()
    second = seed_history(Repository(other), days=3, services=2, seed=9).as_dict()
    first.pop("seconds"), second.pop("seconds")
    assert first == second
