"""``monitor demo seed-history`` writes a consistent history the dashboard can read."""

from __future__ import annotations

from sqlalchemy import func, select

from demo.history import seed_history
from monitor.models import Finding, Issue, PageResult
from monitor.repository import Repository


def test_seed_history_is_consistent(sqlite_repository: Repository) -> None:
    report = seed_history(sqlite_repository, days=5, services=3, seed=1)
    assert report.services == 3 and report.runs == 10
    assert report.findings > 0 and report.feedback > 0 and report.journey_runs >= 15
    with sqlite_repository.session() as session:
        findings = session.execute(select(func.count()).select_from(Finding)).scalar_one()
        issues = session.execute(select(func.count()).select_from(Issue)).scalar_one()
        # serious_count of each page result = its serious or critical findings in that run.
        counted = dict(
            session.execute(
                select(Finding.run_id * 100_000 + Finding.page_id, func.count())
                .where(Finding.impact.in_(["serious", "critical"]))  # type: ignore[union-attr]
                .group_by(Finding.run_id, Finding.page_id)
            ).all()
        )
        results = session.execute(
            select(PageResult.run_id, PageResult.page_id, PageResult.serious_count).where(
                PageResult.status != "failed"
            )
        ).all()
    assert findings == report.findings and issues == report.issues
    for run_id, page_id, serious in results:
        assert serious == counted.get(run_id * 100_000 + page_id, 0)
    latest = sqlite_repository.read.runs.latest_audits(per_service=2)
    assert len(latest) == 3 and all(len(ids) == 2 for ids in latest.values())


def test_seed_history_is_repeatable(sqlite_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from monitor.db import upgrade

    other = f"sqlite:///{tmp_path / 'other.db'}"
    for url in (sqlite_url, other):
        upgrade(url)
    first = seed_history(Repository(sqlite_url), days=3, services=2, seed=9).as_dict()
    second = seed_history(Repository(other), days=3, services=2, seed=9).as_dict()
    first.pop("seconds"), second.pop("seconds")
    assert first == second
